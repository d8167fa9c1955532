import ArgumentParser
import Foundation
import NeuralNetworkLearning
import ExerciseData
import TrainingRecord
import ExercisePrograms
import Pictures
import Synchronization

/// `ex4 sweep`: the course's network trained over a grid of λ, hidden layer
/// sizes, iteration counts and seeds, all on the same examples and measured
/// on the same kept-aside examples, in parallel on the machine's cores.
struct Ex4Sweep: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sweep",
    abstract: "Train over a grid of lambdas, hidden layer sizes and iteration counts, and compare them.",
    discussion: """
      Each training is the course's: a 400-h-10 sigmoid network, initial weights from \
      randInitializeWeights with Octave's rand stream seeded by the seed (the same start as \
      `ex4 --seed n`), fmincg (or --optimizer lbfgs) for the given iterations. The same examples are kept aside for \
      validation as `ex4 --seed n --validation 20%` keeps, so the row for lambda 1, 25 hidden \
      units and 50 iterations is that run. The trainings run side by side on the machine's cores; \
      each one's result depends only on its own settings, not on the order they run in.

      It prints a table of training and validation accuracy and cost (unregularised, so that rows \
      with different lambdas compare), marks each seed's best row (highest validation accuracy), \
      says whether the best lambda is the same for every seed, and plots the validation accuracy \
      against lambda (sweep.png and sweep.svg in the output folder).
      """)

  static let defaultLambdas: [Double] = [0, 0.01, 0.03, 0.1, 0.3, 1, 3, 10]

  @OptionGroup var digits: DigitDataOption

  /// `--data`, when given.
  var data: String? { digits.data }

  @Option(
    name: .long,
    help: ArgumentHelp(
      "The lambdas to train with, separated by commas (default: 0,0.01,0.03,0.1,0.3,1,3,10).", valueName: "λ,λ,…"),
    transform: {
      try NumberList.parse($0, option: "--lambdas", expecting: "finite numbers ≥ 0", Double.init) {
        $0.isFinite && $0 >= 0
      }
    })
  var lambdas: [Double]?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Units in the hidden layer, one size or several separated by commas (default: 25).", valueName: "n,n,…"),
    transform: {
      try NumberList.parse($0, option: "--hidden-sizes", expecting: "whole numbers from 1 to 10000", Int.init) {
        (1...10_000).contains($0)
      }
    })
  var hiddenSizes: [Int]?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "The minimiser's iterations, one count or several separated by commas (default: 50).", valueName: "n,n,…"),
    transform: {
      try NumberList.parse($0, option: "--iterations", expecting: "whole numbers from 1 to 100000", Int.init) {
        (1...100_000).contains($0)
      }
    })
  var iterations: [Int]?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "The seeds of Octave's rand stream to train from, separated by commas (default: 1,2); each seed also chooses its own validation examples.",
      valueName: "n,n,…"),
    transform: {
      try NumberList.parse($0, option: "--seeds", expecting: "whole numbers from 0 to 4294967295", UInt32.init) { _ in
        true
      }
    })
  var seeds: [UInt32]?

  @OptionGroup var minimiser: OptimizerOption

  @OptionGroup var verbose: VerboseOption

  @Option(name: .long, help: ArgumentHelp("The share of the examples kept aside for validation.", valueName: "percent"))
  var validation: String = "20%"

  @Option(name: .long, help: ArgumentHelp("Trainings run at once (default: the number of cores).", valueName: "n"))
  var jobs: Int?

  @Option(name: .long, help: ArgumentHelp("Where the plot (and the report) are written.", valueName: "directory"))
  var outputDir: String = "ex4-output"

  @Option(
    name: .long,
    help: ArgumentHelp("Write the sweep as one HTML page, into the output folder (e.g. sweep.html).", valueName: "file")
  )
  var report: String?

  // Each list's values once, in the order given: a value given twice is
  // trained once (``duplicateNotes`` says so).
  var lambdaValues: [Double] { NumberList.distinct(lambdas ?? Ex4Sweep.defaultLambdas) }
  var hiddenSizeValues: [Int] { NumberList.distinct(hiddenSizes ?? [25]) }
  var iterationValues: [Int] { NumberList.distinct(iterations ?? [50]) }
  var seedValues: [UInt32] { NumberList.distinct(seeds ?? [1, 2]) }

  /// A note for each list that gives a value more than once.
  var duplicateNotes: [String] {
    [
      NumberList.duplicateNote(lambdas ?? [], option: "--lambdas") { String(format: "%g", $0) },
      NumberList.duplicateNote(hiddenSizes ?? [], option: "--hidden-sizes") { "\($0)" },
      NumberList.duplicateNote(iterations ?? [], option: "--iterations") { "\($0)" },
      NumberList.duplicateNote(seeds ?? [], option: "--seeds") { "\($0)" },
    ].compactMap { $0 }
  }

  mutating func validate() throws {
    do { _ = try ValidationSplit.parsePercentage(validation) } catch { throw ValidationError(error.description) }
    let count = lambdaValues.count * hiddenSizeValues.count * iterationValues.count * seedValues.count
    guard count <= 1000 else {
      throw ValidationError("the grid has \(count) trainings; a sweep allows at most 1000")
    }
    if let jobs, !(1...256).contains(jobs) { throw ValidationError("--jobs must be between 1 and 256, got \(jobs)") }
    if let report { try ReportOption.check(report) }
  }

  func run() throws {
    verbose.printSetup()
    try DataDirectory.checkNamedFolder()
    if let data { try DataDirectory.checkNamedFile(data, option: "--data") }
    let terminal = OutputDirectory.standardOutputIsTerminal
    guard let report else { return try sweep(terminal: terminal).finish(outputDir: outputDir) }
    let path = try ReportOption.prepare(report, outputDir: outputDir)
    var result: SweepResult?
    let parts = try OutputTranscript.capture {
      result = try sweep(terminal: terminal)
      try result!.finish(outputDir: outputDir)
    }
    try result!.report(parts: parts).write(to: path)
    print("Wrote the report of this sweep to \(printable(path))")
  }

  // MARK: - The sweep

  /// One training of the grid.
  struct Setting: Hashable, Sendable {
    var seed: UInt32
    var hiddenSize: Int
    var iterations: Int
    var lambda: Double
  }

  /// What one training reached.
  struct Outcome: Sendable {
    /// Why the training has no result to compare (its cost or a measurement
    /// is not finite), or nil.
    var failure: String?
    var trainingAccuracy: Double
    var validationAccuracy: Double
    /// Unregularised J on the training examples.
    var trainingCost: Double
    /// Unregularised J on the validation examples.
    var validationCost: Double
    /// The minimiser's last cost (regularised).
    var finalCost: Double
  }

  /// Trains the grid; `terminal`: standard output is a terminal (for a progress line).
  func sweep(terminal: Bool) throws -> SweepResult {
    try OutputDirectory.prepare(outputDir)
    OutputDirectory.announce(outputDir)
    let fraction = try ValidationSplit.parsePercentage(validation)
    let (X, y, dataName, onBuiltinDigits) = try loadDigits()
    guard X.rows >= 2 else { throw InputError("\(dataName): \(X.rows) example is too few to keep some aside") }
    var settings: [Setting] = []
    for seed in seedValues {
      for hiddenSize in hiddenSizeValues {
        for iterations in iterationValues {
          for lambda in lambdaValues {
            settings.append(Setting(seed: seed, hiddenSize: hiddenSize, iterations: iterations, lambda: lambda))
          }
        }
      }
    }
    // The split for each seed, made once, before any training.
    var splits: [UInt32: ValidationSplit] = [:]
    for seed in seedValues where splits[seed] == nil {
      var random = ValidationSplit.stream(seed: seed)
      splits[seed] = ValidationSplit(examples: X.rows, fraction: fraction, random: &random)
    }
    let anySplit = splits[seedValues[0]]!
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let workers = min(jobs ?? cores, settings.count)
    try checkMemory(settings, inputs: X.columns, examples: anySplit.trainingRows.count, workers: workers)
    for note in duplicateNotes { print(note) }
    print(
      "Sweep over lambda (\(list(lambdaValues))) × hidden units (\(list(hiddenSizeValues))) × iterations "
        + "(\(list(iterationValues))) × seeds (\(list(seedValues))): \(settings.count) trainings"
        + (minimiser.optimizer == .fmincg ? "" : " with \(minimiser.optimizer.title)"))
    print(
      "on \(printable(dataName)): training on \(anySplit.trainingRows.count) examples, validating on "
        + "\(anySplit.validationRows.count) (\(validation), chosen with each seed's stream), "
        + "\(workers) at a time on \(cores) core\(cores == 1 ? "" : "s")...")

    let clock = ContinuousClock()
    let start = clock.now
    let outcomes = Ex4Sweep.train(
      settings, X: X, y: y, splits: splits, optimizer: minimiser.optimizer, workers: workers, progress: terminal)
    let elapsed = seconds(clock.now - start)
    return SweepResult(
      sweep: self, dataName: dataName, onBuiltinDigits: onBuiltinDigits, settings: settings, outcomes: outcomes,
      seconds: elapsed, workers: workers,
      cores: cores, examples: X.rows, validationCount: anySplit.validationRows.count)
  }

  /// Trains every setting, `workers` at a time; the outcomes in the settings' order.
  static func train(
    _ settings: [Setting], X: Matrix, y: Matrix, splits: [UInt32: ValidationSplit], optimizer: Optimizer,
    workers: Int, progress: Bool
  ) -> [Outcome] {
    let sets = splits.mapValues { split in
      (
        training: (X: X[rows: split.trainingRows], y: y[rows: split.trainingRows]),
        validation: (X: X[rows: split.validationRows], y: y[rows: split.validationRows])
      )
    }
    let results = Results(count: settings.count)
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
      while let k = results.nextIndex() {
        let setting = settings[k]
        let set = sets[setting.seed]!
        let outcome = trainOne(
          setting, training: set.training, validation: set.validation, inputs: X.columns, optimizer: optimizer)
        results.store(outcome, at: k) { finished in
          guard progress else { return }
          // Under the lock, so that each progress line's markers stay around its own text.
          OutputTranscript.terminalOnly {
            print("\rTrained \(finished) of \(settings.count)", terminator: "")
            fflush(nil)
          }
        }
      }
    }
    if progress { OutputTranscript.terminalOnly { print("\r\u{1B}[K", terminator: "") } }
    return results.outcomes
  }

  /// One training: the course's initial weights for the seed, the minimiser, then the measurements.
  static func trainOne(
    _ setting: Setting, training: (X: Matrix, y: Matrix), validation: (X: Matrix, y: Matrix), inputs: Int,
    optimizer: Optimizer
  ) -> Outcome {
    let layerSizes = [inputs, setting.hiddenSize, 10]
    var random = OctaveRandom(seed: setting.seed)
    let initial = unroll(randInitializeWeights(layerSizes: layerSizes, using: &random))
    let network = NetworkTraining(layerSizes: layerSizes, X: training.X, y: training.y, lambda: setting.lambda)
    // A training that ends at a cost that is not finite (λ far too large) has nothing to measure.
    guard
      let (Thetas, costs, _) = try? network.run(
        from: initial, maxIter: setting.iterations, optimizer: optimizer, progress: .silent)
    else {
      return Outcome(
        failure: String(
          format: "the cost overflowed at λ = %g (training ended at a cost that is not finite)", setting.lambda),
        trainingAccuracy: .nan, validationAccuracy: .nan, trainingCost: .nan, validationCost: .nan, finalCost: .nan)
    }
    let nnParams = unroll(Thetas)
    let trainingCost = NNCostFunction(layerSizes: layerSizes, X: training.X, y: training.y, lambda: 0)(nnParams).J
    let validationCost = NNCostFunction(layerSizes: layerSizes, X: validation.X, y: validation.y, lambda: 0)(nnParams).J
    var outcome = Outcome(
      trainingAccuracy: accuracy(predict(Thetas, training.X), training.y),
      validationAccuracy: accuracy(predict(Thetas, validation.X), validation.y),
      trainingCost: trainingCost, validationCost: validationCost, finalCost: costs.last ?? .nan)
    let measured = [
      ("training accuracy", outcome.trainingAccuracy), ("validation accuracy", outcome.validationAccuracy),
      ("training cost", trainingCost), ("validation cost", validationCost),
    ]
    if let (name, value) = measured.first(where: { !$0.1.isFinite }) {
      outcome.failure = "the \(name) is \(octaveSpelling(value))"
    }
    return outcome
  }

  /// Refuses (exit 64) a sweep whose trainings running at once need more
  /// memory than the machine has available: the `workers` largest of the
  /// grid, each estimated as ex4 estimates its own training.
  func checkMemory(
    _ settings: [Setting], inputs: Int, examples: Int, workers: Int,
    available: Double? = NetworkMemory.available()
  ) throws {
    guard let available else { return }
    let largest = hiddenSizeValues.sorted(by: >).flatMap { hiddenSize in
      Array(repeating: hiddenSize, count: settings.count(where: { $0.hiddenSize == hiddenSize }))
    }.prefix(workers)
    let each = largest.map {
      NetworkMemory(layerSizes: [inputs, $0, 10], examples: examples, optimizer: minimiser.optimizer).total
    }
    let need = each.reduce(0, +)
    guard need > available else { return }
    throw ValidationError(
      "--hidden-sizes \(list(hiddenSizeValues)), --jobs \(workers): \(workers) training\(workers == 1 ? "" : "s") "
        + "at once on \(examples) examples need about \(NetworkMemory.spelled(need)) of memory (a "
        + "\(inputs)–\(largest.first!)–10 network takes \(NetworkMemory.spelled(each[0]))); this machine has "
        + "\(NetworkMemory.spelled(available)) available: use fewer --jobs or smaller --hidden-sizes")
  }

  /// The digits: `--data`, the course's file in the data directory, or the built-in digits.
  func loadDigits() throws -> (X: Matrix, y: Matrix, name: String, isBuiltin: Bool) {
    let digits = try DigitData.load(named: data)
    if digits.isBuiltin {
      print(DataDirectory.builtinDigitsBanner)
      print("Note: \(DataDirectory.missingFileMessage("ex4data1.mat")).")
      print("Sweeping on the built-in digit set instead (NOT the course's data).")
    }
    return (
      digits.X, digits.y, digits.path.map { ($0 as NSString).lastPathComponent } ?? digits.source, digits.isBuiltin
    )
  }

  func list<T>(_ values: [T]) -> String {
    values.map { value in
      if let number = value as? Double { return String(format: "%g", number) }
      return "\(value)"
    }.joined(separator: ", ")
  }

  /// The outcomes, filled in by the workers; the next setting to train.
  final class Results: Sendable {
    struct State {
      var slots: [Outcome?]
      var next = 0
      var finished = 0
    }
    private let state: Mutex<State>

    init(count: Int) { state = Mutex(State(slots: Array(repeating: nil, count: count))) }

    /// The index of the next setting to train, or nil when all are taken.
    func nextIndex() -> Int? {
      state.withLock { state in
        guard state.next < state.slots.count else { return nil }
        state.next += 1
        return state.next - 1
      }
    }

    /// Stores an outcome, then runs `then` with the number finished, while
    /// no other worker stores or runs its own.
    func store(_ outcome: Outcome, at k: Int, then: (Int) -> Void) {
      state.withLock { state in
        state.slots[k] = outcome
        state.finished += 1
        then(state.finished)
      }
    }

    var outcomes: [Outcome] { state.withLock { $0.slots.map { $0! } } }
  }
}
