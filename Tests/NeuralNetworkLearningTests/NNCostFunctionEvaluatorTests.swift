import Foundation
import Testing

@testable import NeuralNetworkLearning
import TestSupport

/// The evaluators (`NNCostFunction`, `NNCostFunctionLinear`), which train
/// through the engine, against the readable course functions they stand in for.
///
/// ## The bounds
///
/// Both sides compute the same formulas; they differ in the order of their
/// additions and in how e^x is evaluated (the engine's vectorised logistic
/// against the C library's exp), each correctly rounded to within a few
/// units of u = 2⁻⁵³ per operation. For a sum of N terms tᵢ computed in two
/// orders, |difference| ≤ 2(N − 1) u Σ|tᵢ| to first order. So:
///
/// - J is a sum of m·K cross-entropy terms, all ≥ 0, and a penalty of
///   positive squares: Σ|tᵢ| = |Σ tᵢ| and the relative difference is at most
///   about 2 m K u, plus a few u for each term's own log and exp.
/// - A gradient entry is Σᵢ delta(i)·a(i) over the m examples, whose terms
///   cancel: its absolute difference is bounded by 2(m + s + c) u Σᵢ|delta(i)·a(i)| / m,
///   where s is the width of the layer the delta came through (delta2 is
///   itself a sum of K terms) and c a few operations per term. The test
///   computes Σ|delta·a| from the same matrices, so the bound follows the
///   conditioning of each entry instead of one machine's last bits. A wrong
///   formula (a transposed Theta, a missing 1/m, the bias regularised) moves
///   entries by far more than this.
@Suite struct NNCostFunctionEvaluatorTests {
  static let u = Double.ulpOfOne / 2

  /// Checks the evaluator's (J, grad) against the readable function's for a
  /// sigmoid network of `layerSizes` units, with the bounds above.
  private func expectAgreement(
    layerSizes: [Int], X: Matrix, y: Matrix, nnParams: Matrix, lambda: Double,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let readable =
      layerSizes.count == 3
      ? nnCostFunction(
        nnParams, inputLayerSize: layerSizes[0], hiddenLayerSize: layerSizes[1], numLabels: layerSizes[2], X: X, y: y,
        lambda: lambda)
      : nnCostFunctionDeep(nnParams, layerSizes: layerSizes, X: X, y: y, lambda: lambda)
    let costFunction = NNCostFunction(layerSizes: layerSizes, X: X, y: y, lambda: lambda)
    let fast = costFunction(nnParams)
    let m = Double(X.rows)
    let K = Double(layerSizes.last!)
    let Jbound = (2 * m * K + 64) * Self.u
    #expect(
      relativeDifference(fast.J, readable.J) <= Jbound,
      "J: \(fast.J) against \(readable.J), bound \(Jbound) relative", sourceLocation: sourceLocation)

    let scale = absoluteGradientScale(layerSizes: layerSizes, X: X, y: y, nnParams: nnParams)
    let widest = Double(layerSizes.max()!)
    var worst = (entry: 0, ratio: 0.0)
    for k in 0..<readable.grad.count {
      let bound = 2 * (m + widest + 32) * Self.u * scale.values[k] / m + 4 * Self.u * abs(readable.grad.values[k])
      let difference = abs(fast.grad.values[k] - readable.grad.values[k])
      let ratio = bound > 0 ? difference / bound : (difference == 0 ? 0 : .infinity)
      if !(ratio <= worst.ratio) { worst = (k + 1, ratio) }
    }
    #expect(fast.grad.shape == readable.grad.shape, sourceLocation: sourceLocation)
    #expect(
      worst.ratio <= 1, "grad entry \(worst.entry) differs by \(worst.ratio)× its bound", sourceLocation: sourceLocation
    )
  }

  /// Σᵢ |delta(l+1)(i, :)|ᵀ |a(l)(i, :)| for every weight, unrolled like the
  /// gradient: the size of the sums each gradient entry is made of.
  private func absoluteGradientScale(layerSizes: [Int], X: Matrix, y: Matrix, nnParams: Matrix) -> Matrix {
    let L = layerSizes.count
    let none = Matrix.zeros(0, 0)
    let Theta = [none] + roll(nnParams, into: weightShapes(layerSizes))
    var a = [none, X.prependingOnes()]
    var z = [none, none]
    for l in 1..<L {
      z.append(a[l] * Theta[l].transposed())
      a.append(l + 1 < L ? sigmoid(z[l + 1]).prependingOnes() : sigmoid(z[l + 1]))
    }
    let Y = Matrix.eye(layerSizes[L - 1])[rows: y.values.map { Int($0) }]
    var delta = [Matrix](repeating: none, count: L + 1)
    delta[L] = a[L] - Y
    for l in stride(from: L - 1, through: 2, by: -1) {
      delta[l] = (delta[l + 1] * Theta[l][columns: 2...]) .* sigmoidGradient(z[l])
    }
    let absolute = { (A: Matrix) in A.map { Swift.abs($0) } }
    return unroll((1..<L).map { absolute(delta[$0 + 1]).transposed() * absolute(a[$0]) })
  }

  @Test("Random sigmoid networks, one and two hidden layers, with and without λ", arguments: [0.0, 1.0])
  func randomNetworks(lambda: Double) {
    var generator = SeededGenerator(seed: 2024)
    for layerSizes in [[7, 5, 3], [30, 12, 4], [6, 5, 5, 3]] {
      // Many zeros in X, as in the digits, so that the sparse loops are used where they would be.
      let m = 3000
      let X = Matrix(
        rows: m, columns: layerSizes[0],
        values: (0..<(m * layerSizes[0])).map { _ in
          Double.random(in: 0...1, using: &generator) < 0.7 ? 0 : Double.random(in: -1...1, using: &generator)
        })
      let y = Matrix(column: (0..<m).map { _ in Double(Int.random(in: 1...layerSizes.last!, using: &generator)) })
      let nnParams = unroll(
        weightShapes(layerSizes).map { randomMatrix($0.rows, $0.columns, scale: 0.8, using: &generator) })
      expectAgreement(layerSizes: layerSizes, X: X, y: y, nnParams: nnParams, lambda: lambda)
    }
  }

  @Test(
    "The course's network on ex4data1-8bit.mat with the course's weights",
    .enabled(if: CourseFile.has("ex4weights.mat"), CourseFile.missing("ex4weights.mat")),
    .enabled(if: CourseFile.has("ex4data1-8bit.mat"), CourseFile.missing("ex4data1-8bit.mat")))
  func courseShape() throws {
    let weights = try CourseFile.read("ex4weights.mat")
    let digits = try CourseFile.read("ex4data1-8bit.mat")
    let nnParams = unroll(try #require(weights["Theta1"]), try #require(weights["Theta2"]))
    for lambda in [0.0, 1.0] {
      expectAgreement(
        layerSizes: [400, 25, 10], X: try #require(digits["X"]), y: try #require(digits["y"]), nnParams: nnParams,
        lambda: lambda)
    }
  }

  @Test("NNCostFunctionLinear against nnCostFunctionLinear")
  func linearOutput() {
    var generator = SeededGenerator(seed: 77)
    let m = 40
    let X = randomMatrix(m, 2, scale: 2, using: &generator)
    let y = randomMatrix(m, 1, scale: 5, using: &generator)
    let nnParams = randomMatrix(6 * 3 + 7, 1, scale: 0.7, using: &generator)
    let readable = nnCostFunctionLinear(nnParams, inputLayerSize: 2, hiddenLayerSize: 6, X: X, y: y, lambda: 0.5)
    let fast = NNCostFunctionLinear(inputLayerSize: 2, hiddenLayerSize: 6, X: X, y: y, lambda: 0.5)(nnParams)
    // J is a sum of m non-negative squares: relative difference ≤ 2 m u plus tanh's few ulps.
    #expect(relativeDifference(fast.J, readable.J) <= Double(2 * m + 64) * Self.u)
    // Each gradient entry sums m terms delta(i)·a(i): bound it as above by
    // 2(m + s + 32) u Σ|delta·a| / m, with the sums of absolute terms made
    // from the same matrices.
    let shapes = [(rows: 6, columns: 3), (rows: 1, columns: 7)]
    let Theta = roll(nnParams, into: shapes)
    let a1 = X.prependingOnes()
    let z2 = a1 * Theta[0].transposed()
    let a2 = tanh(z2).prependingOnes()
    let delta3 = a2 * Theta[1].transposed() - y
    let delta2 = (delta3 * Theta[1][columns: 2...]) .* (1 - tanh(z2) .* tanh(z2))
    let absolute = { (A: Matrix) in A.map { Swift.abs($0) } }
    let scale = unroll(absolute(delta2).transposed() * absolute(a1), absolute(delta3).transposed() * absolute(a2))
    for k in 0..<readable.grad.count {
      let bound =
        2 * Double(m + 6 + 32) * Self.u * scale.values[k] / Double(m) + 4 * Self.u * abs(readable.grad.values[k])
      #expect(abs(fast.grad.values[k] - readable.grad.values[k]) <= bound, "entry \(k + 1)")
    }
  }

  @Test("Calls on one evaluator give bit-identical results, whatever came between")
  func repeatable() {
    var generator = SeededGenerator(seed: 5)
    let X = randomMatrix(500, 9, scale: 1, using: &generator)
    let y = Matrix(column: (0..<500).map { _ in Double(Int.random(in: 1...4, using: &generator)) })
    let costFunction = NNCostFunction(inputLayerSize: 9, hiddenLayerSize: 6, numLabels: 4, X: X, y: y, lambda: 1)
    let p = randomMatrix(6 * 10 + 4 * 7, 1, scale: 0.5, using: &generator)
    let first = costFunction(p)
    _ = costFunction(p * 3)
    let second = costFunction(p)
    #expect(first.J == second.J && first.grad == second.grad)
  }
}
