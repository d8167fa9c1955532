import Foundation
import Testing

@testable import MatFiles
import OctaveCore
import TestSupport

/// The checks `MatFile.read` makes before libmatio sees a MATLAB 5 file, one
/// damage at a time, with the message each gives.
@Suite struct MatFileLayoutTests {
  let dir: TemporaryDirectory
  init() throws { dir = try TemporaryDirectory() }

  func bytes(_ fixture: String) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: Fixture.path("matfile/\(fixture).mat"))))
  }

  func save(_ bytes: [UInt8], _ name: String) throws -> String {
    let path = dir.file(name)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
  }

  func u32(_ value: Int) -> [UInt8] { withUnsafeBytes(of: UInt32(value).littleEndian, Array.init) }

  /// reshape-v7.mat with its first element (A, 2×3) replaced by `stream`
  /// under a tag declaring `declared` bytes (default: the stream's length).
  func reshapeV7(firstElement stream: [UInt8], declared: Int? = nil) throws -> [UInt8] {
    let file = try bytes("reshape-v7")
    let length = Int(file[132]) | Int(file[133]) << 8 | Int(file[134]) << 16 | Int(file[135]) << 24
    return Array(file[..<128]) + u32(15) + u32(declared ?? stream.count) + stream + Array(file[(136 + length)...])
  }

  /// The first element of reshape-v7.mat: its compressed stream and what it inflates to.
  func firstElementOfReshapeV7() throws -> (stream: [UInt8], inflated: [UInt8]) {
    let file = try bytes("reshape-v7")
    let length = Int(file[132]) | Int(file[133]) << 8 | Int(file[134]) << 16 | Int(file[135]) << 24
    let stream = Array(file[136..<(136 + length)])
    return (stream, try inflateWhole(stream, bigEndian: false))
  }

  func readError(_ path: String, variable: String? = nil, sourceLocation: SourceLocation = #_sourceLocation)
    -> MatFileError?
  {
    return #expect(throws: MatFileError.self, sourceLocation: sourceLocation) {
      if let variable { _ = try MatFile.read(path, variable: variable) } else { _ = try MatFile.read(path) }
    }
  }

  // MARK: Compressed elements

  @Test func aCompressedElementThatFailsItsChecksum() throws {
    var (stream, _) = try firstElementOfReshapeV7()
    stream[stream.count - 1] ^= 0x01  // the adler32 trailer
    let path = try save(try reshapeV7(firstElement: stream), "checksum.mat")
    let expected = MatFileError(
      path: path, reason: .corrupt("variable 1: its compressed data fails zlib's checksum (the bytes were altered)"))
    #expect(readError(path) == expected)
    #expect(readError(path, variable: "B") == expected)
  }

  @Test func aCompressedElementThatInflatesToOtherThanItsTagSays() throws {
    var (_, inflated) = try firstElementOfReshapeV7()
    #expect(inflated.count == 104 && inflated[4] == 96)
    inflated[4] = 104  // the inner miMATRIX tag now claims 8 bytes more than there are
    let path = try save(try reshapeV7(firstElement: deflateWhole(inflated)), "length.mat")
    #expect(
      readError(path)
        == MatFileError(
          path: path,
          reason: .corrupt("variable 1: its compressed data inflates to 96 bytes where its matrix's tag declares 104")))
  }

  @Test func aCompressedElementCutShortOrWithBytesLeftOver() throws {
    let (stream, _) = try firstElementOfReshapeV7()
    let cut = try save(try reshapeV7(firstElement: Array(stream.dropLast(10))), "cut-stream.mat")
    #expect(
      readError(cut)
        == MatFileError(
          path: cut,
          reason: .corrupt("variable 1: its compressed data ends before its zlib stream does (it is cut short)")))
    let extra = try save(try reshapeV7(firstElement: stream + [1, 2, 3, 4, 5, 6, 7, 8]), "extra.mat")
    #expect(
      readError(extra)
        == MatFileError(
          path: extra,
          reason: .corrupt("variable 1: its compressed data has 8 bytes left over after its zlib stream ends")))
  }

  @Test func aCompressedElementDeclaringMoreThanDeflateCanHold() throws {
    var (_, inflated) = try firstElementOfReshapeV7()
    inflated.replaceSubrange(4..<8, with: u32(0xFFFF_FFF0))
    let stream = deflateWhole(inflated)
    let path = try save(try reshapeV7(firstElement: stream), "ratio.mat")
    #expect(
      readError(path)
        == MatFileError(
          path: path,
          reason: .corrupt(
            "variable 1: its compressed data declares a 4294967280-byte matrix, more than its \(stream.count) "
              + "compressed bytes can hold")))
  }

  // MARK: Uncompressed elements

  /// In reshape-v6.mat, A (2×3 doubles) has its dimensions at bytes 160 and
  /// 164 and its 48 bytes of data after a tag at 176.
  @Test func dimensionsThatDisagreeWithTheDataLength() throws {
    var file = try bytes("reshape-v6")
    #expect(file[160] == 2 && file[164] == 3 && file[176] == 9 && file[180] == 48)
    file[164] = 4
    let path = try save(file, "dims.mat")
    let expected = MatFileError(
      path: path, variable: "A",
      reason: .corrupt("its dimensions 2×4 need 64 bytes of double data, but its data holds 48"))
    #expect(readError(path) == expected)
    #expect(readError(path, variable: "A") == expected)
    // The damage is A's alone: the other variables still read.
    #expect(
      try MatFile.read(path, variable: "B") == MatFile.read(Fixture.path("matfile/reshape-v6.mat"), variable: "B"))
  }

  @Test func dataStoredAsATypeItsClassCannotHold() throws {
    var file = try bytes("reshape-v6")
    file[176] = 12  // int64 (8 bytes, like double), which MATLAB never stores a double array as
    let path = try save(file, "int64.mat")
    #expect(
      readError(path, variable: "A")
        == MatFileError(
          path: path, variable: "A",
          reason: .corrupt("its data is stored as int64, which a double array cannot be stored as")))
  }

  @Test func aNameFollowedByStrayBytes() throws {
    var renamed = try bytes("reshape-v6")
    #expect(renamed[168] == 1 && renamed[170] == 1 && renamed[172] == 0x41)  // small element: 1 byte, "A"
    renamed[173] = 0x42  // "AB" in a 1-byte name: the B sits in the padding
    let path = try save(renamed, "stray.mat")
    #expect(
      readError(path)
        == MatFileError(
          path: path, variable: "A",
          reason: .corrupt("stray bytes follow its name (its length or its characters were altered)")))
  }

  @Test func aDamagedCellMakesTheWholeFileUnreadable() throws {
    // bad-v6.mat's cell c starts at byte 256; its first dimension is at 288.
    var file = try bytes("bad-v6")
    #expect(file[256] == 14 && file[272] == 1 && file[288] == 1)
    file.replaceSubrange(288..<292, with: u32(100_000))
    let path = try save(file, "cell.mat")
    let error = readError(path, variable: "ok")
    #expect(error?.variable == "c")
    #expect(
      error?.description.contains("calls for more nested values than its") == true, "\(String(describing: error))")
  }

  /// libFuzzer found libmatio allocating 1 GB while listing a function
  /// handle whose dimensions said 67108866×2: it reads a function handle like
  /// a cell, one nested matrix per element.
  @Test func aFunctionHandleWithHugeDimensionsMakesTheWholeFileUnreadable() throws {
    var file = try bytes("reshape-v6")
    file[144] = 16  // A becomes a function handle of 2×3 "nested matrices": its doubles
    file.replaceSubrange(160..<164, with: u32(67_108_866))
    let path = try save(file, "handle.mat")
    let error = readError(path, variable: "B")
    #expect(error?.variable == "A")
    #expect(
      error?.description.contains("its size 67108866×3 calls for more nested values than its") == true,
      "\(String(describing: error))")
  }

  @Test func aDamagedHeaderOrADuplicateName() throws {
    var file = try bytes("numeric-v6")
    file[126] = 0x58
    let path = try save(file, "marker.mat")
    #expect(
      readError(path)
        == MatFileError(
          path: path, reason: .corrupt("its header's version or byte-order mark (bytes 125 to 128) is damaged")))
    let twice = try save(uncompressedMAT5([("A", Matrix([[1]])), ("A", Matrix([[2]]))], bigEndian: false), "twice.mat")
    #expect(
      readError(twice) == MatFileError(path: twice, variable: "A", reason: .corrupt("two variables are named 'A'")))
  }

  @Test func aHeaderWithNoVariablesAndABigEndianFile() throws {
    let headerOnly = try save(Array(try bytes("numeric-v6").prefix(128)), "header-only.mat")
    #expect(try MatFile.read(headerOnly).isEmpty)
    let matrices = [("Theta1", Matrix([[1.5, -2], [0, .pi]])), ("v", Matrix(column: [1e-300, -0.0, .infinity]))]
    for bigEndian in [false, true] {
      let path = try save(uncompressedMAT5(matrices, bigEndian: bigEndian), "order-\(bigEndian).mat")
      let read = try MatFile.read(path)
      for (name, matrix) in matrices {
        #expect(
          read[name]?.values.map(\.bitPattern) == matrix.values.map(\.bitPattern), "\(name), big-endian \(bigEndian)")
      }
    }
  }
}

/// MATLAB v4 files (no header; a 20-byte header before each variable), whose
/// headers are checked before libmatio, which allocates what they ask for.
@Suite struct MatFileV4Tests {
  let dir: TemporaryDirectory
  init() throws { dir = try TemporaryDirectory() }
  let fixture = Fixture.path("matfile/v4.mat")

  @Test func aV4FileReadsLikeOctaveWroteIt() throws {
    let all = try MatFile.read(fixture)
    #expect(Set(all.keys) == ["A", "W"])
    #expect(all["A"] == Matrix([[1, 3, 5], [2, 4, 6]]))
    #expect(all["W"]?.shape == "5×4")
    #expect(all["W"] == (try MatFile.read(Fixture.path("matfile/v4.mat"), variable: "W")))
    #expect(throws: MatFileError(path: fixture, variable: "Z", reason: .complex)) {
      try MatFile.read(fixture, variable: "Z")
    }
    #expect(throws: MatFileError(path: fixture, variable: "name", reason: .notNumeric(className: "char"))) {
      try MatFile.read(fixture, variable: "name")
    }
  }

  @Test func aV4FileCutShortOrWithADamagedHeader() throws {
    let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: fixture)))
    // A's header says 2×3 doubles and a 2-byte name: 20 + 2 + 48 bytes.
    let cut = dir.file("cut.mat")
    try Data(bytes.prefix(60)).write(to: URL(fileURLWithPath: cut))
    #expect(
      throws: MatFileError(
        path: cut,
        reason: .corrupt(
          "variable 1: the file is cut short: its 2×3 values and 2-byte name need more than the 40 bytes left"))
    ) { try MatFile.read(cut) }
    var rows = bytes
    rows[4] = 200  // A: 200×3, far more than the file holds
    let large = dir.file("rows.mat")
    try Data(rows).write(to: URL(fileURLWithPath: large))
    let error = #expect(throws: MatFileError.self) { try MatFile.read(large, variable: "W") }
    #expect(error?.description.contains("the file is cut short") == true, "\(String(describing: error))")
    var type = bytes
    type[70] = 77  // W's type: an unknown precision
    let damaged = dir.file("type.mat")
    try Data(type).write(to: URL(fileURLWithPath: damaged))
    #expect(
      throws: MatFileError(
        path: damaged,
        reason: .corrupt(
          "variable 2 (after 'A'): its v4 header (type 77, 5×4, imaginary 0, name length 2) is not a valid one"))
    ) { try MatFile.read(damaged) }
  }

  /// A MATLAB 5 file shifted by a few bytes is no MAT file; libmatio took it
  /// for v4 and allocated the 1.4 GB its "name length" asked for (found by
  /// libFuzzer).
  @Test func aShiftedMATLAB5FileIsNotAMATFile() throws {
    let path = dir.file("shifted.mat")
    let bytes =
      [UInt8](repeating: 0, count: 6)
      + Array(try Data(contentsOf: URL(fileURLWithPath: Fixture.path("matfile/numeric-v6.mat"))))
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    #expect(throws: MatFileError(path: path, reason: .notAMATFile)) { try MatFile.read(path) }
  }
}

/// The text in a MAT file's header, and writes that replace only a file the
/// same program wrote.
@Suite struct MatFileHeaderTests {
  let dir: TemporaryDirectory
  init() throws { dir = try TemporaryDirectory() }
  let weights = ["Theta1": Matrix([[1, 2, 3]]), "Theta2": Matrix([[4], [5]])]

  @Test func headerText() throws {
    let octave = try #require(try MatFile.header(of: Fixture.path("matfile/numeric-v7.mat")))
    #expect(octave.hasPrefix("MATLAB 5.0 MAT-file, written by Octave 7.3.0, "))
    let path = dir.file("custom.mat")
    let header = "MATLAB 5.0 MAT-file, " + String(repeating: "x", count: 94)
    #expect(header.utf8.count == 115)
    try MatFile.write(weights, to: path, header: header)
    #expect(try MatFile.header(of: path) == header)
    #expect(try MatFile.read(path) == weights)
    let text = dir.file("text.mat")
    try Data("Theta1 = 1\n".utf8).write(to: URL(fileURLWithPath: text))
    #expect(try MatFile.header(of: text) == nil)
    #expect(throws: MatFileError(path: dir.file("none.mat"), reason: .fileNotFound)) {
      try MatFile.header(of: dir.file("none.mat"))
    }
  }

  @Test func aProgramReplacesOnlyWhatItWrote() throws {
    let path = dir.file("trained.mat")
    try MatFile.write(weights, to: path, madeBy: "ex4")
    let header = try #require(try MatFile.header(of: path))
    #expect(header.hasPrefix("MATLAB 5.0 MAT-file, written by ex4 (NeuralNetworkLearning), "), "\(header)")
    #expect(try MatFile.read(path) == weights)
    let newer = ["Theta1": Matrix([[7]])]
    try MatFile.checkCanWrite(to: path, madeBy: "ex4")
    try MatFile.write(newer, to: path, madeBy: "ex4")
    #expect(try MatFile.read(path) == newer)
    // Another program's file, or one written without a mark, is not ex4's.
    for (name, write) in [
      ("other.mat", { (p: String) in try MatFile.write(self.weights, to: p, madeBy: "ex4-linear") }),
      ("plain.mat", { (p: String) in try MatFile.write(self.weights, to: p) }),
      (
        "octave.mat",
        { (p: String) in try FileManager.default.copyItem(atPath: Fixture.path("matfile/numeric-v7.mat"), toPath: p) }
      ),
      ("student.mat", { (p: String) in try Data("my notes".utf8).write(to: URL(fileURLWithPath: p)) }),
    ] {
      let target = dir.file(name)
      try write(target)
      let before = try Data(contentsOf: URL(fileURLWithPath: target))
      let refusal = MatFileError(path: target, reason: .notMadeBy(program: "ex4"))
      #expect(throws: refusal, "\(name)") { try MatFile.checkCanWrite(to: target, madeBy: "ex4") }
      #expect(throws: refusal, "\(name)") { try MatFile.write(weights, to: target, madeBy: "ex4") }
      #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == before, "\(name) was changed")
      #expect(refusal.description.contains("was not written by ex4; not replaced"))
    }
  }

  @Test(
    .enabled(
      if: FileManager.default.isExecutableFile(atPath: "/usr/bin/octave"),
      "skipped: /usr/bin/octave is not installed, so Octave's reading of a marked file is not checked"))
  func octaveLoadsAFileWithAProgramsHeader() throws {
    let path = dir.file("for-octave.mat")
    try MatFile.write(weights, to: path, madeBy: "ex4")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/octave")
    process.arguments = [
      "--no-gui", "-q", "--no-init-file", "--eval",
      "s = load('\(path)'); printf('%g ', s.Theta1, s.Theta2, size(s.Theta2))",
    ]
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    #expect(text == "1 2 3 4 5 2 1 ")
  }

  @Test func aProgramsWriteChecksTheFolderFirst() throws {
    let missing = dir.file("no-such-folder/weights.mat")
    #expect(
      throws: MatFileError(
        path: missing, reason: .writeFailed("the folder \(dir.file("no-such-folder")) does not exist"))
    ) { try MatFile.checkCanWrite(to: missing, madeBy: "ex4") }
    #expect(throws: MatFileError(path: dir.path, reason: .writeFailed("it is a folder"))) {
      try MatFile.checkCanWrite(to: dir.path, madeBy: "ex4")
    }
  }
}
