import ArgumentParser
import Foundation

/// Reading a list option such as `--lambdas 0,0.1,1`.
enum NumberList {
  /// The values of `text`, comma-separated, each made by `make` and accepted by `valid`.
  ///
  /// - Throws: a message naming `option` and what it takes (`expecting`).
  static func parse<T>(
    _ text: String, option: String, expecting: String, _ make: (String) -> T?, valid: (T) -> Bool
  ) throws -> [T] {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false).map {
      $0.trimmingCharacters(in: .whitespaces)
    }
    let values = parts.compactMap(make)
    guard !parts.isEmpty, values.count == parts.count, values.allSatisfy(valid) else {
      throw ValidationError("\(option) takes \(expecting) separated by commas, got '\(text)'")
    }
    return values
  }

  /// `values` without repeats, in the order first given.
  static func distinct<T: Hashable>(_ values: [T]) -> [T] {
    var seen = Set<T>()
    return values.filter { seen.insert($0).inserted }
  }

  /// "Note: --lambdas gives 1 more than once; each value is trained once.",
  /// or nil when `values` has no repeats.
  static func duplicateNote<T: Hashable>(_ values: [T], option: String, _ spell: (T) -> String) -> String? {
    var seen = Set<T>()
    let repeated = distinct(values.filter { !seen.insert($0).inserted })
    guard !repeated.isEmpty else { return nil }
    return "Note: \(option) gives \(repeated.map(spell).joined(separator: ", ")) more than once; "
      + "each value is trained once."
  }
}
