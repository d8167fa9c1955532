import Foundation
import NeuralNetworkLearning

/// Training a sigmoid network on digits with fmincg, through the course's
/// cost function for any number of hidden layers (``NNCostFunction``), or
/// through a cost function given (a student's `nnCostFunction`).
package struct NetworkTraining {
  /// Units per layer, input to output, e.g. `[400, 25, 10]`.
  package let layerSizes: [Int]
  /// `[J, grad] = costFunction(nn_params)` on the training data.
  package let costFunction: (Matrix) -> (J: Double, grad: Matrix)

  package init(layerSizes: [Int], X: Matrix, y: Matrix, lambda: Double) {
    self.init(
      layerSizes: layerSizes,
      costFunction: NNCostFunction(layerSizes: layerSizes, X: X, y: y, lambda: lambda).callAsFunction)
  }

  /// Training with `costFunction`, which must take the unrolled weights of a
  /// network with `layerSizes` units per layer.
  package init(layerSizes: [Int], costFunction: @escaping (Matrix) -> (J: Double, grad: Matrix)) {
    self.layerSizes = layerSizes
    self.costFunction = costFunction
  }

  /// The cost and gradient at the unrolled weights `nnParams`.
  package func cost(_ nnParams: Matrix) -> (J: Double, grad: Matrix) {
    costFunction(nnParams)
  }

  /// fmincg from `initial` (unrolled): the trained `[Theta1, …]`, the cost
  /// after each iteration, and the seconds taken (an `observer`'s time included).
  package func run(
    from initial: Matrix, maxIter: Int, progress: FmincgProgress, observer: FmincgObserver? = nil
  ) -> (Thetas: [Matrix], costs: [Double], seconds: Double) {
    let clock = ContinuousClock()
    let start = clock.now
    let (nnParams, fX, _) = fmincg(costFunction, initial, maxIter: maxIter, progress: progress, observer: observer)
    let elapsed = seconds(clock.now - start)
    return (roll(nnParams, into: weightShapes(layerSizes)), fX, elapsed)
  }
}
