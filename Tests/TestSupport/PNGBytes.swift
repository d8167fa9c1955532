/// PNG files built byte by byte, for tests that need a file no encoder
/// writes: a header that promises far more pixels than the file holds.
package enum PNGBytes {
  /// The eight bytes every PNG file starts with.
  package static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

  /// CRC-32 as PNG chunks carry it (ISO 3309, reflected 0xEDB88320).
  package static func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
      crc ^= UInt32(byte)
      for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
  }

  /// `value`'s four bytes, most significant first.
  package static func bigEndian(_ value: UInt32) -> [UInt8] {
    (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) }
  }

  /// One chunk: its length, type, data and CRC.
  package static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
    let body = Array(type.utf8) + data
    return bigEndian(UInt32(data.count)) + body + bigEndian(crc32(body))
  }

  /// A PNG of `width × height` 8-bit grey pixels whose IDAT holds one empty
  /// stored deflate block: a valid header over almost no data (69 bytes).
  package static func bomb(width: UInt32, height: UInt32) -> [UInt8] {
    let ihdr = bigEndian(width) + bigEndian(height) + [8, 0, 0, 0, 0]
    let idat: [UInt8] = [0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01]
    return signature + chunk("IHDR", ihdr) + chunk("IDAT", idat) + chunk("IEND", [])
  }
}
