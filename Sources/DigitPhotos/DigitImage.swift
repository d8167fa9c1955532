import NeuralNetworkLearning
import Pictures
import Foundation

/// A picture of one handwritten digit (a photo or scan, PNG, JPEG or PGM)
/// made into an input like the course's: 20×20 grey levels, dark background
/// ≈ 0, strokes up to 1, the digit scaled and centred as in the training
/// images.
///
/// A picture file is first reduced by area averaging (a whole factor, in one
/// pass as it is read) until its longer side is at most ``workingSide``
/// pixels; a JPEG is also turned upright by its EXIF orientation. Then, from
/// its grey levels G (0 black … 255 white), h × w:
///
/// 1. **Polarity and page.** When the border band (the outer
///    `max(1, min(h, w)/50)` pixels) is darker than the middle 70% of the
///    picture by 64 levels or more, and the rows and columns mostly lighter
///    than halfway between the two make a page of a quarter of the picture
///    or more, the picture is a light page on a desk: the page, less 1/30 of
///    each side, is kept, and the rest is done on it, with dark strokes.
///    Otherwise the paper is most of the picture, so it is light when the
///    picture's median lies nearer its lightest level than its darkest;
///    then the strokes are dark.
/// 2. **Ink.** The paper's own level everywhere, P, is the grey-level
///    closing of the picture (a maximum, then a minimum, over a square of
///    side 1/3 of the picture's shorter side): it follows uneven light,
///    broad shadows and the page's edge, and fills in marks narrower than
///    the square. Each pixel's darkness is how far it falls below P: on light
///    paper as a share of P, `255·(P − G)/P` (a shadow dims paper and ink
///    alike), on dark paper in grey levels. The paper's noise is measured at
///    the border band: its median darkness m and robust spread σ =
///    1.4826 × the median absolute deviation. A picture where nothing is 16
///    levels darker than m has no digit; nor has one where fewer than 4
///    pixels stand out from m by 6σ (and by 16 levels at least): noise and
///    lighting alone are refused. Ink is the darkness above a floor of
///    m + 3σ, scaled so the strongest is 1.
/// 3. **Finding the digit.** Its bounding box is that of the pixels with ink
///    ≥ 0.5, and its centre the centre of mass of the ink.
/// 4. **Cropping.** A square of side S = (the box's longer side) / 0.7 is cut
///    around the digit, placed so that the centre of mass falls at
///    10.35/20 of the square down and across, and enlarged (keeping that
///    point) if the box would not fit. Both constants are measured on the
///    course's 5000 training digits, at the same ink ≥ 0.5: the longer side
///    of the box is 14 of the 20 pixels (median; 5% to 95%: 14 to 15) and
///    the centre of mass lies at 10.35 pixels from the top and left edges
///    (mean), as MNIST's digits, which the course's are, are framed.
///    The square may extend past the picture; outside counts as background.
/// 5. **Scaling.** The square is resampled to 20×20 by area averaging
///    (every output pixel is the mean of the ink under it, pixels partly
///    under it counted by the part covered; ``areaAveragingWeights``).
/// 6. **Range.** Divided by its largest value, so the strokes reach 1 like
///    the training images (whose largest value is 1 in the median image).
///
/// ``features`` is the result unrolled column-major into one row of 400, the
/// layout of a row of the course's `X`: pixel (r, c) is element r + 20(c − 1).
public struct DigitImage: Sendable {
  /// The side of the course's pictures, in pixels.
  public static let side = 20
  /// The digit's bounding box (at ink ≥ 0.5) fills this fraction of the square cut around it.
  static let boxFraction = 0.7
  /// Where the centre of mass of the ink falls, as a fraction of the square from its top (and left) edge.
  static let centreOfMassFraction = 10.35 / 20
  /// The smallest difference in grey levels (of 255) between background and strokes.
  static let minimumContrast = 16.0
  /// How many times the paper's noise (σ, measured at the border) a stroke must stand out by.
  static let noiseMultiple = 6.0
  /// The fewest pixels standing out that make a digit.
  static let minimumStrokePixels = 4
  /// The longer side, in pixels, a picture file is reduced to (by area averaging by a whole factor, as it is read)
  /// before the digit is looked for: a 4032×3024 photo becomes 672×504 (factor 6).
  public static let workingSide = 800

  /// The 20×20 input, 0 (background) … 1 (strongest stroke); array row = picture row.
  public let pixels: Matrix
  /// Whether the picture had a light background and dark strokes, so its ink was the inverse of its grey.
  public let lightBackground: Bool
  /// The square of the original picture that became ``pixels``: its top-left corner (0-based, in
  /// picture pixels, possibly outside the picture) and its side.
  public let crop: (top: Double, left: Double, side: Double)
  /// Whether the digit's strokes reach the edge of the picture (or of the page, on a desk): part of it may be cut off.
  public let touchesEdge: Bool

  /// ``pixels`` as one row of the course's `X`: 1 × 400, column-major.
  public var features: Matrix { Matrix(row: pixels.values) }

  /// The picture in the PNG, JPEG or PGM file at `path` (``readGrey(_:)``), prepared as described above.
  ///
  /// - Throws: ``ImageFileError`` naming the file and what is wrong: it
  ///   cannot be read, is not PNG, JPEG or PGM, is damaged or too large, or
  ///   shows no digit.
  public init(contentsOf path: String) throws(ImageFileError) {
    try self.init(grey: DigitImage.readGrey(path), source: path)
  }

  /// The digit in a picture of grey levels (0 black … 255 white; array row =
  /// picture row), prepared as described above. `source` names the picture
  /// in errors.
  ///
  /// - Throws: ``ImageFileError`` when the picture shows no digit: empty,
  ///   or no contrast between the background and anything else.
  public init(grey: Matrix, source: String = "picture") throws(ImageFileError) {
    let (h, w) = (grey.rows, grey.columns)
    guard h >= 1 && w >= 1 else { throw ImageFileError(path: source, problem: "the picture is empty (\(grey.shape))") }
    guard grey.values.allSatisfy({ $0.isFinite }) else {
      throw ImageFileError(path: source, problem: "the picture has grey levels that are not numbers")
    }
    // 1. Polarity: the paper is most of the picture, so its median is paper.
    let step = max(1, grey.count / 100_000)
    let median = quantile(stride(from: 0, to: grey.count, by: step).map { grey.values[$0] }, 0.5)
    let darkest = grey.values.min()!
    let lightest = grey.values.max()!
    // A light page on a darker desk: the border (the desk) is much darker
    // than the middle of the picture (the page).
    let band = DigitImage.borderBand(h, w)
    let deskLevel = quantile(DigitImage.border(of: grey, band: band), 0.5)
    let middle = DigitImage.part(of: grey, (h * 15 / 100, w * 15 / 100, max(1, h * 70 / 100), max(1, w * 70 / 100)))
    let middleLevel = quantile(stride(from: 0, to: middle.count, by: step).map { middle.values[$0] }, 0.5)
    // On a desk, keep the page: the rows and columns mostly lighter than
    // halfway from desk to page (when they make a page of a quarter of the
    // picture or more; otherwise the middle is the digit, not a page).
    var page = (top: 0, left: 0, rows: h, columns: w)
    var onDesk = false
    if middleLevel - deskLevel >= 4 * DigitImage.minimumContrast {
      let cut = (middleLevel + deskLevel) / 2
      var rowCounts = [Int](repeating: 0, count: h)
      var columnCounts = [Int](repeating: 0, count: w)
      grey.values.withUnsafeBufferPointer { v in
        for j in 0..<w {
          for i in 0..<h where v[i + j * h] > cut {
            rowCounts[i] += 1
            columnCounts[j] += 1
          }
        }
      }
      if let top = rowCounts.firstIndex(where: { 2 * $0 > w }), let bottom = rowCounts.lastIndex(where: { 2 * $0 > w }),
        let left = columnCounts.firstIndex(where: { 2 * $0 > h }),
        let right = columnCounts.lastIndex(where: { 2 * $0 > h })
      {
        let insetRows = max(2, (bottom - top + 1) / 30)
        let insetColumns = max(2, (right - left + 1) / 30)
        if bottom - top + 1 > 4 * insetRows && right - left + 1 > 4 * insetColumns
          && 4 * (bottom - top + 1) * (right - left + 1) >= h * w
        {
          page = (
            top + insetRows, left + insetColumns, bottom - top + 1 - 2 * insetRows, right - left + 1 - 2 * insetColumns
          )
          onDesk = true
        }
      }
    }
    let light = onDesk || median - darkest > lightest - median
    let found = try DigitImage.find(
      page.rows == h && page.columns == w ? grey : DigitImage.part(of: grey, page), light: light, source: source)
    pixels = found.pixels
    lightBackground = light
    crop = (found.crop.top + Double(page.top), found.crop.left + Double(page.left), found.crop.side)
    touchesEdge = found.touchesEdge
  }

  /// The width of the border band of an h × w picture.
  private static func borderBand(_ h: Int, _ w: Int) -> Int { max(1, min(h, w) / 50) }

  /// The values of `picture` in its outer `band` rows and columns.
  private static func border(of picture: Matrix, band: Int) -> [Double] {
    let (h, w) = (picture.rows, picture.columns)
    var border: [Double] = []
    picture.values.withUnsafeBufferPointer { v in
      for j in 0..<w {
        if j < band || j >= w - band {
          for i in 0..<h { border.append(v[i + j * h]) }
        } else {
          for i in 0..<min(band, h) { border.append(v[i + j * h]) }
          for i in max(band, h - band)..<h { border.append(v[i + j * h]) }
        }
      }
    }
    return border
  }

  /// The rectangle `part` (0-based top-left, size) of `picture`.
  private static func part(of picture: Matrix, _ part: (top: Int, left: Int, rows: Int, columns: Int)) -> Matrix {
    var values = [Double](repeating: 0, count: part.rows * part.columns)
    for j in 0..<part.columns {
      for i in 0..<part.rows {
        values[i + j * part.rows] = picture.values[part.top + i + (part.left + j) * picture.rows]
      }
    }
    return Matrix(rows: part.rows, columns: part.columns, values: values)
  }

  /// Steps 2 to 6 on the page, whose paper is light (`light`) or dark.
  private static func find(_ grey: Matrix, light: Bool, source: String) throws(ImageFileError) -> (
    pixels: Matrix, crop: (top: Double, left: Double, side: Double), touchesEdge: Bool
  ) {
    let (h, w) = (grey.rows, grey.columns)
    let band = borderBand(h, w)
    let paperLevel = quantile(border(of: grey, band: band), 0.5)

    // 2. The paper's own level everywhere (lighting, shadows): marks darker
    // than the paper around them and narrower than a sixth of the picture
    // are filled in. The ink is how far each pixel falls below it: as a
    // share of the paper's level on light paper (a shadow dims paper and ink
    // alike), in grey levels on dark paper.
    let q = light ? grey : 255 - grey
    let paper = greyClosing(q, radius: max(1, min(h, w) / 6))
    var darkness = [Double](repeating: 0, count: h * w)
    q.values.withUnsafeBufferPointer { qv in
      paper.values.withUnsafeBufferPointer { pv in
        for k in 0..<(h * w) { darkness[k] = light ? 255 * (pv[k] - qv[k]) / max(pv[k], 1) : pv[k] - qv[k] }
      }
    }
    let darknessMatrix = Matrix(rows: h, columns: w, values: darkness)

    // 3. The paper's noise, from the border: its typical darkness and a
    // robust spread (1.4826 × the median absolute deviation: σ for Gaussian
    // noise). A stroke must stand out by 6σ, and by 16 levels at least.
    let borderDarkness = border(of: darknessMatrix, band: band)
    let offset = quantile(borderDarkness, 0.5)
    let sigma = 1.4826 * quantile(borderDarkness.map { abs($0 - offset) }, 0.5)
    let strongest = darkness.max()! - offset
    guard strongest >= minimumContrast else {
      throw ImageFileError(
        path: source,
        problem: "no digit found: nothing differs from the background (grey level \(Int(paperLevel.rounded())) of 255) "
          + "by \(Int(minimumContrast)) levels or more")
    }
    let threshold = max(minimumContrast, noiseMultiple * sigma)
    let strokes = darkness.count(where: { $0 - offset >= threshold })
    guard strokes >= minimumStrokePixels else {
      throw ImageFileError(
        path: source,
        problem: "no digit found: nothing stands out from the paper's own noise (it varies by ±"
          + String(format: "%.1f", sigma) + " grey levels at the border; a stroke must differ by "
          + "\(Int(threshold.rounded())))")
    }
    // Ink 0…1 above a floor at 3σ of noise.
    let floor = offset + min(3 * sigma, threshold / 2)
    let range = max(strongest + offset - floor, 1e-9)
    let ink = darknessMatrix.map { min(max(($0 - floor) / range, 0), 1) }

    // 4. Bounding box of the strokes and centre of mass of the ink.
    var (top, bottom, left, right) = (h, -1, w, -1)
    var (mass, rowMoment, columnMoment) = (0.0, 0.0, 0.0)
    ink.values.withUnsafeBufferPointer { v in
      for j in 0..<w {
        for i in 0..<h {
          let x = v[i + j * h]
          if x >= 0.5 {
            top = min(top, i)
            bottom = max(bottom, i)
            left = min(left, j)
            right = max(right, j)
          }
          mass += x
          rowMoment += x * (Double(i) + 0.5)
          columnMoment += x * (Double(j) + 0.5)
        }
      }
    }
    guard bottom >= 0 else {
      throw ImageFileError(path: source, problem: "no digit found: no stroke stands out from the background noise")
    }
    let centre = (row: rowMoment / mass, column: columnMoment / mass)

    // 5. The square around it.
    let a = DigitImage.centreOfMassFraction
    var side = Double(max(bottom - top + 1, right - left + 1)) / DigitImage.boxFraction
    side = max(
      side,
      (centre.row - Double(top)) / a, (Double(bottom + 1) - centre.row) / (1 - a),
      (centre.column - Double(left)) / a, (Double(right + 1) - centre.column) / (1 - a))
    let crop = (top: centre.row - a * side, left: centre.column - a * side, side: side)

    // 6. Area averaging down (or up) to 20×20, and the training range.
    let n = DigitImage.side
    let R = areaAveragingWeights(n, start: crop.top, width: side / Double(n), sourceCount: h)
    let C = areaAveragingWeights(n, start: crop.left, width: side / Double(n), sourceCount: w)
    let resampled = product(R * ink, C, transposeB: true)
    let peak = resampled.values.max()!
    return (
      peak > 0 ? resampled / peak : resampled, crop,
      top == 0 || left == 0 || bottom == h - 1 || right == w - 1
    )
  }

  /// The grey levels (0 black … 255 white, array row = picture row) of a
  /// PNG, JPEG or PGM file, told apart by their first bytes, reduced by
  /// area averaging by the whole factor that brings the longer side to at
  /// most ``workingSide``: PNG through libpng (colour made grey by libpng),
  /// JPEG through libjpeg (its luminance; libjpeg shrinks by 2, 4 or 8 while
  /// decoding where the factor allows) and turned upright by its EXIF
  /// orientation, PGM by ``PGMImage``.
  ///
  /// - Throws: ``ImageFileError`` naming the file: missing, unreadable, in
  ///   another format, damaged (libpng's or libjpeg's message, or what is
  ///   wrong in the PGM), or more than ``PGMImage/maximumPixels`` pixels.
  public static func readGrey(_ path: String) throws(ImageFileError) -> Matrix {
    try decodeGrey(ImageFileError.contents(of: path), source: path)
  }

  /// ``readGrey(_:)`` of a file's bytes already in memory (a photo sent to
  /// the playground); `source` names it in errors.
  public static func decodeGrey(_ bytes: [UInt8], source path: String) throws(ImageFileError) -> Matrix {
    let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    if bytes.starts(with: pngSignature) {
      let raster: GreyRaster
      do {
        raster = try PNGImage.decodeGreyRaster(bytes, path: path)
      } catch {
        switch error.reason {
        case .libpng(let message):
          throw ImageFileError(path: path, problem: "damaged or truncated PNG (libpng: \(message))")
        case .tooLarge(let why):
          throw ImageFileError(path: path, problem: "not read: \(why)", isOverLimit: true)
        case .sizeBeyondFile(let why):
          throw ImageFileError(path: path, problem: "not read: \(why)")
        default: throw ImageFileError(path: path, problem: "\(error)")
        }
      }
      return raster.matrix(reducedBy: raster.reductionFactor(toSide: workingSide))
    }
    if bytes.starts(with: JPEGImage.signature) {
      // libjpeg shrinks by 2, 4 or 8 as it decodes (cheaply, in the DCT)
      // where that divides the factor; area averaging does the rest.
      let size = try JPEGImage.storedSize(bytes, path: path)
      let factor = max(1, (max(size.width, size.height) + workingSide - 1) / workingSide)
      let shrink = [8, 4, 2, 1].first { factor % $0 == 0 }!
      let raster = try JPEGImage.decodeGrey(bytes, path: path, shrink: shrink)
      let stored = raster.matrix(reducedBy: raster.reductionFactor(toSide: workingSide))
      return JPEGImage.upright(stored, orientation: JPEGImage.exifOrientation(bytes))
    }
    if bytes.count >= 2 && bytes[0] == UInt8(ascii: "P") {
      switch bytes[1] {
      case UInt8(ascii: "2"), UInt8(ascii: "5"):
        if let raster = try PGMImage.decodeGreyRaster(bytes, path: path) {
          return raster.matrix(reducedBy: raster.reductionFactor(toSide: workingSide))
        }
        return reduced(try PGMImage.decode(bytes, path: path))
      case UInt8(ascii: "1"), UInt8(ascii: "4"):
        throw ImageFileError(path: path, problem: "a PBM (black-and-white) file; save it as PNG or PGM")
      case UInt8(ascii: "3"), UInt8(ascii: "6"):
        throw ImageFileError(path: path, problem: "a PPM (colour) file; save it as PNG or PGM")
      default: break
      }
    }
    if bytes.isEmpty { throw ImageFileError(path: path, problem: "the file is empty") }
    throw ImageFileError(path: path, problem: "not a PNG, JPEG or PGM picture (\(formatHint(bytes)))")
  }

  /// `grey` area-averaged by the whole factor that brings its longer side to at most ``workingSide``.
  private static func reduced(_ grey: Matrix) -> Matrix {
    let factor = max(1, (max(grey.rows, grey.columns) + workingSide - 1) / workingSide)
    guard factor > 1 else { return grey }
    let (h, w) = (grey.rows, grey.columns)
    let (rows, columns) = ((h + factor - 1) / factor, (w + factor - 1) / factor)
    var sums = [Double](repeating: 0, count: rows * columns)
    var counts = [Double](repeating: 0, count: rows * columns)
    grey.values.withUnsafeBufferPointer { v in
      for j in 0..<w {
        for i in 0..<h {
          let k = i / factor + (j / factor) * rows
          sums[k] += v[i + j * h]
          counts[k] += 1
        }
      }
    }
    return Matrix(rows: rows, columns: columns, values: zip(sums, counts).map { $0 / $1 })
  }

  /// A few words on what the file seems to be, from its first bytes.
  private static func formatHint(_ bytes: [UInt8]) -> String {
    if bytes.starts(with: Array("GIF8".utf8)) { return "it is a GIF; save it as PNG" }
    if bytes.starts(with: Array("BM".utf8)) { return "it looks like a BMP; save it as PNG" }
    let shown = bytes.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")
    return "it starts with bytes \(shown)"
  }
}

/// The q-quantile (0…1) of `values` by the nearest-rank method on the sorted values.
private func quantile(_ values: [Double], _ q: Double) -> Double {
  let sorted = values.sorted()
  return sorted[min(sorted.count - 1, Int((q * Double(sorted.count - 1)).rounded()))]
}
