import Foundation
import Testing

import NeuralNetworkLearning
import Pictures
import TestSupport

/// `ex4 --validation`, its pictures and report, the course's reference lines
/// for the course's files only, and the options' bad input.
@Suite(.serialized)
struct Ex4TrainingViewTests {
  static let dataName = "ex4data1-8bit.mat"

  /// The confusion matrix ex4 printed: `counts[true digit][guessed digit]`, digits 0…9.
  static func printedConfusion(_ output: String) -> [[Int]]? {
    let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
    guard let header = lines.firstIndex(where: { $0.hasPrefix("true ") && $0.hasSuffix("accuracy") }) else {
      return nil
    }
    let rows = lines[(header + 1)...].prefix(10).map { line in
      line.split(separator: " ").dropFirst().prefix(10).compactMap { Int($0) }
    }
    return rows.count == 10 && rows.allSatisfy { $0.count == 10 } ? rows : nil
  }

  @Test(
    "ex4 --validation 20% --report: held-out accuracy, the cost curve, the confusion matrix, the mistakes, the report",
    .enabled(if: CourseFile.has(dataName), CourseFile.missing(dataName)),
    .enabled(if: CourseFile.has("ex4weights.mat"), CourseFile.missing("ex4weights.mat")))
  func validationRun() throws {
    let dir = try TemporaryDirectory()
    let out = dir.file("out")
    let run = try ProgramRun.run(
      "ex4",
      [
        "--data", CourseFile.path(Self.dataName), "--seed", "1", "--no-pause", "--validation", "20%",
        "--report", "r.html", "--output-dir", out,
      ])
    #expect(run.status == 0, "ex4 failed: \(run.standardError)")
    #expect(run.standardError.isEmpty, "stderr: \(run.standardError)")
    let output = run.standardOutput

    // The course's parts still print the course's numbers (on all 5000 examples).
    #expect(run.numbers(after: "Cost at parameters (loaded from ex4weights):") == [0.290845, 0.386986])
    #expect(run.numbers(after: "Relative Difference:").count == 2)
    #expect(output.contains("Keeping 1000 of the 5000 examples (20%) aside for validation"))
    #expect(output.contains("Iteration    50 | Cost: "))

    // Accuracy on both sets, in the bands any correct run reaches.
    let training = try #require(run.numbers(after: "Training Set Accuracy:").first)
    let validation = try #require(run.numbers(after: "Validation Set Accuracy:").first)
    #expect((93...99).contains(training), "training accuracy \(training)")
    #expect((87...96).contains(validation), "validation accuracy \(validation)")
    #expect(validation < training)
    let after = try #require(output.split(separator: "\n").first { $0.hasPrefix("After iteration 50:") })
    #expect(after.contains(String(format: "validation accuracy %.2f%%", validation)))

    // The printed confusion matrix is the validation set's: 1000 examples, its diagonal the accuracy.
    let confusion = try #require(Self.printedConfusion(output), "no confusion matrix in \(output)")
    let total = confusion.joined().reduce(0, +)
    let right = (0..<10).map { confusion[$0][$0] }.reduce(0, +)
    #expect(total == 1000)
    #expect(abs(Double(right) / 10 - validation) < 1e-9)

    // The pictures.
    let cost = try PNGImage.readGrey((out as NSString).appendingPathComponent("cost.png"))
    #expect(cost.rows == 520 && cost.columns == 800)
    #expect(output.contains("Wrote the cost after each iteration to \(out)/cost.png (800×520 pixels)"))
    // 10 cells of 29×13 pixels with labels round them, each pixel 4×4 (--scale's default).
    let confusionPicture = try PNGImage.readGrey((out as NSString).appendingPathComponent("confusion.png"))
    #expect(confusionPicture.rows == 676 && confusionPicture.columns == 1444)
    #expect(output.contains("Wrote the confusion matrix to \(out)/confusion.png (1444×676 pixels)"))

    // The misclassified examples: each caption read back from the picture, the
    // pairs (true, guess) counted as often as the confusion matrix counts them.
    let wrong = total - right
    let misclassified = try PNGImage.readGrey((out as NSString).appendingPathComponent("misclassified.png"))
    let shown = min(wrong, 100)
    let gridRows = Int(Double(shown).squareRoot().rounded(.down))
    let gridColumns = (shown + gridRows - 1) / gridRows
    let (scale, key, rowHeight) = (4, BitmapFont.lineHeight + 2, 20 + BitmapFont.ascent + 2 + 1)
    #expect(misclassified.columns == (1 + gridColumns * 21) * scale)
    #expect(misclassified.rows == (key + 1 + gridRows * rowHeight) * scale)
    #expect(
      output.contains(
        "Wrote the \(wrong) misclassified examples to \(out)/misclassified.png "
          + "(\(misclassified.columns)×\(misclassified.rows) pixels)") || wrong > 100)
    var pairs: [[Int]] = Array(repeating: Array(repeating: 0, count: 10), count: 10)
    let captionWidth = BitmapFont.width(of: "7→9")
    for k in 0..<shown {
      let (j, i) = (k / gridColumns, k % gridColumns)
      let caption = readText(
        grey: misclassified, x: (1 + i * 21 + (20 - captionWidth) / 2) * scale,
        y: (key + 1 + j * rowHeight + 20 + 1) * scale, count: 3, scale: scale)
      let digits = caption.split(separator: "→").compactMap { Int($0) }
      guard digits.count == 2 else {
        Issue.record("caption \(k + 1) reads '\(caption)'")
        continue
      }
      #expect(digits[0] != digits[1])
      pairs[digits[0]][digits[1]] += 1
    }
    if wrong <= 100 {
      for t in 0..<10 {
        for p in 0..<10 where t != p { #expect(pairs[t][p] == confusion[t][p], "\(t) taken for \(p)") }
      }
    }

    // The report: one page, the course's parts and the pictures embedded, no network.
    let html = try String(contentsOfFile: (out as NSString).appendingPathComponent("r.html"), encoding: .utf8)
    #expect(output.contains("Wrote the report of this run to \(out)/r.html"))
    #expect(html.components(separatedBy: "<img src=\"data:image/png;base64,").count - 1 == 5)
    #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"))
    for heading in [
      "Loading and Visualizing Data ...", "Training Neural Network...", "Relative Difference:",
      "(this value should be about 0.287629)", "Validation Set Accuracy:", "Where the network goes wrong",
      "Iteration by iteration",
    ] {
      #expect(html.contains(heading), "the report lacks \(heading)")
    }
    #expect(html.components(separatedBy: "<tr><td>").count - 1 >= 50, "the table of iterations")
    // What went to the terminal only is not in it, and the report's own line is not either.
    #expect(!html.contains("Program paused") && !html.contains("Wrote the report"))
  }

  @Test(
    "without --validation the course's printouts are unchanged and the mistakes are those on the training set",
    .enabled(if: CourseFile.has(dataName), CourseFile.missing(dataName)))
  func withoutValidation() throws {
    let dir = try TemporaryDirectory()
    let run = try ProgramRun.run(
      "ex4",
      [
        "--data", CourseFile.path(Self.dataName), "--seed", "1", "--no-pause", "--max-iter", "5", "--output-dir",
        dir.file("out"),
      ])
    #expect(run.status == 0, "ex4 failed: \(run.standardError)")
    #expect(!run.standardOutput.contains("Validation") && !run.standardOutput.contains("Keeping"))
    #expect(
      run.standardOutput.contains("Wrote the cost after each iteration to \(dir.file("out"))/cost.png (800×520 pixels)")
    )
    #expect(run.standardOutput.contains("Where the network goes wrong, on the training set (5000 examples)"))
    let confusion = try #require(Self.printedConfusion(run.standardOutput))
    let accuracy = try #require(run.numbers(after: "Training Set Accuracy:").first)
    #expect(confusion.joined().reduce(0, +) == 5000)
    #expect(abs(Double((0..<10).map { confusion[$0][$0] }.reduce(0, +)) / 50 - accuracy) < 1e-9)
    // The course's lines, in the course's order, before the new ones.
    let order = [
      "Loading and Visualizing Data ...", "Feedforward Using Neural Network ...", "Evaluating sigmoid gradient...",
      "Initializing Neural Network Parameters ...", "Checking Backpropagation... ", "Training Neural Network... ",
      "Iteration     5 | Cost: ", "Visualizing Neural Network... ", "Training Set Accuracy:",
      "Where the network goes wrong",
    ]
    let positions = order.map { run.standardOutput.range(of: $0)?.lowerBound }
    #expect(positions.allSatisfy { $0 != nil }, "\(zip(order, positions).filter { $0.1 == nil }.map(\.0))")
    #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
  }

  @Test(
    "the course's reference lines appear for the course's weights file (and a copy saved again), not for other weights",
    .enabled(if: CourseFile.has(dataName), CourseFile.missing(dataName)),
    .enabled(if: CourseFile.has("ex4weights.mat"), CourseFile.missing("ex4weights.mat")))
  func referenceLines() throws {
    let dir = try TemporaryDirectory()
    let course = try MatFile.read(CourseFile.path("ex4weights.mat"))
    let resaved = dir.file("resaved.mat")
    try MatFile.write(["Theta1": course["Theta1"]!, "Theta2": course["Theta2"]!], to: resaved)
    var changed = course["Theta2"]!
    changed[4, 9] += 0.01
    let altered = dir.file("altered.mat")
    try MatFile.write(["Theta1": course["Theta1"]!, "Theta2": changed], to: altered)

    let lines = [
      "(this value should be about 0.287629)", "(this value should be about 0.383770)",
      "(for lambda = 3, this value should be about 0.576051)",
    ]
    func run(_ weights: String) throws -> ProgramRun {
      let run = try ProgramRun.run(
        "ex4",
        [
          "--data", CourseFile.path(Self.dataName), "--weights", weights, "--seed", "1", "--no-pause",
          "--max-iter", "2", "--output-dir", dir.file("out"),
        ])
      #expect(run.status == 0, "ex4 --weights \(weights) failed: \(run.standardError)")
      return run
    }

    for weights in [CourseFile.path("ex4weights.mat"), resaved] {
      let output = try run(weights).standardOutput
      for line in lines { #expect(output.contains(line), "\(weights): no \(line)") }
      #expect(!output.contains("is not the course's ex4weights.mat"))
      // The 8-bit digits are plainly not the course's own file.
      #expect(
        output.contains(
          "(ex4data1-8bit.mat is not the course's own ex4data1.mat: the course's weights give 0.290845 on it, not 0.287629"
        ))
    }

    let output = try run(altered).standardOutput
    for line in lines { #expect(!output.contains(line), "altered weights: \(line)") }
    #expect(output.contains("Note: \(altered) is not the course's ex4weights.mat"))
    #expect(
      output.contains("(the course's 0.287629 is for its own ex4weights.mat; it does not apply to these weights)"))
    #expect(
      output.contains("(the course's 0.576051 is for its own ex4weights.mat; it does not apply to these weights)"))
    #expect(!output.contains("is not the course's own ex4data1.mat"), "data cannot be judged by other weights")
  }

  @Test(
    "bad --validation and --report values: one line naming the option, a non-zero status, no student file touched")
  func badOptions() throws {
    let dir = try TemporaryDirectory()
    let out = dir.file("out")
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    let notes = (out as NSString).appendingPathComponent("notes.html")
    try Data("<p>my notes</p>".utf8).write(to: URL(fileURLWithPath: notes))
    let cases: [([String], Int32, String)] = [
      (
        ["--validation", "0%"], 64,
        "Error: --validation must be a percentage of the examples between 0% and 100% (such as 20%), got '0%'"
      ),
      (
        ["--validation", "100%"], 64,
        "Error: --validation must be a percentage of the examples between 0% and 100% (such as 20%), got '100%'"
      ),
      (
        ["--validation", "twenty"], 64,
        "Error: --validation must be a percentage of the examples between 0% and 100% (such as 20%), got 'twenty'"
      ),
      (["--report", "reports/"], 64, "Error: --report must name a file such as report.html or reports/run.html"),
      (["--report", "no-such-folder/r.html"], 1, "Error: no-such-folder: no such folder for --report"),
      (["--report", "r.txt"], 64, "Error: --report must name an .html file, got 'r.txt'"),
      (
        ["--report", "notes.html"], 1,
        "Error: \(notes): already exists and was not written by ex4; not replaced (move it away or choose another file name)"
      ),
    ]
    for (arguments, status, message) in cases {
      let run = try ProgramRun.run(
        "ex4", arguments + ["--no-pause", "--output-dir", out], environment: ["EX4_DATA_DIR": dir.path])
      #expect(run.status == status, "\(arguments): status \(run.status)")
      let lines = run.standardError.split(separator: "\n")
      #expect(lines.first.map { $0.hasPrefix(message) } == true, "\(arguments): stderr was \(run.standardError)")
      #expect(!run.standardOutput.contains("Training Neural Network"), "\(arguments): it trained")
    }
    #expect(try String(contentsOfFile: notes, encoding: .utf8) == "<p>my notes</p>")
  }
}
