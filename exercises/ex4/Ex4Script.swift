import Foundation
import NeuralNetworkLearning
import ExerciseData
import TrainingRecord
import ExercisePrograms
import Pictures

/// The course's `ex4.m`, part by part, with its wording and number formats,
/// run on the exercise's functions given: the reference implementation, or a
/// student's own (`ex4 --student`).
struct Ex4Script<Functions: ExerciseFunctions> {
  let options: Ex4Course
  let console: Console
  /// sigmoidGradient, randInitializeWeights and nnCostFunction, whoever wrote them.
  let functions: Functions

  // The course's sizes: 20×20 input images, 25 hidden units, 10 labels.
  let num_labels = 10
  var input_layer_size = 400
  /// The units of each hidden layer: `[25]` for the course's network.
  let hidden_layer_sizes: [Int]
  /// All the layers' units, input to output: `[400, 25, 10]` for the course's network.
  var layer_sizes: [Int] { [input_layer_size] + hidden_layer_sizes + [num_labels] }
  /// More than one hidden layer (`--hidden-layers`): trained with nnCostFunctionDeep.
  var isDeep: Bool { hidden_layer_sizes.count > 1 }

  var X = Matrix.zeros(0, 0)
  var y = Matrix.zeros(0, 0)
  /// False when running on the built-in digits, where the course's reference numbers do not apply.
  var isCourseData = true

  /// `rand('twister', seed)`: the stream the initial weights are drawn from.
  var weightsRandom: OctaveRandom
  /// A second stream, derived from the same seed, for choosing the examples shown.
  var displayRandom: OctaveRandom
  let seed: UInt32
  /// Beyond the course: which files these are, held-out examples, the cost curve, the mistakes.
  var view: Ex4TrainingView

  init(options: Ex4Course, functions: Functions) throws {
    self.options = options
    self.functions = functions
    console = Console(noPause: options.noPause)
    hidden_layer_sizes = options.hiddenLayerSizes
    (weightsRandom, seed) = options.training.randomStream()
    displayRandom = OctaveRandom(seed: seed ^ 0x9E37_79B9)
    view = Ex4TrainingView(options: options, seed: seed)
  }

  mutating func run() throws {
    try OutputDirectory.prepare(options.outputDir)
    OutputDirectory.announce(options.outputDir)
    if let path = options.save { try NetworkWeights.checkCanSave(to: path) }

    // =========== Part 1: Loading and Visualizing Data =============
    print("Loading and Visualizing Data ...")
    try loadData()
    try NetworkMemory.check(
      layerSizes: layer_sizes, examples: X.rows, option: options.networkOption, optimizer: options.training.optimizer)
    try view.dataLoaded(
      X: X, y: y, isCourseData: isCourseData, path: options.data ?? DataDirectory.file("ex4data1.mat"))
    try showRandomExamples()
    console.pause()

    // ================ Part 2: Loading Parameters ================
    let loaded = try loadWeights()
    if let loaded { view.weightsLoaded(loaded, path: options.weights ?? DataDirectory.file("ex4weights.mat")) }

    // ================ Part 3: Compute Cost (Feedforward) ================
    if let loaded {
      print("\nFeedforward Using Neural Network ...")
      let J = cost(loaded, lambda: 0)
      print(String(format: "Cost at parameters (loaded from ex4weights): %f ", J))
      print(expectation(courseValue: "0.287629"))
      if let note = view.dataNote(courseWeightsCost: J) { print(note) }
      console.pause()

      // =============== Part 4: Implement Regularization ===============
      print("\nChecking Cost Function (w/ Regularization) ... ")
      let Jreg = cost(loaded, lambda: 1)
      print(String(format: "Cost at parameters (loaded from ex4weights): %f ", Jreg))
      print(expectation(courseValue: "0.383770"))
      console.pause()
    }

    // ================ Part 5: Sigmoid Gradient  ================
    print("\nEvaluating sigmoid gradient...")
    let g = functions.sigmoidGradient(Matrix(row: [-1, -0.5, 0, 0.5, 1]))
    print("Sigmoid gradient evaluated at [-1 -0.5 0 0.5 1]:\n  ", terminator: "")
    print(g.values.map { String(format: "%f ", $0) }.joined(), terminator: "")
    print("\n")
    console.pause()

    // ================ Part 6: Initializing Parameters ================
    print("\nInitializing Neural Network Parameters ...")
    // initial_Theta1 = randInitializeWeights(input_layer_size, hidden_layer_size), then
    // initial_Theta2 = randInitializeWeights(hidden_layer_size, num_labels), and so on for
    // every layer of a deeper network, all from the one seeded stream.
    let initial_Thetas = functions.randInitializeWeights(layerSizes: layer_sizes, using: &weightsRandom)
    let initial_nn_params = unroll(initial_Thetas)
    if isDeep {
      print(
        "Network layers: \(layer_sizes.map(String.init).joined(separator: " → ")) units "
          + "(\(hidden_layer_sizes.count) hidden layers, Theta1 … Theta\(initial_Thetas.count))")
    }

    // =============== Part 7: Implement Backpropagation ===============
    print("\nChecking Backpropagation... ")
    _ = checkNNGradients(nnCostFunction: functions.nnCostFunction)
    console.pause()

    // =============== Part 8: Implement Regularization ===============
    print("\nChecking Backpropagation (w/ Regularization) ... ")
    let debug_lambda = 3.0
    _ = checkNNGradients(lambda: debug_lambda, nnCostFunction: functions.nnCostFunction)
    if let loaded {
      let debug_J = cost(loaded, lambda: debug_lambda)
      print(String(format: "\n\nCost at (fixed) debugging parameters (w/ lambda = %f): %f ", debug_lambda, debug_J))
      print(expectation(courseValue: "0.576051", prefix: "for lambda = 3, "))
    } else {
      print("\nSkipping the cost with the course's weights at lambda = 3: ex4weights.mat was not loaded.")
    }
    console.pause()

    // =================== Part 8: Training NN ===================
    print("\nTraining Neural Network... ")
    if let note = options.training.optimizer.announcement { print(note) }
    let Thetas = try train(from: initial_nn_params)
    console.pause()

    // ================= Part 9: Visualize Weights =================
    print("\nVisualizing Neural Network... ")
    try writePicture(
      displayData(Thetas[0][columns: 2...]), named: "hidden-units.png",
      what: isDeep ? "the first hidden layer's units" : "the hidden units")
    console.pause()

    // ================= Part 10: Implement Predict =================
    print(String(format: "\nTraining Set Accuracy: %f", view.trainingAccuracy(Thetas)))
    if !isCourseData {
      print(
        DataDirectory.builtinDigitsReminder(
          "the course's ~95.3% is for ex4data1.mat"
            + (options.training.optimizer == .fmincg ? "" : " trained with fmincg")
        ))
    }
    try view.showMistakes(Thetas, labels: num_labels, console: console)

    if let path = options.save {
      try NetworkWeights.save(Thetas, to: path)
      print("Saved the trained \(NetworkWeights.listing(Thetas)) to \(printable(path))")
    }
  }

  // MARK: - The parts' work

  /// The course's "(this value should be about …)" line, or a note that it does not apply.
  func expectation(courseValue: String, prefix: String = "") -> String {
    view.expectation(courseValue: courseValue, prefix: prefix)
  }

  /// The cost of the loaded weights on the data: `nnCostFunction` for the course's `[Theta1, Theta2]`.
  func cost(_ Thetas: [Matrix], lambda: Double) -> Double {
    functions.costFunction(layerSizes: [input_layer_size] + Thetas.map(\.rows), X: X, y: y, lambda: lambda)(
      unroll(Thetas)
    ).J
  }

  mutating func loadData() throws {
    let data = try DigitData.load(named: options.data, numLabels: num_labels)
    if data.isBuiltin {
      print(DataDirectory.builtinDigitsBanner)
      print("Note: \(DataDirectory.missingFileMessage("ex4data1.mat")).")
      print("Running on the built-in digit set instead: 5000 synthetic 20×20 digits, 500 of each.")
      print("This is NOT the course's data: the course's reference numbers below do not apply.")
    }
    (X, y) = (data.X, data.y)
    isCourseData = !data.isBuiltin
    input_layer_size = X.columns
  }

  /// Part 2: the course's trained weights (`[Theta1, Theta2]`), or nil (with a line saying so) when the file is absent.
  func loadWeights() throws -> [Matrix]? {
    if let named = options.weights { try DataDirectory.checkNamedFile(named, option: "--weights") }
    let path = options.weights ?? DataDirectory.file("ex4weights.mat")
    if options.weights == nil && DataDirectory.isAbsent(path) {
      print(
        "\nSkipping the parts that need the course's weights: \(DataDirectory.missingFileMessage("ex4weights.mat")).")
      return nil
    }
    print("\nLoading Saved Neural Network Parameters ...")
    return try NetworkWeights.load(path, inputs: input_layer_size, labels: num_labels)
  }

  /// Part 1: 100 randomly chosen examples, as a PNG and in the terminal.
  mutating func showRandomExamples() throws {
    let m = X.rows
    var order = Array(1...max(m, 1))
    // Fisher–Yates, driven by the display stream.
    for k in stride(from: m - 1, to: 0, by: -1) {
      let j = Int(displayRandom.rand() * Double(k + 1))
      order.swapAt(k, min(j, k))
    }
    let sel = Array(order.prefix(min(100, m)))
    try writePicture(displayData(X[rows: sel]), named: "digits.png", what: "\(sel.count) random examples")
  }

  /// Writes `image` (−1 black … +1 white) into the output directory and draws it in the terminal.
  func writePicture(_ image: Matrix, named name: String, what: String) throws {
    let path = (options.outputDir as NSString).appendingPathComponent(name)
    try PNGImage.writeGrey(image, to: path, scale: options.scale, overwrite: true)
    print("Wrote \(what) to \(printable(path)) (\(image.columns * options.scale)×\(image.rows * options.scale) pixels)")
    OutputTranscript.attachPicture(path: path, caption: what)
    console.show(image)
  }

  /// Part 8: fmincg (or `--optimizer`'s) from the initial weights; returns the trained Theta1, Theta2 (, … ThetaN).
  mutating func train(from initial_nn_params: Matrix) throws -> [Matrix] {
    let lambda = options.lambda
    let (Thetas, fX, elapsed) = try view.train(
      layerSizes: layer_sizes, from: initial_nn_params, lambda: lambda, console: console
    ) { [functions, layer_sizes] X, y in
      functions.costFunction(layerSizes: layer_sizes, X: X, y: y, lambda: lambda)
    }
    let units =
      isDeep
      ? "hidden layers of \(hidden_layer_sizes.map(String.init).joined(separator: ", ")) units"
      : "\(hidden_layer_sizes[0]) hidden units"
    let finalCost = fX.last.map { String(format: "%f", $0) } ?? "none: no step lowered the cost"
    print(
      String(format: "Training took %.2f s (%d iterations", elapsed, fX.count)
        + (options.training.optimizer == .fmincg ? "" : " of \(options.training.optimizer.rawValue)")
        + ", final cost " + finalCost
        + String(format: ", lambda = %g, ", lambda) + units + ")")
    try view.showTraining(units: units)
    return Thetas
  }
}
