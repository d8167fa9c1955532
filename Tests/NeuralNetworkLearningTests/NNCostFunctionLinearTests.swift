import Foundation
import Testing

@testable import NeuralNetworkLearning
import TestSupport

@Suite("nnCostFunctionLinear and predictLinear")
struct NNCostFunctionLinearTests {
  @Test("The lecture notes' test case: J = 0.020815 and the 13 published gradient entries")
  func seedCase() {
    let nnParams = Matrix(column: [31, 16, 15, -29, -13, -8, -7, 13, 54, -17, -11, -9, 16]) / 10
    let (J, g) = nnCostFunctionLinear(
      nnParams, inputLayerSize: 1, hiddenLayerSize: 4, X: Matrix(column: [1, 2, 3]), y: Matrix(column: [1, 4, 9]),
      lambda: 0.01)
    #expect(abs(J - 0.020815) < 1e-6, "J = \(J)")
    let published = [
      -0.0131002, -0.0110085, -0.0070569, 0.0189212, -0.0189639, -0.0192539, -0.0102291, 0.0344732, 0.0024947,
      0.0080624, 0.0021964, 0.0031675, -0.0064244,
    ]
    #expect(g.rows == 13 && g.columns == 1)
    for (k, expected) in published.enumerated() {
      #expect(abs(g[k + 1] - expected) < 1e-6, "g(\(k + 1)) = \(g[k + 1]), published \(expected)")
    }
  }

  @Test(
    "Octave fixtures: J, grad and predictLinear of random linear-output networks, to 1e-12",
    arguments: ["nnCostFunctionLinear_3_6.mat", "nnCostFunctionLinear_1_8.mat"])
  func octaveFixtures(file: String) throws {
    let f = try NNFixture(file)
    let il = try f.int("input_layer_size")
    let hl = try f.int("hidden_layer_size")
    let nnParams = try f.matrix("nn_params")
    let X = try f.matrix("X")
    let (J, grad) = nnCostFunctionLinear(
      nnParams, inputLayerSize: il, hiddenLayerSize: hl, X: X, y: try f.matrix("y"), lambda: try f.scalar("lambda"))
    let octaveJ = try f.scalar("J")
    // Bound: at most 8 hidden units and 12 examples (make_nn_fixtures.m):
    // sums of at most 12 terms, which two summation orders move by at most
    // 2·γ₁₂·Σ|terms| ≈ 5e-15 of their magnitude; 1e-12 leaves a factor 200
    // for cancellation, and a wrong formula changes entries by O(1).
    #expect(relativeDifference(J, octaveJ) <= 1e-12, "\(file): J = \(J), Octave \(octaveJ)")
    expectClose(grad, try f.matrix("grad"), tolerance: 1e-12, "\(file) grad")

    let Theta = roll(nnParams, into: [(hl, il + 1), (1, hl + 1)])
    expectClose(predictLinear(Theta[0], Theta[1], X), try f.matrix("h"), tolerance: 1e-12, "\(file) predictLinear")
  }

  @Test(
    "The linear gradient agrees with finite differences on random networks with λ > 0",
    arguments: [(1, 4, 6, 0.01, UInt64(1)), (2, 5, 7, 0.4, 2), (4, 3, 10, 1.3, 3), (3, 8, 20, 5, 4)])
  func gradientAgainstFiniteDifferences(il: Int, hl: Int, m: Int, lambda: Double, seed: UInt64) {
    var generator = SeededGenerator(seed: seed)
    let nnParams = unroll(
      randomMatrix(hl, il + 1, scale: 0.25, using: &generator), randomMatrix(1, hl + 1, scale: 0.25, using: &generator))
    let X = randomMatrix(m, il, scale: 1, using: &generator)
    let y = randomMatrix(m, 1, scale: 1, using: &generator)
    let cost = { (p: Matrix) in
      nnCostFunctionLinear(p, inputLayerSize: il, hiddenLayerSize: hl, X: X, y: y, lambda: lambda)
    }
    let grad = cost(nnParams).grad
    let numgrad = computeNumericalGradient({ cost($0).J }, nnParams)
    let difference = normRelativeDifference(numgrad, grad)
    // Measured 2.7e-10 to 7.5e-10: the O(e²) truncation of central differences, which grows with the weights
    // (the lecture notes' own network, with weights up to 5.4, gives 4e-7), hence weights in [-0.25, 0.25].
    #expect(difference < 1e-9, "\(il)-\(hl)-1, m = \(m), λ = \(lambda): relative difference \(difference)")
  }

  @Test("predictLinear is a3: its squared error is nnCostFunctionLinear's cost at λ = 0")
  func predictLinearMatchesCost() {
    let Theta1 = debugInitializeWeights(4, 2) * 7
    let Theta2 = debugInitializeWeights(1, 4) * 9
    let X = debugInitializeWeights(6, 1) * 20
    let y = Matrix(column: [1, -2, 0.5, 3, 4, -1])
    let h = predictLinear(Theta1, Theta2, X)
    #expect(h.rows == 6 && h.columns == 1)
    let J = nnCostFunctionLinear(unroll(Theta1, Theta2), inputLayerSize: 2, hiddenLayerSize: 4, X: X, y: y, lambda: 0).J
    #expect(relativeDifference(J, (h - y).sumOfSquares() / 12) < 1e-14)
  }
}
