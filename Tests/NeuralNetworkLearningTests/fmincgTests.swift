import Foundation
import Testing

@testable import NeuralNetworkLearning
import TestSupport

private let x0 = Matrix(column: [-1.2, 1, -1.2, 1, 0.5, 0.3])

/// fmincg against Octave 7.3's numbers of `fmincg.md` for the Rosenbrock
/// function, against the course's own fmincg when its fixture has been made,
/// and for the properties any run must have.
@Suite struct FmincgTests {
  /// Octave 7.3's first two entries for MaxIter 60 (`fmincg.md`), by the
  /// OpenBLAS kernel Octave ran on: the second differs in its last bit
  /// between kernels, because `s' * s` and the other dot products add their
  /// terms in another order.
  static let octavesFirstEntries: [String: [Double]] = [
    "Haswell": [8.7193872482248089, 8.5550047583844862],
    "Prescott": [8.7193872482248089, 8.5550047583844879],
  ]

  @Test func sixtyLineSearchesMatchOctave() throws {
    let (_, fX, i) = fmincg(extendedRosenbrock, x0, maxIter: 60, progress: .silent)
    #expect(fX.count == 60)
    #expect(i == 60)
    try #require(fX.count >= 2)
    if let exact = Self.octavesFirstEntries[BLASKernel.current] {
      // Octave on this very kernel: the same operations give the same bits.
      #expect(Array(fX[0..<2]) == exact, "OpenBLAS kernel \(BLASKernel.current)")
    }
    // On any kernel: within what the rounding of the dot products can move
    // these entries (measured by FmincgRoundingSpread), from Octave's
    // Haswell numbers; the tolerance must stay tight this early in the run.
    let spread = FmincgRoundingSpread(extendedRosenbrock, start: x0, maxIter: 60)
    let haswell = try #require(Self.octavesFirstEntries["Haswell"])
    for k in 0..<2 {
      let tolerance = try #require(spread.tolerance(entry: k))
      #expect(tolerance <= 1e-13 * abs(haswell[k]), "entry \(k + 1): rounding spread \(tolerance) is not small")
      #expect(abs(fX[k] - haswell[k]) <= tolerance, "entry \(k + 1): \(fX[k]) vs Octave's \(haswell[k]) ± \(tolerance)")
    }
  }

  /// The kernel the numbers above are rounded by, printed for CI's log, and
  /// the one `OPENBLAS_CORETYPE` asks for when it is set (so that a pass
  /// meant for another kernel cannot silently run on the default one).
  @Test func blasKernelIsTheOneAskedFor() {
    print("OpenBLAS kernel in use: \(BLASKernel.current)")
    #expect(!BLASKernel.current.isEmpty)
    if let asked = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"], !asked.isEmpty {
      #expect(BLASKernel.current.lowercased() == asked.lowercased(), "OPENBLAS_CORETYPE=\(asked)")
    }
  }

  @Test func negativeMaxIterIsAnEvaluationBudget() throws {
    var evaluations = 0
    let counted: (Matrix) -> (Double, Matrix) = { x in
      evaluations += 1
      return extendedRosenbrock(x)
    }
    let (_, fX, i) = fmincg(counted, x0, maxIter: -80, progress: .silent)
    #expect(i == 80)
    #expect(evaluations == 80)
    // Octave's 33 entries (fmincg.md), where the dot products' rounding
    // cannot change how many line searches fit in the budget.
    let spread = FmincgRoundingSpread(extendedRosenbrock, start: x0, maxIter: -80)
    if spread.entriesAreStable { #expect(fX.count == 33) }
    let tolerance = try #require(spread.tolerance(entry: 0))
    let first = try #require(fX.first)
    #expect(abs(first - 8.7193872482248089) <= tolerance)
  }

  @Test func costsFallEveryLineSearchAndReachTheMinimum() {
    let (X, fX, i) = fmincg(extendedRosenbrock, x0, maxIter: 200, progress: .silent)
    #expect(!fX.isEmpty)
    #expect(zip(fX, fX.dropFirst()).allSatisfy { $0 > $1 }, "fX must decrease strictly")
    #expect(fX.last! < 1e-6)
    #expect(X.values.allSatisfy { abs($0 - 1) < 1e-6 }, "the minimum is at all ones, got \(X.values)")
    // Converged before the budget: two line searches in a row failed.
    #expect(i < 200)
    #expect(extendedRosenbrock(X).0 == fX.last!, "X is the point of the last cost")
  }

  @Test func returnedPointHasTheLastCost() {
    let (X, fX, _) = fmincg(extendedRosenbrock, x0, maxIter: 60, progress: .silent)
    #expect(X.rows == 6 && X.columns == 1)
    #expect(extendedRosenbrock(X).0 == fX.last)
  }

  /// An independent reference: for f(x) = ½ x'Ax − b'x with A symmetric
  /// positive definite, the minimiser is the solution of A x = b, chosen here.
  @Test func solvesAPositiveDefiniteQuadratic() {
    let A = Matrix([
      [4, 1, 0, 0.5],
      [1, 3, 0.2, 0],
      [0, 0.2, 2, 0.3],
      [0.5, 0, 0.3, 1],
    ])
    let solution = Matrix(column: [1, -2, 0.5, 3])
    let b = A * solution
    let quadratic: (Matrix) -> (Double, Matrix) = { x in
      let Ax = A * x
      let cost = 0.5 * (x .* Ax).sum() - (b .* x).sum()
      return (cost, Ax - b)
    }
    let (X, fX, _) = fmincg(quadratic, Matrix.zeros(4, 1), maxIter: 100, progress: .silent)
    #expect(!fX.isEmpty)
    #expect(maxRelativeDifference(X, solution) < 1e-8, "got \(X.values)")
  }

  @Test func callbackGetsEveryIterationAndCost() {
    var seen: [(Int, Double)] = []
    let (_, fX, _) = fmincg(extendedRosenbrock, x0, maxIter: 60, progress: .callback { seen.append(($0, $1)) })
    #expect(seen.map(\.0) == Array(1...60))
    #expect(seen.map(\.1) == fX)
  }

  @Test func callbackWithAnEvaluationBudgetGetsEvaluationCounts() {
    var seen: [(Int, Double)] = []
    let (_, fX, i) = fmincg(extendedRosenbrock, x0, maxIter: -80, progress: .callback { seen.append(($0, $1)) })
    #expect(seen.map(\.1) == fX)
    let counts = seen.map(\.0)
    #expect(zip(counts, counts.dropFirst()).allSatisfy { $0 < $1 })
    #expect((counts.first ?? 0) >= 2 && (counts.last ?? .max) <= i)
  }

  @Test func progressLineHasTheCoursesFormat() {
    #expect(fmincgProgressLine(50, 0.4794254) == "Iteration    50 | Cost: 4.794254e-01")
    #expect(fmincgProgressLine(1, 8.7193872482248089) == "Iteration     1 | Cost: 8.719387e+00")
    #expect(fmincgProgressLine(12345, 1.5e-300) == "Iteration  12345 | Cost: 1.500000e-300")
  }

  @Test func printOverwritesOneLineThenEndsIt() {
    var written = ""
    let (_, fX, _) = fmincg(extendedRosenbrock, x0, maxIter: 3, progress: .print) { written += $0 }
    let expected =
      fX.enumerated().map { fmincgProgressLine($0.offset + 1, $0.element) + "\r" }.joined() + "\n"
    #expect(written == expected)
    #expect(written.hasPrefix("Iteration     1 | Cost: 8.719387e+00\r"))
  }

  @Test func printLinesWritesOneLinePerIteration() {
    var written = ""
    let (_, fX, _) = fmincg(extendedRosenbrock, x0, maxIter: 3, progress: .printLines) { written += $0 }
    let expected = fX.enumerated().map { fmincgProgressLine($0.offset + 1, $0.element) + "\n" }.joined()
    #expect(written == expected)
    #expect(!written.contains("\r"))
  }

  @Test func silentWritesNothing() {
    var writes = 0
    let (_, fX, _) = fmincg(extendedRosenbrock, x0, maxIter: 60, progress: .silent) { _ in writes += 1 }
    #expect(fX.count == 60)
    #expect(writes == 0)
  }

  /// A gradient with the wrong sign makes every line search fail. After the
  /// first failure the course restarts from the old point along minus the
  /// gradient of the failed search's last point (the swap of df1 and df2), with
  /// step 1 / (1 + s's); a second failure in a row ends the run there. The
  /// false gradient also grows with each evaluation, so that the last one of a
  /// search is far from the first.
  @Test func failedLineSearchRestartsAlongItsLastGradient() throws {
    let start = Matrix(column: [1, -2, 0.5])
    var points: [Matrix] = []
    var gradients: [Matrix] = []
    let lying: (Matrix) -> (Double, Matrix) = { x in
      let g = x * (-2.0 * Double(1 + points.count))
      points.append(x)
      gradients.append(g)
      return (x.sumOfSquares(), g)
    }
    let (X, fX, i) = fmincg(lying, start, maxIter: 10, progress: .silent)
    #expect(fX.isEmpty)
    #expect(i == 2)
    #expect(X == start, "a failed search restores the point it started from")
    // The start, then per search its first step and MAX = 20 more evaluations.
    try #require(points.count == 1 + 21 + 21)
    let s = gradients[21] * -1.0
    let z1 = 1 / (1 + s.sumOfSquares())
    let expected = start + s * z1
    #expect(
      maxRelativeDifference(points[22], expected) < 1e-12, "got \(points[22].values), expected \(expected.values)")
  }

  @Test func zeroIterationsReturnTheStart() {
    let (X, fX, i) = fmincg(extendedRosenbrock, x0, maxIter: 0, progress: .silent)
    #expect(X == x0 && fX.isEmpty && i == 0)
  }

  /// `fixtures/fmincg/rosenbrock.mat` is made by `make_rosenbrock_fixture.m`
  /// with the course's `fmincg.m` when it is on Octave's path, otherwise with
  /// `fmincg_spec.m`, an Octave transcription of the specification (its
  /// `made_by` variable says which; `openblas_core` names the OpenBLAS kernel
  /// Octave ran on). On that kernel every entry, the counters and X must be
  /// Octave's to the bit. On any kernel, the entries before rounding has
  /// grown must agree within what the rounding of the dot products can move
  /// them, the counters must agree when that rounding cannot change them,
  /// and the run must have the properties any correct run has.
  @Test(
    .enabled(
      if: FileManager.default.fileExists(atPath: Fixture.path("fmincg/rosenbrock.mat")),
      "skipped: \(Fixture.path("fmincg/rosenbrock.mat")) has not been made (see fixtures/fmincg/README.md)"
    ))
  func matchesTheCoursesFmincg() throws {
    let octave = try MatFile.read(Fixture.path("fmincg/rosenbrock.mat"))
    let kernel = try #require(fixtureKernel(octave), "rosenbrock.mat does not name its OpenBLAS kernel")
    for (maxIter, suffix) in [(60, "60"), (-80, "m80"), (200, "200")] {
      let expectedfX = try #require(octave["fX_\(suffix)"]).values
      let expectedi = try #require(octave["i_\(suffix)"])[1]
      let expectedX = try #require(octave["X_\(suffix)"])
      let (X, fX, i) = fmincg(extendedRosenbrock, x0, maxIter: maxIter, progress: .silent)
      let what = "MaxIter \(maxIter), OpenBLAS kernel \(BLASKernel.current), Octave's \(kernel)"

      if BLASKernel.current == kernel {
        #expect(fX == expectedfX, "\(what): fX")
        #expect(Double(i) == expectedi, "\(what): i")
        #expect(X.values == expectedX.values, "\(what): X")
      }

      let spread = FmincgRoundingSpread(extendedRosenbrock, start: x0, maxIter: maxIter)
      let tight = spread.tightEntries()
      #expect(tight >= 5, "\(what): only \(tight) entries are stable to 1e-8 under the dot products' rounding")
      for k in 0..<min(tight, fX.count, expectedfX.count) {
        let tolerance = try #require(spread.tolerance(entry: k))
        #expect(
          abs(fX[k] - expectedfX[k]) <= tolerance,
          "\(what): entry \(k + 1), \(fX[k]) vs \(expectedfX[k]) ± \(tolerance)")
      }
      if spread.entriesAreStable {
        #expect(fX.count == expectedfX.count, "\(what): number of entries")
        #expect(Double(i) == expectedi, "\(what): i")
      }
      // Any correct run: each successful line search lowers the cost, the
      // counter stays within MaxIter, and the point returned has the last cost.
      #expect(zip(fX, fX.dropFirst()).allSatisfy { $0 > $1 }, "\(what): fX must decrease strictly")
      #expect(i <= abs(maxIter), "\(what): i = \(i)")
      #expect(extendedRosenbrock(X).0 == fX.last, "\(what): X is the point of the last cost")
      if maxIter == 200 {
        // Long enough to converge wherever rounding takes the run: to the
        // minimum at all ones, as Octave's did.
        #expect(fX.last! < 1e-12 && expectedfX.last! < 1e-12, "\(what): final costs \(fX.last!), \(expectedfX.last!)")
        #expect(X.values.allSatisfy { abs($0 - 1) < 1e-6 }, "\(what): X = \(X.values)")
      }
    }
  }
}
