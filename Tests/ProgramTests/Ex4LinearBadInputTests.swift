import Foundation
import Testing

import NeuralNetworkLearning
import Pictures
import TestSupport

/// `ex4-linear` given bad files and options: exit status 1 (64 for an
/// option) and one clear line, never a crash. The data are small synthetic
/// stand-ins for ex5data1.mat, so no course file is needed.
@Suite(.serialized)
struct Ex4LinearBadInputTests {
  let dir: TemporaryDirectory

  init() throws { dir = try TemporaryDirectory() }

  /// `X, y` (12 examples), `Xval, yval`, `Xtest, ytest` (5 each): y = x²/10 + 3.
  static func sets() -> [String: Matrix] {
    func pair(_ xs: [Double]) -> (Matrix, Matrix) { (Matrix(column: xs), Matrix(column: xs.map { $0 * $0 / 10 + 3 })) }
    let (X, y) = pair((0..<12).map { Double($0) * 5 - 30 })
    let (Xval, yval) = pair([-27, -8, 1, 14, 22])
    let (Xtest, ytest) = pair([-22, -3, 6, 11, 27])
    return ["X": X, "y": y, "Xval": Xval, "yval": yval, "Xtest": Xtest, "ytest": ytest]
  }

  /// The sets changed by `edit`, written to a new file; its path.
  func file(_ name: String, _ edit: (inout [String: Matrix]) -> Void) throws -> String {
    var variables = Self.sets()
    edit(&variables)
    let path = dir.file(name)
    try MatFile.write(variables, to: path)
    return path
  }

  /// Runs ex4-linear with a seed, 5 line searches (unless `arguments` set
  /// `--max-iter`) and an output folder in the test's folder.
  func ex4Linear(_ arguments: [String], outputDir: String? = nil) throws -> ProgramRun {
    let iterations = arguments.contains { $0.hasPrefix("--max-iter") } ? [] : ["--max-iter", "5"]
    return try ProgramRun.run(
      "ex4-linear", arguments + iterations + ["--seed", "1", "--output-dir", outputDir ?? dir.file("out")],
      environment: ["EX4_DATA_DIR": dir.path])
  }

  @Test func goodDataRuns() throws {
    let run = try ex4Linear(["--data", try file("good.mat") { _ in }])
    #expect(run.status == 0, "stderr: \(run.standardError)")
    #expect(run.numbers(after: "Final cost:").count == 1)
  }

  @Test func missingFiles() throws {
    expectCleanRefusal(try ex4Linear([]), mentioning: ["ex5data1.mat not found", dir.path])
    let path = dir.file("nothing-here.mat")
    expectCleanRefusal(try ex4Linear(["--data", path]), mentioning: [path, "no such file"])
    expectCleanRefusal(try ex4Linear(["--data", dir.path]), mentioning: [dir.path, "it is a directory"])
  }

  @Test func damagedOrForeignFiles() throws {
    let good = try file("good.mat") { _ in }
    let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
    let cut = dir.file("cut.mat")
    try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: cut))
    expectCleanRefusal(try ex4Linear(["--data", cut]), mentioning: [cut, "is damaged"])
    let text = dir.file("text.mat")
    try Data("X = [1; 2; 3]\n".utf8).write(to: URL(fileURLWithPath: text))
    expectCleanRefusal(try ex4Linear(["--data", text]), mentioning: [text, "not a MAT file"])
  }

  @Test func missingOrMisnamedVariables() throws {
    let misnamed = try file("misnamed.mat") { $0["x"] = $0.removeValue(forKey: "X") }
    expectCleanRefusal(try ex4Linear(["--data", misnamed]), mentioning: [misnamed, "variable 'X' is absent", "x"])
    let noTest = try file("no-test.mat") { $0["Xtest"] = nil }
    expectCleanRefusal(try ex4Linear(["--data", noTest]), mentioning: [noTest, "variable 'Xtest' is absent"])
  }

  @Test func wrongShapes() throws {
    let wide = try file("wide.mat") { $0["X"] = Matrix(rows: 12, columns: 2, repeating: 1) }
    expectCleanRefusal(try ex4Linear(["--data", wide]), mentioning: [wide, "'X' is 12×2", "m×1"])
    let row = try file("row.mat") { $0["yval"] = $0["yval"]!.transposed() }
    expectCleanRefusal(try ex4Linear(["--data", row]), mentioning: [row, "'yval' is 1×5", "m×1"])
    let short = try file("short.mat") { $0["y"] = Matrix(column: Array($0["y"]!.values.prefix(10))) }
    expectCleanRefusal(try ex4Linear(["--data", short]), mentioning: [short, "'X' has 12 rows but 'y' has 10"])
  }

  @Test(arguments: [
    ("X", 3, Double.nan, "(NaN) at row 3"), ("y", 5, .infinity, "(Inf) at row 5"),
    ("Xtest", 2, -.infinity, "(-Inf) at row 2"),
  ])
  func nonFiniteValues(variable: String, row: Int, value: Double, words: String) throws {
    let path = try file("nonfinite.mat") { $0[variable]![row] = value }
    expectCleanRefusal(try ex4Linear(["--data", path]), mentioning: [path, "variable '\(variable)'", words])
  }

  /// ±1.7e308 once stopped the program in its plot's scale (a range of
  /// NaN); anything above 1e100 is refused.
  @Test func valuesTooLargeToTrainOrPlot() throws {
    let path = try file("huge.mat") {
      $0["X"]![2] = 1.7e308
      $0["X"]![3] = -1.7e308
    }
    expectCleanRefusal(
      try ex4Linear(["--data", path]), mentioning: [path, "variable 'X'", "1.7e+308 at row 2", "up to 1e100"])
    let large = try file("large.mat") { $0["yval"]![4] = -2e100 }
    expectCleanRefusal(try ex4Linear(["--data", large]), mentioning: [large, "variable 'yval'", "-2e+100 at row 4"])
  }

  @Test func anOutputFolderThatCannotBeMade() throws {
    let good = try file("good.mat") { _ in }
    let plain = dir.file("plain-file")
    try Data("not a folder".utf8).write(to: URL(fileURLWithPath: plain))
    expectCleanRefusal(
      try ex4Linear(["--data", good], outputDir: plain + "/plots"),
      mentioning: ["--output-dir", "cannot be created", "is a file, not a folder"])
    expectCleanRefusal(
      try ex4Linear(["--data", good], outputDir: plain), mentioning: ["--output-dir", "not a directory"])
    #expect(try String(contentsOfFile: plain, encoding: .utf8) == "not a folder")
  }

  @Test func optionsOutOfRange() throws {
    for (arguments, option) in [
      (["--hidden-layer-size", "0"], "--hidden-layer-size"),
      (["--hidden-layer-size", "2000000000"], "--hidden-layer-size"),
      (["--max-iter", "0"], "--max-iter"), (["--max-iter=-9223372036854775808"], "--max-iter"),
      (["--lambda", "-1"], "--lambda"), (["--lambda", "inf"], "--lambda"),
    ] {
      expectCleanRefusal(try ex4Linear(arguments), status: 64, mentioning: [option])
    }
  }
}
