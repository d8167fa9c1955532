/// The label the trained sigmoid network gives each example: the index of its largest output.
///
/// Octave: `h1 = sigmoid([ones(m, 1) X] * Theta1')`,
/// `h2 = sigmoid([ones(m, 1) h1] * Theta2')`, `[~, p] = max(h2, [], 2)`.
/// `Theta1` is s2 × (n + 1), `Theta2` K × (s2 + 1), `X` m × n. The result is
/// m × 1, each entry a label 1…K stored as a `Double` like Octave's `p`;
/// ties go to the smaller label. The forward pass is the one
/// ``nnCostFunction(_:inputLayerSize:hiddenLayerSize:numLabels:X:y:lambda:)``
/// uses.
public func predict(_ Theta1: Matrix, _ Theta2: Matrix, _ X: Matrix) -> Matrix {
  let h2 = FeedforwardNetwork(Theta: [Theta1, Theta2], hiddenActivation: .sigmoid, output: .classifier)
    .hypothesis(X)
  return Matrix(column: h2.indexOfMaximumInEachRow().map(Double.init))
}
