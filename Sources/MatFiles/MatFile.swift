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
    try readEach(path).compactMapValues { try? $0.get() }
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
    return try withOpenFile(path) { (file, infos) throws(MatFileError) in
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
    return try withOpenFile(path) { (file, infos) throws(MatFileError) in
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
      return result
    }
  }

  /// `body` run on the file at `path` opened by libmatio, with what its
  /// directory says about each variable; the file must not have changed
  /// while it was read.
  private static func withOpenFile<T>(
    _ path: String, _ body: (OpenFile, [VariableInfo]) throws(MatFileError) -> T
  ) throws(MatFileError) -> T {
    try withLibmatio { () throws(MatFileError) in
      let file = try OpenFile(path: path)
      let result = try body(file, try file.variableInfos())
      try file.checkUnchanged()
      return result
    }
  }

  /// One named variable; see ``read(_:variables:)``.
  public static func read(_ path: String, variable name: String) throws(MatFileError) -> Matrix {
    try read(path, variables: [name])[name]!
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
}
