import Foundation
import Testing

import NeuralNetworkLearning
import ExerciseSupport

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
