import OctaveCore
import Foundation

/// The structure of a MATLAB v4 file, checked before libmatio reads it.
///
/// A v4 file has no header: it is a run of variables, each a 20-byte header
/// (five int32: the type `MOPT`, rows, columns, whether there is an
/// imaginary part, the name's length with its NUL), the name, then
/// rows × columns values of the precision P (and as many again for an
/// imaginary part). M gives the byte order (0 little-endian, 1 big-endian),
/// O is 0, P is 0…5 (double, single, int32, int16, uint16, uint8), T is 0…2
/// (numeric, text, sparse). libmatio allocates what a v4 header asks for (a
/// name of 1.4 GB when a damaged MATLAB 5 file is taken for v4), so every
/// header is checked here first, and the variables must end exactly at the
/// end of the file.
enum MAT4Layout {
  /// The variables of `bytes`, or nil when the file does not start like a v4
  /// file (then it is no MAT file at all).
  static func variables(checking bytes: [UInt8]) throws(MAT5Layout.Damage) -> [MAT5Layout.Variable]? {
    var variables: [MAT5Layout.Variable] = []
    var p = 0
    while p < bytes.count {
      let context = variables.last.map { "variable \(variables.count + 1) (after '\($0.name)')" } ?? "variable 1"
      func damage(_ why: String) -> MAT5Layout.Damage { MAT5Layout.Damage(why: "\(context): \(why)") }
      guard p + 20 <= bytes.count else {
        if variables.isEmpty { return nil }
        throw MAT5Layout.Damage(why: "the file is cut short: it ends inside the header of \(context)")
      }
      func int32(_ k: Int, bigEndian: Bool) -> Int {
        let b = (0..<4).map { UInt32(bytes[p + 4 * k + $0]) }
        let word = bigEndian ? b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3] : b[3] << 24 | b[2] << 16 | b[1] << 8 | b[0]
        return Int(Int32(bitPattern: word))
      }
      // The type says the byte order: M is 0 in a little-endian file, 1 in a big-endian one.
      let bigEndian = !(0..<1000).contains(int32(0, bigEndian: false))
      let type = int32(0, bigEndian: bigEndian)
      let (M, O, P, T) = (type / 1000, type / 100 % 10, type / 10 % 10, type % 10)
      let (rows, columns, imaginary, nameLength) =
        (
          int32(1, bigEndian: bigEndian), int32(2, bigEndian: bigEndian), int32(3, bigEndian: bigEndian),
          int32(4, bigEndian: bigEndian)
        )
      guard type >= 0, M == (bigEndian ? 1 : 0), O == 0, P <= 5, T <= 2, rows >= 0, columns >= 0,
        imaginary == 0 || imaginary == 1, nameLength >= 1
      else {
        if variables.isEmpty { return nil }
        throw damage(
          "its v4 header (type \(type), \(rows)×\(columns), imaginary \(imaginary), name length \(nameLength)) "
            + "is not a valid one")
      }
      let (values, overflow) = rows.multipliedReportingOverflow(by: columns)
      let (dataBytes, overflow2) = values.multipliedReportingOverflow(
        by: MATLABDataType(v4Precision: P)!.byteSize * (1 + imaginary))
      let nameStart = p + 20
      guard nameLength <= bytes.count - nameStart, !overflow, !overflow2,
        dataBytes <= bytes.count - nameStart - nameLength
      else {
        throw damage(
          "the file is cut short: its \(rows)×\(columns) values and \(nameLength)-byte name need more than the "
            + "\(bytes.count - nameStart) bytes left")
      }
      let nameBytes = bytes[nameStart..<(nameStart + nameLength)]
      let nameEnd = nameBytes.firstIndex(of: 0) ?? nameBytes.endIndex
      let name = String(decoding: nameBytes[..<nameEnd], as: UTF8.self)
      var variable = MAT5Layout.Variable(
        name: name, classCode: [6, 4, 5][T], dimensions: [rows, columns], isComplex: imaginary == 1)
      if !MatFile.isValidVariableName(name) {
        variable.damage = "its name \(name.debugDescription) is not a valid MATLAB variable name"
      } else if nameEnd == nameBytes.endIndex || nameBytes[nameEnd...].contains(where: { $0 != 0 }) {
        variable.damage = "its name is not followed by one NUL (its length or its characters were altered)"
      }
      if variables.contains(where: { $0.name == name }) {
        throw MAT5Layout.Damage(why: "two variables are named '\(name)'", variable: name)
      }
      variables.append(variable)
      p = nameStart + nameLength + dataBytes
    }
    return variables
  }
}
