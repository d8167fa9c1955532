/// The gradient of `J` at `theta` by central differences, one coordinate at a time.
///
/// For each element p of `theta` (column-major order), with e = 10⁻⁴ and
/// e_p the matrix that is e at p and 0 elsewhere:
///
///     loss1 = J(theta − e_p)
///     loss2 = J(theta + e_p)
///     numgrad(p) = (loss2 − loss1) / (2e)
///
/// The result has the shape of `theta`. The error is O(e²) in the third
/// derivative plus about ε·|J| / e from rounding, so it agrees with an exact
/// gradient to roughly 9 to 11 significant digits. It calls `J` twice per
/// element: use it on small networks only. Any shape of `theta` is accepted;
/// a `J` that returns Inf or NaN gives Inf or NaN in those elements.
public func computeNumericalGradient(_ J: (Matrix) -> Double, _ theta: Matrix) -> Matrix {
  let e = 1e-4
  var numgrad = Matrix.zeros(theta.rows, theta.columns)
  var perturbed = theta
  for p in 1..<(theta.count + 1) {
    perturbed[p] = theta[p] - e
    let loss1 = J(perturbed)
    perturbed[p] = theta[p] + e
    let loss2 = J(perturbed)
    numgrad[p] = (loss2 - loss1) / (2 * e)
    perturbed[p] = theta[p]
  }
  return numgrad
}
