import Foundation
import Testing

/// The package's folder, three levels above this file.
private let packageRoot = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The platform's and the toolchain's modules, which the diagram leaves out.
private let platform: Set<String> = ["Foundation", "Glibc", "Darwin", "Dispatch", "Synchronization", "Testing"]

/// A module diagram: each module and the modules it may import.
///
/// A diagram line (its text after `//` in Package.swift) is indented four
/// spaces or more: `Module → A, B`, or modules with no arrow (each importing
/// nothing), or, after a line that ends with a comma, the rest of that line's list.
func diagram(_ lines: [Substring]) -> [String: Set<String>] {
  var edges: [String: Set<String>] = [:]
  var continuing: String?
  for text in lines {
    guard text.hasPrefix("    ") else {
      continuing = nil
      continue
    }
    let content = text.trimmingCharacters(in: .whitespaces)
    let names = { (list: Substring) in
      list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
    if let module = continuing {
      edges[module, default: []].formUnion(names(content[...]))
    } else if let arrow = content.range(of: "→") {
      let module = content[..<arrow.lowerBound].trimmingCharacters(in: .whitespaces)
      edges[module, default: []].formUnion(names(content[arrow.upperBound...]))
      continuing = module
    } else {
      for module in content.split(separator: " ") { edges[String(module), default: []].formUnion([]) }
    }
    if !content.hasSuffix(",") { continuing = nil }
  }
  return edges
}

/// Package.swift's header (the comment after `import PackageDescription`), each line without its `//`.
func header(_ manifest: String) -> [Substring] {
  manifest.split(separator: "\n", omittingEmptySubsequences: false)
    .drop { $0 != "import PackageDescription" }.dropFirst().drop { $0.isEmpty }.prefix { $0.hasPrefix("//") }
    .map { $0.dropFirst(2) }
}

/// Every target of Package.swift but the test targets, with its folder.
func targets(_ manifest: String) -> [(name: String, path: String)] {
  let kinds = [".target(", ".executableTarget(", ".systemLibrary(", ".testTarget("]
  var result: [(String, String)] = []
  var rest = manifest[...]
  while let start = kinds.compactMap({ rest.range(of: $0) }).min(by: { $0.lowerBound < $1.lowerBound }) {
    let kind = String(rest[start])
    rest = rest[start.upperBound...]
    let next = kinds.compactMap { rest.range(of: $0)?.lowerBound }.min() ?? rest.endIndex
    let body = rest[..<next]
    guard kind != ".testTarget(", let name = quoted(after: "name:", in: body) else { continue }
    result.append((name, quoted(after: "path:", in: body) ?? "Sources/\(name)"))
  }
  return result
}

/// The string literal after `label` in `text`.
private func quoted(after label: String, in text: Substring) -> String? {
  guard let at = text.range(of: label) else { return nil }
  let after = text[at.upperBound...].drop { $0 == " " }
  guard after.first == "\"", let end = after.dropFirst().firstIndex(of: "\"") else { return nil }
  return String(after.dropFirst()[..<end])
}

/// The modules the Swift files under `folder` import (outside string
/// literals), and the system libraries its C files include: a library's
/// header is the last one its `shim.h` includes.
func imports(in folder: URL, libraryHeaders: [String: String]) throws -> Set<String> {
  var found: Set<String> = []
  let files =
    FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)?
    .compactMap { $0 as? URL } ?? []
  let swiftImport =
    /^\s*(?:@\w+\s+)*(?:(?:internal|public|package|private|fileprivate)\s+)?(?:@\w+\s+)*import\s+(?:(?:class|struct|enum|protocol|func|var|let|typealias)\s+)?(\w+)/
  let include = /^\s*#\s*include\s*<([^>]+)>/
  for file in files where ["swift", "c", "h"].contains(file.pathExtension) {
    let text = try String(contentsOf: file, encoding: .utf8)
    switch file.pathExtension {
    case "swift":
      var inLiteral = false
      for line in text.split(separator: "\n") {
        if !inLiteral, let match = line.firstMatch(of: swiftImport) { found.insert(String(match.1)) }
        if line.components(separatedBy: "\"\"\"").count % 2 == 0 { inLiteral.toggle() }
      }
    case "c", "h":
      for line in text.split(separator: "\n") {
        if let match = line.firstMatch(of: include), let library = libraryHeaders[String(match.1)] {
          found.insert(library)
        }
      }
    default: continue
    }
  }
  return found.subtracting(platform)
}

@Suite struct ImportGraphTests {
  let manifest: String
  let edges: [String: Set<String>]
  let modules: [(name: String, path: String)]

  init() throws {
    manifest = try String(contentsOf: packageRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
    edges = diagram(header(manifest))
    modules = targets(manifest)
  }

  /// Each system library's header: the last `#include <…>` of its shim.h.
  func libraryHeaders() throws -> [String: String] {
    var headers: [String: String] = [:]
    for module in modules {
      let shim = packageRoot.appendingPathComponent(module.path).appendingPathComponent("shim.h")
      guard let text = try? String(contentsOf: shim, encoding: .utf8) else { continue }
      if let header = text.split(separator: "\n").compactMap({ $0.firstMatch(of: /#include\s*<([^>]+)>/)?.1 }).last {
        headers[String(header)] = module.name
      }
    }
    return headers
  }

  @Test("every module of Package.swift is in its diagram, and the diagram names no other")
  func everyModuleIsNamed() {
    #expect(modules.count > 20, "Package.swift's targets were not found")
    let named = Set(edges.keys)
    for module in modules { #expect(named.contains(module.name), "\(module.name) is not in Package.swift's diagram") }
    let products = manifest.matches(of: /\.product\(name: "(\w+)"/).map { String($0.1) }
    for extra in named.subtracting(modules.map(\.name) + products) {
      Issue.record("Package.swift's diagram names \(extra), which is not a module of the package")
    }
    for (module, targets) in edges {
      for target in targets where !named.contains(target) {
        Issue.record("\(module) → \(target): \(target) has no line of its own in the diagram")
      }
    }
  }

  @Test("every import is an arrow of the diagram, and every arrow an import")
  func importsAreTheArrows() throws {
    let headers = try libraryHeaders()
    #expect(headers["jpeglib.h"] == "CJPEG" && headers["cblas.h"] == "CBLAS")
    for module in modules {
      let folder = packageRoot.appendingPathComponent(module.path)
      let imported = try imports(in: folder, libraryHeaders: headers).subtracting([module.name])
      let drawn = edges[module.name] ?? []
      for edge in imported.subtracting(drawn).sorted() {
        Issue.record("\(module.path) imports \(edge), but Package.swift's diagram has no \(module.name) → \(edge)")
      }
      for edge in drawn.subtracting(imported).sorted() {
        Issue.record("Package.swift's diagram has \(module.name) → \(edge), but \(module.path) does not import it")
      }
    }
  }

  @Test("dependencies run one way: a module's arrows point only to lines above it")
  func dependenciesRunOneWay() {
    #expect(edges.count > 20, "Package.swift's diagram was not found")
    var order: [String: Int] = [:]
    for (k, line) in manifest.split(separator: "\n").enumerated() where line.hasPrefix("//    ") {
      for name in edges.keys where order[name] == nil {
        let content = line.dropFirst(2).trimmingCharacters(in: .whitespaces)
        if content.hasPrefix(name + " ") || content == name
          || (!content.contains("→") && content.split(separator: " ").contains(Substring(name)))
        {
          order[name] = k
        }
      }
    }
    for (module, targets) in edges {
      for target in targets {
        #expect(
          order[target, default: .max] < order[module, default: .min],
          "\(module) → \(target) points down the diagram")
      }
    }
  }

  @Test("the DocC landing page shows the same diagram")
  func landingPageShowsTheDiagram() throws {
    let page = try String(
      contentsOf: packageRoot.appendingPathComponent(
        "Sources/NeuralNetworkLearning/NeuralNetworkLearning.docc/NeuralNetworkLearning.md"),
      encoding: .utf8)
    let section = try #require(page.range(of: "## The package's modules"), "the landing page has no module section")
    let block = page[section.upperBound...].split(separator: "```", omittingEmptySubsequences: false)
    try #require(block.count > 2, "the module section has no code block")
    let shown = diagram(block[1].split(separator: "\n"))
    for module in Set(shown.keys).union(edges.keys).sorted() where shown[module] != edges[module] {
      Issue.record(
        "\(module): the landing page shows → \(shown[module]?.sorted() ?? []), Package.swift → \(edges[module]?.sorted() ?? [])"
      )
    }
  }

  @Test("the tests' shared support does not reach ArgumentParser, directly or through others")
  func testSupportStaysLow() {
    var reached: Set<String> = []
    var next = ["TestSupport"]
    while let module = next.popLast() {
      for target in edges[module] ?? [] where reached.insert(target).inserted { next.append(target) }
    }
    #expect(reached.contains("ExerciseData") && reached.contains("OctaveCore"))
    #expect(!reached.contains("ArgumentParser"), "TestSupport reaches \(reached.sorted())")
  }
}
