import CourseToolkit

/// SIGMOIDGRADIENT: how steep the sigmoid is at every element of `z`.
///
/// What it takes and gives back
/// ----------------------------
///   z        any matrix: a row, a column, a whole m × n block of inputs
///            (one number is a 1×1 matrix)
///   returns  a matrix of the same shape as z whose element (i, j) is
///            g′(z(i, j)), the derivative of the sigmoid
///            g(z) = 1 / (1 + e^(−z)) at that point
///
/// What to do
/// ----------
///   1. The derivative of the sigmoid can be written with the sigmoid
///      itself, as the lecture notes work out with the chain rule:
///
///          g′(z) = g(z) · (1 − g(z))
///
///   2. `sigmoid(z)` (from CourseToolkit) computes g for a whole
///      matrix at once. Work element by element: `A .* B` multiplies matching
///      elements and `1 - A` takes each element from 1. (`A * B` is the
///      matrix product, which is not what this formula means.)
///
///   3. Check your numbers: g′(0) is exactly 0.25, the steepest point; g′(z)
///      is the same for z and −z; it sinks towards 0 as |z| grows, and
///      g′(±1) ≈ 0.196612. `swift run ex4 --student` prints it at
///      [−1 −0.5 0 0.5 1], and `swift run ex4 submit` grades it.
///
/// `nnCostFunction` in this folder calls this function during
/// backpropagation (`sigmoidGradient(z2)` there means this one).
public func sigmoidGradient(_ z: Matrix) -> Matrix {
  // ------------------------------------------------------------------
  // Your code: replace these zeros with g′(z), element by element.
  let g = Matrix.zeros(z.rows, z.columns)
  // ------------------------------------------------------------------
  return g
}
