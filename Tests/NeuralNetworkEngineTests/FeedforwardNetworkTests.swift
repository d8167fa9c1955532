import _NeuralNetworkKernels
import Foundation
import Testing

@testable import NeuralNetworkEngine
@testable import NeuralNetworkLearning
import TestSupport

/// The cost and gradient computed the straightforward way, matrix by matrix
/// as the course's vectorised Octave code does (`fixtures/nn/nnCostFunction.m`),
/// for any depth: the reference the optimised passes are held to. `Theta` is
/// `[Theta1, Theta2, …]`.
private func referenceCost(
  _ Theta: [Matrix], tanhUnits: Bool, linearOutput: Bool, X: Matrix, y: Matrix, lambda: Double
) -> (J: Double, grad: Matrix, h: Matrix) {
  let m = Double(X.rows)
  let g = { (z: Matrix) in tanhUnits ? tanh(z) : sigmoid(z) }
  let gPrime = { (z: Matrix) in tanhUnits ? 1 - tanh(z) .* tanh(z) : sigmoidGradient(z) }
  // Forward: a[0] = [1 X], z[l] = a[l] · Theta[l]ᵀ, a[l + 1] = [1 g(z[l])] or the output.
  var a = [X.prependingOnes()]
  var z: [Matrix] = []
  for l in Theta.indices {
    z.append(a[l] * Theta[l].transposed())
    if l + 1 < Theta.count {
      a.append(g(z[l]).prependingOnes())
    } else {
      a.append(linearOutput ? z[l] : sigmoid(z[l]))
    }
  }
  let h = a[Theta.count]
  var Y = Matrix.zeros(h.rows, h.columns)
  if linearOutput {
    Y = y.unrolled
  } else {
    for i in 1...h.rows { Y[i, Int(y[i])] = 1 }
  }
  var J =
    linearOutput
    ? ((h - Y) .* (h - Y)).sum() / (2 * m)
    : -(Y .* log(h) + (1 - Y) .* log(1 - h)).sum() / m
  J += lambda / (2 * m) * Theta.map { $0[columns: 2...].sumOfSquares() }.reduce(0, +)
  // Backward.
  var delta = h - Y
  var grads = [Matrix](repeating: Matrix.zeros(0, 0), count: Theta.count)
  for l in Theta.indices.reversed() {
    var regularised = Theta[l]
    for i in 1...Theta[l].rows { regularised[i, 1] = 0 }
    grads[l] = delta.transposed() * a[l] / m + (lambda / m) * regularised
    if l > 0 { delta = (delta * Theta[l][columns: 2...]) .* gPrime(z[l - 1]) }
  }
  return (J, unroll(grads), h)
}

/// Uniform random m × n data with about `density` of its entries non-zero.
private func randomData(_ m: Int, _ n: Int, density: Double, using generator: inout SeededGenerator) -> Matrix {
  Matrix(
    rows: m, columns: n,
    values: (0..<(m * n)).map { _ in
      Double.random(in: 0..<1, using: &generator) < density ? Double.random(in: -1...1, using: &generator) : 0
    })
}

/// Random weights for layers of `sizes` units, uniform in ±scale.
private func randomWeights(_ sizes: [Int], scale: Double, using generator: inout SeededGenerator) -> [Matrix] {
  (1..<sizes.count).map { randomMatrix(sizes[$0], sizes[$0 - 1] + 1, scale: scale, using: &generator) }
}

/// Labels 1…K, or real targets for a linear output.
private func randomTargets(_ m: Int, _ K: Int, linear: Bool, using generator: inout SeededGenerator) -> Matrix {
  Matrix(
    column: (0..<m).map { _ in
      linear ? Double.random(in: -2...2, using: &generator) : Double(Int.random(in: 1...K, using: &generator))
    })
}

/// How far one correct evaluation of the network, adding its terms in some
/// order (a BLAS kernel's, the sparse loops', the chunks'), may be from the
/// exact values, entry by entry (with ``gamma(_:)``).
///
/// Every quantity is a sum of products, and to first order a rounding error
/// of relative size ε in a sum of terms t moves it by at most ε · Σ|t|; the
/// error then travels on through the later operations. So the same passes,
/// made with the absolute values of every term, and with each layer's
/// possible error carried forward and back, bound the difference: the forward
/// pass's error in a(l) is at most γ_chain · E(l), with
///
///     Z(l+1) = (|a(l)| + E(l)) · |Theta(l)|ᵀ      (E(1) = 0: X is exact)
///     E(l+1) = |g′(z(l+1))| .* Z(l+1) + |a(l+1)|  (the unit's own rounding, a few u)
///
/// and the backward pass's error in delta(l) at most γ_chain · D(l), with
///
///     D(L) = E(L)                                  (delta(L) = a(L) − Y)
///     D(l) = (D(l+1) · |Theta(l)(:, 2:end)|) .* |g′| + (|delta(l+1)| · |Theta(l)(:, 2:end)|) .* |∂g′/∂a| .* E(l)
///     grad bound(l) = γ_m · (|delta(l+1)|ᵀ · |a(l)| / m + |(λ/m) Theta(l)|)
///                   + γ_chain · (D(l+1)ᵀ · (|a(l)| + E(l)) + |delta(l+1)|ᵀ · E(l)) / m
///
/// The final sums (over m examples for a gradient entry, over m · K terms
/// for J) are bounded by their own γ_m or γ_(mK) times Σ|terms|; what comes
/// from earlier layers by γ_chain times the propagated magnitudes above, with
/// chain the number of additions along one path through the layers (each
/// product's terms, a few elementwise operations per layer), since γ_j + γ_k
/// ≤ γ_(j+k) lets one γ cover every step. The result, doubled (two
/// evaluations), is the tolerance: about 1e-12 of the gradient's scale for the
/// course's shape, far below what a transposed matrix, a wrong index or a
/// wrong formula changes (the tests check it stays below 1e-8 of the scale).
private struct RoundingBound {
  /// Bounds on |computed − exact| (γ included).
  let J: Double
  let grad: Matrix
  let h: Matrix
}

private func roundingBound(
  _ Theta: [Matrix], tanhUnits: Bool, linearOutput: Bool, X: Matrix, y: Matrix, lambda: Double
) -> RoundingBound {
  let m = Double(X.rows)
  let absolute = { (A: Matrix) in A.map { Swift.abs($0) } }
  let g = { (z: Matrix) in tanhUnits ? tanh(z) : sigmoid(z) }
  // g′ as a function of a = g(z), and |∂g′/∂a|.
  let gPrime = { (a: Matrix) in tanhUnits ? 1 - a .* a : a .* (1 - a) }
  let gPrimeSlope = { (a: Matrix) in tanhUnits ? 2 * absolute(a) : absolute(1 - 2 * a) }
  var a = [X.prependingOnes()]
  var E = [Matrix.zeros(X.rows, X.columns + 1)]
  var z: [Matrix] = []
  for l in Theta.indices {
    z.append(a[l] * Theta[l].transposed())
    let Z = (absolute(a[l]) + E[l]) * absolute(Theta[l]).transposed()
    if l + 1 < Theta.count {
      let next = g(z[l])
      a.append(next.prependingOnes())
      // The bias unit's 1 is exact: a zero column before the units' bounds.
      var bound = (absolute(gPrime(next)) .* Z + absolute(next)).prependingOnes()
      if bound.rows > 0 { for i in 1...bound.rows { bound[i, 1] = 0 } }
      E.append(bound)
    } else {
      let h = linearOutput ? z[l] : sigmoid(z[l])
      a.append(h)
      E.append(linearOutput ? Z : absolute(gPrime(h)) .* Z + absolute(h))
    }
  }
  let L = Theta.count
  let h = a[L]
  var Y = Matrix.zeros(h.rows, h.columns)
  if linearOutput {
    Y = y.unrolled
  } else {
    for i in 1...h.rows { Y[i, Int(y[i])] = 1 }
  }
  // J's sum over m·K terms, each moved by the error in h: |Δ log h| ≤ Δh / h.
  let costTerms: Matrix
  let costSensitivity: Matrix
  if linearOutput {
    costTerms = (h - Y) .* (h - Y) / (2 * m)
    costSensitivity = absolute(h - Y) .* E[L] / m
  } else {
    costTerms = absolute(Y .* log(h) + (1 - Y) .* log(1 - h)) / m
    costSensitivity = (Y .* E[L] ./ h + (1 - Y) .* E[L] ./ (1 - h)) / m
  }
  let widths = Theta.map { $0.columns } + [Theta.last!.rows]
  let chain = 2 * widths.reduce(0, +) + 16 * Theta.count
  let penaltyTerms = Theta.map { $0.count }.reduce(0, +)
  let penalty = lambda / (2 * m) * Theta.map { $0[columns: 2...].sumOfSquares() }.reduce(0, +)
  let JBound =
    gamma(h.count) * costTerms.sum() + gamma(chain) * costSensitivity.sum() + gamma(penaltyTerms + 4) * penalty

  var delta = h - Y
  var D = E[L]
  var grads = [Matrix](repeating: Matrix.zeros(0, 0), count: L)
  for l in Theta.indices.reversed() {
    var regularised = absolute(Theta[l]) * (lambda / m)
    for i in 1...Theta[l].rows { regularised[i, 1] = 0 }
    grads[l] =
      gamma(X.rows + 4) * (absolute(delta).transposed() * absolute(a[l]) / m + regularised)
      + gamma(chain) * ((D.transposed() * (absolute(a[l]) + E[l]) + absolute(delta).transposed() * E[l]) / m)
    if l > 0 {
      let weights = absolute(Theta[l][columns: 2...])
      let al = a[l][columns: 2...]
      let El = E[l][columns: 2...]
      let nextD = (D * weights) .* absolute(gPrime(al)) + (absolute(delta) * weights) .* gPrimeSlope(al) .* El
      delta = (delta * Theta[l][columns: 2...]) .* gPrime(al)
      D = nextD
    }
  }
  return RoundingBound(J: JBound, grad: unroll(grads), h: gamma(chain) * E[L])
}

/// Checks that every entry of `actual` is within twice `bound` of the
/// reference's (each of the two is within `bound` of the exact value), and
/// that the bound is tight enough to mean something: below 1e-8 of the
/// largest entry, far below what a transposed or misplaced matrix changes.
private func expectWithinRoundingBound(
  _ actual: Matrix, _ reference: Matrix, bound: Matrix, _ what: String,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(
    actual.shape == reference.shape, "\(what): shape \(actual.shape), expected \(reference.shape)",
    sourceLocation: sourceLocation)
  guard actual.count == reference.count else { return }
  var worst = (index: 0, ratio: 0.0)
  for k in 0..<reference.count {
    let difference = Swift.abs(actual.values[k] - reference.values[k])
    let ratio = difference == 0 ? 0 : difference / (2 * bound.values[k])
    if !(ratio <= worst.ratio) { worst = (k + 1, ratio) }
  }
  #expect(
    worst.ratio <= 1, "\(what): entry \(worst.index) differs by \(worst.ratio) times its rounding bound",
    sourceLocation: sourceLocation)
  let scale = reference.values.map { Swift.abs($0) }.max() ?? 0
  let loosest = bound.values.max() ?? 0
  #expect(
    2 * loosest <= 1e-8 * scale, "\(what): the rounding bound reaches \(2 * loosest), scale \(scale)",
    sourceLocation: sourceLocation)
}

/// Checks the network's cost, gradient and hypothesis against the reference,
/// with the first layer's products made each way, within the rounding bound
/// of ``roundingBound(_:tanhUnits:linearOutput:X:y:lambda:)``.
private func expectMatchesReference(
  _ Theta: [Matrix], tanhUnits: Bool = false, linearOutput: Bool = false, X: Matrix, y: Matrix, lambda: Double,
  ways: [FirstLayerProducts] = [.automatic, .dense, .sparse], _ what: String,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  let reference = referenceCost(Theta, tanhUnits: tanhUnits, linearOutput: linearOutput, X: X, y: y, lambda: lambda)
  let bound = roundingBound(Theta, tanhUnits: tanhUnits, linearOutput: linearOutput, X: X, y: y, lambda: lambda)
  let network = FeedforwardNetwork(
    Theta: Theta, hiddenActivation: tanhUnits ? .tanh : .sigmoid, output: linearOutput ? .linear : .classifier)
  for way in ways {
    let (J, grad) = network.costFunction(X: X, y: y, lambda: lambda, firstLayer: way)
    let allowedJ = 2 * bound.J
    #expect(
      Swift.abs(J - reference.J) <= allowedJ && allowedJ <= 1e-8 * Swift.abs(reference.J),
      "\(what), \(way): J = \(J), reference \(reference.J), rounding bound \(allowedJ)",
      sourceLocation: sourceLocation)
    expectWithinRoundingBound(
      grad, reference.grad, bound: bound.grad, "\(what), \(way): grad", sourceLocation: sourceLocation)
    expectWithinRoundingBound(
      network.hypothesis(X, firstLayer: way), reference.h, bound: bound.h, "\(what), \(way): hypothesis",
      sourceLocation: sourceLocation)
  }
}

@Suite("FeedforwardNetwork: the optimised passes against the straightforward matrix formulas")
struct FeedforwardNetworkTests {
  static let haveCourseFiles = CourseFile.has("ex4weights.mat") && CourseFile.has("ex4data1-8bit.mat")
  static let courseFilesMissing = CourseFile.missing(
    CourseFile.has("ex4weights.mat") ? "ex4data1-8bit.mat" : "ex4weights.mat")

  @Test(
    "Course shape on ex4data1-8bit.mat, course and random weights: BLAS and sparse products equal the reference within its rounding bound",
    .enabled(if: haveCourseFiles, courseFilesMissing))
  func courseData() throws {
    let weights = try CourseFile.read("ex4weights.mat")
    let digits = try CourseFile.read("ex4data1-8bit.mat")
    let X = try #require(digits["X"])
    let y = try #require(digits["y"])
    let Theta1 = try #require(weights["Theta1"])
    let Theta2 = try #require(weights["Theta2"])
    expectMatchesReference([Theta1, Theta2], X: X, y: y, lambda: 1, "course weights, λ = 1")
    var random = OctaveRandom(seed: 1)
    let start = [randInitializeWeights(400, 25, using: &random), randInitializeWeights(25, 10, using: &random)]
    expectMatchesReference(start, X: X, y: y, lambda: 3, ways: [.dense, .sparse], "random start, λ = 3")
  }

  @Test("Random dense data (every entry non-zero), several chunks of examples: both ways equal the reference")
  func randomDenseData() {
    var generator = SeededGenerator(seed: 61)
    let X = randomData(3000, 40, density: 1, using: &generator)
    let y = randomTargets(3000, 7, linear: false, using: &generator)
    let Theta = randomWeights([40, 13, 7], scale: 0.5, using: &generator)
    expectMatchesReference(Theta, X: X, y: y, lambda: 0.7, "3000 × 40 dense, 40–13–7")
  }

  @Test(
    "Deeper and wider networks, sigmoid and tanh units, classifier and linear outputs: both ways equal the reference",
    arguments: [(false, false), (true, false), (false, true), (true, true)])
  func deeperNetworks(tanhUnits: Bool, linearOutput: Bool) {
    var generator = SeededGenerator(seed: tanhUnits ? 71 : 72)
    for (sizes, density) in [([30, 17, 9, 5], 0.3), ([20, 6, 11, 4, 3], 1.0), ([12, 33], 0.5), ([15, 66, 4], 0.4)] {
      let K = linearOutput ? 1 : sizes.last!
      let layers = Array(sizes.dropLast()) + [K]
      let X = randomData(1100, layers[0], density: density, using: &generator)
      let y = randomTargets(1100, K, linear: linearOutput, using: &generator)
      let Theta = randomWeights(layers, scale: 0.8, using: &generator)
      expectMatchesReference(
        Theta, tanhUnits: tanhUnits, linearOutput: linearOutput, X: X, y: y, lambda: 0.3,
        "\(layers), density \(density), \(tanhUnits ? "tanh" : "sigmoid"), \(linearOutput ? "linear" : "classifier")")
    }
  }

  @Test(
    "Saturated outputs give J = Inf or NaN exactly where Octave's formula does (0·log(0) = NaN), both ways",
    arguments: [(40.0, 1.0), (40.0, 2.0), (-800.0, 1.0), (-800.0, 2.0)])
  func saturation(bias: Double, label: Double) {
    // Output unit 1 saturates at exactly 1 (bias 40) or exactly 0 (bias −800); unit 2 stays near 0.5.
    let Theta1 = Matrix([[0.1, 0.2, 0, -0.3], [-0.2, 0.1, 0.3, 0]])
    let Theta2 = Matrix([[bias, 0.5, -0.5], [0, 0.1, 0.1]])
    var generator = SeededGenerator(seed: 81)
    let X = randomData(20, 3, density: 0.6, using: &generator)
    let y = Matrix(column: [Double](repeating: label, count: 20))
    let reference = referenceCost([Theta1, Theta2], tanhUnits: false, linearOutput: false, X: X, y: y, lambda: 0)
    #expect(!reference.J.isFinite, "the case must saturate: reference J = \(reference.J)")
    let network = FeedforwardNetwork(Theta: [Theta1, Theta2], hiddenActivation: .sigmoid, output: .classifier)
    for way in [FirstLayerProducts.dense, .sparse] {
      let (J, grad) = network.costFunction(X: X, y: y, lambda: 0, firstLayer: way)
      #expect(
        J.isNaN == reference.J.isNaN && (J.isNaN || J == reference.J),
        "\(way): J = \(J), Octave's formula \(reference.J)")
      expectClose(grad, reference.grad, tolerance: 1e-12, "\(way): grad")
    }
  }

  @Test("The C logistic function equals 1 / (1 + exp(−t)) to 1e-15 and is 0, 1, NaN exactly where that is")
  func logisticFunction() {
    var generator = SeededGenerator(seed: 111)
    var t = (0..<4000).map { _ in Double.random(in: -60...60, using: &generator) }
    t += (0..<400).map { _ in Double.random(in: -800...800, using: &generator) }
    // Around the saturation at 1 (exp(−t) near 2⁻⁵³) and at 0 (exp(−t) overflowing), and odd values.
    t += (0..<800).map { 36 + Double($0) / 400 }
    t += (0..<800).map { -711 + Double($0) / 400 }
    t += [
      0, -0.0, .infinity, -.infinity, .nan, Double.leastNormalMagnitude / 1024, -Double.leastNormalMagnitude / 1024,
      709.78, -709.78, 745.2, -745.2,
    ]
    let bias = t.indices.map { $0 % 3 == 0 ? 0 : Double.random(in: -1e-3...1e-3, using: &generator) }
    var out = [Double](repeating: -1, count: t.count)
    nnl_sigmoid(t, bias, &out, t.count)
    var worst = 0.0
    for k in t.indices {
      let exact = 1 / (1 + Foundation.exp(-(t[k] + bias[k])))
      if exact.isNaN || exact == 0 || exact == 1 {
        #expect(
          out[k].isNaN == exact.isNaN && (exact.isNaN || out[k] == exact), "t = \(t[k]): \(out[k]), exactly \(exact)")
      } else {
        #expect(out[k] != 0 && out[k] != 1, "t = \(t[k]): \(out[k]) saturates, exactly \(exact)")
        worst = max(worst, relativeDifference(out[k], exact))
      }
    }
    #expect(worst <= 1e-15, "largest relative difference \(worst)")
  }

  @Test("An infinite weight where X is zero still gives NaN, as 0 · Inf does in the dense product")
  func infiniteWeightOnAZeroPixel() {
    var generator = SeededGenerator(seed: 91)
    var X = randomData(50, 6, density: 0.5, using: &generator)
    for i in 1...50 { X[i, 4] = 0 }
    var Theta = randomWeights([6, 5, 3], scale: 0.5, using: &generator)
    Theta[0][2, 5] = .infinity  // multiplies pixel 4, zero in every example
    let y = randomTargets(50, 3, linear: false, using: &generator)
    let reference = referenceCost(Theta, tanhUnits: false, linearOutput: false, X: X, y: y, lambda: 0)
    #expect(reference.J.isNaN)
    let network = FeedforwardNetwork(Theta: Theta, hiddenActivation: .sigmoid, output: .classifier)
    for way in [FirstLayerProducts.dense, .sparse] {
      let (J, grad) = network.costFunction(X: X, y: y, lambda: 0, firstLayer: way)
      #expect(J.isNaN, "\(way): J = \(J)")
      #expect(
        zip(grad.values, reference.grad.values).allSatisfy { $0.isNaN == $1.isNaN },
        "\(way): NaN entries of the gradient differ from the reference's")
    }
  }

  @Test("The sparse form holds every non-zero of [1 X] once each way, and its column ranges cover [1 X] once")
  func sparseForm() throws {
    var generator = SeededGenerator(seed: 121)
    let X = randomData(700, 23, density: 0.3, using: &generator)
    let sparse = try #require(SparseInput(X, densityAtMost: 1, width: 8))
    let ones = X.prependingOnes()
    let nonZeros = ones.values.filter { $0 != 0 }.count
    #expect(sparse.count == nonZeros && sparse.valueByRow.count == nonZeros && sparse.valueByColumn.count == nonZeros)
    // Rebuilt from each form, [1 X] comes back exactly.
    var byRows = Matrix.zeros(700, 24)
    for i in 0..<700 {
      for p in Int(sparse.rowStart[i])..<Int(sparse.rowStart[i + 1]) {
        byRows[i + 1, Int(sparse.columnOfEntry[p]) + 1] = sparse.valueByRow[p]
      }
    }
    var byColumns = Matrix.zeros(700, 24)
    for b in 0..<sparse.blocks {
      for j in 0..<24 {
        for p in Int(sparse.blockStart[b * 24 + j])..<Int(sparse.blockStart[b * 24 + j + 1]) {
          byColumns[Int(sparse.rowOfEntry[p]) + 1, j + 1] = sparse.valueByColumn[p]
        }
      }
    }
    #expect(byRows == ones && byColumns == ones)
    #expect(sparse.nonZerosInColumn == (1...24).map { j in (1...700).filter { ones[$0, j] != 0 }.count })
    for pieces in 1...30 {
      let ranges = sparse.columnRanges(pieces)
      #expect(ranges.count <= pieces && ranges.first?.lowerBound == 0 && ranges.last?.upperBound == 24)
      #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound && !$1.isEmpty })
    }
    #expect(SparseInput(X, densityAtMost: 0.2, width: 8) == nil, "30% non-zero is over a limit of 20%")

    // Both loops, portable and with vector units, against the dense products: 6 units, padded to 8.
    let Theta = randomMatrix(6, 24, scale: 1, using: &generator)
    let delta = randomMatrix(700, 6, scale: 1, using: &generator)
    let forward = ones * Theta.transposed()  // 700 × 6
    let backward = delta.transposed() * ones  // 6 × 24
    var weights = [Double](repeating: 0, count: 24 * 8)
    for j in 0..<24 { for k in 0..<6 { weights[j * 8 + k] = Theta[k + 1, j + 1] } }
    var deltaRows = [Double](repeating: 0, count: 700 * 8)
    for i in 0..<700 { for k in 0..<6 { deltaRows[i * 8 + k] = delta[i + 1, k + 1] } }
    for vectorUnits in [false, true] {
      var z = [Double](repeating: .nan, count: 700 * 8)
      var g = [Double](repeating: .nan, count: 24 * 8)
      z.withUnsafeMutableBufferPointer { out in
        sparse.forward(examples: 0..<700, weights: weights, width: 8, into: out.baseAddress!, vectorUnits: vectorUnits)
      }
      g.withUnsafeMutableBufferPointer { out in
        for range in sparse.columnRanges(3) {
          sparse.backward(columns: range, delta: deltaRows, width: 8, into: out.baseAddress!, vectorUnits: vectorUnits)
        }
      }
      let zMatrix = Matrix(rows: 700, columns: 6, values: (0..<(700 * 6)).map { z[($0 % 700) * 8 + $0 / 700] })
      let gMatrix = Matrix(rows: 6, columns: 24, values: (0..<(6 * 24)).map { g[($0 / 6) * 8 + $0 % 6] })
      expectClose(zMatrix, forward, tolerance: 1e-13, "forward, vector units \(vectorUnits)")
      expectClose(gMatrix, backward, tolerance: 1e-13, "backward, vector units \(vectorUnits)")
      #expect(z.enumerated().allSatisfy { $0.offset % 8 < 6 || $0.element == 0 }, "padding units stay 0")
    }
  }

  @Test("No examples: J and the gradient are NaN (0/0, as in Octave), with the gradient's shape")
  func noExamples() {
    var generator = SeededGenerator(seed: 131)
    let network = FeedforwardNetwork(
      Theta: randomWeights([4, 3, 2], scale: 0.5, using: &generator), hiddenActivation: .sigmoid, output: .classifier)
    let (J, grad) = network.costFunction(X: Matrix.zeros(0, 4), y: Matrix.zeros(0, 1), lambda: 1)
    #expect(J.isNaN)
    #expect(grad.rows == 23 && grad.columns == 1 && grad.values.allSatisfy(\.isNaN))
    #expect(network.hypothesis(Matrix.zeros(0, 4)).shape == "0×2")
  }

  @Test("An evaluator's later calls reuse its workspace and give bit-identical results, for every first-layer choice")
  func evaluatorReuse() {
    var generator = SeededGenerator(seed: 101)
    let X = randomData(2000, 30, density: 0.3, using: &generator)
    let y = randomTargets(2000, 4, linear: false, using: &generator)
    let Theta = randomWeights([30, 8, 4], scale: 0.5, using: &generator)
    let nnParams = unroll(Theta)
    let reference = FeedforwardNetwork(Theta: Theta, hiddenActivation: .sigmoid, output: .classifier)
      .costFunction(X: X, y: y, lambda: 1, firstLayer: .dense)
    for firstLayer in [FirstLayerProducts.automatic, .dense, .sparse, .sparseUpToDensity(0.5)] {
      let evaluator = NetworkEvaluator(
        layerSizes: [30, 8, 4], hiddenActivation: .sigmoid, output: .classifier, X: X, firstLayer: firstLayer)
      let once = evaluator.cost(nnParams, y: y, lambda: 1)
      let again = evaluator.cost(nnParams, y: y, lambda: 1)
      #expect(once.J == again.J && once.grad == again.grad, "\(firstLayer)")
      // Other weights in between leave nothing behind that changes the next result.
      _ = evaluator.cost(nnParams * 2, y: y, lambda: 0)
      let third = evaluator.cost(nnParams, y: y, lambda: 1)
      #expect(third.J == once.J && third.grad == once.grad, "\(firstLayer)")
      // Each choice computes the same function: the sums are only in another order.
      #expect(relativeDifference(once.J, reference.J) < 1e-13, "\(firstLayer)")
      expectClose(once.grad, reference.grad, tolerance: 1e-11, "\(firstLayer)")
      #expect(evaluator.hypothesis(Theta).shape == "2000×4")
    }
  }
}
