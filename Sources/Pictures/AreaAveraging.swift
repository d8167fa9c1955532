import OctaveCore
import Foundation

/// The weights that resample a row (or column) of `sourceCount` pixels by
/// area averaging: an `outputCount × sourceCount` matrix whose row k (0-based)
/// averages the source pixels under the window
/// `[start + k·width, start + (k + 1)·width)`, source pixel p covering
/// `[p, p + 1)`. Each weight is the length of the pixel's overlap with the
/// window divided by `width`, so a pixel partly covered counts by the part
/// covered; the part of a window outside `0 ..< sourceCount` gets no weight
/// (it reads as 0).
///
/// A picture `I` (h × w) resampled to r × c over the window of rows starting
/// at `top` and columns at `left` is `R · I · Cᵀ`, with
/// `R = areaAveragingWeights(r, start: top, width: …, sourceCount: h)` and
/// `C` likewise for the columns: two BLAS products.
package func areaAveragingWeights(_ outputCount: Int, start: Double, width: Double, sourceCount: Int) -> Matrix {
  precondition(width > 0, "areaAveragingWeights: the window width must be positive (got \(width))")
  var weights = Matrix.zeros(outputCount, sourceCount)
  for k in 0..<outputCount {
    let from = start + Double(k) * width
    let to = start + Double(k + 1) * width
    let first = max(0, Int(from.rounded(.down)))
    let last = min(sourceCount, Int(to.rounded(.up)))
    guard first < last else { continue }
    for p in first..<last {
      let overlap = min(to, Double(p + 1)) - max(from, Double(p))
      if overlap > 0 { weights[k + 1, p + 1] = overlap / width }
    }
  }
  return weights
}

/// `image` resampled by area averaging to `columns` columns, its rows by the
/// same factor (at least one row is kept).
func areaAveraged(_ image: Matrix, columns: Int) -> Matrix {
  let factor = Double(image.columns) / Double(columns)
  let rows = max(1, Int((Double(image.rows) / factor).rounded()))
  let rowWeights = areaAveragingWeights(
    rows, start: 0, width: Double(image.rows) / Double(rows), sourceCount: image.rows)
  let columnWeights = areaAveragingWeights(columns, start: 0, width: factor, sourceCount: image.columns)
  return product(rowWeights * image, columnWeights, transposeB: true)
}
