// The sparse products of the first layer (nnl_sparse_forward,
// nnl_sparse_backward) and the finiteness test that decides whether they may
// be used (nnl_all_finite).
//
// The AVX2 and AVX-512 sweeps are defined by macros, a function per register
// count: the count must be a literal for the compiler to drop the unused
// accumulators at -O0 too (SwiftPM's debug build, where students run the
// exercise), which an inline function with the count as a parameter would
// leave to run time. Everything else is a function.
#include "kernels_private.h"

// No multiply-add fused behind the code's back: see kernels_private.h.
#pragma STDC FP_CONTRACT OFF

// Both products are the same loop: target[k] = sum over the entries p of one
// target (one example, or one column within one block of examples) of
// value(p) * source[index[p] * width + k], stored (the first block, or the
// forward product) or added to the target (later blocks). The entries are
// summed on their own and then added to the target, so that a column's sum
// over all the examples is a sum of per-block sums: its rounding error grows
// with the block size plus the number of blocks, not with m.
//
// value(p) is table[code[p]] when the input has at most 256 distinct values
// (one byte per entry instead of eight), value[p] otherwise. A table lookup
// is exact, so both forms give the same bits.

#define NNL_CODED_VALUE(p) table[code[p]]
#define NNL_PLAIN_VALUE(p) value[p]

// Portable version: plain loops, which the compiler vectorises for the
// processor's baseline.
static void gather_portable(
  int64_t begin, int64_t end, const uint16_t *index, const uint8_t *code, const double *table, const double *value,
  const double *source, ptrdiff_t width, double *target, int add) {
  for (ptrdiff_t c = 0; c < width; c += 4) {
    double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (int64_t p = begin; p < end; p++) {
      const double x = code ? NNL_CODED_VALUE(p) : NNL_PLAIN_VALUE(p);
      const double *s = source + (ptrdiff_t)index[p] * width + c;
      a0 += x * s[0];
      a1 += x * s[1];
      a2 += x * s[2];
      a3 += x * s[3];
    }
    double *t = target + c;
    if (add) {
      t[0] += a0, t[1] += a1, t[2] += a2, t[3] += a3;
    } else {
      t[0] = a0, t[1] = a1, t[2] = a2, t[3] = a3;
    }
  }
}

typedef void (*gather_function)(
  int64_t, int64_t, const uint16_t *, const uint8_t *, const double *, const double *, const double *, ptrdiff_t,
  double *, int);

#ifdef NNL_HAVE_X86
// The vector code is written so that an unoptimised build runs it at a
// useful speed too: the builtins the intrinsics wrap are called directly (an
// intrinsic is an inline function, whose arguments -O0 copies through the
// stack at every call), each width has its own function with named
// accumulators (no loop over them, no array), and constants are loaded, not
// built. -O0 still keeps each accumulator in memory between iterations
// (the Performance article gives the cost, measured).
//
// Every lane of the AVX2 and the AVX-512 sweeps does the same multiply-adds
// in the same order (one per entry, entry by entry), so the two paths give
// the same bits; only the portable loop, which multiplies and adds in two
// roundings, differs from them.

// The sweep over one target's entries for V registers of 4 units (V from 1
// to 8, a literal: the compiler drops the `if (V > k)` lines that do not
// apply at every optimisation level). Four entries are taken at a time, their
// multiply-adds nested in one expression: the same operations in the same
// order as one entry at a time, but -O0 then stores each accumulator once per
// four entries instead of once per entry.
#define NNL_ACCUMULATE(V, k) \
  if (V > k) a##k = NNL_FMA(x, s[k], a##k);
#define NNL_ACCUMULATE_FOUR(V, k) \
  if (V > k) a##k = NNL_FMA(x3, s3[k], NNL_FMA(x2, s2[k], NNL_FMA(x1, s1[k], NNL_FMA(x0, s0[k], a##k))));
#define NNL_STORE(V, k) \
  if (V > k) t[k] = add ? t[k] + a##k : a##k;
#define NNL_SOURCE_ROW(q) ((const __m256d_u *)(source + (ptrdiff_t)index[q] * width))
#define NNL_DEFINE_SWEEP(KIND, V) \
  __attribute__((target("avx2,fma"))) static void sweep_avx2_##KIND##_##V( \
    int64_t begin, int64_t end, const uint16_t *index, const uint8_t *code, const double *table, \
    const double *value, const double *source, ptrdiff_t width, double *target, int add) { \
    (void)code, (void)table, (void)value; \
    __m256d a0 = {0, 0, 0, 0}, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0; \
    int64_t p = begin; \
    for (; p + 4 <= end; p += 4) { \
      const double v0 = NNL_##KIND##_VALUE(p), v1 = NNL_##KIND##_VALUE(p + 1), v2 = NNL_##KIND##_VALUE(p + 2), \
                   v3 = NNL_##KIND##_VALUE(p + 3); \
      const __m256d x0 = {v0, v0, v0, v0}, x1 = {v1, v1, v1, v1}, x2 = {v2, v2, v2, v2}, x3 = {v3, v3, v3, v3}; \
      const __m256d_u *s0 = NNL_SOURCE_ROW(p), *s1 = NNL_SOURCE_ROW(p + 1), *s2 = NNL_SOURCE_ROW(p + 2), \
                      *s3 = NNL_SOURCE_ROW(p + 3); \
      NNL_ACCUMULATE_FOUR(V, 0) NNL_ACCUMULATE_FOUR(V, 1) NNL_ACCUMULATE_FOUR(V, 2) NNL_ACCUMULATE_FOUR(V, 3) \
      NNL_ACCUMULATE_FOUR(V, 4) NNL_ACCUMULATE_FOUR(V, 5) NNL_ACCUMULATE_FOUR(V, 6) NNL_ACCUMULATE_FOUR(V, 7) \
    } \
    for (; p < end; p++) { \
      const double v = NNL_##KIND##_VALUE(p); \
      const __m256d x = {v, v, v, v}; \
      const __m256d_u *s = NNL_SOURCE_ROW(p); \
      NNL_ACCUMULATE(V, 0) NNL_ACCUMULATE(V, 1) NNL_ACCUMULATE(V, 2) NNL_ACCUMULATE(V, 3) \
      NNL_ACCUMULATE(V, 4) NNL_ACCUMULATE(V, 5) NNL_ACCUMULATE(V, 6) NNL_ACCUMULATE(V, 7) \
    } \
    __m256d_u *t = (__m256d_u *)target; \
    NNL_STORE(V, 0) NNL_STORE(V, 1) NNL_STORE(V, 2) NNL_STORE(V, 3) \
    NNL_STORE(V, 4) NNL_STORE(V, 5) NNL_STORE(V, 6) NNL_STORE(V, 7) \
    (void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5, (void)a6, (void)a7; \
  }

#define NNL_DEFINE_SWEEPS(KIND) \
  NNL_DEFINE_SWEEP(KIND, 1) \
  NNL_DEFINE_SWEEP(KIND, 2) \
  NNL_DEFINE_SWEEP(KIND, 3) \
  NNL_DEFINE_SWEEP(KIND, 4) \
  NNL_DEFINE_SWEEP(KIND, 5) \
  NNL_DEFINE_SWEEP(KIND, 6) \
  NNL_DEFINE_SWEEP(KIND, 7) \
  NNL_DEFINE_SWEEP(KIND, 8) \
  static const gather_function sweeps_avx2_##KIND[8] = { \
    sweep_avx2_##KIND##_1, sweep_avx2_##KIND##_2, sweep_avx2_##KIND##_3, sweep_avx2_##KIND##_4, \
    sweep_avx2_##KIND##_5, sweep_avx2_##KIND##_6, sweep_avx2_##KIND##_7, sweep_avx2_##KIND##_8};

NNL_DEFINE_SWEEPS(CODED)
NNL_DEFINE_SWEEPS(PLAIN)

// The AVX-512 sweeps: V registers of 8 units (0 to 4) and, when H is 1, one
// more of 4 (the layer's stride is a multiple of 4, not of 8), the same
// sweep otherwise.
#define NNL_ACCUMULATE8(V, k) \
  if (V > k) b##k = NNL_FMA8(x, s[k], b##k);
#define NNL_ACCUMULATE8_FOUR(V, k) \
  if (V > k) b##k = NNL_FMA8(x3, s3[k], NNL_FMA8(x2, s2[k], NNL_FMA8(x1, s1[k], NNL_FMA8(x0, s0[k], b##k))));
#define NNL_ACCUMULATE_HALF(H, V, S, X) \
  if (H) h = NNL_FMA(X, *(const __m256d_u *)(S + V), h);
#define NNL_STORE8(V, k) \
  if (V > k) t[k] = add ? t[k] + b##k : b##k;
#define NNL_SOURCE_ROW8(q) ((const __m512d_u *)(source + (ptrdiff_t)index[q] * width))
#define NNL_DEFINE_SWEEP8(KIND, V, H) \
  __attribute__((target("avx512f,avx512vl,avx2,fma"))) static void sweep_avx512_##KIND##_##V##_##H( \
    int64_t begin, int64_t end, const uint16_t *index, const uint8_t *code, const double *table, \
    const double *value, const double *source, ptrdiff_t width, double *target, int add) { \
    (void)code, (void)table, (void)value; \
    __m512d b0 = {0, 0, 0, 0, 0, 0, 0, 0}, b1 = b0, b2 = b0, b3 = b0; \
    __m256d h = {0, 0, 0, 0}; \
    int64_t p = begin; \
    for (; p + 4 <= end; p += 4) { \
      const double v0 = NNL_##KIND##_VALUE(p), v1 = NNL_##KIND##_VALUE(p + 1), v2 = NNL_##KIND##_VALUE(p + 2), \
                   v3 = NNL_##KIND##_VALUE(p + 3); \
      const __m512d x0 = {v0, v0, v0, v0, v0, v0, v0, v0}, x1 = {v1, v1, v1, v1, v1, v1, v1, v1}, \
                    x2 = {v2, v2, v2, v2, v2, v2, v2, v2}, x3 = {v3, v3, v3, v3, v3, v3, v3, v3}; \
      const __m512d_u *s0 = NNL_SOURCE_ROW8(p), *s1 = NNL_SOURCE_ROW8(p + 1), *s2 = NNL_SOURCE_ROW8(p + 2), \
                      *s3 = NNL_SOURCE_ROW8(p + 3); \
      NNL_ACCUMULATE8_FOUR(V, 0) NNL_ACCUMULATE8_FOUR(V, 1) NNL_ACCUMULATE8_FOUR(V, 2) NNL_ACCUMULATE8_FOUR(V, 3) \
      if (H) { \
        const __m256d y0 = {v0, v0, v0, v0}, y1 = {v1, v1, v1, v1}, y2 = {v2, v2, v2, v2}, y3 = {v3, v3, v3, v3}; \
        NNL_ACCUMULATE_HALF(H, V, s0, y0) NNL_ACCUMULATE_HALF(H, V, s1, y1) NNL_ACCUMULATE_HALF(H, V, s2, y2) \
        NNL_ACCUMULATE_HALF(H, V, s3, y3) \
      } \
    } \
    for (; p < end; p++) { \
      const double v = NNL_##KIND##_VALUE(p); \
      const __m512d x = {v, v, v, v, v, v, v, v}; \
      const __m512d_u *s = NNL_SOURCE_ROW8(p); \
      NNL_ACCUMULATE8(V, 0) NNL_ACCUMULATE8(V, 1) NNL_ACCUMULATE8(V, 2) NNL_ACCUMULATE8(V, 3) \
      if (H) { \
        const __m256d y = {v, v, v, v}; \
        NNL_ACCUMULATE_HALF(H, V, s, y) \
      } \
    } \
    __m512d_u *t = (__m512d_u *)target; \
    NNL_STORE8(V, 0) NNL_STORE8(V, 1) NNL_STORE8(V, 2) NNL_STORE8(V, 3) \
    if (H) { \
      __m256d_u *u = (__m256d_u *)(t + V); \
      *u = add ? *u + h : h; \
    } \
    (void)b0, (void)b1, (void)b2, (void)b3, (void)h; \
  }

#define NNL_DEFINE_SWEEPS8(KIND) \
  NNL_DEFINE_SWEEP8(KIND, 0, 1) \
  NNL_DEFINE_SWEEP8(KIND, 1, 0) \
  NNL_DEFINE_SWEEP8(KIND, 1, 1) \
  NNL_DEFINE_SWEEP8(KIND, 2, 0) \
  NNL_DEFINE_SWEEP8(KIND, 2, 1) \
  NNL_DEFINE_SWEEP8(KIND, 3, 0) \
  NNL_DEFINE_SWEEP8(KIND, 3, 1) \
  NNL_DEFINE_SWEEP8(KIND, 4, 0) \
  static const gather_function sweeps_avx512_##KIND[8] = { \
    sweep_avx512_##KIND##_0_1, sweep_avx512_##KIND##_1_0, sweep_avx512_##KIND##_1_1, sweep_avx512_##KIND##_2_0, \
    sweep_avx512_##KIND##_2_1, sweep_avx512_##KIND##_3_0, sweep_avx512_##KIND##_3_1, sweep_avx512_##KIND##_4_0};

NNL_DEFINE_SWEEPS8(CODED)
NNL_DEFINE_SWEEPS8(PLAIN)

// One target: the width cut into sweeps of up to 32 units, each sweep the
// function for its number of units (a multiple of 4).
#define NNL_DEFINE_GATHER(NAME, SWEEPS) \
  static void NAME( \
    int64_t begin, int64_t end, const uint16_t *index, const uint8_t *code, const double *table, \
    const double *value, const double *source, ptrdiff_t width, double *target, int add) { \
    for (ptrdiff_t c = 0; c < width; c += 32) { \
      const ptrdiff_t lanes = width - c < 32 ? width - c : 32; \
      SWEEPS[lanes / 4 - 1](begin, end, index, code, table, value, source + c, width, target + c, add); \
    } \
  }

NNL_DEFINE_GATHER(gather_avx2_CODED, sweeps_avx2_CODED)
NNL_DEFINE_GATHER(gather_avx2_PLAIN, sweeps_avx2_PLAIN)
NNL_DEFINE_GATHER(gather_avx512_CODED, sweeps_avx512_CODED)
NNL_DEFINE_GATHER(gather_avx512_PLAIN, sweeps_avx512_PLAIN)
#endif

static gather_function gather(int path, int coded) {
#ifdef NNL_HAVE_X86
  switch (usable_path(path)) {
  case NNL_PATH_AVX512: return coded ? gather_avx512_CODED : gather_avx512_PLAIN;
  case NNL_PATH_AVX2: return coded ? gather_avx2_CODED : gather_avx2_PLAIN;
  default: break;
  }
#else
  (void)path;
#endif
  (void)coded;
  return gather_portable;
}

void nnl_sparse_forward(
  const int64_t *rowStart, const uint16_t *weightRow, const uint8_t *code, const double *table, const double *value,
  ptrdiff_t firstRow, ptrdiff_t endRow, const double *weights, ptrdiff_t width, double *out, int path) {
  const gather_function g = gather(path, code != 0);
  for (ptrdiff_t i = firstRow; i < endRow; i++) {
    g(rowStart[i], rowStart[i + 1], weightRow, code, table, value, weights, width, out + i * width, 0);
  }
}

void nnl_sparse_backward(
  const int64_t *blockStart, ptrdiff_t firstBlock, ptrdiff_t endBlock, ptrdiff_t columns, ptrdiff_t blockRows,
  const uint16_t *row, const uint8_t *code, const double *table, const double *value, ptrdiff_t firstColumn,
  ptrdiff_t endColumn, const double *delta, ptrdiff_t width, double *out, int path) {
  const gather_function g = gather(path, code != 0);
  if (endBlock == 0) {
    for (ptrdiff_t k = firstColumn * width; k < endColumn * width; k++) out[k] = 0;
  }
  for (ptrdiff_t b = firstBlock; b < endBlock; b++) {
    const int64_t *start = blockStart + b * columns;
    const double *source = delta + b * blockRows * width;
    for (ptrdiff_t j = firstColumn; j < endColumn; j++) {
      // The first block stores (zeros when it has no entry in the column), the others add.
      if (b == 0 || start[j] < start[j + 1])
        g(start[j], start[j + 1], row, code, table, value, source, width, out + j * width, b > 0);
    }
  }
}

int nnl_all_finite(const double *values, ptrdiff_t count) {
  // An infinity or a NaN has every exponent bit set. The test is on the
  // bits, OR-ed together a block at a time (integer operations, which the
  // compiler vectorises), with a look at the result after each block.
  const uint64_t exponent = 0x7FF0000000000000ull;
  for (ptrdiff_t start = 0; start < count; start += 1024) {
    const ptrdiff_t end = count - start < 1024 ? count : start + 1024;
    uint64_t bad = 0;
    for (ptrdiff_t k = start; k < end; k++) {
      uint64_t bits;
      __builtin_memcpy(&bits, values + k, sizeof bits);
      bad |= (bits & exponent) == exponent;
    }
    if (bad) return 0;
  }
  return 1;
}
