import NeuralNetworkLearning
import Pictures
internal import NeuralNetworkEngine
import Foundation

/// A digit a trained network sees in an example, and how confident it is.
public struct DigitGuess: Equatable, Sendable {
  /// The digit, 0…9 (the course's label 10 is the digit 0).
  public let digit: Int
  /// The network's output unit for it, 1…10, as in the course's labels `y`.
  public let label: Int
  /// Its share of the network's outputs: output `label` divided by the sum
  /// of all outputs, so the confidences of one example add up to 1.
  public let confidence: Double

  public init(label: Int, confidence: Double) {
    self.label = label
    self.digit = label % 10
    self.confidence = confidence
  }
}

/// The digits a trained sigmoid network of any depth sees in each row of `X`,
/// most confident first.
///
/// `Thetas` is `[Theta1, …, Theta(L−1)]` as for ``predict(_:_:)-(_,Matrix)``,
/// with 10 output units (labels 1…10, 10 standing for 0). For each row, the
/// outputs h_1 … h_K of the network (each a sigmoid in 0…1, not summing to 1)
/// are made into confidences `h_k / Σ_j h_j`. The first guess of each row is
/// `predict`'s label; ties keep the smaller label first.
///
/// - Precondition: as ``predict(_:_:)-(_,Matrix)``.
public func digitGuesses(_ Thetas: [Matrix], _ X: Matrix) -> [[DigitGuess]] {
  let h = FeedforwardNetwork(Theta: Thetas, hiddenActivation: .sigmoid, output: .classifier).hypothesis(X)
  return (1..<(h.rows + 1)).map { i in
    let outputs = (1..<(h.columns + 1)).map { h[i, $0] }
    let total = outputs.reduce(0, +)
    return outputs.enumerated()
      .sorted { $0.element > $1.element || ($0.element == $1.element && $0.offset < $1.offset) }
      .map { DigitGuess(label: $0.offset + 1, confidence: total > 0 ? $0.element / total : 0) }
  }
}

/// A best guess below this confidence is called weak: ``photoWarnings(_:_:)``
/// says so.
public let weakGuessConfidence = 0.5

/// What a student should hear about a classified picture besides the guess:
/// the digit touches the picture's edge (part of it may be cut off), or the
/// network's best guess is weak (below ``weakGuessConfidence``). Empty when
/// neither.
public func photoWarnings(_ digit: DigitImage, _ guesses: [DigitGuess]) -> [String] {
  var warnings: [String] = []
  if digit.touchesEdge {
    warnings.append("the digit touches the edge of the picture, so part of it may be cut off; leave paper around it")
  }
  if let best = guesses.first, best.confidence < weakGuessConfidence {
    warnings.append(
      "the network is unsure (its best guess, \(best.digit), has only "
        + String(format: "%.0f", 100 * best.confidence) + "%); look at the 20×20 input it saw")
  }
  return warnings
}
