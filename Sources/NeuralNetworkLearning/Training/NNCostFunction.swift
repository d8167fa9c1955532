package import NeuralNetworkEngine

/// The course's `costFunction = @(p) nnCostFunction(p, input_layer_size,
/// hidden_layer_size, num_labels, X, y, lambda)`: the cost and gradient of a
/// sigmoid network on fixed data, as a value to hand to ``fmincg(_:_:maxIter:progress:observer:)``.
///
///     let costFunction = NNCostFunction(
///       inputLayerSize: 400, hiddenLayerSize: 25, numLabels: 10, X: X, y: y, lambda: 1)
///     let (nn_params, cost, _) = fmincg(costFunction.callAsFunction, initial_nn_params, maxIter: 50)
///
/// It computes what ``nnCostFunction(_:inputLayerSize:hiddenLayerSize:numLabels:X:y:lambda:)``
/// (or, for more layers, ``nnCostFunctionDeep(_:layerSizes:X:y:lambda:)``)
/// computes, the same formulas, but through the package's engine: the
/// examples are processed in fixed chunks on every core, only the non-zero
/// pixels of X are visited when most are zero, and the buffers for every
/// layer are made on the first call and reused by every later one. J and
/// the gradient agree with the readable functions to rounding (about 1e-15
/// relative for J; see the engine's tests for the gradient's bound).
///
/// The buffers belong to this value and go when it does. Calls on one value
/// are made one at a time (a second caller waits); separate values run
/// independently.
///
/// - Precondition: as for `nnCostFunction`: `X` has `layerSizes[0]` columns,
///   `y` one label in 1…K per row of `X`, and each call's `nnParams` the
///   right number of elements.
public final class NNCostFunction: Sendable {
  /// s(1) … s(L): the units of each layer, bias units not counted.
  public let layerSizes: [Int]
  /// The regularisation parameter λ.
  public let lambda: Double
  private let y: Matrix
  private let evaluator: NetworkEvaluator

  /// The course's 3-layer network: `inputLayerSize` inputs, one hidden layer
  /// of `hiddenLayerSize` sigmoid units, `numLabels` sigmoid outputs.
  public convenience init(
    inputLayerSize: Int, hiddenLayerSize: Int, numLabels: Int, X: Matrix, y: Matrix, lambda: Double
  ) {
    self.init(layerSizes: [inputLayerSize, hiddenLayerSize, numLabels], X: X, y: y, lambda: lambda)
  }

  /// A sigmoid network with layers of `layerSizes` units, input first.
  public convenience init(layerSizes: [Int], X: Matrix, y: Matrix, lambda: Double) {
    self.init(layerSizes: layerSizes, X: X, y: y, lambda: lambda, firstLayer: .automatic)
  }

  /// As above, with the engine's way of making the first layer's products
  /// chosen explicitly (tests and benchmarks compare the choices).
  package init(layerSizes: [Int], X: Matrix, y: Matrix, lambda: Double, firstLayer: FirstLayerProducts) {
    precondition(
      layerSizes.count >= 2 && layerSizes.allSatisfy { $0 >= 1 },
      "NNCostFunction: every layer needs at least one unit, got \(layerSizes)")
    checkCostFunctionArguments(nil, shapes: weightShapes(layerSizes), X: X, y: y, labels: layerSizes.last!)
    self.layerSizes = layerSizes
    self.lambda = lambda
    self.y = y
    evaluator = NetworkEvaluator(
      layerSizes: layerSizes, hiddenActivation: .sigmoid, output: .classifier, X: X, firstLayer: firstLayer)
  }

  /// `[J, grad] = costFunction(nn_params)`.
  public func callAsFunction(_ nnParams: Matrix) -> (J: Double, grad: Matrix) {
    checkCostFunctionArguments(nnParams, shapes: weightShapes(layerSizes), X: evaluator.X, y: y, labels: nil)
    return evaluator.cost(nnParams, y: y, lambda: lambda)
  }
}
