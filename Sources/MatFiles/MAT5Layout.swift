import OctaveCore
import Foundation

/// The structure of a MATLAB 5 (v6 or v7) file, checked element by element
/// before libmatio reads it.
///
/// libmatio 1.5.23 trusts what a file says about itself: it does not verify
/// the zlib checksum of a compressed element, reads on past the end of a
/// damaged one, and allocates whatever a damaged size asks for. So the file's
/// bytes are walked here first, and libmatio sees the file only if they hold
/// together:
///
/// - After the 128-byte header, a MATLAB 5 file is a run of data elements,
///   each an 8-byte tag (type, byte count) and that many bytes. At the top
///   level each is a matrix (miMATRIX, 14) or a compressed matrix
///   (miCOMPRESSED, 15), and the last one ends exactly at the end of the file.
/// - A compressed element is inflated here, in full, by zlib: its stream must
///   end properly, pass zlib's adler32 check, use every byte of the element
///   and inflate to exactly one miMATRIX element, as long as that element's
///   own tag says. It never inflates to more than its tag declares, and the
///   tag may not declare more than deflate's largest ratio (1032:1) allows.
/// - A matrix holds array flags (class, complex), dimensions and a name; a
///   numeric one then holds its data, whose byte count must equal the number
///   of elements times the size of the stored type, and whose stored type
///   must represent the class's values exactly. A cell or struct holds
///   nested matrices, checked the same way (to a depth of 32), and never more
///   of them than its bytes can hold.
///
/// Damage that libmatio would stumble on while listing the file (a bad tag, a
/// broken stream, a damaged cell or struct) makes the whole file unreadable;
/// damage confined to one numeric variable's data is reported for that
/// variable only, so the others can still be read.
struct MAT5Layout {
  /// One top-level variable, as the file's bytes describe it.
  struct Variable: Equatable {
    var name: String
    /// MATLAB's class code (`mxClassID`): 1 cell, 2 struct, 3 object, 4 char,
    /// 5 sparse, 6 double, 7 single, 8…15 int8…uint64, 16 function, 17 opaque.
    var classCode: Int
    var dimensions: [Int]
    var isComplex: Bool
    /// Why this variable's data cannot be trusted although the rest of the
    /// file can, or nil.
    var damage: String?
  }

  /// Damage that makes the whole file unreadable, with the variable it is
  /// in when its name is known.
  struct Damage: Error, Equatable {
    var why: String
    var variable: String?
  }

  /// What the 128-byte header says the file is.
  enum Kind: Equatable {
    /// MATLAB 5 (v6, v7): checked here.
    case mat5(bigEndian: Bool)
    /// MATLAB 7.3 (HDF5), left to libmatio.
    case mat73
    /// A MATLAB 5 header whose version or byte-order mark is damaged, or a
    /// file that ends inside the header.
    case damagedHeader
    /// No MATLAB 5 header: a MATLAB v4 file, or not a MAT file at all.
    case other
  }

  /// The top-level variables in file order.
  let variables: [Variable]

  /// The largest number of levels of cells and structs inside each other.
  static let maximumDepth = 32
  /// Deflate never packs more than 1032 bytes into one (zlib's technical
  /// details); a compressed element declaring more is damaged.
  static let maximumCompressionRatio = 1032

  static let headerText = Array("MATLAB 5.0 MAT-file".utf8)

  /// What the header of a file starting with `bytes` says it is.
  static func kind(of bytes: [UInt8]) -> Kind {
    let startsLikeMAT5 = bytes.starts(with: headerText)
    guard bytes.count >= 128 else { return startsLikeMAT5 ? .damagedHeader : .other }
    let marker = (bytes[126], bytes[127])
    let bigEndian: Bool
    if marker == (UInt8(ascii: "I"), UInt8(ascii: "M")) {
      bigEndian = false
    } else if marker == (UInt8(ascii: "M"), UInt8(ascii: "I")) {
      bigEndian = true
    } else {
      return startsLikeMAT5 ? .damagedHeader : .other
    }
    let version =
      bigEndian ? UInt16(bytes[124]) << 8 | UInt16(bytes[125]) : UInt16(bytes[125]) << 8 | UInt16(bytes[124])
    switch version {
    case 0x0100: return .mat5(bigEndian: bigEndian)
    case 0x0200: return .mat73
    default: return startsLikeMAT5 ? .damagedHeader : .other
    }
  }

  /// The header's descriptive text (its first 116 bytes), without the
  /// trailing spaces and NULs, or nil when the file has no MATLAB 5 header.
  static func headerText(of bytes: [UInt8]) -> String? {
    switch kind(of: bytes) {
    case .mat5, .mat73:
      var text = bytes[0..<116]
      while let last = text.last, last == 0 || last == 0x20 { text = text.dropLast() }
      return String(decoding: text, as: UTF8.self)
    case .damagedHeader, .other:
      return nil
    }
  }

  /// Walks the whole file. `bytes` must start with a MATLAB 5 header
  /// (``kind(of:)`` is `.mat5`).
  init(checking bytes: [UInt8], bigEndian: Bool) throws(Damage) {
    let result = bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Result<[Variable], Damage> in
      Result { () throws(Damage) in
        try Self.topLevelVariables(ElementReader(bytes: raw, bigEndian: bigEndian, fileSize: raw.count))
      }
    }
    variables = try result.get()
  }

  private static func topLevelVariables(_ file: ElementReader) throws(Damage) -> [Variable] {
    var variables: [Variable] = []
    var names: Set<String> = []
    var offset = 128
    while offset < file.bytes.count {
      let context =
        variables.last.map { "variable \(variables.count + 1) (after '\($0.name)')" } ?? "variable 1"
      guard offset + 8 <= file.bytes.count else {
        throw Damage(why: "the file is cut short: it ends inside the tag of \(context)")
      }
      let type = file.u32(offset)
      let end = offset + 8 + Int(file.u32(offset + 4))
      guard type == miMATRIX || type == miCOMPRESSED else {
        throw Damage(
          why: "\(context) is not a matrix: its element type is \(type), where MATLAB writes 14 (miMATRIX) "
            + "or 15 (miCOMPRESSED)")
      }
      guard end <= file.bytes.count else {
        throw Damage(
          why: "the file is cut short: it has \(file.bytes.count) bytes, but \(context) runs to byte \(end)")
      }
      let variable: Variable
      if type == miMATRIX {
        variable = try file.topLevelMatrix(offset + 8, end, context: context)
      } else {
        let inflated = try inflate(file.bytes[(offset + 8)..<end], bigEndian: file.bigEndian, context: context)
        variable = try withExtendedLifetime(inflated) { () throws(Damage) in
          let inner = ElementReader(
            bytes: inflated.bytes, bigEndian: file.bigEndian, fileSize: file.fileSize, compressed: true)
          return try inner.topLevelMatrix(8, inflated.count, context: context)
        }
      }
      guard names.insert(variable.name).inserted else {
        throw Damage(why: "two variables are named '\(variable.name)'", variable: variable.name)
      }
      variables.append(variable)
      offset = end
    }
    return variables
  }
}
