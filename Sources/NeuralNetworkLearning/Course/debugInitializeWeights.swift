import Foundation

/// Fixed, non-random weights for checking gradients: sin(1), sin(2), … / 10.
///
/// Octave: `W = reshape(sin(1:numel(W)), size(W)) / 10` with
/// `W = zeros(fan_out, 1 + fan_in)`. The result is `fanOut × (1 + fanIn)`,
/// the shape of the weights from a layer of `fanIn` units (plus its bias) to
/// a layer of `fanOut` units, filled column by column:
/// `W[i, j] = sin(i + (j − 1)·fanOut) / 10`. The same numbers on every run
/// make gradient checks repeatable.
///
/// - Precondition: `fanOut` and `fanIn` are not negative; otherwise the
///   program stops naming them.
public func debugInitializeWeights(_ fanOut: Int, _ fanIn: Int) -> Matrix {
  precondition(
    fanOut >= 0 && fanIn >= 0,
    "debugInitializeWeights: fan_out and fan_in must not be negative (got \(fanOut) and \(fanIn))")
  let count = fanOut * (1 + fanIn)
  return reshape((0..<count).map { sin(Double($0 + 1)) / 10 }, fanOut, 1 + fanIn)
}
