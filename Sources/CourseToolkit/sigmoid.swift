import Foundation

/// The logistic function g(z) = 1 / (1 + e^(−z)), elementwise.
///
/// Octave: `g = 1 ./ (1 + exp(-z))`. Any shape in, the same shape out; each
/// element lies in [0, 1], reaching exactly 0 or 1 in floating point once
/// |z| is large (z ≳ 37 gives 1), which is what makes the course's
/// cross-entropy `log(1 - a3)` become −Inf for a saturated unit. There are
/// no preconditions: NaN stays NaN, −Inf gives 0 and +Inf gives 1.
public func sigmoid(_ z: Matrix) -> Matrix {
  z.map { sigmoid($0) }
}

/// The logistic function g(z) = 1 / (1 + e^(−z)) of one number.
public func sigmoid(_ z: Double) -> Double {
  1 / (1 + exp(-z))
}
