import Foundation
import MatIO
import Synchronization

/// Reading and writing MATLAB/Octave `.mat` files through libmatio, with
/// every C pointer kept inside.
///
/// Reads accept MATLAB v4, v5/v6, v7 (compressed) and, when libmatio has
/// HDF5, v7.3 files. Every 2-D real numeric variable comes back as a
/// ``Matrix`` of `Double`, integer, `single` and logical classes converted
/// exactly the way Octave's `double()` converts them.
///
/// Writes produce compressed MATLAB 5 files (what Octave's
/// `save -mat7-binary` writes) that Octave's `load` reads back with
/// identical values.
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
  ///   MAT file, or damaged.
  public static func read(_ path: String) throws(MatFileError) -> [String: Matrix] {
    try withLibmatio { () throws(MatFileError) in
      let file = try OpenFile(path: path)
      let infos = try file.variableInfos()
      var result: [String: Matrix] = [:]
      for info in infos where info.problem == nil {
        result[info.name] = try file.readMatrix(info)
      }
      return result
    }
  }

  /// The named variables, each a 2-D real numeric, non-empty matrix.
  ///
  /// - Throws: ``MatFileError`` naming the file and the first variable that
  ///   is absent, not numeric, complex, not 2-D, empty or damaged.
  public static func read(_ path: String, variables names: [String]) throws(MatFileError) -> [String: Matrix] {
    try withLibmatio { () throws(MatFileError) in
      let file = try OpenFile(path: path)
      let infos = try file.variableInfos()
      var result: [String: Matrix] = [:]
      for name in names {
        guard let info = infos.first(where: { $0.name == name }) else {
          throw MatFileError(path: path, variable: name, reason: .variableAbsent(available: infos.map(\.name)))
        }
        if let problem = info.problem {
          throw MatFileError(path: path, variable: name, reason: problem)
        }
        result[name] = try file.readMatrix(info)
      }
      return result
    }
  }

  /// One named variable; see ``read(_:variables:)``.
  public static func read(_ path: String, variable name: String) throws(MatFileError) -> Matrix {
    try read(path, variables: [name])[name]!
  }

  /// Writes the variables to a compressed MATLAB 5 file at `path`.
  ///
  /// The file is written beside its target under a temporary name and then
  /// put in place in one step, so a failed write leaves nothing half-written.
  /// An existing file is never replaced unless `overwrite` is `true`.
  ///
  /// - Throws: ``MatFileError`` with ``MatFileError/Reason/fileExists`` when
  ///   the target exists, or naming the variable that could not be written.
  public static func write(_ variables: [String: Matrix], to path: String, overwrite: Bool = false) throws(MatFileError) {
    for name in variables.keys where !isValidVariableName(name) {
      throw MatFileError(path: path, variable: name, reason: .invalidVariableName)
    }
    if !overwrite && FileManager.default.fileExists(atPath: path) {
      throw MatFileError(path: path, reason: .fileExists)
    }
    try withLibmatio { () throws(MatFileError) in
      let temporary = FilePlacement.temporaryPath(besides: path)
      defer { unlink(temporary) }
      try writeFile(variables, to: temporary, reportingAs: path)
      if let code = FilePlacement.place(temporary, at: path, overwrite: overwrite) {
        throw MatFileError(
          path: path, reason: code == EEXIST && !overwrite ? .fileExists : .writeFailed(String(cString: strerror(code))))
      }
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

/// What the file's directory says about one variable, and whether it can be
/// read as a matrix.
private struct VariableInfo {
  var name: String
  var classType: matio_classes
  var dimensions: [Int]
  var isComplex: Bool
  /// Why it cannot be read as a real 2-D non-empty matrix, or nil if it can.
  var problem: MatFileError.Reason?
}

private let numericClasses: Set<UInt32> = [
  MAT_C_DOUBLE.rawValue, MAT_C_SINGLE.rawValue,
  MAT_C_INT8.rawValue, MAT_C_UINT8.rawValue, MAT_C_INT16.rawValue, MAT_C_UINT16.rawValue,
  MAT_C_INT32.rawValue, MAT_C_UINT32.rawValue, MAT_C_INT64.rawValue, MAT_C_UINT64.rawValue,
]

private func className(_ c: matio_classes) -> String {
  switch c {
  case MAT_C_EMPTY: "empty"
  case MAT_C_CELL: "cell"
  case MAT_C_STRUCT: "struct"
  case MAT_C_OBJECT: "object"
  case MAT_C_CHAR: "char"
  case MAT_C_SPARSE: "sparse"
  case MAT_C_DOUBLE: "double"
  case MAT_C_SINGLE: "single"
  case MAT_C_INT8: "int8"
  case MAT_C_UINT8: "uint8"
  case MAT_C_INT16: "int16"
  case MAT_C_UINT16: "uint16"
  case MAT_C_INT32: "int32"
  case MAT_C_UINT32: "uint32"
  case MAT_C_INT64: "int64"
  case MAT_C_UINT64: "uint64"
  case MAT_C_FUNCTION: "function"
  case MAT_C_OPAQUE: "opaque"
  default: "unknown class \(c.rawValue)"
  }
}

/// An open MAT file; closed when this goes away.
private final class OpenFile {
  let path: String
  let handle: OpaquePointer

  init(path: String) throws(MatFileError) {
    self.path = path
    var status = stat()
    if stat(path, &status) != 0 {
      let code = errno
      throw MatFileError(
        path: path, reason: code == ENOENT ? .fileNotFound : .unreadable(String(cString: strerror(code))))
    }
    if (status.st_mode & S_IFMT) == S_IFDIR {
      throw MatFileError(path: path, reason: .unreadable("it is a directory"))
    }
    let descriptor = open(path, O_RDONLY)
    if descriptor < 0 {
      throw MatFileError(path: path, reason: .unreadable(String(cString: strerror(errno))))
    }
    close(descriptor)
    guard let handle = Mat_Open(path, Int32(MAT_ACC_RDONLY.rawValue)) else {
      _ = takeLoggedErrors()
      throw MatFileError(path: path, reason: .notAMATFile)
    }
    self.handle = handle
  }

  deinit { Mat_Close(handle) }

  /// Throws if libmatio logged an error since the last check.
  func checkLog(_ variable: String?) throws(MatFileError) {
    let errors = takeLoggedErrors()
    if !errors.isEmpty {
      throw MatFileError(path: path, variable: variable, reason: .corrupt("libmatio: " + errors.joined(separator: "; ")))
    }
  }

  /// The name, class and size of every variable, without their data.
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
    return infos
  }

  private static func describe(_ v: matvar_t, name: String) -> VariableInfo {
    let rank = Int(v.rank)
    var dimensions: [Int] = []
    if let dims = v.dims, rank > 0 {
      dimensions = (0..<rank).map { Int(dims[$0]) }
    }
    var info = VariableInfo(
      name: name, classType: v.class_type, dimensions: dimensions, isComplex: v.isComplex != 0, problem: nil)
    if !numericClasses.contains(v.class_type.rawValue) {
      info.problem = .notNumeric(className: className(v.class_type))
    } else if v.isComplex != 0 {
      info.problem = .complex
    } else if dimensions.count != 2 {
      info.problem = .notTwoDimensional(dimensions: dimensions)
    } else if dimensions[0] == 0 || dimensions[1] == 0 {
      info.problem = .empty(rows: dimensions[0], columns: dimensions[1])
    }
    return info
  }

  /// Reads the data of a variable `info` already found readable, checking that
  /// what libmatio returns agrees with the header before copying it.
  func readMatrix(_ info: VariableInfo) throws(MatFileError) -> Matrix {
    func corrupt(_ why: String) -> MatFileError {
      MatFileError(path: path, variable: info.name, reason: .corrupt(why))
    }
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
    let rows = info.dimensions[0]
    let columns = info.dimensions[1]
    let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
    guard !overflow else { throw corrupt("its dimensions \(rows)×\(columns) are too large") }
    guard let data = v.data else { throw corrupt("libmatio returned no data") }
    guard let elementSize = Self.elementSize(of: v.data_type), Int(v.data_size) == elementSize else {
      throw corrupt("libmatio returned data of type \(v.data_type.rawValue), element size \(v.data_size)")
    }
    guard v.nbytes == count * elementSize else {
      throw corrupt("it holds \(v.nbytes) bytes of data where \(rows)×\(columns) needs \(count * elementSize)")
    }
    return Matrix(rows: rows, columns: columns, values: Self.doubles(from: data, type: v.data_type, count: count))
  }

  private static func elementSize(of type: matio_types) -> Int? {
    switch type {
    case MAT_T_DOUBLE, MAT_T_INT64, MAT_T_UINT64: 8
    case MAT_T_SINGLE, MAT_T_INT32, MAT_T_UINT32: 4
    case MAT_T_INT16, MAT_T_UINT16: 2
    case MAT_T_INT8, MAT_T_UINT8: 1
    default: nil
    }
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

private func writeFile(_ variables: [String: Matrix], to temporary: String, reportingAs path: String) throws(MatFileError) {
  guard let handle = Mat_CreateVer(temporary, nil, MAT_FT_MAT5) else {
    let errors = takeLoggedErrors()
    let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
    var why = errors.isEmpty ? "cannot create a file in \(directory)" : errors.joined(separator: "; ")
    if access(directory, W_OK) != 0 { why = "\(directory) is not writable: " + String(cString: strerror(errno)) }
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
