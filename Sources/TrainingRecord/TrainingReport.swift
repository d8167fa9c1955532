import ExerciseData
import Foundation
import OctaveCore
import Pictures

/// A run written up as one self-contained HTML page: what the program printed,
/// part by part, with the pictures it drew in place (embedded as `data:`
/// URIs), and tables. The page needs no network and no script: it is HTML
/// and a little CSS, and every text and attribute in it is escaped.
package struct TrainingReport {
  /// A picture file to embed, and what it shows.
  package struct Picture: Sendable {
    package var path: String
    package var caption: String
    package init(path: String, caption: String) {
      self.path = path
      self.caption = caption
    }
  }

  /// A table: a header row, body rows, and the rows to mark.
  package struct Table: Sendable {
    package var caption: String
    package var header: [String]
    package var rows: [[String]]
    /// Indices of `rows` drawn highlighted (the best of a sweep).
    package var highlighted: Set<Int>
    package init(caption: String, header: [String], rows: [[String]], highlighted: Set<Int> = []) {
      self.caption = caption
      self.header = header
      self.rows = rows
      self.highlighted = highlighted
    }
  }

  /// One piece of a section.
  package enum Block: Sendable {
    /// Printed text, shown as it was printed (monospaced).
    case printed(String)
    /// A paragraph of prose.
    case paragraph(String)
    case picture(Picture)
    case table(Table)
    /// A table folded away under a summary line (HTML's `details`, which needs no script).
    case foldedTable(summary: String, Table)
  }

  /// A titled part of the report.
  package struct Section: Sendable {
    package var title: String
    package var blocks: [Block]
    package init(title: String, blocks: [Block]) {
      self.title = title
      self.blocks = blocks
    }
  }

  /// The `content` of the `generator` meta element every report carries; an
  /// existing file is replaced only if it carries it.
  package static let generator = "ex4 (NeuralNetworkLearning)"

  package var title: String
  /// Facts about the run (the command, the data, …), shown in a table at the top.
  package var facts: [(String, String)]
  package var sections: [Section]

  package init(title: String, facts: [(String, String)] = [], sections: [Section] = []) {
    self.title = title
    self.facts = facts
    self.sections = sections
  }

  /// Sections made from a transcript: one per part, titled by the part's
  /// first printed line, its text as the screen showed it and its pictures in place.
  package static func sections(from parts: [OutputTranscript.Part]) -> [Section] {
    parts.compactMap { part -> Section? in
      var blocks: [Block] = []
      var title: String? = nil
      for event in part {
        switch event {
        case .text(let raw):
          let text = trimmingBlankLines(OutputTranscript.Event.screenText(raw))
          guard !text.isEmpty else { continue }
          if title == nil { title = headline(text) }
          blocks.append(.printed(text))
        case .picture(let path, let caption):
          blocks.append(.picture(Picture(path: path, caption: caption)))
        }
      }
      guard !blocks.isEmpty else { return nil }
      return Section(title: title ?? "Pictures", blocks: blocks)
    }
  }

  /// A part's title: the course's headings in it (its lines that end in
  /// "..."), or its first line when it has none.
  static func headline(_ text: String) -> String {
    let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    let headings = lines.filter { $0.hasSuffix("...") }
    return headings.isEmpty ? lines.first ?? "" : headings.joined(separator: " · ")
  }

  /// `text` without blank lines at its start and end (and without trailing spaces on its last line).
  static func trimmingBlankLines(_ text: String) -> String {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    while let first = lines.first, first.allSatisfy(\.isWhitespace) { lines.removeFirst() }
    while let last = lines.last, last.allSatisfy(\.isWhitespace) { lines.removeLast() }
    return lines.joined(separator: "\n")
  }

  // MARK: - HTML

  /// The page. Pictures are read from their files now.
  ///
  /// - Throws: ``InputError`` naming a picture file that cannot be read.
  package func html() throws -> String {
    var body = element("h1", content: escapedText(title))
    if !facts.isEmpty {
      let rows = facts.map { key, value in
        element("tr", content: element("th", content: escapedText(key)) + element("td", content: escapedText(value)))
      }
      body += element("table", ["class": "facts"], content: element("tbody", content: rows.joined()))
    }
    if sections.count > 1 {
      let items = sections.enumerated().map { k, section in
        element("li", content: element("a", ["href": "#part-\(k + 1)"], content: escapedText(section.title)))
      }
      body += element("nav", content: element("ol", content: items.joined()))
    }
    for (k, section) in sections.enumerated() {
      var content = element("h2", content: escapedText(section.title))
      for block in section.blocks { content += try html(for: block) }
      body += element("section", ["id": "part-\(k + 1)"], content: content)
    }
    let head =
      "<meta charset=\"UTF-8\">"
      + "<meta name=\"generator\" content=\"\(escaped(TrainingReport.generator))\">"
      + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      + element("title", content: escapedText(title)) + element("style", content: TrainingReport.css)
    return "<!DOCTYPE html>"
      + element(
        "html", ["lang": "en"],
        content: element("head", content: head) + element("body", content: element("main", content: body)))
      + "\n"
  }

  private func html(for block: Block) throws -> String {
    switch block {
    case .printed(let printed):
      return element("pre", content: escapedText(printed))
    case .paragraph(let paragraph):
      return element("p", content: escapedText(paragraph))
    case .picture(let picture):
      let image =
        "<img src=\"\(escaped(try TrainingReport.dataURI(picture.path)))\" alt=\"\(escaped(picture.caption))\">"
      return element("figure", content: image + element("figcaption", content: escapedText(picture.caption)))
    case .table(let table):
      return html(for: table)
    case .foldedTable(let summary, let table):
      return element(
        "details",
        content: element("summary", content: escapedText(summary)) + element("div", content: html(for: table)))
    }
  }

  private func html(for table: Table) -> String {
    let header = element("tr", content: table.header.map { element("th", content: escapedText($0)) }.joined())
    let rows = table.rows.enumerated().map { k, row in
      element(
        "tr", table.highlighted.contains(k) ? ["class": "best"] : [:],
        content: row.map { element("td", content: escapedText($0)) }.joined())
    }
    return element(
      "table", ["class": "results"],
      content: element("caption", content: escapedText(table.caption)) + element("thead", content: header)
        + element("tbody", content: rows.joined()))
  }

  /// The file at `path` as a `data:` URI (PNG or SVG by its extension).
  static func dataURI(_ path: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw InputError("\(path): cannot be read to put it in the report")
    }
    let type = path.lowercased().hasSuffix(".svg") ? "image/svg+xml" : "image/png"
    return "data:\(type);base64,\(data.base64EncodedString())"
  }

  /// Writes the page to `path`, replacing a file there only if it is a report ex4 wrote.
  ///
  /// - Throws: ``InputError`` naming the file.
  package func write(to path: String) throws {
    try TrainingReport.checkCanWrite(to: path)
    let page = try html()
    let temporary = FilePlacement.temporaryPath(besides: path)
    defer { unlink(temporary) }
    guard FileManager.default.createFile(atPath: temporary, contents: Data(page.utf8)) else {
      throw InputError("\(path): could not be written")
    }
    if let code = FilePlacement.place(temporary, at: path, overwrite: true) {
      throw InputError("\(path): could not be written (\(String(cString: strerror(code))))")
    }
  }

  /// Refuses a target that exists and is not an ex4 report (a student's own
  /// page, say), or that is a folder.
  package static func checkCanWrite(to path: String) throws {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return }
    let mark = "<meta name=\"generator\" content=\"\(generator)\""
    guard !isDirectory.boolValue,
      let handle = FileHandle(forReadingAtPath: path),
      let start = try? handle.read(upToCount: 4096),
      String(decoding: start, as: UTF8.self).contains(mark)
    else {
      throw InputError(
        "\(path): already exists and was not written by ex4; not replaced (move it away or choose another file name)")
    }
    try? handle.close()
  }

  static let css = """
    body { font-family: system-ui, sans-serif; margin: 0; background: #fafafa; color: #222; }
    main { max-width: 60rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
    h1 { font-size: 1.6rem; }
    h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
    pre { background: #fff; border: 1px solid #e2e2e2; padding: .6rem .8rem; white-space: pre-wrap; font-size: .8rem; line-height: 1.3; }
    figure { margin: 1rem 0; }
    figure img { max-width: min(100%, 42rem); height: auto; border: 1px solid #e2e2e2; image-rendering: pixelated; }
    figcaption { font-size: .85rem; color: #555; }
    table { border-collapse: collapse; margin: .8rem 0; font-size: .85rem; }
    th, td { border: 1px solid #ddd; padding: .2rem .5rem; text-align: right; }
    table.facts th, table.facts td { text-align: left; }
    caption { text-align: left; font-weight: 600; padding-bottom: .3rem; }
    tr.best td { background: #e3f4e1; font-weight: 600; }
    nav ol { columns: 2; font-size: .9rem; }
    details summary { cursor: pointer; margin: .5rem 0; }
    """
}

/// `<name attributes>content</name>`; `content` is HTML already (escaped
/// where it is text), attributes are escaped here, in name order.
private func element(_ name: String, _ attributes: [String: String] = [:], content: String) -> String {
  let written = attributes.sorted { $0.key < $1.key }.map { " \($0.key)=\"\(escaped($0.value))\"" }.joined()
  return "<\(name)\(written)>\(content)</\(name)>"
}
