import Foundation

/// Fixed, non-random weights for checking gradients: sin(1), sin(2), … / 10.
///
/// Octave: `W = reshape(sin(1:numel(W)), size(W)) / 10` with
/// `W = zeros(fan_out, 1 + fan_in)`. The result is `fanOut × (1 + fanIn)`,
/// the shape of the weights from a layer of `fanIn` units (plus its bias) to
/// a layer of `fanOut` units, filled column by column:
/// `W[i, j] = sin(i + (j − 1)·fanOut) / 10`. The same numbers on every run
/// make gradient checks repeatable.
public func debugInitializeWeights(_ fanOut: Int, _ fanIn: Int) -> Matrix {
  let count = fanOut * (1 + fanIn)
  return reshape((0..<count).map { sin(Double($0 + 1)) / 10 }, fanOut, 1 + fanIn)
}
