import Foundation

/// Starting a program as a child process the way a shell starts one, for the
/// package's children (the v7.3 reader, the grader's parts) and the tests that
/// start programs themselves.
///
/// Foundation's `Process` hands the child the signal mask of the thread that
/// starts it, and a test runner or a Dispatch worker blocks signals in its
/// threads; a signal ignored here would stay ignored there. A child started
/// by ``spawn(_:arguments:environment:standardInput:standardOutput:standardError:closing:newProcessGroup:)``
/// has no signal blocked and every signal at its default action, so that a
/// resource limit's `SIGXCPU` or `SIGXFSZ`, a `SIGPIPE` or a `SIGTERM` ends it
/// as it would end a program started from a shell.
package enum ChildProcessSpawn {
  /// Where one of the child's standard streams goes.
  package enum Stream: Sendable {
    /// `/dev/null`.
    case null
    /// A file, created (mode 0600) or emptied.
    case file(String)
    /// A descriptor of this process (the write end of a pipe, say).
    case descriptor(Int32)
  }

  /// How a child ended, from its `waitpid` status.
  package enum Ending: Equatable, Sendable {
    case exited(Int32)
    case signalled(Int32)

    /// Decodes a `waitpid` status (the C macros are not visible from Swift).
    package init(waitStatus status: Int32) {
      let signal = status & 0x7F
      self = signal == 0 ? .exited((status >> 8) & 0xFF) : .signalled(signal)
    }
  }

  /// The child could not be started: `reason` is the system's (strerror).
  package struct Failure: Error, CustomStringConvertible, Sendable {
    package let executable: String
    package let reason: String
    package var description: String { "cannot start \(executable): \(reason)" }
  }

  /// Starts `executable` with `arguments` (argv[0] is the executable) and
  /// exactly `environment`, with every signal unblocked and at its default
  /// action. `closing` lists descriptors the child must not keep (the read
  /// end of its own output pipe); `newProcessGroup` puts the child in a group
  /// of its own, so that `kill(-pid, …)` reaches what it starts too.
  ///
  /// - Returns: the child's process id; wait for it with ``wait(_:)``.
  package static func spawn(
    _ executable: String, arguments: [String], environment: [String: String], standardInput: Stream = .null,
    standardOutput: Stream, standardError: Stream, closing: [Int32] = [], newProcessGroup: Bool = false
  ) throws(Failure) -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    for (descriptor, stream) in [(Int32(0), standardInput), (1, standardOutput), (2, standardError)] {
      switch stream {
      case .null:
        posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
      case .file(let path):
        let flags = descriptor == 0 ? O_RDONLY : O_WRONLY | O_CREAT | O_TRUNC
        posix_spawn_file_actions_addopen(&actions, descriptor, path, flags, 0o600)
      case .descriptor(let source):
        posix_spawn_file_actions_adddup2(&actions, source, descriptor)
      }
    }
    for descriptor in closing { posix_spawn_file_actions_addclose(&actions, descriptor) }

    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var none = sigset_t()
    sigemptyset(&none)
    var all = sigset_t()
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attributes, &none)
    posix_spawnattr_setsigdefault(&attributes, &all)
    var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
    if newProcessGroup {
      flags |= POSIX_SPAWN_SETPGROUP
      posix_spawnattr_setpgroup(&attributes, 0)
    }
    posix_spawnattr_setflags(&attributes, Int16(flags))

    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { (argv + envp).forEach { free($0) } }
    var pid: pid_t = 0
    let code = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
    guard code == 0 else { throw Failure(executable: executable, reason: String(cString: strerror(code))) }
    return pid
  }

  /// Waits for the child `pid` to end (retrying after signals); how it ended
  /// and its resource usage (peak resident size in `ru_maxrss`, KB).
  package static func wait(_ pid: pid_t) -> (ending: Ending, usage: rusage) {
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
    return (Ending(waitStatus: status), usage)
  }
}
