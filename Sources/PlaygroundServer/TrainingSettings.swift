import ExerciseData
import TrainingRecord
import ExercisePrograms
import Foundation
import NeuralNetworkLearning

/// What the page's Train panel sets, checked with the bounds and the words
/// of ex4's options (`--lambda`, `--hidden-layers`, `--max-iter`,
/// `--optimizer`, `--validation`, `--seed`).
package struct TrainingSettings: Codable, Equatable, Sendable {
  /// λ, the regularisation parameter.
  package var lambda: Double = 1
  /// Units in each hidden layer, first to last.
  package var hiddenLayers: [Int] = [25]
  /// Iterations of the minimiser (its line searches), as `--max-iter`.
  package var iterations: Int = 50
  /// `fmincg` or `lbfgs`.
  package var optimizer: String = Optimizer.fmincg.rawValue
  /// Per cent of the examples held out (0: none), as `--validation`.
  package var heldOutPercent: Double = 20
  /// The seed of the initial weights' stream (and of the held-out choice), as `--seed`.
  package var seed: UInt32 = 1

  package init() {}

  /// Settings from the page: any field left out keeps its default.
  package init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let defaults = TrainingSettings()
    lambda = try container.decodeIfPresent(Double.self, forKey: .lambda) ?? defaults.lambda
    hiddenLayers = try container.decodeIfPresent([Int].self, forKey: .hiddenLayers) ?? defaults.hiddenLayers
    iterations = try container.decodeIfPresent(Int.self, forKey: .iterations) ?? defaults.iterations
    optimizer = try container.decodeIfPresent(String.self, forKey: .optimizer) ?? defaults.optimizer
    heldOutPercent = try container.decodeIfPresent(Double.self, forKey: .heldOutPercent) ?? defaults.heldOutPercent
    seed = try container.decodeIfPresent(UInt32.self, forKey: .seed) ?? defaults.seed
  }

  /// The minimiser, when ``optimizer`` names one.
  package var minimiser: Optimizer? { Optimizer(rawValue: optimizer) }

  /// Units per layer, inputs to outputs.
  package func layerSizes(inputs: Int, labels: Int) -> [Int] { [inputs] + hiddenLayers + [labels] }

  /// The first problem with these settings, in the command line's words, or nil.
  package var problem: String? {
    guard lambda.isFinite && lambda >= 0 else {
      return "--lambda must be a finite number ≥ 0, got \(octaveSpelling(lambda))"
    }
    guard !hiddenLayers.isEmpty && hiddenLayers.count <= 10 else {
      return "--hidden-layers: give between 1 and 10 hidden layers, got \(hiddenLayers.count)"
    }
    for units in hiddenLayers {
      do { try TrainingOptions.checkLayerSize(units, option: "--hidden-layers") } catch {
        return "\(error)"
      }
    }
    guard iterations >= 1 && iterations <= TrainingOptions.largestMaxIter else {
      return "--max-iter must be between 1 and \(TrainingOptions.largestMaxIter), got \(iterations)"
    }
    guard minimiser != nil else {
      return "--optimizer must be fmincg or lbfgs, got '\(optimizer)'"
    }
    guard heldOutPercent.isFinite && heldOutPercent >= 0 && heldOutPercent < 100 else {
      return
        "--validation must be a percentage of the examples between 0% and 100% (such as 20%), got '\(heldOutPercent)%'"
    }
    return nil
  }
}
