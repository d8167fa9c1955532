import Foundation
import OctaveCore

/// One network shape evaluated again and again on one input matrix: the
/// engine's answer to `costFunction = @(p) nnCostFunction(p, …, X, y, lambda)`.
///
/// The evaluator owns the ``NetworkWorkspace`` for its X: the buffers of every
/// layer, X's sparse form when the sparse loops pay, and the partial sums.
/// They are made on the first evaluation and reused by every later one, so
/// training allocates nothing that grows with the number of examples after
/// its first step; they are freed when the evaluator is. Nothing is shared
/// with any other evaluator and nothing is kept anywhere else.
///
/// Evaluations on one evaluator are serialised (a lock): `fmincg` makes them
/// one at a time anyway. Two evaluators may run at once, each on both cores.
package final class NetworkEvaluator: @unchecked Sendable {
  /// s(1) … s(L), the units of each layer without its bias unit.
  package let layerSizes: [Int]
  package let hiddenActivation: FeedforwardNetwork.HiddenActivation
  package let output: FeedforwardNetwork.Output
  private let workspace: NetworkWorkspace
  private let lock = NSLock()

  /// An evaluator for networks of `layerSizes` units on the examples `X`
  /// (m × s(1), one per row). `firstLayer` chooses how the first layer's
  /// products are made; the result is the same to rounding.
  ///
  /// - Precondition: at least two layers, each of at least one unit, and X
  ///   has s(1) columns.
  package init(
    layerSizes: [Int], hiddenActivation: FeedforwardNetwork.HiddenActivation, output: FeedforwardNetwork.Output,
    X: Matrix, firstLayer: FirstLayerProducts = .automatic
  ) {
    precondition(layerSizes.count >= 2, "A network needs an input and an output layer")
    precondition(layerSizes.allSatisfy { $0 >= 1 }, "Every layer needs at least one unit, got \(layerSizes)")
    precondition(
      X.columns == layerSizes[0],
      "X has \(X.columns) columns but the input layer has \(layerSizes[0]) unit\(layerSizes[0] == 1 ? "" : "s")")
    self.layerSizes = layerSizes
    self.hiddenActivation = hiddenActivation
    self.output = output
    workspace = NetworkWorkspace(X: X, layerSizes: layerSizes, firstLayer: firstLayer)
  }

  /// The examples this evaluator works on.
  package var X: Matrix { workspace.X }

  /// J and its gradient for the weights unrolled in `nnParams`, against the
  /// targets `y` (labels 1…K for a classifier, values for a linear output).
  package func cost(_ nnParams: Matrix, y: Matrix, lambda: Double) -> (J: Double, grad: Matrix) {
    let network = FeedforwardNetwork(
      unrolled: nnParams, layerSizes: layerSizes, hiddenActivation: hiddenActivation, output: output)
    return lock.withLock { network.costFunction(y: y, lambda: lambda, in: workspace) }
  }

  /// The output layer's activations, m × K, for the weights `Thetas`.
  package func hypothesis(_ Thetas: [Matrix]) -> Matrix {
    let network = FeedforwardNetwork(Theta: Thetas, hiddenActivation: hiddenActivation, output: output)
    precondition(
      network.layerSizes == layerSizes, "The weights are for layers \(network.layerSizes), not \(layerSizes)")
    return lock.withLock { network.hypothesis(in: workspace) }
  }
}
