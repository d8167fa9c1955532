/// A dense real matrix stored column-major, exactly as Octave stores one.
///
/// An `rows × columns` matrix keeps its elements in ``values``, column after
/// column: element (i, j) is `values[(i - 1) + (j - 1) * rows]`. That array is
/// handed to BLAS (`CblasColMajor`, leading dimension `rows`) and to libmatio
/// as it is, without copying or reordering.
///
/// **Subscripts are 1-based, as in Octave.** `A[1, 1]` is the top-left
/// element, `A[rows, columns]` the bottom-right, and `A[k]` the k-th element
/// in column-major order (Octave's linear index `A(k)`). A subscript outside
/// the matrix stops the program with a message naming the shape and the
/// index, e.g. `Matrix index (3, 1) out of bounds for a 2×3 matrix`.
///
/// Octave idioms and their spelling here:
///
/// | Octave | Swift |
/// |---|---|
/// | `reshape(v, r, c)` | `reshape(v, r, c)` |
/// | `A(:)` | `A.unrolled` |
/// | `[A(:); B(:)]` | `unroll(A, B)` |
/// | `v(a:b)` | `v[a...b]` |
/// | `[ones(m, 1) X]` | `X.prependingOnes()` |
/// | `Theta(:, 2:end)` | `Theta[columns: 2...]` |
/// | `X(sel, :)` | `X[rows: sel]` |
/// | `A'` | `A.transposed()` |
/// | `A * B` | `A * B` (BLAS `dgemm`) |
/// | `A .* B`, `A ./ B` | `A .* B`, `A ./ B` |
/// | `exp(A)`, `log(A)` | `exp(A)`, `log(A)` |
/// | `sum(A(:))`, `sum(A)`, `sum(A, 2)` | `A.sum()`, `sum(A)`, `sum(A, 2)` |
/// | `[~, p] = max(A, [], 2)` | `A.indexOfMaximumInEachRow()` |
public struct Matrix: Equatable, Hashable, Sendable {
  /// The number of rows.
  public let rows: Int
  /// The number of columns.
  public let columns: Int
  /// The elements in column-major order; `values.count == rows * columns`.
  public private(set) var values: [Double]

  /// A matrix with the given column-major elements.
  ///
  /// - Precondition: `values.count == rows * columns`.
  public init(rows: Int, columns: Int, values: [Double]) {
    precondition(
      rows >= 0 && columns >= 0,
      "Matrix dimensions must not be negative (got \(rows)×\(columns))")
    precondition(
      values.count == rows * columns,
      "A \(rows)×\(columns) matrix needs \(rows * columns) values, got \(values.count)")
    self.rows = rows
    self.columns = columns
    self.values = values
  }

  /// A matrix with every element equal to `value`.
  public init(rows: Int, columns: Int, repeating value: Double) {
    self.init(rows: rows, columns: columns, values: Array(repeating: value, count: rows * columns))
  }

  /// A matrix written the way it reads, one inner array per row
  /// (`Matrix([[1, 3, 5], [2, 4, 6]])` is Octave's `[1 3 5; 2 4 6]`).
  public init(_ rowsOfValues: [[Double]]) {
    let r = rowsOfValues.count
    let c = rowsOfValues.first?.count ?? 0
    precondition(
      rowsOfValues.allSatisfy { $0.count == c },
      "Every row of a matrix literal must have the same length")
    var values = [Double](repeating: 0, count: r * c)
    for i in 0..<r {
      for j in 0..<c { values[i + j * r] = rowsOfValues[i][j] }
    }
    self.init(rows: r, columns: c, values: values)
  }

  /// A column vector (n×1), like Octave's `v(:)`.
  public init(column: [Double]) {
    self.init(rows: column.count, columns: 1, values: column)
  }

  /// A row vector (1×n).
  public init(row: [Double]) {
    self.init(rows: 1, columns: row.count, values: row)
  }

  /// Octave's `zeros(rows, columns)`.
  public static func zeros(_ rows: Int, _ columns: Int) -> Matrix {
    Matrix(rows: rows, columns: columns, repeating: 0)
  }

  /// Octave's `eye(n)`: the n × n identity matrix.
  public static func eye(_ n: Int) -> Matrix {
    var I = zeros(n, n)
    for k in stride(from: 0, to: n * n, by: n + 1) { I.values[k] = 1 }
    return I
  }

  /// Octave's `ones(rows, columns)`.
  public static func ones(_ rows: Int, _ columns: Int) -> Matrix {
    Matrix(rows: rows, columns: columns, repeating: 1)
  }

  /// The number of elements, `rows * columns` (Octave's `numel`).
  public var count: Int { values.count }

  /// `(rows, columns)`, like Octave's `size`.
  public var size: (rows: Int, columns: Int) { (rows, columns) }

  /// The shape as text, `"25×401"`.
  public var shape: String { "\(rows)×\(columns)" }

  /// Whether the matrix has no elements.
  public var isEmpty: Bool { values.isEmpty }
}

// MARK: - Subscripts

extension Matrix {
  /// Element (i, j), 1-based: `A[i, j]` is Octave's `A(i, j)`.
  public subscript(i: Int, j: Int) -> Double {
    get {
      checkIndex(i, j)
      return values[(i - 1) + (j - 1) * rows]
    }
    set {
      checkIndex(i, j)
      values[(i - 1) + (j - 1) * rows] = newValue
    }
  }

  /// Element k in column-major order, 1-based: Octave's linear index `A(k)`.
  public subscript(k: Int) -> Double {
    get {
      checkLinearIndex(k)
      return values[k - 1]
    }
    set {
      checkLinearIndex(k)
      values[k - 1] = newValue
    }
  }

  /// Elements a…b in column-major order, as a column vector: Octave's `v(a:b)`.
  public subscript<R: RangeExpression>(range: R) -> Matrix where R.Bound == Int {
    let r = Matrix.positions(range, upTo: count, check: checkLinearIndex)
    return Matrix(column: Array(values[(r.lowerBound - 1)..<(r.upperBound - 1)]))
  }

  /// A range of whole columns, 1-based: `Theta[columns: 2...]` is Octave's
  /// `Theta(:, 2:end)`.
  public subscript<R: RangeExpression>(columns range: R) -> Matrix where R.Bound == Int {
    let r = Matrix.positions(range, upTo: columns, check: checkColumnIndex)
    let start = (r.lowerBound - 1) * rows
    let end = (r.upperBound - 1) * rows
    return Matrix(rows: rows, columns: r.count, values: Array(values[start..<end]))
  }

  /// The rows listed in `selection` (1-based, in that order, repeats allowed):
  /// `X[rows: sel]` is Octave's `X(sel, :)`.
  public subscript(rows selection: [Int]) -> Matrix {
    for i in selection { checkRowIndex(i) }
    let n = selection.count
    var out = [Double](repeating: 0, count: n * columns)
    for j in 0..<columns {
      let source = j * rows
      let target = j * n
      for (k, i) in selection.enumerated() { out[target + k] = values[source + i - 1] }
    }
    return Matrix(rows: n, columns: columns, values: out)
  }

  /// Row i (1-based) as a 1×columns matrix: Octave's `A(i, :)`.
  public func row(_ i: Int) -> Matrix { self[rows: [i]] }

  /// The 1-based positions `range` covers among `1...last`, as a half-open
  /// range, after `check` has stopped the program for any of them outside.
  /// (`RangeExpression.relative(to:)` would stop first, for a closed or
  /// partial range reaching outside, with no more than "Index out of bounds".)
  private static func positions<R: RangeExpression>(_ range: R, upTo last: Int, check: (Int) -> Void) -> Range<Int>
  where R.Bound == Int {
    let r: Range<Int>
    switch range {
    case let closed as ClosedRange<Int>:
      r = closed.lowerBound..<(closed.upperBound + 1)
    case let from as PartialRangeFrom<Int>:
      if from.lowerBound != last + 1 { check(from.lowerBound) }
      r = from.lowerBound..<max(from.lowerBound, last + 1)
    case let through as PartialRangeThrough<Int>:
      r = 1..<max(through.upperBound + 1, 1)
    case let upTo as PartialRangeUpTo<Int>:
      r = 1..<max(upTo.upperBound, 1)
    default:
      r = range.relative(to: 1..<(last + 1))
    }
    if !r.isEmpty {
      check(r.lowerBound)
      check(r.upperBound - 1)
    }
    return r
  }

  private func checkIndex(_ i: Int, _ j: Int) {
    precondition(
      i >= 1 && i <= rows && j >= 1 && j <= columns,
      "Matrix index (\(i), \(j)) out of bounds for a \(rows)×\(columns) matrix (subscripts are 1-based)")
  }

  private func checkColumnIndex(_ j: Int) {
    precondition(
      j >= 1 && j <= columns,
      "Matrix column \(j) out of bounds for a \(rows)×\(columns) matrix (subscripts are 1-based)")
  }

  private func checkRowIndex(_ i: Int) {
    precondition(
      i >= 1 && i <= rows,
      "Matrix row \(i) out of bounds for a \(rows)×\(columns) matrix (subscripts are 1-based)")
  }

  private func checkLinearIndex(_ k: Int) {
    precondition(
      k >= 1 && k <= count,
      "Matrix index \(k) out of bounds for a \(rows)×\(columns) matrix with \(count) elements (subscripts are 1-based)")
  }
}

// MARK: - Unrolling and reshaping

extension Matrix {
  /// All elements as one column, column-major: Octave's `A(:)`.
  public var unrolled: Matrix { Matrix(column: values) }

  /// The same elements read into a new shape, column-major: Octave's
  /// `reshape(A, rows, columns)`.
  public func reshaped(_ rows: Int, _ columns: Int) -> Matrix {
    precondition(
      rows * columns == count,
      "reshape: can't reshape \(self.rows)×\(self.columns) array to \(rows)×\(columns) array")
    return Matrix(rows: rows, columns: columns, values: values)
  }

  /// `[ones(m, 1) A]`: the matrix with a column of ones put in front.
  public func prependingOnes() -> Matrix { prependingColumn(of: 1) }

  /// `[value * ones(m, 1) A]`: the matrix with a column of `value` put in
  /// front; `[zeros(m, 1) Theta(:, 2:end)]` is `Theta[columns: 2...].prependingColumn(of: 0)`.
  public func prependingColumn(of value: Double) -> Matrix {
    var out = [Double](repeating: value, count: rows)
    out.reserveCapacity(rows * (columns + 1))
    out.append(contentsOf: values)
    return Matrix(rows: rows, columns: columns + 1, values: out)
  }

  /// The transpose: Octave's `A'`.
  public func transposed() -> Matrix {
    var out = [Double](repeating: 0, count: count)
    let r = rows
    let c = columns
    let block = 32
    values.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        var jb = 0
        while jb < c {
          var ib = 0
          while ib < r {
            for j in jb..<min(jb + block, c) {
              for i in ib..<min(ib + block, r) { dst[j + i * c] = src[i + j * r] }
            }
            ib += block
          }
          jb += block
        }
      }
    }
    return Matrix(rows: c, columns: r, values: out)
  }

  /// Calls `body` with the column-major storage, for BLAS and C libraries.
  public func withUnsafeBufferPointer<T>(_ body: (UnsafeBufferPointer<Double>) throws -> T) rethrows -> T {
    try values.withUnsafeBufferPointer(body)
  }

  /// Calls `body` with the column-major storage, writable, for BLAS and C libraries.
  public mutating func withUnsafeMutableBufferPointer<T>(
    _ body: (inout UnsafeMutableBufferPointer<Double>) throws -> T
  ) rethrows -> T {
    try values.withUnsafeMutableBufferPointer(body)
  }
}

/// Octave's `reshape(v, rows, columns)`: the elements of `values`, in
/// column-major order, read into a `rows × columns` matrix. So
/// `reshape(Matrix(column: [1, 2, 3, 4, 5, 6]), 2, 3)` is `[1 3 5; 2 4 6]`.
public func reshape(_ values: Matrix, _ rows: Int, _ columns: Int) -> Matrix {
  values.reshaped(rows, columns)
}

/// Octave's `reshape(v, rows, columns)` for a plain column-major array.
public func reshape(_ values: [Double], _ rows: Int, _ columns: Int) -> Matrix {
  precondition(
    rows * columns == values.count,
    "reshape: can't reshape \(values.count)×1 array to \(rows)×\(columns) array")
  return Matrix(rows: rows, columns: columns, values: values)
}

/// `[A(:); B(:); …]`: every matrix unrolled column-major, one after another,
/// in one column vector. The course's `nn_params = [Theta1(:); Theta2(:)]`.
public func unroll(_ matrices: Matrix...) -> Matrix {
  unroll(matrices)
}

/// `[A(:); B(:); …]` for an array of matrices.
public func unroll(_ matrices: [Matrix]) -> Matrix {
  var out: [Double] = []
  out.reserveCapacity(matrices.reduce(0) { $0 + $1.count })
  for m in matrices { out.append(contentsOf: m.values) }
  return Matrix(column: out)
}

/// The inverse of ``unroll(_:)-(Matrix...)``: cuts the column vector `v` into
/// consecutive column-major blocks of the given shapes, as the course does with
/// `reshape(nn_params(1:a), r1, c1)`, `reshape(nn_params(a+1:end), r2, c2)`.
///
/// - Precondition: the shapes account for every element of `v`.
public func roll(_ v: Matrix, into shapes: [(rows: Int, columns: Int)]) -> [Matrix] {
  let needed = shapes.reduce(0) { $0 + $1.rows * $1.columns }
  precondition(
    needed == v.count,
    "The unrolled parameters have \(v.count) elements but the shapes "
      + shapes.map { "\($0.rows)×\($0.columns)" }.joined(separator: ", ") + " need \(needed)")
  var start = 0
  return shapes.map { shape in
    let n = shape.rows * shape.columns
    defer { start += n }
    return Matrix(rows: shape.rows, columns: shape.columns, values: Array(v.values[start..<(start + n)]))
  }
}

// MARK: - Printing

extension Matrix: CustomStringConvertible {
  /// The rows shown by ``description`` before it leaves the rest out.
  public static let describedRows = 20
  /// The columns shown by ``description`` before it leaves the rest out.
  public static let describedColumns = 10

  /// A line with the shape, then every entry laid out in aligned columns as
  /// Octave's `disp` prints them (`format short`); beyond
  /// ``describedRows`` rows or ``describedColumns`` columns only the top left
  /// corner is shown, and a last line says how many rows and columns are
  /// left out.
  public var description: String {
    let header = "\(rows)×\(columns) Matrix"
    guard rows > 0 && columns > 0 else { return header }
    let shownRows = Swift.min(rows, Self.describedRows)
    let shownColumns = Swift.min(columns, Self.describedColumns)
    let shown =
      shownRows == rows && shownColumns == columns
      ? self : self[rows: Array(1...shownRows)][columns: 1...shownColumns]
    var text = header + "\n" + octaveDisplay(shown)
    var omitted: [String] = []
    if shownRows < rows { omitted.append("\(rows - shownRows) more rows") }
    if shownColumns < columns { omitted.append("\(columns - shownColumns) more columns") }
    if !omitted.isEmpty {
      text += "(\(omitted.joined(separator: " and ")) not shown; the first \(shownRows)×\(shownColumns) above)\n"
    }
    return String(text.dropLast())
  }
}
