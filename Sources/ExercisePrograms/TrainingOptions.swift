import ArgumentParser
import NeuralNetworkLearning

/// The options every training program takes (`ex4`, `ex4-linear`), declared
/// once with one set of bounds: `@OptionGroup var training: TrainingOptions`.
///
/// Each program has its own defaults (the course's 50 iterations and λ = 1
/// for `ex4`; 200 and 0 for `ex4-linear`), so the values are optional here
/// and a program reads them through ``maxIter(default:)`` and the like.
package struct TrainingOptions: ParsableArguments {
  // Unconditional, so that `--seed -1` is read as a (refused) seed, not as a missing one.
  @Option(
    name: .long, parsing: .unconditional,
    help: ArgumentHelp(
      "Seed Octave's rand stream: the initial weights equal Octave's after rand('twister', n). Default: from the clock, and printed.",
      valueName: "n"),
    transform: TrainingOptions.parseSeed)
  package var seed: UInt32?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Line searches the minimiser may make (negative: a budget of that many cost evaluations). Default: the program's (ex4 50, ex4-linear 200).",
      valueName: "n"))
  package var maxIter: Int?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "The regularisation parameter used in training. Default: the program's (ex4 1, ex4-linear 0).", valueName: "λ"))
  package var lambda: Double?

  @Option(
    name: .long,
    help: ArgumentHelp("Units in the hidden layer. Default: the program's (ex4 25, ex4-linear 8).", valueName: "n"))
  package var hiddenLayerSize: Int?

  @OptionGroup package var minimiser: OptimizerOption

  /// `--optimizer`: fmincg unless another is asked for.
  package var optimizer: Optimizer { minimiser.optimizer }

  package init() {}

  /// The largest number of units a layer may have: beyond it a network would
  /// not fit in memory or train in any useful time.
  package static let largestLayer = 10_000
  /// The largest |--max-iter|.
  package static let largestMaxIter = 100_000

  package func validate() throws {
    if let maxIter {
      guard maxIter != 0 else { throw ValidationError("--max-iter must not be 0") }
      guard maxIter.magnitude <= UInt(Self.largestMaxIter) else {
        throw ValidationError(
          "--max-iter must be between -\(Self.largestMaxIter) and \(Self.largestMaxIter) (and not 0), got \(maxIter)")
      }
    }
    if let lambda {
      guard lambda.isFinite && lambda >= 0 else {
        throw ValidationError("--lambda must be a finite number ≥ 0, got \(octaveSpelling(lambda))")
      }
    }
    if let hiddenLayerSize {
      try Self.checkLayerSize(hiddenLayerSize, option: "--hidden-layer-size")
    }
  }

  /// Refuses a layer of fewer than 1 or more than ``largestLayer`` units.
  package static func checkLayerSize(_ units: Int, option: String) throws {
    guard units >= 1 && units <= largestLayer else {
      throw ValidationError("\(option) must be between 1 and \(largestLayer), got \(units)")
    }
  }

  /// A seed: a whole number 0…4294967295 (`UInt32`), as Octave's rand('twister', n) takes.
  package static func parseSeed(_ text: String) throws -> UInt32 {
    guard let seed = UInt32(text) else {
      // ArgumentParser puts "The value '…' is invalid for '--seed <n>': " before it.
      throw ValidationError("a seed is a whole number from 0 to \(UInt32.max)")
    }
    return seed
  }

  package func maxIter(default value: Int) -> Int { maxIter ?? value }
  package func lambda(default value: Double) -> Double { lambda ?? value }
  package func hiddenLayerSize(default value: Int) -> Int { hiddenLayerSize ?? value }

  /// `rand('twister', seed)`: the stream the initial weights are drawn from,
  /// and its seed. Without `--seed` the seed comes from the clock and a line
  /// saying how to repeat the run is printed.
  package func randomStream() -> (random: OctaveRandom, seed: UInt32) {
    if let seed { return (OctaveRandom(seed: seed), seed) }
    let (random, seed) = OctaveRandom.timeSeeded()
    print("Random seed: \(seed) (run again with --seed \(seed) to repeat this run)")
    return (random, seed)
  }
}

/// `--data`, the digits a program trains on, declared once for the commands
/// that train (`ex4`, `ex4 sweep`); ``DigitData/load(named:numLabels:)`` reads it.
package struct DigitDataOption: ParsableArguments {
  @Option(
    name: .long, help: ArgumentHelp("The digits file (default: ex4data1.mat in the data directory).", valueName: "file")
  )
  package var data: String?

  package init() {}
}
