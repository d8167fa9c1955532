import Foundation
import NeuralNetworkLearning
import OctaveCore

/// `ex4 submit`: grades the exercise's functions offline, each task in a
/// child process of its own, so that a function that traps, never returns
/// or eats memory fails its own part and nothing else.
///
/// The grader starts `executable` with ``childArguments`` (which must lead
/// to a subcommand running ``GradePartOptions/run(with:)`` with the
/// functions to grade), once per ``GradingTask``, with a wall-clock limit
/// and limits on processor time and memory; reads what each wrote; and
/// assesses it against the reference implementation (``Assessment``).
package struct Grader {
  /// The limits on each child process.
  package struct Limits: Sendable {
    /// Wall-clock seconds a task may take before it is killed.
    package var seconds: Double
    /// Address space the child may use.
    package var memoryMegabytes: Int

    package init(seconds: Double = 10, memoryMegabytes: Int = 1024) {
      self.seconds = seconds
      self.memoryMegabytes = memoryMegabytes
    }

    /// Processor time: the wall-clock limit and a margin, so that a child
    /// left behind still ends.
    var cpuSeconds: Int { Int(seconds.rounded(.up)) + 5 }
  }

  package let executable: String
  /// The whole argument list for a child, given the arguments of
  /// ``GradePartOptions`` (e.g. `["grade-part"] + $0` for `ex4`).
  package let childArguments: @Sendable ([String]) -> [String]
  /// A piece of the path of the graded functions' source files (e.g.
  /// `/exercises/student/`): a trap is reported at the first line of a
  /// backtrace in such a file.
  package let sourcePathMarker: String
  package let limits: Limits
  /// Where a line goes while a task runs longer than ``Grader/progressAfter``
  /// seconds (`ex4 submit`: standard error), so that nobody waits in silence.
  package let progress: (@Sendable (String) -> Void)?

  /// Seconds a task runs before ``progress`` hears of it.
  package static let progressAfter = 3.0

  package init(
    executable: String, childArguments: @escaping @Sendable ([String]) -> [String], sourcePathMarker: String,
    limits: Limits = Limits(), progress: (@Sendable (String) -> Void)? = nil
  ) {
    self.executable = executable
    self.childArguments = childArguments
    self.sourcePathMarker = sourcePathMarker
    self.limits = limits
    self.progress = progress
  }

  /// Runs every task and assesses the results.
  ///
  /// A task that runs out of time stops the grading of the later tasks that
  /// call the same function (the part's file, or the file the loop was
  /// seen in): they would wait for the same loop. They are reported as not
  /// graded, with the loop's part and line.
  ///
  /// - Throws: ``ChildProcessError`` when a child cannot be started at all.
  package func grade() throws -> SubmissionReport {
    var outputs: [GradingTask: Result<TaskOutput, ChildFailure>] = [:]
    var looping: [String: (task: GradingTask, location: String?)] = [:]
    for task in GradingTask.allCases {
      if let loop = looping[task.file] {
        outputs[task] = .failure(.sameLoop(in: loop.task.name, location: loop.location))
        continue
      }
      let output = try run(task)
      outputs[task] = output
      if case .failure(let failure) = output, failure.ranOutOfTime {
        let location = failure.loopLocation
        looping[task.file] = (task, location)
        if let file = location?.split(separator: ":").first { looping[String(file)] = (task, location) }
      }
    }
    return Assessment(outputs: outputs).report()
  }

  /// Runs one task in a child process and reads its output, or says why there is none.
  package func run(_ task: GradingTask) throws -> Result<TaskOutput, ChildFailure> {
    let resultPath = FileManager.default.temporaryDirectory
      .appendingPathComponent("ex4-grade-\(task.rawValue)-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: resultPath) }
    let limit = limits.seconds
    var stillRunning: (@Sendable (Double) -> Void)? = nil
    if let say = progress {
      stillRunning = { waited in say(Self.stillRunning(task, after: waited, limit: limit)) }
    }
    let child = ChildProcess(
      executable: executable,
      arguments: childArguments(
        GradePartOptions.arguments(
          task: task, result: resultPath, cpuSeconds: limits.cpuSeconds, memoryMegabytes: limits.memoryMegabytes)),
      environment: Self.childEnvironment, timeLimit: limits.seconds, progressAfter: Self.progressAfter,
      progress: stillRunning)
    let outcome = try child.run()
    if outcome.ending == .exited(0) {
      if let text = try? String(contentsOfFile: resultPath, encoding: .utf8), let output = TaskOutput(encoded: text),
        Self.hasExpectedForm(output, for: task)
      {
        return .success(output)
      }
      return .failure(.noResult("it ended without writing its result"))
    }
    return .failure(ChildFailure(outcome, limits: limits, sourcePathMarker: sourcePathMarker))
  }

  /// The line said while `task` runs longer than ``progressAfter`` seconds.
  package static func stillRunning(_ task: GradingTask, after seconds: Double, limit: Double) -> String {
    let name = task.name.prefix(1).uppercased() + task.name.dropFirst()
    return "\(name) (\(task.file)) is still running after \(String(format: "%.0f", seconds)) s; "
      + "it is stopped at \(String(format: "%g", limit)) s."
  }

  /// One BLAS thread (the grader's matrices are tiny), this process's BLAS
  /// kernel (the children's results are compared with this process's, and a
  /// child must not pick another kernel for itself), and a short, plain
  /// Swift backtrace on stderr, from which a trap's line is read.
  package static let childEnvironment = [
    "OPENBLAS_NUM_THREADS": "1",
    BLASKernel.environmentVariable: BLASKernel.current,
    "SWIFT_BACKTRACE": "enable=yes,interactive=no,color=no,threads=crashed,registers=none,images=none,output-to=stderr",
  ]

  private static func hasExpectedForm(_ output: TaskOutput, for task: GradingTask) -> Bool {
    switch task {
    case .sigmoidGradient: output.J == nil && output.matrices.count == 1
    case .randomInitialisation: output.J == nil && output.matrices.count == 4
    default: output.J != nil && output.matrices.count == 1
    }
  }
}

/// Why a task's child process gave no result.
package enum ChildFailure: Error, Equatable, Sendable {
  /// A fatal error, failed precondition or other trap, with its message
  /// (when Swift printed one) and the student's line it happened at (when
  /// the backtrace shows it).
  case stopped(message: String, location: String?)
  /// Memory ran out: an allocation beyond the limit failed.
  case outOfMemory(megabytes: Int, location: String?)
  /// Still running at the wall-clock limit, with the student's line it was
  /// at when stopped (when the backtrace shows it).
  case timedOut(seconds: Double, location: String?)
  /// Not run: an earlier task calling the same function (`in`, e.g. "part
  /// 1") did not finish, at `location` when it was stopped.
  case sameLoop(in: String, location: String?)
  /// Killed for using its processor-time limit.
  case processorTime(seconds: Int)
  /// Any other ending without a result.
  case noResult(String)

  /// Reads how a child that gave no result ended, from its ending and its standard error.
  package init(_ outcome: ChildProcess.Outcome, limits: Grader.Limits, sourcePathMarker: String) {
    // Written by the student's code: every control character spelled out
    // (lines kept apart), before any of it is shown.
    let text = outcome.standardError.split(separator: "\n", omittingEmptySubsequences: false)
      .map { printable(String($0)) }.joined(separator: "\n")
    let location = Self.location(in: text, marker: sourcePathMarker)
    switch outcome.ending {
    case .timedOut:
      self = .timedOut(seconds: limits.seconds, location: location)
      return
    case .signalled(SIGXCPU):
      self = .processorTime(seconds: limits.cpuSeconds)
      return
    case .signalled(SIGKILL) where !text.contains("Fatal error"):
      // RLIMIT_CPU's hard limit.
      self = .processorTime(seconds: limits.cpuSeconds)
      return
    default: break
    }
    if text.contains("failed to allocate") || text.contains("Could not allocate memory") {
      self = .outOfMemory(megabytes: limits.memoryMegabytes, location: location)
    } else if let message = Self.trapMessage(in: text) {
      self = .stopped(message: message, location: location)
    } else if let crash = Self.crashLine(in: text) {
      let overflow = Self.repeatsOneFrame(text) ? " (the stack overflowed: a recursion that never ends?)" : ""
      self = .stopped(message: crash + overflow, location: location)
    } else {
      switch outcome.ending {
      case .signalled(let signal):
        self = .stopped(message: "signal \(signal) (\(Self.signalName(signal)))", location: location)
      case .exited(let status):
        let firstLine = text.split(separator: "\n").first.map(String.init) ?? ""
        self = .noResult("it exited with status \(status)" + (firstLine.isEmpty ? "" : ": \(firstLine)"))
      case .timedOut: self = .timedOut(seconds: limits.seconds, location: location)
      }
    }
  }

  /// The message Swift printed for a trap: the text after `Fatal error: `,
  /// `Precondition failed: ` or `Assertion failed: ` on its line.
  static func trapMessage(in text: String) -> String? {
    for line in text.split(separator: "\n") {
      for marker in ["Fatal error: ", "Precondition failed: ", "Assertion failed: "] {
        if let range = line.range(of: marker) {
          let message = line[range.upperBound...].trimmingCharacters(in: .whitespaces)
          let kind = marker.dropLast(2)
          return message.isEmpty ? String(kind) : "\(kind): \(message)"
        }
      }
    }
    return nil
  }

  /// The backtracer's `*** Program crashed: … ***` reason, e.g. `Illegal instruction`.
  static func crashLine(in text: String) -> String? {
    guard let range = text.range(of: "*** Program crashed: ") else { return nil }
    let rest = text[range.upperBound...]
    let reason = rest.prefix { $0 != "\n" }.replacingOccurrences(of: " ***", with: "")
    // "Illegal instruction at 0x…" → "Illegal instruction"
    return reason.components(separatedBy: " at 0x").first ?? reason
  }

  /// `file.swift:line` of the first backtrace frame in a file whose path
  /// contains `marker`.
  package static func location(in text: String, marker: String) -> String? {
    for line in text.split(separator: "\n") {
      guard let atRange = line.range(of: " at ", options: .backwards) else { continue }
      let place = line[atRange.upperBound...]
      guard place.contains(marker) else { continue }
      // /…/exercises/student/nnCostFunction.swift:42:7 → nnCostFunction.swift:42
      let parts = place.split(separator: ":")
      guard parts.count >= 2, let file = parts.first?.split(separator: "/").last else { continue }
      return "\(file):\(parts[1])"
    }
    return nil
  }

  /// Whether the backtrace shows one place calling itself over and over.
  static func repeatsOneFrame(_ text: String) -> Bool {
    let places = text.split(separator: "\n").compactMap { line -> Substring? in
      guard let range = line.range(of: " at ", options: .backwards) else { return nil }
      return line[range.upperBound...]
    }
    return Dictionary(grouping: places, by: { $0 }).values.contains { $0.count >= 10 }
  }

  static func signalName(_ signal: Int32) -> String {
    switch signal {
    case SIGSEGV: "segmentation fault: a stack overflow from endless recursion?"
    case SIGILL, SIGTRAP: "a trap"
    case SIGABRT: "abort"
    case SIGBUS: "bus error"
    case SIGFPE: "arithmetic error"
    case SIGXFSZ: "wrote more output than allowed"
    default: "killed"
    }
  }

  /// Whether the task was stopped for its time (a loop that never ends?).
  package var ranOutOfTime: Bool {
    switch self {
    case .timedOut, .processorTime: true
    default: false
    }
  }

  /// Where a task stopped for its time was (`file.swift:line`), when the backtrace shows it.
  package var loopLocation: String? {
    if case .timedOut(_, let location) = self { location } else { nil }
  }

  /// What happened, in a sentence.
  package var description: String {
    switch self {
    case .stopped(let message, let location):
      "It stopped" + (location.map { " at \($0)" } ?? "") + " with \(message)"
    case .outOfMemory(let megabytes, let location):
      "It ran out of memory" + (location.map { " at \($0)" } ?? "")
        + ": it asked for more than the \(megabytes) MB allowed (an allocation inside a loop that never ends?)"
    case .timedOut(let seconds, let location):
      "It did not finish within \(String(format: "%g", seconds)) s and was stopped"
        + (location.map { " at \($0)" } ?? "") + " (a loop that never ends?)"
    case .sameLoop(let task, let location):
      "Not graded: \(task) calls the same function and did not finish"
        + (location.map { " (stopped at \($0))" } ?? "")
        + "; this part would wait for the same loop"
    case .processorTime(let seconds):
      "It used more than \(seconds) s of processor time and was stopped (a loop that never ends?)"
    case .noResult(let reason):
      "It gave no result: \(reason)"
    }
  }

  /// A few words for the table's feedback column.
  package var summary: String {
    switch self {
    case .stopped(_, let location): location.map { "stopped at \($0)" } ?? "stopped with an error"
    case .outOfMemory(_, let location): "ran out of memory" + (location.map { " at \($0)" } ?? "")
    case .timedOut(let seconds, _): "did not finish in \(String(format: "%g", seconds)) s"
    case .sameLoop(let task, _): "not graded: the loop of \(task)"
    case .processorTime: "used too much processor time"
    case .noResult: "gave no result"
    }
  }
}
