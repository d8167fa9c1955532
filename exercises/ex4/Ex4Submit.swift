import ArgumentParser
import ExerciseGrading
import ExerciseData
import Ex4StudentFunctions
import ExercisePrograms
import Foundation

/// `ex4 submit`: the course's five graded parts, scored offline against the
/// student's functions in `exercises/student/`.
struct Ex4Submit: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "submit",
    abstract: "Grade your functions in exercises/student/ as the course's grader would, offline.",
    discussion: """
      Calls your sigmoidGradient and nnCostFunction on the course grader's inputs (a network of \
      2 inputs, 4 hidden units and 4 labels, 16 examples) and scores the five parts: 30, 15, 5, \
      40 and 10 points. A wrong part is compared with the outputs of common mistakes and the \
      one it matches is named. randInitializeWeights is checked but not graded.

      Each part runs in a process of its own, limited in time, memory and processes: a \
      function that stops with an error or allocates without end fails its own part only; one \
      that never returns is stopped at the time limit, with its line, and the other parts \
      calling it are not graded, as they would wait for the same loop. Whatever a part \
      started ends with it.
      """)

  @Flag(help: .hidden)
  var reference = false

  // Unconditional: `--time-limit -1` is a (refused) value, not an unknown option `-1`.
  @Option(
    name: .long, parsing: .unconditional,
    help: ArgumentHelp("Seconds each part may run before it is stopped.", valueName: "s"))
  var timeLimit: Double = 10

  func validate() throws {
    let given = String(format: "%g", timeLimit)
    guard timeLimit.isFinite && timeLimit > 0 else {
      throw ValidationError(
        "--time-limit must be a number of seconds above 0 and at most 600, got \(given): each part needs some time to run"
      )
    }
    guard timeLimit <= 600 else {
      throw ValidationError("--time-limit must be a number of seconds above 0 and at most 600, got \(given)")
    }
  }

  func run() throws {
    // What a part leaves behind is reparented to this process and ended with it.
    ProcessTree.becomeSubreaper()
    if let note = ProcessLimits.rootCannotShowLines { FileHandle.standardError.write(Data((note + "\n").utf8)) }
    let reference = reference
    let grader = Grader(
      executable: ChildProcess.currentExecutable,
      childArguments: { ["grade-part"] + $0 + (reference ? ["--reference"] : []) },
      sourcePathMarker: "/exercises/student/", limits: Grader.Limits(seconds: timeLimit),
      progress: { line in FileHandle.standardError.write(Data((line + "\n").utf8)) })
    let report: SubmissionReport
    do {
      report = try grader.grade()
    } catch let error as ChildProcessError {
      throw InputError(error.description)
    }
    let subject =
      reference ? "the reference implementation (ex4 submit --reference)" : "your functions in exercises/student/"
    print(report.rendered(subject: subject), terminator: "")
  }
}

/// `ex4 grade-part`: one task of `ex4 submit`, run in a child process.
struct Ex4GradePart: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "grade-part", abstract: "One part of ex4 submit (run by it).", shouldDisplay: false)

  @OptionGroup var options: GradePartOptions

  @Flag(help: "Run the reference implementation instead of exercises/student/.")
  var reference = false

  func run() throws {
    if reference {
      try options.run(with: ReferenceFunctions())
    } else {
      try options.run(with: StudentFunctions())
    }
  }
}
