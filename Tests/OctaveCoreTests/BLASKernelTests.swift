import Foundation
import OctaveCore
import Testing

import TestSupport

/// The choice of OpenBLAS kernel: the decision table, row by row, and this
/// processor's features against what Linux says about it.
@Suite struct BLASKernelTests {
  typealias Processor = BLASKernel.Processor

  static let sse = Processor()
  static let haswell = Processor(avx2: true, fma: true, osSavesYMM: true)
  static let skylakeX = Processor(
    avx2: true, fma: true, avx512f: true, avx512bw: true, avx512vl: true, osSavesYMM: true, osSavesZMM: true)
  static let cooperlake = Processor(
    avx2: true, fma: true, avx512f: true, avx512bw: true, avx512vl: true, avx512bf16: true, osSavesYMM: true,
    osSavesZMM: true)

  /// (OpenBLAS's pick, the processor, OPENBLAS_CORETYPE, the kernel to ask for instead).
  static let rows: [(String, Processor, String?, String?, String)] = {
    var avx512WithoutZMMState = skylakeX
    avx512WithoutZMMState.osSavesZMM = false
    var avx2WithoutYMMState = haswell
    avx2WithoutYMMState.osSavesYMM = false
    var avx2WithoutFMA = haswell
    avx2WithoutFMA.fma = false
    var avx512WithoutBW = skylakeX
    avx512WithoutBW.avx512bw = false
    var arm = cooperlake
    arm.x86_64 = false
    return [
      ("Prescott", skylakeX, nil, "SkylakeX", "the generic fallback on an AVX-512 processor"),
      ("Prescott", cooperlake, nil, "Cooperlake", "… with BF16"),
      ("Prescott", haswell, nil, "Haswell", "the generic fallback on an AVX2+FMA processor"),
      ("Nehalem", haswell, nil, "Haswell", "an SSE4 pick on an AVX2+FMA processor"),
      ("Sandybridge", skylakeX, nil, "SkylakeX", "an AVX pick on an AVX-512 processor"),
      ("Haswell", skylakeX, nil, "SkylakeX", "an AVX2 pick on an AVX-512 processor"),
      ("Zen", cooperlake, nil, "Cooperlake", "Zen (Haswell's kernels) on an AVX-512 BF16 processor"),
      ("PRESCOTT", skylakeX, nil, "SkylakeX", "names in any case"),
      ("Prescott", avx512WithoutZMMState, nil, "Haswell", "AVX-512 the OS does not save: AVX2 only"),
      ("Prescott", avx512WithoutBW, nil, "Haswell", "AVX-512 F without BW: SkylakeX needs BW"),
      ("Prescott", avx2WithoutYMMState, nil, nil, "AVX2 the OS does not save: nothing better"),
      ("Prescott", avx2WithoutFMA, nil, nil, "AVX2 without FMA: Haswell's kernels need FMA"),
      ("Prescott", sse, nil, nil, "an SSE-only processor"),
      ("Haswell", haswell, nil, nil, "already the best"),
      ("SkylakeX", cooperlake, nil, nil, "Cooperlake's double-precision kernels are SkylakeX's"),
      ("Cooperlake", cooperlake, nil, nil, "already the best"),
      ("Cooperlake", haswell, nil, nil, "never a lower kernel"),
      ("Prescott", skylakeX, "Prescott", nil, "the user's OPENBLAS_CORETYPE is never replaced"),
      ("Prescott", skylakeX, "", nil, "… even empty"),
      ("SapphireRapids", cooperlake, nil, nil, "a kernel this table does not know (a newer OpenBLAS's)"),
      ("Unknown", cooperlake, nil, nil, "OpenBLAS's unknown core"),
      ("ARMV8", arm, nil, nil, "another architecture"),
      ("Prescott", arm, nil, nil, "not x86-64, whatever its flags say"),
    ]
  }()

  @Test func decisionTable() {
    for (pick, processor, requested, expected, what) in Self.rows {
      #expect(
        BLASKernel.replacement(forPick: pick, processor: processor, requested: requested) == expected,
        "\(what): \(pick), OPENBLAS_CORETYPE \(requested ?? "unset")")
    }
  }

  /// Every kernel ``BLASKernel/best(for:)`` can name is one whose level the
  /// table knows, above the generic ones.
  @Test func bestKernelsAreInTheTable() {
    for processor in [Self.haswell, Self.skylakeX, Self.cooperlake] {
      let best = BLASKernel.best(for: processor)
      #expect(best.flatMap(BLASKernel.level) ?? 0 >= 2, "\(String(describing: best))")
    }
    #expect(BLASKernel.best(for: Self.sse) == nil)
  }

  /// CPUID and XGETBV on this machine choose what Linux's /proc/cpuinfo
  /// flags choose (Linux lists AVX and AVX-512 only when it saves their
  /// registers, which is what the XGETBV check reads).
  @Test func thisProcessorAgreesWithLinux() {
    #expect(BLASKernel.best(for: .this) == bestKernelByCPUInfo(), "\(BLASKernel.Processor.this)")
  }

  /// OpenBLAS's own pick on this machine is one the table knows (x86-64), and
  /// never above what this processor runs.
  @Test(.enabled(if: BLASKernel.Processor.this.x86_64)) func currentKernelIsInTheTable() throws {
    let level = try #require(BLASKernel.level(BLASKernel.current), "kernel \(BLASKernel.current)")
    #expect(level <= BLASKernel.best(for: .this).flatMap(BLASKernel.level) ?? 0)
  }
}
