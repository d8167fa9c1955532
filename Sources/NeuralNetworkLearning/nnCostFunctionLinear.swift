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
/// bias columns excluded; so are the passes (the internal
/// `FeedforwardNetwork`), with tanh for the sigmoid and a linear output.
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
  FeedforwardNetwork(
    unrolled: nnParams, layerSizes: [inputLayerSize, hiddenLayerSize, 1],
    hiddenActivation: .tanh, output: .linear
  )
  .costFunction(X: X, y: y, lambda: lambda)
}
