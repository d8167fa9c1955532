import Foundation
import Testing

import DigitPhotos
import Pictures
import TestSupport

/// JPEGs made to cost time or memory out of proportion to their bytes: each
/// is refused with one line, at a cost bounded whatever the bytes say.
struct JPEGBombTests {
  /// A white progressive picture of `side`×`side` pixels in `scans` scans.
  static func progressive(side: Int, scans: Int) -> [UInt8] {
    JPEGImage.encodeGrey([UInt8](repeating: 255, count: side * side), width: side, height: side, scans: scans)
  }

  /// Writes `bytes` as `name` in `dir` and expects DigitImage to refuse
  /// them with `problem`.
  static func expectRefused(
    _ bytes: [UInt8], as name: String, in dir: TemporaryDirectory, problem: String,
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let path = dir.file(name)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    #expect(throws: ImageFileError(path: path, problem: problem), sourceLocation: sourceLocation) {
      try DigitImage(contentsOf: path)
    }
  }

  /// The report's bomb: a progressive file whose last scan (with its
  /// tables) is repeated. libjpeg warns of an inconsistent progression at the
  /// first repeat and would go on reading every scan; the warning now ends it.
  @Test func aRepeatedProgressiveScanStopsAtTheFirstRepeat() throws {
    let good = Self.progressive(side: 256, scans: 10)
    let blocks = JPEGScans.blocks(good)
    #expect(blocks.count == 10)
    let last = try #require(blocks.last)
    let repeated = (0..<5000).flatMap { _ in good[last] }
    let bomb = Array(good[..<last.upperBound]) + repeated + [0xFF, 0xD9]
    try Self.expectRefused(
      bomb, as: "bomb.jpg", in: try TemporaryDirectory(),
      problem: "damaged or truncated JPEG (libjpeg, at scan 11: Inconsistent progression sequence for "
        + "component 0 coefficient 9)")
  }

  /// A valid progression of more scans than the limit is refused; one at the
  /// limit is read.
  @Test func moreScansThanTheLimitAreRefused() throws {
    let dir = try TemporaryDirectory()
    let atLimit = dir.file("at-limit.jpg")
    try Data(Self.progressive(side: 64, scans: JPEGImage.maximumScans)).write(to: URL(fileURLWithPath: atLimit))
    let read = try JPEGImage.readGrey(atLimit)
    #expect(read.shape == "64×64")
    #expect(read.values.allSatisfy { abs($0 - 255) <= 1 })
    let over = dir.file("over.jpg")
    try Data(Self.progressive(side: 64, scans: 127)).write(to: URL(fileURLWithPath: over))
    #expect(
      throws: ImageFileError(path: over, problem: "not read: more than 100 scans (a progressive photo has about 10)")
    ) { try JPEGImage.readGrey(over) }
  }

  /// A small progressive file whose header is made to declare 5000×5000
  /// pixels: refused from the header, before libjpeg allocates the
  /// coefficients of 25 million pixels.
  @Test func aLargeSizeInATinyFileIsRefusedBeforeDecoding() throws {
    var bomb = Self.progressive(side: 16, scans: 2)
    let sof = try #require((0..<(bomb.count - 1)).first { bomb[$0] == 0xFF && bomb[$0 + 1] == 0xC2 })
    bomb[sof + 5...sof + 8] = [0x13, 0x88, 0x13, 0x88]
    let dir = try TemporaryDirectory()
    try Self.expectRefused(
      bomb, as: "tiny.jpg", in: dir,
      problem: "not read: its header declares 5000×5000 pixels, more than a JPEG file of \(bomb.count) bytes can "
        + "hold (the file is damaged)")
    // Long enough for its size (a comment of 64 KiB), it is refused for the
    // coefficients a progressive picture of 5000×5000 pixels needs…
    var long = bomb
    let comment: [UInt8] = [0xFF, 0xFE, 0xFF, 0xFF] + [UInt8](repeating: 0x20, count: 65533)
    long.insert(contentsOf: comment, at: 2)
    try Self.expectRefused(
      long, as: "large.jpg", in: dir,
      problem: "not read: a progressive JPEG of 5000×5000 pixels needs 48 MiB to decode, more than the 40 MiB "
        + "limit; save it as an ordinary (baseline) JPEG, smaller, or as PNG")
    // …and at 4500×4500 (39 MiB) it is decoded, and its truncation found.
    long[sof + comment.count + 5...sof + comment.count + 8] = [0x11, 0x94, 0x11, 0x94]
    let truncated = dir.file("truncated.jpg")
    try Data(long).write(to: URL(fileURLWithPath: truncated))
    do {
      _ = try DigitImage(contentsOf: truncated)
      Issue.record("a truncated 4500×4500 JPEG was read")
    } catch {
      #expect(error.description.hasPrefix("\(truncated): damaged or truncated JPEG (libjpeg"), "\(error)")
    }
  }
}
