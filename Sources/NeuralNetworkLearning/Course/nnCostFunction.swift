/// The cost and gradient of the course's 3-layer sigmoid network, by backpropagation.
///
/// `nnParams` is `[Theta1(:); Theta2(:)]`, Theta1 `hiddenLayerSize ×
/// (inputLayerSize + 1)` and Theta2 `numLabels × (hiddenLayerSize + 1)`,
/// unrolled column-major. `X` is m × inputLayerSize, one example per row;
/// `y` holds m labels 1…K (K = numLabels; the course's digits use label 10 for
/// 0). With Y the labels recoded one-hot (m × K), all m examples at once, for
/// the course's 400–25–10 network on 5000 digits:
///
///     a1 = [1 X]                                    5000 × 401
///     z2 = a1 · Theta1ᵀ                             5000 × 25
///     a2 = [1 sigmoid(z2)]                          5000 × 26
///     z3 = a2 · Theta2ᵀ                             5000 × 10
///     a3 = sigmoid(z3)                              5000 × 10  (h_Θ(x) for each row)
///
///     J = −(1/m) Σ Σ [Y .* log(a3) + (1 − Y) .* log(1 − a3)]
///         + (λ/(2m)) [Σ Σ Theta1(:, 2:end).² + Σ Σ Theta2(:, 2:end).²]
///
///     delta3 = a3 − Y                                             5000 × 10
///     delta2 = (delta3 · Theta2(:, 2:end)) .* sigmoidGradient(z2) 5000 × 25
///     Theta1_grad = delta2ᵀ · a1 / m + (λ/m) [0 Theta1(:, 2:end)]   25 × 401
///     Theta2_grad = delta3ᵀ · a2 / m + (λ/m) [0 Theta2(:, 2:end)]   10 × 26
///
/// and `grad = [Theta1_grad(:); Theta2_grad(:)]`, a column shaped like
/// `nnParams`. The bias columns are not regularised. The cross-entropy is
/// evaluated exactly as written, as Octave does: an output unit saturated at
/// 0 or 1 on the wrong side makes J infinite (or NaN), not clipped.
///
/// The code below is those formulas, line by line, as a student writes them
/// in Octave. For training, ``NNCostFunction`` computes the same J and
/// gradient (to rounding) many times faster, keeping its buffers between calls.
///
/// - Precondition: `nnParams` is a vector of `hiddenLayerSize·(inputLayerSize
///   + 1) + numLabels·(hiddenLayerSize + 1)` elements, `X` has
///   `inputLayerSize` columns, and `y` is a vector of one label in
///   1…numLabels per row of `X`. Otherwise the program stops with a message
///   naming the shapes (the library's contract; callers such as `ex4` check
///   their inputs first), e.g. `The unrolled parameters have 10 elements but
///   the shapes 2×3, 2×3 need 12`, `X has 5 columns but the input layer has
///   2 units (Theta1 is 2×3)`, `y(2) = 3.0 is not a label in 1…2`. Values are
///   not checked: NaN or Inf in the inputs gives NaN or Inf in `J` and
///   `grad`, as in Octave.
public func nnCostFunction(
  _ nnParams: Matrix, inputLayerSize: Int, hiddenLayerSize: Int, numLabels: Int, X: Matrix, y: Matrix,
  lambda: Double
) -> (J: Double, grad: Matrix) {
  // Reshape nn_params back into the parameters Theta1 and Theta2.
  let shapes = [(rows: hiddenLayerSize, columns: inputLayerSize + 1), (rows: numLabels, columns: hiddenLayerSize + 1)]
  checkCostFunctionArguments(nnParams, shapes: shapes, X: X, y: y, labels: numLabels)
  let Theta = roll(nnParams, into: shapes)
  let (Theta1, Theta2) = (Theta[0], Theta[1])
  let m = Double(X.rows)

  // Part 1: feedforward, all m examples at once.
  let a1 = X.prependingOnes()
  let z2 = a1 * Theta1.transposed()
  let a2 = sigmoid(z2).prependingOnes()
  let z3 = a2 * Theta2.transposed()
  let a3 = sigmoid(z3)

  // y recoded as rows of the K × K identity: Y(i, :) is 1 in column y(i).
  let Y = Matrix.eye(numLabels)[rows: y.values.map { Int($0) }]

  // The cross-entropy summed over examples and labels, then the penalty on
  // every weight but the bias columns.
  var J = -(1 / m) * (Y .* log(a3) + (1 - Y) .* log(1 - a3)).sum()
  J += lambda / (2 * m) * (Theta1[columns: 2...].sumOfSquares() + Theta2[columns: 2...].sumOfSquares())

  // Part 2: backpropagation, the errors of every example at once.
  let delta3 = a3 - Y
  let delta2 = (delta3 * Theta2[columns: 2...]) .* sigmoidGradient(z2)
  let Delta1 = delta2.transposed() * a1
  let Delta2 = delta3.transposed() * a2

  // Part 3: the gradients, regularised off the bias column.
  let Theta1_grad = Delta1 / m + (lambda / m) * Theta1[columns: 2...].prependingColumn(of: 0)
  let Theta2_grad = Delta2 / m + (lambda / m) * Theta2[columns: 2...].prependingColumn(of: 0)

  return (J, unroll(Theta1_grad, Theta2_grad))
}
