import OctaveCore
internal import CZlib
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

  /// Inflates one compressed element in full, checking that its stream ends,
  /// passes zlib's checksum, uses every byte of the element and inflates to
  /// exactly one miMATRIX element of the length its tag gives.
  static func inflate(_ compressed: Slice<UnsafeRawBufferPointer>, bigEndian: Bool, context: String)
    throws(Damage) -> InflatedBytes
  {
    func damage(_ why: String) -> Damage { Damage(why: "\(context): its compressed data \(why)") }
    var stream = z_stream()
    guard inflateInit_(&stream, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
      throw damage("cannot be inflated (zlib could not start)")
    }
    defer { inflateEnd(&stream) }
    let input = UnsafeRawBufferPointer(rebasing: compressed)
    stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
    stream.avail_in = uInt(input.count)

    // The inner tag first, to learn how long the element is; then at most
    // that many bytes more, growing the buffer only as data arrives.
    let output = InflatedBytes(capacity: 8)
    var expected: Int? = nil
    while true {
      if output.count == output.capacity {
        if expected == nil {
          let inner = ElementReader(bytes: output.bytes, bigEndian: bigEndian, fileSize: 0)
          let (type, count) = (inner.u32(0), Int(inner.u32(4)))
          guard type == miMATRIX else {
            throw damage("holds an element of type \(type), not a matrix (14)")
          }
          guard 8 + count <= input.count * maximumCompressionRatio else {
            throw damage("declares a \(count)-byte matrix, more than its \(input.count) compressed bytes can hold")
          }
          expected = 8 + count
        }
        // One byte beyond the expected length, to notice a stream that goes on.
        let limit = expected! + 1
        guard output.capacity < limit else {
          throw damage("inflates to more than the \(expected! - 8) bytes its matrix's tag declares")
        }
        guard output.grow(to: min(max(2 * output.capacity, 1 << 16), limit)) else {
          throw damage("could not be inflated: out of memory")
        }
      }
      let space = output.capacity - output.count
      stream.next_out = (output.pointer + output.count).assumingMemoryBound(to: Bytef.self)
      stream.avail_out = uInt(space)
      let status = CZlib.inflate(&stream, Z_NO_FLUSH)
      let produced = space - Int(stream.avail_out)
      output.count += produced
      switch status {
      case Z_STREAM_END:
        guard let expected else {
          throw damage("inflates to \(output.count) bytes, less than a matrix's tag")
        }
        guard output.count == expected else {
          throw damage("inflates to \(output.count - 8) bytes where its matrix's tag declares \(expected - 8)")
        }
        guard stream.avail_in == 0 else {
          throw damage("has \(stream.avail_in) bytes left over after its zlib stream ends")
        }
        return output
      case Z_OK:
        if produced == 0 && stream.avail_in == 0 {
          throw damage("ends before its zlib stream does (it is cut short)")
        }
      case Z_BUF_ERROR:
        // No progress was possible: the input ran out mid-stream.
        throw damage("ends before its zlib stream does (it is cut short)")
      case Z_DATA_ERROR:
        let message = stream.msg.map { String(cString: $0) } ?? "invalid data"
        throw damage(
          message == "incorrect data check"
            ? "fails zlib's checksum (the bytes were altered)" : "is not a valid zlib stream (zlib: \(message))")
      case Z_NEED_DICT:
        throw damage("is not a valid zlib stream (it asks for a preset dictionary)")
      case Z_MEM_ERROR:
        throw damage("could not be inflated: zlib ran out of memory")
      default:
        throw damage("could not be inflated (zlib status \(status))")
      }
    }
  }
}

/// Bytes inflated from a compressed element, in memory of their own that
/// grows as they arrive.
final class InflatedBytes {
  private(set) var pointer: UnsafeMutableRawPointer
  private(set) var capacity: Int
  /// How many bytes are filled.
  var count = 0

  init(capacity: Int) {
    pointer = malloc(capacity)!
    self.capacity = capacity
  }

  deinit { free(pointer) }

  /// Makes room for `capacity` bytes, keeping those filled; false when the
  /// memory is not to be had.
  func grow(to capacity: Int) -> Bool {
    guard let grown = realloc(pointer, capacity) else { return false }
    pointer = grown
    self.capacity = capacity
    return true
  }

  /// The filled bytes; valid while this object lives.
  var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: pointer, count: count) }
}

// MARK: - Data elements

// MATLAB 5 data types (the `mi…` constants of the MAT-file format).
private let miINT8: UInt32 = 1
private let miUINT8: UInt32 = 2
private let miINT16: UInt32 = 3
private let miUINT16: UInt32 = 4
private let miINT32: UInt32 = 5
private let miUINT32: UInt32 = 6
private let miSINGLE: UInt32 = 7
private let miDOUBLE: UInt32 = 9
private let miINT64: UInt32 = 12
private let miUINT64: UInt32 = 13
private let miMATRIX: UInt32 = 14
private let miCOMPRESSED: UInt32 = 15
private let miUTF8: UInt32 = 16
private let miUTF16: UInt32 = 17
private let miUTF32: UInt32 = 18

/// The size in bytes of one value of a numeric data type.
/// For each numeric class code, the stored types whose every value the class
/// holds exactly. MATLAB and Octave store a double array in the smallest
/// integer type of at most 32 bits that holds its values (or as single, with
/// Octave's `save -float-binary`); other classes in their own type.
private let storedTypesForClass: [Int: Set<UInt32>] = [
  6: [miDOUBLE, miSINGLE, miINT32, miUINT32, miINT16, miUINT16, miINT8, miUINT8],
  7: [miSINGLE, miINT8, miUINT8, miINT16, miUINT16],
  8: [miINT8],
  9: [miUINT8],
  10: [miINT16, miINT8, miUINT8],
  11: [miUINT16, miUINT8],
  12: [miINT32, miINT16, miUINT16, miINT8, miUINT8],
  13: [miUINT32, miUINT16, miUINT8],
  14: [miINT64, miINT32, miUINT32, miINT16, miUINT16, miINT8, miUINT8],
  15: [miUINT64, miUINT32, miUINT16, miUINT8],
]

/// Reads the data elements of a MATLAB 5 file (or of one inflated compressed
/// element) from its bytes, in the file's byte order.
private struct ElementReader {
  let bytes: UnsafeRawBufferPointer
  let bigEndian: Bool
  /// The size of the whole file, for messages.
  let fileSize: Int
  /// Whether these bytes came out of a compressed element.
  var compressed = false

  /// A data element's tag: its type, its byte count, where its data starts,
  /// and where the next element starts (after the padding to 8 bytes).
  struct Tag {
    var type: UInt32
    var count: Int
    var data: Int
    var next: Int
  }

  /// Why a tag could not be read.
  struct TagProblem: Error { var why: String }

  func u32(_ p: Int) -> UInt32 {
    let raw = bytes.loadUnaligned(fromByteOffset: p, as: UInt32.self)
    return bigEndian ? UInt32(bigEndian: raw) : UInt32(littleEndian: raw)
  }

  /// The data element at `p`, which must lie before `end`: either a full tag
  /// and its data, or a small element (type and 1–4 bytes of data packed in
  /// 8 bytes).
  func tag(at p: Int, end: Int, _ what: String) -> Result<Tag, TagProblem> {
    guard p + 8 <= end else { return .failure(TagProblem(why: "\(what) is missing: the matrix ends before it")) }
    let first = u32(p)
    if first >> 16 != 0 {
      let count = Int(first >> 16)
      guard count <= 4 else {
        return .failure(TagProblem(why: "\(what) is a small element of \(count) bytes (at most 4 fit)"))
      }
      return .success(Tag(type: first & 0xFFFF, count: count, data: p + 4, next: p + 8))
    }
    let count = Int(u32(p + 4))
    guard p + 8 + count <= end else {
      return .failure(
        TagProblem(why: "\(what) declares \(count) bytes, more than the matrix has left (\(end - p - 8))"))
    }
    // The last element may go without its padding.
    let padded = p + 8 + (count + 7) / 8 * 8
    return .success(Tag(type: first, count: count, data: p + 8, next: min(padded, end)))
  }

  /// The header every matrix starts with: array flags, dimensions, name.
  struct MatrixHeader {
    var classCode: Int
    var isComplex: Bool
    var dimensions: [Int]
    var name: String
    /// Whether anything but zeros follows the name's end (its declared
    /// length or a NUL) before the next element.
    var nameHasStrayBytes: Bool
    /// Where the class's own content starts.
    var contentStart: Int
  }

  /// Reads the array flags, dimensions and name that start a matrix's
  /// content `start..<end`. Everything here is what libmatio reads while
  /// listing, so any problem is damage to the whole file.
  func matrixHeader(_ start: Int, _ end: Int, context: String) throws(MAT5Layout.Damage) -> MatrixHeader {
    func damage(_ why: String) -> MAT5Layout.Damage { MAT5Layout.Damage(why: within(context, why)) }
    func element(_ p: Int, _ what: String) throws(MAT5Layout.Damage) -> Tag {
      switch tag(at: p, end: end, what) {
      case .success(let t): return t
      case .failure(let problem): throw damage(problem.why)
      }
    }
    let flags = try element(start, "its array flags")
    guard flags.type == miUINT32 && flags.count == 8 else {
      throw damage(
        "its array flags are an element of type \(flags.type) and \(flags.count) bytes, not 8 bytes of uint32")
    }
    let flagWord = u32(flags.data)
    let classCode = Int(flagWord & 0xFF)
    // Every class but opaque objects has its dimensions next.
    var dimensions: [Int] = []
    var p = flags.next
    if classCode != 17 {
      let dims = try element(p, "its dimensions")
      guard dims.type == miINT32 && dims.count % 4 == 0 else {
        throw damage("its dimensions are an element of type \(dims.type) and \(dims.count) bytes, not int32 values")
      }
      dimensions = stride(from: dims.data, to: dims.data + dims.count, by: 4).map { Int(Int32(bitPattern: u32($0))) }
      if let negative = dimensions.first(where: { $0 < 0 }) {
        throw damage("it has a negative dimension (\(negative))")
      }
      p = dims.next
    }
    let nameTag = try element(p, "its name")
    guard nameTag.type == miINT8 else {
      throw damage("its name is an element of type \(nameTag.type), not int8 characters")
    }
    let nameBytes = UnsafeRawBufferPointer(rebasing: bytes[nameTag.data..<(nameTag.data + nameTag.count)])
    let nameEnd = nameBytes.firstIndex(of: 0) ?? nameBytes.count
    // MATLAB pads with zeros: anything else after the name (up to the next
    // element) means its length or its bytes were altered.
    let afterName = UnsafeRawBufferPointer(rebasing: bytes[(nameTag.data + nameEnd)..<nameTag.next])
    return MatrixHeader(
      classCode: classCode, isComplex: flagWord & 0x800 != 0, dimensions: dimensions,
      name: String(decoding: nameBytes[..<nameEnd], as: UTF8.self),
      nameHasStrayBytes: afterName.contains { $0 != 0 }, contentStart: nameTag.next)
  }

  /// A top-level matrix whose content is `start..<end`.
  func topLevelMatrix(_ start: Int, _ end: Int, context: String) throws(MAT5Layout.Damage) -> MAT5Layout.Variable {
    let header = try matrixHeader(start, end, context: context)
    let name = header.name
    var variable = MAT5Layout.Variable(
      name: name, classCode: header.classCode, dimensions: header.dimensions, isComplex: header.isComplex)
    if !MatFile.isValidVariableName(name) {
      variable.damage = "its name \(name.debugDescription) is not a valid MATLAB variable name"
    } else if header.nameHasStrayBytes {
      variable.damage = "stray bytes follow its name (its length or its characters were altered)"
    }
    do {
      // Damage found here is reported with the variable's name already.
      try checkContent(header, end, depth: 0, context: "")
    } catch let problem as ContentProblem {
      variable.damage = variable.damage ?? problem.why
    } catch let damage as MAT5Layout.Damage {
      throw MAT5Layout.Damage(why: damage.why, variable: name)
    } catch {
      preconditionFailure("unexpected error \(error)")
    }
    return variable
  }

  /// A problem confined to one variable's data, which libmatio does not read
  /// while listing the file.
  struct ContentProblem: Error { var why: String }

  /// Checks what follows a matrix's header, by class: throws
  /// ``ContentProblem`` for damage to a numeric, char or sparse variable's
  /// data, and ``MAT5Layout/Damage`` for damage inside a cell, struct or
  /// object.
  func checkContent(_ header: MatrixHeader, _ end: Int, depth: Int, context: String) throws {
    let count = elementCount(header.dimensions)
    let shape = header.dimensions.map(String.init).joined(separator: "×")
    func element(_ p: Int, _ what: String) throws(ContentProblem) -> Tag {
      switch tag(at: p, end: end, what) {
      case .success(let t): return t
      case .failure(let problem): throw ContentProblem(why: problem.why)
      }
    }
    switch header.classCode {
    case 6...15:
      guard header.dimensions.count >= 2 else {
        throw ContentProblem(why: "it has \(header.dimensions.count) dimensions; a matrix has at least 2")
      }
      let limit = fileSize * (compressed ? MAT5Layout.maximumCompressionRatio : 1)
      guard let count, count <= limit else {
        throw ContentProblem(why: "its size \(shape) is more than a file of \(fileSize) bytes can hold")
      }
      let className = MATLABClass.name(ofCode: header.classCode)
      var p = header.contentStart
      for part in header.isComplex ? ["real part", "imaginary part"] : ["data"] {
        let data = try element(p, "its \(part)")
        guard let size = MATLABDataType(rawValue: data.type)?.byteSize,
          storedTypesForClass[header.classCode]!.contains(data.type)
        else {
          throw ContentProblem(
            why: "its \(part) is stored as \(MATLABDataType(rawValue: data.type)?.name ?? "type \(data.type)"), "
              + "which a \(className) array cannot be stored as")
        }
        guard data.count == count * size else {
          throw ContentProblem(
            why:
              "its dimensions \(shape) need \(count * size) bytes of \(MATLABDataType(rawValue: data.type)!.name) data, "
              + "but its \(part) holds \(data.count)")
        }
        p = data.next
      }
      guard p == end else {
        throw ContentProblem(why: "it has \(end - p) bytes after its data, which a numeric matrix does not have")
      }
    case 4:
      // MATLAB, Octave and libmatio store characters as UTF-16 code units
      // (or, in newer files, UTF-8 or UTF-32), never as 8-bit integers.
      let data = try element(header.contentStart, "its characters")
      let unitSizes: [UInt32: Int] = [miUINT16: 2, miUTF16: 2, miUTF32: 4]
      guard [miUTF8, miUTF16, miUTF32, miUINT16].contains(data.type) else {
        throw ContentProblem(why: "its characters are stored as type \(data.type), not a character type")
      }
      if let size = unitSizes[data.type], let count, data.count != count * size {
        throw ContentProblem(
          why: "its dimensions \(shape) need \(count * size) bytes of characters, but it holds \(data.count)")
      }
    case 5:
      var p = header.contentStart
      for part in ["row indices", "column starts", "values"] + (header.isComplex ? ["imaginary values"] : []) {
        p = try element(p, "its \(part)").next
      }
    case 1, 2, 3, 16:
      // A function handle is read like a cell: one nested matrix (a struct
      // describing it) per element.
      try checkContainer(header, end, depth: depth, context: context)
    case 17:
      // An opaque object: its type system's name, its class name, and one
      // nested matrix of metadata.
      let typeSystem = try element(header.contentStart, "its type system name")
      let className = try element(typeSystem.next, "its class name")
      let metadata = try element(className.next, "its metadata")
      guard typeSystem.type == miINT8 && className.type == miINT8 && metadata.type == miMATRIX else {
        throw ContentProblem(why: "an opaque object holds two names and a matrix, which this one does not")
      }
    default:
      throw ContentProblem(why: "its class code \(header.classCode) is not one MATLAB uses (1 to 17)")
    }
  }

  /// A cell, struct, object or function handle: the nested matrices libmatio
  /// reads (and allocates room for) while listing the file, so any damage
  /// here is damage to the whole file.
  func checkContainer(_ header: MatrixHeader, _ end: Int, depth: Int, context: String) throws(MAT5Layout.Damage) {
    func damage(_ why: String) -> MAT5Layout.Damage { MAT5Layout.Damage(why: within(context, why)) }
    func element(_ p: Int, _ what: String) throws(MAT5Layout.Damage) -> Tag {
      switch tag(at: p, end: end, what) {
      case .success(let t): return t
      case .failure(let problem): throw damage(problem.why)
      }
    }
    guard depth < MAT5Layout.maximumDepth else {
      throw damage("it nests cells or structs more than \(MAT5Layout.maximumDepth) deep")
    }
    var p = header.contentStart
    var perElement = 1
    if header.classCode == 2 || header.classCode == 3 {
      if header.classCode == 3 {
        p = try element(p, "its class name").next
      }
      let lengthTag = try element(p, "its field name length")
      guard lengthTag.type == miINT32 && lengthTag.count == 4 else {
        throw damage("its field name length is an element of type \(lengthTag.type), not one int32")
      }
      let length = Int(Int32(bitPattern: u32(lengthTag.data)))
      let namesTag = try element(lengthTag.next, "its field names")
      guard namesTag.type == miINT8 else { throw damage("its field names are not int8 characters") }
      if namesTag.count > 0 {
        guard length > 0 && namesTag.count % length == 0 else {
          throw damage("its field names take \(namesTag.count) bytes, not a multiple of the name length \(length)")
        }
        perElement = namesTag.count / length
      } else {
        perElement = 0
      }
      p = namesTag.next
    }
    let shape = header.dimensions.map(String.init).joined(separator: "×")
    let (nested, overflow) = (elementCount(header.dimensions) ?? .max).multipliedReportingOverflow(by: perElement)
    guard !overflow && nested <= (end - p) / 8 else {
      throw damage("its size \(shape) calls for more nested values than its \(end - p) bytes can hold")
    }
    for k in 1..<(nested + 1) {
      let what = "its nested value \(k) of \(nested)"
      let t = try element(p, what)
      guard t.type == miMATRIX && t.data == p + 8 else {
        throw damage("\(what) is an element of type \(t.type), not a matrix")
      }
      if t.count > 0 {
        let inner = try matrixHeader(t.data, t.data + t.count, context: within(context, what, separator: ", "))
        do {
          try checkContent(inner, t.data + t.count, depth: depth + 1, context: within(context, what, separator: ", "))
        } catch let problem as ContentProblem {
          throw damage("\(what): \(problem.why)")
        } catch let nested as MAT5Layout.Damage {
          throw nested
        } catch {
          preconditionFailure("unexpected error \(error)")
        }
      }
      p = t.next
    }
  }

  /// `what` placed in `context` (which may be empty, at the top level).
  func within(_ context: String, _ what: String, separator: String = ": ") -> String {
    context.isEmpty ? what : context + separator + what
  }

  /// The product of the dimensions, or nil if it overflows.
  func elementCount(_ dimensions: [Int]) -> Int? {
    var product = 1
    for d in dimensions {
      let (next, overflow) = product.multipliedReportingOverflow(by: d)
      if overflow { return nil }
      product = next
    }
    return product
  }
}

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
