import Foundation
import Testing

import NeuralNetworkLearning

/// Runs one of the package's executables (built by `swift test` beside the
/// test binary) and captures what it prints.
package struct ProgramRun {
  package var status: Int32
  package var standardOutput: String
  package var standardError: String

  /// The directory holding the test binary and the package's executables.
  package static let buildDirectory: URL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    .deletingLastPathComponent()

  package static func executable(_ name: String) -> String { buildDirectory.appendingPathComponent(name).path }

  /// The reason a program cannot be run: the end-to-end tests depend on the
  /// executables (Package.swift), so a missing one is a failure, never a skip.
  package struct NotBuilt: Error, CustomStringConvertible {
    package let path: String
    package var description: String { "\(path) was not built; the end-to-end tests need it (`swift test` builds it)" }
  }

  /// Runs `name` with `arguments`, with `environment` added to (or, for nil
  /// values, removed from) this process's environment, and no standard input,
  /// in `directory` when given (this process's working directory otherwise).
  /// Unless `environment` says otherwise, the program runs this process's
  /// OpenBLAS kernel (`OPENBLAS_CORETYPE`), so that what it prints can be
  /// compared with what the test computes: left to itself, a program may
  /// restart with a better kernel than OpenBLAS picked for the test.
  package static func run(
    _ name: String, _ arguments: [String], environment: [String: String?] = [:], in directory: String? = nil
  ) throws -> ProgramRun {
    guard FileManager.default.isExecutableFile(atPath: executable(name)) else { throw NotBuilt(path: executable(name)) }
    return try run(path: executable(name), arguments, environment: environment, in: directory)
  }

  /// Runs `command` with `/bin/sh -c`, as ``run(_:_:environment:)`` runs a
  /// program (for limits set with `ulimit`, `prlimit` or `trap`).
  package static func runShell(_ command: String, environment: [String: String?] = [:]) throws -> ProgramRun {
    try run(path: "/bin/sh", ["-c", command], environment: environment)
  }

  private static func run(
    path: String, _ arguments: [String], environment: [String: String?], in directory: String? = nil
  ) throws -> ProgramRun {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    var env = ProcessInfo.processInfo.environment
    env[BLASKernel.environmentVariable] = BLASKernel.current
    for (key, value) in environment { env[key] = value }
    process.environment = env
    // Standard error goes to a file and standard output to a pipe read to the
    // end, so neither can fill up and block the child.
    let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("stderr-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: errorFile) }
    let err = try FileHandle(forWritingTo: errorFile)
    let out = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try err.close()
    let errData = try Data(contentsOf: errorFile)
    return ProgramRun(
      status: process.terminationStatus,
      standardOutput: String(decoding: outData, as: UTF8.self),
      standardError: String(decoding: errData, as: UTF8.self))
  }

  /// The numbers that follow `prefix` on every line that starts with it.
  package func numbers(after prefix: String) -> [Double] {
    standardOutput.split(separator: "\n").compactMap { line -> Double? in
      guard let range = line.range(of: prefix) else { return nil }
      let rest = line[range.upperBound...].trimmingCharacters(in: .whitespaces)
      return Double(rest.prefix { "0123456789.eE+-".contains($0) })
    }
  }
}

/// The best OpenBLAS x86-64 kernel for this machine by the flags Linux lists
/// in /proc/cpuinfo (the rule `.ci/run` uses: Linux lists AVX and AVX-512
/// flags only when it saves their registers): `Cooperlake` with avx512f,
/// avx512bw, avx512vl and avx512_bf16, `SkylakeX` without the last, `Haswell`
/// with avx2 and fma. Nil when none of them (or not Linux on x86-64), and
/// when /proc/cpuinfo cannot be read.
package func bestKernelByCPUInfo() -> String? {
  var info = utsname()
  uname(&info)
  let machine = withUnsafeBytes(of: info.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
  guard machine == "x86_64",
    let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
    let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
  else { return nil }
  let flags = Set(line.split(separator: ":").last?.split(separator: " ").map(String.init) ?? [])
  let has = { (names: [String]) in names.allSatisfy(flags.contains) }
  guard has(["avx2", "fma"]) else { return nil }
  if has(["avx512f", "avx512bw", "avx512vl"]) { return has(["avx512_bf16"]) ? "Cooperlake" : "SkylakeX" }
  return "Haswell"
}
