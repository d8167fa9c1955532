import Foundation
import Testing

@testable import NeuralNetworkLearning
import TestSupport

/// fmincg's observer: it sees every accepted point and changes nothing.
@Suite struct FmincgObserverTests {
  /// A narrow curved valley in 4-D (two Rosenbrock pairs), where the line searches take varied steps.
  private static func valley(_ x: Matrix) -> (Double, Matrix) {
    var f = 0.0
    var g = Matrix.zeros(x.rows, x.columns)
    for k in stride(from: 1, to: x.count, by: 2) {
      let (a, b) = (x[k], x[k + 1])
      f += (1 - a) * (1 - a) + 100 * (b - a * a) * (b - a * a)
      g[k] = -2 * (1 - a) - 400 * a * (b - a * a)
      g[k + 1] = 200 * (b - a * a)
    }
    return (f, g)
  }

  private static let start = Matrix(column: [-1.2, 1, 0.4, -0.6])

  @Test("the observer is called once per cost in fX, with that cost and the point that has it")
  func observerSeesEachAcceptedPoint() {
    var seen: [(i: Int, cost: Double, X: Matrix)] = []
    let (X, fX, i) = fmincg(Self.valley, Self.start, maxIter: 40, progress: .silent) { i, cost, X in
      seen.append((i, cost, X))
    }
    #expect(seen.count == fX.count && !fX.isEmpty)
    #expect(seen.map(\.cost) == fX)
    #expect(seen.map(\.i) == Array(1...fX.count), "the counter of each successful line search")
    for entry in seen { #expect(Self.valley(entry.X).0 == entry.cost) }
    #expect(seen.last!.X == X && i == 40)
  }

  @Test("with an observer fmincg visits the same points and returns the same bits")
  func observerChangesNothing() {
    let plain = fmincg(Self.valley, Self.start, maxIter: 40, progress: .silent)
    var calls = 0
    let observed = fmincg(Self.valley, Self.start, maxIter: 40, progress: .silent) { _, _, _ in calls += 1 }
    #expect(calls == plain.fX.count)
    #expect(firstBitDifference(plain.X.values, observed.X.values) == nil)
    #expect(firstBitDifference(plain.fX, observed.fX) == nil)
    #expect(plain.i == observed.i)
  }

  @Test("the observer is called after the progress line of the same iteration")
  func observerFollowsTheProgressLine() {
    var events: [String] = []
    _ = fmincg(
      Self.valley, Self.start, maxIter: 3, progress: .callback({ i, _ in events.append("line \(i)") }),
      observer: { i, _, _ in events.append("observer \(i)") })
    #expect(events == ["line 1", "observer 1", "line 2", "observer 2", "line 3", "observer 3"])
  }
}
