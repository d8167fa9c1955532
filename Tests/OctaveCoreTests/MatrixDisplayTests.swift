import Foundation
import Testing

@testable import OctaveCore

/// `print(A)`: a small matrix shows every entry in aligned columns (a
/// 13-element gradient included), a large one its corner and a count.
@Suite struct MatrixDisplayTests {
  /// Every entry of a small matrix, in Octave's `disp` layout, under the shape.
  @Test func aSmallMatrixShowsEveryEntryAligned() {
    let grad = Matrix(column: (1...13).map { Double($0) * 0.0123 - 0.08 })
    let lines = grad.description.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    #expect(lines.first == "13×1 Matrix")
    #expect(lines.count == 14, "\(grad)")
    #expect(!grad.description.contains("⋮"))
    #expect(Array(lines.dropFirst()) == octaveDisplay(grad).split(separator: "\n").map(String.init))
    #expect(Set(lines.dropFirst().map(\.count)).count == 1, "columns not aligned:\n\(grad)")
    // Octave 7.3's `disp([1 -2.5; 30 0.25])`.
    let small = Matrix(rows: 2, columns: 2, values: [1, 30, -2.5, 0.25])
    #expect(small.description == "2×2 Matrix\n    1.0000   -2.5000\n   30.0000    0.2500")
  }

  /// A large matrix: its top left 20×10, and a line saying what is left out.
  @Test func aLargeMatrixIsElidedWithACount() {
    let A = Matrix(rows: 25, columns: 12, values: (1...300).map(Double.init))
    let lines = A.description.split(separator: "\n").map(String.init)
    #expect(lines.first == "25×12 Matrix")
    #expect(lines.count == 1 + 20 + 1, "\(A)")
    #expect(lines.last == "(5 more rows and 2 more columns not shown; the first 20×10 above)")
    #expect(lines[1].split(separator: " ").count == 10)
    let wide = Matrix(rows: 1, columns: 11, values: Array(repeating: 1, count: 11))
    #expect(wide.description.hasSuffix("\n(1 more columns not shown; the first 1×10 above)"))
    #expect(Matrix.zeros(0, 3).description == "0×3 Matrix")
  }
}
