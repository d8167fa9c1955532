import ArgumentParser
import ExercisePrograms
import TrainingRecord
import Foundation
import OctaveCore

/// A program's run on a student's functions (`ex4 --student`) in a child
/// process of its own, as `ex4 submit` runs each part: when the student's
/// code stops the program, the parent says so in one message with the
/// student's file and line and the grader's hint, in place of the runtime's
/// backtrace and register dump, and exits with status 1.
///
/// The child is the same program with the same arguments and
/// ``childVariable`` set; it shares the terminal (standard input and output),
/// and writes its output line by line, so that what it printed before a
/// crash is kept when the output is piped. Its standard error is read once
/// it ends.
package enum SupervisedRun {
  /// Set in the child's environment.
  package static let childVariable = "EX4_SUPERVISED_CHILD"

  /// Whether this process is the supervised child.
  package static var isChild: Bool { ProcessInfo.processInfo.environment[childVariable] == "1" }

  /// In the child: standard output written line by line, not kept in a
  /// buffer that a crash would lose.
  package static func prepareChild() {
    StandardOutput.bufferLines()
  }

  /// Runs this program again as a child with the same arguments and waits
  /// for it. Returns when it succeeded; otherwise writes its error, or one
  /// message for a crash in the student's code, and throws the exit status.
  ///
  /// - Parameters:
  ///   - sourcePathMarker: a piece of the student's files' paths, as for ``Grader``.
  ///   - network: the network the functions run on, for the hint from the shapes.
  package static func runInChild(sourcePathMarker: String, network: ShapeHint.Network) throws {
    StandardOutput.flush()
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ex4-student-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let errorPath = folder.appendingPathComponent("stderr").path

    var environment = ProcessInfo.processInfo.environment
    environment[childVariable] = "1"
    environment["SWIFT_BACKTRACE"] = Grader.childEnvironment["SWIFT_BACKTRACE"]
    let pid: pid_t
    do {
      pid = try ChildProcessSpawn.spawn(
        ChildProcess.currentExecutable, arguments: Array(CommandLine.arguments.dropFirst()), environment: environment,
        standardInput: .descriptor(0), standardOutput: .descriptor(1), standardError: .file(errorPath))
    } catch {
      throw ChildProcessError(description: error.description)
    }
    let (ending, _) = ChildProcessSpawn.wait(pid)
    let standardError = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
    let outcome = ChildProcess.Outcome(
      ending: {
        switch ending {
        case .exited(let code): .exited(code)
        case .signalled(let signal): .signalled(signal)
        }
      }(), standardOutput: "", standardError: standardError, seconds: 0)
    if outcome.ending == .exited(0) {
      FileHandle.standardError.write(Data(standardError.utf8))
      return
    }
    let failure = ChildFailure(outcome, limits: Grader.Limits(), sourcePathMarker: sourcePathMarker)
    switch failure {
    case .stopped, .outOfMemory:
      FileHandle.standardError.write(Data(crashMessage(failure, network: network).utf8))
      throw ExitCode(1)
    default:
      // The program's own error (a file it could not read, say): as it wrote it.
      FileHandle.standardError.write(Data(standardError.utf8))
      if case .exited(let code) = ending { throw ExitCode(code) }
      throw ExitCode(1)
    }
  }

  /// The one message for a crash in the student's code.
  static func crashMessage(_ failure: ChildFailure, network: ShapeHint.Network) -> String {
    var text = "Error: the exercise stopped in your code. \(failure.description)."
    if case .stopped(let message, _) = failure, let hint = ShapeHint.hint(for: message, network: network) {
      text += "\n" + hint.text
      if let mistake = hint.mistake { text += " " + mistake.explanation }
    }
    // The failure's text was escaped when it was read (ChildFailure), the hint is made of numbers.
    return text + "\n"
  }
}
