import OctaveCore
internal import _PictureCodecs

/// A picture's 8-bit grey levels as a decoder hands them over: rows from the
/// top, `width` bytes each, 0 black … 255 white.
package struct GreyRaster: Sendable {
  package let width: Int
  package let height: Int
  package let pixels: [UInt8]

  package init(width: Int, height: Int, pixels: [UInt8]) {
    precondition(pixels.count == width * height, "GreyRaster: \(width)×\(height) needs \(width * height) bytes")
    self.width = width
    self.height = height
    self.pixels = pixels
  }

  /// The whole factor that brings the longer side down to at most `side` pixels (1 when it is already there).
  package func reductionFactor(toSide side: Int) -> Int {
    max(1, (max(width, height) + side - 1) / side)
  }

  /// The grey levels as a `⌈height/factor⌉ × ⌈width/factor⌉` matrix (array
  /// row = picture row), each element the mean of a `factor`×`factor` block
  /// of pixels (the blocks at the right and bottom edges may be smaller):
  /// area averaging by a whole factor, in one pass over the bytes.
  package func matrix(reducedBy factor: Int = 1) -> Matrix {
    precondition(factor >= 1, "GreyRaster.matrix: the factor must be at least 1 (got \(factor))")
    let rows = (height + factor - 1) / factor
    let columns = (width + factor - 1) / factor
    var values = [Double](repeating: 0, count: rows * columns)
    pixels.withUnsafeBufferPointer { source in
      values.withUnsafeMutableBufferPointer { target in
        pc_area_average(source.baseAddress, Int32(width), Int32(height), Int32(factor), target.baseAddress)
      }
    }
    return Matrix(rows: rows, columns: columns, values: values)
  }
}

/// The grey-level closing of `picture` (a maximum, then a minimum, over a
/// square window of side `2·radius + 1`, cut at the picture's edges): marks
/// darker than their surroundings and narrower than the window are filled in
/// with the level around them, while steps, slopes and broad shadows stay.
package func greyClosing(_ picture: Matrix, radius: Int) -> Matrix {
  var values = picture.values
  var scratch = [Double](repeating: 0, count: 3 * max(picture.rows, picture.columns))
  values.withUnsafeMutableBufferPointer { v in
    scratch.withUnsafeMutableBufferPointer { s in
      pc_closing(v.baseAddress, Int32(picture.rows), Int32(picture.columns), Int32(radius), s.baseAddress)
    }
  }
  return Matrix(rows: picture.rows, columns: picture.columns, values: values)
}
