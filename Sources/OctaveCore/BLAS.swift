internal import CBLAS
internal import _ProcessorFeatures
import Foundation

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
/// `SkylakeX`, `Cooperlake`, `Prescott`, …), and the choice of a better one
/// when OpenBLAS's own pick is older than the processor.
///
/// OpenBLAS picks its kernel for the processor when it loads, or takes
/// `OPENBLAS_CORETYPE`. Kernels add the terms of a product in different
/// orders, so results that depend on BLAS rounding (fmincg's trajectory above
/// all) are exact to the bit only for one kernel; tests compare bit for bit
/// only when the kernel that made a fixture is the one running.
///
/// An OpenBLAS older than the processor does not recognise it and falls back
/// to its generic `Prescott` kernels (SSE2, a fraction of an AVX-512
/// processor's speed). ``useBestForProcessor()``, called first thing in a
/// program's `main`, restarts the program with `OPENBLAS_CORETYPE` set to
/// the best kernel the processor and the operating system can run; OpenBLAS
/// has no documented way to change its kernel once loaded (its library
/// constructor reads the variable before any of the program's code runs).
public enum BLASKernel {
  /// The kernel in use, as OpenBLAS names it (`openblas_get_corename`).
  public static let current: String = String(cString: openblas_get_corename())

  /// OpenBLAS's build: version, options and the kernel in use (`openblas_get_config`).
  public static let configuration: String = String(cString: openblas_get_config())

  /// The variable OpenBLAS reads for its kernel when it loads.
  public static let environmentVariable = "OPENBLAS_CORETYPE"

  /// Set together with `OPENBLAS_CORETYPE` by the restart, to OpenBLAS's own
  /// pick: the restarted program knows the kernel was its own choice, and
  /// never restarts again.
  package static let replacedPickVariable = "NEURALNETWORKLEARNING_OPENBLAS_REPLACED"

  /// For tests only: when set (to anything), `OPENBLAS_CORETYPE` is taken as
  /// OpenBLAS's own pick instead of the user's, so that a test can load the
  /// generic kernel for real (`OPENBLAS_CORETYPE=Prescott`) and see the
  /// program replace it as it would replace an old OpenBLAS's fallback.
  package static let simulatedPickVariable = "NEURALNETWORKLEARNING_TEST_CORETYPE_IS_OPENBLAS_PICK"

  // MARK: The decision

  /// What a processor can run, as far as choosing a kernel goes.
  package struct Processor: Equatable, Sendable {
    package var x86_64 = false
    package var avx2 = false
    package var fma = false
    package var avx512f = false
    package var avx512bw = false
    package var avx512vl = false
    package var avx512bf16 = false
    /// The operating system saves the YMM (AVX) registers (XCR0 bits 1–2).
    package var osSavesYMM = false
    /// The operating system saves the AVX-512 state as well (XCR0 bits 5–7).
    package var osSavesZMM = false

    package init(
      x86_64: Bool = true, avx2: Bool = false, fma: Bool = false, avx512f: Bool = false, avx512bw: Bool = false,
      avx512vl: Bool = false, avx512bf16: Bool = false, osSavesYMM: Bool = false, osSavesZMM: Bool = false
    ) {
      (self.x86_64, self.avx2, self.fma) = (x86_64, avx2, fma)
      (self.avx512f, self.avx512bw, self.avx512vl, self.avx512bf16) = (avx512f, avx512bw, avx512vl, avx512bf16)
      (self.osSavesYMM, self.osSavesZMM) = (osSavesYMM, osSavesZMM)
    }

    /// This processor, read with CPUID and XGETBV (nothing but `x86_64 = false` elsewhere).
    package static let this: Processor = {
      let f = processor_features()
      return Processor(
        x86_64: f.x86_64, avx2: f.avx2, fma: f.fma, avx512f: f.avx512f, avx512bw: f.avx512bw, avx512vl: f.avx512vl,
        avx512bf16: f.avx512bf16, osSavesYMM: f.osSavesYMM, osSavesZMM: f.osSavesZMM)
    }()
  }

  /// The best of OpenBLAS's x86-64 kernels that `processor` can run:
  /// `Cooperlake` with AVX-512 F, BW, VL and BF16, `SkylakeX` with AVX-512 F,
  /// BW and VL (both only when the OS saves the AVX-512 registers),
  /// `Haswell` with AVX2 and FMA (when the OS saves the YMM registers); nil
  /// otherwise, and on other processors.
  package static func best(for processor: Processor) -> String? {
    guard processor.x86_64 else { return nil }
    let p = processor
    if p.osSavesZMM && p.osSavesYMM && p.avx512f && p.avx512bw && p.avx512vl && p.avx2 && p.fma {
      return p.avx512bf16 ? "Cooperlake" : "SkylakeX"
    }
    if p.osSavesYMM && p.avx2 && p.fma { return "Haswell" }
    return nil
  }

  /// How far a kernel (OpenBLAS's name, any case) goes in double precision:
  /// 0 the SSE-era kernels, 1 AVX without AVX2's kernels, 2 AVX2 and FMA
  /// (`Haswell`, and `Zen`, which runs Haswell's kernels), 3 AVX-512
  /// (`SkylakeX`, and `Cooperlake`, whose double-precision kernels are
  /// SkylakeX's: it adds bfloat16 routines). Nil for a name not in this
  /// table (another architecture's, or a newer OpenBLAS's): such a pick is
  /// never replaced.
  package static func level(_ kernel: String) -> Int? {
    switch kernel.lowercased() {
    case "katmai", "coppermine", "northwood", "prescott", "banias", "core2", "penryn", "dunnington", "nehalem", "atom",
      "nano", "athlon", "opteron", "opteron(sse3)", "barcelona", "bobcat":
      0
    case "sandybridge", "bulldozer", "piledriver", "steamroller", "excavator": 1
    case "haswell", "zen": 2
    case "skylakex", "cooperlake": 3
    default: nil
    }
  }

  /// The kernel to ask OpenBLAS for instead of `pick`, its own choice, or nil
  /// to keep it: nil when the user asked for a kernel (`requested`, the value
  /// of `OPENBLAS_CORETYPE`, even empty), when `pick` is not a known x86-64
  /// kernel, when the processor runs nothing better (``best(for:)``), and
  /// when the better kernel would add the same double-precision code
  /// (``level(_:)``: SkylakeX picked on a BF16 processor stays).
  package static func replacement(forPick pick: String, processor: Processor, requested: String?) -> String? {
    guard requested == nil, let pickLevel = level(pick), let target = best(for: processor),
      let targetLevel = level(target), targetLevel > pickLevel
    else { return nil }
    return target
  }

  // MARK: Using it

  /// How the kernel in use came to be chosen.
  package enum Origin: Equatable, Sendable {
    /// OpenBLAS picked it and ``useBestForProcessor()`` found nothing better (or was not called).
    case openBLAS
    /// The user set `OPENBLAS_CORETYPE`.
    case user
    /// ``useBestForProcessor()`` restarted the program with it, in place of OpenBLAS's pick.
    case program(replacing: String)
    /// ``useBestForProcessor()`` wanted `kernel` but could not restart the program.
    case restartFailed(kernel: String, problem: String)
  }

  nonisolated(unsafe) private static var checkedOrigin: Origin?

  /// Picks the best OpenBLAS kernel this processor can run: when OpenBLAS
  /// picked an older one by itself (an OpenBLAS older than the processor
  /// falls back to its generic kernels) and `OPENBLAS_CORETYPE` is not set,
  /// sets `OPENBLAS_CORETYPE` and restarts the program (`/proc/self/exe`,
  /// the same arguments, the same process ID); otherwise returns at once.
  ///
  /// Call it first thing in `main`, before any BLAS work and before starting
  /// threads or opening anything the restart would lose. A kernel the user
  /// set is never replaced. The restarted program finds `OPENBLAS_CORETYPE`
  /// set and does not restart again. When the restart fails the program
  /// carries on with OpenBLAS's pick; ``origin`` says why. Linux on x86-64
  /// only: elsewhere it does nothing. Setting `OPENBLAS_CORETYPE` before
  /// starting the program does the same without a restart.
  public static func useBestForProcessor() {
    if checkedOrigin != nil { return }
    let environment = ProcessInfo.processInfo.environment
    if let replaced = environment[replacedPickVariable], environment[environmentVariable] != nil {
      checkedOrigin = .program(replacing: replaced)
      return
    }
    let simulated = environment[simulatedPickVariable] != nil
    let requested = simulated ? nil : environment[environmentVariable]
    guard let kernel = replacement(forPick: current, processor: .this, requested: requested) else {
      checkedOrigin = requested == nil ? .openBLAS : .user
      return
    }
    #if os(Linux)
      setenv(environmentVariable, kernel, 1)
      setenv(replacedPickVariable, current + (simulated ? " (simulated for a test)" : ""), 1)
      unsetenv(simulatedPickVariable)
      fflush(nil)
      execv("/proc/self/exe", CommandLine.unsafeArgv)
      let problem = String(cString: strerror(errno))
      // The program carries on with OpenBLAS's pick, and so do its children.
      if let original = environment[environmentVariable] {
        setenv(environmentVariable, original, 1)
      } else {
        unsetenv(environmentVariable)
      }
      unsetenv(replacedPickVariable)
      if simulated { setenv(simulatedPickVariable, environment[simulatedPickVariable] ?? "", 1) }
      checkedOrigin = .restartFailed(kernel: kernel, problem: "execv /proc/self/exe: \(problem)")
    #else
      checkedOrigin = .openBLAS
    #endif
  }

  /// How the kernel in use was chosen: what ``useBestForProcessor()`` found
  /// or did, or, when it was not called, from `OPENBLAS_CORETYPE`.
  package static var origin: Origin {
    if let checkedOrigin { return checkedOrigin }
    return ProcessInfo.processInfo.environment[environmentVariable] == nil ? .openBLAS : .user
  }

  /// One line for a program's `--verbose` and a benchmark's header: the
  /// OpenBLAS build, the kernel and who chose it.
  package static var summary: String {
    let better = replacement(forPick: current, processor: .this, requested: nil)
    let why: String =
      switch origin {
      case .openBLAS:
        better.map { "OpenBLAS's own pick; this processor could run \($0): set \(environmentVariable)=\($0)" }
          ?? "OpenBLAS's own pick for this processor"
      case .user:
        "\(environmentVariable)=\(ProcessInfo.processInfo.environment[environmentVariable] ?? "") set by the user"
      case .program(let replaced):
        "chosen by this program: OpenBLAS picked \(replaced), older than this processor runs, so it restarted with \(environmentVariable)=\(current)"
      case .restartFailed(let kernel, let problem):
        "OpenBLAS's own pick; this processor runs \(kernel), but restarting with \(environmentVariable)=\(kernel) failed (\(problem))"
      }
    return "BLAS: \(configuration); kernel \(current) (\(why))"
  }
}
