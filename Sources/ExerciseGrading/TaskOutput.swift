import Foundation
import NeuralNetworkLearning

/// What one task's child process returned: J (for nnCostFunction) and the
/// matrices the student's function gave (grad; sigmoidGradient's result;
/// randInitializeWeights' draws), kept bit for bit.
package struct TaskOutput: Equatable, Sendable {
  package var J: Double?
  package var matrices: [Matrix]

  package init(J: Double? = nil, matrices: [Matrix]) {
    self.J = J
    self.matrices = matrices
  }

  /// The text the child writes to the result file: a line `J <bits>` when
  /// there is a J, then for each matrix a line `matrix <rows> <columns>`
  /// followed by its elements' bit patterns in hexadecimal, column-major.
  package var encoded: String {
    var lines: [String] = []
    if let J { lines.append("J " + String(J.bitPattern, radix: 16)) }
    for matrix in matrices {
      lines.append("matrix \(matrix.rows) \(matrix.columns)")
      lines.append(matrix.values.map { String($0.bitPattern, radix: 16) }.joined(separator: " "))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// Reads ``encoded`` back; nil when the text is not such a result.
  package init?(encoded text: String) {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)[...]
    if lines.last == "" { lines.removeLast() }
    J = nil
    matrices = []
    if let first = lines.first, first.hasPrefix("J ") {
      guard let bits = UInt64(first.dropFirst(2), radix: 16) else { return nil }
      J = Double(bitPattern: bits)
      lines.removeFirst()
    }
    while let header = lines.popFirst() {
      let parts = header.split(separator: " ")
      guard parts.count == 3, parts[0] == "matrix", let rows = Int(parts[1]), let columns = Int(parts[2]),
        rows >= 0, columns >= 0, let body = lines.popFirst()
      else { return nil }
      let values = body.split(separator: " ").compactMap { UInt64($0, radix: 16) }.map(Double.init(bitPattern:))
      guard values.count == rows * columns else { return nil }
      matrices.append(Matrix(rows: rows, columns: columns, values: values))
    }
  }
}
