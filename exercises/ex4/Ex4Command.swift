import ArgumentParser
import ExerciseGrading
import Foundation
import NeuralNetworkLearning
import ExerciseData
import Ex4StudentFunctions
import TrainingRecord
import ExercisePrograms

/// `swift run ex4`: the course's Exercise 4 script (the default subcommand),
/// and `ex4 classify` for a student's own pictures of digits.
@main
struct Ex4Command: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ex4",
    abstract: "Exercise 4 of the Machine Learning course: neural network learning.",
    discussion: """
      With no subcommand, or with `course`, runs the course's ex4 script: `ex4 --seed 1` is \
      `ex4 course --seed 1`. See `ex4 course --help` for its options, `ex4 classify --help` \
      for classifying your own pictures of digits and `ex4 sweep --help` for training over a \
      grid of lambdas and hidden layer sizes.

      To do the exercise yourself: write the functions in exercises/student/, grade them with \
      `ex4 submit`, and run the whole script on them with `ex4 --student`.

      To watch the network learn in your browser, look inside it and draw digits for it: \
      `swift run ex4-playground` (a separate program, so that ex4 builds without its web server).
      """,
    subcommands: [Ex4Course.self, Ex4Classify.self, Ex4Sweep.self, Ex4Submit.self, Ex4GradePart.self],
    defaultSubcommand: Ex4Course.self)

  /// v7.3 files are read in a child process of this executable (ProgramStart).
  static func main() {
    // `ex4 sumbit`: a bare word would otherwise go to `course` as an unexpected argument.
    if let word = CommandLine.arguments.dropFirst().first, let name = SubcommandSpelling.suggestion(for: word) {
      FileHandle.standardError.write(
        Data("Error: Unknown subcommand '\(word)'. Did you mean '\(name)'?\nSee 'ex4 --help'.\n".utf8))
      Foundation.exit(ExitCode.validationFailure.rawValue)
    }
    ProgramStart.main(Self.self)
  }
}

/// A mistyped subcommand and the one it was probably meant to be.
enum SubcommandSpelling {
  static let names = Ex4Command.configuration.subcommands.compactMap { subcommand in
    subcommand.configuration.shouldDisplay ? subcommand.configuration.commandName : nil
  }

  /// The subcommand `word` is one or two edits away from, when it is not one itself nor an option.
  static func suggestion(for word: String) -> String? {
    guard !word.hasPrefix("-"), !names.contains(word) else { return nil }
    return names.map { ($0, distance(word, $0)) }.filter { $0.1 <= 2 }.min { $0.1 < $1.1 }?.0
  }

  /// Edits (insertions, deletions, substitutions, swaps of neighbours) from `a` to `b`.
  static func distance(_ a: String, _ b: String) -> Int {
    let (s, t) = (Array(a), Array(b))
    guard !s.isEmpty, !t.isEmpty else { return max(s.count, t.count) }
    var d = [[Int]](repeating: [Int](repeating: 0, count: t.count + 1), count: s.count + 1)
    for i in 0...s.count { d[i][0] = i }
    for j in 0...t.count { d[0][j] = j }
    for i in 1...s.count {
      for j in 1...t.count {
        let cost = s[i - 1] == t[j - 1] ? 0 : 1
        d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
        if i > 1 && j > 1 && s[i - 1] == t[j - 2] && s[i - 2] == t[j - 1] {
          d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
        }
      }
    }
    return d[s.count][t.count]
  }
}

/// `ex4 course` (and plain `ex4`): the course's Exercise 4 script, part by part.
struct Ex4Course: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "course",
    abstract: "The course's ex4 script, part by part (the default).",
    discussion: """
      Runs the course's ex4 script in order: loads and shows the digits, checks the cost \
      with the course's weights, checks backpropagation against numerical gradients, trains \
      a network with fmincg (or --optimizer lbfgs), shows its hidden units and reports its training accuracy.

      Course files are looked for in $\(DataDirectory.environmentVariable) \
      (default \(DataDirectory.defaultPath)). Without ex4data1.mat it runs on a built-in digit set.

      --hidden-layers trains a deeper network (sigmoid units throughout, nnCostFunctionDeep): \
      its initial weights are randInitializeWeights for each layer in turn from the same seeded \
      stream, the picture of hidden units shows the first hidden layer, and --save writes \
      Theta1 … ThetaN. The lecture notes suggest the same number of units in every hidden layer.
      """)

  @OptionGroup var digits: DigitDataOption

  /// `--data`, when given.
  var data: String? { digits.data }

  @Option(
    name: .long,
    help: ArgumentHelp(
      "The course's trained weights (default: ex4weights.mat in the data directory).", valueName: "file"))
  var weights: String?

  @Option(name: .long, help: ArgumentHelp("Where the pictures are written.", valueName: "directory"))
  var outputDir: String = "ex4-output"

  @Option(name: .long, help: ArgumentHelp("Each pixel of a picture becomes an n×n square in its PNG.", valueName: "n"))
  var scale: Int = 4

  @OptionGroup var training: TrainingOptions

  @OptionGroup var verbose: VerboseOption

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Units in each hidden layer, first to last, e.g. 25,25 for two layers of 25 (default: one layer of --hidden-layer-size).",
      valueName: "n,n,…"),
    transform: HiddenLayers.parse)
  var hiddenLayers: [Int]?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Write the trained weights to this .mat file: Theta1 and Theta2, or Theta1 … ThetaN with --hidden-layers. Replaces a file only if ex4 --save wrote it; anything else there (your own file, a course file, a folder or link) is never replaced, and the run stops before training.",
      valueName: "file"))
  var save: String?

  @Flag(name: .long, help: "Never wait for Enter between parts (it waits only when run in a terminal).")
  var noPause: Bool = false

  @Flag(
    name: .long,
    help: "Run the script on your own sigmoidGradient, randInitializeWeights and nnCostFunction in exercises/student/.")
  var student: Bool = false

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Keep this share of the examples aside, chosen with the seeded stream, and report the training and validation accuracy and cost after every iteration (e.g. 20%).",
      valueName: "percent"))
  var validation: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Write the whole run as one HTML page with its pictures: a file name alone (report.html) goes into the output folder, a path (reports/run.html) is taken from the current directory.",
      valueName: "file"))
  var report: String?

  mutating func validate() throws {
    guard scale >= 1 && scale <= 64 else { throw ValidationError("--scale must be between 1 and 64, got \(scale)") }
    for units in hiddenLayers ?? [] {
      try TrainingOptions.checkLayerSize(units, option: "--hidden-layers")
    }
    if hiddenLayers != nil && training.hiddenLayerSize != nil {
      throw ValidationError("give --hidden-layers or --hidden-layer-size, not both")
    }
    if student && hiddenLayerSizes.count > 1 {
      throw ValidationError(
        "--student trains the course's network with one hidden layer (your nnCostFunction); --hidden-layers cannot be used with it"
      )
    }
    if let validation {
      do { _ = try ValidationSplit.parsePercentage(validation) } catch { throw ValidationError(error.description) }
    }
    if let report { try ReportOption.check(report) }
  }

  /// The course's settings unless an option says otherwise: 50 iterations, λ = 1, 25 hidden units.
  var seed: UInt32? { training.seed }
  var maxIter: Int { training.maxIter(default: 50) }
  var lambda: Double { training.lambda(default: 1) }

  /// The share of the examples `--validation` keeps aside, or nil.
  var validationFraction: Double? { validation.flatMap { try? ValidationSplit.parsePercentage($0) } }

  /// The option that chose the network's size, for an error about it.
  var networkOption: String {
    if let hiddenLayers { return "--hidden-layers \(hiddenLayers.map(String.init).joined(separator: ","))" }
    return training.hiddenLayerSize.map { "--hidden-layer-size \($0)" } ?? "the course's network"
  }

  /// The units of each hidden layer: `--hidden-layers`, or the one layer of `--hidden-layer-size`.
  var hiddenLayerSizes: [Int] { hiddenLayers ?? [training.hiddenLayerSize(default: 25)] }

  func run() throws {
    // The student's functions run in a child process, so that a crash in
    // them ends in one message with their line (SupervisedRun).
    if student && !SupervisedRun.isChild {
      return try SupervisedRun.runInChild(sourcePathMarker: "/exercises/student/", network: .course)
    }
    if student { SupervisedRun.prepareChild() }
    verbose.printSetup()
    // A mistyped EX4_DATA_DIR, --data or --weights is refused before anything is printed or made.
    try DataDirectory.checkNamedFolder()
    if let data { try DataDirectory.checkNamedFile(data, option: "--data") }
    if let weights { try DataDirectory.checkNamedFile(weights, option: "--weights") }
    if student {
      print("Running the exercise on your functions in exercises/student/ (`ex4 submit` grades them).")
      try run(with: StudentFunctions())
    } else {
      try run(with: ReferenceFunctions())
    }
  }

  /// The script on `functions`, with its report when `--report` asks for one.
  private func run<Functions: ExerciseFunctions>(with functions: Functions) throws {
    var script = try Ex4Script(options: self, functions: functions)
    guard let report else { return try script.run() }
    let path = try ReportOption.prepare(report, outputDir: outputDir)
    let parts = try OutputTranscript.capture { try script.run() }
    try Ex4Report.course(script: script, parts: parts).write(to: path)
    print("Wrote the report of this run to \(printable(path))")
  }
}

/// Reading `--hidden-layers 25,25`.
enum HiddenLayers {
  /// The comma-separated layer sizes, each a whole number of at least 1.
  static func parse(_ text: String) throws -> [Int] {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false)
      .map { $0.trimmingCharacters(in: .whitespaces) }
    let sizes = parts.compactMap { Int($0) }
    guard !parts.isEmpty, sizes.count == parts.count, sizes.allSatisfy({ $0 >= 1 }) else {
      throw ValidationError(
        "the units of each hidden layer are whole numbers ≥ 1 separated by commas, e.g. 25,25")
    }
    return sizes
  }
}
