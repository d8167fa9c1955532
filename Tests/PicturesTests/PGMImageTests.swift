import Foundation
import Testing

@testable import Pictures
import NeuralNetworkLearning
import TestSupport

/// PGM files, binary and plain, read into grey levels on PNG's 0…255 scale.
@Suite struct PGMImageTests {
  private func decode(_ text: String) throws(ImageFileError) -> Matrix {
    try PGMImage.decode(Array(text.utf8), path: "t.pgm")
  }

  private func problem(_ bytes: [UInt8]) -> String? {
    do {
      _ = try PGMImage.decode(bytes, path: "t.pgm")
      return nil
    } catch {
      return error.description
    }
  }

  /// A 2-row, 3-column plain PGM with comments in its header comes back row
  /// by row from the top-left, scaled from maxval 15 to 255.
  @Test func plainWithComments() throws {
    let image = try decode("P2\n# a comment\n3 # width\n2\n15\n0 5 15\n 15 10\n3\n")
    #expect(image == Matrix([[0, 85, 255], [255, 170, 51]]))
  }

  @Test func binaryEightAndSixteenBit() throws {
    let eight = try PGMImage.decode(Array("P5 3 2\n255\n".utf8) + [0, 1, 2, 250, 254, 255], path: "t.pgm")
    #expect(eight == Matrix([[0, 1, 2], [250, 254, 255]]))
    // Two bytes a value, most significant first: 0x0100 = 256 of 1023, 0x03FF = 1023 of 1023.
    let sixteen = try PGMImage.decode(Array("P5\n2 1\n1023\n".utf8) + [0x01, 0x00, 0x03, 0xFF], path: "t.pgm")
    #expect(sixteen.shape == "1×2")
    #expect(abs(sixteen[1, 1] - 65280.0 / 1023) < 1e-12 && sixteen[1, 2] == 255)
  }

  /// A raster's binary and plain PGMs and its PNG read back as the same grey levels.
  @Test func sameAsPNG() throws {
    let directory = try TemporaryDirectory()
    let (height, width) = (7, 5)
    let bytes = (0..<(height * width)).map { UInt8(($0 * 37) % 256) }
    let png = directory.file("r.png")
    try PNGImage.writeGrey(DigitPicture.matrix(bytes, height: height, width: width), to: png, scale: 1)
    let pgm = directory.file("r.pgm")
    try DigitPicture.pgm(bytes, height: height, width: width).write(to: URL(fileURLWithPath: pgm))
    let plain = directory.file("plain.pgm")
    try Data(("P2 \(width) \(height) 255\n" + bytes.map(String.init).joined(separator: " ")).utf8)
      .write(to: URL(fileURLWithPath: plain))
    let fromPNG = try PNGImage.readGrey(png)
    #expect(fromPNG.shape == "7×5")
    #expect(try PGMImage.readGrey(pgm) == fromPNG)
    #expect(try PGMImage.readGrey(plain) == fromPNG)
  }

  @Test func damagedFilesGiveOneLineNamingTheFileAndTheProblem() {
    let cases: [([UInt8], String)] = [
      (
        Array("P5\n20 20\n255\n".utf8) + [UInt8](repeating: 7, count: 10),
        "t.pgm: PGM data is truncated: 10 of the 400 grey values of a 20×20 picture"
      ),
      (Array("P2 3 2 255 1 2 3 4 5 300".utf8), "t.pgm: PGM pixel (row 2, column 3) is 300, above maxval 255"),
      (
        Array("P2 3 2 255 1 2 3 4".utf8),
        "t.pgm: PGM data is truncated: at most 4 of the 6 grey values of a 3×2 picture"
      ),
      (Array("P2 2 1 255 1 x".utf8), "t.pgm: PGM pixel (row 1, column 2) should be a whole number, found 'x'"),
      (Array("P5 abc 3".utf8), "t.pgm: PGM header: the width should be a whole number, found 'abc'"),
      (Array("P5\n0 3\n255\n".utf8), "t.pgm: PGM header: the width is 0; it must be 1…25000000"),
      (Array("P5 3 2 70000\n".utf8), "t.pgm: PGM header: the maxval is 70000; it must be 1…65535"),
      (Array("P5 3".utf8), "t.pgm: PGM header: the file ends before the height"),
      (Array("P5 99999 99999 255\n".utf8), "t.pgm: PGM header: 99999×99999 is too large (more than 25000000 pixels)"),
      (Array("P5 1 1 255".utf8), "t.pgm: PGM header: no whitespace after maxval, or no pixel data"),
      (Array("P6 1 1 255\n".utf8) + [0, 0, 0], "t.pgm: not a PGM file (a PGM starts with P5 or P2)"),
    ]
    for (bytes, message) in cases {
      #expect(problem(bytes) == message)
    }
  }
}
