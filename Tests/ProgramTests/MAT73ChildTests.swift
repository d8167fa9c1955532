import Foundation
import Testing

import NeuralNetworkLearning
import OctaveCore
import Pictures
import TestSupport

/// MATLAB v7.3 files read in a child process (the ex4 executable as
/// `ex4 __read-mat73__ FILE`): the values arrive whole; damage, a crash, a
/// runaway allocation or a hang in HDF5 becomes one MatFileError.
@Suite(.serialized)
struct MAT73ChildTests {
  /// Runs `executable` with `arguments` (output discarded) and returns its
  /// own peak resident size in KB, measured by `peak-resident`
  /// (Tests/PeakResident), which starts it from a small process: a child
  /// this test runner started would report at least the runner's own peak.
  static func peakResidentKilobytes(_ executable: String, _ arguments: [String]) throws -> Int {
    let dir = try TemporaryDirectory()
    let report = dir.file("peak.txt")
    let pid = try ChildProcessSpawn.spawn(
      ProgramRun.executable("peak-resident"), arguments: [executable] + arguments,
      environment: ProcessInfo.processInfo.environment, standardOutput: .file(report), standardError: .null)
    let ending = ChildProcessSpawn.wait(pid).ending
    try #require(ending == .exited(0), "peak-resident \(executable) ended \(ending)")
    let text = try String(contentsOfFile: report, encoding: .utf8)
    return try #require(Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), "peak-resident printed \(text)")
  }

  static var reader: MAT73Reading {
    .childProcess(executable: ProgramRun.executable("ex4"), arguments: [MatFile.mat73ChildMarker])
  }

  @Test(arguments: ["hdf5storage-weights.mat", "libmatio-weights.mat"])
  func theChildReadsWhatOctaveReads(file: String) throws {
    let expected = try MatFile.read(Fixture.path("mat73/v7-weights.mat"))
    let path = Fixture.path("mat73/\(file)")
    let read = try MatFile.$mat73Reading.withValue(Self.reader) { try MatFile.read(path) }
    #expect(read == expected)
    let each = try MatFile.$mat73Reading.withValue(Self.reader) { try MatFile.readEach(path) }
    #expect(each.mapValues { try? $0.get() } == expected.mapValues { $0 })
  }

  /// The programs read v7.3 through the child: `--weights` of another
  /// network's size is checked like any other file.
  @Test func ex4ReadsAV73WeightsFile() throws {
    let dir = try TemporaryDirectory()
    let data = dir.file("small.mat")
    try MatFile.write(["X": Ex4BadInputTests.X(), "y": Ex4BadInputTests.y()], to: data)
    let path = Fixture.path("mat73/hdf5storage-weights.mat")
    let run = try ProgramRun.run(
      "ex4",
      [
        "--data", data, "--weights", path, "--max-iter", "1", "--no-pause", "--seed", "1", "--output-dir",
        dir.file("out"),
      ], environment: ["EX4_DATA_DIR": dir.path])
    #expect(run.status == 0, "\(run.standardError)")
    #expect(run.standardOutput.contains("Cost at parameters (loaded from ex4weights):"))
  }

  @Test func aCutV73FileIsOneLine() throws {
    let dir = try TemporaryDirectory()
    let bytes = try Data(contentsOf: URL(fileURLWithPath: Fixture.path("mat73/libmatio-weights.mat")))
    let cut = dir.file("cut.mat")
    try bytes.prefix(2000).write(to: URL(fileURLWithPath: cut))
    let picture = dir.file("one.png")
    try PNGImage.writeGrey(Matrix([[-1, 1, -1], [-1, 1, -1], [-1, 1, -1]]), to: picture, scale: 4)
    let run = try ProgramRun.run("ex4", ["classify", picture, "--weights", cut])
    expectCleanRefusal(
      run, mentioning: ["\(cut) is damaged: the HDF5 library failed reading it (File has been truncated)"])
  }

  /// The issue's crashing files, made again: the root group's symbol-table
  /// message (in its object header, at byte 624 of the libmatio fixture:
  /// type 0x11, then the B-tree's and the local heap's 8-byte addresses at
  /// 632 and 640) with an address set to all ones, and the same for an
  /// address of the group's B-tree node at 680. HDF5 1.10 dies on each with
  /// SIGSEGV (checked here by running the reader child alone, so that the
  /// test shows the crash is real); `ex4 --weights` and `ex4 classify
  /// --weights` each print one line and exit 1.
  @Test(arguments: [632, 640, 680])
  func theRootGroupAddressesThatCrashHDF5AreOneLine(offset: Int) throws {
    let dir = try TemporaryDirectory()
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixture.path("mat73/libmatio-weights.mat"))))
    #expect(bytes[624] == 0x11, "the symbol-table message is where this test expects it")
    for p in offset..<(offset + 8) { bytes[p] = 0xFF }
    let path = dir.file("crashes-hdf5.mat")
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    // The shell's $? is 128 + the signal for a child killed by one.
    let alone = try ProgramRun.runShell(
      "'\(ProgramRun.executable("ex4"))' \(MatFile.mat73ChildMarker) '\(path)' >/dev/null 2>&1; echo $?")
    let childStatus = Int(alone.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    if childStatus < 128 {
      // An HDF5 that does not crash on it: the programs must still refuse it cleanly.
      Issue.record("the reader child did not crash on byte \(offset) (status \(childStatus))", severity: .warning)
    }
    let picture = dir.file("one.png")
    try PNGImage.writeGrey(Matrix([[-1, 1, -1], [-1, 1, -1], [-1, 1, -1]]), to: picture, scale: 4)
    for arguments in [
      ["--weights", path, "--no-pause", "--max-iter", "1", "--output-dir", dir.file("out")],
      ["classify", picture, "--weights", path],
    ] {
      let run = try ProgramRun.run("ex4", arguments, environment: ["EX4_DATA_DIR": dir.path])
      expectCleanRefusal(run, mentioning: ["\(path) is damaged: the HDF5 library failed reading it ("])
    }
  }

  /// What the parent makes of a reader that crashes, fails or answers
  /// garbage (a shell standing in for HDF5 going wrong): one MatFileError.
  @Test(arguments: [
    ("kill -SEGV $$", "the HDF5 library failed reading it (Segmentation fault)"),
    ("kill -ABRT $$", "the HDF5 library failed reading it (Aborted)"),
    ("exit 3", "the HDF5 library failed reading it (exit 3)"),
    ("echo garbage", "the HDF5 library failed reading it (its reader's answer is garbled)"),
  ])
  func aReaderThatFailsIsOneError(script: String, why: String) throws {
    let path = Fixture.path("mat73/libmatio-weights.mat")
    let reader = MAT73Reading.childProcess(executable: "/bin/sh", arguments: ["-c", script, "sh"])
    #expect(throws: MatFileError(path: path, reason: .corrupt(why))) {
      try MatFile.$mat73Reading.withValue(reader) { try MatFile.read(path) }
    }
  }

  /// A deterministic fuzz test of v7.3 reading, beside the v5 one: damaged
  /// copies of the libmatio- and hdf5storage-written fixtures (bits flipped,
  /// address-sized runs set to 0xFF or 0, files cut), each read through the
  /// child. Fails on a crash of this process, a load over 2 s, a child over
  /// 512 MB resident, or an error that is not one line.
  @Test(arguments: ["hdf5storage-weights.mat", "libmatio-weights.mat"])
  func damagedV73FilesNeverTakeTheProgramDown(file: String) throws {
    let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixture.path("mat73/\(file)"))))
    let dir = try TemporaryDirectory()
    let path = dir.file("damaged.mat")
    var generator = SeededGenerator(seed: file.hasPrefix("hdf5") ? 731 : 732)
    var outcomes: [String: Int] = [:]
    var slowest = Duration.zero
    var largestChild = 0
    for k in 0..<60 {
      var bytes = original
      let position = Int(generator.next() % UInt64(k % 2 == 0 ? min(4096, bytes.count) : bytes.count))
      switch k % 4 {
      case 0: bytes[position] ^= UInt8(1 << (generator.next() % 8))
      case 1: for p in position..<min(position + 8, bytes.count) { bytes[p] = 0xFF }
      case 2: for p in position..<min(position + 8, bytes.count) { bytes[p] = 0 }
      default: bytes = Array(bytes.prefix(max(position, 129)))
      }
      try Data(bytes).write(to: URL(fileURLWithPath: path))
      // The reader child's own peak, measured on a run of the same child.
      largestChild = max(
        largestChild, try Self.peakResidentKilobytes(ProgramRun.executable("ex4"), [MatFile.mat73ChildMarker, path]))
      let start = ContinuousClock.now
      let outcome: String
      do {
        _ = try MatFile.$mat73Reading.withValue(Self.reader) { try MatFile.readEach(path) }
        outcome = "read"
      } catch let error as MatFileError {
        #expect(!error.description.contains("\n"), "\(error)")
        if case .corrupt(let why) = error.reason {
          outcome = why.hasPrefix("the HDF5 library failed reading it (") ? String(why.prefix(60)) : "corrupt: other"
        } else {
          outcome = "\(error.reason)".prefix(40).description
        }
      }
      let elapsed = ContinuousClock.now - start
      slowest = max(slowest, elapsed)
      #expect(elapsed < .seconds(2), "mutation \(k) of \(file) took \(elapsed)")
      outcomes[outcome, default: 0] += 1
    }
    #expect(largestChild < 512 * 1024, "a reader child reached \(largestChild) KB resident")
    print("v7.3 fuzz of \(file): slowest load \(slowest); outcomes \(outcomes.sorted { $0.key < $1.key })")
  }
}

/// A valid v7.3 file of about 1 MB whose variable inflates to 1.15 GB (the
/// trial's loads asking for 1 GiB or more): refused by name in the child,
/// before anything is allocated, in one line.
@Test func aV73VariableTooLargeForTheReaderIsRefusedByName() throws {
  let path = Fixture.path("mat73/huge-zeros.mat")
  let reader = MAT73Reading.childProcess(
    executable: ProgramRun.executable("ex4"), arguments: [MatFile.mat73ChildMarker])
  let start = ContinuousClock.now
  #expect(
    throws: MatFileError(
      path: path, variable: "Theta1",
      reason: .unreadable(
        "variable 'Theta1' is 12000×12000, 1098 MiB as doubles, more than the 384 MiB one v7.3 variable may take here"))
  ) {
    try MatFile.$mat73Reading.withValue(reader) { try MatFile.read(path) }
  }
  #expect(ContinuousClock.now - start < .seconds(2))
}

extension MAT73ChildTests {
  /// The chunk B-tree node of `chunked-theta.mat` (Theta1, 25×401, in five
  /// deflated chunks of HDF5 dimensions 100×25): at byte 1912, "TREE", node
  /// type 1 (chunks), then from byte 1936 each chunk's key (its stored size,
  /// filter mask and three 8-byte offsets) and its 8-byte address, 40 bytes a
  /// chunk. HDF5 reads each damage below without an error, with values
  /// moved, repeated or left out; the reader child's check of the chunk index
  /// refuses each in one line.
  @Test(arguments: [
    (1976 + 32, "chunks 1 and 2 of 5 overlap in the file"),
    (1984, "chunk 2 of 5 is at (0, 0), not a chunk of its own inside 401×25"),
    (1976, "chunk 2 of 5 does not inflate"),
    (1976 + 32 + 7, "chunk 2 of 5 lies outside the file"),
  ])
  func aDamagedChunkIndexIsRefused(at: Int, words: String) throws {
    let path = Fixture.path("mat73/chunked-theta.mat")
    let good = try MatFile.$mat73Reading.withValue(Self.reader) { try MatFile.read(path) }
    let theta = try #require(good["Theta1"])
    let expected: [Double] = (0..<(25 * 401)).map { 0.001 * Double($0) }
    #expect(theta.shape == "25×401")
    #expect(theta.values == expected)
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    #expect(Array(bytes[1912..<1917]) == Array("TREE".utf8) + [1], "the chunk B-tree is where this test expects it")
    #expect(bytes[1984] == 100)
    switch at {
    case 1976 + 32:  // chunk 2 at chunk 1's address, with its size: chunk 1's values twice
      bytes[1976..<1980] = bytes[1936..<1940]
      bytes[1976 + 32..<1976 + 40] = bytes[1936 + 32..<1936 + 40]
    case 1984: bytes[1984] = 0  // chunk 2's first offset 100 → 0
    case 1976: bytes[1976] = bytes[1976] &- 7  // chunk 2 seven bytes shorter
    default: bytes[at] = 0x7F  // chunk 2's address far past the end
    }
    let dir = try TemporaryDirectory()
    let damaged = dir.file("damaged.mat")
    try Data(bytes).write(to: URL(fileURLWithPath: damaged))
    let error = #expect(throws: MatFileError.self) {
      try MatFile.$mat73Reading.withValue(Self.reader) { try MatFile.read(damaged) }
    }
    let message = error?.description ?? ""
    #expect(message.hasPrefix("\(damaged): variable 'Theta1' is damaged: \(words)"), "\(message)")
  }

  /// What the chunk index cannot reveal: chunks 1 and 3 of
  /// `chunked-theta.mat` have the same stored size (6438 bytes), and with
  /// their addresses swapped every rule still holds; the matrix reads with
  /// columns 1–100 and 201–300 exchanged (the Reliability article's example).
  @Test func swappedChunksOfOneSizeStillRead() throws {
    let path = Fixture.path("mat73/chunked-theta.mat")
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    #expect(Array(bytes[1936..<1940]) == Array(bytes[2016..<2020]), "chunks 1 and 3 have the same stored size")
    let first = Array(bytes[(1936 + 32)..<(1936 + 40)])
    bytes[(1936 + 32)..<(1936 + 40)] = bytes[(2016 + 32)..<(2016 + 40)]
    bytes[(2016 + 32)..<(2016 + 40)] = first[...]
    let dir = try TemporaryDirectory()
    let swapped = dir.file("swapped.mat")
    try Data(bytes).write(to: URL(fileURLWithPath: swapped))
    let read = try MatFile.$mat73Reading.withValue(Self.reader) { try MatFile.read(swapped) }
    let theta = try #require(read["Theta1"])
    let value = { (row: Int, column: Int) in 0.001 * Double((column - 1) * 25 + row - 1) }
    #expect(theta[1, 1] == value(1, 201) && theta[25, 100] == value(25, 300))
    #expect(theta[1, 201] == value(1, 1) && theta[1, 101] == value(1, 101))
  }
}
