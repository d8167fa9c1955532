import Foundation
import Testing

import NeuralNetworkLearning
import TestSupport

/// Where the programs look for the course's files wherever the student
/// stands, what they say when a file or folder is missing or the built-in
/// digits are used, and the options a student meets first (`--save`,
/// `--seed`, `classify`'s order), each run as a student runs it.
@Suite(.serialized)
struct DataFolderAndOptionTests {
  let dir: TemporaryDirectory
  /// The package's folder, found from this test's source file (not from the
  /// code under test): `Tests/ProgramTests/` two levels down.
  static let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().standardizedFileURL.path
  static let searched = packageRoot + "/exercises/data/ex4data1.mat"

  init() throws { dir = try TemporaryDirectory() }

  /// ex4 as quick as it gets: one iteration, one hidden unit, pictures in
  /// `output`, a folder relative to `directory`.
  func quickEx4(in directory: String, output: String, environment: [String: String?]) throws -> ProgramRun {
    try ProgramRun.run(
      "ex4",
      ["--no-pause", "--seed", "1", "--max-iter", "1", "--hidden-layer-size", "1", "--output-dir", output],
      environment: environment, in: directory)
  }

  /// Without EX4_DATA_DIR, `cd exercises && ex4` and ex4 from an unrelated
  /// folder both look in the package's own exercises/data. In a checkout,
  /// which has no course files there, both say so with its absolute path,
  /// and again beside the accuracy. Before, both looked in
  /// `<current folder>/exercises/data`.
  @Test(arguments: ["exercises", "elsewhere"])
  func theDataFolderIsThePackagesWhereverTheStudentStands(_ place: String) throws {
    let folder = place == "exercises" ? Self.packageRoot + "/exercises" : dir.path
    // A new folder, relative to where ex4 runs, removed afterwards: nothing of the student's is touched.
    let output = "new-student-test-\(UUID().uuidString)"
    let absoluteOutput = URL(fileURLWithPath: folder).appendingPathComponent(output).standardizedFileURL.path
    defer { try? FileManager.default.removeItem(atPath: absoluteOutput) }
    let run = try quickEx4(in: folder, output: output, environment: ["EX4_DATA_DIR": nil])
    #expect(run.status == 0, "stderr: \(run.standardError)")
    let lines = run.standardOutput.split(separator: "\n").map(String.init)
    if FileManager.default.fileExists(atPath: Self.searched) {
      // Someone put the course's files in the checkout: they are what is used.
      #expect(!run.standardOutput.contains("NOT THE COURSE'S DATA"), "\(run.standardOutput)")
    } else {
      let banner = "*** NOT THE COURSE'S DATA: \(Self.searched) not found; using the built-in synthetic digits ***"
      #expect(lines.contains(banner), "\(run.standardOutput)")
      let accuracy = try #require(lines.firstIndex { $0.hasPrefix("Training Set Accuracy:") })
      #expect(
        lines[accuracy + 1].contains("on the built-in digits: \(Self.searched) was not found"),
        "\(lines[accuracy + 1])")
    }
    // The output folder stays where the student stands, and is named in full.
    #expect(lines.contains("Output folder (--output-dir): \(absoluteOutput)"), "\(run.standardOutput)")
    #expect(FileManager.default.fileExists(atPath: absoluteOutput + "/digits.png"))
  }

  /// `classify` without --weights trains on the built-in digits only after
  /// saying so, with the path searched, and says it again beside the accuracy.
  @Test(
    .enabled(
      if: !FileManager.default.fileExists(atPath: DataFolderAndOptionTests.searched),
      "the checkout's exercises/data has ex4data1.mat"))
  func classifySaysWhenItTrainsOnTheBuiltinDigits() throws {
    let run = try ProgramRun.run(
      "ex4", ["classify", Self.packageRoot + "/exercises/pictures/seven.png"],
      environment: ["EX4_DATA_DIR": nil], in: dir.path)
    #expect(run.status == 0, "\(run.standardError)")
    let lines = run.standardOutput.split(separator: "\n").map(String.init)
    #expect(lines.first?.hasPrefix("*** NOT THE COURSE'S DATA: \(Self.searched) not found") == true, "\(lines)")
    let accuracy = try #require(lines.firstIndex { $0.hasPrefix("Trained in") })
    #expect(lines[accuracy + 1].contains("on the built-in digits: \(Self.searched) was not found"))
  }

  /// `ex4 sweep` in a fresh clone sweeps the built-in digits: it says so at
  /// the start and again after the best rows, with the path searched.
  @Test func sweepSaysAgainAtTheEndThatItRanOnTheBuiltinDigits() throws {
    let clone = try StudentClone(courseFiles: [])
    let run = try ProgramRun.run(
      "ex4", ["sweep", "--lambdas", "1", "--iterations", "1", "--hidden-sizes", "1", "--seeds", "1"],
      environment: clone.environment, in: clone.path)
    #expect(run.status == 0, "\(run.standardError)")
    let searched = clone.data + "/ex4data1.mat"
    let lines = run.standardOutput.split(separator: "\n").map(String.init)
    #expect(lines.contains { $0.hasPrefix("*** NOT THE COURSE'S DATA: \(searched) not found") }, "\(lines)")
    let best = try #require(lines.lastIndex { $0.hasPrefix("Best for seed 1:") }, "\(lines)")
    let reminder = try #require(lines.firstIndex { $0.hasPrefix("(on the built-in digits:") }, "\(lines)")
    #expect(reminder > best, "the reminder comes after the best rows: \(lines)")
    #expect(lines[reminder] == "(on the built-in digits: \(searched) was not found; NOT the course's data)")
  }

  /// A data folder the student named that is not there stops the run, naming
  /// the absolute path tried, instead of quietly using the built-in digits.
  @Test func aMissingDataFolderIsAnError() throws {
    let absolute = try ProgramRun.run(
      "ex4", ["--no-pause"], environment: ["EX4_DATA_DIR": "/nonexistent"], in: dir.path)
    expectCleanRefusal(absolute, mentioning: ["EX4_DATA_DIR /nonexistent: no such folder"])
    // Refused before anything is printed or made.
    #expect(absolute.standardOutput.isEmpty, "\(absolute.standardOutput)")
    #expect(!FileManager.default.fileExists(atPath: dir.file("ex4-output")))
    let sweep = try ProgramRun.run(
      "ex4", ["sweep", "--lambdas", "1"], environment: ["EX4_DATA_DIR": "/nonexistent"], in: dir.path)
    expectCleanRefusal(sweep, mentioning: ["EX4_DATA_DIR /nonexistent: no such folder"])
    #expect(sweep.standardOutput.isEmpty, "\(sweep.standardOutput)")
    let relative = try ProgramRun.run(
      "ex4", ["--no-pause"], environment: ["EX4_DATA_DIR": "data-typo"], in: dir.path)
    expectCleanRefusal(relative, mentioning: ["EX4_DATA_DIR \(dir.path)/data-typo: no such folder"])
    let linear = try ProgramRun.run("ex4-linear", [], environment: ["EX4_DATA_DIR": "/nonexistent"], in: dir.path)
    expectCleanRefusal(linear, mentioning: ["EX4_DATA_DIR /nonexistent: no such folder"])
  }

  /// `--data` and `--weights` naming a file that is not there: one line with
  /// the option and the absolute path tried.
  @Test func aMissingNamedFileNamesItsAbsolutePath() throws {
    let data = try ProgramRun.run(
      "ex4", ["--no-pause", "--data", "nope.mat"], environment: ["EX4_DATA_DIR": nil], in: dir.path)
    expectCleanRefusal(data, mentioning: ["--data \(dir.path)/nope.mat: no such file"])
    #expect(data.standardOutput.isEmpty, "\(data.standardOutput)")
    let weights = try ProgramRun.run(
      "ex4", ["classify", Self.packageRoot + "/exercises/pictures/seven.png", "--weights", "w.mat"],
      environment: ["EX4_DATA_DIR": nil], in: dir.path)
    expectCleanRefusal(weights, mentioning: ["--weights \(dir.path)/w.mat: no such file"])
  }

  /// `--save`'s help says what it replaces and what it never does, and it does so.
  @Test func saveHelpTellsTheTruth() throws {
    let help = try ProgramRun.run("ex4", ["course", "--help"])
    let text = help.standardOutput.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    #expect(text.contains("Replaces a file only if ex4 --save wrote it"), "\(text)")
    #expect(text.contains("anything else there (your own file, a course file, a folder or link) is never replaced"))
    #expect(!text.contains("An existing file is not replaced"))

    let data = dir.file("small.mat")
    try MatFile.write(["X": Ex4BadInputTests.X(), "y": Ex4BadInputTests.y()], to: data)
    func save(_ target: String, maxIter: Int = 2) throws -> ProgramRun {
      try ProgramRun.run(
        "ex4", ["--no-pause", "--seed", "1", "--max-iter", "\(maxIter)", "--data", data, "--save", target],
        environment: ["EX4_DATA_DIR": dir.path], in: dir.path)
    }
    // A file ex4 wrote is replaced: the second run's weights are what is there.
    let own = dir.file("trained.mat")
    #expect(try save(own).status == 0)
    let before = try Data(contentsOf: URL(fileURLWithPath: own))
    let again = try save(own, maxIter: 3)
    #expect(again.status == 0, "\(again.standardError)")
    #expect(try Data(contentsOf: URL(fileURLWithPath: own)) != before)
    // Anything else is never replaced: a student's .mat file, a folder.
    let mine = dir.file("mine.mat")
    try MatFile.write(["Theta1": Matrix.zeros(2, 2)], to: mine)
    let untouched = try Data(contentsOf: URL(fileURLWithPath: mine))
    expectCleanRefusal(try save(mine), mentioning: [mine, "was not written by ex4"])
    #expect(try Data(contentsOf: URL(fileURLWithPath: mine)) == untouched)
    try FileManager.default.createDirectory(atPath: dir.file("folder.mat"), withIntermediateDirectories: false)
    #expect(try save(dir.file("folder.mat")).status == 1)
  }

  /// A seed out of range is refused with the range, not ArgumentParser's
  /// `Missing value for '--seed <n>'` (which a leading minus would give).
  @Test(arguments: ["-1", "4294967296", "1.5"])
  func aSeedOutOfRangeSaysTheRange(_ seed: String) throws {
    let run = try ProgramRun.run("ex4", ["--no-pause", "--seed", seed], environment: ["EX4_DATA_DIR": dir.path])
    #expect(run.status == 64, "\(run.standardError)")
    let first = run.standardError.split(separator: "\n").first.map(String.init) ?? ""
    #expect(
      first == "Error: The value '\(seed)' is invalid for '--seed <n>': a seed is a whole number from 0 to 4294967295",
      "\(first)")
    #expect(!run.standardError.contains("Missing value"))
  }

  /// `classify`'s lines, results and errors, come in the order of the
  /// pictures given, even through a pipe (with standard error in it too).
  @Test func classifyReportsInOrder() throws {
    var generator = SeededGenerator(seed: 3)
    let weights = dir.file("w.mat")
    try MatFile.write(
      [
        "Theta1": randomMatrix(25, 401, scale: 0.1, using: &generator),
        "Theta2": randomMatrix(10, 26, scale: 0.1, using: &generator),
      ], to: weights)
    let seven = Self.packageRoot + "/exercises/pictures/seven.png"
    let missing = dir.file("missing.png")
    let command = [ProgramRun.executable("ex4"), "classify", seven, missing, seven, "--weights", weights]
      .map { "'\($0)'" }.joined(separator: " ")
    let run = try ProgramRun.runShell("\(command) 2>&1")
    #expect(run.status == 1)
    // These random weights are unsure of every digit, so each result may be
    // followed by a weak-guess warning; the order of results and errors is
    // what is checked here.
    let lines = run.standardOutput.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("Warning: ") }
    #expect(lines.count == 3, "\(run.standardOutput)")
    guard lines.count == 3 else { return }
    #expect(lines[0].hasPrefix("\(seven): "))
    #expect(lines[1].hasPrefix("Error: ") && lines[1].contains(missing))
    #expect(lines[2].hasPrefix("\(seven): "))
  }
}
