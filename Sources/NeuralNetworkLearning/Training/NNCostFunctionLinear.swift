internal import NeuralNetworkEngine

/// `costFunction = @(p) nnCostFunctionLinear(p, input_layer_size,
/// hidden_layer_size, X, y, lambda)`: the linear-output bonus network's cost
/// and gradient on fixed data, as a value to hand to ``fmincg(_:_:maxIter:progress:observer:)``.
///
/// It computes what ``nnCostFunctionLinear(_:inputLayerSize:hiddenLayerSize:X:y:lambda:)``
/// does through the package's engine, with its buffers made once and kept
/// by this value, as ``NNCostFunction`` does for the sigmoid network.
public final class NNCostFunctionLinear: Sendable {
  public let inputLayerSize: Int
  public let hiddenLayerSize: Int
  public let lambda: Double
  private let y: Matrix
  private let evaluator: NetworkEvaluator

  /// tanh hidden units and one linear output on `X` (m × inputLayerSize) and real targets `y`.
  public init(inputLayerSize: Int, hiddenLayerSize: Int, X: Matrix, y: Matrix, lambda: Double) {
    precondition(
      inputLayerSize >= 1 && hiddenLayerSize >= 1,
      "NNCostFunctionLinear: every layer needs at least one unit, got \(inputLayerSize) and \(hiddenLayerSize)")
    let layerSizes = [inputLayerSize, hiddenLayerSize, 1]
    checkCostFunctionArguments(nil, shapes: weightShapes(layerSizes), X: X, y: y, labels: nil)
    self.inputLayerSize = inputLayerSize
    self.hiddenLayerSize = hiddenLayerSize
    self.lambda = lambda
    self.y = y
    evaluator = NetworkEvaluator(layerSizes: layerSizes, hiddenActivation: .tanh, output: .linear, X: X)
  }

  /// `[J, grad] = costFunction(nn_params)`.
  public func callAsFunction(_ nnParams: Matrix) -> (J: Double, grad: Matrix) {
    checkCostFunctionArguments(
      nnParams, shapes: weightShapes(evaluator.layerSizes), X: evaluator.X, y: y, labels: nil)
    return evaluator.cost(nnParams, y: y, lambda: lambda)
  }
}
