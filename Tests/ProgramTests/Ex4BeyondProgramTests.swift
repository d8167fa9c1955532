import Foundation
import Testing

import NeuralNetworkLearning
import Pictures
import TestSupport

/// The built `ex4` beyond the course: deeper networks (`--hidden-layers`) and
/// `ex4 classify` on picture files.
@Suite(.serialized)
struct Ex4BeyondProgramTests {
  static let haveData = CourseFile.has("ex4data1-8bit.mat")
  static let dataMissing = CourseFile.missing("ex4data1-8bit.mat")
  static let haveCourse = CourseFile.has("ex4weights.mat") && CourseFile.has("ex4data1-8bit.mat")
  static let courseMissing = CourseFile.missing(
    CourseFile.has("ex4weights.mat") ? "ex4data1-8bit.mat" : "ex4weights.mat")

  /// The course's digit `row` of the 8-bit data drawn dark on white, 3× larger, as a PNG.
  private func drawDigit(_ X: Matrix, row: Int, to path: String) throws {
    let bytes = DigitPicture.raster(X.row(row), scale: 3, light: true, height: 60, width: 60, top: 0, left: 0)
    try PNGImage.writeGrey(DigitPicture.matrix(bytes, height: 60, width: 60), to: path, scale: 1)
  }

  /// `<path>: d (p%), d (p%), d (p%)` → the three digits and percentages, or nil.
  private func parse(_ line: Substring, path: String) -> [(digit: Int, percent: Int)]? {
    guard line.hasPrefix(path + ": ") else { return nil }
    let guesses = line.dropFirst(path.count + 2).components(separatedBy: ", ").compactMap {
      guess -> (Int, Int)? in
      let parts = guess.split(separator: " ")
      guard parts.count == 2, let digit = Int(parts[0]), parts[1].hasPrefix("("), parts[1].hasSuffix("%)"),
        let percent = Int(parts[1].dropFirst().dropLast(2))
      else { return nil }
      return (digit, percent)
    }
    return guesses.count == 3 ? guesses : nil
  }

  @Test(
    "ex4 --hidden-layers 25,25 --seed 1 trains a 400–25–25–10 network, reports its accuracy, and --save writes Theta1…Theta3",
    .enabled(if: haveData, dataMissing))
  func deeperNetwork() throws {
    let dir = try TemporaryDirectory()
    let saved = dir.file("deep.mat")
    let run = try ProgramRun.run(
      "ex4",
      [
        "--data", CourseFile.path("ex4data1-8bit.mat"), "--hidden-layers", "25,25", "--seed", "1", "--max-iter", "10",
        "--no-pause", "--output-dir", dir.file("out"), "--save", saved,
      ])
    #expect(run.status == 0, "ex4 failed: \(run.standardError)")
    #expect(run.standardOutput.contains("Network layers: 400 → 25 → 25 → 10 units (2 hidden layers, Theta1 … Theta3)"))
    #expect(run.standardOutput.contains("hidden layers of 25, 25 units)"))
    #expect(run.standardOutput.contains("Iteration    10 | Cost: "))
    #expect(run.standardOutput.contains("Saved the trained Theta1 (25×401), Theta2 (25×26) and Theta3 (10×26) to"))
    // The course's own checks still run on its 3-layer network.
    #expect(run.numbers(after: "Relative Difference:").count == 2)

    // The weights reload with the right shapes and are what the same training gives here, from
    // the initial weights Octave draws after rand('twister', 1) (fixtures/rand and fixtures/deep),
    // then fmincg on nnCostFunctionDeep.
    let weights = try MatFile.read(saved)
    #expect(weights.keys.sorted() == ["Theta1", "Theta2", "Theta3"])
    let Thetas = [try #require(weights["Theta1"]), try #require(weights["Theta2"]), try #require(weights["Theta3"])]
    #expect(Thetas.map(\.shape) == ["25×401", "25×26", "10×26"])
    let data = try CourseFile.read("ex4data1-8bit.mat")
    let (X, y) = (try #require(data["X"]), try #require(data["y"]))
    let octave1 = try MatFile.read(Fixture.path("rand/rand_seed1.mat"))
    let octave23 = try MatFile.read(Fixture.path("deep/rand_layers_seed1.mat"))
    let initial = unroll(
      try #require(octave1["Theta1"]), try #require(octave23["Theta2"]), try #require(octave23["Theta3"]))
    let costFunction = NNCostFunction(layerSizes: [400, 25, 25, 10], X: X, y: y, lambda: 1)
    let (trained, _, _) = fmincg(costFunction.callAsFunction, initial, maxIter: 10, progress: .silent)
    #expect(maxRelativeDifference(unroll(Thetas), trained) < 1e-9)

    // The reported accuracy is that of the saved weights (better than chance after 10 iterations).
    let accuracy = try #require(run.numbers(after: "Training Set Accuracy:").first)
    let correct = zip(predict(Thetas, X).values, y.values).filter { $0 == $1 }.count
    #expect(abs(accuracy - Double(correct) / 50) < 1e-6, "printed \(accuracy)%, the saved weights get \(correct)/5000")
    #expect(accuracy > 15, "accuracy \(accuracy)")
  }

  @Test(
    "ex4 classify --weights: one line per picture, predict's digit first, three guesses adding up to about 100%; --save-input never replaces",
    .enabled(if: haveCourse, courseMissing))
  func classifyWithWeights() throws {
    let dir = try TemporaryDirectory()
    let data = try CourseFile.read("ex4data1-8bit.mat")
    let weights = try CourseFile.read("ex4weights.mat")
    let X = try #require(data["X"])
    let Thetas = [try #require(weights["Theta1"]), try #require(weights["Theta2"])]
    let rows = [1, 777, 1234, 2600, 4999]
    var paths: [String] = []
    for row in rows {
      paths.append(dir.file("row\(row).png"))
      try drawDigit(X, row: row, to: paths.last!)
    }
    let inputs = dir.file("inputs")
    let arguments = ["classify"] + paths + ["--weights", CourseFile.path("ex4weights.mat"), "--save-input", inputs]
    let run = try ProgramRun.run("ex4", arguments)
    #expect(run.status == 0, "ex4 classify failed: \(run.standardError)")
    #expect(run.standardError.isEmpty)
    #expect(!run.standardOutput.contains("\u{1B}["), "drew in colour although stdout is not a terminal")
    let lines = run.standardOutput.split(separator: "\n")
    let expected = predict(Thetas, X[rows: rows])
    for (k, path) in paths.enumerated() {
      let line = try #require(lines.first { $0.hasPrefix(path + ": ") }, "no line for \(path)")
      let guesses = try #require(parse(line, path: path), "malformed line: \(line)")
      #expect(guesses[0].digit == Int(expected[k + 1]) % 10, "\(line); predict says label \(expected[k + 1])")
      #expect(Set(guesses.map(\.digit)).count == 3)
      #expect(guesses[0].percent >= guesses[1].percent && guesses[1].percent >= guesses[2].percent)
      #expect(guesses.map(\.percent).reduce(0, +) <= 102)
      let input = try PNGImage.readGrey(inputs + "/row\(rows[k])-input.png")
      #expect(input.shape == "160×160")
    }
    #expect(lines.filter { $0.hasPrefix("Saved the 20×20 input to ") }.count == rows.count)

    // Again into the same folder: new numbered files, the first ones untouched.
    let first = try Data(contentsOf: URL(fileURLWithPath: inputs + "/row1-input.png"))
    try Data("a student's file".utf8).write(to: URL(fileURLWithPath: inputs + "/row777-input-2.png"))
    let again = try ProgramRun.run("ex4", arguments)
    #expect(again.status == 0)
    #expect(again.standardOutput.contains("Saved the 20×20 input to \(inputs)/row1-input-2.png"))
    #expect(again.standardOutput.contains("Saved the 20×20 input to \(inputs)/row777-input-3.png"))
    #expect(try Data(contentsOf: URL(fileURLWithPath: inputs + "/row1-input.png")) == first)
    #expect(try String(contentsOfFile: inputs + "/row777-input-2.png", encoding: .utf8) == "a student's file")
  }

  @Test(
    "ex4 classify without --weights trains on the data directory's ex4data1.mat first, and says so",
    .enabled(if: haveData, dataMissing))
  func classifyTrainsFirst() throws {
    let dir = try TemporaryDirectory()
    let data = try CourseFile.read("ex4data1-8bit.mat")
    let X = try #require(data["X"])
    let y = try #require(data["y"])
    // 1000 of the digits (every fifth) as the data directory's ex4data1.mat, to keep the training short.
    let rows = Array(stride(from: 1, through: 5000, by: 5))
    try MatFile.write(["X": X[rows: rows], "y": y[rows: rows]], to: dir.file("ex4data1.mat"))
    let picture = dir.file("digit.png")
    try drawDigit(X, row: 3003, to: picture)
    let run = try ProgramRun.run("ex4", ["classify", picture], environment: ["EX4_DATA_DIR": dir.path])
    #expect(run.status == 0, "ex4 classify failed: \(run.standardError)")
    #expect(
      run.standardOutput.contains(
        "--weights not given: training a 400–25–10 network on \(dir.file("ex4data1.mat")) first (50 iterations of fmincg, lambda = 1, seed 1)..."
      ))
    #expect(run.standardOutput.contains("training set accuracy"))
    let line = try #require(run.standardOutput.split(separator: "\n").first { $0.hasPrefix(picture + ": ") })
    #expect(parse(line, path: picture) != nil, "malformed line: \(line)")
  }

  @Test(
    "ex4 classify on a malformed picture: one error line naming it, non-zero status, the good pictures still classified",
    .enabled(if: haveCourse, courseMissing))
  func malformedPictures() throws {
    let dir = try TemporaryDirectory()
    let X = try #require(try CourseFile.read("ex4data1-8bit.mat")["X"])
    let good = dir.file("good.png")
    try drawDigit(X, row: 42, to: good)
    let garbage = dir.file("scan.png")
    try Data("not a picture at all".utf8).write(to: URL(fileURLWithPath: garbage))
    let truncated = dir.file("short.pgm")
    try (Data("P5\n20 20\n255\n".utf8) + Data(repeating: 9, count: 50)).write(to: URL(fileURLWithPath: truncated))
    let blank = dir.file("blank.pgm")
    try Data(("P2 4 4 255\n" + String(repeating: "200 ", count: 16)).utf8).write(to: URL(fileURLWithPath: blank))
    let weights = ["--weights", CourseFile.path("ex4weights.mat")]

    let cases: [(String, String)] = [
      (garbage, "\(garbage): not a PNG, JPEG or PGM picture"),
      (truncated, "\(truncated): PGM data is truncated: 50 of the 400 grey values of a 20×20 picture"),
      (blank, "\(blank): no digit found"),
      (dir.file("absent.png"), "\(dir.file("absent.png")): no such file"),
    ]
    for (path, message) in cases {
      let run = try ProgramRun.run("ex4", ["classify", path] + weights)
      #expect(run.status != 0, "\(path) should fail")
      let lines = run.standardError.split(separator: "\n")
      #expect(lines.count == 1 && lines[0].hasPrefix("Error: " + message), "stderr: \(run.standardError)")
      #expect(run.standardOutput.isEmpty, "stdout: \(run.standardOutput)")
    }

    let mixed = try ProgramRun.run("ex4", ["classify", garbage, good] + weights)
    #expect(mixed.status != 0)
    #expect(mixed.standardError.split(separator: "\n").count == 1)
    #expect(mixed.standardOutput.hasPrefix(good + ": "))

    // A weights file whose Thetas do not chain.
    let badWeights = dir.file("bad-weights.mat")
    try MatFile.write(
      ["Theta1": Matrix(rows: 25, columns: 401, repeating: 0), "Theta2": Matrix(rows: 10, columns: 25, repeating: 0)],
      to: badWeights)
    let run = try ProgramRun.run("ex4", ["classify", good, "--weights", badWeights])
    #expect(run.status != 0)
    #expect(
      run.standardError
        == "Error: \(badWeights): 'Theta2' is 10×25 but must be 10×26 to follow 'Theta1' (25×401)\n")
    #expect(!run.standardError.contains("Fatal error") && !run.standardError.contains("Stack dump"))
  }
  /// Phone photos through `ex4 classify`: a JPEG stored on its side with
  /// EXIF orientation 6 is read upright; a digit cut by the picture's edge
  /// is classified with a warning; a truncated JPEG gets one error line, and
  /// the other pictures are still classified.
  @Test(
    "ex4 classify reads JPEG photos upright, warns about a digit at the edge, and refuses a damaged JPEG in one line",
    .enabled(if: haveCourse, courseMissing))
  func jpegPhotos() throws {
    let dir = try TemporaryDirectory()
    let X = try #require(try CourseFile.read("ex4data1-8bit.mat")["X"])
    // A 6 (row 3137), 4× larger, on a 120×120 page of level 225.
    var shown = [UInt8](repeating: 225, count: 120 * 120)
    let seven = DigitPicture.raster(X.row(3137), scale: 4, light: true, height: 80, width: 80, top: 0, left: 0)
    for r in 0..<80 {
      for c in 0..<80 { shown[(r + 20) * 120 + c + 20] = min(225, seven[r * 80 + c]) }
    }
    // Stored as a camera held sideways stores it: shown (i, j) is stored (119 − j, i).
    var stored = [UInt8](repeating: 0, count: 120 * 120)
    for i in 0..<120 {
      for j in 0..<120 { stored[(119 - j) * 120 + i] = shown[i * 120 + j] }
    }
    let jpeg = JPEGImage.encodeGrey(stored, width: 120, height: 120, quality: 95)
    let tiff: [UInt8] =
      Array("MM".utf8) + [0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0]
    let app1 = Array("Exif\0\0".utf8) + tiff
    let photo = dir.file("photo.jpg")
    try Data([0xFF, 0xD8, 0xFF, 0xE1, 0, UInt8(app1.count + 2)] + app1 + jpeg.dropFirst(2))
      .write(to: URL(fileURLWithPath: photo))
    // The same 6 cut through its middle by the left edge.
    var cut = [UInt8](repeating: 225, count: 120 * 60)
    for r in 0..<120 {
      for c in 0..<60 { cut[r * 60 + c] = shown[r * 120 + c + 60] }
    }
    let edge = dir.file("edge.jpg")
    try Data(JPEGImage.encodeGrey(cut, width: 60, height: 120)).write(to: URL(fileURLWithPath: edge))
    let damaged = dir.file("damaged.jpg")
    try Data(jpeg.prefix(jpeg.count / 2)).write(to: URL(fileURLWithPath: damaged))

    let run = try ProgramRun.run(
      "ex4", ["classify", photo, damaged, edge, "--weights", CourseFile.path("ex4weights.mat")])
    #expect(run.status != 0)
    let lines = run.standardOutput.split(separator: "\n")
    #expect(lines.count == 2, "stdout: \(run.standardOutput)")
    #expect(lines.first.map { parse($0, path: photo)?.first?.digit == 6 } == true, "stdout: \(run.standardOutput)")
    #expect(lines.last.map { parse($0, path: edge) != nil } == true, "stdout: \(run.standardOutput)")
    #expect(
      run.standardError.split(separator: "\n") == [
        "Error: \(damaged): damaged or truncated JPEG (libjpeg: Premature end of JPEG file)",
        "Warning: \(edge): the digit touches the edge of the picture, so part of it may be cut off; leave paper around it",
      ], "stderr: \(run.standardError)")
  }
}
