import Foundation
import Testing

import NeuralNetworkLearning
import Pictures
import TestSupport

/// `ex4 classify` prints each picture's name escaped (a name holding a
/// newline, a carriage return or an escape sequence cannot break "one line
/// per picture" or forge a result), and a progressive JPEG bomb beside a good
/// picture is refused while the good one is classified.
struct ClassifyNameAndBombTests {
  static let haveCourse = CourseFile.has("ex4weights.mat") && CourseFile.has("ex4data1-8bit.mat")

  @Test(
    "names with ESC, CR and newline are printed escaped, one line per picture",
    .enabled(if: haveCourse, CourseFile.missing("ex4weights.mat")))
  func controlCharactersInNamesAreEscaped() throws {
    let dir = try TemporaryDirectory()
    let X = try #require(try CourseFile.read("ex4data1-8bit.mat")["X"])
    let picture = DigitPicture.pgm(
      DigitPicture.raster(X.row(3137), scale: 2, light: true, height: 60, width: 60, top: 10, left: 10),
      height: 60, width: 60)
    let names = ["esc\u{1B}[31mred.pgm", "cr\rfake: 1 (99%).pgm", "new\nline.pgm"]
    let paths = names.map { dir.file($0) }
    for path in paths { try picture.write(to: URL(fileURLWithPath: path)) }
    // The report's progressive bomb: a white picture whose last scan repeats.
    let good = JPEGImage.encodeGrey([UInt8](repeating: 255, count: 512 * 512), width: 512, height: 512, scans: 10)
    let last = try #require(JPEGScans.blocks(good).last)
    let bomb = dir.file("bomb\n.jpg")
    try Data(Array(good[..<last.upperBound]) + (0..<20_000).flatMap { _ in good[last] } + [0xFF, 0xD9])
      .write(to: URL(fileURLWithPath: bomb))

    let run = try ProgramRun.run("ex4", ["classify"] + paths + [bomb, "--weights", CourseFile.path("ex4weights.mat")])
    #expect(run.status == 1)
    let lines = run.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
    #expect(lines.count == 3, "stdout: \(run.standardOutput)")
    for (line, path) in zip(lines, paths) {
      #expect(line.hasPrefix(printable(path) + ": ") && line.hasSuffix("%)"), "\(line)")
      #expect(!line.contains("\r") && !line.contains("\u{1B}"))
    }
    #expect(
      run.standardError == "Error: \(printable(bomb)): damaged or truncated JPEG (libjpeg, at scan 11: "
        + "Inconsistent progression sequence for component 0 coefficient 9)\n", "stderr: \(run.standardError)")
  }
}
