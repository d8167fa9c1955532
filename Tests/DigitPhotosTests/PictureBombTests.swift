import Foundation
import Testing

import DigitPhotos
import NeuralNetworkLearning
import Pictures
import TestSupport

/// Pictures whose headers ask for more memory than they can justify: each is
/// refused with one line before anything is allocated for its pixels. (The
/// 69-byte PNG of 10⁶×10⁶ pixels used to abort the program, the 29-byte PGM to
/// allocate 2.1 GB before finding itself truncated.)
struct PictureBombTests {
  /// CRC-32 as PNG chunks carry it (ISO 3309, reflected 0xEDB88320).
  static func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
      crc ^= UInt32(byte)
      for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
  }

  static func bigEndian(_ value: UInt32) -> [UInt8] {
    (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) }
  }

  static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
    let body = Array(type.utf8) + data
    return bigEndian(UInt32(data.count)) + body + bigEndian(crc32(body))
  }

  /// A PNG of `width × height` 8-bit grey pixels whose IDAT holds one empty
  /// stored deflate block: a valid header over almost no data.
  static func bomb(width: UInt32, height: UInt32) -> [UInt8] {
    let ihdr = bigEndian(width) + bigEndian(height) + [8, 0, 0, 0, 0]
    let idat: [UInt8] = [0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01]
    return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", ihdr) + chunk("IDAT", idat)
      + chunk("IEND", [])
  }

  @Test func theNewPNGBombIsSmall() {
    #expect(Self.bomb(width: 1_000_000, height: 1_000_000).count <= 69)
  }

  @Test(arguments: [
    (1_000_000, 1_000_000, "1000000×1000000 pixels is more than the 25000000-pixel limit"),
    (100_000, 100_000, "100000×100000 pixels is more than the 25000000-pixel limit"),
    (
      4000, 4000,
      "its header declares 4000×4000 pixels, more than a PNG file of 68 bytes can hold (the file is damaged)"
    ),
  ])
  func aPNGHeaderAskingTooMuchIsRefusedBeforeDecoding(width: Int, height: Int, why: String) throws {
    let dir = try TemporaryDirectory()
    let path = dir.file("bomb.png")
    try Data(Self.bomb(width: UInt32(width), height: UInt32(height))).write(to: URL(fileURLWithPath: path))
    #expect(throws: ImageFileError(path: path, problem: "not read: \(why)")) { try DigitImage(contentsOf: path) }
    #expect(throws: PNGImageError(path: path, reason: .tooLarge(why))) { try PNGImage.readGrey(path) }
  }

  /// A valid PNG (uniform, so it compresses to almost nothing) just above
  /// the pixel limit is refused; the picture just at it would be read.
  @Test func aValidPNGAboveThePixelLimitIsRefused() throws {
    let dir = try TemporaryDirectory()
    let path = dir.file("white.png")
    try PNGImage.writeGrey(Matrix([[1]]), to: path, scale: 5001)
    let why = "5001×5001 pixels is more than the 25000000-pixel limit"
    #expect(throws: ImageFileError(path: path, problem: "not read: \(why)")) { try DigitImage(contentsOf: path) }
  }

  @Test func aPGMHeaderAskingMoreThanItsFileHoldsIsRefusedBeforeAllocating() throws {
    let dir = try TemporaryDirectory()
    let path = dir.file("bomb.pgm")
    try Data("P5 4096 4096 255\n".utf8).write(to: URL(fileURLWithPath: path))
    #expect(
      throws: ImageFileError(
        path: path, problem: "PGM data is truncated: 0 of the 16777216 grey values of a 4096×4096 picture")
    ) { try DigitImage(contentsOf: path) }
    // The 29-byte file of the report is above the limit itself.
    try Data("P5 16384 16384 255\n".utf8).write(to: URL(fileURLWithPath: path))
    #expect(
      throws: ImageFileError(
        path: path, problem: "PGM header: 16384×16384 is too large (more than 25000000 pixels)")
    ) { try DigitImage(contentsOf: path) }
  }
}
