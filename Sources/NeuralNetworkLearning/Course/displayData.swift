/// DISPLAYDATA lays the rows of X out as a grid of grey tiles, as the
/// course's `displayData.m` builds its `display_array`.
///
/// For `X` of size m×n, with `example_width` w (default `round(sqrt(n))`) and
/// `example_height` h = n / w:
///
///     display_rows = floor(sqrt(m))
///     display_cols = ceil(m / display_rows)
///     display_array = -ones(1 + display_rows·(h + 1), 1 + display_cols·(w + 1))
///
/// Example `curr_ex` counts along the rows of the grid first: tile (j, i) —
/// grid row j, grid column i — holds example `(j − 1)·display_cols + i`, as
///
///     reshape(X(curr_ex, :), h, w) / max(abs(X(curr_ex, :)))
///
/// (column-major, so pixel (r, c) of the tile is `X(curr_ex, r + h·(c − 1))`),
/// with its top-left corner at array element
/// `(1 + (j − 1)·(h + 1) + 1, 1 + (i − 1)·(w + 1) + 1)`. One pixel of padding
/// of value −1 lies between and around the tiles; unused tiles stay −1.
/// Drawn with array row = image row, −1 black and +1 white, the course's
/// digits stand upright. 100 examples of 20×20 make a 211×211 array; the 25
/// hidden units of `Theta1(:, 2:end)` a 106×106 one.
///
/// One difference from the course: an example whose values are all zero
/// (where Octave divides 0 by 0 and draws NaN) is shown as a tile of zeros.
///
/// - Precondition: `X` has at least one row and one column, `exampleWidth`
///   (if given) is positive and divides the number of columns. Otherwise the
///   program stops with a message naming the shape, e.g. `displayData:
///   example width 3 does not divide the 7 columns of X`; a program showing
///   a student's `X` checks it first.
public func displayData(_ X: Matrix, exampleWidth: Int? = nil) -> Matrix {
  let m = X.rows
  let n = X.columns
  precondition(m >= 1 && n >= 1, "displayData: X is empty (\(X.shape))")
  let example_width = exampleWidth ?? Int((Double(n).squareRoot()).rounded())
  precondition(
    example_width >= 1 && n % example_width == 0,
    "displayData: example width \(example_width) does not divide the \(n) columns of X")
  let example_height = n / example_width

  let display_rows = Int(Double(m).squareRoot().rounded(.down))
  let display_cols = (m + display_rows - 1) / display_rows
  let pad = 1

  var display_array = Matrix(
    rows: pad + display_rows * (example_height + pad),
    columns: pad + display_cols * (example_width + pad),
    repeating: -1)
  var curr_ex = 1
  for j in 1...display_rows {
    for i in 1...display_cols where curr_ex <= m {
      let example = X.row(curr_ex)
      let max_val = example.values.reduce(0) { max($0, abs($1)) }
      let top = pad + (j - 1) * (example_height + pad)
      let left = pad + (i - 1) * (example_width + pad)
      for c in 1...example_width {
        for r in 1...example_height {
          let value = example[1, r + example_height * (c - 1)]
          display_array[top + r, left + c] = max_val > 0 ? value / max_val : 0
        }
      }
      curr_ex += 1
    }
  }
  return display_array
}
