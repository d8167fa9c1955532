// Choosing the code path: the best the processor runs, found once.
#include "kernels_private.h"

// No multiply-add fused behind the code's back: see kernels_private.h.
#pragma STDC FP_CONTRACT OFF

int nnl_best_path(void) {
  static int known = -1;
  if (known < 0) {
    int best = NNL_PATH_PORTABLE;
#ifdef NNL_HAVE_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) best = NNL_PATH_AVX2;
    if (best == NNL_PATH_AVX2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl"))
      best = NNL_PATH_AVX512;
#endif
    known = best;
  }
  return known;
}

void nnl_spin_pause(void) {
#ifdef NNL_HAVE_X86
  __builtin_ia32_pause();
#endif
}
