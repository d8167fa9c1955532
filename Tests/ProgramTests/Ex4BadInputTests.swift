import Foundation
import Testing

import NeuralNetworkLearning
import Pictures
import TestSupport

/// What a run of an exercise program that refused its input must show: the
/// given exit status (1 for a bad file or value, 64 for a bad option), one
/// line on standard error starting `Error:` that contains every fragment, and
/// no sign of a crash.
func expectCleanRefusal(
  _ run: ProgramRun, status: Int32 = 1, mentioning fragments: [String],
  sourceLocation: SourceLocation = #_sourceLocation
) {
  let lines = run.standardError.split(separator: "\n", omittingEmptySubsequences: true)
  #expect(
    run.status == status, "exit status \(run.status), stderr: \(run.standardError)", sourceLocation: sourceLocation)
  for marker in ["Fatal error", "crashed", "Backtracing", "Stack dump", "Precondition failed"] {
    #expect(
      !run.standardError.contains(marker), "stderr shows a crash: \(run.standardError)", sourceLocation: sourceLocation)
  }
  // A bad option adds ArgumentParser's usage lines after the error itself.
  if status == 1 {
    #expect(lines.count == 1, "stderr should be one line: \(run.standardError)", sourceLocation: sourceLocation)
  }
  let first = lines.first.map(String.init) ?? ""
  #expect(first.hasPrefix("Error: "), "stderr: \(run.standardError)", sourceLocation: sourceLocation)
  for fragment in fragments {
    #expect(first.contains(fragment), "'\(fragment)' not in: \(first)", sourceLocation: sourceLocation)
  }
}

/// `ex4` given bad files and options: each run must end with exit status 1
/// (64 for an option) and one clear line, never a crash, and must leave a
/// student's files alone. The inputs are small (20 examples of 4×4 pixels)
/// and the data directory has no course files, so a run that gets through
/// its checks trains briefly on them.
@Suite(.serialized)
struct Ex4BadInputTests {
  let dir: TemporaryDirectory
  /// A valid data file: X 20×16 in [0, 1], y cycling through 1…10.
  let data: String

  init() throws {
    dir = try TemporaryDirectory()
    data = dir.file("small.mat")
    try MatFile.write(["X": Self.X(), "y": Self.y()], to: data)
  }

  static func X(columns: Int = 16) -> Matrix {
    var generator = SeededGenerator(seed: 7)
    return randomMatrix(20, columns, scale: 1, using: &generator).map { abs($0) }
  }

  static func y() -> Matrix { Matrix(column: (0..<20).map { Double($0 % 10 + 1) }) }

  /// Writes `variables` to a new file in the test's folder and returns its path.
  func file(_ name: String, _ variables: [String: Matrix]) throws -> String {
    let path = dir.file(name)
    try MatFile.write(variables, to: path)
    return path
  }

  func ex4(_ arguments: [String], outputDir: String? = nil) throws -> ProgramRun {
    try ProgramRun.run(
      "ex4", arguments + ["--no-pause", "--seed", "1", "--output-dir", outputDir ?? dir.file("out")],
      environment: ["EX4_DATA_DIR": dir.path])
  }

  // MARK: Files and variables

  @Test func aMissingDataFile() throws {
    let path = dir.file("missing.mat")
    expectCleanRefusal(try ex4(["--data", path]), mentioning: [path, "no such file"])
  }

  @Test func aMissingWeightsFile() throws {
    let path = dir.file("no-weights.mat")
    expectCleanRefusal(try ex4(["--data", data, "--weights", path]), mentioning: [path, "no such file"])
  }

  @Test func aFileThatIsNotAMATFile() throws {
    let path = dir.file("notes.mat")
    try Data("X = rand(20, 16);\n".utf8).write(to: URL(fileURLWithPath: path))
    expectCleanRefusal(try ex4(["--data", path]), mentioning: [path, "not a MAT file"])
  }

  @Test func aDataFileCutShort() throws {
    let bytes = try Data(contentsOf: URL(fileURLWithPath: data))
    let path = dir.file("cut.mat")
    try bytes.prefix(bytes.count - 100).write(to: URL(fileURLWithPath: path))
    expectCleanRefusal(try ex4(["--data", path]), mentioning: [path, "is damaged", "cut short"])
  }

  @Test func aDataFileWithoutY() throws {
    let path = try file("no-y.mat", ["X": Self.X()])
    expectCleanRefusal(try ex4(["--data", path]), mentioning: [path, "variable 'y' is absent", "the file has X"])
  }

  @Test func misnamedVariables() throws {
    let path = try file("misnamed.mat", ["x": Self.X(), "Y": Self.y()])
    expectCleanRefusal(try ex4(["--data", path]), mentioning: [path, "variable 'X' is absent", "the file has Y, x"])
  }

  @Test func weightsWithoutTheta2() throws {
    let path = try file("theta1-only.mat", ["Theta1": Matrix.zeros(25, 17)])
    expectCleanRefusal(
      try ex4(["--data", data, "--weights", path]), mentioning: [path, "variable 'Theta2' is absent"])
  }

  // MARK: Sizes that do not fit

  @Test func theta1ThatDoesNotFitX() throws {
    let path = try file("course-sized.mat", ["Theta1": Matrix.zeros(25, 401), "Theta2": Matrix.zeros(10, 26)])
    expectCleanRefusal(
      try ex4(["--data", data, "--weights", path]), mentioning: [path, "'Theta1' is 25×401", "16 inputs", "17 columns"])
  }

  @Test func theta2ThatDoesNotFitTheta1() throws {
    let path = try file("mismatched.mat", ["Theta1": Matrix.zeros(25, 17), "Theta2": Matrix.zeros(10, 20)])
    expectCleanRefusal(
      try ex4(["--data", data, "--weights", path]), mentioning: [path, "'Theta2' is 10×20", "10×26", "25×17"])
  }

  @Test func theta2WithTheWrongNumberOfLabels() throws {
    let path = try file("nine-labels.mat", ["Theta1": Matrix.zeros(25, 17), "Theta2": Matrix.zeros(9, 26)])
    expectCleanRefusal(try ex4(["--data", data, "--weights", path]), mentioning: [path, "'Theta2' is 9×26", "10×26"])
  }

  @Test func yThatIsNotAColumn() throws {
    let path = try file("y-matrix.mat", ["X": Self.X(), "y": Matrix(rows: 20, columns: 2, repeating: 1)])
    expectCleanRefusal(try ex4(["--data", path]), mentioning: [path, "'y' is 20×2", "column"])
  }

  @Test func yWithFewerLabelsThanExamples() throws {
    let path = try file("short-y.mat", ["X": Self.X(), "y": Matrix(column: Array(Self.y().values.prefix(19)))])
    expectCleanRefusal(try ex4(["--data", path]), mentioning: [path, "20 examples", "19 labels"])
  }

  @Test func xWhoseColumnsAreNotAnImage() throws {
    // 7 columns: displayData cannot lay them out (its precondition stops the program today).
    let path = try file("x7.mat", ["X": Self.X(columns: 7), "y": Self.y()])
    expectCleanRefusal(try ex4(["--data", path]), mentioning: [path, "'X'", "7 columns"])
  }

  // MARK: Values

  @Test(arguments: [
    (0.0, "label 0.0 at row"), (11, "label 11.0 at row"), (-3, "label -3.0 at row"), (2.5, "label 2.5 at row"),
  ])
  func labelsThatAreNotWholeNumbersFrom1To10(label: Double, words: String) throws {
    var y = Self.y()
    y[4] = label
    let path = try file("labels.mat", ["X": Self.X(), "y": y])
    expectCleanRefusal(try ex4(["--data", path]), mentioning: [path, "variable 'y'", words, "row 4", "1…10"])
  }

  @Test(arguments: [Double.nan, .infinity, -.infinity])
  func nonFiniteValuesInX(value: Double) throws {
    var X = Self.X()
    X[3, 5] = value
    let path = try file("nonfinite-x.mat", ["X": X, "y": Self.y()])
    expectCleanRefusal(try ex4(["--data", path]), mentioning: [path, "variable 'X'", "non-finite", "(3, 5)"])
  }

  @Test func aNaNLabel() throws {
    var y = Self.y()
    y[7] = .nan
    let path = try file("nan-label.mat", ["X": Self.X(), "y": y])
    expectCleanRefusal(try ex4(["--data", path]), mentioning: [path, "variable 'y'", "row 7"])
  }

  @Test(arguments: [Double.nan, .infinity])
  func nonFiniteWeights(value: Double) throws {
    var Theta1 = Matrix.zeros(25, 17)
    Theta1[2, 2] = value
    let path = try file("nonfinite-weights.mat", ["Theta1": Theta1, "Theta2": Matrix.zeros(10, 26)])
    expectCleanRefusal(try ex4(["--data", data, "--weights", path]), mentioning: [path, "'Theta1'", "NaN or Inf"])
  }

  // MARK: Options

  @Test func anOutputFolderThatCannotBeMade() throws {
    let plain = dir.file("plain-file")
    try Data("not a folder".utf8).write(to: URL(fileURLWithPath: plain))
    expectCleanRefusal(
      try ex4(["--data", data], outputDir: plain + "/pictures"),
      mentioning: ["--output-dir", "cannot be created", "is a file, not a folder"])
    expectCleanRefusal(try ex4(["--data", data], outputDir: plain), mentioning: ["--output-dir", "not a directory"])
    #expect(try String(contentsOfFile: plain, encoding: .utf8) == "not a folder")
  }

  @Test func optionsOutOfRange() throws {
    expectCleanRefusal(try ex4(["--max-iter", "0"]), status: 64, mentioning: ["--max-iter"])
    expectCleanRefusal(try ex4(["--lambda", "nan"]), status: 64, mentioning: ["--lambda"])
    expectCleanRefusal(try ex4(["--hidden-layer-size", "0"]), status: 64, mentioning: ["--hidden-layer-size"])
    expectCleanRefusal(try ex4(["--scale", "0"]), status: 64, mentioning: ["--scale"])
  }

  @Test func optionsTooLargeToRun() throws {
    expectCleanRefusal(
      try ex4(["--data", data, "--hidden-layer-size", "2000000000"]), status: 64, mentioning: ["--hidden-layer-size"])
    // Before the fix in fmincg this trapped; now it would run for ages, so ex4 must refuse it.
    expectCleanRefusal(
      try ex4(["--data", data, "--max-iter=-9223372036854775808"]), status: 64, mentioning: ["--max-iter"])
  }

  // MARK: --save

  /// A student's own file at the `--save` target is never replaced; today
  /// ex4 trains first and refuses at the end.
  @Test func saveNeverReplacesAStudentsFile() throws {
    let target = dir.file("my-weights.mat")
    let original = Data("a student's own file".utf8)
    try original.write(to: URL(fileURLWithPath: target))
    let run = try ex4(["--data", data, "--max-iter", "2", "--save", target])
    expectCleanRefusal(run, mentioning: [target])
    #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == original)
    // A MAT file that ex4 did not write is left alone too.
    try FileManager.default.removeItem(atPath: target)
    try MatFile.write(["Theta1": Matrix.zeros(1, 1)], to: target)
    let before = try Data(contentsOf: URL(fileURLWithPath: target))
    expectCleanRefusal(try ex4(["--data", data, "--max-iter", "2", "--save", target]), mentioning: [target])
    #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == before)
  }

  @Test func saveIsCheckedBeforeTraining() throws {
    let target = dir.file("my-weights.mat")
    try Data("a student's own file".utf8).write(to: URL(fileURLWithPath: target))
    let run = try ex4(["--data", data, "--max-iter", "2", "--save", target])
    expectCleanRefusal(run, mentioning: [target, "was not written by ex4"])
    #expect(!run.standardOutput.contains("Training Neural Network"), "ex4 trained before refusing --save")
    let missing = dir.file("no-such-folder/weights.mat")
    let second = try ex4(["--data", data, "--max-iter", "2", "--save", missing])
    expectCleanRefusal(second, mentioning: [missing, "does not exist"])
    #expect(!second.standardOutput.contains("Training Neural Network"), "ex4 trained before refusing --save")
  }

  @Test func saveReplacesAFileEx4WroteBefore() throws {
    let target = dir.file("trained.mat")
    let first = try ex4(["--data", data, "--max-iter", "2", "--save", target])
    #expect(first.status == 0, "stderr: \(first.standardError)")
    #expect(try MatFile.header(of: target)?.contains("written by ex4") == true)
    let second = try ex4(["--data", data, "--max-iter", "3", "--save", target])
    #expect(second.status == 0, "a second run could not replace ex4's own file: \(second.standardError)")
    let weights = try MatFile.read(target)
    #expect(weights["Theta1"]?.shape == "25×17" && weights["Theta2"]?.shape == "10×26")
  }
}
