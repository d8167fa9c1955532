import ArgumentParser
import NeuralNetworkLearning

/// The minimiser a program trains with, `--optimizer fmincg|lbfgs`: the
/// course's conjugate gradients (the default), or limited-memory BFGS.
package enum Optimizer: String, CaseIterable, ExpressibleByArgument, Sendable {
  /// ``fmincg(_:_:maxIter:progress:observer:)``, the course's.
  case fmincg
  /// ``lbfgs(_:_:maxIter:memory:gradientTolerance:costTolerance:progress:observer:)``,
  /// beyond the course, with its default memory and stopping tolerances.
  case lbfgs

  /// `f` minimised from `X` with at most `maxIter` line searches (or
  /// `-maxIter` evaluations): the point reached, the cost after each
  /// successful line search and the final counter, as both minimisers return them.
  package func minimize(
    _ f: (Matrix) -> (Double, Matrix), _ X: Matrix, maxIter: Int, progress: FmincgProgress,
    observer: FmincgObserver? = nil
  ) -> (X: Matrix, fX: [Double], i: Int) {
    switch self {
    case .fmincg: NeuralNetworkLearning.fmincg(f, X, maxIter: maxIter, progress: progress, observer: observer)
    case .lbfgs: NeuralNetworkLearning.lbfgs(f, X, maxIter: maxIter, progress: progress, observer: observer)
    }
  }

  /// The vectors the size of all the weights that training with it keeps,
  /// the cost function's included (``NetworkMemory``), about: 12 for fmincg;
  /// for lbfgs as many, its 2m = 20 remembered pairs, and 6 more (the line
  /// search keeps up to three trial points with their gradients).
  package var weightCopies: Int {
    switch self {
    case .fmincg: 12
    case .lbfgs: 12 + 2 * 10 + 6
    }
  }

  /// What the programs' output calls it: "fmincg", or "lbfgs (L-BFGS)".
  package var title: String {
    switch self {
    case .fmincg: "fmincg"
    case .lbfgs: "lbfgs (L-BFGS)"
    }
  }

  /// The line a program prints before training with anything but the course's fmincg, or nil.
  package var announcement: String? {
    switch self {
    case .fmincg: nil
    case .lbfgs:
      "Training with lbfgs (limited-memory BFGS, beyond the course) instead of the course's fmincg."
    }
  }
}

/// `--optimizer`, declared once for every command that trains (`ex4`,
/// `ex4 sweep`, `ex4-linear`, through ``TrainingOptions`` or directly).
package struct OptimizerOption: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "The minimiser: fmincg, the course's conjugate gradients (the default), or lbfgs, limited-memory BFGS (beyond the course; it usually reaches the same training accuracy in fewer cost evaluations). --max-iter counts the line searches of either.",
      valueName: "fmincg|lbfgs"))
  package var optimizer: Optimizer = .fmincg

  package init() {}
}
