import OctaveCore
import Foundation

/// A program run as a child process with a wall-clock limit: its standard
/// output and error go to files, its standard input is empty, and when it
/// ends or the time is up everything it started is ended too
/// (``ProcessTree``), whatever session or group it moved to.
package struct ChildProcess {
  /// How the child ended.
  package enum Ending: Equatable, Sendable {
    case exited(Int32)
    case signalled(Int32)
    /// Still running at the deadline, and killed.
    case timedOut
  }

  package struct Outcome: Sendable {
    package var ending: Ending
    package var standardOutput: String
    package var standardError: String
    package var seconds: Double

    package init(ending: Ending, standardOutput: String, standardError: String, seconds: Double) {
      self.ending = ending
      self.standardOutput = standardOutput
      self.standardError = standardError
      self.seconds = seconds
    }
  }

  package let executable: String
  package let arguments: [String]
  /// Set in the child's environment on top of this process's.
  package let environment: [String: String]
  package let timeLimit: Double
  /// Called once, with the seconds waited, when the child is still running
  /// after ``progressAfter`` seconds.
  package let progress: (@Sendable (Double) -> Void)?
  package let progressAfter: Double

  package init(
    executable: String, arguments: [String], environment: [String: String] = [:], timeLimit: Double,
    progressAfter: Double = 3, progress: (@Sendable (Double) -> Void)? = nil
  ) {
    self.executable = executable
    self.arguments = arguments
    self.environment = environment
    self.timeLimit = timeLimit
    self.progressAfter = progressAfter
    self.progress = progress
  }

  /// Starts the child and waits for it to end or for the time limit.
  ///
  /// - Throws: ``ChildProcessError`` when the child cannot be started.
  package func run() throws -> Outcome {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ex4-child-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let outputPath = folder.appendingPathComponent("stdout").path
    let errorPath = folder.appendingPathComponent("stderr").path

    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    // The mark of everything this child starts: see ProcessTree. (The
    // program that grades makes itself the subreaper at its start.)
    let marker = UUID().uuidString
    env[ProcessTree.markerVariable] = marker
    defer { ProcessTree.endAll(marker: marker) }
    // A process group of its own, so that a timeout kills what it started
    // too; every signal at its default action, so that the limits' SIGXCPU
    // and SIGXFSZ end the child even where this process ignores them.
    let clock = ContinuousClock()
    let start = clock.now
    let pid: pid_t
    do {
      pid = try ChildProcessSpawn.spawn(
        executable, arguments: arguments, environment: env, standardOutput: .file(outputPath),
        standardError: .file(errorPath), newProcessGroup: true)
    } catch {
      throw ChildProcessError(description: error.description)
    }

    var status: Int32 = 0
    var ending: Ending
    let deadline = start + .milliseconds(Int((timeLimit * 1000).rounded()))
    var progressDue = progress.map { _ in start + .milliseconds(Int((progressAfter * 1000).rounded())) }
    while true {
      let waited = waitpid(pid, &status, WNOHANG)
      if waited == pid {
        switch ChildProcessSpawn.Ending(waitStatus: status) {
        case .exited(let code): ending = .exited(code)
        case .signalled(let signal): ending = .signalled(signal)
        }
        break
      }
      if waited == -1 && errno != EINTR {
        throw ChildProcessError(description: "lost the child process \(pid): \(String(cString: strerror(errno)))")
      }
      if clock.now >= deadline {
        stopAtDeadline(pid)
        ending = .timedOut
        break
      }
      if let due = progressDue, clock.now >= due, let progress {
        progress(seconds(clock.now - start))
        progressDue = nil
      }
      usleep(2_000)
    }
    let elapsed = clock.now - start
    return Outcome(
      ending: ending,
      standardOutput: (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "",
      standardError: (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "",
      seconds: seconds(elapsed))
  }

  /// Ends a child that ran out of time: first SIGQUIT, which makes Swift's
  /// backtracer write where it was (the line of a loop that never ends), at
  /// most five seconds for that (symbolicating a debug build is slow on a
  /// busy machine), then SIGKILL for it and its group.
  private func stopAtDeadline(_ pid: pid_t) {
    var status: Int32 = 0
    kill(pid, SIGQUIT)
    let clock = ContinuousClock()
    let giveUp = clock.now + .seconds(5)
    while clock.now < giveUp {
      let waited = waitpid(pid, &status, WNOHANG)
      if waited == pid { break }
      if waited == -1 && errno != EINTR { break }
      usleep(5_000)
    }
    kill(-pid, SIGKILL)
    kill(pid, SIGKILL)
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
  }

  /// The path of the program running now, to start it again as a child.
  package static var currentExecutable: String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
      ?? CommandLine.arguments[0]
  }
}

/// The grader could not start or follow a child process.
package struct ChildProcessError: Error, CustomStringConvertible, Sendable {
  package let description: String
}
