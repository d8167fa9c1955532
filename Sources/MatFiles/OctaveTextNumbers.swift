import OctaveCore
import Foundation

/// The numbers of Octave's text format: a line's blank-separated tokens, read
/// one at a time, and each token's value, which it must be wholly.
extension OctaveTextFormat.Parser {
  /// One number as Octave writes it, checked against the element type. The
  /// whole token must be the number: a NUL or a stray byte inside it, which
  /// C's parsers would stop at, makes it "not a number".
  func number(_ token: ArraySlice<UInt8>, _ element: OctaveTextFormat.Element) throws(MatFileError) -> Double {
    var text: String { printable(String(String(decoding: token, as: UTF8.self).prefix(40))) }
    let value: Double
    let first = token[token.startIndex]
    let bare = first == 0x2D || first == 0x2B ? token.dropFirst() : token
    if token.count == 1, first >= 0x30, first <= 0x39 {
      // A single digit, the commonest value in pictures (0 and 1).
      value = Double(first - 0x30)
    } else if let lead = bare.first, (lead >= 0x30 && lead <= 0x39) || lead == 0x2E {
      // A decimal number. `strtod` would also take `nan`, `inf` and
      // hexadecimal, none of which starts with a digit or a point but
      // hexadecimal's `0x`.
      let second = bare.dropFirst().first ?? 0
      guard !(lead == 0x30 && second | 0x20 == 0x78), let parsed = decimal(token) else {
        throw damaged("'\(text)' is not a number")
      }
      value = parsed
    } else if token.elementsEqual("NaN".utf8) {
      value = .nan
    } else if token.elementsEqual("NA".utf8) {
      value = OctaveTextFormat.octaveNA
    } else if token.elementsEqual("Inf".utf8) {
      value = .infinity
    } else if token.elementsEqual("-Inf".utf8) {
      value = -.infinity
    } else {
      throw damaged("'\(text)' is not a number")
    }
    switch element {
    case .double: return value
    case .single: return value.isNaN ? value : Double(Float(value))
    case .bool:
      guard value == 0 || value == 1 else { throw damaged("'\(text)' is not 0 or 1 in a bool matrix") }
      return value
    case .integer(let type):
      guard value.rounded() == value, Self.integerRange(type).contains(value) else {
        throw damaged("'\(text)' is not an \(type) value")
      }
      return value
    }
  }

  /// The one number on `line`: its only token, read no further than a
  /// second one.
  func onlyNumber(
    _ line: ArraySlice<UInt8>, _ element: OctaveTextFormat.Element, expected: String
  ) throws(MatFileError) -> Double {
    var words = tokens(line)
    guard let token = words.next() else { throw damaged("expected \(expected), found none") }
    guard words.next() == nil else { throw damaged("expected \(expected), found more") }
    return try number(token, element)
  }

  /// The blank-separated words of a line, one at a time.
  func tokens(_ line: ArraySlice<UInt8>) -> LineTokens { LineTokens(line: line, position: line.startIndex) }

  struct LineTokens: Sequence, IteratorProtocol {
    let line: ArraySlice<UInt8>
    var position: Int

    mutating func next() -> ArraySlice<UInt8>? {
      let end = line.endIndex
      while position < end && isBlank(line[position]) { position += 1 }
      let start = position
      while position < end && !isBlank(line[position]) { position += 1 }
      return position > start ? line[start..<position] : nil
    }
  }

  /// The value of a token of decimal characters: C's `strtod` where it
  /// reads the whole token (Swift's own parser, which makes a string of
  /// each, is several times slower in a debug build); Swift's where the
  /// token holds only a decimal number's characters but `strtod` stopped
  /// short (a locale whose decimal point is not "."); otherwise nil.
  func decimal(_ token: ArraySlice<UInt8>) -> Double? {
    let parsed: Double? = terminated.withUnsafeBufferPointer { buffer in
      let start = buffer.baseAddress! + token.startIndex
      return start.withMemoryRebound(to: CChar.self, capacity: token.count + 1) { text in
        var end: UnsafeMutablePointer<CChar>? = nil
        let value = strtod(text, &end)
        return end.map { UnsafeRawPointer($0) } == UnsafeRawPointer(text + token.count) ? value : nil
      }
    }
    if let parsed { return parsed }
    guard token.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || [0x2B, 0x2D, 0x2E, 0x45, 0x65].contains($0) }) else {
      return nil
    }
    return Double(String(decoding: token, as: UTF8.self))
  }
}

extension OctaveTextFormat {
  /// Octave's `NA` (R's missing value), a NaN with its own bits: those
  /// Octave's `save -v7` writes for it (liboctave's `lo_ieee_NA_value`).
  static let octaveNA = Double(bitPattern: 0x7FF8_40F4_4000_0000)
}

/// A blank between a line's tokens: a space, a tab, or the carriage return
/// of a line ended the Windows way.
func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D }
