internal import CBLAS

/// `C = alpha · op(A) · op(B) + beta · C` through `cblas_dgemm`, column-major,
/// for matrices given by pointer and leading dimension; op is the transpose
/// when asked. M × N is C's shape, K the inner dimension.
package func gemm(
  transposeA: Bool, transposeB: Bool, _ M: Int, _ N: Int, _ K: Int,
  _ A: UnsafePointer<Double>, _ lda: Int, _ B: UnsafePointer<Double>, _ ldb: Int,
  _ C: UnsafeMutablePointer<Double>, _ ldc: Int, alpha: Double = 1, beta: Double = 0
) {
  if M == 0 || N == 0 { return }
  cblas_dgemm(
    CblasColMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
    blasInt(M), blasInt(N), blasInt(K), alpha, A, blasInt(max(lda, 1)), B, blasInt(max(ldb, 1)), beta, C,
    blasInt(max(ldc, 1)))
}

/// BLAS takes 32-bit sizes (`blasint`) in this OpenBLAS build.
@inline(__always)
package func blasInt(_ n: Int) -> Int32 {
  precondition(n <= Int(Int32.max), "Matrix dimension \(n) is too large for BLAS")
  return Int32(n)
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
