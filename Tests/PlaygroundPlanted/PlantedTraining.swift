import ExerciseData
import TrainingRecord
import ExercisePrograms
import Foundation
import NeuralNetworkLearning
import PlaygroundServer

/// The playground's `--student` training child with planted mistakes:
/// `playground-planted trap` trains with an nnCostFunction that traps on
/// its third call, `playground-planted loop` with one that never returns.
@main
struct PlantedTraining {
  static func main() throws {
    let mistake = CommandLine.arguments.dropFirst().first ?? "trap"
    try StudentTrainingChild.run(with: PlantedFunctions(mistake: mistake))
  }
}

/// The reference functions, but for a trap or an endless loop in nnCostFunction.
final class PlantedFunctions: ExerciseFunctions, @unchecked Sendable {
  let mistake: String
  var calls = 0

  init(mistake: String) { self.mistake = mistake }

  func sigmoidGradient(_ z: Matrix) -> Matrix { ReferenceFunctions().sigmoidGradient(z) }

  func randInitializeWeights(_ L_in: Int, _ L_out: Int, using generator: inout OctaveRandom) -> Matrix {
    ReferenceFunctions().randInitializeWeights(L_in, L_out, using: &generator)
  }

  func nnCostFunction(
    _ nnParams: Matrix, inputLayerSize: Int, hiddenLayerSize: Int, numLabels: Int, X: Matrix, y: Matrix,
    lambda: Double
  ) -> (J: Double, grad: Matrix) {
    calls += 1
    if calls > 3 {
      if mistake == "loop" {
        var k = 0
        while k >= 0 { k = (k + 1) % 7 }
      }
      let labels = [Int](repeating: 0, count: numLabels)
      _ = labels[numLabels + calls]  // the planted trap: an index out of range
    }
    return ReferenceFunctions().nnCostFunction(
      nnParams, inputLayerSize: inputLayerSize, hiddenLayerSize: hiddenLayerSize, numLabels: numLabels, X: X, y: y,
      lambda: lambda)
  }
}
