#include "processor_features.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <stdint.h>

// XCR0, read only after CPUID says OSXSAVE (the OS enabled XGETBV).
static uint64_t xcr0(void) {
  uint32_t eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return ((uint64_t)edx << 32) | eax;
}

ProcessorFeatures processor_features(void) {
  ProcessorFeatures f = {0};
  f.x86_64 = true;
  unsigned int eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return f;
  const bool osxsave = (ecx >> 27) & 1;
  const bool avx = (ecx >> 28) & 1;
  f.fma = (ecx >> 12) & 1;
  if (osxsave) {
    const uint64_t xcr = xcr0();
    f.osSavesYMM = avx && (xcr & 0x6) == 0x6;
    f.osSavesZMM = f.osSavesYMM && (xcr & 0xe0) == 0xe0;
  }
  if (__get_cpuid_max(0, 0) < 7) return f;
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  const unsigned int subleaves = eax;
  f.avx2 = (ebx >> 5) & 1;
  f.avx512f = (ebx >> 16) & 1;
  f.avx512bw = (ebx >> 30) & 1;
  f.avx512vl = (ebx >> 31) & 1;
  if (subleaves >= 1) {
    __cpuid_count(7, 1, eax, ebx, ecx, edx);
    f.avx512bf16 = (eax >> 5) & 1;
  }
  return f;
}

#else

ProcessorFeatures processor_features(void) {
  ProcessorFeatures f = {0};
  return f;
}

#endif
