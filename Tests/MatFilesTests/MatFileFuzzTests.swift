import CZlib
import Foundation
import Synchronization
import Testing

@testable import MatFiles
import OctaveCore
import TestSupport

// A deterministic fuzz test of `MatFile.read`: thousands of damaged copies of
// the Octave fixtures and of course-like files, each loaded in this process.
// A crash or a hang ends the test process (a watchdog aborts a load stuck for
// 30 s), which fails the run; a load over 2 s fails the test; and so does a
// load that returns anything other than exactly the original data, except
// where the format cannot tell (see `Outcome`).

// MARK: - The map of a MATLAB 5 file

/// Where things are in an uncompressed run of MATLAB 5 data elements (a v6
/// file after its header, or one inflated compressed element), found by a
/// walk written for this test, independent of the library's.
private struct ElementMap {
  /// Offsets of full tags' byte counts, and of small elements' tags.
  var tagLengthOffsets: [(offset: Int, small: Bool)] = []
  /// Offsets of every int32 dimension.
  var dimensionOffsets: [Int] = []
  /// Offsets of every array-flags class byte.
  var classOffsets: [Int] = []
  /// Top-level variables: their name bytes and their numeric data bytes
  /// (with padding), which a v6 file cannot protect.
  var names: [String: Range<Int>] = [:]
  var classOffsetOf: [String: Int] = [:]
  var data: [String: [Range<Int>]] = [:]
  /// Offsets just past each top-level element.
  var boundaries: [Int] = []

  let bytes: [UInt8]
  let bigEndian: Bool

  func u32(_ p: Int) -> UInt32 {
    let b = (0..<4).map { UInt32(bytes[p + $0]) }
    return bigEndian ? b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3] : b[3] << 24 | b[2] << 16 | b[1] << 8 | b[0]
  }

  /// Maps the elements of `bytes[start...]`, which must be well formed.
  init(_ bytes: [UInt8], from start: Int, bigEndian: Bool) {
    self.bytes = bytes
    self.bigEndian = bigEndian
    var p = start
    while p + 8 <= bytes.count {
      let type = u32(p)
      let count = Int(u32(p + 4))
      tagLengthOffsets.append((p + 4, false))
      if type == 14 { mapMatrix(p + 8, p + 8 + count, topLevel: true) }
      p += 8 + count
      boundaries.append(p)
    }
  }

  /// Maps a MATLAB v4 file, which must be well formed (little-endian): its
  /// name lengths stand for tag lengths, rows and columns for dimensions, the
  /// type's low byte (precision and kind) for the class byte.
  init(v4 bytes: [UInt8]) {
    self.bytes = bytes
    bigEndian = false
    var p = 0
    while p + 20 <= bytes.count {
      let type = Int(u32(p))
      let (rows, columns, imaginary, nameLength) = (
        Int(u32(p + 4)), Int(u32(p + 8)), Int(u32(p + 12)), Int(u32(p + 16))
      )
      classOffsets.append(p)
      dimensionOffsets += [p + 4, p + 8]
      tagLengthOffsets.append((p + 16, false))
      let nameRange = (p + 20)..<(p + 20 + nameLength)
      let name = String(decoding: bytes[nameRange].prefix { $0 != 0 }, as: UTF8.self)
      names[name] = nameRange
      classOffsetOf[name] = p
      let size = [8, 4, 4, 2, 2, 1][type / 10 % 10]
      let end = nameRange.upperBound + rows * columns * size * (1 + imaginary)
      if type % 10 == 0 { data[name] = [nameRange.upperBound..<end] }
      p = end
      boundaries.append(p)
    }
  }

  /// One subelement: (type, data range, next offset).
  mutating func element(_ p: Int) -> (type: UInt32, data: Range<Int>, next: Int) {
    let first = u32(p)
    if first >> 16 != 0 {
      tagLengthOffsets.append((p, true))
      return (first & 0xFFFF, (p + 4)..<(p + 4 + Int(first >> 16)), p + 8)
    }
    tagLengthOffsets.append((p + 4, false))
    let count = Int(u32(p + 4))
    return (first, (p + 8)..<(p + 8 + count), p + 8 + (count + 7) / 8 * 8)
  }

  mutating func mapMatrix(_ start: Int, _ end: Int, topLevel: Bool) {
    let flags = element(start)
    classOffsets.append(bigEndian ? flags.data.lowerBound + 3 : flags.data.lowerBound)
    let classCode = Int(u32(flags.data.lowerBound) & 0xFF)
    let isComplex = u32(flags.data.lowerBound) & 0x800 != 0
    let dims = element(flags.next)
    dimensionOffsets += stride(from: dims.data.lowerBound, to: dims.data.upperBound, by: 4)
    let count = stride(from: dims.data.lowerBound, to: dims.data.upperBound, by: 4).reduce(1) { $0 * Int(u32($1)) }
    let name = element(dims.next)
    let nameText = String(decoding: bytes[name.data].prefix { $0 != 0 }, as: UTF8.self)
    if topLevel {
      names[nameText] = name.data.lowerBound..<name.next
      classOffsetOf[nameText] = classOffsets.last!
    }
    var p = name.next
    switch classCode {
    case 6...15:
      for _ in 0..<(isComplex ? 2 : 1) {
        let part = element(p)
        // The stored type too: a double array may be stored as single,
        // int32 or uint32, so a changed type reads as other values.
        let typeField = part.data.lowerBound == p + 4 ? p..<(p + 2) : p..<(p + 4)
        if topLevel { data[nameText, default: []] += [typeField, part.data.lowerBound..<min(part.next, end)] }
        p = part.next
      }
    case 1:
      for _ in 0..<count {
        let nested = element(p)
        if nested.data.count > 0 { mapMatrix(nested.data.lowerBound, nested.data.upperBound, topLevel: false) }
        p = nested.next
      }
    case 2:
      let length = element(p)
      let fieldNames = element(length.next)
      p = fieldNames.next
      let fields = fieldNames.data.count / Int(u32(length.data.lowerBound))
      for _ in 0..<(count * fields) {
        let nested = element(p)
        if nested.data.count > 0 { mapMatrix(nested.data.lowerBound, nested.data.upperBound, topLevel: false) }
        p = nested.next
      }
    default:
      while p < end { p = element(p).next }
    }
  }
}

// MARK: - Files to damage

/// A file to damage: its bytes, its map, and what an undamaged read gives.
private struct Specimen {
  var name: String
  var bytes: [UInt8]
  var bigEndian: Bool
  /// For uncompressed files, the map of the whole file; nil when compressed.
  var map: ElementMap?
  /// The map raw-byte mutations aim with: the whole file's, or for a
  /// compressed file its top-level tags only.
  var rawMap: ElementMap
  /// For compressed files: each top-level element's offset, inflated
  /// content and map.
  var compressed: [(offset: Int, end: Int, inflated: [UInt8], map: ElementMap)] = []
  var original: [String: Matrix]

  init(name: String, bytes: [UInt8], path: String) throws {
    self.name = name
    self.bytes = bytes
    original = try MatFile.read(path)
    if !bytes.starts(with: Array("MATLAB".utf8)) {
      bigEndian = false
      map = ElementMap(v4: bytes)
      rawMap = map!
      return
    }
    bigEndian = bytes[126] == UInt8(ascii: "M")
    let top = ElementMap(bytes, from: 128, bigEndian: bigEndian)
    rawMap = top
    if top.u32(128) == 15 {
      var p = 128
      for end in top.boundaries {
        let inflated = try inflateWhole(Array(bytes[(p + 8)..<end]), bigEndian: bigEndian)
        compressed.append((p, end, inflated, ElementMap(inflated, from: 0, bigEndian: bigEndian)))
        p = end
      }
    } else {
      map = top
    }
  }
}

func inflateWhole(_ compressed: [UInt8], bigEndian: Bool) throws -> [UInt8] {
  var size = uLongf(compressed.count * 1100 + 64)
  var out = [UInt8](repeating: 0, count: Int(size))
  let status = uncompress(&out, &size, compressed, uLong(compressed.count))
  try #require(status == Z_OK, "fixture's compressed element does not inflate (\(status))")
  return Array(out.prefix(Int(size)))
}

func deflateWhole(_ bytes: [UInt8]) -> [UInt8] {
  var size = compressBound(uLong(bytes.count))
  var out = [UInt8](repeating: 0, count: Int(size))
  let status = compress2(&out, &size, bytes, uLong(bytes.count), 6)
  precondition(status == Z_OK, "compress2 failed: \(status)")
  return Array(out.prefix(Int(size)))
}

/// An uncompressed MATLAB 5 file (what Octave's `save -v6` writes) of double
/// matrices, in either byte order, written here so that the course's shapes
/// and a big-endian file can be damaged too.
func uncompressedMAT5(_ variables: [(String, Matrix)], bigEndian: Bool) -> [UInt8] {
  func u32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: bigEndian ? v.bigEndian : v.littleEndian, Array.init) }
  func padded(_ b: [UInt8]) -> [UInt8] { b + [UInt8](repeating: 0, count: (8 - b.count % 8) % 8) }
  var file = Array("MATLAB 5.0 MAT-file, written by MatFileFuzzTests".utf8)
  file += [UInt8](repeating: 0x20, count: 116 - file.count) + [UInt8](repeating: 0, count: 8)
  file += withUnsafeBytes(of: bigEndian ? UInt16(0x0100).bigEndian : UInt16(0x0100).littleEndian, Array.init)
  file += bigEndian ? Array("MI".utf8) : Array("IM".utf8)
  for (name, matrix) in variables {
    var content = u32(6) + u32(8) + u32(6) + u32(0)
    content += u32(5) + u32(8) + u32(UInt32(matrix.rows)) + u32(UInt32(matrix.columns))
    let nameBytes = Array(name.utf8)
    content +=
      nameBytes.count <= 4
      ? u32(UInt32(nameBytes.count) << 16 | 1) + nameBytes + [UInt8](repeating: 0, count: 4 - nameBytes.count)
      : u32(1) + u32(UInt32(nameBytes.count)) + padded(nameBytes)
    content += u32(9) + u32(UInt32(8 * matrix.count))
    for value in matrix.values {
      content += withUnsafeBytes(
        of: bigEndian ? value.bitPattern.bigEndian : value.bitPattern.littleEndian, Array.init)
    }
    file += u32(14) + u32(UInt32(content.count)) + content
  }
  return file
}

// MARK: - Mutations

private enum MutationKind: String, CaseIterable {
  case bitFlip = "bit flip"
  case bitFlips = "2–16 bit flips"
  case truncation = "truncation"
  case tagLength = "edited tag length"
  case dimension = "edited dimension"
  case classByte = "edited class byte"
  case zeroedRegion = "zeroed region"
}

/// A damaged copy of a specimen.
private struct Mutation {
  var kind: MutationKind
  var description: String
  var bytes: [UInt8]
  /// For a mutation of a compressed element's content, re-compressed with a
  /// valid checksum: the element's index and its damaged content.
  var element: (index: Int, content: [UInt8])? = nil
}

/// One mutation of `bytes` (mapped by `map`, nil when the tags and such are
/// not visible, as in a compressed file), drawn from `generator`.
private func mutate(
  _ bytes: [UInt8], map: ElementMap?, kind: MutationKind, using generator: inout SeededGenerator
) -> (bytes: [UInt8], description: String) {
  var b = bytes
  func offset(from lower: Int = 0) -> Int { Int.random(in: lower..<b.count, using: &generator) }
  func put32(_ value: UInt32, at p: Int) {
    let v = map?.bigEndian == true ? value.bigEndian : value.littleEndian
    withUnsafeBytes(of: v) { for k in 0..<4 { b[p + k] = $0[k] } }
  }
  switch kind {
  case .bitFlip, .bitFlips:
    let n = kind == .bitFlip ? 1 : Int.random(in: 2...16, using: &generator)
    var flips: [String] = []
    for _ in 0..<n {
      let p = offset()
      let bit = Int.random(in: 0..<8, using: &generator)
      b[p] ^= 1 << bit
      flips.append("\(p):\(bit)")
    }
    return (b, "flip bits " + flips.joined(separator: ","))
  case .truncation:
    let keep =
      Bool.random(using: &generator)
      ? Int.random(in: 0..<b.count, using: &generator)
      : b.count - Int.random(in: 1...min(64, b.count), using: &generator)
    return (Array(b.prefix(keep)), "cut to \(keep) bytes")
  case .tagLength, .dimension, .classByte:
    guard let map,
      !(kind == .dimension ? map.dimensionOffsets : kind == .classByte ? map.classOffsets : [0]).isEmpty
    else { return mutate(bytes, map: nil, kind: .bitFlip, using: &generator) }
    switch kind {
    case .tagLength:
      let (p, small) = map.tagLengthOffsets.randomElement(using: &generator)!
      if small {
        let count = Int.random(in: 0...0xFFFF, using: &generator)
        let word = map.u32(p) & 0xFFFF | UInt32(count) << 16
        put32(word, at: p)
        return (b, "small tag at \(p): byte count \(count)")
      }
      let old = map.u32(p)
      let choices: [UInt32] = [
        old &+ 1, old &- 1, old &+ 8, old &- 8, 0, old &* 2, old / 2, .max, 0x7FFF_FFFF, old &+ 4096,
        UInt32.random(in: 0...UInt32.max, using: &generator),
      ]
      let new = choices.randomElement(using: &generator)!
      put32(new, at: p)
      return (b, "tag length at \(p): \(old) → \(new)")
    case .dimension:
      let p = map.dimensionOffsets.randomElement(using: &generator)!
      let old = Int32(bitPattern: map.u32(p))
      let choices: [Int32] = [
        old &+ 1, old &- 1, 0, -1, old &* 2, 1 << 20, .max, .min, Int32.random(in: .min ... .max, using: &generator),
      ]
      let new = choices.randomElement(using: &generator)!
      put32(UInt32(bitPattern: new), at: p)
      return (b, "dimension at \(p): \(old) → \(new)")
    default:
      let p = map.classOffsets.randomElement(using: &generator)!
      let old = b[p]
      b[p] =
        Bool.random(using: &generator)
        ? UInt8.random(in: 0...255, using: &generator) : UInt8.random(in: 1...17, using: &generator)
      return (b, "class byte at \(p): \(old) → \(b[p])")
    }
  case .zeroedRegion:
    let p = offset()
    let length = min(
      b.count - p,
      Bool.random(using: &generator)
        ? Int.random(in: 1...16, using: &generator) : Int.random(in: 8...512, using: &generator))
    for k in p..<(p + length) { b[k] = 0 }
    return (b, "zero \(length) bytes from \(p)")
  }
}

// MARK: - Outcomes

/// How a load of a damaged file ended. Besides refusing and returning the
/// original data, three results are accepted because the format cannot tell
/// them from an intact file: altered values when only data bytes changed in
/// an uncompressed matrix (v6 has no checksum, and a compressed element's
/// content re-compressed with a valid checksum is what a writer would have
/// written), a variable renamed when only its name bytes changed (the new
/// name valid), a variable left out (or newly read) when its class byte (v4:
/// its type) changed between char and a numeric class its data also fit,
/// and the variables before a cut exactly between two variables.
private enum Outcome: String, CaseIterable, Comparable {
  case refused = "refused with MatFileError"
  case identical = "returned exactly the original data"
  case alteredValues = "returned altered values: only data bytes changed, where no checksum covers them"
  case renamed = "returned a variable renamed: only its name bytes changed, to another valid name"
  case reclassified = "left a variable out or in: its class byte (v4: type) changed between char and numeric"
  case cutBetweenVariables = "returned the variables before a cut exactly between two variables"
  case wrong = "FAILED: returned other data"
  case slow = "FAILED: took over 2 s"

  var label: String {
    switch self {
    case .refused: "refused"
    case .identical: "identical"
    case .alteredValues: "altered values"
    case .renamed: "renamed"
    case .reclassified: "class changed"
    case .cutBetweenVariables: "cut between variables"
    case .wrong: "WRONG"
    case .slow: "SLOW"
    }
  }

  static func < (a: Outcome, b: Outcome) -> Bool {
    allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
  }
}

private func sameBits(_ a: Matrix?, _ b: Matrix?) -> Bool {
  guard let a, let b else { return a == nil && b == nil }
  return a.rows == b.rows && a.columns == b.columns && a.values.map(\.bitPattern) == b.values.map(\.bitPattern)
}

private func sameData(_ a: [String: Matrix], _ b: [String: Matrix]) -> Bool {
  Set(a.keys) == Set(b.keys) && a.keys.allSatisfy { sameBits(a[$0], b[$0]) }
}

/// What a read that returned `result` means, for a mutation that changed the
/// bytes at `changed` of a content mapped by `map` (uncompressed bytes, or a
/// re-compressed element's content), or nil when the format would let the
/// damage be seen: every original variable must come back with its shape,
/// under its name unless its name bytes changed (then under one new name),
/// with its values unless its data bytes (or stored type) changed, and
/// nothing else may come back.
private func undetectable(
  _ result: [String: Matrix], original: [String: Matrix], map: ElementMap, changed: [Int],
  isNowNotNumeric: (String) -> Bool
) -> Outcome? {
  guard !changed.contains(-1) else { return nil }
  var reclassified = false
  var renamed = false
  var altered = false
  var unmatched = Set(result.keys).subtracting(original.keys)
  for (name, matrix) in original {
    let nameTouched = map.names[name].map { r in changed.contains { r.contains($0) } } ?? false
    let dataTouched = (map.data[name] ?? []).contains { r in changed.contains { r.contains($0) } }
    var got = result[name]
    if got == nil, let p = map.classOffsetOf[name], changed.contains(where: { (p..<(p + 4)).contains($0) }),
      isNowNotNumeric(name)
    {
      // Now of a class `read` leaves out (a uint16 matrix and a char array
      // differ only in their class byte; a v4 matrix and v4 text only in
      // their type), which reading it by name says.
      reclassified = true
      continue
    }
    if nameTouched {
      // It must appear once under a new name, its shape kept.
      guard got == nil, let newName = unmatched.first(where: { result[$0]!.shape == matrix.shape }) else {
        return nil
      }
      unmatched.remove(newName)
      got = result[newName]
      renamed = true
    }
    guard let got, got.shape == matrix.shape else { return nil }
    if !sameBits(got, matrix) {
      guard dataTouched else { return nil }
      altered = true
    }
  }
  // A variable the original read left out (a char array, v4 text) that now
  // reads as a matrix because its class byte or type changed.
  for name in unmatched {
    if let p = map.classOffsetOf[name], changed.contains(where: { (p..<(p + 4)).contains($0) }) {
      unmatched.remove(name)
      reclassified = true
    }
  }
  guard unmatched.isEmpty else { return nil }
  return reclassified ? .reclassified : renamed ? .renamed : altered ? .alteredValues : .identical
}

/// The offsets where two equally long byte arrays differ (found a block at a
/// time with `memcmp`, as a mutation changes few bytes).
private func differingOffsets(_ a: [UInt8], _ b: [UInt8]) -> [Int] {
  a.withUnsafeBytes { pa in
    b.withUnsafeBytes { pb in
      var offsets: [Int] = []
      var start = 0
      while start < pa.count {
        let length = min(4096, pa.count - start)
        if memcmp(pa.baseAddress! + start, pb.baseAddress! + start, length) != 0 {
          offsets += (start..<(start + length)).filter { pa[$0] != pb[$0] }
        }
        start += length
      }
      return offsets
    }
  }
}

/// How `result` differs from `original`, for a failure message.
private func difference(_ result: [String: Matrix], _ original: [String: Matrix]) -> String {
  var parts: [String] = []
  for name in Set(original.keys).subtracting(result.keys).sorted() { parts.append("\(name) missing") }
  for name in Set(result.keys).subtracting(original.keys).sorted() {
    parts.append("\(name) (\(result[name]!.shape)) added")
  }
  for name in Set(result.keys).intersection(original.keys).sorted() where !sameBits(result[name], original[name]) {
    parts.append("\(name) \(original[name]!.shape) → \(result[name]!.shape)")
  }
  return ": " + parts.joined(separator: "; ")
}

// MARK: - The watchdog

/// The load in progress and when it started; a thread aborts the process
/// when one takes more than 30 s, since a hung load would never return.
private final class Watchdog: Sendable {
  private let current = Mutex<(started: ContinuousClock.Instant, what: String)?>(nil)
  private let finished = Mutex(false)

  func start() {
    Thread { [self] in
      while !finished.withLock({ $0 }) {
        Thread.sleep(forTimeInterval: 0.5)
        let stuck = current.withLock { state -> String? in
          guard let state, ContinuousClock.now - state.started > .seconds(30) else { return nil }
          return state.what
        }
        if let stuck {
          FileHandle.standardError.write(Data("MatFileFuzzTests: a load hung for 30 s: \(stuck)\n".utf8))
          abort()
        }
      }
    }.start()
  }

  func stop() { finished.withLock { $0 = true } }

  func watch<T>(_ what: String, _ body: () throws -> T) rethrows -> T {
    current.withLock { $0 = (ContinuousClock.now, what) }
    defer { current.withLock { $0 = nil } }
    return try body()
  }
}

// MARK: - The test

@Suite struct MatFileFuzzTests {
  /// Mutations per specimen: raw-byte mutations of every file, plus (for
  /// compressed files) mutations of an element's content re-compressed with
  /// a valid checksum.
  ///
  /// `MATFILE_FUZZ_SEED` and `MATFILE_FUZZ_SCALE` (a multiplier of the
  /// mutation counts) give other and longer runs by hand; the suite always
  /// runs the fixed default.
  static let environment = ProcessInfo.processInfo.environment
  static let seed = environment["MATFILE_FUZZ_SEED"].flatMap { UInt64($0) } ?? 20_111_122
  static let scale = environment["MATFILE_FUZZ_SCALE"].flatMap { Int($0) } ?? 1
  static let rawMutations = 300 * scale
  static let contentMutations = 250 * scale

  @Test func damagedFilesNeverCrashHangOrReturnWrongData() throws {
    let directory = try TemporaryDirectory()
    var generator = SeededGenerator(seed: Self.seed)

    // The course's shapes: Theta1 25×401, Theta2 10×26, as libmatio writes
    // them (compressed) and as an uncompressed file in both byte orders.
    let weights = [
      ("Theta1", randomMatrix(25, 401, scale: 0.5, using: &generator)),
      ("Theta2", randomMatrix(10, 26, scale: 2, using: &generator)),
    ]
    try MatFile.write(Dictionary(uniqueKeysWithValues: weights), to: directory.file("weights-v7.mat"))
    var specimens: [Specimen] = []
    for name in ["numeric-v6", "numeric-v7", "reshape-v6", "reshape-v7", "bad-v6", "bad-v7", "v4"] {
      let path = Fixture.path("matfile/\(name).mat")
      specimens.append(
        try Specimen(name: name, bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))), path: path))
    }
    for bigEndian in [false, true] {
      let name = bigEndian ? "weights-v6-big-endian" : "weights-v6"
      let path = directory.file("\(name).mat")
      try Data(uncompressedMAT5(weights, bigEndian: bigEndian)).write(to: URL(fileURLWithPath: path))
      specimens.append(
        try Specimen(name: name, bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))), path: path))
    }
    let path = directory.file("weights-v7.mat")
    specimens.append(
      try Specimen(name: "weights-v7", bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))), path: path))

    let watchdog = Watchdog()
    watchdog.start()
    defer { watchdog.stop() }
    let target = directory.file("mutated.mat")
    var counts: [String: [Outcome: Int]] = [:]
    var byKind: [MutationKind: [Outcome: Int]] = [:]
    var byGroup: [String: [Outcome: Int]] = [:]
    var singleReads = 0
    var loading = Duration.zero
    var failures: [String] = []
    var slowest: (Duration, String) = (.zero, "")
    var total = 0
    let clock = ContinuousClock()
    let started = clock.now

    for specimen in specimens {
      var mutations: [Mutation] = []
      for k in 0..<Self.rawMutations {
        let kind = MutationKind.allCases[k % MutationKind.allCases.count]
        let (bytes, description) = mutate(specimen.bytes, map: specimen.rawMap, kind: kind, using: &generator)
        mutations.append(Mutation(kind: kind, description: description, bytes: bytes))
      }
      if !specimen.compressed.isEmpty {
        for k in 0..<Self.contentMutations {
          let kind = MutationKind.allCases[k % MutationKind.allCases.count]
          let index = Int.random(in: 0..<specimen.compressed.count, using: &generator)
          let element = specimen.compressed[index]
          let (content, description) = mutate(element.inflated, map: element.map, kind: kind, using: &generator)
          let deflated = deflateWhole(content)
          var tag = [UInt8](repeating: 0, count: 8)
          for (k, word) in [UInt32(15), UInt32(deflated.count)].enumerated() {
            withUnsafeBytes(of: specimen.bigEndian ? word.bigEndian : word.littleEndian) {
              tag.replaceSubrange((4 * k)..<(4 * k + 4), with: $0)
            }
          }
          let bytes = Array(specimen.bytes[..<element.offset]) + tag + deflated + Array(specimen.bytes[element.end...])
          mutations.append(
            Mutation(
              kind: kind, description: "element \(index + 1) content, re-compressed: \(description)", bytes: bytes,
              element: (index, content)))
        }
      }

      for (k, mutation) in mutations.enumerated() {
        total += 1
        let what = "\(specimen.name): \(mutation.kind.rawValue): \(mutation.description)"
        let group =
          mutation.element != nil
          ? "compressed files, an element's content altered and re-compressed with a valid checksum"
          : specimen.map == nil
            ? "compressed (v7) files, raw bytes (inside and outside the zlib streams)"
            : "uncompressed (v6 and v4) files, raw bytes"
        try Data(mutation.bytes).write(to: URL(fileURLWithPath: target))

        // The whole file.
        var start = clock.now
        let result = watchdog.watch(what) { try? MatFile.read(target) }
        var elapsed = clock.now - start
        loading += elapsed
        if elapsed > slowest.0 { slowest = (elapsed, what) }

        // Where the content changed, for the cases the format cannot see.
        var map: ElementMap? = nil
        var changed: [Int] = [-1]
        if let element = mutation.element {
          let original = specimen.compressed[element.index]
          map = original.map
          if original.inflated.count == element.content.count {
            changed = differingOffsets(original.inflated, element.content)
          }
        } else if let whole = specimen.map {
          map = whole
          if mutation.bytes.count == specimen.bytes.count {
            changed = differingOffsets(specimen.bytes, mutation.bytes)
          }
        }
        let boundaries = [128] + (specimen.map?.boundaries ?? specimen.compressed.map(\.end))

        var outcome: Outcome
        if elapsed > .seconds(2) {
          outcome = .slow
        } else if let result {
          if sameData(result, specimen.original) {
            outcome = .identical
          } else if mutation.kind == .truncation && mutation.element == nil {
            outcome =
              boundaries.contains(mutation.bytes.count)
                && result.allSatisfy({ sameBits($0.value, specimen.original[$0.key]) })
              ? .cutBetweenVariables : .wrong
          } else if let map {
            outcome =
              undetectable(
                result, original: specimen.original, map: map, changed: changed,
                isNowNotNumeric: { name in
                  do {
                    _ = try MatFile.read(target, variable: name)
                    return false
                  } catch {
                    if case .notNumeric = (error as? MatFileError)?.reason { return true }
                    return false
                  }
                })
              ?? .wrong
          } else {
            outcome = .wrong
          }
        } else {
          outcome = .refused
        }
        counts[specimen.name, default: [:]][outcome, default: 0] += 1
        byKind[mutation.kind, default: [:]][outcome, default: 0] += 1
        byGroup[group, default: [:]][outcome, default: 0] += 1
        if outcome == .wrong || outcome == .slow {
          failures.append("\(what) → \(outcome.rawValue)" + (result.map { difference($0, specimen.original) } ?? ""))
        }

        // One variable by name: the original, what the whole read gave, or
        // (where the format cannot tell) its altered values.
        let names = specimen.original.keys.sorted()
        let name = names[k % names.count]
        start = clock.now
        let single = watchdog.watch("\(what), reading '\(name)'") { try? MatFile.read(target, variable: name) }
        elapsed = clock.now - start
        loading += elapsed
        singleReads += 1
        if elapsed > slowest.0 { slowest = (elapsed, "\(what), reading '\(name)'") }
        if let single {
          let dataTouched = map.map { m in (m.data[name] ?? []).contains { r in changed.contains { r.contains($0) } } }
          let allowed =
            sameBits(single, specimen.original[name]) || sameBits(single, result?[name])
            || (dataTouched == true && single.shape == specimen.original[name]!.shape)
          if !allowed || elapsed > .seconds(2) {
            failures.append("\(what): reading '\(name)' alone returned other data or took over 2 s")
          }
        } else if elapsed > .seconds(2) {
          failures.append("\(what): reading '\(name)' alone took over 2 s")
        }
      }
    }
    let elapsed = clock.now - started

    var report = String(
      format:
        "MatFile fuzz (seed \(Self.seed)): %d mutations (%d whole-file reads and %d single-variable reads) in %.1f s, "
        + "%.1f s of it loading; slowest load %.0f ms (%@)\n", total, total, singleReads, seconds(elapsed),
      seconds(loading), seconds(slowest.0) * 1000, slowest.1)
    let all = counts.values.reduce(into: [Outcome: Int]()) { sum, c in for (k, v) in c { sum[k, default: 0] += v } }
    for outcome in Outcome.allCases where all[outcome] != nil {
      report += String(format: "%6d  %@\n", all[outcome]!, outcome.rawValue)
    }
    for (title, table, keys) in [
      ("by kind of file and mutation", byGroup, byGroup.keys.sorted()),
      ("by file", counts, specimens.map(\.name)),
      (
        "by mutation", Dictionary(uniqueKeysWithValues: byKind.map { ($0.key.rawValue, $0.value) }),
        MutationKind.allCases.map(\.rawValue)
      ),
    ] {
      report += "\(title):\n"
      for key in keys {
        let c = table[key] ?? [:]
        report += "  \(key): " + c.keys.sorted().map { "\($0.label) \(c[$0]!)" }.joined(separator: ", ") + "\n"
      }
    }
    print(report)
    #expect(total >= 2000)
    let failureList = failures.prefix(40).joined(separator: "\n")
    #expect(failures.isEmpty, "\(failures.count) mutations were not caught:\n\(failureList)")
  }
}
