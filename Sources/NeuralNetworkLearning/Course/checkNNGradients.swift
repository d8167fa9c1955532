import Foundation

/// Checks backpropagation against finite differences on a small fixed network.
///
/// The course's check: a 3–5–3 sigmoid network on m = 5 examples, with
/// ``debugInitializeWeights(_:_:)`` standing in for random numbers so every
/// run sees the same problem:
///
///     Theta1 = debugInitializeWeights(5, 3)     5 × 4
///     Theta2 = debugInitializeWeights(3, 5)     3 × 6
///     X      = debugInitializeWeights(5, 2)     5 × 3   (m = 5 rows)
///     y      = 1 + mod(1:m, 3)'                 [2; 3; 1; 2; 3]
///
/// It computes `grad` with
/// ``nnCostFunction(_:inputLayerSize:hiddenLayerSize:numLabels:X:y:lambda:)``
/// and `numgrad` with ``computeNumericalGradient(_:_:)`` (38 entries each),
/// prints them side by side as Octave's `disp([numgrad grad])` would,
/// followed by the course's explanation, and returns the relative difference
///
///     norm(numgrad − grad) / norm(numgrad + grad)
///
/// which is about 2e-11 for a correct implementation (the course asks for
/// less than 1e-9). With `quiet` nothing is printed.
///
/// `nnCostFunction` is the implementation checked: by default this module's
/// ``nnCostFunction(_:inputLayerSize:hiddenLayerSize:numLabels:X:y:lambda:)``;
/// `ex4 --student` passes the student's own.
@discardableResult
public func checkNNGradients(
  lambda: Double = 0, quiet: Bool = false,
  nnCostFunction: NNCostFunctionSignature = NeuralNetworkLearning.nnCostFunction
) -> Double {
  let (difference, report) = checkNNGradientsReport(lambda: lambda, nnCostFunction: nnCostFunction)
  if !quiet { print(report, terminator: "") }
  return difference
}

/// The type of ``nnCostFunction(_:inputLayerSize:hiddenLayerSize:numLabels:X:y:lambda:)``:
/// `(nnParams, inputLayerSize, hiddenLayerSize, numLabels, X, y, lambda) -> (J, grad)`.
public typealias NNCostFunctionSignature = (
  _ nnParams: Matrix, _ inputLayerSize: Int, _ hiddenLayerSize: Int, _ numLabels: Int, _ X: Matrix, _ y: Matrix,
  _ lambda: Double
) -> (J: Double, grad: Matrix)

/// ``checkNNGradients(lambda:quiet:nnCostFunction:)``'s relative difference and the text it prints.
func checkNNGradientsReport(
  lambda: Double, nnCostFunction: NNCostFunctionSignature = NeuralNetworkLearning.nnCostFunction
) -> (relativeDifference: Double, report: String) {
  let network = GradientCheckNetwork()
  func costFunc(_ p: Matrix) -> (J: Double, grad: Matrix) {
    nnCostFunction(
      p, network.input_layer_size, network.hidden_layer_size, network.num_labels, network.X, network.y, lambda)
  }
  let grad = costFunc(network.nnParams).grad
  let numgrad = computeNumericalGradient({ costFunc($0).J }, network.nnParams)

  let difference = norm(numgrad - grad) / norm(numgrad + grad)
  let report =
    octaveDisplay(Matrix(rows: grad.count, columns: 2, values: numgrad.values + grad.values))
    + "The above two columns you get should be very similar.\n"
    + "(Left-Your Numerical Gradient, Right-Analytical Gradient)\n\n"
    + "If your backpropagation implementation is correct, then \n"
    + "the relative difference will be small (less than 1e-9). \n"
    + "\nRelative Difference: " + (difference.isFinite ? String(format: "%g", difference) : octaveSpelling(difference))
    + "\n"
  return (difference, report)
}

/// The small network ``checkNNGradients(lambda:quiet:nnCostFunction:)`` checks, in the course's names.
struct GradientCheckNetwork {
  let input_layer_size = 3
  let hidden_layer_size = 5
  let num_labels = 3
  let m = 5
  let nnParams: Matrix
  let X: Matrix
  let y: Matrix

  init() {
    let Theta1 = debugInitializeWeights(hidden_layer_size, input_layer_size)
    let Theta2 = debugInitializeWeights(num_labels, hidden_layer_size)
    nnParams = unroll(Theta1, Theta2)
    X = debugInitializeWeights(m, input_layer_size - 1)
    let K = num_labels
    y = Matrix(column: (1...m).map { Double(1 + $0 % K) })
  }

  /// `nnCostFunction` of this network at `nnParams`.
  func cost(_ nnParams: Matrix, lambda: Double) -> (J: Double, grad: Matrix) {
    nnCostFunction(
      nnParams, inputLayerSize: input_layer_size, hiddenLayerSize: hidden_layer_size, numLabels: num_labels,
      X: X, y: y, lambda: lambda)
  }
}

/// The Euclidean norm of all elements, Octave's `norm(v)` for a vector.
private func norm(_ v: Matrix) -> Double {
  v.sumOfSquares().squareRoot()
}
