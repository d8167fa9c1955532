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
/// are not). The loops are the C target `_NeuralNetworkKernels`.
package final class SparseInput: Sendable {
  /// [1 X]'s shape, m × (1 + n).
  package let rows: Int
  package let columns: Int
  /// The number of non-zero entries of [1 X].
  package let count: Int

  /// The entries' values, stored once per form: as one-byte codes into
  /// `table` when [1 X] has at most 256 distinct non-zero values (the
  /// course's 8-bit digits have 255 and the bias's 1), as doubles otherwise.
  /// A lookup is exact, so either way the loops add the same numbers in the
  /// same order. `table` is empty when the values are doubles.
  let table: [Double]

  /// By example (compressed sparse rows): example i's entries are
  /// `rowStart[i] ..< rowStart[i + 1]` of `weightRowOfEntry` and of
  /// `codeByRow` (or `valueByRow`), in increasing order of their column of
  /// [1 X] (0-based, 0 the bias), so that each sum adds its terms in column
  /// order. An entry holds its column's row in the forward product's packed
  /// weights (``packWeights(_:units:width:into:)``), not the column itself.
  let rowStart: [Int64]
  let weightRowOfEntry: [UInt16]
  let codeByRow: [UInt8]
  let valueByRow: [Double]

  /// Where column j of [1 X] sits in the forward product's packed weights,
  /// and which column each packed row holds. The columns go in decreasing
  /// order of their number of entries (ties in column order), so that the
  /// weights the forward product reads most often lie together and stay in
  /// the first-level cache: 75% of the course digits' entries fall in 117
  /// of the 401 columns, 26 KB of weights at 28 doubles a column, spread over
  /// all 90 KB in pixel order. The terms and their order are the same either
  /// way, so are the bits; the Performance article gives the time it saves.
  let weightRowOfColumn: [UInt16]
  let columnOfWeightRow: [UInt16]

  /// By column, one block of `blockRows` examples after another (compressed
  /// sparse columns per block): block b's entries in column j are
  /// `blockStart[b·(1 + n) + j] ..< blockStart[b·(1 + n) + j + 1]` of
  /// `rowInBlock` (the example's place in its block, in increasing order) and
  /// of `codeByColumn` (or `valueByColumn`). A block's errors stay in the
  /// processor's first-level cache while every column reads them.
  let blockStart: [Int64]
  let rowInBlock: [UInt16]
  let codeByColumn: [UInt8]
  let valueByColumn: [Double]
  let blockRows: Int
  let blocks: Int
  /// The number of entries in each column of [1 X].
  let nonZerosInColumn: [Int]

  /// Whether the values are codes into `table`.
  var isCoded: Bool { !table.isEmpty }

  /// Entry p's value in the by-example form.
  func valueInRow(_ p: Int) -> Double { isCoded ? table[Int(codeByRow[p])] : valueByRow[p] }

  /// Entry p's value in the by-column form.
  func valueInColumn(_ p: Int) -> Double { isCoded ? table[Int(codeByColumn[p])] : valueByColumn[p] }

  /// The largest number of columns of [1 X] the 16-bit column numbers hold.
  static let mostColumns = 1 << 16

  /// The sparse form of `X`, or nil when more than
  /// ``NetworkTuning/defaultSparseDensityLimit(width:)`` of its entries are
  /// non-zero or when [1 X] has more than ``mostColumns`` columns. The choice
  /// depends on the data only, never on the build, so that a debug and a
  /// release build compute the same numbers. `width` is the first hidden
  /// layer's stride, which sets the block size.
  package convenience init?(_ X: Matrix, width: Int) {
    let limit = NetworkTuning.defaultSparseDensityLimit(width: width)
    self.init(X, densityAtMost: limit, width: width)
  }

  /// The sparse form of `X` whatever the build, or nil above the density.
  /// Without `codes`, the values are doubles even when a byte could number
  /// them (for tests, which compare the two).
  ///
  /// X is read twice: once to count its non-zeros (a streaming pass the
  /// compiler vectorises), then block of examples by block, each block
  /// making its part of both forms while its rows of X are in cache: the
  /// by-column part from X, then the by-example part from the by-column
  /// part (a counting sort within the block).
  init?(_ X: Matrix, densityAtMost maximumDensity: Double, width: Int, codes: Bool = true) {
    let m = X.rows
    let n = X.columns
    let columns = 1 + n
    guard m > 0, columns <= Self.mostColumns else { return nil }
    let nonZerosOfX = X.withUnsafeBufferPointer { x in
      var count = 0
      for v in x { count += v != 0 ? 1 : 0 }
      return count
    }
    guard Double(nonZerosOfX) <= maximumDensity * Double(m) * Double(n) else { return nil }
    let nonZero = nonZerosOfX + m
    // Blocks of examples whose errors fit a 32 KB first-level cache, a power
    // of 2 from 64 (fewer leave too few entries per column) to 1024.
    var size = 64
    while size < 1024 && 2 * size * width * 8 <= 32_768 { size *= 2 }
    let blocks = (m + size - 1) / size
    let coded =
      codes
      ? X.withUnsafeBufferPointer { x in
        Builder(x: x.baseAddress!, m: m, n: n, nonZero: nonZero, blockRows: size, coded: true)
      } : nil
    let built =
      coded
      ?? X.withUnsafeBufferPointer { x in
        Builder(x: x.baseAddress!, m: m, n: n, nonZero: nonZero, blockRows: size, coded: false)!
      }
    rows = m
    self.columns = columns
    count = nonZero
    blockRows = size
    self.blocks = blocks
    table = built.table
    rowStart = built.rowStart
    weightRowOfEntry = built.weightRowOfEntry
    weightRowOfColumn = built.weightRowOfColumn
    columnOfWeightRow = built.columnOfWeightRow
    codeByRow = built.codeByRow
    valueByRow = built.valueByRow
    blockStart = built.blockStart
    rowInBlock = built.rowInBlock
    codeByColumn = built.codeByColumn
    valueByColumn = built.valueByColumn
    nonZerosInColumn = built.nonZerosInColumn
  }

  /// The columns of [1 X] cut into at most `count` consecutive ranges with
  /// about as many non-zeros each, for sharing the gradient between cores.
  /// Each column's sum is made wholly within one range, so the gradient does
  /// not depend on how many ranges there are or which core takes which.
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

  /// Theta1's columns (s × (1 + n), column-major, `theta`) laid out for
  /// ``forward(examples:weights:width:into:path:)``: column j in row
  /// `weightRowOfColumn[j]` of `weights`, rows `width` apart. The lanes past
  /// the s units are left as they are (the caller keeps them zero).
  package func packWeights(
    _ theta: UnsafePointer<Double>, units s: Int, width: Int, into weights: UnsafeMutablePointer<Double>
  ) {
    for j in 0..<columns { (weights + Int(weightRowOfColumn[j]) * width).update(from: theta + j * s, count: s) }
  }

  /// The column of [1 X] of the by-example entry p.
  func column(ofEntry p: Int) -> Int { Int(columnOfWeightRow[Int(weightRowOfEntry[p])]) }

  /// `out(:, i) = Σ_j A(i, j) · Theta1(:, j)` for the examples in
  /// `examples`, A = [1 X], each output column `width` apart (written, not
  /// added to). `weights` holds Theta1 as ``packWeights(_:units:width:into:)``
  /// lays it out, zero past the layer's units.
  package func forward(
    examples: Range<Int>, weights: UnsafePointer<Double>, width: Int, into out: UnsafeMutablePointer<Double>,
    path: KernelPath = .best
  ) {
    rowStart.withUnsafeBufferPointer { start in
      weightRowOfEntry.withUnsafeBufferPointer { weightRow in
        withValues(codeByRow, valueByRow) { code, table, value in
          nnl_sparse_forward(
            start.baseAddress, weightRow.baseAddress, code, table, value, examples.lowerBound, examples.upperBound,
            weights, width, out, path.rawValue)
        }
      }
    }
  }

  /// `out(:, j) = Σ_i A(i, j) · delta(:, i)` for the columns `columnRange` of
  /// A = [1 X], each output column `width` apart (written, not added to);
  /// `delta` has `width` values per example.
  ///
  /// With `blockRange`, only the examples of those blocks of ``blockRows``
  /// (block 0 writes `out`, later blocks add to it): calls for consecutive
  /// ranges, in order, give the same bits as one call for all the blocks, so
  /// a caller can start before the later blocks' `delta` is made.
  package func backward(
    columns columnRange: Range<Int>, blocks blockRange: Range<Int>? = nil, delta: UnsafePointer<Double>, width: Int,
    into out: UnsafeMutablePointer<Double>, path: KernelPath = .best
  ) {
    let blockRange = blockRange ?? 0..<blocks
    blockStart.withUnsafeBufferPointer { start in
      rowInBlock.withUnsafeBufferPointer { row in
        withValues(codeByColumn, valueByColumn) { code, table, value in
          nnl_sparse_backward(
            start.baseAddress, blockRange.lowerBound, blockRange.upperBound, columns, blockRows, row.baseAddress,
            code, table, value, columnRange.lowerBound, columnRange.upperBound, delta, width, out, path.rawValue)
        }
      }
    }
  }

  /// The C loops' value arguments for one form: its codes and the table, or
  /// no codes and its doubles.
  private func withValues<R>(
    _ codes: [UInt8], _ values: [Double],
    _ body: (UnsafePointer<UInt8>?, UnsafePointer<Double>?, UnsafePointer<Double>?) -> R
  ) -> R {
    codes.withUnsafeBufferPointer { code in
      table.withUnsafeBufferPointer { table in
        values.withUnsafeBufferPointer { value in
          body(isCoded ? code.baseAddress : nil, table.baseAddress, value.baseAddress)
        }
      }
    }
  }
}

/// Makes both sparse forms of [1 X] block of examples by block (see
/// ``SparseInput/init(_:densityAtMost:width:)``); with `coded`, fails when
/// X has more distinct values than a byte can number.
private struct Builder {
  var table: [Double] = []
  var rowStart: [Int64]
  /// Each by-example entry's column while the blocks are made, then its row
  /// of the packed weights.
  var weightRowOfEntry: [UInt16]
  var codeByRow: [UInt8] = []
  var valueByRow: [Double] = []
  var blockStart: [Int64]
  var rowInBlock: [UInt16]
  var codeByColumn: [UInt8] = []
  var valueByColumn: [Double] = []
  var nonZerosInColumn: [Int]
  var weightRowOfColumn: [UInt16] = []
  var columnOfWeightRow: [UInt16] = []

  init?(x: UnsafePointer<Double>, m: Int, n: Int, nonZero: Int, blockRows size: Int, coded: Bool) {
    let columns = 1 + n
    let blocks = (m + size - 1) / size
    rowStart = [Int64](repeating: 0, count: m + 1)
    weightRowOfEntry = [UInt16](repeating: 0, count: nonZero)
    blockStart = [Int64](repeating: 0, count: blocks * columns + 1)
    rowInBlock = [UInt16](repeating: 0, count: nonZero)
    nonZerosInColumn = [Int](repeating: 0, count: columns)
    if coded {
      codeByRow = [UInt8](repeating: 0, count: nonZero)
      codeByColumn = [UInt8](repeating: 0, count: nonZero)
    } else {
      valueByRow = [Double](repeating: 0, count: nonZero)
      valueByColumn = [Double](repeating: 0, count: nonZero)
    }
    var codes = ValueCodes()
    let biasCode = codes.code(of: 1) ?? 0
    // Each example's next place in the by-example form, for its block.
    var next = [Int64](repeating: 0, count: size)
    let ok = rowStart.withUnsafeMutableBufferPointer { rowStart in
      weightRowOfEntry.withUnsafeMutableBufferPointer { column in
        blockStart.withUnsafeMutableBufferPointer { start in
          rowInBlock.withUnsafeMutableBufferPointer { row in
            nonZerosInColumn.withUnsafeMutableBufferPointer { perColumn in
              codeByRow.withUnsafeMutableBufferPointer { codeByRow in
                codeByColumn.withUnsafeMutableBufferPointer { codeByColumn in
                  valueByRow.withUnsafeMutableBufferPointer { valueByRow in
                    valueByColumn.withUnsafeMutableBufferPointer { valueByColumn in
                      next.withUnsafeMutableBufferPointer { next in
                        var p = 0
                        for b in 0..<blocks {
                          let first = b * size
                          let rowsHere = min(first + size, m) - first
                          let blockFirst = p
                          // Every example's count starts with the bias column's 1.
                          for i in 0..<rowsHere { next[i] = 1 }
                          // By column: the bias column, then X's columns in order.
                          start[b * columns] = Int64(p)
                          for i in 0..<rowsHere {
                            row[p] = UInt16(i)
                            if coded { codeByColumn[p] = biasCode } else { valueByColumn[p] = 1 }
                            p += 1
                          }
                          perColumn[0] += rowsHere
                          for j in 0..<n {
                            start[b * columns + j + 1] = Int64(p)
                            let column = x + j * m + first
                            let columnFirst = p
                            for i in 0..<rowsHere {
                              let v = column[i]
                              if v != 0 {
                                row[p] = UInt16(i)
                                if coded {
                                  guard let code = codes.code(of: v) else { return false }
                                  codeByColumn[p] = code
                                } else {
                                  valueByColumn[p] = v
                                }
                                next[i] += 1
                                p += 1
                              }
                            }
                            perColumn[j + 1] += p - columnFirst
                          }
                          // By example: counts to places, then the by-column entries dealt to their examples.
                          var place = Int64(blockFirst)
                          for i in 0..<rowsHere {
                            rowStart[first + i] = place
                            let count = next[i]
                            next[i] = place
                            place += count
                          }
                          rowStart[first + rowsHere] = place
                          for j in 0..<columns {
                            let end = j + 1 < columns ? Int(start[b * columns + j + 1]) : p
                            for q in Int(start[b * columns + j])..<end {
                              let i = Int(row[q])
                              let target = Int(next[i])
                              column[target] = UInt16(j)
                              if coded {
                                codeByRow[target] = codeByColumn[q]
                              } else {
                                valueByRow[target] = valueByColumn[q]
                              }
                              next[i] += 1
                            }
                          }
                        }
                        start[blocks * columns] = Int64(p)
                        return true
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    guard ok else { return nil }
    if coded { table = codes.values }
    // The packed weights' order (see SparseInput.weightRowOfColumn), then
    // each by-example entry's column replaced by its row there.
    let counts = nonZerosInColumn
    columnOfWeightRow = (0..<columns).sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }
      .map { UInt16($0) }
    weightRowOfColumn = [UInt16](repeating: 0, count: columns)
    for (row, j) in columnOfWeightRow.enumerated() { weightRowOfColumn[Int(j)] = UInt16(row) }
    weightRowOfColumn.withUnsafeBufferPointer { rowOf in
      weightRowOfEntry.withUnsafeMutableBufferPointer { entry in
        for p in entry.indices { entry[p] = rowOf[Int(entry[p])] }
      }
    }
  }
}

/// Numbers for up to 256 distinct doubles, by bit pattern (so exact, and a
/// NaN keeps its bits), in an open-addressing hash table of 1024 places.
private struct ValueCodes {
  private var keys = [UInt64](repeating: 0, count: 1024)
  private var slots = [Int16](repeating: -1, count: 1024)
  /// The doubles numbered so far, in the order of their numbers.
  private(set) var values: [Double] = []

  /// v's number, a new one when v is new, or nil when 256 are taken.
  mutating func code(of v: Double) -> UInt8? {
    let bits = v.bitPattern
    var place = Int(truncatingIfNeeded: (bits &* 0x9E37_79B9_7F4A_7C15) >> 54)
    while true {
      let slot = slots[place]
      if slot < 0 {
        guard values.count < 256 else { return nil }
        keys[place] = bits
        slots[place] = Int16(values.count)
        values.append(v)
        return UInt8(values.count - 1)
      }
      if keys[place] == bits { return UInt8(slot) }
      place = (place + 1) & 1023
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

/// Which of the C loops run: the portable ones, or those for AVX2 with FMA,
/// or for AVX-512. ``best`` is the best the processor has, found once; the
/// engine always runs it, and tests run every path the processor can to
/// compare them (a path the processor lacks runs as the best it has).
package enum KernelPath: Int32, CaseIterable, Sendable {
  case portable = 0
  case avx2 = 1
  case avx512 = 2

  /// The best path this processor runs.
  package static let best = KernelPath(rawValue: nnl_best_path()) ?? .portable

  /// Every path this processor runs, portable first.
  package static var available: [KernelPath] { allCases.filter { $0.rawValue <= best.rawValue } }
}
