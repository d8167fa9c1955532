import OctaveCore
import Foundation

/// Octave's own text format: what `save f.mat X y` writes when no format
/// is given (Octave's default `save_default_options` is `-text`).
///
/// A file is a sequence of variables, each a few `# keyword: value` lines
/// and then its data:
///
///     # Created by Octave 7.3.0, Tue Dec 01 15:35:30 2026 UTC <root@vm>
///     # name: X
///     # type: matrix
///     # rows: 2
///     # columns: 3
///      1 -0 NaN
///      Inf -Inf 1e-300
///
///     # name: y
///     # type: uint8 matrix
///     # ndims: 2
///      2 1
///      1
///      2
///
/// Read here as matrices: `matrix` and `scalar` (doubles), `float matrix`
/// and `float scalar`, `bool matrix` and `bool`, and the integer types
/// (`int8 matrix` … `uint64 scalar`). A `matrix` is written either with
/// `rows` and `columns` and one line per row, or with `ndims`, a line of
/// dimensions and one value per line in column-major order. Numbers are
/// decimal, with `NaN`, `NA`, `Inf` and `-Inf` spelled as Octave writes them.
///
/// Other types (complex, sparse, ranges, diagonal matrices, strings, cells,
/// structs…) are recognised so that the variables after them can still be
/// read, and are refused by name. A declared size is checked against the
/// file's size before anything is allocated, and anything that does not
/// follow the format fails the whole read with the line where it went wrong.
enum OctaveTextFormat {
  /// Whether a file starting with `bytes` is in Octave's text format: its
  /// first line is Octave's `# Created by Octave` header or a `# name:` line.
  static func recognises(_ bytes: [UInt8]) -> Bool {
    bytes.starts(with: Array("# Created by Octave".utf8)) || bytes.starts(with: Array("# name: ".utf8))
  }

  /// Every variable in the file: its matrix, or why it is not one.
  ///
  /// - Throws: ``MatFileError`` with ``MatFileError/Reason/corrupt(_:)``,
  ///   naming the variable (when the damage is inside one) and the line.
  static func entries(_ bytes: [UInt8], path: String) throws(MatFileError) -> [String: Result<Matrix, MatFileError>] {
    var parser = Parser(bytes: bytes, path: path)
    var entries: [String: Result<Matrix, MatFileError>] = [:]
    while let (name, type) = try parser.nextVariable() {
      if entries[name] != nil { throw parser.damaged("the variable '\(name)' appears twice", variable: name) }
      guard MatFile.isValidVariableName(name) else {
        throw parser.damaged("'\(name)' is not a variable name")
      }
      parser.variable = name
      entries[name] = try parser.value(ofType: type).map { .success($0) } ?? .failure(parser.refusal!)
      parser.variable = nil
    }
    return entries
  }

  /// The most levels of cells and structs inside each other.
  static let maximumDepth = 32

  /// The integer types and the range of their values as doubles: the
  /// largest 64-bit integers are not doubles, and Octave's
  /// `9223372036854775807` and `18446744073709551615` read as 2^63 and 2^64,
  /// as Octave's `double()` rounds them.
  static let integerTypes: [String: ClosedRange<Double>] = [
    "int8": -128...127, "uint8": 0...255, "int16": -32768...32767, "uint16": 0...65535,
    "int32": -2_147_483_648...2_147_483_647, "uint32": 0...4_294_967_295,
    "int64": -0x1p63...0x1p63, "uint64": 0...0x1p64,
  ]

  /// The element kinds of the types read as matrices.
  enum Element {
    case double, single, bool, integer(String)
  }

  struct Parser {
    let bytes: [UInt8]
    /// The bytes with a NUL after them, for `strtod`, which reads until a
    /// character that cannot continue the number.
    let terminated: [UInt8]
    let path: String
    /// Where the next line starts.
    var position = 0
    /// The number of the line that ends at `position` (1-based).
    var lineNumber = 0
    /// The variable being read, for messages.
    var variable: String?
    /// The last top-level variable whose `# name:` line was read, for
    /// messages about damage before its value.
    var lastName: String?
    /// Why the last ``value(ofType:)`` that returned nil is not a matrix.
    var refusal: MatFileError?
    /// Whether the last line read ended in a line feed: Octave ends every
    /// line with one, so a line of data without is a file cut short.
    var lineEnded = true
    /// How many cells and structs the value being read is inside.
    var depth = 0

    init(bytes: [UInt8], path: String) {
      self.bytes = bytes
      self.terminated = bytes + [0]
      self.path = path
    }

    func damaged(_ why: String, variable: String? = nil) -> MatFileError {
      MatFileError(
        path: path, variable: variable ?? self.variable ?? lastName, reason: .corrupt("line \(lineNumber): \(why)"))
    }

    var atEnd: Bool { position >= bytes.count }

    /// The next line, without its line feed (and a carriage return before it).
    mutating func line() -> ArraySlice<UInt8>? {
      guard position < bytes.count else { return nil }
      let end = bytes[position...].firstIndex(of: 0x0A) ?? bytes.count
      lineEnded = end < bytes.count
      var line = bytes[position..<end]
      if line.last == 0x0D { line = line.dropLast() }
      position = end + 1
      lineNumber += 1
      return line
    }

    /// The next line that is not blank, without moving past it.
    func peekNonBlank() -> ArraySlice<UInt8>? {
      var copy = self
      while let line = copy.line() {
        if !line.allSatisfy(isBlank) { return line }
      }
      return nil
    }

    mutating func skipBlankLines() {
      while let line = peekLine(), line.allSatisfy(isBlank) { _ = self.line() }
    }

    func peekLine() -> ArraySlice<UInt8>? {
      var copy = self
      return copy.line()
    }

    /// The value of a `# keyword: value` line, which must come next.
    mutating func keyword(_ keyword: String) throws(MatFileError) -> String {
      skipBlankLines()
      guard let line = line() else { throw damaged("the file ends where '# \(keyword):' was expected") }
      let text = String(decoding: line, as: UTF8.self)
      let prefix = "# \(keyword):"
      guard text.hasPrefix(prefix) else {
        throw damaged("expected '# \(keyword):', found '\(String(text.prefix(40)))'")
      }
      return String(text.dropFirst(prefix.count)).trimmingBlanks
    }

    /// A count from a `# keyword: N` line: a non-negative integer.
    mutating func count(_ name: String) throws(MatFileError) -> Int {
      let text = try keyword(name)
      guard let value = Int(text), value >= 0 else { throw damaged("'\(name)' is '\(text)', not a count") }
      return value
    }

    /// The name and type of the next variable, or nil at the end of the file.
    mutating func nextVariable() throws(MatFileError) -> (String, String)? {
      while let line = peekLine(),
        line.allSatisfy(isBlank) || (line.starts(with: Array("# ".utf8)) && !line.starts(with: Array("# name:".utf8)))
      {
        // Blank lines and comments (the `# Created by Octave` header).
        _ = self.line()
      }
      if atEnd { return nil }
      let name = try keyword("name")
      if variable == nil { lastName = name }
      return (name, try keyword("type"))
    }

    /// The next variable's value, after its `# type:` line: its matrix, or
    /// nil with ``refusal`` saying why it is not one.
    mutating func value(ofType type: String) throws(MatFileError) -> Matrix? {
      func refuse(_ reason: MatFileError.Reason) -> Matrix? {
        refusal = MatFileError(path: path, variable: variable, reason: reason)
        return nil
      }
      let words = type.split(separator: " ").map(String.init)
      let kind = words.last ?? ""
      let base = words.dropLast().joined(separator: " ")
      let element: Element?
      switch base {
      case "": element = .double
      case "float": element = .single
      case "bool": element = .bool
      default: element = OctaveTextFormat.integerTypes[base] != nil ? .integer(base) : nil
      }
      if type == "bool" { return Matrix(rows: 1, columns: 1, values: try numbers(.bool, shaped: false).values) }
      switch (element, kind) {
      case (.some(let element), "matrix"):
        let (dimensions, values) = try numbers(element, shaped: true)
        if dimensions.count > 2 && dimensions.dropFirst(2).contains(where: { $0 != 1 }) {
          return refuse(.notTwoDimensional(dimensions: dimensions))
        }
        if dimensions[0] == 0 || dimensions[1] == 0 {
          return refuse(.empty(rows: dimensions[0], columns: dimensions[1]))
        }
        return Matrix(rows: dimensions[0], columns: dimensions[1], values: values)
      case (.some(let element), "scalar") where base != "bool":
        return Matrix(rows: 1, columns: 1, values: try numbers(element, shaped: false).values)
      default:
        break
      }
      // Not a matrix: passed over so that the next variable can be read.
      // A value inside a cell or struct is read by this same function, so
      // the depth is limited: a damaged file cannot exhaust the stack.
      if type == "cell" || type.hasSuffix("struct") {
        guard depth < OctaveTextFormat.maximumDepth else {
          throw damaged("cells and structs nested more than \(OctaveTextFormat.maximumDepth) deep")
        }
        depth += 1
      }
      defer { if type == "cell" || type.hasSuffix("struct") { depth -= 1 } }
      switch type {
      case "cell":
        let dimensions = try shape()
        for _ in 0..<(try product(dimensions)) {
          guard let (_, elementType) = try nextVariable() else { throw damaged("the file ends inside the cell") }
          _ = try value(ofType: elementType)
        }
        return refuse(.notNumeric(className: "cell"))
      case "scalar struct", "struct":
        if type == "struct" || peekNonBlank()?.starts(with: Array("# ndims:".utf8)) == true { _ = try shape() }
        for _ in 0..<(try count("length")) {
          guard let (_, fieldType) = try nextVariable() else { throw damaged("the file ends inside the struct") }
          _ = try value(ofType: fieldType)
        }
        return refuse(.notNumeric(className: "struct"))
      case "string", "sq_string":
        for _ in 0..<(try count("elements")) {
          let length = try count("length")
          guard length <= bytes.count - position else { throw damaged("a string runs past the end of the file") }
          position += length
          for byte in bytes[(position - length)..<position] where byte == 0x0A { lineNumber += 1 }
          _ = line()
        }
        return refuse(.notNumeric(className: "char"))
      default:
        // Complex, sparse, ranges, diagonal and permutation matrices,
        // function handles…: their lines never start with `# name:`.
        while let line = peekLine(), !line.starts(with: Array("# name:".utf8)) { _ = self.line() }
        if type.hasPrefix("complex") { return refuse(.complex) }
        if type.hasPrefix("sparse") { return refuse(.notNumeric(className: "sparse")) }
        return refuse(.octaveTextType(type))
      }
    }

    /// The dimensions from `# rows:` and `# columns:` lines, or from an
    /// `# ndims:` line and the line of dimensions after it.
    mutating func shape() throws(MatFileError) -> [Int] {
      skipBlankLines()
      if peekLine()?.starts(with: Array("# ndims:".utf8)) == true {
        let rank = try count("ndims")
        guard rank >= 2, rank <= 64 else { throw damaged("'ndims' is \(rank), not between 2 and 64") }
        guard let line = line() else { throw damaged("the file ends where the dimensions were expected") }
        let dimensions = tokens(line).prefix(rank + 1).map { Int(String(decoding: $0, as: UTF8.self)) }
        guard dimensions.count == rank, let dimensions = dimensions as? [Int], dimensions.allSatisfy({ $0 >= 0 })
        else {
          throw damaged("expected \(rank) dimensions, found '\(String(decoding: line.prefix(40), as: UTF8.self))'")
        }
        return dimensions
      }
      return [try count("rows"), try count("columns")]
    }

    /// The number of elements of an array of `dimensions`, checked against
    /// the file's size: every element takes at least two bytes (a digit and
    /// a blank or line feed).
    func product(_ dimensions: [Int]) throws(MatFileError) -> Int {
      var count = 1
      for dimension in dimensions {
        let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
        guard !overflow else { throw tooLarge(dimensions) }
        count = product
      }
      guard count <= bytes.count / 2 else { throw tooLarge(dimensions) }
      return count
    }

    func tooLarge(_ dimensions: [Int]) -> MatFileError {
      damaged(
        "its size \(dimensions.map(String.init).joined(separator: "×")) is more than a file of \(bytes.count) "
          + "bytes can hold")
    }

    /// A matrix's (`shaped`) or a scalar's values, column-major, as doubles.
    mutating func numbers(_ element: Element, shaped: Bool) throws(MatFileError) -> (
      dimensions: [Int], values: [Double]
    ) {
      guard shaped else {
        skipBlankLines()
        guard let line = line() else { throw damaged("the file ends where its value was expected") }
        guard lineEnded else { throw damaged("the file is cut short inside a line of data") }
        return ([1, 1], [try onlyNumber(line, element, expected: "one value")])
      }
      let byRows = peekNonBlank()?.starts(with: Array("# rows:".utf8)) == true
      let dimensions = try shape()
      let count = try product(dimensions)
      var values = [Double](repeating: 0, count: count)
      if byRows {
        // One line per row, `columns` values on each.
        let (rows, columns) = (dimensions[0], dimensions[1])
        for row in 0..<rows {
          guard let line = line() else { throw damaged("the file ends at row \(row + 1) of \(rows)") }
          guard lineEnded else { throw damaged("the file is cut short inside a line of data") }
          // Value by value, up to the declared count: a line of any length
          // costs no memory beyond its row.
          var column = 0
          for token in tokens(line) {
            guard column < columns else {
              throw damaged("row \(row + 1) has more than the \(columns) values its declared columns hold")
            }
            values[row + column * rows] = try number(token, element)
            column += 1
          }
          guard column == columns else {
            throw damaged("row \(row + 1) has \(column) values where \(columns) columns are declared")
          }
        }
      } else {
        // One value per line, column-major.
        for k in 0..<count {
          guard let line = line() else { throw damaged("the file ends at value \(k + 1) of \(count)") }
          guard lineEnded else { throw damaged("the file is cut short inside a line of data") }
          values[k] = try onlyNumber(line, element, expected: "one value on the line")
        }
      }
      // Octave ends a variable with blank lines: anything else there is
      // more data than was declared.
      if let next = peekLine(), !next.allSatisfy(isBlank), !next.starts(with: Array("#".utf8)) {
        _ = line()
        throw damaged("more values than its declared size \(dimensions.map(String.init).joined(separator: "×"))")
      }
      return (dimensions, values)
    }

    static func integerRange(_ type: String) -> ClosedRange<Double> { OctaveTextFormat.integerTypes[type]! }
  }
}

extension String {
  fileprivate var trimmingBlanks: String {
    String(self.drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
  }
}

extension MatFile {
  /// The variables of a file that libmatio does not read itself: a v7.3
  /// file read in a child process (``mat73Entries(_:header:)``) or a file
  /// in Octave's text format (``OctaveTextFormat``); nil for any other file.
  static func entriesBesideLibmatio(_ path: String) throws(MatFileError) -> [String: Result<Matrix, MatFileError>]? {
    let header = try readWholeFile(path, limit: 128).bytes
    if OctaveTextFormat.recognises(header) {
      return try OctaveTextFormat.entries(readWholeFile(path).bytes, path: path)
    }
    return try mat73Entries(path, header: header)
  }
}

/// Why a file that no reader here accepts was refused: the formats Octave
/// writes besides those read here are named, anything else is not a MAT file.
func unrecognisedFormat(_ bytes: [UInt8]) -> MatFileError.Reason {
  if bytes.starts(with: [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]) {
    return .unsupportedFormat("an HDF5 file without a MATLAB header (Octave's save -hdf5 writes these)")
  }
  if bytes.starts(with: Array("Octave-1-".utf8)) {
    return .unsupportedFormat("a file in Octave's binary format (save -binary)")
  }
  let numberBytes = Set(" \t\r\n+-.0123456789eEaINnf".utf8)
  if !bytes.isEmpty, bytes.prefix(4096).allSatisfy(numberBytes.contains),
    bytes.contains(where: { (0x30...0x39).contains($0) })
  {
    return .unsupportedFormat("a text file of numbers without variable names (save -ascii writes these)")
  }
  return .notAMATFile
}
