import CBLAS
import Foundation

/// Elementwise multiplication, Octave's `.*`.
infix operator .* : MultiplicationPrecedence
/// Elementwise division, Octave's `./`.
infix operator ./ : MultiplicationPrecedence

// MARK: - Elementwise arithmetic
//
// A ∘ B for same-shaped matrices, A ∘ s and s ∘ A for a scalar s. A shape
// mismatch stops with both shapes named, like Octave's "nonconformant
// arguments (op1 is 2x3, op2 is 3x2)".

extension Matrix {
  /// Applies `f` to every element (Octave's `arrayfun`, elementwise).
  public func map(_ f: (Double) throws -> Double) rethrows -> Matrix {
    Matrix(rows: rows, columns: columns, values: try values.map(f))
  }

  /// Combines two same-shaped matrices element by element.
  public func zipMap(_ other: Matrix, _ operation: String = "elementwise operation", _ f: (Double, Double) -> Double)
    -> Matrix
  {
    precondition(
      rows == other.rows && columns == other.columns,
      "\(operation): nonconformant arguments (op1 is \(rows)×\(columns), op2 is \(other.rows)×\(other.columns))")
    var out = [Double](repeating: 0, count: count)
    values.withUnsafeBufferPointer { a in
      other.values.withUnsafeBufferPointer { b in
        for k in 0..<a.count { out[k] = f(a[k], b[k]) }
      }
    }
    return Matrix(rows: rows, columns: columns, values: out)
  }

  public static func + (a: Matrix, b: Matrix) -> Matrix { a.zipMap(b, "operator +", +) }
  public static func - (a: Matrix, b: Matrix) -> Matrix { a.zipMap(b, "operator -", -) }
  public static func .* (a: Matrix, b: Matrix) -> Matrix { a.zipMap(b, "product (.*)", *) }
  public static func ./ (a: Matrix, b: Matrix) -> Matrix { a.zipMap(b, "quotient (./)", /) }

  public static func + (a: Matrix, s: Double) -> Matrix { a.map { $0 + s } }
  public static func - (a: Matrix, s: Double) -> Matrix { a.map { $0 - s } }
  public static func * (a: Matrix, s: Double) -> Matrix { a.map { $0 * s } }
  public static func / (a: Matrix, s: Double) -> Matrix { a.map { $0 / s } }
  public static func + (s: Double, a: Matrix) -> Matrix { a.map { s + $0 } }
  public static func - (s: Double, a: Matrix) -> Matrix { a.map { s - $0 } }
  public static func * (s: Double, a: Matrix) -> Matrix { a.map { s * $0 } }
  public static func ./ (s: Double, a: Matrix) -> Matrix { a.map { s / $0 } }
  public static prefix func - (a: Matrix) -> Matrix { a.map { -$0 } }
}

/// Octave's `exp(A)`, elementwise.
public func exp(_ a: Matrix) -> Matrix { a.map { Foundation.exp($0) } }

/// Octave's `log(A)`, elementwise (`log(0) = -Inf`, as in Octave).
public func log(_ a: Matrix) -> Matrix { a.map { Foundation.log($0) } }

/// Octave's `tanh(A)`, elementwise.
public func tanh(_ a: Matrix) -> Matrix { a.map { Foundation.tanh($0) } }

// MARK: - Reductions

extension Matrix {
  /// The sum of every element: Octave's `sum(A(:))`.
  public func sum() -> Double {
    values.withUnsafeBufferPointer { v in
      var s = 0.0
      for x in v { s += x }
      return s
    }
  }

  /// The sum of the squares of every element: Octave's `sum(A(:) .^ 2)`.
  public func sumOfSquares() -> Double {
    values.withUnsafeBufferPointer { v in
      var s = 0.0
      for x in v { s += x * x }
      return s
    }
  }

  /// For each row, the 1-based column of its largest element: Octave's
  /// `[~, p] = max(A, [], 2)`. Ties go to the first such column; NaN
  /// elements are ignored unless the whole row is NaN, which gives 1.
  public func indexOfMaximumInEachRow() -> [Int] {
    var best = [Double](repeating: -.infinity, count: rows)
    var index = [Int](repeating: 0, count: rows)
    for j in 0..<columns {
      for i in 0..<rows {
        let x = values[i + j * rows]
        if x > best[i] || (index[i] == 0 && !x.isNaN) {
          best[i] = x
          index[i] = j + 1
        }
      }
    }
    return index.map { $0 == 0 ? 1 : $0 }
  }
}

/// Octave's `sum(A)`: the sum of each column, a 1×columns row (for a row
/// vector, like Octave, the sum of its elements as a 1×1 matrix).
public func sum(_ a: Matrix) -> Matrix {
  sum(a, a.rows == 1 ? 2 : 1)
}

/// Octave's `sum(A, dim)`: column sums (dim 1, a 1×columns row) or row sums
/// (dim 2, a rows×1 column).
public func sum(_ a: Matrix, _ dimension: Int) -> Matrix {
  precondition(dimension == 1 || dimension == 2, "sum: dimension must be 1 or 2, got \(dimension)")
  if dimension == 1 {
    var out = [Double](repeating: 0, count: a.columns)
    for j in 0..<a.columns {
      var s = 0.0
      for i in 0..<a.rows { s += a.values[i + j * a.rows] }
      out[j] = s
    }
    return Matrix(row: out)
  }
  var out = [Double](repeating: 0, count: a.rows)
  for j in 0..<a.columns {
    for i in 0..<a.rows { out[i] += a.values[i + j * a.rows] }
  }
  return Matrix(column: out)
}

// MARK: - Products (BLAS)

extension Matrix {
  /// The matrix product `A * B` through BLAS `dgemm`.
  public static func * (a: Matrix, b: Matrix) -> Matrix {
    product(a, b)
  }
}

/// `op(A) · op(B)` through `cblas_dgemm` (column-major), where `op` is the
/// transpose when asked: `product(A, B, transposeA: true)` is Octave's
/// `A' * B` without forming `A'`.
///
/// - Precondition: the inner dimensions agree; otherwise the program stops
///   naming both shapes, like Octave's "operator *: nonconformant arguments".
public func product(_ a: Matrix, _ b: Matrix, transposeA: Bool = false, transposeB: Bool = false) -> Matrix {
  let m = transposeA ? a.columns : a.rows
  let k = transposeA ? a.rows : a.columns
  let kb = transposeB ? b.columns : b.rows
  let n = transposeB ? b.rows : b.columns
  precondition(
    k == kb,
    "operator *: nonconformant arguments (op1 is \(transposeA ? "\(a.columns)×\(a.rows) (transposed)" : a.shape), "
      + "op2 is \(transposeB ? "\(b.columns)×\(b.rows) (transposed)" : b.shape))")
  var out = [Double](repeating: 0, count: m * n)
  if m == 0 || n == 0 || k == 0 { return Matrix(rows: m, columns: n, values: out) }
  a.values.withUnsafeBufferPointer { pa in
    b.values.withUnsafeBufferPointer { pb in
      out.withUnsafeMutableBufferPointer { pc in
        cblas_dgemm(
          CblasColMajor,
          transposeA ? CblasTrans : CblasNoTrans,
          transposeB ? CblasTrans : CblasNoTrans,
          blasInt(m), blasInt(n), blasInt(k),
          1.0,
          pa.baseAddress, blasInt(max(a.rows, 1)),
          pb.baseAddress, blasInt(max(b.rows, 1)),
          0.0,
          pc.baseAddress, blasInt(max(m, 1)))
      }
    }
  }
  return Matrix(rows: m, columns: n, values: out)
}

/// BLAS takes 32-bit sizes in this OpenBLAS build.
@inline(__always)
func blasInt(_ n: Int) -> blasint {
  precondition(n <= Int(blasint.max), "Matrix dimension \(n) is too large for BLAS")
  return blasint(n)
}

/// The OpenBLAS kernel doing this process's BLAS work (`Haswell`,
/// `SkylakeX`, `Cooperlake`, `Prescott`, …): OpenBLAS picks it for the
/// processor when it loads, or takes `OPENBLAS_CORETYPE`. Kernels add the
/// terms of a product in different orders, so results that depend on BLAS
/// rounding (fmincg's trajectory above all) are exact to the bit only for one
/// kernel; tests compare bit for bit only when the kernel that made a
/// fixture is the one running.
package enum BLASKernel {
  package static let current: String = String(cString: openblas_get_corename())
}
