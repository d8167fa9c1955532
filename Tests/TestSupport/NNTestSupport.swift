import Foundation
import Testing

import NeuralNetworkLearning

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

/// The extended Rosenbrock function of `fmincg.md`, for any even number of
/// entries: f(x) = Σ over odd k of (1 − x_k)² + (10 (x_{k+1} − x_k²))²,
/// summed in a loop, with its gradient written out by hand. Its minimum is
/// 0, at x = (1, 1, …, 1).
package func extendedRosenbrock(_ x: Matrix) -> (Double, Matrix) {
  var f = 0.0
  var g = Matrix.zeros(x.rows, x.columns)
  for k in stride(from: 1, to: x.count, by: 2) {
    let a = x[k]
    let b = x[k + 1]
    let t = 10 * (b - a * a)
    f = f + (1 - a) * (1 - a) + t * t
    g[k] = -2 * (1 - a) - 400 * a * (b - a * a)
    g[k + 1] = 200 * (b - a * a)
  }
  return (f, g)
}
