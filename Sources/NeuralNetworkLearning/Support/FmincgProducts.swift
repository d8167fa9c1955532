internal import CBLAS
import Foundation

// What fmincg computes with, each rounding the way Octave's does: the dot
// products through BLAS (in blocks, so that they do not depend on the number
// of threads) and the two elementwise updates.

/// The vector products fmincg rounds through: `a' * b` and `v' * v`.
package struct FmincgProducts {
  package var dot: (Matrix, Matrix) -> Double
  package var selfDot: (Matrix) -> Double

  package init(dot: @escaping (Matrix, Matrix) -> Double, selfDot: @escaping (Matrix) -> Double) {
    self.dot = dot
    self.selfDot = selfDot
  }

  /// BLAS's, as Octave computes them (the default).
  package static var blas: FmincgProducts { FmincgProducts(dot: blasDot, selfDot: blasSelfDot) }
}

/// Dot products longer than this are summed block by block (see ``blasDot(_:_:)``).
let fmincgDotBlock = 8192

/// `a' * b` for two vectors through BLAS `ddot`, as Octave computes it, for
/// up to ``fmincgDotBlock`` entries. OpenBLAS shares a `ddot` of more than
/// 10000 entries between its threads and adds their partial sums, so its
/// result depends on the number of threads (Octave's too); a longer product
/// is therefore summed here as `ddot`s of consecutive blocks of
/// ``fmincgDotBlock`` entries, each below that size, added in order: the
/// result does not depend on the number of cores.
func blasDot(_ a: Matrix, _ b: Matrix) -> Double {
  a.withUnsafeBufferPointer { pa in
    b.withUnsafeBufferPointer { pb in
      blockwise(pa.count) { first, n in cblas_ddot(n, pa.baseAddress! + first, 1, pb.baseAddress! + first, 1) }
    }
  }
}

/// `v' * v` through BLAS `dsyrk`, as Octave computes a product of a variable's
/// transpose with itself (its summation order can differ from `ddot`'s in the
/// last bit), block by block as in ``blasDot(_:_:)``. Octave's `-s' * s` negates
/// first, so it is `-dot(s, s)` instead.
func blasSelfDot(_ v: Matrix) -> Double {
  v.withUnsafeBufferPointer { pv in
    blockwise(pv.count) { first, n in
      var c = 0.0
      cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, 1, n, 1.0, pv.baseAddress! + first, n, 0.0, &c, 1)
      return c
    }
  }
}

/// Σ `product(first, n)` over consecutive blocks of at most ``fmincgDotBlock``
/// entries covering `count`, added in order (0 for no entries).
func blockwise(_ count: Int, _ product: (_ first: Int, _ n: blasint) -> Double) -> Double {
  var sum = 0.0
  var first = 0
  while first < count {
    let n = min(fmincgDotBlock, count - first)
    let part = product(first, blasInt(n))
    sum = first == 0 ? part : sum + part
    first += n
  }
  return sum
}

/// `X = X + z * s`, elementwise: the product rounded, then the sum.
func addMultiple(_ z: Double, of s: Matrix, to X: inout Matrix) {
  s.withUnsafeBufferPointer { ps in
    X.withUnsafeMutableBufferPointer { px in
      for k in 0..<px.count {
        let step = z * ps[k]
        px[k] = px[k] + step
      }
    }
  }
}

/// `c * s - d`, elementwise, shaped like `s`.
func scaledMinus(_ c: Double, _ s: Matrix, _ d: Matrix) -> Matrix {
  s.zipMap(d, "fmincg direction") { sk, dk in
    let scaled = c * sk
    return scaled - dk
  }
}
