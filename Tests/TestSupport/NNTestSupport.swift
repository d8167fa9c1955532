import Foundation
import Testing

import NeuralNetworkLearning
import ExerciseSupport

/// One Octave-made case from `fixtures/nn` (see `fixtures/nn/README.md`).
package struct NNFixture {
  package let name: String
  package let variables: [String: Matrix]

  package init(_ name: String) throws {
    self.name = name
    variables = try MatFile.read(Fixture.path("nn/\(name)"))
  }

  package func matrix(_ key: String) throws -> Matrix {
    try #require(variables[key], "\(name) has no variable \(key)")
  }

  package func int(_ key: String) throws -> Int { Int(try matrix(key)[1]) }

  /// A 1×1 variable's value.
  package func scalar(_ key: String) throws -> Double { try matrix(key)[1] }
}

/// Checks `actual` against Octave's `expected` entry by entry: each within
/// `tolerance` relative, except entries below 1e-3 of the largest |expected|,
/// which only need |a − b| ≤ tolerance · max|expected| (their own relative
/// error is dominated by cancellation in sums far larger than them).
package func expectClose(
  _ actual: Matrix, _ expected: Matrix, tolerance: Double, _ what: String,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(
    actual.rows == expected.rows && actual.columns == expected.columns,
    "\(what): shape \(actual.shape), expected \(expected.shape)", sourceLocation: sourceLocation)
  guard actual.count == expected.count else { return }
  let scale = expected.values.map { abs($0) }.max() ?? 0
  var worst = (index: 0, error: 0.0)
  for k in 0..<expected.count {
    let a = actual.values[k]
    let b = expected.values[k]
    let error =
      abs(b) < 1e-3 * scale ? abs(a - b) / scale : relativeDifference(a, b)
    if !(error <= worst.error) { worst = (k + 1, error) }
  }
  #expect(
    worst.error <= tolerance,
    "\(what): entry \(worst.index) differs by \(worst.error) (relative), more than \(tolerance)",
    sourceLocation: sourceLocation)
}

/// A small seeded generator (the library's SplitMix64), so random test networks are the same on every run.
package typealias SeededGenerator = SplitMix64

package func randomMatrix(_ rows: Int, _ columns: Int, scale: Double, using generator: inout SeededGenerator) -> Matrix
{
  Matrix(
    rows: rows, columns: columns,
    values: (0..<(rows * columns)).map { _ in Double.random(in: -scale...scale, using: &generator) })
}
