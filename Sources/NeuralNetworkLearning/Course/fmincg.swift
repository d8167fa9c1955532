// fmincg: copyright and changes (see also NOTICE at the package root)
//
// Copyright (C) 2001 and 2002 by Carl Edward Rasmussen. Date 2002-02-13
//
// This is a port of Rasmussen's conjugate-gradient minimiser (`minimize.m`),
// which the Coursera Machine Learning course renamed `fmincg` and gave its
// `Iteration … | Cost: …` line. Its licence lets anyone copy, use and modify
// it for research or education as long as this copyright notice stays and
// changes are noted; it comes without any warranty. Changes made here:
// rewritten in Swift for this package's `Matrix`; the cost function is a
// Swift closure instead of a function name with extra arguments; the optional
// "expected first reduction" is fixed at 1, as the course uses it; the
// progress line can be printed in place, printed as separate lines, turned off
// or sent to a callback; an observer can be handed each point accepted; dot
// products longer than 8192 entries are summed in blocks, so that they do not
// depend on the number of BLAS threads. Where a fit takes the square root of a negative
// number, Octave gets a complex number and Swift gets NaN: in the
// extrapolation both take the original's "numerical problem" branch; in the
// interpolation the NaN is bisected like any other numerical problem, where
// Octave would carry a complex step on (a case not met in the tests).

import Foundation

/// Minimise a continuous differentiable multivariate function by conjugate
/// gradients: the course's `fmincg`, step for step.
///
///     [X, fX, i] = fmincg(f, X, options)    ⇔    fmincg(f, X, maxIter: 50)
///
/// `f(X)` returns the cost and its gradient (as many elements as `X`; the
/// course's `X` is the unrolled parameter column). From `X` the search moves
/// along Polak–Ribière conjugate directions; each line search brackets a step
/// with quadratic and cubic fits and extrapolation until the Wolfe–Powell
/// conditions hold (sufficient decrease `RHO = 0.01`, curvature `SIG = 0.5`;
/// never nearer than `INT = 0.1` of the bracket to its ends; extrapolate at
/// most `EXT = 3` times the step; at most `MAX = 20` evaluations per search;
/// step guesses grow at most `RATIO = 100` times). A failed line search falls
/// back once to steepest descent; two failures in a row end the run.
///
/// - `maxIter > 0` counts line searches; `maxIter < 0` gives a budget of
///   `-maxIter` evaluations of `f` instead.
/// - Returns the final point `X` (shaped like the input), `fX` the cost after
///   each successful line search in order, and `i` the final counter (line
///   searches or evaluations).
/// - `progress` chooses what each successful line search reports: the course's
///   `Iteration %4i | Cost: %4.6e` line overwritten in place (`.print`), the
///   same as separate lines (`.printLines`), nothing (`.silent`) or a call
///   (`.callback`) with the counter and the cost.
/// - `observer`, when given, is called after each successful line search,
///   after the progress report, with the counter, the cost and the point just
///   reached (the parameters after that iteration), for work that needs the
///   weights themselves, such as a held-out accuracy. It only looks: nothing
///   it does can change the search.
///
/// Costs that are infinite or NaN are treated as the original treats them:
/// every comparison with NaN is false, so the same branches are taken (a NaN
/// cost can even end a successful line search, and is then recorded in `fX`),
/// and a fit that comes out NaN or infinite falls back as in the original.
/// Octave's `min` and `max` pass over a NaN argument; Swift's return their
/// first argument when the second is NaN, and every call here has the
/// argument that may be NaN second, so the results agree.
///
/// - Precondition: `f` returns a gradient with as many elements as `X`;
///   otherwise the program stops naming both shapes.
///
/// The constants, the order of the steps and the order of the floating-point
/// operations are the original's, so that from the same start the same points
/// are visited as in Octave, to rounding. Dot products go through BLAS as in
/// Octave (`cblas_ddot`, and `cblas_dsyrk` for `df1' * df1` and `df2' * df2`,
/// which is what Octave calls for them), so they round as the BLAS kernel in
/// use rounds, like Octave's; those longer than 8192 entries are summed in
/// blocks, so that they do not depend on the number of threads. `X + z * s` is
/// an elementwise loop, not `daxpy`, whose fused multiply-add would round
/// differently from Octave.
public func fmincg(
  _ f: (Matrix) -> (Double, Matrix),
  _ X: Matrix,
  maxIter: Int = 100,
  progress: FmincgProgress = .print,
  observer: FmincgObserver? = nil
) -> (X: Matrix, fX: [Double], i: Int) {
  let progress = progress.forStandardOutput(isTerminal: isatty(STDOUT_FILENO) == 1)
  return fmincg(f, X, maxIter: maxIter, progress: progress, observer: observer) { text in
    Swift.print(text, terminator: "")
    fflush(nil)
  }
}

/// What ``fmincg(_:_:maxIter:progress:observer:)`` reports after each successful line
/// search.
public enum FmincgProgress {
  /// The course's line, `Iteration %4i | Cost: %4.6e`, ending in a carriage
  /// return so that each overwrites the last on a terminal, and a newline when
  /// the minimisation ends. When standard output is not a terminal (a pipe,
  /// a log file) it is ``printLines`` instead: carriage returns would pile
  /// every line into one there.
  case print
  /// The same line ending in a newline, one per line search, for output that
  /// is not a terminal (a log file, a pipe).
  case printLines
  /// Nothing.
  case silent
  /// A call with the counter the line would show (line searches done, or
  /// evaluations used when `maxIter` is negative) and the cost.
  case callback((_ iteration: Int, _ cost: Double) -> Void)
}

extension FmincgProgress {
  /// Reports counter `i` and cost `f1` after a successful line search, the
  /// printed line going through `write`.
  func report(_ i: Int, _ f1: Double, write: (String) -> Void) {
    switch self {
    case .print: write(fmincgProgressLine(i, f1) + "\r")
    case .printLines: write(fmincgProgressLine(i, f1) + "\n")
    case .silent: break
    case .callback(let call): call(i, f1)
    }
  }

  /// What is printed to a standard output that is, or is not, a terminal:
  /// ``print`` becomes ``printLines`` off a terminal; the rest are unchanged.
  package func forStandardOutput(isTerminal: Bool) -> FmincgProgress {
    if case .print = self, !isTerminal { return .printLines }
    return self
  }
}

/// What ``fmincg(_:_:maxIter:progress:observer:)`` hands its observer after
/// each successful line search: the counter the progress line shows, the
/// cost there, and the point `X` reached (shaped like the start).
public typealias FmincgObserver = (_ iteration: Int, _ cost: Double, _ X: Matrix) -> Void

/// The course's progress line for counter `i` and cost `f1`, without its
/// line ending: `Iteration    50 | Cost: 4.794254e-01`. An infinite or NaN
/// cost is spelt as Octave's `printf` spells it (` Inf`, `-Inf`, ` NaN`).
func fmincgProgressLine(_ i: Int, _ f1: Double) -> String {
  let S = "Iteration "
  let nonFinite = octaveSpelling(f1)
  let padded = String(repeating: " ", count: max(4 - nonFinite.count, 0)) + nonFinite  // printf's width 4
  return S + String(format: " %4ld | Cost: ", i) + (f1.isFinite ? String(format: "%4.6e", f1) : padded)
}

/// ``fmincg(_:_:maxIter:progress:observer:)`` writing its printed output through
/// `write`, so that tests can see exactly what it prints. `products` lets
/// tests replace the dot products, to measure how much a run depends on
/// their rounding (which is what differs between BLAS kernels).
package func fmincg(
  _ f: (Matrix) -> (Double, Matrix),
  _ X: Matrix,
  maxIter: Int,
  progress: FmincgProgress,
  observer: FmincgObserver? = nil,
  products: FmincgProducts = .blas,
  write: (String) -> Void
) -> (X: Matrix, fX: [Double], i: Int) {
  func dot(_ a: Matrix, _ b: Matrix) -> Double { products.dot(a, b) }
  func selfDot(_ v: Matrix) -> Double { products.selfDot(v) }
  let length = maxIter
  // abs(length), without the trap abs(Int.min) would be.
  let budget = Int(clamping: length.magnitude)
  let RHO = 0.01  // sufficient decrease (Wolfe-Powell)
  let SIG = 0.5  // curvature (Wolfe-Powell)
  let INT = 0.1  // keep new points 10% of the bracket away from its ends
  let EXT = 3.0  // extrapolate to at most 3 times the current step
  let MAX = 20  // evaluations allowed in one line search
  let RATIO = 100.0  // largest growth of the step guess from the slope ratio
  let red = 1.0  // expected reduction at the first step
  let realmin = Double.leastNormalMagnitude
  let countEvaluations = length < 0

  func evaluate(_ X: Matrix) -> (Double, Matrix) {
    let (cost, gradient) = f(X)
    precondition(
      gradient.count == X.count,
      "fmincg: the cost function returned a gradient of \(gradient.shape) for a point of \(X.shape); "
        + "they must have the same number of elements")
    return (cost, gradient)
  }

  var X = X
  var i = 0  // line searches or evaluations so far
  var ls_failed = false  // whether the previous line search failed
  var fX: [Double] = []
  var (f1, df1) = evaluate(X)
  if countEvaluations { i += 1 }
  var s = -df1  // first direction: steepest descent
  var d1 = -dot(s, s)  // slope along s
  var z1 = red / (1 - d1)  // first step: red / (1 + |s|²)

  while i < budget {
    if !countEvaluations { i += 1 }

    let X0 = X  // where this line search starts, to come back to on failure
    let f0 = f1
    let df0 = df1
    addMultiple(z1, of: s, to: &X)  // first point of the line search
    var (f2, df2) = evaluate(X)
    if countEvaluations { i += 1 }
    var d2 = dot(df2, s)
    var f3 = f1  // point 3 starts at point 1
    var d3 = d1
    var z3 = -z1
    var M = countEvaluations ? min(MAX, budget - i) : MAX
    var success = false
    var limit = -1.0
    /// One more point of the line search: X moves z2 further along s, and f2,
    /// df2 and the slope d2 are evaluated there, spending one of M.
    func moveAndEvaluate(_ z2: Double) {
      addMultiple(z2, of: s, to: &X)
      (f2, df2) = evaluate(X)
      M = M - 1
      if countEvaluations { i += 1 }
      d2 = dot(df2, s)
    }
    while true {
      while (f2 > f1 + z1 * RHO * d1 || d2 > -SIG * d1) && M > 0 {
        limit = z1  // the bracket's far end moves in
        var z2: Double
        if f2 > f1 {
          z2 = z3 - (0.5 * d3 * z3 * z3) / (d3 * z3 + f2 - f3)  // minimum of a quadratic fit
        } else {
          let A = 6 * (f2 - f3) / z3 + 3 * (d2 + d3)  // minimum of a cubic fit
          let B = 3 * (f3 - f2) - z3 * (d3 + 2 * d2)
          z2 = ((B * B - A * d2 * z3 * z3).squareRoot() - B) / A  // may be NaN or infinite
        }
        if z2.isNaN || z2.isInfinite {
          z2 = z3 / 2  // no usable fit: halve the bracket
        }
        z2 = max(min(z2, INT * z3), (1 - INT) * z3)  // not too near either end
        z1 = z1 + z2
        moveAndEvaluate(z2)
        z3 = z3 - z2  // point 3 measured from the new point 2
      }
      if f2 > f1 + z1 * RHO * d1 || d2 > -SIG * d1 {
        break  // failure
      } else if d2 > SIG * d1 {
        success = true
        break  // success
      } else if M == 0 {
        break  // failure
      }
      let A = 6 * (f2 - f3) / z3 + 3 * (d2 + d3)  // extrapolate with a cubic fit
      let B = 3 * (f3 - f2) - z3 * (d3 + 2 * d2)
      var z2 = -d2 * z3 * z3 / (B + (B * B - A * d2 * z3 * z3).squareRoot())  // may be NaN or infinite
      // Octave's square root of a negative number is complex (the original's
      // ~isreal(z2)); here it is NaN, caught by the same test.
      if z2.isNaN || z2.isInfinite || z2 < 0 {  // unusable, or pointing back
        if limit < -0.5 {  // no far end yet
          z2 = z1 * (EXT - 1)  // go as far as allowed
        } else {
          z2 = (limit - z1) / 2  // halfway to the far end
        }
      } else if limit > -0.5 && z2 + z1 > limit {  // past the far end
        z2 = (limit - z1) / 2
      } else if limit < -0.5 && z2 + z1 > z1 * EXT {  // further than EXT times the step
        z2 = z1 * (EXT - 1.0)
      } else if z2 < -z3 * INT {  // too small a step
        z2 = -z3 * INT
      } else if limit > -0.5 && z2 < (limit - z1) * (1.0 - INT) {  // too near the far end
        z2 = (limit - z1) * (1.0 - INT)
      }
      f3 = f2  // point 2 becomes point 3
      d3 = d2
      z3 = -z2
      z1 = z1 + z2
      moveAndEvaluate(z2)
    }

    if success {
      f1 = f2
      fX.append(f1)
      progress.report(i, f1, write: write)
      observer?(i, f1, X)
      // New direction by Polak-Ribiere.
      let coefficient = (selfDot(df2) - dot(df1, df2)) / selfDot(df1)
      s = scaledMinus(coefficient, s, df2)
      swap(&df1, &df2)
      d2 = dot(df1, s)
      if d2 > 0 {  // not downhill: use steepest descent
        s = -df1
        d2 = -dot(s, s)
      }
      z1 = z1 * min(RATIO, d1 / (d2 - realmin))  // scale the step by the slope ratio
      d1 = d2
      ls_failed = false
    } else {
      X = X0  // back to where the failed line search started
      f1 = f0
      df1 = df0
      if ls_failed || i > budget {  // a second failure in a row, or out of budget
        break
      }
      swap(&df1, &df2)  // df1 is now the failed search's last gradient (as in the original)
      s = -df1  // steepest descent
      d1 = -dot(s, s)
      z1 = 1 / (1 - d1)
      ls_failed = true
    }
  }
  if case .print = progress { write("\n") }
  return (X, fX, i)
}
