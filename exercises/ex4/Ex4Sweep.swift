import ArgumentParser
import Foundation
import NeuralNetworkLearning
import ExerciseData
import TrainingRecord
import ExercisePrograms
import Pictures

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

  var lambdaValues: [Double] { lambdas ?? Ex4Sweep.defaultLambdas }
  var hiddenSizeValues: [Int] { hiddenSizes ?? [25] }
  var iterationValues: [Int] { iterations ?? [50] }
  var seedValues: [UInt32] { seeds ?? [1, 2] }

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
    print("Wrote the report of this sweep to \(path)")
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
    print(
      "Sweep over lambda (\(list(lambdaValues))) × hidden units (\(list(hiddenSizeValues))) × iterations "
        + "(\(list(iterationValues))) × seeds (\(list(seedValues))): \(settings.count) trainings"
        + (minimiser.optimizer == .fmincg ? "" : " with \(minimiser.optimizer.title)"))
    print(
      "on \(dataName): training on \(anySplit.trainingRows.count) examples, validating on "
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
        results.store(outcome, at: k)
        if progress {
          // One thread at a time, so that each progress line's markers stay around its own text.
          results.printing {
            OutputTranscript.terminalOnly {
              print("\rTrained \(results.finishedCount) of \(settings.count)", terminator: "")
              fflush(nil)
            }
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
        trainingAccuracy: .nan, validationAccuracy: .nan, trainingCost: .nan, validationCost: .nan, finalCost: .nan)
    }
    let nnParams = unroll(Thetas)
    let trainingCost = NNCostFunction(layerSizes: layerSizes, X: training.X, y: training.y, lambda: 0)(nnParams).J
    let validationCost = NNCostFunction(layerSizes: layerSizes, X: validation.X, y: validation.y, lambda: 0)(nnParams).J
    return Outcome(
      trainingAccuracy: accuracy(predict(Thetas, training.X), training.y),
      validationAccuracy: accuracy(predict(Thetas, validation.X), validation.y),
      trainingCost: trainingCost, validationCost: validationCost, finalCost: costs.last ?? .nan)
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
  final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Outcome?]
    private var next = 0
    private var finished = 0

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func nextIndex() -> Int? {
      lock.withLock {
        guard next < slots.count else { return nil }
        next += 1
        return next - 1
      }
    }

    func store(_ outcome: Outcome, at k: Int) {
      lock.withLock {
        slots[k] = outcome
        finished += 1
      }
    }

    var finishedCount: Int { lock.withLock { finished } }

    private let printLock = NSLock()
    /// Runs `body` while no other worker runs its own.
    func printing(_ body: () -> Void) { printLock.withLock(body) }

    var outcomes: [Outcome] { lock.withLock { slots.map { $0! } } }
  }
}

/// What a sweep found, printed, plotted and written up.
struct SweepResult {
  let sweep: Ex4Sweep
  let dataName: String
  /// Whether the sweep ran on the built-in digits (no ex4data1.mat): said
  /// again beside the best rows at the end.
  let onBuiltinDigits: Bool
  let settings: [Ex4Sweep.Setting]
  let outcomes: [Ex4Sweep.Outcome]
  let seconds: Double
  let workers: Int
  let cores: Int
  let examples: Int
  let validationCount: Int

  /// For each seed, the index of its best row: the highest validation accuracy, then the lowest validation cost.
  var bestRows: [UInt32: Int] {
    var best: [UInt32: Int] = [:]
    for k in settings.indices {
      let seed = settings[k].seed
      guard let current = best[seed] else {
        best[seed] = k
        continue
      }
      let (a, b) = (outcomes[k], outcomes[current])
      if a.validationAccuracy > b.validationAccuracy
        || (a.validationAccuracy == b.validationAccuracy && a.validationCost < b.validationCost)
      {
        best[seed] = k
      }
    }
    return best
  }

  /// The table's rows as text, in the settings' order.
  var rows: [[String]] {
    zip(settings, outcomes).map { setting, outcome in
      [
        "\(setting.seed)", "\(setting.hiddenSize)", "\(setting.iterations)", String(format: "%g", setting.lambda),
        String(format: "%.2f", outcome.trainingAccuracy), String(format: "%.2f", outcome.validationAccuracy),
        String(format: "%.6f", outcome.trainingCost), String(format: "%.6f", outcome.validationCost),
      ]
    }
  }

  static let header = [
    "seed", "hidden", "iterations", "lambda", "training acc %", "validation acc %", "training J", "validation J",
  ]

  /// One sentence per seed's best, and whether the best lambda is the same for every seed.
  var stability: [String] {
    let best = bestRows
    let seeds = sweep.seedValues
    var lines = seeds.map { seed -> String in
      let k = best[seed]!
      let s = settings[k]
      return String(
        format: "Best for seed %u: lambda = %g, %d hidden units, %d iterations (validation accuracy %.2f%%)", seed,
        s.lambda, s.hiddenSize, s.iterations, outcomes[k].validationAccuracy)
    }
    // How far apart two accuracies must be to tell them apart: one standard
    // error of the best accuracy, sqrt(p(1 − p)/n) on n validation examples.
    var indistinct = false
    for seed in seeds {
      let p = outcomes[best[seed]!].validationAccuracy / 100
      let error = 100 * (p * (1 - p) / Double(max(validationCount, 1))).squareRoot()
      let close = settings.indices.filter {
        settings[$0].seed == seed && outcomes[$0].validationAccuracy >= 100 * p - error
      }
      indistinct = indistinct || close.count > 1
      let onlyLambda = sweep.hiddenSizeValues.count == 1 && sweep.iterationValues.count == 1
      let names = close.map { k -> String in
        let s = settings[k]
        guard !onlyLambda else { return String(format: "%g", s.lambda) }
        return String(format: "lambda %g with %d hidden units and %d iterations", s.lambda, s.hiddenSize, s.iterations)
      }
      lines.append(
        String(
          format: "Seed %u: within one standard error (%.2f points on %d examples) of the best: %@%@.", seed, error,
          validationCount, onlyLambda ? "lambda " : "", names.joined(separator: onlyLambda ? ", " : "; ")))
    }
    if seeds.count > 1 {
      let lambdas = Set(seeds.map { settings[best[$0]!].lambda })
      let all = seeds.count == 2 ? "both seeds" : "all \(seeds.count) seeds"
      lines.append(
        lambdas.count == 1
          ? String(format: "The best lambda, %g, is the same for %@.", lambdas.first!, all)
          : "The best lambda differs between the seeds ("
            + seeds.map { String(format: "%g for seed %u", settings[best[$0]!].lambda, $0) }.joined(separator: ", ")
            + "): it is not stable across seeds.")
    }
    if indistinct {
      lines.append(
        "Settings within one standard error of the best cannot be told apart on these validation examples; "
          + "only those further below are clearly worse.")
    }
    return lines
  }

  /// Prints the table and the best rows, writes the plot.
  func finish(outputDir: String) throws {
    let best = Set(bestRows.values)
    let widths = SweepResult.header.indices.map { c in
      max(SweepResult.header[c].count, rows.map { $0[c].count }.max() ?? 0)
    }
    func line(_ cells: [String]) -> String {
      zip(cells, widths).map { String(repeating: " ", count: $1 - $0.count) + $0 }.joined(separator: "  ")
    }
    print("")
    print(line(SweepResult.header))
    for (k, row) in rows.enumerated() {
      print(line(row) + (best.contains(k) ? "  ← best for seed \(settings[k].seed)" : ""))
    }
    print("(The costs J are unregularised, lambda = 0, so that rows with different lambdas compare.)")
    print("")
    for sentence in stability { print(sentence) }
    if onBuiltinDigits { print(DataDirectory.builtinDigitsReminder("NOT the course's data")) }
    print(
      String(
        format: "Took %.1f s (%d trainings, %d at a time on %d core%@).", seconds, settings.count, workers, cores,
        cores == 1 ? "" : "s"))
    let plot = self.plot()
    let png = (outputDir as NSString).appendingPathComponent("sweep.png")
    let svg = (outputDir as NSString).appendingPathComponent("sweep.svg")
    let picture = plot.picture()
    try picture.writePNG(to: png, overwrite: true)
    do {
      try plot.svg().write(toFile: svg, atomically: true, encoding: .utf8)
    } catch {
      throw InputError("\(svg): cannot be written (\(error.localizedDescription))")
    }
    print(
      "Wrote the validation accuracy against lambda to \(png) (\(picture.width)×\(picture.height) pixels) and \(svg)")
  }

  /// Validation accuracy (solid, circles) and training accuracy (dashed)
  /// against λ, a pair of lines for each seed, hidden size and iteration count.
  func plot() -> Plot {
    let palette = ["#1f77b4", "#e6550d", "#2ca02c", "#9467bd", "#8c564b", "#d62728", "#17becf", "#7f7f7f"]
    var groups: [(key: String, indices: [Int])] = []
    for (k, s) in settings.enumerated() {
      var parts: [String] = []
      if sweep.seedValues.count > 1 { parts.append("seed \(s.seed)") }
      if sweep.hiddenSizeValues.count > 1 { parts.append("\(s.hiddenSize) hidden") }
      if sweep.iterationValues.count > 1 { parts.append("\(s.iterations) iterations") }
      let key = parts.joined(separator: ", ")
      if let g = groups.firstIndex(where: { $0.key == key }) {
        groups[g].indices.append(k)
      } else {
        groups.append((key, [k]))
      }
    }
    var series: [Plot.Series] = []
    for (g, group) in groups.enumerated() {
      let colour = palette[g % palette.count]
      let x = group.indices.map { settings[$0].lambda }
      let name = group.key.isEmpty ? "" : ", " + group.key
      series.append(
        Plot.Series(
          name: "validation" + name, x: x, y: group.indices.map { outcomes[$0].validationAccuracy }, style: .line,
          colour: colour))
      series.append(
        Plot.Series(
          name: "", x: x, y: group.indices.map { outcomes[$0].validationAccuracy }, style: .circles, colour: colour))
      series.append(
        Plot.Series(
          name: "training" + name, x: x, y: group.indices.map { outcomes[$0].trainingAccuracy }, style: .dashedLine,
          colour: colour))
    }
    var fixed: [String] = []
    if sweep.hiddenSizeValues.count == 1 { fixed.append("\(sweep.hiddenSizeValues[0]) hidden units") }
    if sweep.iterationValues.count == 1 { fixed.append("\(sweep.iterationValues[0]) iterations") }
    if sweep.seedValues.count == 1 { fixed.append("seed \(sweep.seedValues[0])") }
    let title = "Accuracy against lambda" + (fixed.isEmpty ? "" : " (" + fixed.joined(separator: ", ") + ")")
    return Plot(
      title: title, xLabel: "lambda (0 drawn left of the axis break)", yLabel: "Accuracy (%)", series: series,
      logarithmicX: true, legend: .automatic)
  }

  /// The sweep written up: the results table and plot, then what it printed.
  func report(parts: [OutputTranscript.Part]) -> TrainingReport {
    let facts = [
      ("Command", Ex4Report.commandLine()),
      ("Run", Ex4Report.runDate()),
      ("Data", dataName),
      (
        "Validation",
        "\(validationCount) of \(examples) examples (\(sweep.validation)), chosen with each seed's stream, as ex4 --validation chooses them"
      ),
      ("Grid", "\(settings.count) trainings, \(workers) at a time on \(cores) cores"),
      ("Minimiser", sweep.minimiser.optimizer.title),
    ]
    let png = (sweep.outputDir as NSString).appendingPathComponent("sweep.png")
    let results = TrainingReport.Section(
      title: "Results",
      blocks: [
        .table(
          TrainingReport.Table(
            caption: "Accuracy and unregularised cost J after training (each seed's best row marked)",
            header: SweepResult.header, rows: rows, highlighted: Set(bestRows.values))),
        .paragraph(stability.joined(separator: " ")),
        .picture(TrainingReport.Picture(path: png, caption: plot().title)),
      ])
    return TrainingReport(
      title: "ex4 sweep: lambda and hidden units", facts: facts,
      sections: [results]
        + TrainingReport.sections(from: parts).map { section in
          var s = section
          s.title = "What the sweep printed: " + s.title
          return s
        })
  }
}

/// Reading a list option such as `--lambdas 0,0.1,1`.
enum NumberList {
  /// The values of `text`, comma-separated, each made by `make` and accepted by `valid`.
  ///
  /// - Throws: a message naming `option` and what it takes (`expecting`).
  static func parse<T>(
    _ text: String, option: String, expecting: String, _ make: (String) -> T?, valid: (T) -> Bool
  ) throws -> [T] {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false).map {
      $0.trimmingCharacters(in: .whitespaces)
    }
    let values = parts.compactMap(make)
    guard !parts.isEmpty, values.count == parts.count, values.allSatisfy(valid) else {
      throw ValidationError("\(option) takes \(expecting) separated by commas, got '\(text)'")
    }
    return values
  }
}
