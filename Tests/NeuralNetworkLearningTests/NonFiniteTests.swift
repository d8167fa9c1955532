import Foundation
import Testing

@testable import NeuralNetworkLearning
import TestSupport

/// Whether two results agree as Octave's and ours must: both NaN, equal
/// (infinities included), or finite and within `tolerance` of each other.
private func agrees(_ a: Double, _ b: Double, tolerance: Double) -> Bool {
  (a.isNaN && b.isNaN) || a == b || (a.isFinite && b.isFinite && relativeDifference(a, b) <= tolerance)
}

/// Saturated units, overflowing costs and fmincg on costs that are Inf or
/// NaN: the same numbers as Octave, never a stop.
@Suite struct NonFiniteTests {
  /// `fixtures/nn/saturation.mat` (see `make_saturation_fixture.m`): output
  /// units whose sigmoid is exactly 1 or 0 make Octave's elementwise
  /// cross-entropy Inf (log 0) or NaN (0 · log 0).
  @Test func saturatedOutputsGiveOctavesCost() throws {
    let fixture = try MatFile.read(Fixture.path("nn/saturation.mat"))
    let X = try #require(fixture["X"])
    let Theta1 = try #require(fixture["Theta1"])
    let expectedKinds: [String: String] = [
      "finite": "finite", "wrong": "Inf", "right": "NaN", "zero": "Inf", "nearly": "finite",
    ]
    for (name, kind) in expectedKinds {
      let Theta2 = try #require(fixture["\(name)_Theta2"])
      let y = try #require(fixture["\(name)_y"])
      let lambda = try #require(fixture["\(name)_lambda"])[1]
      let octaveJ = try #require(fixture["\(name)_J"])[1]
      let octaveGrad = try #require(fixture["\(name)_grad"])
      #expect(octaveJ.isNaN ? kind == "NaN" : octaveJ.isInfinite ? kind == "Inf" : kind == "finite", "\(name)")
      let (J, grad) = nnCostFunction(
        unroll(Theta1, Theta2), inputLayerSize: 2, hiddenLayerSize: 2, numLabels: 2, X: X, y: y, lambda: lambda)
      #expect(agrees(J, octaveJ, tolerance: 1e-12), "\(name): J = \(J), Octave's \(octaveJ)")
      #expect(grad.shape == octaveGrad.shape)
      for k in 1...grad.count {
        #expect(
          agrees(grad[k], octaveGrad[k], tolerance: 1e-12),
          "\(name): grad(\(k)) = \(grad[k]), Octave's \(octaveGrad[k])")
      }
    }
  }

  /// Weights of 1e200 overflow the linear network's squared error and its
  /// penalty to Inf; with λ = 0, 0 · Inf makes J NaN, in Octave as here.
  @Test func anOverflowingLinearCostGivesOctavesCost() throws {
    let fixture = try MatFile.read(Fixture.path("nn/saturation.mat"))
    let Theta1 = try #require(fixture["Theta1"])
    let Theta2 = try #require(fixture["linear_overflow_Theta2"])
    let octaveJ = try #require(fixture["linear_overflow_J"])[1]
    let octaveGrad = try #require(fixture["linear_overflow_grad"])
    #expect(octaveJ.isNaN)
    let (J, grad) = nnCostFunctionLinear(
      unroll(Theta1, Theta2), inputLayerSize: 2, hiddenLayerSize: 2, X: try #require(fixture["X"]),
      y: try #require(fixture["linear_overflow_y"]), lambda: 0)
    #expect(J.isNaN, "J = \(J)")
    for k in 1...grad.count {
      #expect(agrees(grad[k], octaveGrad[k], tolerance: 1e-12), "grad(\(k)) = \(grad[k]), Octave's \(octaveGrad[k])")
    }
  }

  @Test func sigmoidSaturatesToExactlyZeroAndOne() {
    // exp(-z) overflows below z = -709.78, and 1 + e^(-z) rounds to 1 from z = 37.
    let g = sigmoid(Matrix(row: [-800, -709, -40, 0, 36, 37, 800, .infinity, -.infinity, .nan]))
    #expect(g[1] == 0 && g[2] > 0 && g[3] > 0 && g[4] == 0.5 && g[5] < 1 && g[6] == 1 && g[7] == 1)
    #expect(g[8] == 1 && g[9] == 0 && g[10].isNaN)
    let d = sigmoidGradient(Matrix(row: [-800, 800, .nan]))
    #expect(d[1] == 0 && d[2] == 0 && d[3].isNaN)
  }

  /// The quadratic of `make_nonfinite_fixture.m`, changed in a region, with
  /// the same floating-point operations as Octave's.
  static func changed(_ name: String, evaluations: Counter) -> (Matrix) -> (Double, Matrix) {
    { x in
      evaluations.count += 1
      let a = x[1] - 2
      let b = x[2] + 1
      var f = a * a + 10 * (b * b)
      var g = Matrix(column: [2 * a, 20 * b])
      switch name {
      case "wall": if x[1] > 1.5 { f = .infinity }
      case "nanwall":
        if x[1] > 1.5 {
          f = .nan
          g = Matrix(column: [.nan, .nan])
        }
      case "nancost": if x[1] + x[2] > 0.5 { f = .nan }
      case "startinf": if x[1] < -1 { f = .infinity }
      case "startnan":
        if x[1] < -1 {
          f = .nan
          g = Matrix(column: [.nan, .nan])
        }
      default: preconditionFailure("no function \(name)")
      }
      return (f, g)
    }
  }

  final class Counter { var count = 0 }

  /// `fixtures/fmincg/nonfinite.mat`: Octave's fmincg (the course's, or our
  /// transcription of its specification) on costs that are Inf or NaN in
  /// places. On the OpenBLAS kernel that made the file (its `openblas_core`):
  /// the same counters, the same costs (NaN where Octave's are NaN) and the
  /// same final point, to the bit. On any kernel: the entries before rounding
  /// has grown, the counters where the dot products' rounding cannot change
  /// them, and the final point within what that rounding moves it
  /// (``FmincgRoundingSpread``), with the properties any correct run has.
  @Test(arguments: [
    ("wall", 20, [0.0, 0]), ("wall_m30", -30, [0, 0]), ("nanwall", 20, [0, 0]), ("nancost", 20, [0, 0]),
    ("startinf", 20, [-3, 0]), ("startnan", 20, [-3, 0]),
  ])
  func fmincgTreatsInfAndNaNCostsAsTheOriginal(name: String, maxIter: Int, start: [Double]) throws {
    let fixture = try MatFile.read(Fixture.path("fmincg/nonfinite.mat"))
    let kernel = try #require(fixtureKernel(fixture), "nonfinite.mat does not name its OpenBLAS kernel")
    let octave = try #require(fixture[name]).values
    let count = Int(octave[2])
    let (expectedI, expectedEvaluations) = (Int(octave[0]), Int(octave[1]))
    let expectedfX = Array(octave[3..<(3 + count)])
    let expectedX = Array(octave[(3 + count)...])
    let evaluations = Counter()
    let plain = name.replacingOccurrences(of: "_m30", with: "")
    let function = Self.changed(plain, evaluations: evaluations)
    var lines: [String] = []
    let (X, fX, i) = fmincg(function, Matrix(column: start), maxIter: maxIter, progress: .printLines) {
      lines.append($0)
    }
    let what = "\(name), OpenBLAS kernel \(BLASKernel.current), Octave's \(kernel)"

    if BLASKernel.current == kernel {
      #expect(i == expectedI, "\(what)")
      #expect(evaluations.count == expectedEvaluations, "\(what)")
      #expect(fX.count == expectedfX.count, "\(what)")
      for (k, (ours, theirs)) in zip(fX, expectedfX).enumerated() {
        #expect(agrees(ours, theirs, tolerance: 0), "\(what): fX(\(k + 1)) = \(ours), Octave's \(theirs)")
      }
      #expect(zip(X.values, expectedX).allSatisfy { agrees($0, $1, tolerance: 0) }, "\(what): X = \(X.values)")
    }

    let spread = FmincgRoundingSpread(
      Self.changed(plain, evaluations: Counter()), start: Matrix(column: start), maxIter: maxIter)
    if spread.evaluationsAreStable {
      #expect(i == expectedI, "\(what)")
      #expect(evaluations.count == expectedEvaluations, "\(what)")
      #expect(fX.count == expectedfX.count, "\(what)")
      for k in X.values.indices {
        #expect(
          FmincgRoundingSpread.agree(X.values[k], expectedX[k], within: spread.tolerance(component: k)),
          "\(what): X(\(k + 1)) = \(X.values[k]), Octave's \(expectedX[k])")
      }
    }
    for k in 0..<min(spread.tightEntries(), fX.count, expectedfX.count) {
      let tolerance = try #require(spread.tolerance(entry: k))
      #expect(
        FmincgRoundingSpread.agree(fX[k], expectedfX[k], within: tolerance),
        "\(what): fX(\(k + 1)) = \(fX[k]), Octave's \(expectedfX[k]) ± \(tolerance)")
    }
    // Any correct run: the counter within MaxIter; finite costs fall from one
    // successful line search to the next; the point is finite.
    #expect(i <= abs(maxIter), "\(what): i = \(i)")
    let finite = fX.filter(\.isFinite)
    #expect(zip(finite, finite.dropFirst()).allSatisfy { $0 > $1 }, "\(what): finite costs must fall: \(fX)")
    #expect(X.values.allSatisfy { $0.isFinite }, "\(what): X = \(X.values)")
    // Where every perturbed run ends at the same value to 1e-6 (the runs that
    // converge: the end does not depend on rounding there even when the path
    // and the counters do), ours must end there too.
    for k in X.values.indices {
      let ends = spread.runs.map { $0.X.values[k] }
      if let low = ends.min(), let high = ends.max(), high - low <= 1e-6 {
        #expect(
          X.values[k] >= low - 1e-6 && X.values[k] <= high + 1e-6,
          "\(what): X(\(k + 1)) = \(X.values[k]), every perturbed run ends within \(low)…\(high)")
      }
    }
    // Non-finite costs are printed as Octave's printf prints them.
    for (line, cost) in zip(lines, fX) where !cost.isFinite {
      #expect(line.hasSuffix(cost.isNaN ? "| Cost:  NaN\n" : "| Cost:  Inf\n"), "\(line)")
    }
  }

  @Test func progressLinesSpellNonFiniteCostsAsOctave() {
    #expect(fmincgProgressLine(3, .nan) == "Iteration     3 | Cost:  NaN")
    #expect(fmincgProgressLine(3, .infinity) == "Iteration     3 | Cost:  Inf")
    #expect(fmincgProgressLine(3, -.infinity) == "Iteration     3 | Cost: -Inf")
    #expect(fmincgProgressLine(3, 0.5) == "Iteration     3 | Cost: 5.000000e-01")
  }
}
