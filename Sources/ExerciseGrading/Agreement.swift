import NeuralNetworkLearning

/// When a student's number counts as the expected one.
///
/// Two values agree when they differ by at most `relative` (1e-9) of the
/// expected value; an element of a matrix whose expected value is less than
/// a thousandth of the matrix's largest gets the bound of that thousandth
/// instead, since it comes out of sums whose terms are as large as the
/// largest element, and rounding is relative to them.
///
/// Why 1e-9: a correct implementation may add things up in another order
/// than the reference (a loop over examples, `sum(A, 2)` before `sum`, the
/// other operand first in a product). On the grader's inputs every value is
/// a sum of at most 16 × 5 terms of size below 3, so orders differ by a few
/// hundred units in the last place of the largest term at most: under 1e-13
/// relative. The smallest change any recognised mistake makes is about 1e-3
/// relative (the tests check every one, see `MistakeCatalogueTests`), and
/// real mistakes that are not recognised change values in the first
/// digits. 1e-9 is four orders of magnitude above the one and six below the
/// other, and also tighter than what `checkNNGradients` asks of a gradient.
package enum Agreement {
  package static let relative = 1e-9
  /// Elements below this fraction of the largest are judged against it.
  package static let floorFraction = 1e-3

  /// Whether `actual` agrees with `expected`. NaN agrees with nothing,
  /// infinities only with the same infinity.
  package static func agree(_ actual: Double, _ expected: Double) -> Bool {
    if actual == expected { return true }
    guard actual.isFinite && expected.isFinite else { return false }
    return abs(actual - expected) <= relative * max(abs(expected), abs(actual))
  }

  /// Whether `actual` has `expected`'s shape and each element agrees with
  /// its counterpart (see the type's description for small elements).
  package static func agree(_ actual: Matrix, _ expected: Matrix) -> Bool {
    actual.rows == expected.rows && actual.columns == expected.columns
      && firstDisagreement(actual.values, expected.values) == nil
  }

  /// The 0-based indices of the elements that do not agree, for two arrays
  /// of the same length.
  package static func disagreements(_ actual: [Double], _ expected: [Double]) -> [Int] {
    precondition(actual.count == expected.count, "disagreements: \(actual.count) vs \(expected.count) elements")
    let scale = expected.reduce(0) { max($0, abs($1)) }
    return actual.indices.filter { k in
      let (a, b) = (actual[k], expected[k])
      if a == b { return false }
      guard a.isFinite && b.isFinite else { return true }
      return abs(a - b) > relative * max(abs(b), floorFraction * scale)
    }
  }

  /// The first element (0-based) that does not agree, or nil.
  package static func firstDisagreement(_ actual: [Double], _ expected: [Double]) -> Int? {
    disagreements(actual, expected).first
  }
}
