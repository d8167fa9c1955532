import Ex4Student
import ExerciseData
import TrainingRecord
import ExercisePrograms
import NeuralNetworkLearning

/// The student's own functions in `exercises/student/`, for the playground's
/// `--student` training and its Grade button.
struct PlaygroundStudentFunctions: ExerciseFunctions {
  func sigmoidGradient(_ z: Matrix) -> Matrix { Ex4Student.sigmoidGradient(z) }

  func randInitializeWeights(_ L_in: Int, _ L_out: Int, using generator: inout OctaveRandom) -> Matrix {
    Ex4Student.randInitializeWeights(L_in, L_out, using: &generator)
  }

  func nnCostFunction(
    _ nnParams: Matrix, inputLayerSize: Int, hiddenLayerSize: Int, numLabels: Int, X: Matrix, y: Matrix,
    lambda: Double
  ) -> (J: Double, grad: Matrix) {
    Ex4Student.nnCostFunction(
      nnParams, inputLayerSize: inputLayerSize, hiddenLayerSize: hiddenLayerSize, numLabels: numLabels, X: X, y: y,
      lambda: lambda)
  }
}
