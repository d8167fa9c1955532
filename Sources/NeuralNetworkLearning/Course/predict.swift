/// The label the trained sigmoid network gives each example: the index of its largest output.
///
/// Octave: `h1 = sigmoid([ones(m, 1) X] * Theta1')`,
/// `h2 = sigmoid([ones(m, 1) h1] * Theta2')`, `[~, p] = max(h2, [], 2)`.
/// `Theta1` is s2 × (n + 1), `Theta2` K × (s2 + 1), `X` m × n. The result is
/// m × 1, each entry a label 1…K stored as a `Double` like Octave's `p`;
/// ties go to the smaller label.
///
/// - Precondition: `Theta2` has `Theta1.rows + 1` columns and `X` has
///   `Theta1.columns − 1`. Otherwise the program stops with a message naming
///   the shapes, e.g. `Theta2 is 2×4 but Theta1 is 2×3: Theta2 needs 3
///   columns (2 units plus the bias)`. NaN outputs are passed over, as by
///   Octave's `max`; a row of NaN alone gets label 1, as in Octave.
public func predict(_ Theta1: Matrix, _ Theta2: Matrix, _ X: Matrix) -> Matrix {
  predict([Theta1, Theta2], X)
}

/// The label a trained sigmoid network of any depth gives each example: the index of its largest output.
///
/// `Thetas` is `[Theta1, Theta2, …, Theta(L−1)]`, Theta(l) of size
/// s(l+1) × (1 + s(l)), `X` m × s1. Octave, layer by layer:
/// `h = X; for l = 1:L-1, h = sigmoid([ones(m, 1) h] * Theta{l}'); end`,
/// then `[~, p] = max(h, [], 2)`. The result is m × 1, each entry a label
/// 1…K as a `Double`; ties go to the smaller label. With two matrices it is
/// ``predict(_:_:_:)``.
///
/// - Precondition: `Thetas` is not empty, each matrix has one column more
///   than the previous one has rows, and `X` has `Thetas[0].columns − 1` columns.
public func predict(_ Thetas: [Matrix], _ X: Matrix) -> Matrix {
  checkLayersFollow(Thetas, X: X)
  var h = X
  for Theta in Thetas {
    h = sigmoid(h.prependingOnes() * Theta.transposed())
  }
  let p = h.indexOfMaximumInEachRow()
  return Matrix(column: p.map(Double.init))
}
