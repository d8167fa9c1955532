import OctaveCore
import Foundation
internal import MatIO

/// What the file's directory says about one variable, and whether it can be
/// read as a matrix.
struct VariableInfo {
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
final class OpenFile {
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
