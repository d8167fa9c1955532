import ArgumentParser
import ExerciseGrading
import ExerciseData
import Ex4StudentFunctions
import TrainingRecord
import ExercisePrograms
import Foundation
import NeuralNetworkLearning
import PlaygroundServer

/// `swift run ex4-playground`: a page on this machine where a student trains
/// the course's network, watches it learn, looks inside it, draws digits for
/// it and grades their own functions.
@main
struct Ex4PlaygroundCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ex4-playground",
    abstract: "Train the course's network live in your browser, look inside it and draw digits for it.",
    discussion: """
      Starts a web server on 127.0.0.1 only and prints one line, `Playground: \
      http://127.0.0.1:PORT/?token=TOKEN`: open it in a browser on this machine. The token \
      is new at every start; without it the server refuses every request. Ctrl-C stops it.

      Train sets λ, the hidden layers, the iterations, the minimiser, the share of examples \
      held out and the seed, and streams every iteration's cost and accuracy (the same numbers \
      as `ex4` for the same settings). Look inside shows the hidden units, the confusion \
      matrix and the misclassified examples. Draw reads a digit drawn on the page, or a PNG \
      or JPEG photo dropped on it, with `ex4 classify`'s preprocessing. With --student the \
      network trains with your functions in exercises/student/, and Grade shows `ex4 submit`'s \
      table. Nothing is written to disk unless you press Save.
      """,
    subcommands: [Serve.self, PlaygroundBenchmark.self, PlaygroundGradePart.self, PlaygroundTrainPart.self],
    defaultSubcommand: Serve.self)

  static func main() { ProgramStart.main(Self.self) }
}

/// The server (the default subcommand).
struct Serve: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "serve", abstract: "Start the playground (the default).")

  @Option(name: .long, help: ArgumentHelp("The port to listen on (0 or absent: a free port).", valueName: "n"))
  var port: Int = 0

  @OptionGroup var digits: DigitDataOption

  @Flag(
    name: .long,
    help: "Train with your own sigmoidGradient, randInitializeWeights and nnCostFunction in exercises/student/.")
  var student = false

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Where Save writes the trained weights (as ex4 --save: a file ex4 did not write is never replaced).",
      valueName: "file"))
  var save = "playground-weights.mat"

  func validate() throws {
    guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535, got \(port)") }
  }

  func run() throws {
    // What a graded part leaves behind is reparented to the server and ended with it.
    ProcessTree.becomeSubreaper()
    try DataDirectory.checkNamedFolder()
    let loaded = try DigitData.load(named: digits.data)
    guard loaded.X.columns == 400 else {
      throw InputError("\(loaded.source): 'X' has \(loaded.X.columns) columns; the playground's pictures need 400")
    }
    let data = PlaygroundData(X: loaded.X, y: loaded.y, source: loaded.source)
    if loaded.isBuiltin { print(DataDirectory.builtinDigitsBanner) }
    let executable = ChildProcess.currentExecutable
    let playground = Playground(
      access: PlaygroundAccess(), data: data,
      costSource: student
        ? StudentCostSource(executable: executable, arguments: ["train-part"], dataPath: loaded.path)
        : ReferenceCostSource(),
      grade: student ? Self.grader(executable) : nil, savePath: save)
    let access = playground.access
    let failure = Shared<(any Error)?>(nil)
    let done = DispatchSemaphore(value: 0)
    let server = Task {
      do {
        try await playground.serve(port: port) {
          print(access.urlLine)
          fflush(nil)
        }
      } catch  where !Task.isCancelled {
        failure.withLock { $0 = error }
      } catch {
        // Stopped by Ctrl-C.
      }
      done.signal()
    }
    // Ctrl-C (or a TERM) stops the server: its connections close, and the
    // training that runs is stopped and waited for before the program ends.
    let stops = [SIGINT, SIGTERM].map { number in
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number)
      source.setEventHandler { server.cancel() }
      source.resume()
      return source
    }
    done.wait()
    stops.forEach { $0.cancel() }
    playground.stopTrainingAndWait()
    if let error = failure.withLock({ $0 }) { throw InputError("the server stopped: \(error)") }
  }

  /// `ex4 submit`'s grader on the student's functions, in children of this executable.
  static func grader(_ executable: String) -> @Sendable () throws -> (table: String, total: Int) {
    {
      let grader = Grader(
        executable: executable, childArguments: { ["grade-part"] + $0 }, sourcePathMarker: "/exercises/student/")
      let report = try grader.grade()
      return (report.rendered(subject: "your functions in exercises/student/"), report.total)
    }
  }
}

/// One part of the grader, run in a child process (as `ex4 grade-part`).
struct PlaygroundGradePart: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "grade-part", abstract: "One part of the grader (run by the playground).", shouldDisplay: false)

  @OptionGroup var options: GradePartOptions

  func run() throws { try options.run(with: StudentFunctions()) }
}

/// The student's training, run in a child process (``StudentCostSource``).
struct PlaygroundTrainPart: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train-part", abstract: "Training with the student's functions (run by the playground).",
    shouldDisplay: false)

  func run() throws { try StudentTrainingChild.run(with: StudentFunctions()) }
}
