/// The outputs of the trained linear-output network: tanh hidden units, one linear output.
///
/// Octave: `h1 = tanh([ones(m, 1) X] * Theta1')`,
/// `p = [ones(m, 1) h1] * Theta2'`. `Theta1` is s2 × (n + 1), `Theta2`
/// 1 × (s2 + 1), `X` m × n; the result is m × 1, the network's estimate of
/// y for each row: the forward pass of
/// ``nnCostFunctionLinear(_:inputLayerSize:hiddenLayerSize:X:y:lambda:)``.
///
/// - Precondition: `Theta2` is one row of `Theta1.rows + 1` weights and `X`
///   has `Theta1.columns − 1` columns. Otherwise the program stops with a
///   message naming the shapes, e.g. `predictLinear: Theta2 is 2×9 but must
///   be one row (one linear output)`.
public func predictLinear(_ Theta1: Matrix, _ Theta2: Matrix, _ X: Matrix) -> Matrix {
  precondition(Theta2.rows == 1, "predictLinear: Theta2 is \(Theta2.shape) but must be one row (one linear output)")
  checkLayersFollow([Theta1, Theta2], X: X)
  let h1 = tanh(X.prependingOnes() * Theta1.transposed())
  return h1.prependingOnes() * Theta2.transposed()
}
