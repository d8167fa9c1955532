import Foundation
import Testing

@testable import NeuralNetworkLearning
import TestSupport

/// SciPy's L-BFGS-B runs of `fixtures/lbfgs/scipy-lbfgsb.json`, made by
/// `fixtures/lbfgs/make_lbfgs_reference.py` (see `fixtures/lbfgs/README.md`).
private struct SciPyReference: Decodable {
  struct Run: Decodable {
    /// The point after each iteration.
    var iterates: [[Double]]
    /// Evaluations used so far after each iteration, the start's included.
    var evaluations: [Int]
    /// Where SciPy stopped.
    var x: [Double]
    var nfev: Int
    var x0: [Double]
    var A: [[Double]]?
    var b: [Double]?
    var xstar: [Double]?

    /// How many of the first iterations SciPy made with one evaluation each
    /// (its first trial step accepted): 2, 3, 4, … evaluations after them.
    var leadingSingleSteps: Int {
      zip(evaluations.indices, evaluations).prefix { $0.1 == $0.0 + 2 }.count
    }
  }
  var quadratic: Run
  var rosenbrock: Run

  static func load() throws -> SciPyReference {
    let data = try Data(contentsOf: URL(fileURLWithPath: Fixture.path("lbfgs/scipy-lbfgsb.json")))
    return try JSONDecoder().decode(SciPyReference.self, from: data)
  }
}

/// `f` counting its evaluations.
private final class Counted {
  let f: (Matrix) -> (Double, Matrix)
  var evaluations = 0
  init(_ f: @escaping (Matrix) -> (Double, Matrix)) { self.f = f }
  func callAsFunction(_ x: Matrix) -> (Double, Matrix) {
    evaluations += 1
    return f(x)
  }
}

/// The largest |aₖ − bₖ|.
private func largestDifference(_ a: [Double], _ b: [Double]) -> Double {
  precondition(a.count == b.count, "sizes differ: \(a.count) vs \(b.count)")
  return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}

@Suite struct LBFGSTests {
  /// `f(x) = ½ xᵀAx − bᵀx` and its gradient `Ax − b`, A and b from the fixture.
  private static func quadratic(_ run: SciPyReference.Run) throws -> (Matrix) -> (Double, Matrix) {
    let A = Matrix(try #require(run.A))
    let b = Matrix(column: try #require(run.b))
    return { x in
      let Ax = A * x
      let f =
        0.5 * zip(x.values, Ax.values).map { $0 * $1 }.reduce(0, +)
        - zip(b.values, x.values).map { $0 * $1 }
        .reduce(0, +)
      return (f, Ax - b)
    }
  }

  /// On the strictly convex quadratic, SciPy's first iterations each accept
  /// their first trial step. lbfgs computes the same direction (the L-BFGS
  /// two-loop recursion gives L-BFGS-B's unbounded step, `−Hg` with
  /// `H₀ = (sᵀy/yᵀy) I`), tries the same first step (`1/‖g‖`, then 1) and,
  /// since its sufficient-decrease constant (1e-4) is weaker than SciPy's
  /// (1e-3) and its curvature constant the same (0.9), must accept it too:
  /// the iterates must agree to rounding, and each must take one evaluation.
  ///
  /// The bound: both compute the same quantities in other orders, on a matrix
  /// of condition about 5, over at most a dozen iterations; rounding moves
  /// the iterates by a few hundred ε·‖x‖ at most. 1e-11·max(‖x₀‖∞, 1) is far
  /// above that and far below what a wrong γ, a pair in the wrong order or a
  /// missing pair would do (from the second iterate on, changes of 1e-3 and more).
  @Test func quadraticFollowsSciPyWhileItTakesFirstSteps() throws {
    let scipy = try SciPyReference.load().quadratic
    let k = scipy.leadingSingleSteps
    #expect(k >= 5, "the fixture should have several single-evaluation iterations, has \(k)")
    let f = Counted(try Self.quadratic(scipy))
    var iterates: [[Double]] = []
    var evaluations: [Int] = []
    let x0 = Matrix(column: scipy.x0)
    _ = lbfgs(
      f.callAsFunction, x0, maxIter: k, gradientTolerance: 0, costTolerance: 0, progress: .silent,
      observer: { _, _, x in
        iterates.append(x.values)
        evaluations.append(f.evaluations)
      }, write: { _ in })
    try #require(iterates.count == k)
    #expect(evaluations == Array(scipy.evaluations.prefix(k)), "evaluations after each iteration")
    let scale = max(scipy.x0.map(abs).max()!, 1)
    for j in 0..<k {
      let difference = largestDifference(iterates[j], scipy.iterates[j])
      #expect(difference <= 1e-11 * scale, "iterate \(j + 1) differs from SciPy's by \(difference)")
    }
  }

  /// Run on, the quadratic's minimum `x* = A⁻¹b` is reached as closely as
  /// its cost can tell: near x* the cost changes by ½eᵀAe for a step e, which
  /// it can only resolve above about ε|f*| (f* ≈ −10.4), so the line search
  /// fails once ‖g‖ = ‖Ae‖ ≲ √(2ε|f*|λmax) ≈ 2.2e-7 (λmax ≈ 10.7), whatever the
  /// gradient tolerance asked. Then `‖x − x*‖∞ ≤ ‖A⁻¹‖∞ ‖Ax − b‖∞` with
  /// ‖A⁻¹‖∞ < 0.5 here (A is diagonally dominant by at least 2 in every row).
  /// SciPy, stopped the same way, must be as close. x* is checked by its
  /// residual, not taken on trust from the fixture.
  @Test func quadraticReachesItsMinimum() throws {
    let scipy = try SciPyReference.load().quadratic
    let f = try Self.quadratic(scipy)
    let xstar = try #require(scipy.xstar)
    #expect(f(Matrix(column: xstar)).1.values.map(abs).max()! <= 1e-13, "the fixture's x* is A⁻¹b")
    let (x, fX, i) = lbfgs(
      f, Matrix(column: scipy.x0), maxIter: 100, gradientTolerance: 1e-12, costTolerance: 0, progress: .silent,
      write: { _ in })
    let residual = f(x).1.values.map(abs).max()!
    #expect(residual <= 2.3e-7, "‖Ax − b‖∞ = \(residual) after \(i) iterations")
    #expect(largestDifference(x.values, xstar) <= 0.5 * 2.3e-7, "x* \(xstar), ours \(x.values)")
    #expect(largestDifference(scipy.x, xstar) <= 0.5 * 2.3e-7, "x* \(xstar), SciPy's \(scipy.x)")
    #expect(zip(fX, fX.dropFirst()).allSatisfy { $0 >= $1 }, "the cost must not rise: \(fX)")
  }

  /// The 6-D extended Rosenbrock function from (−1.2, 1) thrice: the minimum
  /// (1, …, 1). Near it the Hessian's smallest eigenvalue is about 0.4 (each
  /// 2×2 block [[802, −400], [−400, 200]]), so stopping at ‖g‖∞ ≤ 1e-10
  /// leaves the point within about 1e-10/0.4·√2 of it; 1e-8 allows for that
  /// with room, while a line search that stalled in the valley (costs of 1e-3
  /// and more, points 0.1 away) is far outside. SciPy stops within the same
  /// bound, and took `nfev` evaluations: lbfgs's line search is not SciPy's,
  /// but one that bisected blindly or extrapolated badly would need several
  /// times as many.
  @Test func rosenbrockReachesItsMinimum() throws {
    let scipy = try SciPyReference.load().rosenbrock
    let f = Counted(extendedRosenbrock)
    let (x, fX, i) = lbfgs(
      f.callAsFunction, Matrix(column: scipy.x0), maxIter: 500, gradientTolerance: 1e-10, costTolerance: 0,
      progress: .silent, write: { _ in })
    let ones = [Double](repeating: 1, count: scipy.x0.count)
    #expect(largestDifference(x.values, ones) <= 1e-8, "reached \(x.values) after \(i) iterations, cost \(fX.last!)")
    #expect(largestDifference(scipy.x, ones) <= 1e-8, "SciPy's minimiser \(scipy.x)")
    #expect(f.evaluations <= 2 * scipy.nfev, "\(f.evaluations) evaluations, SciPy's L-BFGS-B \(scipy.nfev)")
    #expect(zip(fX, fX.dropFirst()).allSatisfy { $0 > $1 }, "the cost must fall at every step")
  }

  /// The stopping rules: `maxIter` line searches; `-maxIter` evaluations at
  /// most, the start's included, with `i` the evaluations used; a start where
  /// the gradient is already small takes no step and evaluates once.
  @Test func stopsByItsRules() throws {
    let x0 = Matrix(column: [-1.2, 1, -1.2, 1, 0.5, 0.3])
    var seen: [Int] = []
    let (_, fX, i) = lbfgs(
      extendedRosenbrock, x0, maxIter: 7, progress: .callback { k, _ in seen.append(k) }, write: { _ in })
    #expect(i == 7 && fX.count == 7 && seen == Array(1...7))

    for budget in [1, 2, 5, 23] {
      let f = Counted(extendedRosenbrock)
      let (X, fX, i) = lbfgs(f.callAsFunction, x0, maxIter: -budget, progress: .silent, write: { _ in })
      #expect(f.evaluations <= budget && i == f.evaluations, "budget \(budget): \(f.evaluations) evaluations, i \(i)")
      if let last = fX.last { #expect(extendedRosenbrock(X).0 == last, "X is the point of the last cost") }
    }

    let f = Counted(extendedRosenbrock)
    let (X, none, j) = lbfgs(
      f.callAsFunction, Matrix(column: [1, 1, 1, 1]), maxIter: 50, progress: .silent, write: { _ in })
    #expect(none.isEmpty && j == 0 && f.evaluations == 1 && X.values == [1, 1, 1, 1])
  }

  /// The progress line is fmincg's: rewritten in place with `.print` and
  /// ended with a newline, one per line with `.printLines`, numbered by the
  /// counter (evaluations with a budget).
  @Test func printsFmincgsProgressLine() {
    let x0 = Matrix(column: [-1.2, 1, -1.2, 1, 0.5, 0.3])
    var printed = ""
    let (_, fX, _) = lbfgs(extendedRosenbrock, x0, maxIter: 3, progress: .print, write: { printed += $0 })
    let expected = fX.enumerated().map { String(format: "Iteration %5d | Cost: %4.6e\r", $0 + 1, $1) }.joined()
    #expect(printed == expected + "\n")
    var lines = ""
    var counters: [Int] = []
    let (_, costs, i) = lbfgs(
      extendedRosenbrock, x0, maxIter: -12, progress: .printLines,
      observer: { k, _, _ in counters.append(k) }, write: { lines += $0 })
    let numbered = zip(counters, costs).map { String(format: "Iteration %5d | Cost: %4.6e\n", $0, $1) }.joined()
    #expect(lines == numbered && counters.last! <= i && i <= 12)
  }

  /// A cost that is NaN beyond a wall: the line search treats NaN as too
  /// large and comes back inside, so the run still reaches the minimum,
  /// which lies inside (the quadratic (x − 1)² + (y − 2)², NaN for x > 3).
  @Test func steersAroundNaNCosts() {
    let f = { (p: Matrix) -> (Double, Matrix) in
      let (x, y) = (p[1], p[2])
      if x > 3 { return (.nan, Matrix(column: [.nan, .nan])) }
      return ((x - 1) * (x - 1) + (y - 2) * (y - 2), Matrix(column: [2 * (x - 1), 2 * (y - 2)]))
    }
    // From (−40, 2) the first trial steps a unit length; the later ones overshoot past x = 3 first.
    let (X, fX, _) = lbfgs(f, Matrix(column: [-40, 2]), maxIter: 50, progress: .silent, write: { _ in })
    #expect(fX.allSatisfy { $0.isFinite })
    #expect(abs(X[1] - 1) <= 1e-5 && abs(X[2] - 2) <= 1e-5, "reached \(X.values)")
  }
}

/// The course's network on the 8-bit data, λ = 1: X, y, the initial weights
/// of seed 1 (Octave's after `rand('twister', 1)`) and the evaluator.
private func courseNetworkFromSeed1() throws -> (X: Matrix, y: Matrix, initial: Matrix, cost: NNCostFunction) {
  let data = try CourseFile.read("ex4data1-8bit.mat")
  let X = try #require(data["X"])
  let y = try #require(data["y"])
  var random = OctaveRandom(seed: 1)
  let initial = unroll(randInitializeWeights(400, 25, using: &random), randInitializeWeights(25, 10, using: &random))
  let cost = NNCostFunction(inputLayerSize: 400, hiddenLayerSize: 25, numLabels: 10, X: X, y: y, lambda: 1)
  return (X, y, initial, cost)
}

/// The course's network on the 8-bit data: lbfgs from the course's initial
/// weights for seed 1 (`rand('twister', 1)`), 50 iterations, λ = 1.
@Test(
  "lbfgs trains the course's network on the 8-bit data",
  .enabled(if: CourseFile.has("ex4data1-8bit.mat"), CourseFile.missing("ex4data1-8bit.mat")))
func lbfgsTrainsTheCourseNetwork() throws {
  let (X, y, initial, cost) = try courseNetworkFromSeed1()
  let (trained, fX, i) = lbfgs(cost.callAsFunction, initial, maxIter: 50, progress: .silent)
  let J0 = cost(initial).J
  // Every step lowers the cost (sufficient decrease), and 50 of them take it
  // far below the start's (about 7 for weights in ±0.12; 50 fmincg
  // iterations reach about 0.48 on this data).
  #expect(i == 50 && fX.count == 50, "\(fX.count) steps in \(i) line searches")
  #expect(zip([J0] + fX, fX).allSatisfy { $0 > $1 }, "the cost must fall at every step")
  #expect(fX.last! < 0.6 && fX.last! < J0 / 10, "cost \(J0) → \(fX.last!)")
  // The training accuracy: fmincg's 50 iterations give 95–96.5% over five
  // seeds on this data (shared/course-data/README.md); lbfgs's 50 reach a
  // lower cost, so at least 94%. Run to convergence (400 iterations, cost
  // about 0.31) this network fits 99.56% of the examples with fmincg and
  // 99.74% with lbfgs, so 50 iterations cannot honestly fit more than about
  // that: above 99.8% the predictions were not compared with these labels.
  // An untrained network gives about 10%.
  let thetas = roll(trained, into: [(25, 401), (10, 26)])
  let p = predict(thetas[0], thetas[1], X)
  let accuracy = Double(zip(p.values, y.values).filter { $0 == $1 }.count) / Double(X.rows) * 100
  #expect(accuracy >= 94 && accuracy <= 99.8, "training accuracy \(accuracy)%")
}

/// The Performance article's comparison: from the same start (seed 1, λ = 1, 8-bit data),
/// the cost evaluations each optimiser spends before the training accuracy
/// first reaches 95.5%, counted through an observer that predicts after
/// every accepted step. Measured 41 for lbfgs and 79 for fmincg (which
/// crosses only at its 50th line search). Both are threshold crossings of a
/// run whose last digits depend on the BLAS kernel, so the test checks what
/// the article claims of them: lbfgs gets there, in at most 3/4 of fmincg's
/// evaluations (a margin of 18 evaluations on the 41 measured).
@Test(
  "lbfgs reaches 95.5% training accuracy in fewer cost evaluations than fmincg",
  .enabled(if: CourseFile.has("ex4data1-8bit.mat"), CourseFile.missing("ex4data1-8bit.mat")))
func lbfgsNeedsFewerEvaluationsThanFmincg() throws {
  let (X, y, initial, cost) = try courseNetworkFromSeed1()
  func evaluationsTo95point5(_ lbfgsRun: Bool) -> Int? {
    var evaluations = 0
    var reached: Int?
    let counted = { (p: Matrix) -> (Double, Matrix) in
      evaluations += 1
      return cost(p)
    }
    let observer: FmincgObserver = { _, _, p in
      guard reached == nil else { return }
      let thetas = roll(p, into: [(25, 401), (10, 26)])
      if mean(predict(thetas[0], thetas[1], X) .== y) * 100 >= 95.5 { reached = evaluations }
    }
    if lbfgsRun {
      _ = lbfgs(counted, initial, maxIter: 60, progress: .silent, observer: observer)
    } else {
      _ = fmincg(counted, initial, maxIter: 60, progress: .silent, observer: observer)
    }
    return reached
  }
  let byLBFGS = try #require(evaluationsTo95point5(true), "lbfgs never reached 95.5% in 60 iterations")
  let byFmincg = try #require(evaluationsTo95point5(false), "fmincg never reached 95.5% in 60 iterations")
  print("evaluations to 95.5% training accuracy: lbfgs \(byLBFGS), fmincg \(byFmincg)")
  #expect(4 * byLBFGS <= 3 * byFmincg, "lbfgs \(byLBFGS) evaluations, fmincg \(byFmincg)")
}
