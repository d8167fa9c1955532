import Foundation
import Testing

import NeuralNetworkLearning
@testable import ExerciseSupport
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
      "EX4_DATA_DIR=\(dir.path)", "\(FilePlacement.stopBeforePlacingVariable)=1", "PATH=/usr/bin:/bin",
    ]
    let pid = try spawnWithNoSignalsBlocked(ProgramRun.executable("ex4"), arguments, environment: environment)
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
    #expect(!FileManager.default.fileExists(atPath: (out as NSString).appendingPathComponent("digits.png")))
  }

  /// Starts `path` with every signal unblocked and at its default action, as
  /// a shell starts a program. (The test process blocks signals in its
  /// threads, and Foundation's `Process` passes that mask on.)
  func spawnWithNoSignalsBlocked(_ path: String, _ arguments: [String], environment: [String]) throws -> pid_t {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var none = sigset_t()
    sigemptyset(&none)
    var all = sigset_t()
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attributes, &none)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    for descriptor: Int32 in [0, 1, 2] {
      posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
    }
    let argv = ([path] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup($0) } + [nil]
    defer { (argv + envp).forEach { free($0) } }
    var pid: pid_t = 0
    let code = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
    try #require(code == 0, "posix_spawn: \(String(cString: strerror(code)))")
    return pid
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
