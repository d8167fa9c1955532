#ifndef PROCESSOR_FEATURES_H
#define PROCESSOR_FEATURES_H

#include <stdbool.h>

/// What this processor can run, for choosing an OpenBLAS kernel: the
/// instruction sets (CPUID) and whether the operating system saves the
/// vector registers they use across context switches (XGETBV). All false
/// on a processor that is not x86-64.
typedef struct {
  /// Whether this is an x86-64 processor (the rest is read only there).
  bool x86_64;
  bool avx2;
  bool fma;
  bool avx512f;
  bool avx512bw;
  bool avx512vl;
  bool avx512bf16;
  /// XCR0 bits 1–2: the OS saves the SSE and AVX (YMM) state.
  bool osSavesYMM;
  /// XCR0 bits 1–2 and 5–7: the OS saves the AVX-512 state as well (the
  /// opmask registers and all 32 ZMM registers).
  bool osSavesZMM;
} ProcessorFeatures;

/// This processor's features, read with CPUID (leaves 1 and 7) and XGETBV.
ProcessorFeatures processor_features(void);

#endif
