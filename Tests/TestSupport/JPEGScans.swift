/// The scans of a JPEG, found by walking its marker segments, for tests
/// that build progressive bombs by repeating one.
package enum JPEGScans {
  /// Each scan with the tables before it: from the end of the previous
  /// scan's entropy-coded data (or the start of the file's segments) to the
  /// end of its own. Segments are walked by their lengths; a scan's data runs
  /// to the next marker that is neither a stuffed 0xFF00 nor a restart marker.
  package static func blocks(_ bytes: [UInt8]) -> [Range<Int>] {
    var blocks: [Range<Int>] = []
    var start = 2
    var p = 2
    while p + 4 <= bytes.count, bytes[p] == 0xFF, bytes[p + 1] != 0xD9 {
      let marker = bytes[p + 1]
      p += 2 + (Int(bytes[p + 2]) << 8 | Int(bytes[p + 3]))
      guard marker == 0xDA else { continue }
      while p + 1 < bytes.count, !(bytes[p] == 0xFF && bytes[p + 1] != 0 && !(0xD0...0xD7).contains(bytes[p + 1])) {
        p += 1
      }
      blocks.append(start..<p)
      start = p
    }
    return blocks
  }
}
