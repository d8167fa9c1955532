import OctaveCore
internal import CPNG
import Foundation

/// Writing and reading PNG pictures through libpng's simplified API
/// (`png_image`), with every C structure kept inside.
///
/// Grey pictures come from a matrix drawn the way the course's `displayData`
/// shows one: array row = picture row, −1 black, +1 white (values outside are
/// clamped), each element enlarged to a `scale`×`scale` square of pixels.
/// Colour pictures come from an RGB raster of bytes (for plots). Any PNG
/// libpng understands (grey, colour, palette, 16-bit, with alpha) reads back
/// as grey levels.
///
/// Files are written beside their target under a temporary name and then put
/// in place in one step, and an existing file is never replaced unless the
/// caller passes `overwrite: true`.
package enum PNGImage {
  /// The grey level (0 black … 255 white) that a value in −1…+1 is drawn
  /// with: `round((v + 1) · 127.5)` after clamping v to −1…+1; NaN is drawn
  /// mid-grey (128).
  package static func greyLevel(of value: Double) -> UInt8 {
    guard !value.isNaN else { return 128 }
    let clamped = min(max(value, -1), 1)
    return UInt8(((clamped + 1) * 127.5).rounded())
  }

  /// Writes `image` as an 8-bit grey PNG of `image.rows·scale` by
  /// `image.columns·scale` pixels: element (i, j) fills the square of pixels
  /// whose top-left is picture row `(i − 1)·scale`, column `(j − 1)·scale`
  /// (0-based), in ``greyLevel(of:)``.
  ///
  /// - Throws: ``PNGImageError`` naming the file: it exists and `overwrite`
  ///   is false, the image is empty, or libpng could not write it (its
  ///   message, e.g. the directory is not writable).
  /// - Precondition: `scale >= 1`.
  package static func writeGrey(
    _ image: Matrix, to path: String, scale: Int = 4, overwrite: Bool = false
  ) throws(PNGImageError) {
    precondition(scale >= 1, "PNGImage.writeGrey: scale must be at least 1 (got \(scale))")
    guard !image.isEmpty else { throw PNGImageError(path: path, reason: .emptyImage(image.shape)) }
    let pixels = greyPixels(image, scale: scale)
    try write(
      pixels, width: image.columns * scale, height: image.rows * scale, channels: 1, to: path, overwrite: overwrite)
  }

  /// The bytes of the PNG file ``writeGrey(_:to:scale:overwrite:)`` writes,
  /// made in memory (for a terminal that shows PNG pictures); nil when the
  /// image is empty or libpng cannot encode it.
  ///
  /// - Precondition: `scale >= 1`.
  package static func encodedGrey(_ image: Matrix, scale: Int = 1) -> [UInt8]? {
    precondition(scale >= 1, "PNGImage.encodedGrey: scale must be at least 1 (got \(scale))")
    guard !image.isEmpty else { return nil }
    return try? encode(
      greyPixels(image, scale: scale), width: image.columns * scale, height: image.rows * scale, channels: 1,
      reportingAs: "")
  }

  /// The grey levels of `image`, each element a `scale`×`scale` square, row
  /// by row from the top-left.
  static func greyPixels(_ image: Matrix, scale: Int) -> [UInt8] {
    let width = image.columns * scale
    let height = image.rows * scale
    var pixels = [UInt8](repeating: 0, count: width * height)
    for j in 0..<image.columns {
      for i in 0..<image.rows {
        let level = greyLevel(of: image.values[i + j * image.rows])
        for y in (i * scale)..<((i + 1) * scale) {
          let start = y * width + j * scale
          for x in start..<(start + scale) { pixels[x] = level }
        }
      }
    }
    return pixels
  }

  /// Writes an 8-bit colour PNG from `pixels`, an RGB raster read row by row
  /// from the top-left: pixel (x, y), 0-based, is
  /// `pixels[3·(y·width + x) ..< 3·(y·width + x) + 3]` (red, green, blue).
  /// Each pixel becomes a `scale`×`scale` square.
  ///
  /// - Throws: ``PNGImageError`` as ``writeGrey(_:to:scale:overwrite:)``.
  /// - Precondition: `pixels.count == 3·width·height`, `scale >= 1`.
  package static func writeRGB(
    _ pixels: [UInt8], width: Int, height: Int, to path: String, scale: Int = 1, overwrite: Bool = false
  ) throws(PNGImageError) {
    precondition(scale >= 1, "PNGImage.writeRGB: scale must be at least 1 (got \(scale))")
    precondition(
      width >= 0 && height >= 0 && pixels.count == 3 * width * height,
      "PNGImage.writeRGB: a \(width)×\(height) RGB raster needs \(3 * width * height) bytes, got \(pixels.count)")
    guard width > 0 && height > 0 else {
      throw PNGImageError(path: path, reason: .emptyImage("\(height)×\(width)"))
    }
    var scaled = pixels
    if scale > 1 {
      let scaledWidth = width * scale
      scaled = [UInt8](repeating: 0, count: 3 * scaledWidth * height * scale)
      for y in 0..<(height * scale) {
        for x in 0..<scaledWidth {
          let source = 3 * ((y / scale) * width + x / scale)
          let target = 3 * (y * scaledWidth + x)
          scaled[target] = pixels[source]
          scaled[target + 1] = pixels[source + 1]
          scaled[target + 2] = pixels[source + 2]
        }
      }
    }
    try write(scaled, width: width * scale, height: height * scale, channels: 3, to: path, overwrite: overwrite)
  }

  /// The largest picture read, in pixels: ``PGMImage/maximumPixels``.
  package static var maximumPixels: Int { PGMImage.maximumPixels }

  /// Reads any PNG as grey levels: a `height × width` matrix whose element
  /// (i, j) is the grey level, 0 (black) … 255 (white), of picture row i,
  /// column j (1-based, from the top-left). libpng turns colour into grey
  /// with its sRGB luminance weights; transparent parts are laid on white.
  ///
  /// - Throws: ``PNGImageError`` naming the file and libpng's message when
  ///   the file is missing, unreadable or not a PNG, or
  ///   ``PNGImageError/Reason/tooLarge(_:)`` or
  ///   ``PNGImageError/Reason/sizeBeyondFile(_:)`` as ``decodeGrey(_:path:)``.
  package static func readGrey(_ path: String) throws(PNGImageError) -> Matrix {
    let bytes: [UInt8]
    do {
      bytes = try WholeFile.read(path).bytes
    } catch {
      // The system's words, as libpng's own file reading gave them.
      throw PNGImageError(
        path: path, reason: .libpng(error == .notFound ? String(cString: strerror(ENOENT)) : error.description))
    }
    return try decodeGrey(bytes, path: path)
  }

  /// The picture in the bytes of a PNG file, as ``readGrey(_:)``; `path` is
  /// used only in errors.
  ///
  /// Nothing is allocated for the pixels before the header's size is
  /// checked (libpng's `png_image_begin_read_from_memory` reads only the
  /// header): a picture of more than ``maximumPixels`` pixels is refused
  /// with ``PNGImageError/Reason/tooLarge(_:)``, one whose declared size no
  /// file of its length can hold (each row needs at least a filter byte and
  /// a bit a pixel, and deflate packs at most 1032 bytes into one) with
  /// ``PNGImageError/Reason/sizeBeyondFile(_:)``.
  package static func decodeGrey(_ bytes: [UInt8], path: String) throws(PNGImageError) -> Matrix {
    try decodeGreyRaster(bytes, path: path).matrix()
  }

  /// The picture in the bytes of a PNG file as libpng's 8-bit grey bytes,
  /// checked and refused as ``decodeGrey(_:path:)``.
  package static func decodeGreyRaster(_ bytes: [UInt8], path: String) throws(PNGImageError) -> GreyRaster {
    var image = png_image()
    image.version = png_uint_32(PNG_IMAGE_VERSION)
    defer { png_image_free(&image) }
    let began = bytes.withUnsafeBytes { buffer in
      png_image_begin_read_from_memory(&image, buffer.baseAddress, buffer.count)
    }
    if began == 0 {
      throw PNGImageError(path: path, reason: .libpng(message(of: &image)))
    }
    let width = Int(image.width)
    let height = Int(image.height)
    if let problem = sizeProblem(width: width, height: height, fileBytes: bytes.count) {
      throw PNGImageError(path: path, reason: problem)
    }
    image.format = png_uint_32(PNG_FORMAT_GRAY)
    var pixels = [UInt8](repeating: 255, count: width * height)
    var white = png_color(red: 255, green: 255, blue: 255)
    let status = pixels.withUnsafeMutableBytes { buffer in
      png_image_finish_read(&image, &white, buffer.baseAddress, png_int_32(width), nil)
    }
    if status == 0 {
      throw PNGImageError(path: path, reason: .libpng(message(of: &image)))
    }
    return GreyRaster(width: width, height: height, pixels: pixels)
  }

  /// Why a PNG header's `width × height` cannot be read from a file of
  /// `fileBytes` bytes, or nil.
  static func sizeProblem(width: Int, height: Int, fileBytes: Int) -> PNGImageError.Reason? {
    let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
    if overflow || pixels > maximumPixels {
      return .tooLarge("\(width)×\(height) pixels is more than the \(maximumPixels)-pixel limit")
    }
    // The least a row can take inflated: its filter byte and one bit a pixel.
    let leastInflated = height * (1 + (width + 7) / 8)
    if leastInflated > 1032 * fileBytes {
      return .sizeBeyondFile(
        "its header declares \(width)×\(height) pixels, more than a PNG file of \(fileBytes) bytes can hold "
          + "(the file is damaged)")
    }
    return nil
  }

  /// Hands a finished raster (1 or 3 bytes a pixel, rows from the top) to
  /// `png_image_write_to_file` under a temporary name, then puts it in place.
  private static func write(
    _ pixels: [UInt8], width: Int, height: Int, channels: Int, to path: String, overwrite: Bool
  ) throws(PNGImageError) {
    let target = WriteTarget(path)
    if let refusal = target.refusal { throw PNGImageError(path: path, reason: .writeFailed(refusal)) }
    if !overwrite && target != .free { throw PNGImageError(path: path, reason: .fileExists) }
    let encoded = try encode(pixels, width: width, height: height, channels: channels, reportingAs: path)
    do {
      try FilePlacement.write(encoded, to: path, overwrite: overwrite)
    } catch {
      switch error {
      case .exists: throw PNGImageError(path: path, reason: .fileExists)
      case .failed(let why): throw PNGImageError(path: path, reason: .writeFailed(why))
      }
    }
  }

  /// The bytes of a PNG file of `pixels` (1 or 3 bytes a pixel, rows from
  /// the top), encoded by libpng in memory; `path` is used only in errors.
  private static func encode(
    _ pixels: [UInt8], width: Int, height: Int, channels: Int, reportingAs path: String
  ) throws(PNGImageError) -> [UInt8] {
    guard let w = png_uint_32(exactly: width), let h = png_uint_32(exactly: height),
      let stride = png_int_32(exactly: width * channels)
    else {
      throw PNGImageError(path: path, reason: .libpng("a \(height)×\(width) picture is too large for PNG"))
    }
    var image = png_image()
    image.version = png_uint_32(PNG_IMAGE_VERSION)
    image.width = w
    image.height = h
    image.format = channels == 3 ? png_uint_32(PNG_FORMAT_RGB) : png_uint_32(PNG_FORMAT_GRAY)
    defer { png_image_free(&image) }

    // libpng encodes into memory; the bytes then go to the disk through
    // FilePlacement (temporary file, every error checked, fsync, read back,
    // put in place), so a full disk fails the write and leaves the old file.
    var size = 0
    let sized = pixels.withUnsafeBytes { buffer in
      png_image_write_to_memory(&image, nil, &size, 0, buffer.baseAddress, stride, nil)
    }
    guard sized != 0, size > 0 else { throw PNGImageError(path: path, reason: .libpng(message(of: &image))) }
    var encoded = [UInt8](repeating: 0, count: size)
    let status = pixels.withUnsafeBytes { buffer in
      encoded.withUnsafeMutableBytes { output in
        png_image_write_to_memory(&image, output.baseAddress, &size, 0, buffer.baseAddress, stride, nil)
      }
    }
    if status == 0 {
      throw PNGImageError(path: path, reason: .libpng(message(of: &image)))
    }
    return Array(encoded.prefix(size))
  }

  /// The text libpng left in `image.message`.
  private static func message(of image: inout png_image) -> String {
    let text = withUnsafeBytes(of: &image.message) { bytes in
      String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
    return text.isEmpty ? "libpng failed without a message" : text
  }
}

/// What went wrong writing or reading a PNG file, naming the file.
package struct PNGImageError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The problem, without the file.
  package enum Reason: Equatable, Sendable {
    /// The target of a write already exists and replacing it was not asked for.
    case fileExists
    /// The picture to write has no pixels (its shape).
    case emptyImage(String)
    /// libpng reported an error; its message (`png_image.message`).
    case libpng(String)
    /// The finished file could not be put in place.
    case writeFailed(String)
    /// The picture has more pixels than are read (what is wrong); refused
    /// before anything is allocated.
    case tooLarge(String)
    /// Its header declares a size its file cannot hold: the file is damaged
    /// (what is wrong); refused before anything is allocated.
    case sizeBeyondFile(String)
  }

  /// The file's path, as given.
  package let path: String
  /// What was wrong.
  package let reason: Reason

  package var description: String {
    let path = printable(path)
    return switch reason {
    case .fileExists: "\(path): already exists; not replaced"
    case .emptyImage(let shape): "\(path): not written, the picture is empty (\(shape))"
    case .libpng(let message): "\(path): libpng: \(message)"
    case .writeFailed(let why): "\(path): could not be written (\(why))"
    case .tooLarge(let why), .sizeBeyondFile(let why): "\(path): not read: \(why)"
    }
  }
}
