import Foundation

/// The text Octave's `disp(A)` prints for a real matrix in `format short`.
///
/// Octave picks one layout for the whole matrix from the number of digits
/// before the point of its largest and smallest finite magnitudes, at 5
/// significant digits (`output_precision` 5); every column is 2 spaces then a
/// right-aligned field of width fw:
///
/// - all finite entries integers: digits d of the largest, fw = d + 1
///   (at least 2, or 4 with an Inf or NaN), printed as integers;
/// - otherwise, for each of the two magnitudes with digits x, ld = max(x, 1)
///   places before the point and rd = 5 − x after it (4 when x is 0 or 1,
///   5 when x ≥ 5); with the larger of each, fw = 1 + ld + 1 + rd and the
///   numbers are printed `%fw.rdf`;
/// - scientific `%11.4e` instead when that width would exceed 9 (7 for
///   integers), as for gradients spanning several powers of ten.
///
/// Exact zeros print as `0`, non-finite entries as `Inf`, `-Inf` and `NaN`.
/// These rules were measured against Octave 7.3's output. A matrix too wide
/// for one screen line is not split into column blocks as Octave would.
package func octaveDisplay(_ A: Matrix) -> String {
  let (width, format) = octaveLayout(A)
  var text = ""
  for i in 1..<(A.rows + 1) {
    for j in 1..<(A.columns + 1) {
      let x = A[i, j]
      let shown =
        x == 0 ? "0" : x.isFinite ? String(format: format, x) : octaveSpelling(x)
      text += "  " + String(repeating: " ", count: max(width - shown.count, 0)) + shown
    }
    text += "\n"
  }
  return text
}

/// The field width and `printf` format `disp` uses for every entry of `A`.
private func octaveLayout(_ A: Matrix) -> (width: Int, format: String) {
  let scientific = (width: 11, format: "%.4e")
  let finite = A.values.filter { $0.isFinite }.map { abs($0) }
  let hasNonFinite = finite.count < A.count
  let xMax = digitsBeforePoint(finite.max() ?? 0)
  let xMin = digitsBeforePoint(finite.min() ?? 0)
  if finite.allSatisfy({ $0 == $0.rounded() }) {
    let digits = max(xMax, xMin)
    var width = digits <= 0 ? 2 : digits + 1
    if hasNonFinite { width = max(width, 4) }
    return width > 7 ? scientific : (width, "%.0f")
  }
  func places(_ x: Int) -> (ld: Int, rd: Int) {
    if x > 0 { return (x, 5 > x ? 5 - x : 5) }
    if x < 0 { return (1, 5 - x) }
    return (1, 4)
  }
  let (ldMax, rdMax) = places(xMax)
  let (ldMin, rdMin) = places(xMin)
  let rd = max(rdMax, rdMin)
  let width = 1 + max(ldMax, ldMin) + 1 + rd
  return width > 9 ? scientific : (width, "%.\(rd)f")
}

/// floor(log10(x)) + 1 for x > 0 (2 for 12.5, 0 for 0.3, −2 for 0.004); 0 for 0.
private func digitsBeforePoint(_ x: Double) -> Int {
  x == 0 ? 0 : Int(floor(log10(x))) + 1
}

/// A number the way Octave writes the non-finite ones, `NaN`, `Inf` and
/// `-Inf`; a finite number as Swift prints it (`11.0`, `2.5`). For messages
/// that quote a student's value.
public func octaveSpelling(_ value: Double) -> String {
  value.isNaN ? "NaN" : value.isInfinite ? (value < 0 ? "-Inf" : "Inf") : "\(value)"
}
