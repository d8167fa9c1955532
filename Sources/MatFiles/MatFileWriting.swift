import OctaveCore
import Foundation

extension MatFile {
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
