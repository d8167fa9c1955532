import Foundation
import Testing

@testable import Pictures
import NeuralNetworkLearning
import TestSupport

/// Writes PNGs through libpng and reads them back.
@Suite struct PNGImageTests {
  @Test func greyLevels() {
    #expect(PNGImage.greyLevel(of: -1) == 0)
    #expect(PNGImage.greyLevel(of: 1) == 255)
    #expect(PNGImage.greyLevel(of: 0) == 128)
    #expect(PNGImage.greyLevel(of: 0.5) == 191)
    #expect(PNGImage.greyLevel(of: -7) == 0)
    #expect(PNGImage.greyLevel(of: 3) == 255)
    #expect(PNGImage.greyLevel(of: .nan) == 128)
  }

  /// A 2×3 matrix comes back 2 rows by 3 columns with the levels of its
  /// values, row i of the matrix being row i of the picture.
  @Test func writeThenReadBack() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("small.png")
    let image = Matrix([[-1, 0, 1], [-2, 0.5, -0.5]])
    try PNGImage.writeGrey(image, to: path, scale: 1)
    let read = try PNGImage.readGrey(path)
    #expect(read == Matrix([[0, 128, 255], [0, 191, 64]]))
  }

  /// Each element becomes a scale×scale block: 211×211 at scale 4 is 844×844.
  @Test func scaledBlocks() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("grid.png")
    let X = Matrix(rows: 100, columns: 400, values: (1...40_000).map { sin(Double($0) * 0.37) })
    let array = displayData(X)
    try PNGImage.writeGrey(array, to: path)
    let read = try PNGImage.readGrey(path)
    #expect(read.shape == "844×844")
    var mismatches = 0
    for j in 1...read.columns {
      for i in 1...read.rows
      where read[i, j] != Double(PNGImage.greyLevel(of: array[(i - 1) / 4 + 1, (j - 1) / 4 + 1])) {
        mismatches += 1
      }
    }
    #expect(mismatches == 0)
  }

  @Test func nonSquareScaledKeepsOrientation() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("wide.png")
    try PNGImage.writeGrey(Matrix([[1, -1, -1], [-1, -1, 1]]), to: path, scale: 2)
    let read = try PNGImage.readGrey(path)
    #expect(
      read
        == Matrix([
          [255, 255, 0, 0, 0, 0],
          [255, 255, 0, 0, 0, 0],
          [0, 0, 0, 0, 255, 255],
          [0, 0, 0, 0, 255, 255],
        ]))
  }

  /// Grey colours read back as themselves; pure red is lighter than pure
  /// blue (sRGB luminance weights 0.2126 and 0.0722).
  @Test func rgbRaster() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("colour.png")
    let pixels: [UInt8] = [
      0, 0, 0, 90, 90, 90, 255, 255, 255,
      255, 0, 0, 0, 255, 0, 0, 0, 255,
    ]
    try PNGImage.writeRGB(pixels, width: 3, height: 2, to: path, scale: 3)
    let read = try PNGImage.readGrey(path)
    #expect(read.shape == "6×9")
    #expect(read[1, 1] == 0 && read[3, 3] == 0)
    #expect(abs(read[1, 4] - 90) <= 1 && abs(read[3, 6] - 90) <= 1)
    #expect(read[1, 7] == 255 && read[3, 9] == 255)
    let (red, green, blue) = (read[4, 1], read[4, 4], read[4, 7])
    #expect(green > red && red > blue && blue > 0)
    #expect(read[6, 3] == red && read[6, 6] == green && read[6, 9] == blue)
  }

  @Test func neverOverwritesUnlessAsked() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("keep.png")
    try PNGImage.writeGrey(Matrix([[1]]), to: path, scale: 1)
    #expect(throws: PNGImageError(path: path, reason: .fileExists)) {
      try PNGImage.writeGrey(Matrix([[-1]]), to: path, scale: 1)
    }
    #expect(try PNGImage.readGrey(path) == Matrix([[255]]))
    try PNGImage.writeGrey(Matrix([[-1]]), to: path, scale: 1, overwrite: true)
    #expect(try PNGImage.readGrey(path) == Matrix([[0]]))
    // Nothing but the file itself is left in the directory.
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["keep.png"])
  }

  @Test func unwritableDirectories() throws {
    let directory = try TemporaryDirectory()
    let notADirectory = directory.file("plain.txt")
    try "not a directory".write(toFile: notADirectory, atomically: true, encoding: .utf8)
    // The failure to create the temporary file is reported with the system's message.
    for (path, code) in [(directory.file("missing/picture.png"), ENOENT), (notADirectory + "/picture.png", ENOTDIR)] {
      let error = try #require(throws: PNGImageError.self) {
        try PNGImage.writeGrey(Matrix([[0]]), to: path)
      }
      #expect(error.path == path)
      #expect(error.reason == .writeFailed(String(cString: strerror(code))))
      #expect(error.description == "\(path): could not be written (\(String(cString: strerror(code))))")
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["plain.txt"])
  }

  @Test func readingSomethingElse() throws {
    let directory = try TemporaryDirectory()
    let text = directory.file("notes.png")
    try "this is not a PNG file".write(toFile: text, atomically: true, encoding: .utf8)
    let cases: [(path: String, message: String?)] = [
      (text, "Not a PNG file"),
      (directory.file("absent.png"), String(cString: strerror(ENOENT))),
      (directory.path, nil),  // libpng says "Read Error"
    ]
    for (path, message) in cases {
      let error = try #require(throws: PNGImageError.self) { try PNGImage.readGrey(path) }
      #expect(error.path == path)
      guard case .libpng(let reported) = error.reason else {
        Issue.record("expected a libpng error, got \(error)")
        continue
      }
      #expect(!reported.isEmpty && reported != "libpng failed without a message", "\(path): \(reported)")
      if let message { #expect(reported == message) }
    }
  }

  @Test func emptyPicture() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("empty.png")
    #expect(throws: PNGImageError(path: path, reason: .emptyImage("0×0"))) {
      try PNGImage.writeGrey(Matrix.zeros(0, 0), to: path)
    }
    #expect(throws: PNGImageError.self) { try PNGImage.writeRGB([], width: 0, height: 4, to: path) }
    #expect(!FileManager.default.fileExists(atPath: path))
  }
}
