import NeuralNetworkLearning
import Pictures
import Foundation

/// A picture of one handwritten digit (a photo or scan, PNG or PGM) made into
/// an input like the course's: 20×20 grey levels, dark background ≈ 0,
/// strokes up to 1, the digit scaled and centred as in the training images.
///
/// From the picture's grey levels G (0 black … 255 white), h × w:
///
/// 1. **Background and polarity.** The border band (the outer
///    `max(1, min(h, w)/50)` pixels) is taken as background: B = the median
///    of its grey levels. The background is light when B lies nearer the
///    picture's lightest level than its darkest; then the strokes are dark.
/// 2. **Ink.** Every pixel's ink, 0 background … 1 strongest stroke:
///    `(B − G)/(B − min G)` on a light background, `(G − B)/(max G − B)` on a
///    dark one, clamped to 0…1. Paper texture and noise are removed with a
///    floor f, the 90th percentile of the border band's ink (at most 0.3):
///    ink becomes `(ink − f)/(1 − f)`, clamped. A picture whose strokes
///    differ from the background by fewer than 16 grey levels has no digit.
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

  /// The 20×20 input, 0 (background) … 1 (strongest stroke); array row = picture row.
  public let pixels: Matrix
  /// Whether the picture had a light background and dark strokes, so its ink was the inverse of its grey.
  public let lightBackground: Bool
  /// The square of the original picture that became ``pixels``: its top-left corner (0-based, in
  /// picture pixels, possibly outside the picture) and its side.
  public let crop: (top: Double, left: Double, side: Double)

  /// ``pixels`` as one row of the course's `X`: 1 × 400, column-major.
  public var features: Matrix { Matrix(row: pixels.values) }

  /// The picture in the PNG or PGM file at `path`, prepared as described above.
  ///
  /// - Throws: ``ImageFileError`` naming the file and what is wrong: it
  ///   cannot be read, is neither PNG nor PGM, is damaged, or shows no digit.
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

    // 1. Background level and polarity, from the border band.
    let band = max(1, min(h, w) / 50)
    var border: [Double] = []
    for j in 0..<w {
      for i in 0..<h where i < band || i >= h - band || j < band || j >= w - band {
        border.append(grey.values[i + j * h])
      }
    }
    let background = quantile(border, 0.5)
    let darkest = grey.values.min()!
    let lightest = grey.values.max()!
    let light = background - darkest > lightest - background
    let contrast = light ? background - darkest : lightest - background
    guard contrast >= DigitImage.minimumContrast else {
      throw ImageFileError(
        path: source,
        problem: "no digit found: nothing differs from the background (grey level \(Int(background.rounded())) of 255) "
          + "by \(Int(DigitImage.minimumContrast)) levels or more")
    }

    // 2. Ink, 0…1, with the border's noise floor removed.
    func clamped(_ x: Double) -> Double { min(max(x, 0), 1) }
    var ink = grey.map { clamped(light ? (background - $0) / contrast : ($0 - background) / contrast) }
    let floor = min(
      0.3, quantile(border.map { clamped(light ? (background - $0) / contrast : ($0 - background) / contrast) }, 0.9))
    if floor > 0 { ink = ink.map { clamped(($0 - floor) / (1 - floor)) } }

    // 3. Bounding box of the strokes and centre of mass of the ink.
    var (top, bottom, left, right) = (h, -1, w, -1)
    var (mass, rowMoment, columnMoment) = (0.0, 0.0, 0.0)
    ink.withUnsafeBufferPointer { v in
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

    // 4. The square around it.
    let a = DigitImage.centreOfMassFraction
    var side = Double(max(bottom - top + 1, right - left + 1)) / DigitImage.boxFraction
    side = max(
      side,
      (centre.row - Double(top)) / a, (Double(bottom + 1) - centre.row) / (1 - a),
      (centre.column - Double(left)) / a, (Double(right + 1) - centre.column) / (1 - a))
    crop = (centre.row - a * side, centre.column - a * side, side)

    // 5. Area averaging down (or up) to 20×20, and 6. the training range.
    let n = DigitImage.side
    let R = areaAveragingWeights(n, start: crop.top, width: side / Double(n), sourceCount: h)
    let C = areaAveragingWeights(n, start: crop.left, width: side / Double(n), sourceCount: w)
    let resampled = product(R * ink, C, transposeB: true)
    let peak = resampled.values.max()!
    pixels = peak > 0 ? resampled / peak : resampled
    lightBackground = light
  }

  /// The grey levels (0 black … 255 white, `height × width`, array row =
  /// picture row) of a PNG or PGM file, told apart by their first bytes:
  /// PNG through libpng (``PNGImage/readGrey(_:)``, colour made grey by
  /// libpng), PGM by ``PGMImage``.
  ///
  /// - Throws: ``ImageFileError`` naming the file: missing, unreadable, in
  ///   another format, or damaged (libpng's message, or what is wrong in
  ///   the PGM).
  public static func readGrey(_ path: String) throws(ImageFileError) -> Matrix {
    let bytes = try ImageFileError.contents(of: path)
    let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    if bytes.starts(with: pngSignature) {
      do {
        return try PNGImage.decodeGrey(bytes, path: path)
      } catch {
        switch error.reason {
        case .libpng(let message):
          throw ImageFileError(path: path, problem: "damaged or truncated PNG (libpng: \(message))")
        case .tooLarge(let why):
          throw ImageFileError(path: path, problem: "not read: \(why)")
        default: throw ImageFileError(path: path, problem: "\(error)")
        }
      }
    }
    if bytes.count >= 2 && bytes[0] == UInt8(ascii: "P") {
      switch bytes[1] {
      case UInt8(ascii: "2"), UInt8(ascii: "5"): return try PGMImage.decode(bytes, path: path)
      case UInt8(ascii: "1"), UInt8(ascii: "4"):
        throw ImageFileError(path: path, problem: "a PBM (black-and-white) file; save it as PNG or PGM")
      case UInt8(ascii: "3"), UInt8(ascii: "6"):
        throw ImageFileError(path: path, problem: "a PPM (colour) file; save it as PNG or PGM")
      default: break
      }
    }
    if bytes.isEmpty { throw ImageFileError(path: path, problem: "the file is empty") }
    throw ImageFileError(path: path, problem: "not a PNG or PGM picture (\(formatHint(bytes)))")
  }

  /// A few words on what the file seems to be, from its first bytes.
  private static func formatHint(_ bytes: [UInt8]) -> String {
    if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "it is a JPEG; save it as PNG" }
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
