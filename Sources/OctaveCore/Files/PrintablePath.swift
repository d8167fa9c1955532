/// `text` (a path, or a message holding one) with its control characters
/// spelled out (`\n`, `\r`, `\t`, `\u{1B}`), so that a file name holding a
/// newline cannot break a one-line error into two, or forge a second
/// `Error:` line.
package func printable(_ text: String) -> String {
  guard text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return text }
  var result = ""
  for scalar in text.unicodeScalars {
    switch scalar {
    case "\n": result += "\\n"
    case "\r": result += "\\r"
    case "\t": result += "\\t"
    case _ where scalar.properties.generalCategory == .control:
      result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
    default: result.unicodeScalars.append(scalar)
    }
  }
  return result
}
