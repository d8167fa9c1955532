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
/// `nnParams`. The passes are the internal `FeedforwardNetwork`'s, the same
/// ones `nnCostFunction` runs, so for `layerSizes: [n, h, K]` the two
/// functions return the same doubles.
///
/// - Precondition: `layerSizes` has at least two positive entries, `nnParams`
///   has Σₗ s(l+1)·(1 + s(l)) elements, `X` has s1 columns, and `y` has one
///   label in 1…sL per row of `X`.
public func nnCostFunctionDeep(
  _ nnParams: Matrix, layerSizes: [Int], X: Matrix, y: Matrix, lambda: Double
) -> (J: Double, grad: Matrix) {
  precondition(
    layerSizes.allSatisfy { $0 >= 1 }, "nnCostFunctionDeep: every layer needs at least one unit, got \(layerSizes)")
  return FeedforwardNetwork(unrolled: nnParams, layerSizes: layerSizes, hiddenActivation: .sigmoid, output: .classifier)
    .costFunction(X: X, y: y, lambda: lambda)
}
