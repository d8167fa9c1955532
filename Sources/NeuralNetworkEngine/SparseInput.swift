import OctaveCore
internal import _NeuralNetworkKernels
import Foundation

/// The non-zero entries of `[1 X]` for an input matrix X, kept twice: by
/// example (for the forward product) and by column within blocks of examples
/// (for the gradient), so that the first layer's two products visit only them.
///
/// About 75% of the course's pixels are exactly zero. With X m × n, Theta1
/// s × (1 + n) and `delta2` the first hidden layer's errors (one example per
/// column here):
///
///     z2(:, i)          = Σ_{j : A(i, j) ≠ 0} A(i, j) · Theta1(:, j)        A = [1 X]
///     Theta1_grad(:, j) = Σ_{i : A(i, j) ≠ 0} A(i, j) · delta2(:, i)        (before the 1/m)
///
/// which are `[1 X] · Theta1ᵀ` and `delta2ᵀ · [1 X]` with the zero terms
/// left out. Only exact zeros are skipped, so the result is the dense
/// product's up to the order of the additions, as long as Theta1 and
/// `delta2` are finite (0 · Inf is NaN, not 0: the caller uses BLAS when they
/// are not). The loops are the C target `CNeuralNetworkKernels`.
final class SparseInput: Sendable {
  /// [1 X]'s shape, m × (1 + n).
  let rows: Int
  let columns: Int
  /// The number of non-zero entries of [1 X].
  let count: Int

  /// By example (compressed sparse rows): example i's entries are
  /// `rowStart[i] ..< rowStart[i + 1]` of `columnOfEntry` (0-based column of
  /// [1 X], 0 the bias) and `valueByRow`.
  let rowStart: [Int64]
  let columnOfEntry: [Int32]
  let valueByRow: [Double]

  /// By column, one block of `blockRows` examples after another (compressed
  /// sparse columns per block): block b's entries in column j are
  /// `blockStart[b·(1 + n) + j] ..< blockStart[b·(1 + n) + j + 1]` of
  /// `rowOfEntry` (0-based example) and `valueByColumn`, in example order.
  /// A block's errors stay in the processor's first-level cache while every
  /// column reads them.
  let blockStart: [Int64]
  let rowOfEntry: [Int32]
  let valueByColumn: [Double]
  let blockRows: Int
  let blocks: Int
  /// The number of entries in each column of [1 X].
  let nonZerosInColumn: [Int]

  /// The sparse form of `X`, or nil when more than
  /// ``NetworkTuning/defaultSparseDensityLimit(width:)`` of its entries are
  /// non-zero or when it is too large for 32-bit indices. The choice depends
  /// on the data only, never on the build, so that a debug and a release
  /// build compute the same numbers. `width` is the first hidden layer's
  /// stride, which sets the block size.
  convenience init?(_ X: Matrix, width: Int) {
    let limit = NetworkTuning.defaultSparseDensityLimit(width: width)
    self.init(X, densityAtMost: limit, width: width)
  }

  /// The sparse form of `X` whatever the build, or nil above the density.
  init?(_ X: Matrix, densityAtMost maximumDensity: Double, width: Int) {
    let m = X.rows
    let n = X.columns
    guard m > 0, m < Int(Int32.max), n < Int(Int32.max) else { return nil }
    // Every example starts with the bias column's 1.
    var perRow = [Int64](repeating: 1, count: m + 1)
    perRow[0] = 0
    X.withUnsafeBufferPointer { x in
      for j in 0..<n {
        for i in 0..<m where x[i + j * m] != 0 { perRow[i + 1] += 1 }
      }
    }
    let nonZero = Int(perRow.reduce(0, +))
    guard Double(nonZero - m) <= maximumDensity * Double(m) * Double(n) else { return nil }
    let columns = 1 + n
    rows = m
    self.columns = columns
    count = nonZero

    // By example: counts to starts, then each column's entries dealt to their rows.
    for i in 0..<m { perRow[i + 1] += perRow[i] }
    var column = [Int32](repeating: 0, count: nonZero)
    var byRow = [Double](repeating: 0, count: nonZero)
    var next = perRow
    for i in 0..<m {
      byRow[Int(next[i])] = 1
      next[i] += 1
    }
    // Blocks of examples whose errors fit a 32 KB first-level cache, a power
    // of 2 from 64 (fewer leave too few entries per column) to 1024.
    var size = 64
    while size < 1024 && 2 * size * width * 8 <= 32_768 { size *= 2 }
    blockRows = size
    let blocks = (m + size - 1) / size
    self.blocks = blocks
    var start = [Int64](repeating: 0, count: blocks * columns + 1)
    var row = [Int32](repeating: 0, count: nonZero)
    var byColumn = [Double](repeating: 0, count: nonZero)
    X.withUnsafeBufferPointer { x in
      for j in 0..<n {
        for i in 0..<m {
          let v = x[i + j * m]
          if v != 0 {
            let p = Int(next[i])
            column[p] = Int32(j + 1)
            byRow[p] = v
            next[i] += 1
          }
        }
      }
      // By column within each block of examples, the bias column first.
      var p = 0
      for b in 0..<blocks {
        let first = b * size
        let end = min(first + size, m)
        start[b * columns] = Int64(p)
        for i in first..<end {
          row[p] = Int32(i)
          byColumn[p] = 1
          p += 1
        }
        for j in 0..<n {
          start[b * columns + j + 1] = Int64(p)
          for i in first..<end {
            let v = x[i + j * m]
            if v != 0 {
              row[p] = Int32(i)
              byColumn[p] = v
              p += 1
            }
          }
        }
      }
      start[blocks * columns] = Int64(p)
    }
    var perColumn = [Int](repeating: 0, count: columns)
    for b in 0..<blocks {
      for j in 0..<columns { perColumn[j] += Int(start[b * columns + j + 1] - start[b * columns + j]) }
    }
    nonZerosInColumn = perColumn
    rowStart = perRow
    columnOfEntry = column
    valueByRow = byRow
    blockStart = start
    rowOfEntry = row
    valueByColumn = byColumn
  }

  /// The columns of [1 X] cut into at most `count` consecutive ranges with
  /// about as many non-zeros each, for sharing the gradient between cores:
  /// each range reads every example's errors once.
  func columnRanges(_ count: Int) -> [Range<Int>] {
    guard count > 1 else { return [0..<columns] }
    let perColumn = nonZerosInColumn
    let total = self.count
    var ranges: [Range<Int>] = []
    var start = 0
    var sum = 0
    for j in 0..<columns {
      sum += perColumn[j]
      if sum * count >= (ranges.count + 1) * total && ranges.count < count - 1 {
        ranges.append(start..<(j + 1))
        start = j + 1
      }
    }
    ranges.append(start..<columns)
    return ranges.filter { !$0.isEmpty }
  }

  /// `out(:, i) = Σ_j A(i, j) · weights(:, j)` for the examples in
  /// `examples`, A = [1 X], each output column `width` apart. `weights` holds
  /// Theta1's columns `width` apart, zero past the layer's units.
  func forward(
    examples: Range<Int>, weights: UnsafePointer<Double>, width: Int, into out: UnsafeMutablePointer<Double>,
    vectorUnits: Bool = true
  ) {
    rowStart.withUnsafeBufferPointer { start in
      columnOfEntry.withUnsafeBufferPointer { column in
        valueByRow.withUnsafeBufferPointer { value in
          nnl_sparse_forward(
            start.baseAddress, column.baseAddress, value.baseAddress, examples.lowerBound, examples.upperBound,
            weights, width, out, vectorUnits ? 1 : 0)
        }
      }
    }
  }

  /// `out(:, j) = Σ_i A(i, j) · delta(:, i)` for the columns `columnRange` of
  /// A = [1 X], each output column `width` apart; `delta` has `width` values
  /// per example.
  func backward(
    columns columnRange: Range<Int>, delta: UnsafePointer<Double>, width: Int, into out: UnsafeMutablePointer<Double>,
    vectorUnits: Bool = true
  ) {
    blockStart.withUnsafeBufferPointer { start in
      rowOfEntry.withUnsafeBufferPointer { row in
        valueByColumn.withUnsafeBufferPointer { value in
          nnl_sparse_backward(
            start.baseAddress, blocks, columns, row.baseAddress, value.baseAddress, columnRange.lowerBound,
            columnRange.upperBound, delta, width, out, vectorUnits ? 1 : 0)
        }
      }
    }
  }
}

/// The engine's tuning, measured by `ex4-bench`.
package enum NetworkTuning {
  /// The density up to which the sparse loops are used for a first hidden
  /// layer of `width` units (rounded up to a multiple of 4): 0.6 up to 32
  /// units, 0.4 above. `ex4-bench --density-sweep` measured the loops ahead
  /// of BLAS up to a density of about 0.8 for 25 units (BLAS's products are
  /// slow for so narrow a layer) and about 0.45 for 100 units; the limits
  /// stay below both.
  package static func defaultSparseDensityLimit(width: Int) -> Double {
    width <= 32 ? 0.6 : 0.4
  }
}
