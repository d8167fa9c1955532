import Foundation
import Testing

import OctaveCore
@testable import Pictures
import TestSupport

/// PNG and SVG writes that meet a full disk (a 64 KiB tmpfs): one error with
/// the system's reason, the old file byte for byte as it was, nothing left.
@Suite(.enabled(if: SmallDisk.canMount, "needs to mount a tmpfs (root or CAP_SYS_ADMIN); skipped here"))
struct FullDiskPictureTests {
  /// A picture of noise, which no compression makes small.
  static func noise(_ side: Int) -> Matrix {
    var generator = SeededGenerator(seed: 9)
    return randomMatrix(side, side, scale: 1, using: &generator)
  }

  @Test func aPNGWriteOnAFullDiskFailsAndKeepsTheOldFile() throws {
    let disk = try #require(SmallDisk(kilobytes: 64))
    let path = disk.file("digits.png")
    try PNGImage.writeGrey(Self.noise(10), to: path, scale: 1)
    let before = try Data(contentsOf: URL(fileURLWithPath: path))
    #expect(throws: PNGImageError(path: path, reason: .writeFailed("No space left on device"))) {
      try PNGImage.writeGrey(Self.noise(400), to: path, scale: 1, overwrite: true)
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    #expect(try FileManager.default.contentsOfDirectory(atPath: disk.path) == ["digits.png"])
  }

  @Test func anSVGWriteOnAFullDiskFailsAndKeepsTheOldFile() throws {
    let disk = try #require(SmallDisk(kilobytes: 64))
    let path = disk.file("fit.svg")
    let small = Plot(
      title: "t", xLabel: "x", yLabel: "y",
      series: [Plot.Series(name: "s", x: [1, 2], y: [1, 2], style: .line, colour: "#000000")])
    try small.writeSVG(to: path)
    let before = try Data(contentsOf: URL(fileURLWithPath: path))
    let xs = (0..<20_000).map(Double.init)
    let large = Plot(
      title: "t", xLabel: "x", yLabel: "y",
      series: [Plot.Series(name: "s", x: xs, y: xs, style: .crosses, colour: "#000000")])
    #expect(throws: ImageFileError(path: path, problem: "could not be written (No space left on device)")) {
      try large.writeSVG(to: path)
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    #expect(try FileManager.default.contentsOfDirectory(atPath: disk.path) == ["fit.svg"])
  }
}
