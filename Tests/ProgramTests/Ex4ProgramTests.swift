import Foundation
import Testing

import NeuralNetworkLearning
import Pictures
import TestSupport

/// `ex4` run the way a student runs it, its printed numbers checked against
/// Octave's for the 8-bit stand-in of the course data.
@Suite(.serialized)
struct Ex4ProgramTests {
  @Test(
    "ex4 on the 8-bit course data with --seed 1 prints Octave's numbers",
    .enabled(if: CourseFile.has("ex4data1-8bit.mat"), CourseFile.missing("ex4data1-8bit.mat")),
    .enabled(if: CourseFile.has("ex4weights.mat"), CourseFile.missing("ex4weights.mat")))
  func courseRun() throws {
    let dir = try TemporaryDirectory()
    let saved = dir.file("trained.mat")
    let run = try ProgramRun.run(
      "ex4",
      [
        "--data", CourseFile.path("ex4data1-8bit.mat"), "--seed", "1", "--no-pause",
        "--output-dir", dir.file("out"), "--save", saved,
      ])
    #expect(run.status == 0, "ex4 failed: \(run.standardError)")
    #expect(run.standardError.isEmpty, "ex4 wrote to stderr: \(run.standardError)")

    // Parts 2–3 and 8: Octave's costs for the 8-bit data, printed with %f.
    #expect(run.numbers(after: "Cost at parameters (loaded from ex4weights):") == [0.290845, 0.386986])
    #expect(run.numbers(after: "Cost at (fixed) debugging parameters (w/ lambda = 3.000000):") == [0.579267])
    // Part 5.
    #expect(run.standardOutput.contains("  0.196612 0.235004 0.250000 0.235004 0.196612 \n"))
    // Parts 7–8: two gradient checks, each below 1e-9.
    let differences = run.numbers(after: "Relative Difference:")
    #expect(differences.count == 2)
    #expect(differences.allSatisfy { $0 > 0 && $0 < 1e-9 }, "relative differences \(differences)")
    // Training accuracy.
    let accuracy = try #require(run.numbers(after: "Training Set Accuracy:").first)
    #expect(accuracy >= 94 && accuracy <= 97, "accuracy \(accuracy)")
    #expect(run.standardOutput.contains("Iteration    50 | Cost: "))
    // The lines the documentation's excerpt shows beyond the course's: the 8-bit data is
    // not the course's own file, and the cost curve's picture.
    #expect(
      run.standardOutput.contains(
        "(ex4data1-8bit.mat is not the course's own ex4data1.mat: the course's weights give 0.290845 on it, "
          + "not 0.287629; the course's values are only approximate here)"))
    #expect(
      run.standardOutput.contains("Wrote the cost after each iteration to \(dir.file("out"))/cost.png (800×520 pixels)")
    )

    // The pictures: 10×10 tiles of 20×20 with 1-pixel padding = 211×211, and 5×5 hidden units = 106×106, ×4.
    let digits = try PNGImage.readGrey(dir.file("out/digits.png"))
    #expect(digits.rows == 844 && digits.columns == 844)
    let hidden = try PNGImage.readGrey(dir.file("out/hidden-units.png"))
    #expect(hidden.rows == 424 && hidden.columns == 424)

    // --save: the trained weights reload, with the shapes of the course's, and
    // equal the weights the same training gives in this process.
    let weights = try MatFile.read(saved)
    let Theta1 = try #require(weights["Theta1"])
    let Theta2 = try #require(weights["Theta2"])
    #expect(Theta1.rows == 25 && Theta1.columns == 401 && Theta2.rows == 10 && Theta2.columns == 26)
    let data = try CourseFile.read("ex4data1-8bit.mat")
    var random = OctaveRandom(seed: 1)
    let initial = unroll(randInitializeWeights(400, 25, using: &random), randInitializeWeights(25, 10, using: &random))
    let costFunction = NNCostFunction(
      inputLayerSize: 400, hiddenLayerSize: 25, numLabels: 10, X: data["X"]!, y: data["y"]!, lambda: 1)
    let (trained, _, _) = fmincg(costFunction.callAsFunction, initial, maxIter: 50, progress: .silent)
    #expect(maxRelativeDifference(unroll(Theta1, Theta2), trained) < 1e-9)
  }

  @Test(
    "ex4 with no course files runs on the built-in digits and says so")
  func builtinRun() throws {
    let dir = try TemporaryDirectory()
    let empty = dir.file("no-course-files")
    try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
    let run = try ProgramRun.run(
      "ex4", ["--no-pause", "--seed", "3", "--output-dir", dir.file("out")],
      environment: ["EX4_DATA_DIR": empty])
    #expect(run.status == 0, "ex4 failed: \(run.standardError)")
    #expect(run.standardOutput.contains("built-in digit set"))
    #expect(run.standardOutput.contains("NOT the course's data"))
    #expect(run.standardOutput.contains("Skipping the parts that need the course's weights"))
    #expect(!run.standardOutput.contains("Cost at parameters"))
    let accuracy = try #require(run.numbers(after: "Training Set Accuracy:").first)
    #expect(accuracy >= 90, "accuracy on the built-in digits \(accuracy)")
    #expect(FileManager.default.fileExists(atPath: dir.file("out/digits.png")))
    #expect(FileManager.default.fileExists(atPath: dir.file("out/hidden-units.png")))
  }

  @Test(
    "ex4 refuses bad input with one line and a non-zero status")
  func badInput() throws {
    let dir = try TemporaryDirectory()
    // A data file whose labels are not 1…10, and one without y.
    try MatFile.write(
      ["X": Matrix(rows: 3, columns: 4, repeating: 0.5), "y": Matrix(column: [1, 2, 11])], to: dir.file("badlabels.mat")
    )
    try MatFile.write(["X": Matrix(rows: 3, columns: 4, repeating: 0.5)], to: dir.file("noy.mat"))
    let existing = dir.file("existing.mat")
    try Data("a student's file".utf8).write(to: URL(fileURLWithPath: existing))
    let cases: [([String], String)] = [
      (["--data", dir.file("missing.mat")], "missing.mat: no such file"),
      (["--data", dir.file("badlabels.mat")], "label 11.0 at row 3"),
      (["--data", dir.file("noy.mat")], "variable 'y' is absent"),
      (["--max-iter", "0"], "--max-iter must not be 0"),
    ]
    for (arguments, message) in cases {
      let run = try ProgramRun.run(
        "ex4", arguments + ["--no-pause", "--output-dir", dir.file("out")], environment: ["EX4_DATA_DIR": dir.path])
      #expect(run.status != 0, "\(arguments) should fail")
      let lines = run.standardError.split(separator: "\n").filter { !$0.isEmpty }
      #expect(lines.count >= 1 && lines[0].contains(message), "\(arguments): stderr was \(run.standardError)")
      #expect(!run.standardError.contains("Fatal error") && !run.standardError.contains("Stack dump"))
    }
    #expect(try String(contentsOfFile: existing, encoding: .utf8) == "a student's file")
  }
}
