import ArgumentParser
import Foundation
import NeuralNetworkLearning
import ExerciseData
import TrainingRecord
import ExercisePrograms
import Pictures

/// `swift run ex4-linear`: the lecture notes' bonus, a network with a linear
/// output trained on exercise 5's water-level data.
@main
struct Ex4LinearCommand: ParsableCommand {
  /// v7.3 files are read in a child process of this executable (ProgramStart).
  static func main() { ProgramStart.main(Self.self) }

  static let configuration = CommandConfiguration(
    commandName: "ex4-linear",
    abstract: "The bonus: a neural network with tanh hidden units and one linear output, on ex5data1.mat.",
    discussion: """
      Trains nnCostFunctionLinear with fmincg (or --optimizer lbfgs) on the raw X and y of exercise 5 (no polynomial \
      features, no normalisation), prints the final, validation and test costs, and plots the fit \
      and the cost per iteration. ex5data1.mat is looked for in $\(DataDirectory.environmentVariable) \
      (default \(DataDirectory.defaultPath)).
      """)

  @Option(
    name: .long, help: ArgumentHelp("The data file (default: ex5data1.mat in the data directory).", valueName: "file"))
  var data: String?

  @OptionGroup var training: TrainingOptions

  @OptionGroup var verbose: VerboseOption

  @Option(name: .long, help: ArgumentHelp("Where the plots are written.", valueName: "directory"))
  var outputDir: String = "ex4-linear-output"

  /// The largest magnitude accepted in the data: the raw water levels are
  /// tens; far larger values overflow the cost and the plots' scales.
  static let largestValue = 1e100

  /// The bonus's settings unless an option says otherwise: 8 tanh units, 200 iterations, λ = 0.
  var hiddenLayerSize: Int { training.hiddenLayerSize(default: 8) }
  var maxIter: Int { training.maxIter(default: 200) }
  var lambda: Double { training.lambda(default: 0) }

  func run() throws {
    verbose.printSetup()
    try DataDirectory.checkNamedFolder()
    if let data { try DataDirectory.checkNamedFile(data, option: "--data") }
    try OutputDirectory.prepare(outputDir)
    OutputDirectory.announce(outputDir)
    let path = data ?? DataDirectory.file("ex5data1.mat")
    if data == nil && DataDirectory.isAbsent(path) {
      throw InputError(DataDirectory.missingFileMessage("ex5data1.mat"))
    }
    let sets = try loadSets(path)
    let (X, y) = sets[0]

    var (random, seed) = training.randomStream()

    let input_layer_size = 1
    let hidden_layer_size = hiddenLayerSize
    print(
      "Training a network with \(input_layer_size) input, \(hidden_layer_size) tanh hidden units and 1 linear output "
        + "on \(X.rows) examples (lambda = \(String(format: "%g", lambda)), MaxIter \(maxIter))...")
    if let note = training.optimizer.announcement { print(note) }
    let initial_Theta1 = randInitializeWeights(input_layer_size, hidden_layer_size, using: &random)
    let initial_Theta2 = randInitializeWeights(hidden_layer_size, 1, using: &random)
    let lambda = self.lambda
    // costFunction = @(p) nnCostFunctionLinear(p, input_layer_size, hidden_layer_size, X, y, lambda)
    let costFunction = NNCostFunctionLinear(
      inputLayerSize: input_layer_size, hiddenLayerSize: hidden_layer_size, X: X, y: y, lambda: lambda)
    // On a terminal, the cost so far is drawn as a small curve under fmincg's line.
    let terminal = OutputDirectory.standardOutputIsTerminal
    let monitor = TrainingMonitor(
      layerSizes: [input_layer_size, hidden_layer_size, 1], lambda: lambda, training: (X, y), validation: nil,
      maxIter: maxIter, liveCurve: terminal)
    let clock = ContinuousClock()
    let start = clock.now
    let (nn_params, fX, _) = training.optimizer.minimize(
      costFunction.callAsFunction, unroll(initial_Theta1, initial_Theta2), maxIter: maxIter,
      progress: terminal ? .print : .printLines,
      observer: monitor.observer)
    monitor.finish()
    let elapsed = clock.now - start - .seconds(monitor.seconds)
    let thetas = roll(nn_params, into: [(hidden_layer_size, input_layer_size + 1), (1, hidden_layer_size + 1)])
    let (Theta1, Theta2) = (thetas[0], thetas[1])

    let finalCost = costFunction(nn_params).0
    print(String(format: "Final cost: %f", finalCost))
    print(
      String(format: "Training took %.3f s (%d iterations", seconds(elapsed), fX.count)
        + (training.optimizer == .fmincg ? ")" : " of \(training.optimizer.rawValue))"))
    for (name, (Xs, ys)) in zip(["Validation", "Test"], sets.dropFirst()) {
      let J = nnCostFunctionLinear(
        nn_params, inputLayerSize: input_layer_size, hiddenLayerSize: hidden_layer_size, X: Xs, y: ys, lambda: 0
      ).J
      print("\(name) cost: " + String(format: "%f (%d examples, unregularised)", J, Xs.rows))
    }

    try writePlots(Theta1: Theta1, Theta2: Theta2, sets: sets, fX: fX, seed: seed)
  }

  /// `X, y`, `Xval, yval`, `Xtest, ytest`, each checked to be m×1 pairs of
  /// finite numbers no larger than ``largestValue``.
  func loadSets(_ path: String) throws -> [(Matrix, Matrix)] {
    let names = [("X", "y"), ("Xval", "yval"), ("Xtest", "ytest")]
    let variables = try MatFile.read(path, variables: names.flatMap { [$0.0, $0.1] })
    return try names.map { (xName, yName) in
      let X = variables[xName]!
      let y = variables[yName]!
      for (name, v) in [(xName, X), (yName, y)] {
        guard v.columns == 1 else {
          throw InputError("\(path): variable '\(name)' is \(v.shape); it must be a column (m×1), the raw water levels")
        }
        if let k = v.values.firstIndex(where: { !$0.isFinite }) {
          throw InputError(
            "\(path): variable '\(name)' has a non-finite value (\(octaveSpelling(v.values[k]))) at row \(k + 1)")
        }
        if let k = v.values.firstIndex(where: { $0.magnitude > Self.largestValue }) {
          throw InputError(
            "\(path): variable '\(name)' has the value \(v.values[k]) at row \(k + 1); ex4-linear accepts "
              + "values up to 1e100 in size (larger ones overflow its cost and its plots' scales)")
        }
      }
      guard X.rows == y.rows else {
        throw InputError("\(path): '\(xName)' has \(X.rows) rows but '\(yName)' has \(y.rows)")
      }
      return (X, y)
    }
  }

  /// `fit.svg`: the data and `predictLinear` over a fine grid; `cost.svg` and
  /// `cost.png`: the cost after each iteration. A small fit in the terminal.
  func writePlots(Theta1: Matrix, Theta2: Matrix, sets: [(Matrix, Matrix)], fX: [Double], seed: UInt32) throws {
    let allX = sets.flatMap(\.0.values)
    let lo = allX.min()!
    let hi = allX.max()!
    let grid = (0...400).map { lo + (hi - lo) * Double($0) / 400 }
    let prediction = predictLinear(Theta1, Theta2, Matrix(column: grid))
    let fit = Plot(
      title: "Linear-output network, \(hiddenLayerSize) tanh hidden units (seed \(seed))",
      xLabel: "Change in water level (x)", yLabel: "Water flowing out of the dam (y)",
      series: [
        Plot.Series(
          name: "training data", x: sets[0].0.values, y: sets[0].1.values, style: .crosses, colour: "#d62728"),
        Plot.Series(
          name: "validation data", x: sets[1].0.values, y: sets[1].1.values, style: .circles, colour: "#7f7f7f"),
        Plot.Series(name: "predictLinear", x: grid, y: prediction.values, style: .line, colour: "#1f77b4"),
      ])
    let costs = Plot(
      title: "Cost after each iteration of \(training.optimizer.rawValue)", xLabel: "Iteration", yLabel: "Cost J",
      series: [
        Plot.Series(name: "cost", x: fX.indices.map { Double($0 + 1) }, y: fX, style: .line, colour: "#1f77b4")
      ], logarithmicY: true, legend: .automatic)
    for (name, plot) in [("fit.svg", fit), ("cost.svg", costs)] {
      let path = (outputDir as NSString).appendingPathComponent(name)
      do {
        try plot.writeSVG(to: path)
      } catch {
        throw InputError(error.description)
      }
      print("Wrote \(printable(path))")
    }
    let costPicture = costs.picture()
    let costPath = (outputDir as NSString).appendingPathComponent("cost.png")
    try costPicture.writePNG(to: costPath, overwrite: true)
    print("Wrote \(costPath) (\(costPicture.width)×\(costPicture.height) pixels)")
    if OutputDirectory.standardOutputIsTerminal {
      let small = Plot(title: "", xLabel: "", yLabel: "", series: [fit.series[0], fit.series[2]])
      print(
        terminalRendering(of: small.raster(width: 72, height: 36), maxColumns: 72, colour: TerminalImage.colourEnabled))
    }
  }
}
