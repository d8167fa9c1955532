/// The derivative of the sigmoid, g′(z) = g(z) .* (1 − g(z)), elementwise.
///
/// Octave: `g = sigmoid(z) .* (1 - sigmoid(z))`. Any shape in, the same shape
/// out; the largest value is g′(0) = 0.25, and g′ falls towards 0 on both
/// sides (g′(±1) ≈ 0.196612, g′(±5) ≈ 0.0066481). Backpropagation multiplies
/// by g′(z(l)) to carry an error back through a layer of sigmoid units.
/// There are no preconditions: NaN stays NaN and ±Inf give 0.
public func sigmoidGradient(_ z: Matrix) -> Matrix {
  z.map { sigmoidGradient($0) }
}

/// The derivative of the sigmoid at one point, g(z) · (1 − g(z)).
public func sigmoidGradient(_ z: Double) -> Double {
  let g = sigmoid(z)
  return g * (1 - g)
}
