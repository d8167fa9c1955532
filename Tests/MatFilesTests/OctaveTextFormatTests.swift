import Foundation
import Testing

@testable import MatFiles
import OctaveCore
import TestSupport

/// Octave's own text format (`save f.mat X y` without a format option),
/// against the same variables saved by Octave with -v7
/// (fixtures/octave-text/make_octave_text.m).
struct OctaveTextFormatTests {
  static func fixture(_ name: String) -> String { Fixture.path("octave-text/\(name)") }

  /// Both files' matrices, bit for bit.
  func expectIdentical(_ a: [String: Matrix], _ b: [String: Matrix], sourceLocation: SourceLocation = #_sourceLocation)
  {
    #expect(a.keys.sorted() == b.keys.sorted(), sourceLocation: sourceLocation)
    for (name, matrix) in a {
      guard let other = b[name] else { continue }
      #expect(matrix.shape == other.shape, "\(name)", sourceLocation: sourceLocation)
      #expect(
        matrix.values.map(\.bitPattern) == other.values.map(\.bitPattern), "\(name): \(matrix) vs \(other)",
        sourceLocation: sourceLocation)
    }
  }

  @Test func theDigitsReadAsTheirV7Copy() throws {
    let text = Self.fixture("digits.txt.mat")
    let v7 = Self.fixture("digits-v7.mat")
    let all = try MatFile.read(text)
    #expect(all["X"]?.shape == "30×16" && all["y"]?.shape == "30×1")
    expectIdentical(all, try MatFile.read(v7))
    expectIdentical(try MatFile.read(text, variables: ["X", "y"]), try MatFile.read(v7, variables: ["X", "y"]))
    let each = try MatFile.readEach(text).mapValues { try $0.get() }
    expectIdentical(each, try MatFile.read(v7))
  }

  /// NaN, NA, ±Inf, −0, 1e-300, the largest and smallest doubles, integer
  /// and logical classes and singles: the same bits as in the -v7 file.
  @Test func specialValuesAndClassesReadAsTheirV7Copy() throws {
    let text = try MatFile.read(Self.fixture("values.txt.mat"))
    expectIdentical(text, try MatFile.read(Self.fixture("values-v7.mat")))
    let S = try #require(text["S"])
    #expect(S[4, 1].sign == .minus && S[4, 1] == 0)
    #expect(S[5, 2].bitPattern == OctaveTextFormat.octaveNA.bitPattern)
    #expect(S[5, 3] == Double.leastNonzeroMagnitude)
    #expect(text["i16"]?.values == [-32768, 1, 0, -2, 32767, 3])
  }

  /// Types that are not matrices are refused by name; the matrix after
  /// them is still read.
  @Test func otherTypesAreRefusedByName() throws {
    let path = Self.fixture("others.txt.mat")
    let each = try MatFile.readEach(path)
    func reason(_ name: String) -> MatFileError.Reason? {
      if case .failure(let error) = each[name] { return error.reason }
      return nil
    }
    #expect(reason("r") == .octaveTextType("double_range"))
    #expect(reason("d") == .octaveTextType("diagonal matrix"))
    #expect(reason("c") == .notNumeric(className: "cell"))
    #expect(reason("st") == .notNumeric(className: "struct"))
    #expect(reason("z") == .complex)
    #expect(reason("str") == .notNumeric(className: "char"))
    #expect(reason("n3") == .notTwoDimensional(dimensions: [2, 2, 2]))
    #expect(reason("e") == .empty(rows: 0, columns: 3))
    #expect(reason("sp") == .notNumeric(className: "sparse"))
    #expect(each.count == 10)
    let X = try MatFile.read(Self.fixture("digits-v7.mat"), variable: "X")
    #expect(try MatFile.read(path).keys.sorted() == ["X"])
    #expect(try MatFile.read(path, variable: "X") == X)
    let error = #expect(throws: MatFileError.self) { try MatFile.read(path, variables: ["X", "d"]) }
    #expect(
      error?.description
        == "\(path): variable 'd' has Octave's type 'diagonal matrix', which is not read from Octave's text format; "
        + "save it with save -v7 instead")
    #expect(throws: MatFileError(path: path, variable: "y", reason: .variableAbsent(available: each.keys.sorted()))) {
      try MatFile.read(path, variables: ["X", "y"])
    }
  }

  /// Octave's binary and HDF5 formats and `save -ascii` are named, with the
  /// way to save a file that is read.
  @Test func octavesOtherFormatsAreNamedWithTheWayOut() throws {
    for (name, words) in [
      ("digits-hdf5.mat", "save -hdf5"), ("digits-binary.mat", "save -binary"), ("digits-ascii.mat", "save -ascii"),
    ] {
      let path = Self.fixture(name)
      let error = #expect(throws: MatFileError.self) { try MatFile.read(path) }
      let message = error?.description ?? ""
      #expect(message.hasPrefix(path + ": ") && message.contains(words), "\(message)")
      #expect(message.contains("save -v7 f.mat X y") && !message.contains("\n"), "\(message)")
    }
  }

  /// Cells inside cells, 100 000 deep: refused at the 33rd (its type on
  /// line 130), not a stack overflow.
  @Test func deeplyNestedCellsAreRefused() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("nested.txt.mat")
    let level = "# name: <cell-element>\n# type: cell\n# rows: 1\n# columns: 1\n"
    let text = "# name: c\n# type: cell\n# rows: 1\n# columns: 1\n" + String(repeating: level, count: 100_000)
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    #expect(
      throws: MatFileError(
        path: path, variable: "c", reason: .corrupt("line 130: cells and structs nested more than 32 deep"))
    ) { try MatFile.read(path) }
  }

  /// A damaged text file gives one line naming the file (and the variable
  /// when the damage is in one), never a crash or a huge allocation.
  @Test func damagedTextFilesGiveOneLine() throws {
    let directory = try TemporaryDirectory()
    let original = try String(contentsOfFile: Self.fixture("values.txt.mat"), encoding: .utf8)
    var damaged: [(String, String)] = []
    let bytes = Array(original.utf8)
    for cut in stride(from: 1, to: bytes.count, by: 7) {
      damaged.append(("cut \(cut)", String(decoding: bytes.prefix(cut), as: UTF8.self)))
    }
    for (from, to) in [
      ("# rows: 6", "# rows: 7"), ("# rows: 6", "# rows: 5"), ("# columns: 3\n 0.09", "# columns: 4\n 0.09"),
      ("# rows: 6", "# rows: 4000000000000000000"), ("# rows: 6", "# rows: -6"), ("# rows: 6", "# rows: six"),
      ("# ndims: 2\n 2 3", "# ndims: 2\n 2000000 3000000"), ("# ndims: 2\n 3 1", "# ndims: 9999999999"),
      ("NaN Inf", "nan Inf"), ("NA", "0x1p3"), ("32767", "32768"), (" 1 0 1", " 1 2 1"), ("-2.5", "-2.5 3"),
      ("# type: scalar", "# type: matrix"), ("# name: u8", "# name: 8u"), ("# name: b", "# name: S"),
      ("# type: int16 matrix", "# type: int16 matrix\n# rows: 2"), ("\n 1 0 1", "\n 1 0 1\n 1 1 1"),
    ] {
      #expect(original.contains(from), "\(from)")
      damaged.append(("\(from) → \(to)", original.replacingOccurrences(of: from, with: to)))
    }
    var generator = SeededGenerator(seed: 14)
    for k in 0..<40 {
      var garbled = bytes
      let at = Int.random(in: 0..<garbled.count, using: &generator)
      garbled[at] = UInt8.random(in: 0...255, using: &generator)
      damaged.append(("garbage \(k) at \(at)", String(decoding: garbled, as: UTF8.self)))
    }
    var refused = 0
    for (what, text) in damaged {
      let path = directory.file("damaged.txt.mat")
      try? FileManager.default.removeItem(atPath: path)
      try Data(text.utf8).write(to: URL(fileURLWithPath: path))
      do {
        let variables = try MatFile.read(path, variables: ["S", "i16", "u8", "b", "s", "f"])
        // A change that keeps the file valid must still read the values the file says.
        #expect(variables.count == 6, "\(what)")
      } catch {
        refused += 1
        let message = error.description
        #expect(
          (message.hasPrefix(path + ": ") || message.hasPrefix(path + " is damaged: line "))
            && !message.contains("\n"), "\(what): \(message)")
      }
    }
    // Of the random bytes, a few land in the header's comment or change a
    // digit to another digit: those files still read (2 with this seed).
    #expect(refused >= damaged.count - 5, "only \(refused) of \(damaged.count) damaged files refused")
    for (from, to, words) in [
      (
        "# rows: 6", "# rows: 4000000000000000000",
        "variable 'S' is damaged: line 5: its size 4000000000000000000×3 is more than a file of"
      ),
      ("# rows: 6", "# rows: 7", "variable 'S' is damaged: line 12: row 7 has 0 values where 3 columns are declared"),
      ("32767", "32768", "variable 'i16' is damaged: line 22: '32768' is not an int16 value"),
      ("NA", "0x1p3", "variable 'S' is damaged: line 10: '0x1p3' is not a number"),
    ] {
      let path = directory.file("one.txt.mat")
      try? FileManager.default.removeItem(atPath: path)
      try Data(original.replacingOccurrences(of: from, with: to).utf8).write(to: URL(fileURLWithPath: path))
      let error = #expect(throws: MatFileError.self) { try MatFile.read(path) }
      #expect(error?.description.contains(words) == true, "\(error?.description ?? "")")
    }
  }

  /// A 1×1 matrix whose one line holds two million values: refused at the
  /// second value, naming the variable, the row and the count. Read token by
  /// token, the line costs nothing beyond the file itself (split first, its
  /// tokens took 16 times the file).
  @Test func aLongRowIsRefusedAtTheFirstValueTooMany() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("long.txt.mat")
    let line: [UInt8] = (0..<4_000_000).map { $0 % 2 == 0 ? 0x20 : 0x31 }
    let text = Array("# name: X\n# type: matrix\n# rows: 1\n# columns: 1\n".utf8) + line + [0x0A]
    try Data(text).write(to: URL(fileURLWithPath: path))
    let error = #expect(throws: MatFileError.self) { try MatFile.read(path) }
    #expect(
      error?.description == "\(path): variable 'X' is damaged: line 5: row 1 has more than the 1 values its "
        + "declared columns hold")
    // The same refusal for a scalar with a second value.
    try Data("# name: s\n# type: scalar\n1 2\n".utf8).write(to: URL(fileURLWithPath: path))
    let scalar = #expect(throws: MatFileError.self) { try MatFile.read(path) }
    #expect(scalar?.description == "\(path): variable 's' is damaged: line 3: expected one value, found more")
  }

  /// A NUL (or any byte that cannot be part of a number) inside a token
  /// makes it not a number, however many digits come before it: C's
  /// parsers stop at the NUL and would read the digits before it.
  @Test(arguments: ["5\u{0}-0.45076731219887733", "5\u{0}", "0.5\u{1B}", "12,5", "1e5x"])
  func aTokenIsANumberOnlyWhollyOne(token: String) throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("nul.txt.mat")
    try Data("# name: Theta\n# type: matrix\n# rows: 1\n# columns: 2\n \(token) 1\n".utf8)
      .write(to: URL(fileURLWithPath: path))
    let error = #expect(throws: MatFileError.self) { try MatFile.read(path) }
    #expect(
      error?.description
        == "\(path): variable 'Theta' is damaged: line 5: '\(printable(token))' is not a number")
  }
}
