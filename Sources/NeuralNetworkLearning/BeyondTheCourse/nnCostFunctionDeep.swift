/// The cost and gradient of a sigmoid network with any number of hidden layers, by backpropagation.
///
/// The course's network, ``nnCostFunction(_:inputLayerSize:hiddenLayerSize:numLabels:X:y:lambda:)``,
/// has layers `[n, s2, K]`; this one takes every layer's size,
/// `layerSizes = [s1, s2, …, sL]` (L ≥ 2, bias units not counted): s1 = n
/// inputs, s2 … s(L−1) sigmoid hidden units, sL = K sigmoid output units.
/// The lecture notes' advice for more than one hidden layer is the same
/// number of units in each, but any sizes work.
///
/// `nnParams` is the weights unrolled as in the lecture notes,
/// `[Theta1(:); Theta2(:); …; Theta(L−1)(:)]`, Theta(l) being
/// `s(l+1) × (1 + s(l))`, so for `[400, 25, 25, 10]` Theta1 is 25 × 401 (its
/// 10025 elements first), Theta2 25 × 26, Theta3 10 × 26. `X` is m × s1, one
/// example per row; `y` holds m labels 1…K. With Y the labels one-hot (m × K):
///
///     a(1)   = [1 X]                                  m × (1 + s1)
///     z(l+1) = a(l) · Theta(l)ᵀ                       m × s(l+1)
///     a(l+1) = [1 sigmoid(z(l+1))]   (l + 1 < L)      m × (1 + s(l+1))
///     a(L)   = sigmoid(z(L))                          m × K
///
///     J = −(1/m) Σ Σ [Y .* log(a(L)) + (1 − Y) .* log(1 − a(L))]
///         + (λ/(2m)) Σₗ Σ Σ Theta(l)(:, 2:end).²
///
///     delta(L) = a(L) − Y
///     delta(l) = (delta(l+1) · Theta(l)(:, 2:end)) .* sigmoidGradient(z(l)),  l = L−1 … 2
///     Theta_grad(l) = delta(l+1)ᵀ · a(l) / m + (λ/m) [0 Theta(l)(:, 2:end)]
///
/// and `grad = [Theta_grad(1)(:); …; Theta_grad(L−1)(:)]`, shaped like
/// `nnParams`. The code is those formulas, layer by layer; for `layerSizes:
/// [n, h, K]` it computes what `nnCostFunction` does. For training,
/// ``NNCostFunction/init(layerSizes:X:y:lambda:)`` gives the same J and
/// gradient (to rounding) many times faster.
///
/// - Precondition: `layerSizes` has at least two positive entries, `nnParams`
///   has Σₗ s(l+1)·(1 + s(l)) elements, `X` has s1 columns, and `y` has one
///   label in 1…sL per row of `X`.
public func nnCostFunctionDeep(
  _ nnParams: Matrix, layerSizes: [Int], X: Matrix, y: Matrix, lambda: Double
) -> (J: Double, grad: Matrix) {
  precondition(
    layerSizes.count >= 2 && layerSizes.allSatisfy { $0 >= 1 },
    "nnCostFunctionDeep: every layer needs at least one unit, got \(layerSizes)")
  let L = layerSizes.count
  let K = layerSizes[L - 1]
  checkCostFunctionArguments(nnParams, shapes: weightShapes(layerSizes), X: X, y: y, labels: K)
  // Index 0 is left unused so that Theta[1] is Theta1, a[1] is a1, z[2] is z2.
  let none = Matrix.zeros(0, 0)
  let Theta = [none] + roll(nnParams, into: weightShapes(layerSizes))
  let m = Double(X.rows)

  // Feedforward, layer by layer, keeping every z(l) and a(l).
  var a = [none, X.prependingOnes()]
  var z = [none, none]
  for l in 1..<(L - 1) {
    z.append(a[l] * Theta[l].transposed())
    a.append(sigmoid(z[l + 1]).prependingOnes())
  }
  z.append(a[L - 1] * Theta[L - 1].transposed())
  a.append(sigmoid(z[L]))

  // The cost against y recoded one-hot, then the penalty off the bias columns.
  let Y = Matrix.eye(K)[rows: y.values.map { Int($0) }]
  var J = -(1 / m) * (Y .* log(a[L]) + (1 - Y) .* log(1 - a[L])).sum()
  for l in 1..<L { J += lambda / (2 * m) * Theta[l][columns: 2...].sumOfSquares() }

  // Backpropagation: delta(L), then back through the hidden layers.
  var delta = [Matrix](repeating: none, count: L + 1)
  delta[L] = a[L] - Y
  for l in stride(from: L - 1, through: 2, by: -1) {
    delta[l] = (delta[l + 1] * Theta[l][columns: 2...]) .* sigmoidGradient(z[l])
  }

  // Each layer's gradient, regularised off the bias column.
  var Theta_grad: [Matrix] = []
  for l in 1..<L {
    Theta_grad.append(
      delta[l + 1].transposed() * a[l] / m + (lambda / m) * Theta[l][columns: 2...].prependingColumn(of: 0))
  }
  return (J, unroll(Theta_grad))
}
