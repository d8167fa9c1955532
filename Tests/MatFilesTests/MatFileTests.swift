import Foundation
import Testing

@testable import MatFiles
import OctaveCore
import TestSupport

// MARK: - Helpers

/// The bit patterns of a matrix's elements, column-major, so that NaN, -0
/// and subnormals compare exactly.
private func bits(_ m: Matrix) -> [UInt64] { m.values.map(\.bitPattern) }

/// A variable in a value listing: its Octave class, shape and element bits.
private struct ListedVariable: Equatable {
  var className: String
  var rows: Int
  var columns: Int
  var bits: [UInt64]
}

/// Parses the listing written by `make_fixtures.m` (numeric-values.txt) and
/// printed by ``octaveListing(of:)``: a line `name class rows columns`, then
/// one line per element with Octave's `num2hex(double(x(:)))`.
private func parseListing(_ text: String) throws -> [String: ListedVariable] {
  var result: [String: ListedVariable] = [:]
  var lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }[...]
  while let header = lines.popFirst() {
    let fields = header.split(separator: " ")
    try #require(fields.count == 4, "bad listing header: \(header)")
    let rows = try #require(Int(fields[2]))
    let columns = try #require(Int(fields[3]))
    var elementBits: [UInt64] = []
    for _ in 0..<(rows * columns) {
      let next = lines.popFirst()
      let line = try #require(next, "listing of \(fields[0]) ends early")
      elementBits.append(try #require(UInt64(line, radix: 16), "bad hex \(line)"))
    }
    result[String(fields[0])] = ListedVariable(
      className: String(fields[1]), rows: rows, columns: columns, bits: elementBits)
  }
  return result
}

/// The `octave` executable on PATH, if there is one.
private let octaveExecutable: String? = {
  let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
  return path.split(separator: ":").map { "\($0)/octave" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}()

/// Octave's own reading of a MAT file: every variable listed by name, class,
/// size and the bits of each element, in the format of numeric-values.txt.
private func octaveListing(of path: String) throws -> [String: ListedVariable] {
  let octave = try #require(octaveExecutable)
  let script = """
    s = load('\(path)'); names = sort(fieldnames(s));
    for k = 1:numel(names)
      x = s.(names{k});
      printf('%s %s %d %d\\n', names{k}, class(x), rows(x), columns(x));
      printf('%s\\n', cellstr(num2hex(double(x(:)))){:});
    end
    """
  let process = Process()
  process.executableURL = URL(fileURLWithPath: octave)
  process.arguments = ["--no-gui", "-q", "--no-init-file", "--eval", script]
  let output = Pipe()
  process.standardOutput = output
  try process.run()
  let data = output.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  try #require(process.terminationStatus == 0, "octave failed loading \(path)")
  return try parseListing(String(decoding: data, as: UTF8.self))
}

/// The names in a directory that look like leftovers of an interrupted write.
private func partialFiles(in directory: String) throws -> [String] {
  try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".partial") }
}

private func fixture(_ name: String, _ format: String) -> String { Fixture.path("matfile/\(name)-\(format).mat") }

// MARK: - Course files

@Suite struct MatFileCourseFileTests {
  @Test(.enabled(if: CourseFile.has("ex4weights.mat"), CourseFile.missing("ex4weights.mat")))
  func ex4weights() throws {
    let weights = try CourseFile.read("ex4weights.mat")
    #expect(Set(weights.keys) == ["Theta1", "Theta2"])
    let theta1 = try #require(weights["Theta1"])
    let theta2 = try #require(weights["Theta2"])
    #expect(theta1.shape == "25×401")
    #expect(theta2.shape == "10×26")
    #expect(theta1[1, 1] == -0.022562389859934213)
    #expect(theta1[25, 401] == 8.794545314425748e-09)
    #expect(theta2[10, 26] == -1.3275204189639918)
    #expect(abs(theta1.sum() - 9.2426439281200246) <= 1e-12)
    #expect(try MatFile.read(CourseFile.path("ex4weights.mat"), variable: "Theta2") == theta2)
  }

  @Test(.enabled(if: CourseFile.has("ex5data1.mat"), CourseFile.missing("ex5data1.mat")))
  func ex5data1() throws {
    let data = try CourseFile.read("ex5data1.mat")
    #expect(Set(data.keys) == ["X", "y", "Xval", "yval", "Xtest", "ytest"])
    for name in ["X", "y"] { #expect(data[name]?.shape == "12×1", "\(name)") }
    for name in ["Xval", "yval", "Xtest", "ytest"] { #expect(data[name]?.shape == "21×1", "\(name)") }
  }

  @Test(.enabled(if: CourseFile.has("ex4data1-8bit.mat"), CourseFile.missing("ex4data1-8bit.mat")))
  func ex4data1EightBit() throws {
    let data = try MatFile.read(CourseFile.path("ex4data1-8bit.mat"), variables: ["X", "y"])
    let x = try #require(data["X"])
    let y = try #require(data["y"])
    #expect(x.shape == "5000×400")
    #expect(y.shape == "5000×1")
    var counts: [Double: Int] = [:]
    for label in y.values { counts[label, default: 0] += 1 }
    #expect(counts == Dictionary(uniqueKeysWithValues: (1...10).map { (Double($0), 500) }))
    // Every pixel is p/255 for a byte p.
    #expect(x.values.allSatisfy { $0 >= 0 && $0 <= 1 && ($0 * 255).rounded() / 255 == $0 })
  }
}

// MARK: - Round trip

@Suite struct MatFileRoundTripTests {
  /// Values that a careless write or read would alter: NaNs (with payloads
  /// and sign), -0, infinities, subnormals, extremes.
  static let specials = Matrix(
    rows: 3, columns: 5,
    values: [
      .nan, -.nan, Double(bitPattern: 0x7FF8_0000_0000_0123), Double(bitPattern: 0x7FF4_0000_0000_0001),
      -0.0, 0, .infinity, -.infinity,
      .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude / 3, .leastNormalMagnitude,
      .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .pi,
    ])

  /// 300×200: half arbitrary bit patterns (mostly huge or tiny numbers, some
  /// NaNs), half ordinary numbers in [-1, 1).
  static func big() -> Matrix {
    var generator = SeededGenerator(seed: 2011)
    let values = (0..<60_000).map { k in
      k.isMultiple(of: 2)
        ? Double(bitPattern: generator.next()) : Double.random(in: -1..<1, using: &generator)
    }
    return Matrix(rows: 300, columns: 200, values: values)
  }

  static func variables() -> [String: Matrix] {
    [
      "specials": specials,
      "scalar": Matrix(row: [-1.0 / 3]),
      "row": Matrix(row: (1...7).map { Double($0) / 7 }),
      "col": Matrix(column: (1...9).map { -Double($0) * 1e-308 }),
      "big": big(),
      "a23456789012345678901234567890123456789012345678901234567890123": Matrix([[1, 2], [3, 4]]),
    ]
  }

  @Test func writeThenReadIsBitIdentical() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("round-trip.mat")
    let written = Self.variables()
    try MatFile.write(written, to: path)
    let read = try MatFile.read(path)
    #expect(Set(read.keys) == Set(written.keys))
    for (name, matrix) in written {
      let back = try #require(read[name], "\(name) missing after the round trip")
      #expect(back.shape == matrix.shape, "\(name)")
      #expect(bits(back) == bits(matrix), "\(name) changed in the round trip")
    }
    #expect(try partialFiles(in: directory.path).isEmpty)
  }

  @Test func writesCompressedMATLAB5() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("compressed.mat")
    try MatFile.write(["X": Matrix.zeros(100, 100)], to: path)
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    try #require(bytes.count > 136)
    #expect(String(decoding: bytes[0..<10], as: UTF8.self) == "MATLAB 5.0")
    #expect(bytes[126..<128] == [0x49, 0x4D], "little-endian 'MI' marker")
    #expect(bytes[128..<132] == [15, 0, 0, 0], "first element is miCOMPRESSED")
    #expect(bytes.count < 80_000 / 10, "100×100 zeros should compress")
  }

  @Test(.enabled(if: octaveExecutable != nil, "skipped: octave is not on PATH, so Octave's reading is not checked"))
  func octaveReadsWhatWeWriteBitForBit() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("for-octave.mat")
    let written = Self.variables()
    try MatFile.write(written, to: path)
    let listing = try octaveListing(of: path)
    #expect(Set(listing.keys) == Set(written.keys))
    for (name, matrix) in written {
      let expected = ListedVariable(className: "double", rows: matrix.rows, columns: matrix.columns, bits: bits(matrix))
      #expect(listing[name] == expected, "Octave read \(name) differently")
    }
  }
}

// MARK: - Octave-written fixtures

@Suite struct MatFileOctaveFixtureTests {
  /// numeric-values.txt: what Octave's `double()` gives for each variable.
  fileprivate static func expectedNumeric() throws -> [String: ListedVariable] {
    try parseListing(String(contentsOfFile: Fixture.path("matfile/numeric-values.txt"), encoding: .utf8))
  }

  @Test(arguments: ["v6", "v7"])
  func everyNumericClassConvertsLikeOctaveDouble(format: String) throws {
    let expected = try Self.expectedNumeric()
    let read = try MatFile.read(fixture("numeric", format))
    #expect(Set(read.keys) == Set(expected.keys))
    // One variable of each class Octave has, and the shapes the test needs.
    #expect(
      Set(expected.values.map(\.className))
        == ["double", "single", "logical", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64"])
    for (name, listed) in expected {
      let matrix = try #require(read[name], "\(name) (\(listed.className)) not read")
      #expect(matrix.rows == listed.rows && matrix.columns == listed.columns, "\(name)")
      #expect(bits(matrix) == listed.bits, "\(name) (\(listed.className)): ours \(matrix)")
    }
    #expect(read["scalar"]?.shape == "1×1")
    #expect(read["row"]?.shape == "1×5")
    #expect(read["col"]?.shape == "4×1")
  }

  @Test func bothFormatsHoldTheSameValues() throws {
    for name in ["numeric", "reshape"] {
      let v6 = try MatFile.read(fixture(name, "v6"))
      let v7 = try MatFile.read(fixture(name, "v7"))
      #expect(Set(v6.keys) == Set(v7.keys), "\(name)")
      for (variable, matrix) in v7 {
        #expect(v6[variable].map(bits) == bits(matrix), "\(name): \(variable)")
        #expect(v6[variable]?.shape == matrix.shape, "\(name): \(variable)")
      }
    }
  }

  @Test(arguments: ["v6", "v7"])
  func readingAWholeFileLeavesOutWhatIsNotAMatrix(format: String) throws {
    let read = try MatFile.read(fixture("bad", format))
    #expect(read == ["ok": Matrix([[1, 2], [3, 4]])])
    #expect(try MatFile.read(fixture("bad", format), variable: "ok") == Matrix([[1, 2], [3, 4]]))
  }

  @Test(arguments: ["v6", "v7"])
  func eachVariableThatIsNotAMatrixIsRefusedWithItsReason(format: String) throws {
    let path = fixture("bad", format)
    let cases: [(String, MatFileError.Reason, String)] = [
      ("Z", .complex, "complex"),
      ("name", .notNumeric(className: "char"), "char"),
      ("st", .notNumeric(className: "struct"), "struct"),
      ("c", .notNumeric(className: "cell"), "cell"),
      ("sp", .notNumeric(className: "sparse"), "sparse"),
      ("cube", .notTwoDimensional(dimensions: [2, 3, 4]), "2×3×4"),
      ("empty", .empty(rows: 0, columns: 3), "0×3"),
    ]
    for (variable, reason, words) in cases {
      let error = #expect(throws: MatFileError.self, "\(variable)") {
        try MatFile.read(path, variables: ["ok", variable])
      }
      #expect(error == MatFileError(path: path, variable: variable, reason: reason))
      let description = error?.description ?? ""
      #expect(description.contains(path) && description.contains("'\(variable)'") && description.contains(words))
    }
  }
}

// MARK: - Errors

@Suite struct MatFileErrorTests {
  /// The error `read(path, variable:)` throws, after checking it names `path`.
  func readError(_ path: String, variable: String = "X", sourceLocation: SourceLocation = #_sourceLocation)
    -> MatFileError?
  {
    let error = #expect(throws: MatFileError.self, sourceLocation: sourceLocation) {
      try MatFile.read(path, variable: variable)
    }
    #expect(error?.path == path, sourceLocation: sourceLocation)
    #expect(error?.description.contains(path) == true, sourceLocation: sourceLocation)
    return error
  }

  @Test func missingFile() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("ex4weights.mat")
    #expect(readError(path)?.reason == .fileNotFound)
    #expect(throws: MatFileError(path: path, reason: .fileNotFound)) { try MatFile.read(path) }
  }

  @Test func aDirectoryIsUnreadable() throws {
    let directory = try TemporaryDirectory()
    let error = readError(directory.path)
    guard case .unreadable(let why) = error?.reason else {
      Issue.record("expected .unreadable, got \(String(describing: error))")
      return
    }
    #expect(why.contains("directory"))
  }

  @Test(.enabled(if: getuid() != 0, "skipped: running as root, and mode 000 does not stop root from reading a file"))
  func aFileWithoutReadPermissionIsUnreadable() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("locked.mat")
    try MatFile.write(["X": Matrix([[1]])], to: path)
    chmod(path, 0)
    defer { chmod(path, 0o644) }
    guard case .unreadable = readError(path)?.reason else {
      Issue.record("expected .unreadable")
      return
    }
  }

  @Test func filesThatAreNotMATFiles() throws {
    let directory = try TemporaryDirectory()
    var generator = SeededGenerator(seed: 4)
    let contents: [String: [UInt8]] = [
      "random.mat": (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) },
      "empty.mat": [],
      "text.mat": Array(String(repeating: "Theta1 = [1 2 3; 4 5 6];\n", count: 20).utf8),
    ]
    for (name, bytes) in contents {
      let path = directory.file(name)
      try Data(bytes).write(to: URL(fileURLWithPath: path))
      #expect(readError(path)?.reason == .notAMATFile, "\(name)")
      #expect(throws: MatFileError(path: path, reason: .notAMATFile), "\(name)") { try MatFile.read(path) }
    }
  }

  @Test func absentVariableIsNamedWithWhatTheFileHas() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("weights.mat")
    try MatFile.write(["Theta1": Matrix([[1, 2]]), "Theta2": Matrix([[3]])], to: path)
    let error = readError(path, variable: "Theta3")
    #expect(
      error == MatFileError(path: path, variable: "Theta3", reason: .variableAbsent(available: ["Theta1", "Theta2"])))
    let description = error?.description ?? ""
    #expect(description.contains("'Theta3'") && description.contains("Theta1, Theta2"), "\(description)")
  }
}

// MARK: - Damaged files

@Suite struct MatFileDamageTests {
  /// A fixture's bytes, cut or altered, saved in a temporary directory.
  func damagedCopy(of name: String, in directory: TemporaryDirectory, _ damage: (inout Data) throws -> Void) throws
    -> String
  {
    var bytes = try Data(contentsOf: URL(fileURLWithPath: Fixture.path("matfile/\(name).mat")))
    try damage(&bytes)
    let path = directory.file("damaged-\(name).mat")
    try? FileManager.default.removeItem(atPath: path)
    try bytes.write(to: URL(fileURLWithPath: path))
    return path
  }

  @Test(arguments: ["numeric-v6", "numeric-v7", "reshape-v6", "reshape-v7"])
  func aFileCutShortIsDamaged(name: String) throws {
    let directory = try TemporaryDirectory()
    // One byte short (inside the last variable), inside the first tag.
    for keep in [-1, 132] {
      let path = try damagedCopy(of: name, in: directory) { $0 = $0.prefix(keep < 0 ? $0.count + keep : keep) }
      let error = #expect(throws: MatFileError.self, "\(name) cut to \(keep)") { try MatFile.read(path) }
      guard case .corrupt = error?.reason else {
        Issue.record("\(name) cut to \(keep): expected .corrupt, got \(String(describing: error))")
        continue
      }
      #expect(error?.description.contains(path) == true)
    }
  }

  /// Wherever the file is cut, reading it either fails or gives exactly the
  /// variables stored before the cut, never altered values; and only a cut
  /// exactly between two variables reads without an error, so no two
  /// successful reads give the same number of variables.
  @Test(arguments: ["numeric-v6", "reshape-v7"])
  func aCutFileNeverGivesWrongValues(name: String) throws {
    let directory = try TemporaryDirectory()
    let whole = try MatFile.read(Fixture.path("matfile/\(name).mat"))
    let size = try Data(contentsOf: URL(fileURLWithPath: Fixture.path("matfile/\(name).mat"))).count
    var variableCounts: [Int] = []
    for keep in stride(from: 0, to: size, by: 7) {
      let path = try damagedCopy(of: name, in: directory) { $0 = $0.prefix(keep) }
      guard let read = try? MatFile.read(path) else { continue }
      variableCounts.append(read.count)
      for (variable, matrix) in read {
        #expect(whole[variable].map(bits) == bits(matrix), "\(name) cut to \(keep): \(variable)")
      }
    }
    #expect(Set(variableCounts).count == variableCounts.count, "\(name): cuts that read: \(variableCounts)")
  }

  @Test func aSizeLargerThanTheFileIsRefusedBeforeReading() throws {
    let directory = try TemporaryDirectory()
    // reshape-v6.mat starts with A, 2×3: its dimensions are the int32s at
    // bytes 160 and 164, after the tags of the matrix, its flags and its
    // dimensions (miINT32, 8 bytes).
    let path = try damagedCopy(of: "reshape-v6", in: directory) { bytes in
      let words = (128..<168).map { bytes[$0] }.withUnsafeBytes { Array($0.bindMemory(to: Int32.self)) }
      try #require(words[0] == 14 && words[6] == 5 && words[7] == 8 && words[8] == 2 && words[9] == 3)
      // 2 × 20,000,000 doubles would be 320 MB from a 34 kB file.
      withUnsafeBytes(of: Int32(20_000_000).littleEndian) { bytes.replaceSubrange(164..<168, with: $0) }
    }
    let expected = MatFileError(
      path: path, variable: "A", reason: .corrupt("its size 2×20000000 is more than a file of 34480 bytes can hold"))
    #expect(throws: expected) { try MatFile.read(path, variable: "A") }
    #expect(throws: expected) { try MatFile.read(path) }
    #expect(
      try MatFile.read(path, variable: "B") == MatFile.read(Fixture.path("matfile/reshape-v6.mat"), variable: "B"))
  }
}

// MARK: - Writing safely

@Suite struct MatFileWriteTests {
  let matrix = Matrix([[1, 2, 3], [4, 5, 6]])

  @Test func refusesToReplaceAnExistingFile() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("student.mat")
    let original = Data("a student's file\n".utf8)
    try original.write(to: URL(fileURLWithPath: path))
    #expect(throws: MatFileError(path: path, reason: .fileExists)) { try MatFile.write(["X": matrix], to: path) }
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == original)
    #expect(try partialFiles(in: directory.path).isEmpty)
  }

  @Test func replacesAnExistingFileWhenAsked() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("out.mat")
    try MatFile.write(["X": Matrix([[0]])], to: path)
    try MatFile.write(["X": matrix], to: path, overwrite: true)
    #expect(try MatFile.read(path) == ["X": matrix])
    #expect(try partialFiles(in: directory.path).isEmpty)
  }

  @Test func aFailedReplacementLeavesNoPartialFile() throws {
    let directory = try TemporaryDirectory()
    let target = directory.file("a-directory.mat")
    try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
    let error = #expect(throws: MatFileError.self) { try MatFile.write(["X": matrix], to: target, overwrite: true) }
    guard case .writeFailed = error?.reason else {
      Issue.record("expected .writeFailed, got \(String(describing: error))")
      return
    }
    #expect(error?.description.contains(target) == true)
    #expect(try partialFiles(in: directory.path).isEmpty)
    var isDirectory: ObjCBool = false
    #expect(FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory) && isDirectory.boolValue)
  }

  @Test func aMissingFolderFailsClearly() throws {
    let directory = try TemporaryDirectory()
    try Data("x".utf8).write(to: URL(fileURLWithPath: directory.file("plain-file")))
    let cases = [
      ("no-such-folder", "the folder \(directory.file("no-such-folder")) does not exist"),
      ("plain-file", "\(directory.file("plain-file")) is not a folder"),
    ]
    for (folder, why) in cases {
      let path = directory.file("\(folder)/out.mat")
      #expect(throws: MatFileError(path: path, reason: .writeFailed(why))) {
        try MatFile.write(["X": matrix], to: path)
      }
      #expect(!FileManager.default.fileExists(atPath: path))
    }
    #expect(try partialFiles(in: directory.path).isEmpty)
  }

  @Test(.enabled(if: getuid() != 0, "skipped: running as root, and a read-only directory does not stop root"))
  func aReadOnlyDirectoryFailsClearly() throws {
    let directory = try TemporaryDirectory()
    chmod(directory.path, 0o555)
    defer { chmod(directory.path, 0o755) }
    let path = directory.file("out.mat")
    let error = #expect(throws: MatFileError.self) { try MatFile.write(["X": matrix], to: path) }
    guard case .writeFailed(let why) = error?.reason else {
      Issue.record("expected .writeFailed, got \(String(describing: error))")
      return
    }
    #expect(why == "the folder \(directory.path) is not writable: Permission denied")
  }

  @Test(arguments: ["", "1abc", "_x", "with space", "a-b", "é", "Theta1'", String(repeating: "a", count: 64)])
  func invalidVariableNamesAreRefused(name: String) throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("names.mat")
    #expect(throws: MatFileError(path: path, variable: name, reason: .invalidVariableName)) {
      try MatFile.write(["ok": matrix, name: matrix], to: path)
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
  }
}
