import _NeuralNetworkKernels
import Foundation
import Synchronization
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

  @Test(
    "The C logistic function on every path equals 1 / (1 + exp(−t)) to 9e-16 and is 0, 1, NaN exactly where that is",
    arguments: KernelPath.available)
  func logisticFunction(path: KernelPath) {
    var generator = SeededGenerator(seed: 111)
    var t = (0..<4000).map { _ in Double.random(in: -60...60, using: &generator) }
    t += (0..<400).map { _ in Double.random(in: -800...800, using: &generator) }
    // Around the saturation at 1 (exp(−t) near 2⁻⁵³) and at 0 (exp(−t) overflowing), and odd values.
    t += (0..<800).map { 36 + Double($0) / 400 }
    t += (0..<800).map { -711 + Double($0) / 400 }
    // Where the vector exp's table index wraps (t a multiple of ln2/16) and at the ends of its range.
    t += (-200...200).map { Double($0) * Foundation.log(2.0) / 16 } + [-36, 36, -700, 700, -35.999, 699.999]
    t += [
      0, -0.0, .infinity, -.infinity, .nan, Double.leastNormalMagnitude / 1024, -Double.leastNormalMagnitude / 1024,
      709.78, -709.78, 745.2, -745.2,
    ]
    let bias = t.indices.map { $0 % 3 == 0 ? 0 : Double.random(in: -1e-3...1e-3, using: &generator) }
    var worst = 0.0
    var whole: [Double] = []
    // Every count from 1 to 19 from every start, so that each path's tails (masked lanes) are run.
    for count in [t.count, 1, 2, 3, 5, 7, 10, 19] {
      var out = [Double](repeating: -1, count: t.count)
      var start = 0
      while start < t.count {
        let here = min(count, t.count - start)
        t.withUnsafeBufferPointer { t in
          bias.withUnsafeBufferPointer { bias in
            out.withUnsafeMutableBufferPointer { out in
              nnl_sigmoid(
                t.baseAddress! + start, bias.baseAddress! + start, out.baseAddress! + start, here, path.rawValue)
            }
          }
        }
        start += here
      }
      // Each value's exp is chosen on its own (table or C library), so the
      // bits do not depend on where a call begins or on the neighbours.
      if whole.isEmpty { whole = out }
      #expect(firstBitDifference(out, whole) == nil, "\(path), calls of \(count) against one call")
      for k in t.indices {
        let exact = 1 / (1 + Foundation.exp(-(t[k] + bias[k])))
        if exact.isNaN || exact == 0 || exact == 1 {
          #expect(
            out[k].isNaN == exact.isNaN && (exact.isNaN || out[k] == exact),
            "\(path), t = \(t[k]): \(out[k]), exactly \(exact)")
        } else {
          #expect(out[k] != 0 && out[k] != 1, "\(path), t = \(t[k]): \(out[k]) saturates, exactly \(exact)")
          worst = max(worst, relativeDifference(out[k], exact))
        }
      }
    }
    // The vector paths: exp within 2.05u (u = 2⁻⁵³; logistic.c derives it),
    // then 1 + e and the division, one rounding each: 4.05u from the exact
    // logistic function. The C library's exp is within 1 ulp (2u), so its
    // formula is within 4u: 8.05u = 8.9e-16 apart at most.
    #expect(worst <= 8.05 * unitRoundoff, "\(path): largest relative difference \(worst)")
  }

  @Test(
    "AVX2 and AVX-512 give the same bits for the logistic function and the cross-entropy (the same operations per lane)"
  )
  func vectorPathsAgree() {
    guard KernelPath.best == .avx512 else { return }
    var generator = SeededGenerator(seed: 112)
    // Mostly inside the vector exp's range, [−700, 36], with values outside it
    // (which take the C library's exp, value by value) among them.
    var t = (0..<5003).map { _ in Double.random(in: -700...36, using: &generator) }
    for k in stride(from: 5, to: t.count, by: 37) { t[k] = [-800, 40, .nan, -.infinity, 745][k % 5] }
    let bias = [Double](repeating: 0, count: t.count)
    var h = (0..<1000).map { _ in Double.random(in: 0...1, using: &generator) }
    for k in stride(from: 3, to: h.count, by: 41) { h[k] = [0, 1, Double.leastNormalMagnitude / 1024][k % 3] }
    var outputs: [[Double]] = []
    var entropies: [[Double]] = []
    for path in [KernelPath.avx2, .avx512] {
      var out = [Double](repeating: 0, count: t.count)
      nnl_sigmoid(t, bias, &out, t.count, path.rawValue)
      outputs.append(out)
      entropies.append(
        stride(from: 0, to: 1000, by: 10).map {
          nnl_cross_entropy(0, Array(h[$0..<($0 + 10)]), 10, $0 % 10, path.rawValue)
        })
    }
    #expect(firstBitDifference(outputs[0], outputs[1]) == nil)
    #expect(firstBitDifference(entropies[0], entropies[1]) == nil)
  }

  @Test("nnl_all_finite: 1 for finite values however large or small, 0 for an infinity or a NaN anywhere")
  func allFiniteCheck() {
    var generator = SeededGenerator(seed: 115)
    var values = (0..<3000).map { _ in Double.random(in: -1...1, using: &generator) }
    values += [.greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude, -0.0, 0]
    #expect(nnl_all_finite(values, values.count) == 1)
    #expect(nnl_all_finite(values, 0) == 1)
    for place in [0, 1, 1023, 1024, 2047, 2999, values.count - 1] {
      for bad in [Double.infinity, -.infinity, .nan, -.nan, Double(nan: 1, signaling: true)] {
        var copy = values
        copy[place] = bad
        #expect(nnl_all_finite(copy, copy.count) == 0, "\(bad) at \(place)")
        // Not counted when past the end.
        #expect(nnl_all_finite(copy, place) == 1, "\(bad) at \(place), just past the end")
      }
    }
  }

  @Test(
    "The layer loops across examples give, bit for bit, the logistic function and the cross-entropy of each example",
    arguments: KernelPath.available)
  func layerLoopsAcrossExamples(path: KernelPath) {
    var generator = SeededGenerator(seed: 114)
    for (units, count) in [(25, 37), (10, 64), (3, 5), (1, 9), (13, 1)] {
      let zStride = (units + 3) / 4 * 4
      // Pre-activations across the logistic function's range, with some that
      // saturate it (0 or 1, so log(0) and 0 · log(0) in the cost) and a NaN.
      var z = (0..<(zStride * count)).map { _ in Double.random(in: -20...20, using: &generator) }
      for k in stride(from: 7, to: z.count, by: 23) { z[k] = [-800, 40, 745, .nan][k % 4] }
      let bias = (0..<units).map { _ in Double.random(in: -1...1, using: &generator) }
      let labels = (0..<count).map { _ in Double(Int.random(in: 1...units, using: &generator)) }

      // Hidden layer: [1; g(z + bias)] for each example.
      var a = [Double](repeating: .nan, count: (1 + units) * count)
      nnl_hidden_sigmoid(z, zStride, bias, units, count, &a, path.rawValue)
      var expected = [Double]()
      for i in 0..<count {
        var g = [Double](repeating: 0, count: units)
        nnl_sigmoid(Array(z[(i * zStride)...]), bias, &g, units, path.rawValue)
        expected += [1] + g
      }
      #expect(firstBitDifference(a, expected) == nil, "hidden, \(path), \(units) units")

      // Output layer: a = g(z + bias), the cost's sum example by example, delta = a − y in place of z.
      var h = [Double](repeating: .nan, count: units * count)
      var delta = z
      let sum = nnl_classifier_output(&delta, zStride, bias, units, count, labels, &h, 1, 0.5, path.rawValue)
      var expectedH = [Double]()
      var expectedSum = 0.5
      var expectedDelta = z
      for i in 0..<count {
        var g = [Double](repeating: 0, count: units)
        nnl_sigmoid(Array(z[(i * zStride)...]), bias, &g, units, path.rawValue)
        expectedH += g
        let label = Int(labels[i]) - 1
        expectedSum = nnl_cross_entropy(expectedSum, g, units, label, path.rawValue)
        for k in 0..<units { expectedDelta[i * zStride + k] = g[k] - (k == label ? 1 : 0) }
      }
      #expect(firstBitDifference(h, expectedH) == nil, "output, \(path), \(units) units")
      #expect(firstBitDifference(delta, expectedDelta) == nil, "delta, \(path), \(units) units")
      #expect(sum.bitPattern == expectedSum.bitPattern, "cost, \(path), \(units) units: \(sum), \(expectedSum)")
      // Without the cost: the same a, z left alone, the sum as given.
      var untouched = z
      var h2 = [Double](repeating: .nan, count: units * count)
      #expect(nnl_classifier_output(&untouched, zStride, bias, units, count, labels, &h2, 0, 0.5, path.rawValue) == 0.5)
      #expect(firstBitDifference(h2, expectedH) == nil && firstBitDifference(untouched, z) == nil)
    }
  }

  @Test(
    "The cross-entropy terms on every path: Octave's formula with the C library's log, to 2 ulps; NaN for 0·log(0), −Inf for log(0)",
    arguments: KernelPath.available)
  func crossEntropy(path: KernelPath) {
    var generator = SeededGenerator(seed: 113)
    // h across the scales the outputs take, and exactly 0 and 1 (saturated), subnormal, NaN.
    var h = (0..<3000).map { _ in Double.random(in: 0...1, using: &generator) }
    h += (0..<3000).map { _ in Foundation.exp(-Double.random(in: 0...745, using: &generator)) }
    h += (0..<3000).map { _ in 1 - Foundation.exp(-Double.random(in: 0...40, using: &generator)) }
    h += [
      0, 1, 0.5, Double.leastNormalMagnitude, Double.leastNonzeroMagnitude, Double.leastNormalMagnitude / 3, .nan,
      1 - 0x1p-53,
    ]
    for K in [1, 3, 4, 8, 10, 13] {
      var start = 0
      while start + K <= h.count {
        let group = Array(h[start..<(start + K)])
        let label = start % K
        let sum = nnl_cross_entropy(0, group, K, label, path.rawValue)
        // The terms one by one with the C library's log, as the formula reads.
        var exact = 0.0
        var magnitude = 0.0
        for k in 0..<K {
          let y: Double = k == label ? 1 : 0
          let term = y * Foundation.log(group[k]) + (1 - y) * Foundation.log(1 - group[k])
          exact += term
          magnitude += abs(term)
        }
        if exact.isNaN || exact.isInfinite {
          #expect(
            sum.isNaN == exact.isNaN && (sum.isNaN || sum == exact), "K = \(K), \(group): \(sum), formula \(exact)")
        } else {
          // Each log within 4u of the C library's (both within 1 ulp, 2u, of
          // the exact), and the K − 1 additions in the same order, each sum
          // within γ(K − 1) of its exact value: (4 + 2(K − 1))u of the terms'
          // magnitudes apart.
          let bound = (4 + 2 * Double(K - 1)) * unitRoundoff * magnitude
          #expect(abs(sum - exact) <= bound, "\(path), K = \(K): \(sum), formula \(exact)")
        }
        start += K
      }
    }
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

  @Test("A NaN pixel in a later chunk of examples: the first layer's gradient is NaN where the dense product's is")
  func nanPixelInALaterChunk() {
    var generator = SeededGenerator(seed: 92)
    // Several chunks of examples; the NaN pixel is in a later one, so only
    // that chunk's check of its delta(2) sees it. Its delta(2) is NaN, and
    // the dense product gives NaN in every column of Theta1_grad, the zero
    // pixels' too (NaN · 0), where skipping the zeros would leave numbers.
    var X = randomData(1500, 6, density: 0.5, using: &generator)
    X[1400, 3] = .nan
    X[1400, 5] = 0
    let Theta = randomWeights([6, 5, 3], scale: 0.5, using: &generator)
    let y = randomTargets(1500, 3, linear: false, using: &generator)
    let reference = referenceCost(Theta, tanhUnits: false, linearOutput: false, X: X, y: y, lambda: 0)
    #expect(reference.grad[1 + 5 * 5, 1].isNaN, "Theta1_grad(1, 6) multiplies a zero pixel of example 1400")
    let network = FeedforwardNetwork(Theta: Theta, hiddenActivation: .sigmoid, output: .classifier)
    let workspace = NetworkWorkspace(X: X, layerSizes: [6, 5, 3], firstLayer: .sparse)
    workspace.prepare(layerSizes: [6, 5, 3])
    #expect(workspace.chunks > 1 && workspace.chunkSize < 1400, "example 1400 is not in the first chunk")
    for way in [FirstLayerProducts.dense, .sparse] {
      let (_, grad) = network.costFunction(X: X, y: y, lambda: 0, firstLayer: way)
      #expect(
        zip(grad.values, reference.grad.values).allSatisfy { $0.isNaN == $1.isNaN },
        "\(way): NaN entries of the gradient differ from the reference's")
    }
  }

  @Test(
    "The sparse form holds every non-zero of [1 X] once each way, coded or as doubles, and its column ranges cover [1 X] once"
  )
  func sparseForm() throws {
    var generator = SeededGenerator(seed: 121)
    // 1100 examples: two blocks of 1024 at most, so entries cross a block boundary.
    let X = randomData(1100, 23, density: 0.3, using: &generator)
    // The same pattern with 8-bit values: at most 256 distinct, so coded.
    let X8 = Matrix(rows: 1100, columns: 23, values: X.values.map { $0 == 0 ? 0 : (($0 + 1) * 127.5).rounded() / 255 })
    let plain = try #require(SparseInput(X, densityAtMost: 1, width: 8))
    let coded = try #require(SparseInput(X8, densityAtMost: 1, width: 8))
    let codedAsDoubles = try #require(SparseInput(X8, densityAtMost: 1, width: 8, codes: false))
    #expect(!plain.isCoded && coded.isCoded && !codedAsDoubles.isCoded)
    #expect(coded.table.count <= 256 && Set(coded.table.map(\.bitPattern)).count == coded.table.count)
    for (sparse, X) in [(plain, X), (coded, X8), (codedAsDoubles, X8)] {
      let ones = X.prependingOnes()
      let nonZeros = ones.values.filter { $0 != 0 }.count
      #expect(
        sparse.count == nonZeros && sparse.rowInBlock.count == nonZeros && sparse.weightRowOfEntry.count == nonZeros)
      // Rebuilt from each form, [1 X] comes back exactly, each row's and each block column's entries in order.
      var byRows = Matrix.zeros(1100, 24)
      for i in 0..<1100 {
        let entries = Int(sparse.rowStart[i])..<Int(sparse.rowStart[i + 1])
        #expect(
          zip(entries, entries.dropFirst()).allSatisfy { sparse.column(ofEntry: $0) < sparse.column(ofEntry: $1) })
        for p in entries { byRows[i + 1, sparse.column(ofEntry: p) + 1] = sparse.valueInRow(p) }
      }
      var byColumns = Matrix.zeros(1100, 24)
      for b in 0..<sparse.blocks {
        for j in 0..<24 {
          let entries = Int(sparse.blockStart[b * 24 + j])..<Int(sparse.blockStart[b * 24 + j + 1])
          #expect(zip(entries, entries.dropFirst()).allSatisfy { sparse.rowInBlock[$0] < sparse.rowInBlock[$1] })
          for p in entries {
            byColumns[b * sparse.blockRows + Int(sparse.rowInBlock[p]) + 1, j + 1] = sparse.valueInColumn(p)
          }
        }
      }
      #expect(byRows == ones && byColumns == ones)
      #expect(sparse.nonZerosInColumn == (1...24).map { j in (1...1100).filter { ones[$0, j] != 0 }.count })
      // The packed weights' rows: a permutation of the columns, the most entries first.
      #expect(sparse.columnOfWeightRow.map { sparse.weightRowOfColumn[Int($0)] } == (0..<24).map { UInt16($0) })
      #expect(
        zip(sparse.columnOfWeightRow, sparse.columnOfWeightRow.dropFirst()).allSatisfy {
          sparse.nonZerosInColumn[Int($0)] >= sparse.nonZerosInColumn[Int($1)]
        })
    }
    #expect(plain.blocks > 1)
    for pieces in 1...30 {
      let ranges = plain.columnRanges(pieces)
      #expect(ranges.count <= pieces && ranges.first?.lowerBound == 0 && ranges.last?.upperBound == 24)
      #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound && !$1.isEmpty })
    }
    #expect(SparseInput(X, densityAtMost: 0.2, width: 8) == nil, "30% non-zero is over a limit of 20%")
    #expect(
      SparseInput(Matrix.zeros(3, SparseInput.mostColumns), densityAtMost: 1, width: 8) == nil, "too many columns")

    // Both loops on every path against the dense products: 6 units, padded
    // to 8 (the AVX-512 path's half register), then 28 and 44 (whole and
    // half registers past 32 units).
    for units in [6, 27, 41] {
      let width = (units + 3) / 4 * 4
      for (sparse, X) in [(plain, X), (coded, X8)] {
        let ones = X.prependingOnes()
        let Theta = randomMatrix(units, 24, scale: 1, using: &generator)
        let delta = randomMatrix(1100, units, scale: 1, using: &generator)
        let forward = ones * Theta.transposed()  // 1100 × units
        let backward = delta.transposed() * ones  // units × 24
        var weights = [Double](repeating: 0, count: 24 * width)
        Theta.withUnsafeBufferPointer { theta in
          weights.withUnsafeMutableBufferPointer {
            sparse.packWeights(theta.baseAddress!, units: units, width: width, into: $0.baseAddress!)
          }
        }
        var deltaRows = [Double](repeating: 0, count: 1100 * width)
        for i in 0..<1100 { for k in 0..<units { deltaRows[i * width + k] = delta[i + 1, k + 1] } }
        // Each sum has at most 1 + 1100 terms of at most 1 · 1 in size
        // (|X| ≤ 1, weights and errors within 1): within γ(1101)·1101 of the
        // exact, so two orders differ by twice that, 2.7e-10; a transposed or
        // misplaced term moves a sum by a whole term, about 0.1 or more.
        let tolerance = 2 * gamma(1101) * 1101
        var results: [KernelPath: (z: [Double], g: [Double])] = [:]
        for path in KernelPath.available {
          var z = [Double](repeating: .nan, count: 1100 * width)
          var g = [Double](repeating: .nan, count: 24 * width)
          z.withUnsafeMutableBufferPointer { out in
            sparse.forward(examples: 0..<1100, weights: weights, width: width, into: out.baseAddress!, path: path)
          }
          g.withUnsafeMutableBufferPointer { out in
            for range in sparse.columnRanges(3) {
              sparse.backward(columns: range, delta: deltaRows, width: width, into: out.baseAddress!, path: path)
            }
          }
          let zMatrix = Matrix(
            rows: 1100, columns: units, values: (0..<(1100 * units)).map { z[($0 % 1100) * width + $0 / 1100] })
          let gMatrix = Matrix(
            rows: units, columns: 24, values: (0..<(units * 24)).map { g[($0 / units) * width + $0 % units] })
          #expect(
            zip(zMatrix.values, forward.values).allSatisfy { abs($0 - $1) <= tolerance }, "forward, \(path), \(units)")
          #expect(
            zip(gMatrix.values, backward.values).allSatisfy { abs($0 - $1) <= tolerance }, "backward, \(path), \(units)"
          )
          #expect(z.enumerated().allSatisfy { $0.offset % width < units || $0.element == 0 }, "padding units stay 0")
          results[path] = (z, g)
        }
        // The two vector paths do the same multiply-adds in the same order in every lane.
        if let avx2 = results[.avx2], let avx512 = results[.avx512] {
          #expect(firstBitDifference(avx2.z, avx512.z) == nil, "forward, AVX2 and AVX-512, \(units)")
          #expect(firstBitDifference(avx2.g, avx512.g) == nil, "backward, AVX2 and AVX-512, \(units)")
        }
        // Codes look up the same doubles: the same bits as the doubles' form, on every path.
        if sparse.isCoded {
          for path in KernelPath.available {
            var z = [Double](repeating: .nan, count: 1100 * width)
            var g = [Double](repeating: .nan, count: 24 * width)
            z.withUnsafeMutableBufferPointer { out in
              codedAsDoubles.forward(
                examples: 0..<1100, weights: weights, width: width, into: out.baseAddress!, path: path)
            }
            g.withUnsafeMutableBufferPointer { out in
              codedAsDoubles.backward(
                columns: 0..<24, delta: deltaRows, width: width, into: out.baseAddress!, path: path)
            }
            #expect(firstBitDifference(z, results[path]!.z) == nil, "forward, codes and doubles, \(path)")
            #expect(firstBitDifference(g, results[path]!.g) == nil, "backward, codes and doubles, \(path)")
          }
        }
      }
    }
  }

  @Test(
    "The course's 8-bit digits take the coded form: at most 256 distinct values with the bias's 1",
    .enabled(if: haveCourseFiles, courseFilesMissing))
  func courseDigitsAreCoded() throws {
    let X = try #require(try CourseFile.read("ex4data1-8bit.mat")["X"])
    let sparse = try #require(SparseInput(X, width: 28))
    #expect(sparse.isCoded)
    #expect(Set(sparse.table) == Set(X.values.filter { $0 != 0 } + [1]))
  }

  @Test(
    "The gradient's sparse product gives the same bits cut into 1 piece (after the chunks' pass), 7 or 40 (in it), run by 1, 2 or 5 runners"
  )
  func gradientPiecesDoNotChangeResults() {
    var generator = SeededGenerator(seed: 141)
    let X = randomData(3000, 50, density: 0.3, using: &generator)
    let y = randomTargets(3000, 5, linear: false, using: &generator)
    let network = FeedforwardNetwork(
      Theta: randomWeights([50, 13, 5], scale: 0.5, using: &generator), hiddenActivation: .sigmoid,
      output: .classifier)
    var results: [(J: Double, grad: Matrix)] = []
    for pieces in [1, 7, 40] {
      let workspace = NetworkWorkspace(X: X, layerSizes: [50, 13, 5], firstLayer: .sparse)
      workspace.gradientPieces = pieces
      results.append(network.costFunction(y: y, lambda: 1, in: workspace))
    }
    for result in results.dropFirst() {
      #expect(result.J.bitPattern == results[0].J.bitPattern)
      #expect(firstBitDifference(result.grad.values, results[0].grad.values) == nil)
    }
    // The helpers that stay ready: every runner runs a pass once; a pass
    // asked for inside a pass is refused (and then goes to Dispatch).
    let runners = Runners.shared
    let ran = Mutex([Int](repeating: 0, count: runners.helpers + 1))
    let nested = Mutex([Bool]())
    for _ in 0..<50 {
      let accepted = runners.run { runner in
        ran.withLock { $0[runner] += 1 }
        let inner = runners.run { _ in }
        nested.withLock { $0.append(inner) }
      }
      if !accepted { continue }  // another test's pass was under way
    }
    let passes = ran.withLock { $0[0] }
    #expect(ran.withLock { $0 } == [Int](repeating: passes, count: runners.helpers + 1))
    #expect(nested.withLock { $0.allSatisfy { !$0 } })
    // The counter hands every piece out exactly once, whatever the runners.
    for workers in [1, 2, 5] {
      let taken = Mutex([Int](repeating: 0, count: 37))
      NetworkWorkspace.inParallel(37, workers: workers) { piece in taken.withLock { $0[piece] += 1 } }
      #expect(taken.withLock { $0 } == [Int](repeating: 1, count: 37), "\(workers) runners")
    }
  }

  @Test("A piece in the chunks' pass goes on only once every chunk it waits for is finished, and sees its work")
  func piecesWaitForTheirChunks() {
    var generator = SeededGenerator(seed: 151)
    let m = 5000
    let workspace = NetworkWorkspace(
      X: randomData(m, 20, density: 0.3, using: &generator), layerSizes: [20, 9, 3], firstLayer: .sparse)
    workspace.prepare(layerSizes: [20, 9, 3])
    let (chunks, size) = (workspace.chunks, workspace.chunkSize)
    #expect(chunks >= 4, "\(chunks) chunks of \(size)")
    let finished = UnsafeMutablePointer<Int>.allocate(capacity: chunks)
    defer { finished.deallocate() }
    finished.initialize(repeating: 0, count: chunks)
    let problems = Mutex([String]())
    for pass in 1...12 {
      workspace.forEachChunk(
        { c, _ in
          // Some chunks slow, others not, so that pieces start before them.
          if c % 3 == pass % 3 || c == chunks - 1 { usleep(1500) }
          finished[c] = pass
        }, thenPieces: 6
      ) { k in
        var known = 0
        var wanted = 1 + k * m / 6
        while wanted <= m {
          let done = workspace.examplesDone(atLeast: wanted, knownChunks: &known)
          let unfinished = (0..<((done + size - 1) / size)).filter { finished[$0] != pass }
          if done < wanted || done != m && done % size != 0 || !unfinished.isEmpty {
            problems.withLock {
              if $0.count < 5 {
                $0.append("pass \(pass), piece \(k): \(done) done for \(wanted), unfinished \(unfinished)")
              }
            }
          }
          wanted = done + 1
        }
      }
      let unfinished = (0..<chunks).filter { finished[$0] != pass }
      #expect(unfinished.isEmpty, "pass \(pass): chunks \(unfinished) not run")
    }
    #expect(problems.withLock { $0 }.isEmpty, "the first problems: \(problems.withLock { $0 })")
  }

  /// Labels the engine refuses (the course's functions check them first;
  /// the engine's own check guards its other callers), and its message.
  static let badLabels: [(labels: [Double], message: String)] = [
    ([1, 1.5, 2], "y(2) = 1.5 is not a label in 1…2"),
    ([1, 2, 3], "y(3) = 3.0 is not a label in 1…2"),
    ([0, 1, 2], "y(1) = 0.0 is not a label in 1…2"),
    ([1, .nan, 2], "y(2) = nan is not a label in 1…2"),
    ([1, 2, -.infinity], "y(3) = -inf is not a label in 1…2"),
  ]

  @Test("The engine stops on a label that is not a whole number in 1…K, naming it", arguments: badLabels.indices)
  func engineRefusesBadLabels(_ k: Int) async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [k] in
      let network = FeedforwardNetwork(
        Theta: [Matrix.zeros(2, 3), Matrix.zeros(2, 3)], hiddenActivation: .sigmoid, output: .classifier)
      _ = network.costFunction(
        X: Matrix.zeros(3, 2), y: Matrix(column: FeedforwardNetworkTests.badLabels[k].labels), lambda: 0)
    }
    #if DEBUG
      let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
      #expect(text.contains(Self.badLabels[k].message), "not in: \(text)")
    #endif
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
