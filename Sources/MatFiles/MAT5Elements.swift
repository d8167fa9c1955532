import OctaveCore
import Foundation

// MATLAB 5 data types (the `mi…` constants of the MAT-file format).
let miINT8: UInt32 = 1
let miUINT8: UInt32 = 2
let miINT16: UInt32 = 3
let miUINT16: UInt32 = 4
let miINT32: UInt32 = 5
let miUINT32: UInt32 = 6
let miSINGLE: UInt32 = 7
let miDOUBLE: UInt32 = 9
let miINT64: UInt32 = 12
let miUINT64: UInt32 = 13
let miMATRIX: UInt32 = 14
let miCOMPRESSED: UInt32 = 15
let miUTF8: UInt32 = 16
let miUTF16: UInt32 = 17
let miUTF32: UInt32 = 18

/// The size in bytes of one value of a numeric data type.
/// For each numeric class code, the stored types whose every value the class
/// holds exactly. MATLAB and Octave store a double array in the smallest
/// integer type of at most 32 bits that holds its values (or as single, with
/// Octave's `save -float-binary`); other classes in their own type.
let storedTypesForClass: [Int: Set<UInt32>] = [
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
struct ElementReader {
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
