import OctaveCore
internal import _PictureCodecs
import Foundation

/// Reading JPEG pictures (a phone's photos) as grey levels through
/// libjpeg-turbo, turned the way the camera's EXIF orientation says.
///
/// libjpeg reports a fatal error by calling a function that must not return;
/// the C target `_PictureCodecs` jumps back from it with setjmp/longjmp in C
/// and hands Swift an error code and libjpeg's message instead. Corrupt-data
/// warnings (a truncated file, a damaged stream), which libjpeg would paper
/// over with grey, are refused as well.
package enum JPEGImage {
  /// The first bytes of every JPEG file (SOI and the next marker's 0xFF).
  package static let signature: [UInt8] = [0xFF, 0xD8, 0xFF]

  /// The largest picture read, in pixels: ``PGMImage/maximumPixels``.
  package static var maximumPixels: Int { PGMImage.maximumPixels }

  /// The most scans a JPEG may have. A progressive photo has about ten
  /// (libjpeg's own progression: 10 for colour, 6 for grey); libjpeg reads
  /// every scan before the first row comes out, each a pass over the whole
  /// picture's coefficients.
  package static let maximumScans = 100

  /// The most memory libjpeg may take for the coefficients of a picture in
  /// several scans (a progressive JPEG), which it keeps whole while it reads
  /// them: 128 bytes for each 8×8 block of each component. 40 MiB holds a
  /// progressive colour photo (chroma halved both ways) of 14 million
  /// pixels, or a grey one of 20 million; with the grey raster beside it
  /// (a byte a pixel) a picture costs at most about 64 MB.
  package static let maximumCoefficientBytes = 40 << 20

  /// The size in a JPEG's header, `(width, height)` as stored (before any
  /// EXIF turn), once the header has been found readable at a bounded cost:
  /// at most ``maximumPixels`` pixels, no more than the file's length can
  /// hold (a bit for each 8×8 block of its smallest component), Huffman
  /// coded, not CMYK, and for a progressive file at most
  /// ``maximumCoefficientBytes`` of coefficients.
  ///
  /// - Throws: ``ImageFileError`` naming the file and what is wrong.
  package static func storedSize(_ bytes: [UInt8], path: String) throws(ImageFileError) -> (width: Int, height: Int) {
    var header = pc_jpeg_header()
    var message = [CChar](repeating: 0, count: 200)
    let status = bytes.withUnsafeBufferPointer { data in
      pc_jpeg_read_header(data.baseAddress, data.count, &header, &message, message.count)
    }
    guard status == 0 else { throw damaged(path, message) }
    let (width, height) = (Int(header.width), Int(header.height))
    func refuse(_ why: String, overLimit: Bool = false) -> ImageFileError {
      ImageFileError(path: path, problem: "not read: \(why)", isOverLimit: overLimit)
    }
    let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
    if overflow || pixels > maximumPixels {
      throw refuse("\(width)×\(height) pixels is more than the \(maximumPixels)-pixel limit", overLimit: true)
    }
    if header.cmyk != 0 {
      throw ImageFileError(
        path: path, problem: "a CMYK JPEG (a printer's colours), which is not read; save it as an ordinary JPEG or PNG")
    }
    if header.arithmetic != 0 {
      throw ImageFileError(
        path: path, problem: "an arithmetic-coded JPEG, which is not read; save it as an ordinary JPEG or PNG")
    }
    if header.least_bytes > bytes.count {
      throw refuse(
        "its header declares \(width)×\(height) pixels, more than a JPEG file of \(bytes.count) bytes can hold "
          + "(the file is damaged)")
    }
    if header.coefficient_bytes > maximumCoefficientBytes {
      let mebibytes = (header.coefficient_bytes + (1 << 20) - 1) >> 20
      throw refuse(
        "a progressive JPEG of \(width)×\(height) pixels needs \(mebibytes) MiB to decode, more than the "
          + "\(maximumCoefficientBytes >> 20) MiB limit; save it as an ordinary (baseline) JPEG, smaller, or as PNG",
        overLimit: true)
    }
    return (width, height)
  }

  /// The grey levels of a JPEG (libjpeg's luminance), shrunk by libjpeg to
  /// 1/`shrink` of each side (1, 2, 4 or 8) while decoding, not yet turned.
  ///
  /// - Throws: ``ImageFileError``: a header refused by ``storedSize(_:path:)``
  ///   before anything is allocated for its pixels; damaged or truncated
  ///   (libjpeg's first warning or error, at which decoding stops); or more
  ///   than ``maximumScans`` scans.
  package static func decodeGrey(_ bytes: [UInt8], path: String, shrink: Int = 1) throws(ImageFileError) -> GreyRaster {
    precondition([1, 2, 4, 8].contains(shrink), "JPEGImage.decodeGrey: shrink must be 1, 2, 4 or 8")
    let (width, height) = try storedSize(bytes, path: path)
    let capacity = ((width + shrink - 1) / shrink) * ((height + shrink - 1) / shrink)
    var (outWidth, outHeight): (Int32, Int32) = (0, 0)
    var message = [CChar](repeating: 0, count: 200)
    var status: Int32 = 1
    // Left unwritten until libjpeg writes its rows, after a progressive
    // file's scans have been read: a file refused while its scans are read
    // never touches the raster's pages.
    let raster = [UInt8](unsafeUninitializedCapacity: capacity) { out, count in
      status = bytes.withUnsafeBufferPointer { data in
        pc_jpeg_decode_grey(
          data.baseAddress, data.count, Int32(shrink), Int32(maximumScans), out.baseAddress, capacity, &outWidth,
          &outHeight, &message, message.count)
      }
      count = status == 0 ? capacity : 0
    }
    if status == 2 {
      throw ImageFileError(
        path: path, problem: "not read: more than \(maximumScans) scans (a progressive photo has about 10)",
        isOverLimit: true)
    }
    guard status == 0 else { throw damaged(path, message) }
    return GreyRaster(width: Int(outWidth), height: Int(outHeight), pixels: raster)
  }

  /// Reads a JPEG file as grey levels on PNG's scale, turned upright by its
  /// EXIF orientation: a `height × width` matrix, element (i, j) the grey
  /// level (0 black … 255 white) of row i, column j from the top-left.
  ///
  /// - Throws: ``ImageFileError`` naming the file and what is wrong.
  package static func readGrey(_ path: String) throws(ImageFileError) -> Matrix {
    let bytes = try ImageFileError.contents(of: path)
    return upright(try decodeGrey(bytes, path: path).matrix(), orientation: exifOrientation(bytes))
  }

  private static func damaged(_ path: String, _ message: [CChar]) -> ImageFileError {
    let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    // A failure past the first scan comes as "at scan N: <libjpeg's message>".
    let said = text.isEmpty ? ": failed without a message" : text.hasPrefix("at scan ") ? ", \(text)" : ": \(text)"
    return ImageFileError(path: path, problem: "damaged or truncated JPEG (libjpeg\(said))")
  }

  /// The EXIF orientation (1…8) a camera wrote in the JPEG's APP1 `Exif`
  /// segment: tag 0x0112 of IFD0, in the TIFF structure's own byte order.
  /// 1 (as stored) when there is none, or it is damaged or out of range.
  package static func exifOrientation(_ bytes: [UInt8]) -> Int {
    guard bytes.starts(with: [0xFF, 0xD8]) else { return 1 }
    var p = 2
    // Segments: 0xFF, a marker, a 2-byte big-endian length that counts itself.
    while p + 4 <= bytes.count, bytes[p] == 0xFF {
      let marker = bytes[p + 1]
      if marker == 0xFF {
        p += 1
        continue
      }
      if marker == 0xDA || marker == 0xD9 { break }  // image data or its end: no EXIF before it
      let length = Int(bytes[p + 2]) << 8 | Int(bytes[p + 3])
      guard length >= 2, p + 2 + length <= bytes.count else { break }
      let body = (p + 4)..<(p + 2 + length)
      if marker == 0xE1, body.count >= 14,
        Array(bytes[body.lowerBound..<(body.lowerBound + 6)]) == Array("Exif\0\0".utf8)
      {
        return tiffOrientation(bytes[(body.lowerBound + 6)..<body.upperBound]) ?? 1
      }
      p += 2 + length
    }
    return 1
  }

  /// The Orientation entry of IFD0 in a TIFF structure (`II` or `MM`, 42,
  /// the offset of IFD0, then its entries of 12 bytes each).
  private static func tiffOrientation(_ tiff: ArraySlice<UInt8>) -> Int? {
    let t = Array(tiff)
    guard t.count >= 8 else { return nil }
    let little: Bool
    switch (t[0], t[1]) {
    case (0x49, 0x49): little = true
    case (0x4D, 0x4D): little = false
    default: return nil
    }
    func u16(_ at: Int) -> Int? {
      guard at >= 0, at + 2 <= t.count else { return nil }
      return little ? Int(t[at]) | Int(t[at + 1]) << 8 : Int(t[at]) << 8 | Int(t[at + 1])
    }
    func u32(_ at: Int) -> Int? {
      guard let a = u16(at), let b = u16(at + 2) else { return nil }
      return little ? a | b << 16 : a << 16 | b
    }
    guard u16(2) == 42, let ifd = u32(4), let count = u16(ifd) else { return nil }
    for k in 0..<count {
      let entry = ifd + 2 + 12 * k
      guard let tag = u16(entry) else { return nil }
      if tag == 0x0112 {
        // Type SHORT (3), count 1: the value sits in the entry's first two value bytes.
        guard u16(entry + 2) == 3, let value = u16(entry + 8), (1...8).contains(value) else { return nil }
        return value
      }
    }
    return nil
  }

  /// `stored` turned as EXIF orientation `orientation` (1…8) says to show it:
  /// 2 mirrored left–right, 3 turned 180°, 4 mirrored top–bottom, 5
  /// transposed, 6 turned 90° clockwise, 7 transverse, 8 turned 90°
  /// anticlockwise; anything else as stored.
  package static func upright(_ stored: Matrix, orientation: Int) -> Matrix {
    let (h, w) = (stored.rows, stored.columns)
    guard (2...8).contains(orientation), h > 0, w > 0 else { return stored }
    let swaps = orientation >= 5
    let (rows, columns) = swaps ? (w, h) : (h, w)
    var values = [Double](repeating: 0, count: h * w)
    stored.values.withUnsafeBufferPointer { s in
      for j in 0..<columns {
        for i in 0..<rows {
          // The stored pixel (r, c) shown at (i, j), 0-based.
          let (r, c): (Int, Int) =
            switch orientation {
            case 2: (i, w - 1 - j)
            case 3: (h - 1 - i, w - 1 - j)
            case 4: (h - 1 - i, j)
            case 5: (j, i)
            case 6: (h - 1 - j, i)
            case 7: (h - 1 - j, w - 1 - i)
            default: (j, w - 1 - i)
            }
          values[i + j * rows] = s[r + c * h]
        }
      }
    }
    return Matrix(rows: rows, columns: columns, values: values)
  }

  /// A baseline JPEG of grey bytes (rows from the top) at `quality` (1…100),
  /// for tests that need a photo's file.
  /// With `scans` from 2 to 127 the JPEG is progressive, in that many scans
  /// (the DC coefficients, each AC coefficient but its last bit, then the
  /// last bits; every prefix a valid progression).
  package static func encodeGrey(
    _ pixels: [UInt8], width: Int, height: Int, quality: Int = 90, scans: Int = 1
  ) -> [UInt8] {
    precondition(scans == 1 || (2...127).contains(scans), "JPEGImage.encodeGrey: scans must be 1 or 2…127")
    return encode(pixels, width: width, height: height, components: 1, quality: quality, scans: scans)
  }

  /// A baseline CMYK JPEG of 4 bytes a pixel, for tests.
  package static func encodeCMYK(_ pixels: [UInt8], width: Int, height: Int) -> [UInt8] {
    encode(pixels, width: width, height: height, components: 4, quality: 90, scans: 1)
  }

  private static func encode(
    _ pixels: [UInt8], width: Int, height: Int, components: Int, quality: Int, scans: Int
  ) -> [UInt8] {
    precondition(
      pixels.count == width * height * components && width > 0 && height > 0, "JPEGImage.encode: bad raster")
    var out: UnsafeMutablePointer<UInt8>? = nil
    var size = 0
    var message = [CChar](repeating: 0, count: 200)
    let status = pixels.withUnsafeBufferPointer { p in
      pc_jpeg_encode(
        p.baseAddress, Int32(width), Int32(height), Int32(components), Int32(quality), Int32(scans), &out, &size,
        &message, 200)
    }
    precondition(status == 0, "JPEGImage.encode: libjpeg failed")
    defer { pc_free(out) }
    return Array(UnsafeBufferPointer(start: out, count: size))
  }
}
