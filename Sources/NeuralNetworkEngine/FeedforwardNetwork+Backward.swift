import OctaveCore
internal import CBLAS
internal import _NeuralNetworkKernels
import Foundation

// Pass 4 and 5 of FeedforwardNetwork: backpropagation and the gradients.

extension FeedforwardNetwork {
  /// Pass 4 for one chunk: delta(l)ᵀ = (Theta(l)(:, 2:end)ᵀ · delta(l+1)ᵀ)
  /// .* g′ back to l = 2, and the chunk's share of Theta_grad(l) =
  /// delta(l+1)ᵀ · a(l) for l ≥ 2.
  func backpropagation(slot: Int, examples: Range<Int>, in w: NetworkWorkspace) {
    let first = examples.lowerBound
    let count = examples.count
    for l in stride(from: L - 1, through: 2, by: -1) {
      let s = w.sizes[l]
      let next = Theta[l].rows
      let delta = w.z[l].pointer + first * w.zStride[l]
      let nextDelta = w.z[l + 1].pointer + first * w.zStride[l + 1]
      Theta[l].withUnsafeBufferPointer { theta in
        gemm(
          transposeA: true, transposeB: false, s, count, next, address(theta) + next, next, nextDelta,
          w.zStride[l + 1], delta, w.zStride[l])
      }
      multiplyByActivationGradient(
        delta: delta, stride: w.zStride[l], activations: w.a[l].pointer + first * (1 + s), units: s, examples: count)
      gemm(
        transposeA: false, transposeB: true, next, 1 + s, count, nextDelta, w.zStride[l + 1],
        w.a[l].pointer + first * (1 + s), 1 + s,
        w.partialGradients.pointer + slot * w.partialSize + w.partialOffset[l], next)
    }
  }

  /// delta .*= g′(z), with g′ from the activations a (after their bias
  /// row): a(1 − a) for the sigmoid, 1 − a² for tanh.
  func multiplyByActivationGradient(
    delta: UnsafeMutablePointer<Double>, stride: Int, activations a: UnsafePointer<Double>, units s: Int,
    examples: Int
  ) {
    var i = 0
    while i < examples {
      let di = delta + i * stride
      let ai = a + i * (1 + s) + 1
      var k = 0
      switch hiddenActivation {
      case .sigmoid:
        while k < s {
          di[k] = di[k] * (ai[k] * (1 - ai[k]))
          k += 1
        }
      case .tanh:
        while k < s {
          di[k] = di[k] * (1 - ai[k] * ai[k])
          k += 1
        }
      }
      i += 1
    }
  }

  /// The unrolled gradient: Theta_grad(1) = delta(2)ᵀ · [1 X] by the sparse
  /// loops (`sparseMade`: already, in the chunks' pass) or BLAS, the others
  /// from the chunks' shares, each divided by m and regularised off the bias
  /// column.
  func gradient(in w: NetworkWorkspace, lambda: Double, sparseMade: Bool) -> Matrix {
    let m = w.m
    var grad = [Double](repeating: 0, count: Theta[1...].reduce(0) { $0 + $1.count })
    grad.withUnsafeMutableBufferPointer { g in
      var D = g.baseAddress ?? placeholder
      for l in 1..<L {
        let count = Theta[l].count
        if l == 1 {
          firstLayerGradient(in: w, sparseMade: sparseMade, into: D)
        } else {
          // The chunks' shares, added in chunk order as the waves went.
          D.update(from: w.partialTotal.pointer + w.partialOffset[l], count: count)
        }
        // Divide by m; regularise every column but the bias column.
        let rows = Theta[l].rows
        let r = lambda / Double(m)
        Theta[l].withUnsafeBufferPointer { theta in
          var k = 0
          while k < count {
            D[k] = D[k] / Double(m)
            if k >= rows { D[k] += r * theta[k] }
            k += 1
          }
        }
        D += count
      }
    }
    return Matrix(column: grad)
  }

  /// The pieces the sparse loops' Theta_grad(1) is shared between the cores
  /// in: several ranges of columns per core (``SparseInput/columnRanges(_:)``),
  /// handed out as the cores come free, each reading delta(2) once, block by
  /// block. nil without the sparse loops, or when the work is too small to
  /// share (one core then makes every column).
  func sparseGradientPieces(in w: NetworkWorkspace) -> [Range<Int>]? {
    guard let sparse = w.sparse, w.m * w.zStride[2] >= 16_384 else { return nil }
    let ranges = sparse.columnRanges(w.gradientPieces)
    return ranges.count > 1 ? ranges : nil
  }

  /// The sparse loops' delta(2)ᵀ · [1 X] for the columns `columns` of
  /// [1 X], into the packed gradient. `asChunksFinish`: in the chunks' pass
  /// (``NetworkWorkspace/forEachChunk(_:thenPieces:_:)``), each block of
  /// examples once the chunks holding it are done, as many blocks at a time
  /// as are ready; the blocks in order either way, so the same sums.
  func sparseGradient(columns: Range<Int>, asChunksFinish: Bool, in w: NetworkWorkspace) {
    guard let sparse = w.sparse else { return }
    let (delta2, stride2, packed) = (UnsafePointer(w.z[2].pointer), w.zStride[2], w.packedGradient.pointer)
    guard asChunksFinish else {
      sparse.backward(columns: columns, delta: delta2, width: stride2, into: packed)
      return
    }
    let (m, rows) = (w.m, sparse.blockRows)
    var knownChunks = 0
    var block = 0
    repeat {
      let done = w.examplesDone(atLeast: min((block + 1) * rows, m), knownChunks: &knownChunks)
      let end = done >= m ? sparse.blocks : done / rows
      sparse.backward(columns: columns, blocks: block..<end, delta: delta2, width: stride2, into: packed)
      block = end
    } while block < sparse.blocks
  }

  /// delta(2)ᵀ · [1 X] into `D` (s(2) × (1 + n)), by the sparse loops
  /// (`sparseMade`: made already) or by BLAS (the bias column as delta(2)ᵀ ·
  /// ones). The sparse loops' result is used only when every chunk's
  /// delta(2) is finite.
  func firstLayerGradient(in w: NetworkWorkspace, sparseMade: Bool, into D: UnsafeMutablePointer<Double>) {
    let m = w.m
    let n = w.X.columns
    let s2 = Theta[1].rows
    let stride2 = w.zStride[2]
    let delta2 = w.z[2].pointer
    if let sparse = w.sparse, UnsafeBufferPointer(start: w.chunkFinite.pointer, count: w.chunks).allSatisfy({ $0 == 1 })
    {
      if !sparseMade {
        if let pieces = sparseGradientPieces(in: w) {
          NetworkWorkspace.inParallel(pieces.count) {
            sparseGradient(columns: pieces[$0], asChunksFinish: false, in: w)
          }
        } else {
          sparseGradient(columns: 0..<sparse.columns, asChunksFinish: false, in: w)
        }
      }
      let packed = w.packedGradient.pointer
      for j in 0...n { (D + j * s2).update(from: packed + j * stride2, count: s2) }
      return
    }
    if m > 0 {
      cblas_dgemv(
        CblasColMajor, CblasNoTrans, blasInt(s2), blasInt(m), 1, delta2, blasInt(stride2), w.ones.pointer, 1, 0, D, 1)
    }
    w.X.withUnsafeBufferPointer { x in
      gemm(transposeA: false, transposeB: false, s2, n, m, delta2, stride2, address(x), m, D + s2, s2)
    }
  }

  /// Σ Theta(:, 2:end).²: every weight but the bias column's, through BLAS.
  func sumOfSquaresWithoutBiasColumn(_ theta: Matrix) -> Double {
    let count = theta.count - theta.rows
    guard count > 0 else { return 0 }
    return theta.withUnsafeBufferPointer { t in
      cblas_ddot(blasInt(count), address(t) + theta.rows, 1, address(t) + theta.rows, 1)
    }
  }
}
