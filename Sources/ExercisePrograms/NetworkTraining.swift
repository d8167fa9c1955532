import ArgumentParser
import Foundation
import NeuralNetworkLearning

/// Training a sigmoid network on digits with fmincg (or lbfgs), through the course's
/// cost function for any number of hidden layers (``NNCostFunction``), or
/// through a cost function given (a student's `nnCostFunction`).
package struct NetworkTraining {
  /// Units per layer, input to output, e.g. `[400, 25, 10]`.
  package let layerSizes: [Int]
  /// `[J, grad] = costFunction(nn_params)` on the training data.
  package let costFunction: (Matrix) -> (J: Double, grad: Matrix)
  /// The regularisation parameter the cost function was made with.
  package let lambda: Double

  package init(layerSizes: [Int], X: Matrix, y: Matrix, lambda: Double) {
    self.init(
      layerSizes: layerSizes, lambda: lambda,
      costFunction: NNCostFunction(layerSizes: layerSizes, X: X, y: y, lambda: lambda).callAsFunction)
  }

  /// Training with `costFunction`, which must take the unrolled weights of a
  /// network with `layerSizes` units per layer and regularise with `lambda`.
  package init(
    layerSizes: [Int], lambda: Double, costFunction: @escaping (Matrix) -> (J: Double, grad: Matrix)
  ) {
    self.layerSizes = layerSizes
    self.lambda = lambda
    self.costFunction = costFunction
  }

  /// The cost and gradient at the unrolled weights `nnParams`.
  package func cost(_ nnParams: Matrix) -> (J: Double, grad: Matrix) {
    costFunction(nnParams)
  }

  /// fmincg (or the `optimizer` given) from `initial` (unrolled): the
  /// trained `[Theta1, …]`, the cost after each iteration, and the seconds
  /// taken (an `observer`'s time included).
  ///
  /// - Throws: an option error (exit 64) when training ends at a cost that is
  ///   not finite, or takes no step from a gradient whose size overflows: with the data checked finite, a regularisation too large
  ///   for doubles does that (`--lambda 1e308` makes the cost NaN at the
  ///   start, fmincg takes no step, and the "trained" weights would be the
  ///   initial ones), so no weights are returned to be shown or saved. A run
  ///   whose every step failed at a finite cost (a student's unfinished
  ///   `nnCostFunction` returning zeros) returns its weights as they are.
  package func run(
    from initial: Matrix, maxIter: Int, optimizer: Optimizer = .fmincg, progress: FmincgProgress,
    observer: FmincgObserver? = nil
  ) throws -> (Thetas: [Matrix], costs: [Double], seconds: Double) {
    let clock = ContinuousClock()
    let start = clock.now
    let (nnParams, fX, _) = optimizer.minimize(
      costFunction, initial, maxIter: maxIter, progress: progress, observer: observer)
    let elapsed = seconds(clock.now - start)
    // Without a single successful step, also look at the gradient: when its
    // squared norm overflows (λ far too large for doubles), fmincg could not
    // take a step at all, while a finite one (a student's unfinished
    // function returning zeros) leaves the weights as they are.
    let (J, grad) = fX.isEmpty ? costFunction(nnParams) : (fX.last!, Matrix.zeros(0, 0))
    let cost = fX.last ?? J
    guard cost.isFinite && grad.sumOfSquares().isFinite else {
      let advice = lambda > 1e100 ? "; use a smaller --lambda" : ""
      throw ValidationError(
        "--lambda \(octaveSpelling(lambda)): training ended at a cost of \(octaveSpelling(cost)) after "
          + "\(fX.count) iterations, so the weights were not trained and nothing was saved\(advice)")
    }
    return (roll(nnParams, into: weightShapes(layerSizes)), fX, elapsed)
  }
}
