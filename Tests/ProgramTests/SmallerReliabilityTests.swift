import Foundation
import Testing

import NeuralNetworkLearning
import TestSupport

/// Smaller bad inputs: a λ too large for doubles, a path holding
/// a newline, a symbolic link loop where a course file belongs.
@Suite(.serialized)
struct SmallerReliabilityTests {
  let dir: TemporaryDirectory

  init() throws { dir = try TemporaryDirectory() }

  /// `--lambda 1e308` must not run 0 iterations and save the initial weights
  /// as "the trained" ones.
  @Test func aLambdaTooLargeToTrainWithSavesNothing() throws {
    let save = dir.file("w.mat")
    let run = try ProgramRun.run(
      "ex4",
      ["--lambda", "1e308", "--max-iter", "3", "--no-pause", "--output-dir", dir.file("out"), "--save", save],
      environment: ["EX4_DATA_DIR": dir.path])
    expectCleanRefusal(
      run, status: 64,
      mentioning: [
        "--lambda 1e+308: training ended at a cost of",
        "after 0 iterations, so the weights were not trained and "
          + "nothing was saved; use a smaller --lambda",
      ])
    #expect(!FileManager.default.fileExists(atPath: save))
    #expect(!run.standardOutput.contains("Training Set Accuracy"))
  }

  /// A file name holding a newline and a fake `Error:` line stays one line.
  @Test func aPathWithANewlineCannotForgeASecondLine() throws {
    let path = dir.file("x\nError: forged.mat")
    for (program, arguments) in [
      ("ex4", ["--data", path, "--no-pause", "--output-dir", dir.file("out")]),
      ("ex4", ["classify", path, "--weights", path]),
      ("ex4-linear", ["--data", path, "--output-dir", dir.file("out-linear")]),
    ] {
      let run = try ProgramRun.run(program, arguments, environment: ["EX4_DATA_DIR": dir.path])
      expectCleanRefusal(run, mentioning: ["x\\nError: forged.mat", "no such file"])
      #expect(!run.standardError.contains("\nError: forged"), "\(run.standardError)")
    }
    #expect(printable("a\u{1B}[31m\tb\r") == "a\\u{1B}[31m\\tb\\r")
  }

  /// A course file that is a symbolic link loop is reported as what it is,
  /// not taken for absent (the program fell back to the built-in digits).
  @Test func aSymbolicLinkLoopInTheDataFolderIsReported() throws {
    let data = dir.file("ex4data1.mat")
    try FileManager.default.createSymbolicLink(atPath: data, withDestinationPath: "ex4data1.mat")
    let run = try ProgramRun.run(
      "ex4", ["--no-pause", "--output-dir", dir.file("out")], environment: ["EX4_DATA_DIR": dir.path])
    expectCleanRefusal(run, mentioning: ["\(data): cannot be read (Too many levels of symbolic links)"])
    #expect(!run.standardOutput.contains("built-in"))
  }
}
