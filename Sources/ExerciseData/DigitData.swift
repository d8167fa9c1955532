import Foundation
import MatFiles
import OctaveCore

/// The digits a program trains on: a file the student named, the course's
/// `ex4data1.mat` in the data directory, or, when neither is there, the
/// built-in synthetic digits. The one place this choice is made.
package struct DigitData {
  /// One example per row, and its label 1…K (10 for the digit 0).
  package let X: Matrix
  package let y: Matrix
  /// The file read, or nil for the built-in digits.
  package let path: String?

  package var isBuiltin: Bool { path == nil }

  /// What the digits are, for a line of output: the file's path, or the built-in set.
  package var source: String { path ?? "the built-in digits" }

  /// The digits of `path` (`--data`), or of `ex4data1.mat` in the data
  /// directory when no path is named, or the built-in set when that file is
  /// absent. A named file (and a data folder named by `EX4_DATA_DIR`) must
  /// exist, and the file must hold a valid `X` and `y`.
  ///
  /// - Throws: ``InputError`` or `MatFileError`, naming the file, the
  ///   variable and what is wrong.
  package static func load(named path: String?, numLabels: Int = 10) throws -> DigitData {
    try DataDirectory.checkNamedFolder()
    if let path { try DataDirectory.checkNamedFile(path, option: "--data") }
    let file = path ?? DataDirectory.file("ex4data1.mat")
    if path == nil && DataDirectory.isAbsent(file) {
      let (X, y) = builtinDigits()
      return DigitData(X: X, y: y, path: nil)
    }
    let variables = try MatFile.read(file, variables: ["X", "y"])
    let (X, y) = (variables["X"]!, variables["y"]!)
    try validate(X: X, y: y, path: file, numLabels: numLabels)
    return DigitData(X: X, y: y, path: file)
  }

  /// Checks that the digits file at `path` holds an m × n `X` of finite numbers and m labels 1…numLabels in `y`.
  package static func validate(X: Matrix, y: Matrix, path: String, numLabels num_labels: Int) throws {
    // displayData lays each row out as an image round(√n) pixels wide, so n must fill whole rows of it.
    let width = Int((Double(X.columns).squareRoot()).rounded())
    guard width > 0, X.columns % width == 0 else {
      throw InputError(
        "\(path): variable 'X' has \(X.columns) columns, which do not make a rectangular image "
          + "(each row of X is one image, e.g. 400 columns for the course's 20×20 digits)")
    }
    guard y.columns == 1 else {
      throw InputError("\(path): variable 'y' is \(y.shape); it must be a column of labels (m×1)")
    }
    guard y.rows == X.rows else {
      throw InputError("\(path): 'X' has \(X.rows) examples but 'y' has \(y.rows) labels")
    }
    if let k = X.values.firstIndex(where: { !$0.isFinite }) {
      throw InputError(
        "\(path): variable 'X' has a non-finite value (\(octaveSpelling(X.values[k]))) at (\(k % X.rows + 1), \(k / X.rows + 1))"
      )
    }
    if let k = y.values.firstIndex(where: { !($0 >= 1 && $0 <= Double(num_labels) && $0 == $0.rounded()) }) {
      throw InputError(
        "\(path): variable 'y' has label \(octaveSpelling(y.values[k])) at row \(k + 1); labels must be whole numbers 1…\(num_labels) (10 stands for the digit 0)"
      )
    }
  }
}
