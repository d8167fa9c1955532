import Foundation
import Testing

import DigitPhotos
import NeuralNetworkLearning
@testable import Pictures
import TestSupport

/// Pictures whose headers ask for more memory than they can justify: each is
/// refused with one line before anything is allocated for its pixels: the
/// 69-byte PNG of 10⁶×10⁶ pixels, the 29-byte PGM that would otherwise
/// allocate 2.1 GB before finding itself truncated.
struct PictureBombTests {
  @Test func thePNGBombIsSmall() {
    #expect(PNGBytes.bomb(width: 1_000_000, height: 1_000_000).count <= 69)
  }

  @Test(arguments: [
    (1_000_000, 1_000_000, true, "1000000×1000000 pixels is more than the 25000000-pixel limit"),
    (100_000, 100_000, true, "100000×100000 pixels is more than the 25000000-pixel limit"),
    (
      4000, 4000, false,
      "its header declares 4000×4000 pixels, more than a PNG file of 68 bytes can hold (the file is damaged)"
    ),
  ])
  func aPNGHeaderAskingTooMuchIsRefusedBeforeDecoding(width: Int, height: Int, overLimit: Bool, why: String) throws {
    let dir = try TemporaryDirectory()
    let path = dir.file("bomb.png")
    try Data(PNGBytes.bomb(width: UInt32(width), height: UInt32(height))).write(to: URL(fileURLWithPath: path))
    let error = try #require(throws: ImageFileError.self) { try DigitImage(contentsOf: path) }
    #expect(error == ImageFileError(path: path, problem: "not read: \(why)"))
    #expect(error.isOverLimit == overLimit)
    #expect(
      throws: PNGImageError(path: path, reason: overLimit ? .tooLarge(why) : .sizeBeyondFile(why))
    ) { try PNGImage.readGrey(path) }
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
