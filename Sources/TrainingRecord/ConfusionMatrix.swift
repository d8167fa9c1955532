import NeuralNetworkLearning
import Pictures
import Foundation

/// How often each label was taken for each other: row t, column p counts the
/// examples of label t the network labelled p. With the course's ten labels
/// the rows and columns are shown as the digits 0, 1, …, 9 (label 10 is the
/// digit 0).
package struct ConfusionMatrix: Sendable, Equatable {
  /// K, the number of labels (1…K).
  package let labels: Int
  /// `counts[t - 1][p - 1]`: examples of label t predicted as p.
  package private(set) var counts: [[Int]]

  /// Counts the pairs of `actual` and `predicted` labels (whole numbers 1…K, m×1 each).
  package init(labels: Int, actual: Matrix, predicted: Matrix) {
    precondition(
      actual.count == predicted.count, "ConfusionMatrix: \(actual.count) labels but \(predicted.count) predictions")
    self.labels = labels
    counts = Array(repeating: Array(repeating: 0, count: labels), count: labels)
    for (t, p) in zip(actual.values, predicted.values) {
      let (row, column) = (Int(t), Int(p))
      precondition(
        (1...labels).contains(row) && (1...labels).contains(column), "ConfusionMatrix: label outside 1…\(labels)")
      counts[row - 1][column - 1] += 1
    }
  }

  /// The labels in the order shown: 10, 1, …, 9 (the digits 0…9) for ten labels, otherwise 1…K.
  package var order: [Int] { labels == 10 ? [10] + Array(1...9) : Array(1...labels) }

  /// How label `k` is shown: the digit for the course's ten labels (10 → "0"), otherwise the label.
  package func name(_ k: Int) -> String { labels == 10 && k == 10 ? "0" : String(k) }

  package var total: Int { counts.joined().reduce(0, +) }
  package var correct: Int { (1...max(labels, 1)).reduce(0) { $0 + (labels > 0 ? counts[$1 - 1][$1 - 1] : 0) } }

  /// Examples of label `k`.
  package func examples(of k: Int) -> Int { counts[k - 1].reduce(0, +) }

  /// Per cent of the examples of label `k` labelled `k`; nil when there are none.
  package func accuracy(of k: Int) -> Double? {
    let n = examples(of: k)
    return n == 0 ? nil : Double(counts[k - 1][k - 1]) / Double(n) * 100
  }

  /// The `limit` most frequent mistakes, most frequent first (ties in the order shown).
  package func mostConfused(_ limit: Int) -> [(actual: Int, predicted: Int, count: Int)] {
    var mistakes: [(actual: Int, predicted: Int, count: Int)] = []
    for t in order {
      for p in order where p != t && counts[t - 1][p - 1] > 0 { mistakes.append((t, p, counts[t - 1][p - 1])) }
    }
    return Array(
      mistakes.enumerated().sorted { ($0.element.count, -$0.offset) > ($1.element.count, -$1.offset) }
        .map(\.element).prefix(limit))
  }

  /// The matrix as text: a header of guesses, a row per true label with its counts and accuracy.
  package func text() -> String {
    let width = max(5, String(counts.joined().max() ?? 0).count + 2)
    func cell(_ s: String) -> String { String(repeating: " ", count: max(width - s.count, 0)) + s }
    var lines = ["true " + order.map { cell(name($0)) }.joined() + "   accuracy"]
    for t in order {
      let accuracyText = accuracy(of: t).map { String(format: "%9.1f%%", $0) } ?? "        —"
      lines.append(
        String(repeating: " ", count: 4 - min(4, name(t).count)) + name(t) + " "
          + order.map { cell(String(counts[t - 1][$0 - 1])) }.joined() + "  " + accuracyText)
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// The matrix as a picture: a cell per pair, its count written in it, the
  /// right guesses shaded green and the mistakes red, each by its share of
  /// the true label's examples, and each label's accuracy at the right. One
  /// font pixel per picture pixel (scale it when writing).
  package func picture(title: String) -> RGBRaster {
    let advance = BitmapFont.advance
    let cellWidth = max(4, String(counts.joined().max() ?? 0).count) * advance + 5
    let cellHeight = BitmapFont.ascent + 6
    let left = 2 * advance + 6 + BitmapFont.lineHeight
    let top = 2 * BitmapFont.lineHeight + 8 + BitmapFont.lineHeight
    let accuracyWidth = 6 * advance + 4
    let width = left + labels * cellWidth + accuracyWidth + 4
    let height = top + labels * cellHeight + 4
    var image = RGBRaster(width: width, height: height)
    let ink = RGBColour.black
    image.text(title, x: max(2, (width - BitmapFont.width(of: title)) / 2), y: 2, ink)
    let guessLabel = "the network's guess"
    image.text(
      guessLabel, x: left + (labels * cellWidth - BitmapFont.width(of: guessLabel)) / 2,
      y: BitmapFont.lineHeight + 5, ink)
    let trueLabel = "true digit"
    image.text(
      labels == 10 ? trueLabel : "true label", x: 2,
      y: top + (labels * cellHeight + BitmapFont.width(of: trueLabel)) / 2, ink, vertical: true)
    image.text(
      "right", x: left + labels * cellWidth + 4, y: top - BitmapFont.lineHeight - 1, ink)
    for (column, p) in order.enumerated() {
      let label = name(p)
      image.text(
        label, x: left + column * cellWidth + (cellWidth - BitmapFont.width(of: label)) / 2,
        y: top - BitmapFont.lineHeight - 1, ink)
    }
    let green = RGBColour(red: 44, green: 160, blue: 44)
    let red = RGBColour(red: 214, green: 39, blue: 40)
    for (row, t) in order.enumerated() {
      let y = top + row * cellHeight
      let label = name(t)
      image.text(label, x: left - 4 - BitmapFont.width(of: label), y: y + 3, ink)
      let n = examples(of: t)
      for (column, p) in order.enumerated() {
        let count = counts[t - 1][p - 1]
        let share = n == 0 ? 0 : Double(count) / Double(n)
        // Mistakes are shaded from a tenth of the row: most rows have a few.
        let strength = t == p ? share : min(1, share * 4)
        let fill =
          count == 0 ? RGBColour.white : RGBColour.white.mixed(with: t == p ? green : red, 0.15 + 0.85 * strength)
        let x = left + column * cellWidth
        image.fill(x: x, y: y, width: cellWidth, height: cellHeight, fill)
        image.outline(x: x, y: y, width: cellWidth + 1, height: cellHeight + 1, RGBColour(grey: 200))
        let text = String(count)
        let textColour = strength > 0.55 ? RGBColour.white : (count == 0 ? RGBColour(grey: 170) : ink)
        image.text(
          text, x: x + (cellWidth - BitmapFont.width(of: text)) / 2 + 1, y: y + 3, textColour)
      }
      let right = accuracy(of: t).map { String(format: "%.1f%%", $0) } ?? "-"
      image.text(right, x: left + labels * cellWidth + 4, y: y + 3, ink)
    }
    return image
  }
}

/// The examples a network got wrong, laid out as the course's `displayData`
/// lays examples out (a grid of tiles, one pixel of black padding), with a
/// strip under each row of tiles in which each example's true label (white)
/// and the network's guess (orange) are written, `7→9` for a 7 taken for a 9,
/// and a key above. One font pixel per picture pixel (scale it when writing);
/// examples narrower than a caption are enlarged by a whole factor (padding
/// with them) so that each caption fits under its example.
///
/// - Parameters:
///   - X: the examples, one per row, as `displayData` takes them.
///   - actual, predicted: their labels (1…10, 10 written as the digit 0).
package func misclassifiedPicture(X: Matrix, actual: [Int], predicted: [Int]) -> RGBRaster {
  precondition(
    X.rows == actual.count && X.rows == predicted.count, "misclassifiedPicture: one label and guess per row of X")
  let shown = displayData(X)
  let m = X.rows
  let baseWidth = Int(Double(X.columns).squareRoot().rounded())
  let factor = max(1, (BitmapFont.width(of: "0→0") + baseWidth - 1) / baseWidth)
  let grid = factor == 1 ? shown : enlarged(shown, by: factor)
  let (exampleWidth, exampleHeight, pad) = (baseWidth * factor, X.columns / baseWidth * factor, factor)
  let displayRows = Int(Double(m).squareRoot().rounded(.down))
  let displayColumns = (m + displayRows - 1) / displayRows
  let strip = BitmapFont.ascent + 2
  let key = BitmapFont.lineHeight + 2
  let rowHeight = exampleHeight + strip + pad
  var image = RGBRaster(
    width: max(grid.columns, BitmapFont.width(of: "true→guess") + 2),
    height: key + pad + displayRows * rowHeight, background: .black)
  let white = RGBColour(grey: 255)
  let arrow = RGBColour(grey: 150)
  let orange = RGBColour(red: 255, green: 140, blue: 40)
  func digit(_ label: Int) -> String { label == 10 ? "0" : String(label) }

  var x = image.text("true", x: 1, y: 2, white) + 1 + BitmapFont.advance - BitmapFont.glyphWidth
  x += image.text("→", x: x, y: 2, arrow) + BitmapFont.advance - BitmapFont.glyphWidth
  image.text("guess", x: x, y: 2, orange)

  for k in 0..<m {
    let (j, i) = (k / displayColumns, k % displayColumns)
    let sourceTop = pad + j * (exampleHeight + pad)
    let sourceLeft = pad + i * (exampleWidth + pad)
    let top = key + pad + j * rowHeight
    let tile = Matrix(
      rows: exampleHeight, columns: exampleWidth,
      values: (0..<exampleWidth).flatMap { c in
        (0..<exampleHeight).map { r in grid[sourceTop + r + 1, sourceLeft + c + 1] }
      })
    image.paste(grey: tile, x: sourceLeft, y: top)
    let (label, guess) = (digit(actual[k]), digit(predicted[k]))
    let captionWidth = BitmapFont.width(of: label + "→" + guess)
    var cx = sourceLeft + (exampleWidth - captionWidth) / 2
    let cy = top + exampleHeight + 1
    cx += image.text(label, x: cx, y: cy, white) + BitmapFont.advance - BitmapFont.glyphWidth
    cx += image.text("→", x: cx, y: cy, arrow) + BitmapFont.advance - BitmapFont.glyphWidth
    image.text(guess, x: cx, y: cy, orange)
  }
  return image
}

/// Each element of `image` as a `factor`×`factor` block.
private func enlarged(_ image: Matrix, by factor: Int) -> Matrix {
  let (rows, columns) = (image.rows * factor, image.columns * factor)
  var values = [Double](repeating: 0, count: rows * columns)
  for c in 0..<columns {
    for r in 0..<rows { values[r + c * rows] = image[r / factor + 1, c / factor + 1] }
  }
  return Matrix(rows: rows, columns: columns, values: values)
}
