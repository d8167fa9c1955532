import ExerciseData
import OctaveCore
import Foundation

/// Examples kept aside from training to measure the network on digits it has
/// not seen: `--validation 20%`.
///
/// The examples are chosen by a Fisher–Yates shuffle of 1…m driven by an
/// Octave `rand` stream (position k, counted from 0, is swapped with
/// `k + floor(rand · (m − k))`); the first `round(fraction · m)` of the
/// shuffled order are kept aside. The same seed gives the same split, and the
/// stream is a separate one from the initial weights' (see ``stream(seed:)``),
/// so holding examples out does not change where training starts.
package struct ValidationSplit: Sendable, Equatable {
  /// The rows (1-based, increasing) trained on.
  package let trainingRows: [Int]
  /// The rows (1-based, increasing) kept aside.
  package let validationRows: [Int]

  /// The stream a run seeded with `seed` chooses its validation examples with.
  package static func stream(seed: UInt32) -> OctaveRandom {
    OctaveRandom(seed: seed ^ 0x7F4A_7C15)
  }

  /// Chooses `round(fraction · m)` of the m examples, at least one, and leaves at least one to train on.
  ///
  /// - Precondition: `m >= 2` and `0 < fraction < 1`.
  package init(examples m: Int, fraction: Double, random: inout OctaveRandom) {
    precondition(m >= 2, "ValidationSplit: needs at least 2 examples, got \(m)")
    precondition(fraction > 0 && fraction < 1, "ValidationSplit: the fraction must be between 0 and 1, got \(fraction)")
    var order = Array(1...m)
    for k in 0..<(m - 1) {
      let j = k + min(Int(random.rand() * Double(m - k)), m - k - 1)
      order.swapAt(k, j)
    }
    let count = min(max(Int((fraction * Double(m)).rounded()), 1), m - 1)
    validationRows = order.prefix(count).sorted()
    trainingRows = order.dropFirst(count).sorted()
  }

  /// Reads `20%` (or `20`, also meaning per cent) as 0.2.
  ///
  /// - Throws: a message naming `--validation` when the text is not a percentage strictly between 0 and 100.
  package static func parsePercentage(_ text: String) throws(InputError) -> Double {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    let number = trimmed.hasSuffix("%") ? String(trimmed.dropLast()) : trimmed
    guard let percent = Double(number.trimmingCharacters(in: .whitespaces)), percent > 0, percent < 100 else {
      throw InputError(
        "--validation must be a percentage of the examples between 0% and 100% (such as 20%), got '\(text)'")
    }
    return percent / 100
  }
}
