import Foundation

/// The visible characters of each line of terminal text: colour escape
/// sequences removed, the text after the last newline dropped.
package func visibleLines(_ text: String) -> [String] {
  let plain = text.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
  return plain.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
}
