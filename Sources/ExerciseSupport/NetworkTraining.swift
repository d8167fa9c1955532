import ArgumentParser
import Foundation
import NeuralNetworkLearning

/// Training a sigmoid network on digits with fmincg, through the course's
/// cost function for any number of hidden layers (``NNCostFunction``).
package struct NetworkTraining {
  /// Units per layer, input to output, e.g. `[400, 25, 10]`.
  package let layerSizes: [Int]
  package let costFunction: NNCostFunction
  /// The regularisation parameter.
  package let lambda: Double

  package init(layerSizes: [Int], X: Matrix, y: Matrix, lambda: Double) {
    self.layerSizes = layerSizes
    self.lambda = lambda
    costFunction = NNCostFunction(layerSizes: layerSizes, X: X, y: y, lambda: lambda)
  }

  /// The cost and gradient at the unrolled weights `nnParams`.
  package func cost(_ nnParams: Matrix) -> (J: Double, grad: Matrix) {
    costFunction(nnParams)
  }

  /// fmincg from `initial` (unrolled): the trained `[Theta1, …]`, the cost
  /// after each iteration, and the seconds taken.
  ///
  /// - Throws: an option error (exit 64) when training ends without a finite
  ///   cost: with the data checked finite, only a regularisation too large
  ///   for doubles does that (`--lambda 1e308` makes the cost NaN at the
  ///   start, fmincg takes no step, and the "trained" weights would be the
  ///   initial ones), so no weights are returned to be shown or saved.
  package func run(from initial: Matrix, maxIter: Int, progress: FmincgProgress) throws -> (
    Thetas: [Matrix], costs: [Double], seconds: Double
  ) {
    let clock = ContinuousClock()
    let start = clock.now
    let (nnParams, fX, _) = fmincg(costFunction.callAsFunction, initial, maxIter: maxIter, progress: progress)
    let elapsed = seconds(clock.now - start)
    guard let last = fX.last, last.isFinite else {
      let cost = fX.last ?? costFunction(nnParams).0
      throw ValidationError(
        "--lambda \(octaveSpelling(lambda)): training ended at a cost of \(octaveSpelling(cost)) after "
          + "\(fX.count) iterations, so the weights were not trained and nothing was saved; use a smaller --lambda")
    }
    return (roll(nnParams, into: weightShapes(layerSizes)), fX, elapsed)
  }
}
