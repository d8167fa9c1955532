import Ex4Student
import ExercisePrograms
import NeuralNetworkLearning

/// The student's own functions, in `exercises/student/` (the `Ex4Student`
/// module), as the programs call them: what `ex4 --student` runs the script
/// on, what `ex4 submit` grades and what the playground trains with
/// `--student`.
///
/// A module of its own, so that only the programs that run the student's
/// code build it: the programs' shared support never depends on the
/// student's files, and a student's file that does not compile stops only
/// those programs.
package struct StudentFunctions: ExerciseFunctions {
  package init() {}

  package func sigmoidGradient(_ z: Matrix) -> Matrix {
    Ex4Student.sigmoidGradient(z)
  }

  package func randInitializeWeights(_ L_in: Int, _ L_out: Int, using generator: inout OctaveRandom) -> Matrix {
    Ex4Student.randInitializeWeights(L_in, L_out, using: &generator)
  }

  package func nnCostFunction(
    _ nnParams: Matrix, inputLayerSize: Int, hiddenLayerSize: Int, numLabels: Int, X: Matrix, y: Matrix,
    lambda: Double
  ) -> (J: Double, grad: Matrix) {
    Ex4Student.nnCostFunction(
      nnParams, inputLayerSize: inputLayerSize, hiddenLayerSize: hiddenLayerSize, numLabels: numLabels, X: X, y: y,
      lambda: lambda)
  }
}
