import NeuralNetworkLearning

/// The functions the course asks a student to write for Exercise 4, as one
/// value: the script (`ex4`, `ex4 --student`) and the grader (`ex4 submit`)
/// take whichever implementation they are given — the reference one
/// (``ReferenceFunctions``), the student's own (`exercises/student/`), or, in
/// the tests, one with a mistake planted in it.
///
/// The signatures are the course functions' in ``NeuralNetworkLearning``.
package protocol ExerciseFunctions {
  /// `g = sigmoidGradient(z)`: the sigmoid's derivative at every element of `z`.
  func sigmoidGradient(_ z: Matrix) -> Matrix

  /// `W = randInitializeWeights(L_in, L_out)`: an `L_out × (1 + L_in)` matrix
  /// of small random weights drawn from `generator`.
  func randInitializeWeights(_ L_in: Int, _ L_out: Int, using generator: inout OctaveRandom) -> Matrix

  /// `[J, grad] = nnCostFunction(nn_params, …, X, y, lambda)` for the course's
  /// three-layer network.
  func nnCostFunction(
    _ nnParams: Matrix, inputLayerSize: Int, hiddenLayerSize: Int, numLabels: Int, X: Matrix, y: Matrix,
    lambda: Double
  ) -> (J: Double, grad: Matrix)

  /// The course's `costFunction = @(p) nnCostFunction(p, …, X, y, lambda)`
  /// for a network with `layerSizes` units per layer, the one the script
  /// costs the loaded weights with and trains with fmincg.
  ///
  /// The default wraps ``nnCostFunction(_:inputLayerSize:hiddenLayerSize:numLabels:X:y:lambda:)``
  /// and so takes three layers only; the reference implementation returns
  /// the fast evaluator ``NNCostFunction``, which takes any number.
  func costFunction(layerSizes: [Int], X: Matrix, y: Matrix, lambda: Double) -> (Matrix) -> (J: Double, grad: Matrix)
}

extension ExerciseFunctions {
  package func costFunction(layerSizes: [Int], X: Matrix, y: Matrix, lambda: Double) -> (Matrix) -> (
    J: Double, grad: Matrix
  ) {
    precondition(
      layerSizes.count == 3, "nnCostFunction takes a network of three layers, not \(layerSizes.count): \(layerSizes)")
    return { nnParams in
      self.nnCostFunction(
        nnParams, inputLayerSize: layerSizes[0], hiddenLayerSize: layerSizes[1], numLabels: layerSizes[2], X: X, y: y,
        lambda: lambda)
    }
  }

  /// Initial weights for every layer, `[Theta1, …, Theta(L−1)]`:
  /// ``randInitializeWeights(_:_:using:)`` for each pair of neighbouring
  /// layers in turn, from the one stream, as the course's script calls it.
  package func randInitializeWeights(layerSizes: [Int], using generator: inout OctaveRandom) -> [Matrix] {
    precondition(layerSizes.count >= 2, "randInitializeWeights: a network needs at least two layers, got \(layerSizes)")
    return (1..<layerSizes.count).map { randInitializeWeights(layerSizes[$0 - 1], layerSizes[$0], using: &generator) }
  }
}

/// The reference implementation: the course functions of ``NeuralNetworkLearning``,
/// trained through the fast ``NNCostFunction``.
package struct ReferenceFunctions: ExerciseFunctions {
  package init() {}

  package func sigmoidGradient(_ z: Matrix) -> Matrix {
    NeuralNetworkLearning.sigmoidGradient(z)
  }

  package func randInitializeWeights(_ L_in: Int, _ L_out: Int, using generator: inout OctaveRandom) -> Matrix {
    NeuralNetworkLearning.randInitializeWeights(L_in, L_out, using: &generator)
  }

  package func nnCostFunction(
    _ nnParams: Matrix, inputLayerSize: Int, hiddenLayerSize: Int, numLabels: Int, X: Matrix, y: Matrix,
    lambda: Double
  ) -> (J: Double, grad: Matrix) {
    NeuralNetworkLearning.nnCostFunction(
      nnParams, inputLayerSize: inputLayerSize, hiddenLayerSize: hiddenLayerSize, numLabels: numLabels, X: X, y: y,
      lambda: lambda)
  }

  package func costFunction(layerSizes: [Int], X: Matrix, y: Matrix, lambda: Double) -> (Matrix) -> (
    J: Double, grad: Matrix
  ) {
    NNCostFunction(layerSizes: layerSizes, X: X, y: y, lambda: lambda).callAsFunction
  }
}
