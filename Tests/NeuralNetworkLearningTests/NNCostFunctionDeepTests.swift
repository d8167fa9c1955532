import Foundation
import Testing

@testable import NeuralNetworkLearning
import TestSupport
import DigitPhotos

/// A small random sigmoid network of the given layer sizes, its data and its cost.
private struct SmallDeepNetwork {
  let layerSizes: [Int]
  let nnParams: Matrix
  let X: Matrix
  let y: Matrix

  /// Weights uniform in [−1, 1], inputs in [−1, 1], labels cycling through 1…K, all from `seed`.
  init(_ layerSizes: [Int], m: Int, seed: UInt64) {
    var generator = SeededGenerator(seed: seed)
    self.layerSizes = layerSizes
    nnParams = unroll(
      (1..<layerSizes.count).map { randomMatrix(layerSizes[$0], layerSizes[$0 - 1] + 1, scale: 1, using: &generator) })
    X = randomMatrix(m, layerSizes[0], scale: 1, using: &generator)
    let K = layerSizes.last!
    y = Matrix(column: (1...m).map { Double(1 + $0 % K) })
  }

  func cost(_ p: Matrix, lambda: Double) -> (J: Double, grad: Matrix) {
    nnCostFunctionDeep(p, layerSizes: layerSizes, X: X, y: y, lambda: lambda)
  }
}

@Suite("nnCostFunctionDeep, predict with several Thetas, randInitializeWeights by layer")
struct NNCostFunctionDeepTests {
  static let deepFixtures = [
    "nnCostFunctionDeep_4_5_5_3.mat", "nnCostFunctionDeep_3_4_4_4_2.mat", "nnCostFunctionDeep_6_7_4.mat",
  ]

  @Test(
    "Backpropagation agrees with computeNumericalGradient to below 1e-9 for L = 3, 4 and 5",
    arguments: [[3, 5, 3], [4, 5, 5, 3], [3, 4, 4, 4, 3]], [0.0, 3.0])
  func gradientCheck(layerSizes: [Int], lambda: Double) {
    let network = SmallDeepNetwork(layerSizes, m: 7, seed: UInt64(10 * layerSizes.count) + UInt64(lambda))
    let grad = network.cost(network.nnParams, lambda: lambda).grad
    let numgrad = computeNumericalGradient({ network.cost($0, lambda: lambda).J }, network.nnParams)
    #expect(grad.rows == network.nnParams.count && grad.columns == 1)
    let difference = normRelativeDifference(numgrad, grad)
    #expect(difference < 1e-9, "\(layerSizes), λ = \(lambda): relative difference \(difference)")
  }

  @Test("Octave fixtures: J, grad and predict's labels of random networks with L = 3, 4, 5", arguments: deepFixtures)
  func octaveFixtures(file: String) throws {
    let f = try NNFixture("../deep/\(file)")
    let layerSizes = try f.matrix("layer_sizes").values.map { Int($0) }
    let nnParams = try f.matrix("nn_params")
    let X = try f.matrix("X")
    let (J, grad) = nnCostFunctionDeep(
      nnParams, layerSizes: layerSizes, X: X, y: try f.matrix("y"), lambda: try f.scalar("lambda"))
    let octaveJ = try f.scalar("J")
    // Bound: at most 7 units a layer and 15 examples (make_deep_fixtures.m),
    // so every quantity is a sum of at most 15 terms and two summation orders
    // differ by at most 2·γ₁₅·Σ|terms| ≈ 7e-15 of the terms' magnitude per
    // layer, under 4e-14 through four layers; 1e-12 leaves a factor 25 for
    // cancellation, and a wrong formula changes entries by O(1).
    #expect(relativeDifference(J, octaveJ) <= 1e-12, "\(file): J = \(J), Octave \(octaveJ)")
    expectClose(grad, try f.matrix("grad"), tolerance: 1e-12, "\(file) grad")

    let shapes = (1..<layerSizes.count).map { (layerSizes[$0], layerSizes[$0 - 1] + 1) }
    #expect(predict(roll(nnParams, into: shapes), X) == (try f.matrix("p")))
  }

  @Test("With layers [n, h, K] it returns nnCostFunction's doubles, bit for bit")
  func wrapperEqualityOnRandomNetworks() {
    for (sizes, seed) in [([7, 4, 3], UInt64(1)), ([20, 13, 5], 2), ([1, 2, 2], 3)] {
      let network = SmallDeepNetwork(sizes, m: 11, seed: seed)
      for lambda in [0.0, 0.7] {
        let deep = network.cost(network.nnParams, lambda: lambda)
        let course = nnCostFunction(
          network.nnParams, inputLayerSize: sizes[0], hiddenLayerSize: sizes[1], numLabels: sizes[2],
          X: network.X, y: network.y, lambda: lambda)
        #expect(deep.J == course.J, "\(sizes), λ = \(lambda)")
        #expect(deep.grad == course.grad, "\(sizes), λ = \(lambda)")
      }
    }
  }

  @Test(
    "With the course's weights and 8-bit digits, [400, 25, 10] gives nnCostFunction's J and grad bit for bit",
    .enabled(if: NNCostFunctionTests.haveEightBit, NNCostFunctionTests.eightBitMissing))
  func wrapperEqualityOnCourseData() throws {
    let weights = try CourseFile.read("ex4weights.mat")
    let data = try CourseFile.read("ex4data1-8bit.mat")
    let Theta1 = try #require(weights["Theta1"])
    let Theta2 = try #require(weights["Theta2"])
    let X = try #require(data["X"])
    let y = try #require(data["y"])
    let deep = nnCostFunctionDeep(unroll(Theta1, Theta2), layerSizes: [400, 25, 10], X: X, y: y, lambda: 1)
    let course = nnCostFunction(
      unroll(Theta1, Theta2), inputLayerSize: 400, hiddenLayerSize: 25, numLabels: 10, X: X, y: y, lambda: 1)
    #expect(deep.J == course.J)
    #expect(abs(deep.J - 0.3869855734) < 1e-9)
    #expect(deep.grad == course.grad)
    #expect(predict([Theta1, Theta2], X) == predict(Theta1, Theta2, X))
  }

  @Test("predict with a list of Thetas: a hand-made 1–1–1–3 network, ties to the smaller label")
  func predictByHand() {
    // a2 = sigmoid(0) = 0.5 whatever x is; a3 = sigmoid(2·0.5 − 1) = 0.5; the outputs are
    // sigmoid(0 + 0.5·0.5), sigmoid(−0.25 + 1.5·0.5) and sigmoid(b): with b = 0.5 labels 2 and 3 tie.
    let Thetas = [Matrix([[0, 0]]), Matrix([[-1, 2]]), Matrix([[0, 0.5], [-0.25, 1.5], [0.5, 0]])]
    let p = predict(Thetas, Matrix(column: [3, -8]))
    #expect(p == Matrix(column: [2, 2]))
    let sharper = [Thetas[0], Thetas[1], Matrix([[0, 0.5], [-0.25, 1.5], [0.6, 0]])]
    #expect(predict(sharper, Matrix(column: [3])) == Matrix(column: [3]))
  }

  @Test("randInitializeWeights(layerSizes:) draws layer by layer, in order, as Octave does after rand('twister', 1)")
  func initialisationByLayer() throws {
    var random = OctaveRandom(seed: 1)
    let Thetas = randInitializeWeights(layerSizes: [400, 25, 25, 10], using: &random)
    #expect(Thetas.map(\.shape) == ["25×401", "25×26", "10×26"])
    let course = try MatFile.read(Fixture.path("rand/rand_seed1.mat"))
    let octave = try MatFile.read(Fixture.path("deep/rand_layers_seed1.mat"))
    #expect(Thetas[0] == course["Theta1"])
    #expect(Thetas[1] == octave["Theta2"])
    #expect(Thetas[2] == octave["Theta3"])

    // The course's two calls are the two-layer case.
    var a = OctaveRandom(seed: 9)
    var b = OctaveRandom(seed: 9)
    #expect(
      randInitializeWeights(layerSizes: [400, 25, 10], using: &a)
        == [randInitializeWeights(400, 25, using: &b), randInitializeWeights(25, 10, using: &b)])
  }

  @Test("digitGuesses: every output over their sum, most confident first, the first being predict's label")
  func digitGuessesRankNormalisedOutputs() {
    var generator = SeededGenerator(seed: 77)
    let Thetas = [randomMatrix(6, 5, scale: 2, using: &generator), randomMatrix(10, 7, scale: 2, using: &generator)]
    let X = randomMatrix(8, 4, scale: 1, using: &generator)
    // The outputs computed here layer by layer, as Octave would.
    let h = sigmoid(sigmoid(X.prependingOnes() * Thetas[0].transposed()).prependingOnes() * Thetas[1].transposed())
    let guesses = digitGuesses(Thetas, X)
    let p = predict(Thetas, X)
    #expect(guesses.count == 8)
    for i in 1...8 {
      let row = guesses[i - 1]
      #expect(row.count == 10 && Set(row.map(\.label)) == Set(1...10))
      #expect(Double(row[0].label) == p[i])
      #expect(zip(row, row.dropFirst()).allSatisfy { $0.confidence >= $1.confidence })
      #expect(abs(row.map(\.confidence).reduce(0, +) - 1) < 1e-12)
      let total = (1...10).map { h[i, $0] }.reduce(0, +)
      for guess in row {
        #expect(abs(guess.confidence - h[i, guess.label] / total) < 1e-12)
        #expect(guess.digit == (guess.label == 10 ? 0 : guess.label))
      }
    }
  }
}
