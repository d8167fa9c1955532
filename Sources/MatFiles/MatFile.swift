import OctaveCore
import Foundation
internal import MatIO
import Synchronization

/// Reading and writing MATLAB/Octave `.mat` files through libmatio, with
/// every C pointer kept inside.
///
/// Reads accept MATLAB v4, v5/v6 and v7 (compressed) files; v7.3 (HDF5)
/// files only as ``mat73Reading`` allows (refused by default, since HDF5
/// can crash on a damaged one; read in a child process by the programs), and
/// files in Octave's own text format (what Octave's `save` writes by
/// default, read by `OctaveTextFormat`). Every 2-D real numeric variable comes back as a
/// ``Matrix`` of `Double`, integer, `single` and logical classes converted
/// exactly the way Octave's `double()` converts them.
///
/// Writes produce compressed MATLAB 5 files (what Octave's
/// `save -mat7-binary` writes) that Octave's `load` reads back with
/// identical values.
///
/// A read either returns exactly the stored data or throws: it never crashes,
/// hangs, or asks for more memory than the file's contents can account for.
/// libmatio 1.5.23 trusts what a file says about itself, so a MATLAB 5 file
/// is first walked element by element and every compressed element inflated
/// and checked (``MAT5Layout``: lengths, zlib checksums, dimensions against
/// data lengths, cells and structs), and a v4 file's headers likewise
/// (``MAT4Layout``), before libmatio reads it; libmatio's listing must then
/// agree with that walk, and what it returns with the variable's own header.
/// What no check can see is an altered value in an uncompressed (v6, v4)
/// file, which has no checksum.
///
/// libmatio is not thread-safe and reports many problems only through its log
/// handler, so every call here is serialised and a log handler is installed
/// that records errors: any error-level message during a read fails that read
/// (instead of aborting the process or returning zeros).
public enum MatFile {
  /// Every 2-D real numeric, non-empty variable in the file, by name.
  /// Variables of other kinds (cell, struct, char, sparse, complex, N-D,
  /// empty) are left out; ask for them by name with
  /// ``read(_:variables:)`` to learn why.
  ///
  /// - Throws: ``MatFileError`` when the file is missing, unreadable, not a
  ///   MAT file, or damaged anywhere, including in a variable that would have
  ///   been left out.
  public static func read(_ path: String) throws(MatFileError) -> [String: Matrix] {
    if let entries = try entriesBesideLibmatio(path) {
      var result: [String: Matrix] = [:]
      for (name, entry) in entries { if case .success(let matrix) = entry { result[name] = matrix } }
      return result
    }
    return try withLibmatio { () throws(MatFileError) in
      let file = try OpenFile(path: path)
      let infos = try file.variableInfos()
      var result: [String: Matrix] = [:]
      for info in infos {
        if case .corrupt = info.problem {
          throw MatFileError(path: path, variable: info.name, reason: info.problem!)
        }
        if info.problem == nil {
          result[info.name] = try file.readMatrix(info)
        }
      }
      try file.checkUnchanged()
      return result
    }
  }

  /// Every variable in the file, by name: its matrix, or the error saying
  /// why it cannot be returned as one (cell, struct, char, sparse, complex,
  /// N-D, empty), so that a caller looking for a variable can name the real
  /// reason instead of calling it absent.
  ///
  /// - Throws: ``MatFileError`` as ``read(_:)``: damage anywhere in the file
  ///   fails the whole read.
  public static func readEach(_ path: String) throws(MatFileError) -> [String: Result<Matrix, MatFileError>] {
    if let entries = try entriesBesideLibmatio(path) { return entries }
    return try withLibmatio { () throws(MatFileError) in
      let file = try OpenFile(path: path)
      let infos = try file.variableInfos()
      var result: [String: Result<Matrix, MatFileError>] = [:]
      for info in infos {
        if case .corrupt = info.problem {
          throw MatFileError(path: path, variable: info.name, reason: info.problem!)
        }
        if let problem = info.problem {
          result[info.name] = .failure(MatFileError(path: path, variable: info.name, reason: problem))
        } else {
          result[info.name] = .success(try file.readMatrix(info))
        }
      }
      try file.checkUnchanged()
      return result
    }
  }

  /// The named variables, each a 2-D real numeric, non-empty matrix.
  ///
  /// - Throws: ``MatFileError`` naming the file and the first variable that
  ///   is absent, not numeric, complex, not 2-D, empty or damaged.
  public static func read(_ path: String, variables names: [String]) throws(MatFileError) -> [String: Matrix] {
    if let entries = try entriesBesideLibmatio(path) {
      var result: [String: Matrix] = [:]
      for name in names {
        guard let entry = entries[name] else {
          throw MatFileError(path: path, variable: name, reason: .variableAbsent(available: entries.keys.sorted()))
        }
        result[name] = try entry.get()
      }
      return result
    }
    return try withLibmatio { () throws(MatFileError) in
      let file = try OpenFile(path: path)
      let infos = try file.variableInfos()
      var result: [String: Matrix] = [:]
      for name in names {
        guard let info = infos.first(where: { $0.name == name }) else {
          // A struct or cell is named as one: the variable may be inside it.
          let available = infos.map { info in
            if case .notNumeric(let kind) = info.problem, kind == "struct" || kind == "cell" {
              return "\(info.name) (a \(kind))"
            }
            return info.name
          }
          throw MatFileError(path: path, variable: name, reason: .variableAbsent(available: available))
        }
        if let problem = info.problem {
          throw MatFileError(path: path, variable: name, reason: problem)
        }
        result[name] = try file.readMatrix(info)
      }
      try file.checkUnchanged()
      return result
    }
  }

  /// One named variable; see ``read(_:variables:)``.
  public static func read(_ path: String, variable name: String) throws(MatFileError) -> Matrix {
    try read(path, variables: [name])[name]!
  }

  /// Writes the variables to a compressed MATLAB 5 file at `path`.
  ///
  /// libmatio does not check its own writes, so it writes the file into
  /// memory, where it is read back with the strict reader and compared
  /// variable by variable; the bytes then go to a temporary file beside the
  /// target with every error checked, are flushed with `fsync`, read back and
  /// compared again, and only then put in place in one step
  /// (``FilePlacement``). A failed write (a full disk: `No space left on
  /// device`) throws and leaves what was at `path` byte for byte as it was,
  /// and SIGINT or SIGTERM during the write removes the temporary file. An
  /// existing file is never replaced unless `overwrite` is `true`; a symbolic
  /// link, a folder or a special file at `path` is never replaced.
  ///
  /// `header` replaces the descriptive text at the start of the file
  /// (libmatio's default names libmatio and the date); ``header(of:)`` reads
  /// it back. MATLAB and Octave expect it to start with
  /// `MATLAB 5.0 MAT-file`.
  ///
  /// - Precondition: `header` is at most 115 ASCII characters.
  /// - Throws: ``MatFileError`` with ``MatFileError/Reason/fileExists`` when
  ///   the target exists, or naming the variable that could not be written.
  public static func write(
    _ variables: [String: Matrix], to path: String, overwrite: Bool = false, header: String? = nil
  ) throws(MatFileError) {
    if let header {
      precondition(
        header.utf8.count <= 115 && header.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F },
        "MatFile.write: a header is at most 115 printable ASCII characters, got \(header.debugDescription)")
    }
    for name in variables.keys where !isValidVariableName(name) {
      throw MatFileError(path: path, variable: name, reason: .invalidVariableName)
    }
    let target = WriteTarget(path)
    if let refusal = target.refusal { throw MatFileError(path: path, reason: .writeFailed(refusal)) }
    if !overwrite && target != .free { throw MatFileError(path: path, reason: .fileExists) }
    if let why = folderProblem(for: path) { throw MatFileError(path: path, reason: .writeFailed(why)) }
    // libmatio does not check its fwrite calls, so it writes into memory,
    // where a write cannot fail for want of disk space, and the file it made
    // is read back with the strict reader there. Only then do the bytes go to
    // the disk, with every error checked, and are read back once more.
    let bytes = try withLibmatio { () throws(MatFileError) in
      try encode(variables, header: header, reportingAs: path)
    }
    do throws(FileWriteError) {
      try FilePlacement.write(bytes, to: path, overwrite: overwrite) { temporary throws(FileWriteError) in
        do throws(MatFileError) {
          try withLibmatio { () throws(MatFileError) in try verifyWritten(variables, at: temporary) }
        } catch {
          throw .failed("the written file does not read back: \(error.detail)")
        }
      }
    } catch {
      switch error {
      case .exists: throw MatFileError(path: path, reason: .fileExists)
      case .failed(let why): throw MatFileError(path: path, reason: .writeFailed(why))
      }
    }
  }

  /// The descriptive text at the start of a MATLAB 5 or 7.3 file's header,
  /// without trailing blanks: for example
  /// `MATLAB 5.0 MAT-file, written by Octave 7.3.0, 2025-11-22 06:26:22 UTC`.
  /// Nil for a file without such a header (a MATLAB v4 file, or not a MAT
  /// file at all).
  ///
  /// - Throws: ``MatFileError`` when the file is missing or unreadable.
  public static func header(of path: String) throws(MatFileError) -> String? {
    MAT5Layout.headerText(of: try readWholeFile(path, limit: 128).bytes)
  }

  /// The header ``write(_:to:madeBy:)`` writes for `program`, ending in the
  /// time of writing.
  static func header(madeBy program: String, at date: Date = Date()) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
    return "\(madeByMark(program)), \(formatter.string(from: date))"
  }

  /// The words by which a header says `program` wrote the file.
  static func madeByMark(_ program: String) -> String {
    "MATLAB 5.0 MAT-file, written by \(program) (NeuralNetworkLearning)"
  }

  /// Whether the file at `path` has a header saying `program` wrote it.
  static func isMade(by program: String, _ path: String) -> Bool {
    guard let header = try? header(of: path) else { return false }
    return header.hasPrefix(madeByMark(program) + ",")
  }

  /// Writes the variables for `program` (an exercise's `--save`): the header
  /// says that `program` wrote the file, and an existing file is replaced
  /// only if its header says the same, that is, only a file the program
  /// itself wrote earlier. Anything else at `path` (a student's own file,
  /// a course file, a folder) is left alone.
  ///
  /// - Precondition: `program` is at most 32 ASCII letters, digits, `-` or `_`.
  /// - Throws: ``MatFileError`` with ``MatFileError/Reason/notMadeBy(program:)``
  ///   when something else is at `path`, or as ``write(_:to:overwrite:header:)``.
  public static func write(_ variables: [String: Matrix], to path: String, madeBy program: String)
    throws(MatFileError)
  {
    try checkCanWrite(to: path, madeBy: program)
    try write(
      variables, to: path, overwrite: WriteTarget(path) == .regularFile, header: header(madeBy: program))
  }

  /// The checks of ``write(_:to:madeBy:)`` without writing anything, for a
  /// program to run before a long computation whose result goes to `path`:
  /// the folder exists and is writable, and `path` is either free or a file
  /// `program` wrote.
  ///
  /// - Throws: ``MatFileError`` with ``MatFileError/Reason/notMadeBy(program:)``
  ///   or ``MatFileError/Reason/writeFailed(_:)`` saying what is wrong.
  public static func checkCanWrite(to path: String, madeBy program: String) throws(MatFileError) {
    precondition(
      (1...32).contains(program.utf8.count)
        && program.unicodeScalars.allSatisfy {
          $0.isASCII && ($0.properties.isAlphabetic || "0123456789-_".unicodeScalars.contains($0))
        },
      "MatFile: a program name is 1 to 32 ASCII letters, digits, - or _, got \(program.debugDescription)")
    // The same checks as the write's own (``WriteTarget``): a symbolic link,
    // even a dangling one, is refused here, before the work, as it would be
    // after it.
    let target = WriteTarget(path)
    if let refusal = target.refusal { throw MatFileError(path: path, reason: .writeFailed(refusal)) }
    if target == .regularFile && !isMade(by: program, path) {
      throw MatFileError(path: path, reason: .notMadeBy(program: program))
    }
    if let why = folderProblem(for: path) {
      throw MatFileError(path: path, reason: .writeFailed(why))
    }
  }

  /// Whether Octave and MATLAB accept `name` as a variable name.
  static func isValidVariableName(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 63 else { return false }
    func isASCIILetter(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("A"..."Z").contains(c) }
    return isASCIILetter(first)
      && name.unicodeScalars.allSatisfy { isASCIILetter($0) || ("0"..."9").contains($0) || $0 == "_" }
  }
}

// MARK: - libmatio plumbing

/// Serialises all libmatio calls (the library keeps global state).
private let libmatioLock = Mutex<Bool>(false)

/// Error-level messages libmatio logged since the last ``takeLoggedErrors()``.
private let loggedErrors = Mutex<[String]>([])

/// libmatio's log handler: keeps error and critical messages for the read in
/// progress, drops the rest. libmatio's own default handler would abort the
/// process on an error-level message.
private func recordLibmatioMessage(_ level: Int32, _ message: UnsafeMutablePointer<CChar>?) {
  guard level & (MATIO_LOG_LEVEL_ERROR | MATIO_LOG_LEVEL_CRITICAL) != 0 else { return }
  let text = message.map { String(cString: $0) } ?? "unknown libmatio error"
  loggedErrors.withLock { $0.append(text) }
}

private func takeLoggedErrors() -> [String] {
  loggedErrors.withLock { errors in
    defer { errors.removeAll() }
    return errors
  }
}

/// Runs `body` holding the libmatio lock, with the log handler installed.
private func withLibmatio<T>(_ body: () throws(MatFileError) -> T) throws(MatFileError) -> T {
  try libmatioLock.withLock { (installed: inout Bool) throws(MatFileError) -> T in
    if !installed {
      _ = Mat_LogInitFunc("NeuralNetworkLearning", recordLibmatioMessage)
      installed = true
    }
    _ = takeLoggedErrors()
    return try body()
  }
}

/// The bytes of the file at `path` (at most `limit` of them) and its
/// identity, through the package's one whole-file reader, with its failures
/// as `MatFileError`s.
func readWholeFile(_ path: String, limit: Int = .max) throws(MatFileError) -> (
  bytes: [UInt8], identity: FileIdentity
) {
  do {
    return try WholeFile.read(path, limit: limit)
  } catch {
    switch error {
    case .notFound: throw MatFileError(path: path, reason: .fileNotFound)
    case .changedWhileReading: throw MatFileError(path: path, reason: .corrupt(error.description))
    default: throw MatFileError(path: path, reason: .unreadable(error.description))
    }
  }
}

/// The variables a file's own bytes describe, checked before libmatio read
/// it (``MAT5Layout``, ``MAT4Layout``).
struct CheckedLayout {
  var variables: [MAT5Layout.Variable]
  /// The format libmatio must read the file as.
  var format: mat_ft
}

/// What the file's directory says about one variable, and whether it can be
/// read as a matrix.
private struct VariableInfo {
  var name: String
  var classType: matio_classes
  var dimensions: [Int]
  var isComplex: Bool
  /// Why it cannot be read as a real 2-D non-empty matrix, or nil if it can.
  var problem: MatFileError.Reason?
  /// A v7.3 variable whose class libmatio misread (hdf5storage's "double"
  /// as "doubl") and HDF5 gave: its data are read converted to doubles.
  var readAsDoubles = false
}

private let numericClasses: Set<UInt32> = [
  MAT_C_DOUBLE.rawValue, MAT_C_SINGLE.rawValue,
  MAT_C_INT8.rawValue, MAT_C_UINT8.rawValue, MAT_C_INT16.rawValue, MAT_C_UINT16.rawValue,
  MAT_C_INT32.rawValue, MAT_C_UINT32.rawValue, MAT_C_INT64.rawValue, MAT_C_UINT64.rawValue,
]

/// An open MAT file; closed when this goes away.
private final class OpenFile {
  let path: String
  let handle: OpaquePointer
  /// The file's size in bytes.
  let fileSize: Int
  /// What identifies the file's contents when it was opened, to notice a
  /// file that changes while it is read.
  let identity: FileIdentity
  /// The variables of a MATLAB 5 or v4 file, checked before libmatio saw
  /// it; nil for a v7.3 (HDF5) file.
  let layout: CheckedLayout?
  /// The most elements one variable can have in a MATLAB v4 file, from its
  /// size. libmatio allocates a variable's full size before reading its data,
  /// so a damaged size field would otherwise ask for gigabytes, and the system
  /// may kill the process for it. (MATLAB 5 files have each variable's data
  /// length checked against its dimensions in ``layout``.)
  private(set) var elementLimit = Int.max

  init(path: String) throws(MatFileError) {
    self.path = path
    let (bytes, identity) = try readWholeFile(path)
    self.identity = identity
    self.fileSize = bytes.count
    // libmatio opens an empty file as a MATLAB v4 file with no variables
    // (v4 files have no header), so `read` would return nothing instead of
    // failing. Octave's `load` refuses it, and so do we.
    if bytes.isEmpty {
      throw MatFileError(path: path, reason: unrecognisedFormat(bytes))
    }
    let kind = MAT5Layout.kind(of: bytes)
    switch kind {
    case .mat5(let bigEndian):
      do {
        layout = CheckedLayout(
          variables: try MAT5Layout(checking: bytes, bigEndian: bigEndian).variables, format: MAT_FT_MAT5)
      } catch {
        throw MatFileError(path: path, variable: error.variable, reason: .corrupt(error.why))
      }
    case .damagedHeader:
      throw MatFileError(
        path: path,
        reason: .corrupt(
          bytes.count < 128
            ? "the file is cut short: it ends inside its 128-byte header"
            : "its header's version or byte-order mark (bytes 125 to 128) is damaged"))
    case .other:
      // Only a MATLAB v4 file is left, and libmatio trusts its headers too.
      let variables: [MAT5Layout.Variable]?
      do {
        variables = try MAT4Layout.variables(checking: bytes)
      } catch {
        throw MatFileError(path: path, variable: error.variable, reason: .corrupt(error.why))
      }
      guard let variables else { throw MatFileError(path: path, reason: unrecognisedFormat(bytes)) }
      layout = CheckedLayout(variables: variables, format: MAT_FT_MAT4)
    case .mat73:
      layout = nil
    }
    guard let handle = Mat_Open(path, Int32(MAT_ACC_RDONLY.rawValue)) else {
      _ = takeLoggedErrors()
      throw MatFileError(path: path, reason: unrecognisedFormat(bytes))
    }
    self.handle = handle
    // Whatever the header says, libmatio must read the file as that format:
    // a MATLAB 5 file that libmatio took for another format, or the other
    // way round, would otherwise be read unchecked.
    if Mat_GetVersion(handle) != (layout?.format ?? MAT_FT_MAT73) {
      throw MatFileError(
        path: path, reason: .corrupt("libmatio does not read it as the format its header gives"))
    }
    if Mat_GetVersion(handle) == MAT_FT_MAT4 { elementLimit = fileSize }
    // v7.3: HDF5 compresses with deflate at most, 1032:1, and no element
    // takes less than a byte.
    if layout == nil { elementLimit = 1032 * fileSize }
  }

  deinit { Mat_Close(handle) }

  /// Throws if libmatio logged an error since the last check.
  func checkLog(_ variable: String?) throws(MatFileError) {
    let errors = takeLoggedErrors()
    if !errors.isEmpty && layout == nil {
      // HDF5's error stack, as libmatio logs it, is many lines: its last
      // "minor:" line says what went wrong.
      let minors = errors.joined(separator: "\n").split(separator: "\n").compactMap { line -> String? in
        guard let range = line.range(of: "minor:") else { return nil }
        return line[range.upperBound...].trimmingCharacters(in: .whitespaces)
      }
      throw MatFileError(
        path: path, variable: variable,
        reason: .corrupt("the HDF5 library failed reading it (\(minors.last ?? "no reason given"))"))
    }
    if !errors.isEmpty {
      throw MatFileError(
        path: path, variable: variable, reason: .corrupt("libmatio: " + errors.joined(separator: "; ")))
    }
  }

  /// The name, class and size of every variable, without their data.
  ///
  /// For a MATLAB 5 or v4 file, libmatio's listing must agree with
  /// ``layout`` (the same variables in the same order, with the same classes
  /// and sizes), and a variable whose data the layout found damaged gets that
  /// damage as its problem.
  func variableInfos() throws(MatFileError) -> [VariableInfo] {
    _ = Mat_Rewind(handle)
    var infos: [VariableInfo] = []
    while let variable = Mat_VarReadNextInfo(handle) {
      defer { Mat_VarFree(variable) }
      let name = variable.pointee.name.map { String(cString: $0) } ?? ""
      try checkLog(name.isEmpty ? nil : name)
      infos.append(Self.describe(variable.pointee, name: name))
    }
    try checkLog(nil)
    guard let layout else { return infos.map(reclassified) }
    // MATLAB 5: every variable of classes 1…15 (libmatio may pass over
    // function handles and objects), with its class and size. v4: every
    // variable by name, numeric ones with their size (libmatio gives a v4
    // matrix the class of its stored precision).
    let isMAT5 = layout.format == MAT_FT_MAT5
    func summary(_ name: String, _ classCode: Int, _ dimensions: [Int]) -> String {
      let size = dimensions.map(String.init).joined(separator: "×")
      return isMAT5
        ? "\(name) (class \(classCode), \(size))" : (6...15).contains(classCode) ? "\(name) (\(size))" : name
    }
    let listed = infos.filter { !isMAT5 || (1...15).contains(Int($0.classType.rawValue)) }
      .map { summary($0.name, Int($0.classType.rawValue), $0.dimensions) }
    let stored = layout.variables.filter { !isMAT5 || (1...15).contains($0.classCode) }
      .map { summary($0.name, $0.classCode, $0.dimensions) }
    guard listed == stored else {
      throw MatFileError(
        path: path,
        reason: .corrupt(
          "libmatio lists its variables as \(listed.joined(separator: ", ")) but the file holds "
            + stored.joined(separator: ", ")))
    }
    // Damage found in the layout, whether or not libmatio lists the variable.
    for variable in layout.variables {
      guard let damage = variable.damage else { continue }
      if let k = infos.firstIndex(where: { $0.name == variable.name }) {
        infos[k].problem = .corrupt(damage)
      } else {
        infos.append(
          VariableInfo(
            name: variable.name, classType: matio_classes(UInt32(variable.classCode)),
            dimensions: variable.dimensions, isComplex: variable.isComplex, problem: .corrupt(damage)))
      }
    }
    return infos
  }

  /// A v7.3 variable libmatio gave no class (it reads a null-padded
  /// `MATLAB_class` such as hdf5storage writes one character short), with
  /// the class HDF5 gives: a numeric or logical one is read converted to
  /// doubles, as Octave's `load` does; a compound one is complex.
  private func reclassified(_ info: VariableInfo) -> VariableInfo {
    guard info.classType == MAT_C_EMPTY, info.problem != nil,
      let (className, compound) = hdf5ClassOfVariable(info.name, inFile: path)
    else { return info }
    let numeric = [
      "double", "single", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "logical",
    ]
    var info = info
    guard numeric.contains(className) else {
      info.problem = .notNumeric(className: className)
      return info
    }
    if compound {
      info.problem = .complex
      return info
    }
    info.classType = MAT_C_DOUBLE
    info.problem = Self.problem(classType: MAT_C_DOUBLE, isComplex: false, dimensions: info.dimensions)
    info.readAsDoubles = true
    return info
  }

  /// Throws if the file was replaced or changed since it was opened.
  func checkUnchanged() throws(MatFileError) {
    var status = stat()
    guard stat(path, &status) == 0, FileIdentity(status) == identity else {
      throw MatFileError(path: path, reason: .corrupt("the file changed while it was being read"))
    }
  }

  private static func describe(_ v: matvar_t, name: String) -> VariableInfo {
    let rank = Int(v.rank)
    var dimensions: [Int] = []
    if let dims = v.dims, rank > 0 {
      dimensions = (0..<rank).map { Int(dims[$0]) }
    }
    return VariableInfo(
      name: name, classType: v.class_type, dimensions: dimensions, isComplex: v.isComplex != 0,
      problem: problem(classType: v.class_type, isComplex: v.isComplex != 0, dimensions: dimensions))
  }

  /// Why a variable of this class and size cannot be read as a real 2-D
  /// non-empty matrix, or nil.
  static func problem(classType: matio_classes, isComplex: Bool, dimensions: [Int]) -> MatFileError.Reason? {
    if !numericClasses.contains(classType.rawValue) {
      return .notNumeric(className: MATLABClass.name(ofCode: Int(classType.rawValue)))
    } else if isComplex {
      return .complex
    } else if dimensions.count < 2 || dimensions.dropFirst(2).contains(where: { $0 != 1 }) {
      // Octave drops trailing singleton dimensions: 25×401×1 is 25×401.
      return .notTwoDimensional(dimensions: dimensions)
    } else if dimensions[0] == 0 || dimensions[1] == 0 {
      return .empty(rows: dimensions[0], columns: dimensions[1])
    }
    return nil
  }

  /// Reads the data of a variable `info` already found readable, checking that
  /// what libmatio returns agrees with the header before copying it.
  func readMatrix(_ info: VariableInfo) throws(MatFileError) -> Matrix {
    func corrupt(_ why: String) -> MatFileError {
      MatFileError(path: path, variable: info.name, reason: .corrupt(why))
    }
    let rows = info.dimensions[0]
    let columns = info.dimensions[1]
    let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
    guard !overflow, count <= elementLimit else {
      throw corrupt("its size \(rows)×\(columns) is more than a file of \(fileSize) bytes can hold")
    }
    if layout == nil, let limit = mat73ChildLimit.withLock({ $0 }), count > limit / 8 {
      throw MatFileError(
        path: path, variable: info.name,
        reason: .unreadable(
          "variable '\(info.name)' is \(rows)×\(columns), \(count / 131_072) MiB as doubles, more than the "
            + "\(limit >> 20) MiB one v7.3 variable may take here"))
    }
    if info.readAsDoubles { return try readConvertedToDoubles(info, count: count) }
    guard let variable = Mat_VarRead(handle, info.name) else {
      try checkLog(info.name)
      throw corrupt("libmatio could not read its data")
    }
    defer { Mat_VarFree(variable) }
    try checkLog(info.name)
    let v = variable.pointee
    let read = Self.describe(v, name: info.name)
    guard read.classType == info.classType, read.dimensions == info.dimensions, read.problem == nil else {
      throw corrupt("its header changed between listing and reading")
    }
    guard let data = v.data else { throw corrupt("libmatio returned no data") }
    guard let elementSize = Self.elementSize(of: v.data_type), Int(v.data_size) == elementSize else {
      throw corrupt("libmatio returned data of type \(v.data_type.rawValue), element size \(v.data_size)")
    }
    guard v.nbytes == count * elementSize else {
      throw corrupt("it holds \(v.nbytes) bytes of data where \(rows)×\(columns) needs \(count * elementSize)")
    }
    return Matrix(rows: rows, columns: columns, values: Self.doubles(from: data, type: v.data_type, count: count))
  }

  /// A reclassified v7.3 variable's data, which HDF5 converts to doubles
  /// as it reads them (Mat_VarReadData with the class set to double).
  private func readConvertedToDoubles(_ info: VariableInfo, count: Int) throws(MatFileError) -> Matrix {
    guard let variable = Mat_VarReadInfo(handle, info.name) else {
      try checkLog(info.name)
      throw MatFileError(path: path, variable: info.name, reason: .corrupt("libmatio could not find it again"))
    }
    defer { Mat_VarFree(variable) }
    try checkLog(info.name)
    let dimensions = (0..<Int(variable.pointee.rank)).map { Int(variable.pointee.dims[$0]) }
    guard dimensions == info.dimensions, let rows = Int32(exactly: info.dimensions[0]),
      let columns = Int32(exactly: info.dimensions[1])
    else {
      throw MatFileError(
        path: path, variable: info.name, reason: .corrupt("its header changed between listing and reading"))
    }
    variable.pointee.class_type = MAT_C_DOUBLE
    var values = [Double](repeating: 0, count: count)
    var start: [Int32] = [0, 0]
    var stride: [Int32] = [1, 1]
    var edge: [Int32] = [rows, columns]
    let status = values.withUnsafeMutableBytes { buffer in
      Mat_VarReadData(handle, variable, buffer.baseAddress, &start, &stride, &edge)
    }
    try checkLog(info.name)
    guard status == 0 else {
      throw MatFileError(path: path, variable: info.name, reason: .corrupt("libmatio could not read its data"))
    }
    return Matrix(rows: info.dimensions[0], columns: info.dimensions[1], values: values)
  }

  private static func elementSize(of type: matio_types) -> Int? {
    MATLABDataType(rawValue: type.rawValue)?.byteSize
  }

  /// Octave's `double()`: every integer and single value is exactly
  /// representable except 64-bit integers beyond 2^53, which round to nearest.
  private static func doubles(from data: UnsafeMutableRawPointer, type: matio_types, count: Int) -> [Double] {
    func convert<T>(_: T.Type, _ toDouble: (T) -> Double) -> [Double] {
      let typed = UnsafeBufferPointer(start: data.assumingMemoryBound(to: T.self), count: count)
      return typed.map(toDouble)
    }
    switch type {
    case MAT_T_DOUBLE: return Array(UnsafeBufferPointer(start: data.assumingMemoryBound(to: Double.self), count: count))
    case MAT_T_SINGLE: return convert(Float.self) { Double($0) }
    case MAT_T_INT8: return convert(Int8.self) { Double($0) }
    case MAT_T_UINT8: return convert(UInt8.self) { Double($0) }
    case MAT_T_INT16: return convert(Int16.self) { Double($0) }
    case MAT_T_UINT16: return convert(UInt16.self) { Double($0) }
    case MAT_T_INT32: return convert(Int32.self) { Double($0) }
    case MAT_T_UINT32: return convert(UInt32.self) { Double($0) }
    case MAT_T_INT64: return convert(Int64.self) { Double($0) }
    case MAT_T_UINT64: return convert(UInt64.self) { Double($0) }
    default: preconditionFailure("unreachable: element type checked before conversion")
    }
  }
}

/// Why no file can be created at `path` because of its folder (missing, not
/// a folder, not writable), or nil.
private func folderProblem(for path: String) -> String? {
  let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
  var isDirectory: ObjCBool = false
  if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
    return "the folder \(directory) does not exist"
  } else if !isDirectory.boolValue {
    return "\(directory) is not a folder"
  } else if access(directory, W_OK) != 0 {
    return "the folder \(directory) is not writable: " + String(cString: strerror(errno))
  }
  return nil
}

/// The bytes of a compressed MATLAB 5 file holding `variables`, made by
/// libmatio in an anonymous memory file and read back there by the strict
/// reader. Runs holding the libmatio lock.
private func encode(_ variables: [String: Matrix], header: String?, reportingAs path: String) throws(MatFileError)
  -> [UInt8]
{
  func failed(_ why: String) -> MatFileError { MatFileError(path: path, reason: .writeFailed(why)) }
  let descriptor = memoryFileCreate.map { $0("matfile", 1 /* MFD_CLOEXEC */) } ?? -1
  if descriptor < 0 { throw failed("no memory file for the write: " + String(cString: strerror(errno))) }
  defer { close(descriptor) }
  let memoryPath = "/proc/self/fd/\(descriptor)"
  // Why libmatio's writes stopped, when they did: a memory file can still
  // refuse to grow (RLIMIT_FSIZE, a memory limit), and one more byte at its
  // end meets the same refusal with its errno.
  func cause() -> String? {
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { return nil }
    var byte: UInt8 = 0
    return pwrite(descriptor, &byte, 1, status.st_size) < 0 ? String(cString: strerror(errno)) : nil
  }
  do throws(MatFileError) {
    try writeFile(variables, to: memoryPath, reportingAs: path, header: header)
  } catch {
    if let why = cause() { throw failed(why) }
    throw error
  }
  do throws(MatFileError) {
    try verifyWritten(variables, at: memoryPath)
  } catch {
    throw failed(cause() ?? "libmatio wrote a file that does not read back: \(error.detail)")
  }
  do throws(FileReadError) {
    return try WholeFile.read(memoryPath).bytes
  } catch {
    throw failed("the memory file could not be read: \(error)")
  }
}

/// glibc's `memfd_create(2)` (Linux 3.17, glibc 2.27), which Swift's Glibc
/// module does not declare.
private let memoryFileCreate: (@convention(c) (UnsafePointer<CChar>, UInt32) -> Int32)? = {
  guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "memfd_create") else { return nil }
  return unsafeBitCast(symbol, to: (@convention(c) (UnsafePointer<CChar>, UInt32) -> Int32).self)
}()

/// Reads the file at `path` back with the strict reader and throws unless it
/// holds exactly `variables` (names, sizes and every value's bits). Runs
/// holding the libmatio lock.
private func verifyWritten(_ variables: [String: Matrix], at path: String) throws(MatFileError) {
  let file = try OpenFile(path: path)
  let infos = try file.variableInfos()
  func differs(_ why: String) -> MatFileError { MatFileError(path: path, reason: .corrupt(why)) }
  guard infos.map(\.name).sorted() == variables.keys.sorted() else {
    throw differs("it holds \(infos.map(\.name).sorted()) where \(variables.keys.sorted()) were written")
  }
  for info in infos {
    let matrix = variables[info.name]!
    guard info.dimensions == [matrix.rows, matrix.columns] else {
      throw differs("variable '\(info.name)' reads back as \(info.dimensions) where \(matrix.shape) was written")
    }
    if matrix.isEmpty { continue }
    if let problem = info.problem { throw MatFileError(path: path, variable: info.name, reason: problem) }
    let read = try file.readMatrix(info)
    guard read.values.map(\.bitPattern) == matrix.values.map(\.bitPattern) else {
      throw differs("variable '\(info.name)' reads back with other values than were written")
    }
  }
  try file.checkUnchanged()
}

private func writeFile(
  _ variables: [String: Matrix], to temporary: String, reportingAs path: String, header: String?
) throws(MatFileError) {
  guard let handle = Mat_CreateVer(temporary, header, MAT_FT_MAT5) else {
    let errors = takeLoggedErrors()
    let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
    let why =
      folderProblem(for: path)
      ?? (errors.isEmpty ? "cannot create a file in \(directory)" : errors.joined(separator: "; "))
    throw MatFileError(path: path, reason: .writeFailed(why))
  }
  var closed = false
  defer { if !closed { Mat_Close(handle) } }
  for name in variables.keys.sorted() {
    let matrix = variables[name]!
    var dims: [Int] = [matrix.rows, matrix.columns]
    var values = matrix.values
    let status: Int32 = values.withUnsafeMutableBufferPointer { buffer in
      dims.withUnsafeMutableBufferPointer { dimsBuffer in
        guard
          let variable = Mat_VarCreate(
            name, MAT_C_DOUBLE, MAT_T_DOUBLE, 2, dimsBuffer.baseAddress, buffer.baseAddress,
            Int32(MAT_F_DONT_COPY_DATA.rawValue))
        else { return -1 }
        defer { Mat_VarFree(variable) }
        return Mat_VarWrite(handle, variable, MAT_COMPRESSION_ZLIB)
      }
    }
    let errors = takeLoggedErrors()
    if status != 0 || !errors.isEmpty {
      let why = errors.isEmpty ? "libmatio could not write it" : errors.joined(separator: "; ")
      throw MatFileError(path: path, variable: name, reason: .writeFailed(why))
    }
  }
  closed = true
  if Mat_Close(handle) != 0 {
    throw MatFileError(path: path, reason: .writeFailed("closing the file failed (disk full?)"))
  }
}
