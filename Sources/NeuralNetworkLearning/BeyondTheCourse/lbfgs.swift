import Foundation

/// Minimise a continuous differentiable multivariate function by limited-memory
/// BFGS (L-BFGS), a faster alternative to the course's
/// ``fmincg(_:_:maxIter:progress:observer:)`` with the same arguments and result.
///
///     [X, fX, i] = lbfgs(f, X, MaxIter)    ⇔    lbfgs(f, X, maxIter: 50)
///
/// Written from Nocedal & Wright, *Numerical Optimization* (2nd ed.):
///
/// - **Direction** (Algorithm 7.4, the two-loop recursion): with the last
///   `m = memory` pairs `sᵢ = xᵢ₊₁ − xᵢ`, `yᵢ = ∇fᵢ₊₁ − ∇fᵢ`, `ρᵢ = 1/(yᵢᵀsᵢ)`,
///
///       q ← ∇f(x)
///       for i = newest … oldest:  αᵢ = ρᵢ sᵢᵀq,  q ← q − αᵢ yᵢ
///       r ← γ q,   γ = sᵀy / yᵀy  of the newest pair  (the initial inverse Hessian γI, eq. 7.20)
///       for i = oldest … newest:  β = ρᵢ yᵢᵀr,  r ← r + sᵢ (αᵢ − β)
///       d = −r                      (= −H ∇f, H the L-BFGS inverse Hessian)
///
///   Without pairs (the first iteration, or after a reset) `d = −∇f`. A
///   direction that is not downhill (`∇fᵀd ≥ 0`, only through rounding)
///   resets the memory and is replaced by `−∇f`.
/// - **Step** (Algorithm 7.5, with the line search of Algorithms 3.5 and 3.6):
///   a step `α` along `d` satisfying the strong Wolfe conditions with
///   `c1 = 1e-4`, `c2 = 0.9`:
///
///       f(x + αd) ≤ f(x) + c1 α ∇fᵀd      |∇f(x + αd)ᵀd| ≤ c2 |∇fᵀd|
///
///   The first trial is `α = 1` (`α = 1/‖d‖` when `d = −∇f`, a step of unit
///   length). While the conditions neither hold nor bracket a step, the trial
///   moves out by cubic extrapolation from the last two trials, kept between
///   1.1 and 4 times their distance beyond the last; once a bracket is found
///   it is narrowed (*zoom*) by the minimiser of the cubic through both ends'
///   costs and slopes (eq. 3.59), kept at least a tenth of the bracket from
///   either end, or by bisection where no cubic minimiser exists (a NaN or
///   infinite cost counts as too large, and is bisected towards). A line
///   search may use at most 20 evaluations of `f`.
/// - **Update**: the pair `(s, y)` is kept, and the oldest dropped beyond `m`,
///   unless `sᵀy ≤ ε (−∇fᵀs)` (ε the machine epsilon): a pair without
///   positive curvature would make `H` indefinite. The strong Wolfe
///   conditions give `sᵀy ≥ (1 − c2)|∇fᵀs| > 0`, so it is skipped only when
///   rounding has eaten the curvature.
/// - **Failure**: a line search that finds no such step leaves `x` where it
///   was; the memory is cleared and the next search goes down `−∇f`. A failure
///   going down `−∇f` (the first iteration's, or a second failure in a row)
///   ends the run.
///
/// It stops, returning the point reached, when the first of these holds:
///
/// - `maxIter > 0`: `maxIter` line searches were made (failed ones count);
///   `maxIter < 0`: `-maxIter` evaluations of `f` were made, the one at the
///   start included (a line search gets no more than remain), as with fmincg;
/// - the gradient is small: `max |∂f/∂xₖ| ≤ gradientTolerance` (checked at
///   the start too: a start already there takes no step);
/// - the cost barely moved: `(fₖ − fₖ₊₁) ≤ costTolerance · max(|fₖ|, |fₖ₊₁|, 1)`
///   after a successful step (that step is kept);
/// - a line search failed going down `−∇f` (above).
///
/// The defaults `1e-5` and `1e7 ε ≈ 2.2e-9` are SciPy's `pgtol` and
/// `factr · ε` for L-BFGS-B; pass 0 to run to `maxIter` (or to failure).
///
/// - Returns: the final point `X` (shaped like the input), `fX` the cost
///   after each successful line search, and `i` the final counter (line
///   searches, or evaluations when `maxIter` is negative).
/// - `progress` and `observer` are fmincg's: the `Iteration %4i | Cost:
///   %4.6e` line, separate lines, nothing or a callback, and a look at each
///   point reached, after each successful line search.
/// - `memory` is `m`, the number of pairs kept (at least 1); the extra
///   storage is `2m` vectors the size of `X`.
///
/// - Precondition: `f` returns a gradient with as many elements as `X`,
///   `memory ≥ 1`; otherwise the program stops naming the shapes.
///
/// Its vector arithmetic is plain loops summed in index order, not BLAS: the
/// iterates depend on `f`'s rounding only, not on the number of cores or the
/// BLAS kernel.
public func lbfgs(
  _ f: (Matrix) -> (Double, Matrix),
  _ X: Matrix,
  maxIter: Int = 100,
  memory: Int = 10,
  gradientTolerance: Double = 1e-5,
  costTolerance: Double = 1e7 * Double.ulpOfOne,
  progress: FmincgProgress = .print,
  observer: FmincgObserver? = nil
) -> (X: Matrix, fX: [Double], i: Int) {
  let progress = progress.forStandardOutput(isTerminal: isatty(STDOUT_FILENO) == 1)
  return lbfgs(
    f, X, maxIter: maxIter, memory: memory, gradientTolerance: gradientTolerance, costTolerance: costTolerance,
    progress: progress, observer: observer
  ) { text in
    Swift.print(text, terminator: "")
    fflush(nil)
  }
}

/// ``lbfgs(_:_:maxIter:memory:gradientTolerance:costTolerance:progress:observer:)``
/// writing its printed output through `write`.
package func lbfgs(
  _ f: (Matrix) -> (Double, Matrix),
  _ X: Matrix,
  maxIter: Int,
  memory: Int = 10,
  gradientTolerance: Double = 1e-5,
  costTolerance: Double = 1e7 * Double.ulpOfOne,
  progress: FmincgProgress,
  observer: FmincgObserver? = nil,
  write: (String) -> Void
) -> (X: Matrix, fX: [Double], i: Int) {
  precondition(memory >= 1, "lbfgs: memory must be at least 1, got \(memory)")
  let (rows, columns) = (X.rows, X.columns)
  let countEvaluations = maxIter < 0
  let budget = Int(clamping: maxIter.magnitude)
  let c1 = 1e-4  // sufficient decrease
  let c2 = 0.9  // curvature
  let searchEvaluations = 20  // evaluations allowed in one line search

  var evaluations = 0
  func evaluate(_ x: [Double]) -> (Double, [Double]) {
    let (cost, gradient) = f(Matrix(rows: rows, columns: columns, values: x))
    precondition(
      gradient.count == x.count,
      "lbfgs: the cost function returned a gradient of \(gradient.shape) for a point of \(X.shape); "
        + "they must have the same number of elements")
    evaluations += 1
    return (cost, gradient.values)
  }

  var x = X.values
  var (cost, gradient) = evaluate(x)
  var pairs = LBFGSMemory(capacity: memory)
  var fX: [Double] = []
  var searches = 0
  var counter: Int { countEvaluations ? evaluations : searches }

  // A NaN in the gradient is not small: it ends the run through the line search instead.
  func isSmall(_ g: [Double]) -> Bool { g.allSatisfy { $0.magnitude <= gradientTolerance } }
  while counter < budget && !isSmall(gradient) {
    searches += 1
    var d = pairs.direction(gradient)
    var slope = dot(gradient, d)
    if !(slope < 0) {  // not downhill (rounding): start again from steepest descent
      pairs.clear()
      d = gradient.map { -$0 }
      slope = dot(gradient, d)
    }
    let steepest = pairs.isEmpty
    let first = steepest ? 1 / dot(d, d).squareRoot() : 1
    let allowed = countEvaluations ? min(searchEvaluations, budget - evaluations) : searchEvaluations
    var search = StrongWolfeSearch(cost: cost, slope: slope, c1: c1, c2: c2, evaluations: allowed)
    let step = search.run(first: first) { alpha in
      let point = zip(x, d).map { $0 + alpha * $1 }
      let (cost, gradient) = evaluate(point)
      return LBFGSTrial(alpha: alpha, cost: cost, slope: dot(gradient, d), point: point, gradient: gradient)
    }
    guard let step else {
      if steepest { break }  // steepest descent failed too: nothing more to try
      pairs.clear()
      continue
    }
    let s = zip(step.point, x).map { $0 - $1 }
    let y = zip(step.gradient, gradient).map { $0 - $1 }
    pairs.add(s: s, y: y, minimumCurvature: Double.ulpOfOne * -dot(gradient, s))
    let previous = cost
    (x, cost, gradient) = (step.point, step.cost, step.gradient)
    fX.append(cost)
    progress.report(counter, cost, write: write)
    observer?(counter, cost, Matrix(rows: rows, columns: columns, values: x))
    if previous - cost <= costTolerance * max(previous.magnitude, cost.magnitude, 1) { break }
  }
  if case .print = progress { write("\n") }
  return (Matrix(rows: rows, columns: columns, values: x), fX, counter)
}

// MARK: - The memory and the two-loop recursion

/// The last `capacity` pairs `(s, y)` with `ρ = 1/(yᵀs)`, oldest first.
private struct LBFGSMemory {
  let capacity: Int
  private var s: [[Double]] = []
  private var y: [[Double]] = []
  private var rho: [Double] = []

  init(capacity: Int) { self.capacity = capacity }

  var isEmpty: Bool { s.isEmpty }

  mutating func clear() {
    s.removeAll()
    y.removeAll()
    rho.removeAll()
  }

  /// Keeps the pair unless `sᵀy ≤ minimumCurvature`, dropping the oldest beyond `capacity`.
  mutating func add(s newS: [Double], y newY: [Double], minimumCurvature: Double) {
    let sy = dot(newS, newY)
    guard sy > minimumCurvature else { return }
    if s.count == capacity {
      s.removeFirst()
      y.removeFirst()
      rho.removeFirst()
    }
    s.append(newS)
    y.append(newY)
    rho.append(1 / sy)
  }

  /// `−H g` by the two-loop recursion (Nocedal & Wright, Algorithm 7.4), `H₀ = γI`; `−g` without pairs.
  func direction(_ g: [Double]) -> [Double] {
    guard let lastS = s.last, let lastY = y.last else { return g.map { -$0 } }
    var q = g
    var alpha = [Double](repeating: 0, count: s.count)
    for i in s.indices.reversed() {
      alpha[i] = rho[i] * dot(s[i], q)
      addMultiple(-alpha[i], of: y[i], to: &q)
    }
    let gamma = dot(lastS, lastY) / dot(lastY, lastY)
    var r = q.map { gamma * $0 }
    for i in s.indices {
      let beta = rho[i] * dot(y[i], r)
      addMultiple(alpha[i] - beta, of: s[i], to: &r)
    }
    return r.map { -$0 }
  }
}

// MARK: - The line search

/// One point tried along the direction: `φ(α) = f(x + αd)` and `φ′(α) = ∇f(x + αd)ᵀd`.
private struct LBFGSTrial {
  var alpha: Double
  var cost: Double
  var slope: Double
  var point: [Double]
  var gradient: [Double]
}

/// A step satisfying the strong Wolfe conditions (Nocedal & Wright,
/// Algorithms 3.5 and 3.6), or nil after `evaluations` tries.
private struct StrongWolfeSearch {
  /// `φ(0)` and `φ′(0) < 0`.
  let cost: Double
  let slope: Double
  let c1: Double
  let c2: Double
  /// Evaluations left.
  var evaluations: Int

  /// Sufficient decrease at `t`; false for a NaN cost.
  func decreases(_ t: LBFGSTrial) -> Bool { t.cost <= cost + c1 * t.alpha * slope }
  /// The curvature condition at `t`.
  func flattens(_ t: LBFGSTrial) -> Bool { t.slope.magnitude <= -c2 * slope }

  /// Algorithm 3.5: from `α = first`, extrapolating until a step is found or
  /// bracketed; `evaluate(α)` is the trial at `α`.
  mutating func run(first: Double, evaluate: (Double) -> LBFGSTrial) -> LBFGSTrial? {
    var previous = LBFGSTrial(alpha: 0, cost: cost, slope: slope, point: [], gradient: [])
    var alpha = first
    var isFirst = true
    while evaluations > 0 && alpha.isFinite {
      evaluations -= 1
      let current = evaluate(alpha)
      if !decreases(current) || (!isFirst && current.cost >= previous.cost) {
        return zoom(low: previous, high: current, evaluate: evaluate)
      }
      if flattens(current) { return current }
      if current.slope >= 0 { return zoom(low: current, high: previous, evaluate: evaluate) }
      // Still going down: further, by cubic extrapolation kept 1.1 to 4 times the last interval beyond.
      let width = current.alpha - previous.alpha
      let lower = current.alpha + 1.1 * width
      let upper = current.alpha + 4 * width
      let guess = cubicMinimizer(previous, current) ?? upper
      alpha = min(max(guess, lower), upper)
      previous = current
      isFirst = false
    }
    return nil
  }

  /// Algorithm 3.6: `low` satisfies sufficient decrease and has the lowest
  /// cost so far, its slope points towards `high`; narrows the bracket.
  mutating func zoom(low: LBFGSTrial, high: LBFGSTrial, evaluate: (Double) -> LBFGSTrial) -> LBFGSTrial? {
    var (low, high) = (low, high)
    while evaluations > 0 {
      let (a, b) = (min(low.alpha, high.alpha), max(low.alpha, high.alpha))
      let width = b - a
      guard width > Double.ulpOfOne * b else { return nil }  // the bracket is one rounding wide
      var alpha = (a + b) / 2
      if high.cost.isFinite, let cubic = cubicMinimizer(low, high) {
        alpha = min(max(cubic, a + 0.1 * width), b - 0.1 * width)
      }
      evaluations -= 1
      let current = evaluate(alpha)
      if !decreases(current) || current.cost >= low.cost {
        high = current
      } else {
        if flattens(current) { return current }
        if current.slope * (high.alpha - low.alpha) >= 0 { high = low }
        low = current
      }
    }
    return nil
  }
}

/// The minimiser of the cubic through `(a.α, a.φ)` and `(b.α, b.φ)` with slopes
/// `a.φ′` and `b.φ′` (Nocedal & Wright, eq. 3.59), or nil where it has none
/// or it is not finite:
///
///     d1 = φ′(a) + φ′(b) − 3 (φ(a) − φ(b)) / (a − b)
///     d2 = sign(b − a) √(d1² − φ′(a) φ′(b))
///     α  = b − (b − a) (φ′(b) + d2 − d1) / (φ′(b) − φ′(a) + 2 d2)
private func cubicMinimizer(_ a: LBFGSTrial, _ b: LBFGSTrial) -> Double? {
  let d1 = a.slope + b.slope - 3 * (a.cost - b.cost) / (a.alpha - b.alpha)
  let radicand = d1 * d1 - a.slope * b.slope
  guard radicand >= 0 else { return nil }
  let d2 = (b.alpha >= a.alpha ? 1.0 : -1.0) * radicand.squareRoot()
  let alpha = b.alpha - (b.alpha - a.alpha) * (b.slope + d2 - d1) / (b.slope - a.slope + 2 * d2)
  return alpha.isFinite ? alpha : nil
}

// MARK: - Vector arithmetic, summed in index order

/// `aᵀb`, summed in index order.
private func dot(_ a: [Double], _ b: [Double]) -> Double {
  a.withUnsafeBufferPointer { pa in
    b.withUnsafeBufferPointer { pb in
      var sum = 0.0
      for k in 0..<pa.count { sum += pa[k] * pb[k] }
      return sum
    }
  }
}

/// `v ← v + c u`.
private func addMultiple(_ c: Double, of u: [Double], to v: inout [Double]) {
  u.withUnsafeBufferPointer { pu in
    v.withUnsafeMutableBufferPointer { pv in
      for k in 0..<pv.count { pv[k] += c * pu[k] }
    }
  }
}
