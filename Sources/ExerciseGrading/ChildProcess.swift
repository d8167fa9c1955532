import ExerciseSupport
import Foundation

/// A program run as a child process with a wall-clock limit: its standard
/// output and error go to files, its standard input is empty, and it is
/// killed (with everything it started) when the time is up.
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

  package init(executable: String, arguments: [String], environment: [String: String] = [:], timeLimit: Double) {
    self.executable = executable
    self.arguments = arguments
    self.environment = environment
    self.timeLimit = timeLimit
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

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

    // A process group of its own, so that a timeout kills what it started
    // too; no signal blocked; and the limits' signals (SIGXCPU, SIGXFSZ) with
    // their default action, ending the child, even where this process
    // ignores them (ignored signals would stay ignored in the child).
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    posix_spawnattr_setpgroup(&attributes, 0)
    var noSignals = sigset_t()
    sigemptyset(&noSignals)
    posix_spawnattr_setsigmask(&attributes, &noSignals)
    var limitSignals = sigset_t()
    sigemptyset(&limitSignals)
    for signal in [SIGXCPU, SIGXFSZ, SIGPIPE] { sigaddset(&limitSignals, signal) }
    posix_spawnattr_setsigdefault(&attributes, &limitSignals)

    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      for pointer in argv { free(pointer) }
      for pointer in envp { free(pointer) }
    }

    let clock = ContinuousClock()
    let start = clock.now
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
    guard spawned == 0 else {
      throw ChildProcessError(
        description: "cannot start \(executable): \(String(cString: strerror(spawned)))")
    }

    var status: Int32 = 0
    var ending: Ending
    let deadline = start + .milliseconds(Int((timeLimit * 1000).rounded()))
    while true {
      let waited = waitpid(pid, &status, WNOHANG)
      if waited == pid {
        ending = Self.ending(status)
        break
      }
      if waited == -1 && errno != EINTR {
        throw ChildProcessError(description: "lost the child process \(pid): \(String(cString: strerror(errno)))")
      }
      if clock.now >= deadline {
        kill(-pid, SIGKILL)
        kill(pid, SIGKILL)
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        ending = .timedOut
        break
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

  /// Decodes a `waitpid` status (the C macros are not visible from Swift).
  private static func ending(_ status: Int32) -> Ending {
    let signal = status & 0x7f
    return signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
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
