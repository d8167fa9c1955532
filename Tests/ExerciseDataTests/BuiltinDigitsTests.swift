import Foundation
import Testing

import NeuralNetworkLearning
@testable import ExerciseData
import Pictures
import TestSupport

/// The built-in digits that stand in for `ex4data1.mat`.
@Suite struct BuiltinDigitsTests {
  static let digits = builtinDigits()

  /// The mean picture of each label (row `label` of a 10×400 matrix).
  static let means: Matrix = {
    let (X, y) = digits
    var means = Matrix.zeros(10, 400)
    for label in 1...10 {
      let rows = (1...y.rows).filter { y[$0] == Double(label) }
      let sums = sum(X[rows: rows])
      for k in 1...400 { means[label, k] = sums[1, k] / Double(rows.count) }
    }
    return means
  }()

  @Test func shapesAndLabelBlocks() {
    let (X, y) = Self.digits
    #expect(X.shape == "5000×400")
    #expect(y.shape == "5000×1")
    // Blocks of 500: label 10 (the digit 0) first, then 1, 2, …, 9.
    let labels: [Double] = [10, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    let expected = labels.flatMap { Array(repeating: $0, count: 500) }
    #expect(y.values == expected)
  }

  @Test func smallerSetKeepsTheLayout() {
    let (X, y) = builtinDigits(examplesPerDigit: 3)
    #expect(X.shape == "30×400")
    #expect(y.values == [10, 10, 10, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9])
  }

  @Test func deterministic() {
    let again = builtinDigits()
    #expect(again.X == Self.digits.X)
    #expect(again.y == Self.digits.y)
    #expect(builtinDigits(examplesPerDigit: 5, seed: 1).X != builtinDigits(examplesPerDigit: 5, seed: 2).X)
  }

  /// Like the course's data: background 0, strokes up to 1, most pixels 0.
  @Test func valueRange() {
    let X = Self.digits.X
    #expect(X.values.allSatisfy { $0 >= 0 && $0 <= 1 })
    for i in 1...X.rows {
      let row = X.row(i).values
      guard row.max() == 1 else {
        Issue.record("example \(i): brightest pixel \(row.max()!) instead of 1")
        return
      }
    }
    let zeros = X.values.filter { $0 == 0 }.count
    #expect(Double(zeros) / Double(X.count) > 0.6)
    // The corner pixels (1, 1), (20, 1), (1, 20), (20, 20) are background.
    for k in [1, 20, 381, 400] { #expect(X[columns: k...k].values.allSatisfy { $0 == 0 }) }
  }

  /// Mean pictures of different digits differ clearly, ‖a − b‖ / ‖a + b‖ (the
  /// course's data: 0.64 between 0 and 1, at least 0.2 between any two).
  @Test func digitsDiffer() {
    func difference(_ a: Int, _ b: Int) -> Double {
      normRelativeDifference(Self.means.row(a), Self.means.row(b))
    }
    #expect(difference(10, 1) > 0.4)
    for a in 1...10 {
      for b in 1...10 where a < b {
        #expect(difference(a, b) > 0.12, "labels \(a) and \(b)")
      }
    }
  }

  /// Each example is nearest to its own label's mean picture far more often
  /// than chance (10%): learnable. The course's data scores 81%.
  @Test func nearestMeanPicture() {
    let (X, y) = Self.digits
    let means = Self.means
    let cross = product(X, means, transposeB: true)
    let squares = (1...10).map { means.row($0).sumOfSquares() }
    var correct = 0
    for i in 1...X.rows {
      var best = (label: 0, distance: Double.infinity)
      for label in 1...10 {
        let distance = squares[label - 1] - 2 * cross[i, label]
        if distance < best.distance { best = (label, distance) }
      }
      if Double(best.label) == y[i] { correct += 1 }
    }
    #expect(Double(correct) / Double(X.rows) > 0.75)
  }

  /// Pictures are unrolled column-major with row 1 at the top: the mean 1 is
  /// tall and thin (its ink spreads much more down than across), and every
  /// digit's centre of mass lies near pixel (10.9, 10.9) as in the course's data.
  @Test func uprightAndCentred() {
    for label in 1...10 {
      let picture = reshape(Self.means.row(label).values, 20, 20)
      let total = picture.sum()
      var (rowMean, columnMean) = (0.0, 0.0)
      for c in 1...20 {
        for r in 1...20 {
          rowMean += Double(r) * picture[r, c] / total
          columnMean += Double(c) * picture[r, c] / total
        }
      }
      #expect(abs(rowMean - 10.86) < 0.5 && abs(columnMean - 10.86) < 0.5, "label \(label): \(rowMean), \(columnMean)")
      if label == 1 {
        var (down, across) = (0.0, 0.0)
        for c in 1...20 {
          for r in 1...20 {
            down += pow(Double(r) - rowMean, 2) * picture[r, c] / total
            across += pow(Double(c) - columnMean, 2) * picture[r, c] / total
          }
        }
        #expect(down > 3 * across, "spread down \(down), across \(across)")
      }
    }
  }
}
