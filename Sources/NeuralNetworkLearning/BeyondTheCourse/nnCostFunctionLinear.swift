/// The cost and gradient of a 3-layer network with tanh hidden units and one linear output.
///
/// The lecture notes' "NN for linear systems" bonus: a regression network.
/// `nnParams` is `[Theta1(:); Theta2(:)]`, Theta1 `hiddenLayerSize ×
/// (inputLayerSize + 1)` and Theta2 `1 × (hiddenLayerSize + 1)`. `X` is
/// m × inputLayerSize, `y` m × 1 real targets. All m examples at once:
///
///     a1 = [1 X]                                   m × (inputLayerSize + 1)
///     z2 = a1 · Theta1ᵀ                            m × hiddenLayerSize
///     a2 = [1 tanh(z2)]                            m × (hiddenLayerSize + 1)
///     a3 = a2 · Theta2ᵀ                            m × 1   (no output function)
///
///     J = (1/(2m)) Σ (a3 − y)²
///         + (λ/(2m)) [Σ Σ Theta1(:, 2:end).² + Σ Σ Theta2(:, 2:end).²]
///
///     delta3 = a3 − y                                          m × 1
///     delta2 = (delta3 · Theta2(:, 2:end)) .* (1 − tanh²(z2))  m × hiddenLayerSize
///     Theta1_grad = delta2ᵀ · a1 / m + (λ/m) [0 Theta1(:, 2:end)]
///     Theta2_grad = delta3ᵀ · a2 / m + (λ/m) [0 Theta2(:, 2:end)]
///
/// and `grad = [Theta1_grad(:); Theta2_grad(:)]`. The regularisation is
/// ``nnCostFunction(_:inputLayerSize:hiddenLayerSize:numLabels:X:y:lambda:)``'s,
/// bias columns excluded. For training, ``NNCostFunctionLinear`` gives the
/// same J and gradient (to rounding) many times faster.
///
/// - Precondition: `nnParams` is a vector of `hiddenLayerSize·(inputLayerSize
///   + 1) + hiddenLayerSize + 1` elements, `X` has `inputLayerSize` columns,
///   and `y` is a vector of one entry per row of `X`. Otherwise the program
///   stops with a message naming the shapes, e.g. `y must be a vector with
///   one entry per row of X (4), not a 1×5 matrix`. NaN or Inf in the inputs
///   gives NaN or Inf in `J` and `grad`, as in Octave.
public func nnCostFunctionLinear(
  _ nnParams: Matrix, inputLayerSize: Int, hiddenLayerSize: Int, X: Matrix, y: Matrix, lambda: Double
) -> (J: Double, grad: Matrix) {
  let shapes = [(rows: hiddenLayerSize, columns: inputLayerSize + 1), (rows: 1, columns: hiddenLayerSize + 1)]
  checkCostFunctionArguments(nnParams, shapes: shapes, X: X, y: y, labels: nil)
  let Theta = roll(nnParams, into: shapes)
  let (Theta1, Theta2) = (Theta[0], Theta[1])
  let m = Double(X.rows)
  let y = y.unrolled

  // Feedforward: tanh hidden units, a linear output.
  let a1 = X.prependingOnes()
  let z2 = a1 * Theta1.transposed()
  let a2 = tanh(z2).prependingOnes()
  let a3 = a2 * Theta2.transposed()

  // Half the mean squared error, then the penalty off the bias columns.
  let error = a3 - y
  var J = 1 / (2 * m) * error.sumOfSquares()
  J += lambda / (2 * m) * (Theta1[columns: 2...].sumOfSquares() + Theta2[columns: 2...].sumOfSquares())

  // Backpropagation; tanh′(z) = 1 − tanh²(z).
  let delta3 = error
  let delta2 = (delta3 * Theta2[columns: 2...]) .* (1 - tanh(z2) .* tanh(z2))
  let Theta1_grad = delta2.transposed() * a1 / m + (lambda / m) * Theta1[columns: 2...].prependingColumn(of: 0)
  let Theta2_grad = delta3.transposed() * a2 / m + (lambda / m) * Theta2[columns: 2...].prependingColumn(of: 0)

  return (J, unroll(Theta1_grad, Theta2_grad))
}
