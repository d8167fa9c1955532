import OctaveCore
import Foundation

/// Reading PGM (portable grey map) pictures, binary (`P5`) and plain ASCII
/// (`P2`), as the Netpbm format describes them.
///
/// A PGM file is a header of four whitespace-separated fields, the magic
/// number `P5` or `P2`, the width, the height and the largest grey value
/// `maxval` (1…65535), where `#` starts a comment that runs to the end of the
/// line. Then come the height·width grey values, row by row from the top-left,
/// 0 black … maxval white:
///
/// - `P5`: after exactly one whitespace byte, one byte per value when
///   maxval < 256, otherwise two bytes, most significant first;
/// - `P2`: decimal numbers separated by whitespace.
///
/// Anything after the last value (a second picture, trailing text) is ignored.
package enum PGMImage {
  /// The largest picture read, PGM, PNG or JPEG, in pixels: 25 million (a
  /// 6000×4000 camera photo is 24 million). A PNG or JPEG is decoded to a
  /// byte a pixel and reduced to 800 pixels a side before the digit is
  /// looked for (`ex4 classify` on a 5000×5000 PNG peaks at 59 MB
  /// resident), and so is an 8-bit binary PGM; other PGMs are read as 8
  /// bytes a pixel first. A larger picture is refused before anything is
  /// allocated for it.
  package static let maximumPixels = 25_000_000

  /// Reads a PGM file as grey levels on PNG's scale: a `height × width`
  /// matrix whose element (i, j) is picture row i, column j (1-based, from
  /// the top-left), `255 · value / maxval`, 0 black … 255 white.
  ///
  /// - Throws: ``ImageFileError`` naming the file and what is wrong: missing,
  ///   unreadable, not a PGM, a damaged header, too few values, a value
  ///   above maxval.
  package static func readGrey(_ path: String) throws(ImageFileError) -> Matrix {
    try decode(ImageFileError.contents(of: path), path: path)
  }

  /// The picture in the bytes of a PGM file, as ``readGrey(_:)``; `path` is
  /// used only in errors.
  package static func decode(_ bytes: [UInt8], path: String) throws(ImageFileError) -> Matrix {
    let (width, height, maxval, plain, headerReader) = try header(bytes, path: path)
    var reader = headerReader
    let count = width * height
    let scale = 255 / Double(maxval)
    // Samples arrive row by row; Matrix wants them column by column.
    var values = [Double](repeating: 0, count: count)
    func store(_ sample: Int, at k: Int) throws(ImageFileError) {
      guard sample <= maxval else {
        throw ImageFileError(
          path: path,
          problem: "PGM pixel (row \(k / width + 1), column \(k % width + 1)) is \(sample), above maxval \(maxval)")
      }
      values[(k / width) + (k % width) * height] = Double(sample) * scale
    }

    if plain {
      for k in 0..<count {
        switch reader.number() {
        case .number(let sample): try store(sample, at: k)
        case .tooLarge(let digits):
          throw ImageFileError(
            path: path,
            problem: "PGM pixel (row \(k / width + 1), column \(k % width + 1)) is \(digits), above maxval \(maxval)")
        case .endOfFile:
          throw ImageFileError(
            path: path,
            problem: "PGM data is truncated: \(k) of the \(count) grey values of a \(width)×\(height) picture")
        case .notANumber(let found):
          throw ImageFileError(
            path: path,
            problem:
              "PGM pixel (row \(k / width + 1), column \(k % width + 1)) should be a whole number, found '\(found)'")
        }
      }
    } else {
      let start = reader.position + 1
      let bytesPerSample = maxval < 256 ? 1 : 2
      for k in 0..<count {
        let p = start + k * bytesPerSample
        let sample = bytesPerSample == 1 ? Int(bytes[p]) : Int(bytes[p]) << 8 | Int(bytes[p + 1])
        try store(sample, at: k)
      }
    }
    return Matrix(rows: height, columns: width, values: values)
  }

  /// The checked header of a PGM file: its size, maxval, whether it is
  /// plain (P2), and a reader at the end of maxval. The file is known to
  /// hold every value (for P5, exactly one whitespace byte follows maxval).
  private static func header(_ bytes: [UInt8], path: String) throws(ImageFileError) -> (
    width: Int, height: Int, maxval: Int, plain: Bool, reader: Reader
  ) {
    var reader = Reader(bytes: bytes)
    guard bytes.count >= 2, bytes[0] == UInt8(ascii: "P"),
      bytes[1] == UInt8(ascii: "5") || bytes[1] == UInt8(ascii: "2")
    else {
      throw ImageFileError(path: path, problem: "not a PGM file (a PGM starts with P5 or P2)")
    }
    let plain = bytes[1] == UInt8(ascii: "2")
    reader.position = 2

    // `isSize`: a width or height, whose values above `range` are beyond the pixel limit.
    func field(_ name: String, in range: ClosedRange<Int>, isSize: Bool = false) throws(ImageFileError) -> Int {
      switch reader.number() {
      case .number(let value) where range.contains(value):
        return value
      case .number(let value):
        throw ImageFileError(
          path: path,
          problem: "PGM header: the \(name) is \(value); it must be \(range.lowerBound)…\(range.upperBound)",
          isOverLimit: isSize && value > range.upperBound)
      case .tooLarge(let digits):
        throw ImageFileError(
          path: path, problem: "PGM header: the \(name) \(digits) is too large; it must be at most \(range.upperBound)",
          isOverLimit: isSize)
      case .endOfFile:
        throw ImageFileError(path: path, problem: "PGM header: the file ends before the \(name)")
      case .notANumber(let found):
        throw ImageFileError(path: path, problem: "PGM header: the \(name) should be a whole number, found '\(found)'")
      }
    }
    let width = try field("width", in: 1...maximumPixels, isSize: true)
    let height = try field("height", in: 1...maximumPixels, isSize: true)
    guard width * height <= maximumPixels else {
      throw ImageFileError(
        path: path, problem: "PGM header: \(width)×\(height) is too large (more than \(maximumPixels) pixels)",
        isOverLimit: true)
    }
    let maxval = try field("maxval", in: 1...65535)
    let count = width * height
    // The file must hold every value before anything is allocated for them.
    // P2 takes at least a digit and a blank a value (P5 is checked below).
    if plain {
      let room = (bytes.count - reader.position + 1) / 2
      guard room >= count else {
        throw ImageFileError(
          path: path,
          problem: "PGM data is truncated: at most \(room) of the \(count) grey values of a \(width)×\(height) picture")
      }
    } else {
      // Exactly one whitespace byte separates maxval from the raster.
      guard reader.position < bytes.count, Reader.isWhitespace(bytes[reader.position]) else {
        throw ImageFileError(path: path, problem: "PGM header: no whitespace after maxval, or no pixel data")
      }
      let available = (bytes.count - reader.position - 1) / (maxval < 256 ? 1 : 2)
      guard available >= count else {
        throw ImageFileError(
          path: path,
          problem: "PGM data is truncated: \(available) of the \(count) grey values of a \(width)×\(height) picture")
      }
    }

    return (width, height, maxval, plain, reader)
  }

  /// A binary 8-bit PGM (`P5`, maxval 255) as its bytes, without a matrix
  /// of doubles; nil for any other PGM (read those with ``decode(_:path:)``).
  package static func decodeGreyRaster(_ bytes: [UInt8], path: String) throws(ImageFileError) -> GreyRaster? {
    let (width, height, maxval, plain, reader) = try header(bytes, path: path)
    guard !plain && maxval == 255 else { return nil }
    let start = reader.position + 1
    return GreyRaster(width: width, height: height, pixels: Array(bytes[start..<(start + width * height)]))
  }

  /// Reads the whitespace-separated decimal numbers of a PGM header or plain raster.
  private struct Reader {
    let bytes: [UInt8]
    var position = 0

    enum Token {
      case number(Int)
      case tooLarge(String)
      case endOfFile
      case notANumber(String)
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
      byte == 0x20 || (0x09...0x0D).contains(byte)
    }

    /// Skips whitespace and comments, then reads one unsigned decimal number.
    mutating func number() -> Token {
      while position < bytes.count {
        if Reader.isWhitespace(bytes[position]) {
          position += 1
        } else if bytes[position] == UInt8(ascii: "#") {
          while position < bytes.count && bytes[position] != 0x0A && bytes[position] != 0x0D { position += 1 }
        } else {
          break
        }
      }
      guard position < bytes.count else { return .endOfFile }
      let start = position
      while position < bytes.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
        position += 1
      }
      guard position > start, position == bytes.count || Reader.isWhitespace(bytes[position]) else {
        var end = position + 1
        while end < bytes.count && end - start < 12 && !Reader.isWhitespace(bytes[end]) { end += 1 }
        let text = String(decoding: bytes[start..<min(end, bytes.count)], as: UTF8.self)
        return .notANumber(text.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 ? String($0) : "?" }.joined())
      }
      let digits = String(decoding: bytes[start..<position], as: UTF8.self)
      guard digits.count <= 9, let value = Int(digits) else { return .tooLarge(digits) }
      return .number(value)
    }
  }
}
