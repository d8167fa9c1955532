import OctaveCore
import Foundation

/// Which of the course's files a program was given: recognised by content,
/// so that the course's reference values ("this value should be about …")
/// are printed only where they apply.
///
/// - `ex4weights.mat` and `ex5data1.mat` are recognised by the SHA-256 of the
///   files as the course ships them (taken from the course's own copies).
///   The weights are also recognised by the SHA-256 of their values, so a
///   copy saved again in another MAT format still counts as the course's.
/// - `ex4data1.mat`: no copy of the course's own file was at hand where this
///   was written, so its file hash is recorded as unknown
///   (``ex4data1SHA256`` is nil) and the file is recognised by its contents
///   instead: `X` 5000×400 and `y` 5000×1 with the labels in ten blocks of
///   500 (10, then 1, 2, …, 9), and, when the course's own weights are
///   loaded too, the cost those weights give on it at λ = 0 printing as the
///   course handout's 0.287629. The course's layout alone is not proof (the
///   8-bit stand-in of the same digits has it too, and gives 0.290845), and
///   without the course's weights the data cannot be confirmed.
package enum CourseFiles {
  /// SHA-256 of the course's `ex4weights.mat`.
  package static let ex4weightsSHA256 = "7eb93f42e50219a15de2378c7f8e4ecdd71005fc19e0e519cd52d5ce4d74e1f5"
  /// SHA-256 of the course's `Theta1` and `Theta2` values: Theta1's elements
  /// column by column, then Theta2's, each as a little-endian IEEE double.
  package static let ex4weightsValuesSHA256 = "6e52a94ded9dd5010bbf3baf6500d2ccc35eee801ac5f409cbf112e4e05b5f01"
  /// SHA-256 of the course's `ex5data1.mat`.
  package static let ex5data1SHA256 = "4d48a9f7196c9367de427c5a52c40902b664104cbcc21b45a02523da097d29f6"
  /// SHA-256 of the course's `ex4data1.mat`: unknown here (see above).
  package static let ex4data1SHA256: String? = nil
  /// What the course handout says the course's weights cost on the course's data at λ = 0, as `%f` prints it.
  package static let courseCostAtLambda0 = "0.287629"

  /// The SHA-256 of matrices' values, in order, column by column, as little-endian doubles.
  package static func valuesSHA256(_ matrices: [Matrix]) -> String {
    var hash = SHA256()
    for matrix in matrices {
      let bytes = matrix.values.flatMap { value in
        withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) }
      }
      hash.update(bytes)
    }
    return hash.finalize().map { String(format: "%02x", $0) }.joined()
  }

  /// What a weights file is.
  package enum Weights: Equatable, Sendable {
    /// The course's file, byte for byte.
    case course
    /// Another file holding exactly the course's values.
    case courseValues
    /// Anything else.
    case other
  }

  /// Recognises the weights `Thetas` loaded from `path`.
  package static func recogniseWeights(_ Thetas: [Matrix], path: String) -> Weights {
    if (try? SHA256.hex(ofFile: path)) == ex4weightsSHA256 { return .course }
    return valuesSHA256(Thetas) == ex4weightsValuesSHA256 ? .courseValues : .other
  }

  /// What a digits file is, as far as can be told.
  package enum Digits: Equatable, Sendable {
    /// The course's layout, and the course's weights give the handout's cost on it.
    case course
    /// The course's layout (5000×400, labels in blocks), not yet confirmed by the course's weights.
    case courseLayout
    /// The course's layout, but the course's weights give another cost on it (the value printed).
    case courseLayoutOtherValues(cost: String)
    /// Not the course's layout (the reason).
    case other(String)
    /// The program's built-in digits.
    case builtin
  }

  /// Whether `X` and `y` are laid out as the course's `ex4data1.mat`: 5000×400
  /// and 5000×1, the labels in blocks of 500 in the order 10, 1, 2, …, 9.
  package static func recogniseDigits(X: Matrix, y: Matrix) -> Digits {
    guard X.rows == 5000 && X.columns == 400 && y.rows == 5000 && y.columns == 1 else {
      return .other("X is \(X.shape) and y \(y.shape); the course's are 5000×400 and 5000×1")
    }
    for (k, label) in y.values.enumerated() where label != Double(k / 500 == 0 ? 10 : k / 500) {
      return .other("its labels are not in the course's blocks of 500 (10, 1, 2, …, 9): row \(k + 1) has \(label)")
    }
    return .courseLayout
  }

  /// `digits` confirmed or refuted by the cost the course's weights give on it at λ = 0.
  package static func confirm(_ digits: Digits, courseWeightsCost J: Double) -> Digits {
    guard digits == .courseLayout else { return digits }
    let printed = String(format: "%f", J)
    return printed == courseCostAtLambda0 ? .course : .courseLayoutOtherValues(cost: printed)
  }

  /// One sentence on what a data file is, for a report.
  package static func describe(_ digits: Digits, path: String) -> String {
    let name = printable((path as NSString).lastPathComponent)
    switch digits {
    case .course:
      return "\(name): the course's ex4data1.mat, recognised by its contents (its layout, and the course's "
        + "weights give the handout's cost \(courseCostAtLambda0) on it; the course file's SHA-256 is not recorded here)"
    case .courseLayout:
      return "\(name): laid out as the course's ex4data1.mat (5000 digits, labels in blocks of 500); "
        + "not checkable as the course's own file without the course's ex4weights.mat"
    case .courseLayoutOtherValues(let cost):
      return "\(name): laid out as the course's ex4data1.mat, but not the course's own file "
        + "(the course's weights give \(cost) on it, not \(courseCostAtLambda0))"
    case .other(let why):
      return "\(name): not the course's ex4data1.mat (\(why))"
    case .builtin:
      return "the built-in digits (5000 synthetic 20×20 digits), not the course's data"
    }
  }

  /// One sentence on what a weights file is, for a report.
  package static func describe(_ weights: Weights, path: String) -> String {
    let name = printable((path as NSString).lastPathComponent)
    switch weights {
    case .course: return "\(name): the course's ex4weights.mat (its SHA-256 matches)"
    case .courseValues: return "\(name): the course's weights, saved again (their values' SHA-256 matches)"
    case .other: return "\(name): not the course's ex4weights.mat (neither the file's nor its values' SHA-256 matches)"
    }
  }

  /// Whether the file at `path` is the course's `ex5data1.mat`, byte for byte.
  package static func isCourseEx5Data(_ path: String) -> Bool {
    (try? SHA256.hex(ofFile: path)) == ex5data1SHA256
  }
}
