import Foundation
import Testing

import NeuralNetworkLearning
import OctaveCore
import Pictures
import TestSupport

/// The programs' writes under a full disk, a signal and odd targets: a failed
/// write exits 1 with one line naming the file and the system's reason and
/// leaves the previous file byte for byte as it was; a signal during a write
/// leaves no temporary file; a `--save` target that the save would refuse is
/// refused before training.
@Suite(.serialized)
struct WriteReliabilityProgramTests {
  let dir: TemporaryDirectory
  /// 20 examples of 4×4 pixels: training on them takes moments.
  let data: String

  init() throws {
    dir = try TemporaryDirectory()
    data = dir.file("small.mat")
    try MatFile.write(["X": Ex4BadInputTests.X(), "y": Ex4BadInputTests.y()], to: data)
  }

  /// `ex4` on the small data, saving to `save`, writing its pictures into `out`.
  func ex4Arguments(save: String, out: String) -> [String] {
    [
      "--data", data, "--save", save, "--hidden-layer-size", "100", "--max-iter", "2", "--no-pause", "--seed", "1",
      "--output-dir", out, "--scale", "1",
    ]
  }

  /// Runs `command` under `/bin/sh -c`, SIGXFSZ ignored (so that a write over
  /// RLIMIT_FSIZE fails with EFBIG instead of ending the process).
  func shell(_ command: String) throws -> ProgramRun {
    try ProgramRun.runShell("trap '' XFSZ; " + command, environment: ["EX4_DATA_DIR": dir.path])
  }

  func partialFiles(in folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".partial") }
  }

  @Test func aSaveOnAFullDiskFailsAndKeepsThePreviousSave() throws {
    let save = dir.file("weights.mat")
    let out = dir.file("out")
    let first = try ProgramRun.run("ex4", ex4Arguments(save: save, out: out), environment: ["EX4_DATA_DIR": dir.path])
    #expect(first.status == 0, "\(first.standardError)")
    let before = try Data(contentsOf: URL(fileURLWithPath: save))
    let pictures = try FileManager.default.contentsOfDirectory(atPath: out).map {
      try Data(contentsOf: URL(fileURLWithPath: (out as NSString).appendingPathComponent($0))).count
    }
    // A file-size limit the pictures fit under and the weights do not: the
    // write of the weights meets EFBIG, as it would meet ENOSPC on a full disk.
    let limit = before.count - 64
    try #require(pictures.allSatisfy { $0 < limit }, "pictures \(pictures), weights \(before.count) bytes")
    let arguments = ex4Arguments(save: save, out: out).map { "'\($0)'" }.joined(separator: " ")
    let run = try shell("exec prlimit --fsize=\(limit) -- '\(ProgramRun.executable("ex4"))' \(arguments)")
    expectCleanRefusal(run, mentioning: ["\(save): could not be written (File too large)"])
    #expect(!run.standardOutput.contains("Saved the trained"))
    #expect(try Data(contentsOf: URL(fileURLWithPath: save)) == before, "the previous save was altered")
    #expect(partialFiles(in: dir.path).isEmpty)
    // The file is still one ex4 wrote, and a later run may replace it.
    #expect(try MatFile.read(save).keys.sorted() == ["Theta1", "Theta2"])
  }

  @Test func aPictureOnAFullDiskFailsAndKeepsThePreviousPicture() throws {
    let out = dir.file("out")
    let arguments = [
      "--data", data, "--max-iter", "1", "--no-pause", "--seed", "1", "--output-dir", out, "--scale", "8",
    ]
    #expect(try ProgramRun.run("ex4", arguments, environment: ["EX4_DATA_DIR": dir.path]).status == 0)
    let picture = (out as NSString).appendingPathComponent("digits.png")
    let before = try Data(contentsOf: URL(fileURLWithPath: picture))
    let run = try shell(
      "exec prlimit --fsize=\(before.count / 2) -- '\(ProgramRun.executable("ex4"))' "
        + arguments.map { "'\($0)'" }.joined(separator: " "))
    expectCleanRefusal(run, mentioning: ["\(picture): could not be written (File too large)"])
    #expect(try Data(contentsOf: URL(fileURLWithPath: picture)) == before)
    #expect(partialFiles(in: out).isEmpty)
  }

  @Test func aDanglingSymbolicLinkIsRefusedBeforeTraining() throws {
    let save = dir.file("link.mat")
    try FileManager.default.createSymbolicLink(atPath: save, withDestinationPath: dir.file("nowhere.mat"))
    let run = try ProgramRun.run(
      "ex4", ex4Arguments(save: save, out: dir.file("out")), environment: ["EX4_DATA_DIR": dir.path])
    expectCleanRefusal(run, mentioning: [save, "symbolic link"])
    #expect(!run.standardOutput.contains("Training Neural Network"), "refused only after training")
    #expect(!FileManager.default.fileExists(atPath: dir.file("nowhere.mat")))
  }

  /// A signal that ends the program while a file is between its temporary
  /// name and its target: the temporary file is removed, the target never
  /// appears, and the program ends by that signal.
  @Test(arguments: [SIGINT, SIGTERM])
  func aSignalDuringAWriteLeavesNoTemporaryFile(signal: Int32) throws {
    let out = dir.file("out-\(signal)")
    let arguments = ["--data", data, "--max-iter", "1", "--no-pause", "--seed", "1", "--output-dir", out]
    let environment = [
      "EX4_DATA_DIR": dir.path, FilePlacement.stopBeforePlacingVariable: "1", "PATH": "/usr/bin:/bin",
    ]
    // As a shell starts it: no signal blocked, every one at its default
    // action (the test process blocks signals in its threads, and
    // Foundation's Process would pass that mask on).
    let pid = try ChildProcessSpawn.spawn(
      ProgramRun.executable("ex4"), arguments: arguments, environment: environment, standardOutput: .null,
      standardError: .null)
    var status: Int32 = 0
    defer {
      if kill(pid, 0) == 0 {
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
      }
    }
    // The program stops itself (SIGSTOP) once its first picture is written
    // under its temporary name.
    try #require(waitpid(pid, &status, WUNTRACED) == pid)
    try #require(status & 0xff == 0x7f, "ex4 ended (status \(status)) before its first write")
    #expect(partialFiles(in: out).count == 1, "the temporary file should exist while the write is stopped")
    kill(pid, signal)
    kill(pid, SIGCONT)
    try #require(waitpid(pid, &status, 0) == pid)
    // Ended by the signal itself (not exited), so a shell sees it as such.
    #expect(status & 0x7f == signal, "wait status \(status)")
    #expect(partialFiles(in: out).isEmpty, "left behind: \(partialFiles(in: out))")
    // The handler may run on another thread while the main one finishes the
    // rename: then the picture is there, complete (it was checked before).
    let picture = (out as NSString).appendingPathComponent("digits.png")
    if FileManager.default.fileExists(atPath: picture) {
      #expect(throws: Never.self) { try PNGImage.readGrey(picture) }
    }
  }

  /// A FIFO given as a data file is refused at once, not read forever.
  @Test func aFIFOAsDataIsRefused() throws {
    let fifo = dir.file("fifo.mat")
    try #require(mkfifo(fifo, 0o600) == 0)
    let ex4 = try ProgramRun.run(
      "ex4", ["--data", fifo, "--no-pause", "--output-dir", dir.file("out")], environment: ["EX4_DATA_DIR": dir.path])
    expectCleanRefusal(ex4, mentioning: [fifo, "a FIFO (named pipe), not a regular file"])
    let linear = try ProgramRun.run(
      "ex4-linear", ["--data", fifo, "--output-dir", dir.file("out-linear")],
      environment: ["EX4_DATA_DIR": dir.path])
    expectCleanRefusal(linear, mentioning: [fifo, "a FIFO (named pipe), not a regular file"])
  }
}

/// `ex4 classify` given picture bombs among good pictures: each bomb gets one
/// line, the good picture is still classified, the exit status is 1, and the
/// whole run stays under 1 GB of address space.
@Suite(.serialized)
struct PictureBombProgramTests {
  @Test func bombsAreRefusedAndTheOtherPicturesClassified() throws {
    let dir = try TemporaryDirectory()
    let png = dir.file("bomb.png")
    try Data(PNGBytes.bomb(width: 1_000_000, height: 1_000_000)).write(to: URL(fileURLWithPath: png))
    let pgm = dir.file("bomb.pgm")
    try Data("P5 4096 4096 255\n".utf8).write(to: URL(fileURLWithPath: pgm))
    let good = dir.file("seven.png")
    var x = Matrix.zeros(20, 20)
    for r in 3...16 { x[r, 14] = 1 }
    for c in 5...14 { x[3, c] = 1 }
    try PNGImage.writeGrey(x * 2 - 1, to: good, scale: 4)
    let weights = dir.file("weights.mat")
    var generator = SeededGenerator(seed: 5)
    try MatFile.write(
      [
        "Theta1": randomMatrix(25, 401, scale: 0.1, using: &generator),
        "Theta2": randomMatrix(10, 26, scale: 0.1, using: &generator),
      ], to: weights)
    let command =
      "exec prlimit --as=\(1 << 30) -- '\(ProgramRun.executable("ex4"))' classify '\(png)' '\(pgm)' '\(good)' "
      + "--weights '\(weights)'"
    let run = try ProgramRun.runShell(command)
    #expect(run.status == 1, "\(run.standardError)")
    // (The random network's weak guess gets a warning line, not counted here.)
    let lines = run.standardError.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("Warning: ") }
    #expect(
      lines == [
        "Error: \(png): not read: 1000000×1000000 pixels is more than the 25000000-pixel limit",
        "Error: \(pgm): PGM data is truncated: 0 of the 16777216 grey values of a 4096×4096 picture",
      ], "\(run.standardError)")
    #expect(run.standardOutput.contains("\(good): "), "the good picture was not classified: \(run.standardOutput)")
  }
}
