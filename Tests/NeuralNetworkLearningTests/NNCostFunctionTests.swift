import Foundation
import Testing

@testable import NeuralNetworkLearning
import TestSupport

/// The course's 400–25–10 network with its trained weights and one of the digit files.
private struct CourseNetwork {
  let Theta1: Matrix
  let Theta2: Matrix
  let X: Matrix
  let y: Matrix
  var nnParams: Matrix { unroll(Theta1, Theta2) }

  init(data: String) throws {
    let weights = try CourseFile.read("ex4weights.mat")
    let digits = try CourseFile.read(data)
    Theta1 = try #require(weights["Theta1"])
    Theta2 = try #require(weights["Theta2"])
    X = try #require(digits["X"])
    y = try #require(digits["y"])
  }

  func cost(lambda: Double) -> (J: Double, grad: Matrix) {
    nnCostFunction(nnParams, inputLayerSize: 400, hiddenLayerSize: 25, numLabels: 10, X: X, y: y, lambda: lambda)
  }

  /// Checks J at each (λ, expected) to `tolerance`, and that grad is a 10285 × 1 column.
  func expectCosts(
    _ costs: [(lambda: Double, J: Double)], within tolerance: Double, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    for (lambda, expected) in costs {
      let (J, grad) = cost(lambda: lambda)
      #expect(
        abs(J - expected) <= tolerance, "λ = \(lambda): J = \(J), expected \(expected)", sourceLocation: sourceLocation)
      #expect(grad.rows == 10285 && grad.columns == 1, sourceLocation: sourceLocation)
    }
  }

  /// The percentage of examples `predict` labels correctly, and how many.
  func accuracy() -> (percent: Double, correct: Int) {
    let p = predict(Theta1, Theta2, X)
    let correct = zip(p.values, y.values).filter { $0 == $1 }.count
    return (Double(correct) / Double(y.count) * 100, correct)
  }
}

@Suite("nnCostFunction and predict")
struct NNCostFunctionTests {
  static let haveEightBit = CourseFile.has("ex4weights.mat") && CourseFile.has("ex4data1-8bit.mat")
  static let eightBitMissing = CourseFile.missing(
    CourseFile.has("ex4weights.mat") ? "ex4data1-8bit.mat" : "ex4weights.mat")
  static let haveExact = CourseFile.has("ex4weights.mat") && CourseFile.has("ex4data1.mat")
  static let exactMissing = CourseFile.missing(CourseFile.has("ex4weights.mat") ? "ex4data1.mat" : "ex4weights.mat")

  @Test(
    "Course weights on ex4data1-8bit.mat: the costs Octave gives (λ = 0, 1, 3)",
    .enabled(if: haveEightBit, eightBitMissing))
  func eightBitCosts() throws {
    // Octave 7.3's values (shared/course-data/README.md), given to 10
    // digits: ±5e-11 from the printing, plus what the order of J's sum of
    // 5000 · 10 terms can move it, 2·γ₅₀₀₀₀·J ≈ 1e-11 (the terms all have one
    // sign), plus the earlier sums of 401 and 26 terms, smaller still. 1e-9
    // covers that 15 times over; a wrong formula moves J by 1e-3 or more.
    try CourseNetwork(data: "ex4data1-8bit.mat").expectCosts(
      [(0, 0.2908448794), (1, 0.3869855734), (3, 0.5792669612)], within: 1e-9)
  }

  @Test(
    "Course weights on ex4data1-8bit.mat: predict labels exactly 97.60% correctly",
    .enabled(if: haveEightBit, eightBitMissing))
  func eightBitAccuracy() throws {
    let network = try CourseNetwork(data: "ex4data1-8bit.mat")
    let p = predict(network.Theta1, network.Theta2, network.X)
    #expect(p.rows == 5000 && p.columns == 1)
    let (percent, correct) = network.accuracy()
    #expect(correct == 4880)
    #expect(percent == 97.6)
  }

  @Test(
    "Course weights on the exact ex4data1.mat: the course's costs 0.287629, 0.383770, 0.576051 and accuracy 97.52%",
    .enabled(if: haveExact, exactMissing))
  func exactCourseData() throws {
    let network = try CourseNetwork(data: "ex4data1.mat")
    network.expectCosts([(0, 0.287629), (1, 0.383770), (3, 0.576051)], within: 5e-7)
    #expect(network.accuracy().correct == 4876)
  }

  @Test(
    "Backpropagation on the course network agrees with finite differences (500 examples, 30 coordinates, λ = 1)",
    .enabled(if: haveEightBit, eightBitMissing))
  func courseGradientAgainstFiniteDifferences() throws {
    let full = try CourseNetwork(data: "ex4data1-8bit.mat")
    var generator = SeededGenerator(seed: 4)
    // Every tenth example keeps all ten digits in the subset.
    let rows = Array(stride(from: 1, through: 5000, by: 10))
    let X = full.X[rows: rows]
    let y = full.y[rows: rows]
    let nnParams = full.nnParams
    let cost = { (p: Matrix) in
      nnCostFunction(p, inputLayerSize: 400, hiddenLayerSize: 25, numLabels: 10, X: X, y: y, lambda: 1)
    }
    let grad = cost(nnParams).grad
    // Coordinates from both matrices, bias columns included.
    let coordinates =
      [1, 2, 26, 9_000, 10_026, 10_030, 10_285] + (0..<23).map { _ in Int.random(in: 1...10_285, using: &generator) }
    let J = { (t: Matrix) -> Double in
      var p = nnParams
      for (k, c) in coordinates.enumerated() { p[c] = t[k + 1] }
      return cost(p).J
    }
    let numgrad = computeNumericalGradient(J, Matrix(column: coordinates.map { nnParams[$0] }))
    let analytic = Matrix(column: coordinates.map { grad[$0] })
    let difference = normRelativeDifference(numgrad, analytic)
    // Measured 7.2e-10: the gradients of trained weights are small, so rounding in J weighs more than on
    // checkNNGradients' network.
    #expect(difference < 1e-8, "relative difference \(difference)")
  }

  @Test(
    "Octave fixtures: J and grad of random networks of other shapes, to 1e-12",
    arguments: [
      "nnCostFunction_7_4_3.mat", "nnCostFunction_20_13_5.mat", "nnCostFunction_1_2_2.mat",
      "nnCostFunction_6_9_10.mat",
    ])
  func octaveFixtures(file: String) throws {
    let f = try NNFixture(file)
    let (J, grad) = nnCostFunction(
      try f.matrix("nn_params"), inputLayerSize: try f.int("input_layer_size"),
      hiddenLayerSize: try f.int("hidden_layer_size"), numLabels: try f.int("num_labels"),
      X: try f.matrix("X"), y: try f.matrix("y"), lambda: try f.scalar("lambda"))
    let octaveJ = try f.scalar("J")
    // Bound: these networks have at most 20 inputs, 13 hidden units and 40
    // examples (make_nn_fixtures.m), so every quantity is a sum of at most
    // 40 terms, and two summation orders (Octave's BLAS, ours) differ by at
    // most 2·γ₄₀·Σ|terms| ≈ 1.8e-14 of the terms' magnitude (TestSupport's
    // gamma). 1e-12 leaves a factor 50 for cancellation (expectClose measures
    // entries below 1e-3 of the largest against the largest); a transposed
    // matrix or a wrong formula changes entries by O(1).
    #expect(relativeDifference(J, octaveJ) <= 1e-12, "\(file): J = \(J), Octave \(octaveJ)")
    expectClose(grad, try f.matrix("grad"), tolerance: 1e-12, "\(file) grad")
  }

  @Test(
    "Octave fixtures: predict gives Octave's labels",
    arguments: [
      "nnCostFunction_7_4_3.mat", "nnCostFunction_20_13_5.mat", "nnCostFunction_1_2_2.mat",
      "nnCostFunction_6_9_10.mat",
    ])
  func predictFixtures(file: String) throws {
    let f = try NNFixture(file)
    let il = try f.int("input_layer_size")
    let hl = try f.int("hidden_layer_size")
    let K = try f.int("num_labels")
    let Theta = roll(try f.matrix("nn_params"), into: [(hl, il + 1), (K, hl + 1)])
    #expect(predict(Theta[0], Theta[1], try f.matrix("X")) == (try f.matrix("p")))
  }

  @Test("A sigmoid saturated at 1 on a wrong label makes J infinite, as in Octave")
  func saturatedOutputGivesInfinity() {
    // Octave's nnCostFunction on the same network gives J = Inf.
    let Theta1 = reshape([sin(1), sin(2), sin(3), sin(4)], 2, 2)
    let Theta2 = Matrix([[0, 0, 0], [80, 0, 0]])
    let (J, grad) = nnCostFunction(
      unroll(Theta1, Theta2), inputLayerSize: 1, hiddenLayerSize: 2, numLabels: 2, X: Matrix([[0.3]]),
      y: Matrix([[1]]), lambda: 0)
    #expect(J == .infinity)
    #expect(grad.values.allSatisfy { $0.isFinite })
  }

  @Test("predict returns labels 1…K as an m × 1 column, ties to the smaller label")
  func predictShapeAndTies() {
    // Hidden unit outputs sigmoid(0) = 0.5; the outputs are 2·0.5, 3·0.5 − 0.5 and 1 + 0: a tie between labels 1 and 2
    // for the first row, label 3 wins for the second.
    let Theta1 = Matrix([[0, 0]])
    let Theta2 = Matrix([[0, 2], [-0.5, 3], [0, 0]])
    let p = predict(Theta1, Theta2, Matrix(column: [7]))
    #expect(p == Matrix(column: [1]))
    let Theta2b = Matrix([[0, 2], [-0.5, 3], [5, 0]])
    #expect(predict(Theta1, Theta2b, Matrix(column: [7, -2])) == Matrix(column: [3, 3]))
  }
}
