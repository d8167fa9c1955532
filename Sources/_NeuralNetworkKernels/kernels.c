#include "NeuralNetworkKernels.h"

#include <float.h>
#include <math.h>

// Every function here gives the same bits at -O0 (SwiftPM's debug build) and
// at -O2 (release): the library no longer asks which build it is in. Two
// things make that hold. Clang reorders no floating-point operation without
// -ffast-math, and no -ffast-math is set; and nothing may be fused into a
// multiply-add behind our back, which this pragma rules out for the portable
// loops (its default, -ffp-contract=on, fuses a * b + c inside one
// expression wherever the target has FMA, and whether that happens can depend
// on the instruction selector of each optimisation level). The vector loops
// say where they fuse, with the FMA builtin, and nowhere else.
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
#define NNL_DEFINE_PORTABLE(KIND) \
  static void gather_portable_##KIND( \
    int64_t begin, int64_t end, const uint16_t *index, const uint8_t *code, const double *table, \
    const double *value, const double *source, ptrdiff_t width, double *target, int add) { \
    (void)code, (void)table, (void)value; \
    for (ptrdiff_t c = 0; c < width; c += 4) { \
      double a0 = 0, a1 = 0, a2 = 0, a3 = 0; \
      for (int64_t p = begin; p < end; p++) { \
        const double x = NNL_##KIND##_VALUE(p); \
        const double *s = source + (ptrdiff_t)index[p] * width + c; \
        a0 += x * s[0]; \
        a1 += x * s[1]; \
        a2 += x * s[2]; \
        a3 += x * s[3]; \
      } \
      double *t = target + c; \
      if (add) { \
        t[0] += a0, t[1] += a1, t[2] += a2, t[3] += a3; \
      } else { \
        t[0] = a0, t[1] = a1, t[2] = a2, t[3] = a3; \
      } \
    } \
  }

NNL_DEFINE_PORTABLE(CODED)
NNL_DEFINE_PORTABLE(PLAIN)

typedef void (*gather_function)(
  int64_t, int64_t, const uint16_t *, const uint8_t *, const double *, const double *, const double *, ptrdiff_t,
  double *, int);

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define NNL_HAVE_X86 1

// The vector code is written so that an unoptimised build runs it at a
// useful speed too: the builtins the intrinsics wrap are called directly (an
// intrinsic is an inline function, whose arguments -O0 copies through the
// stack at every call), each width has its own function with named
// accumulators (no loop over them, no array), and constants are loaded, not
// built. -O0 still keeps each accumulator in memory between iterations, so
// these loops run about 2.2 times slower there than at -O2 (measured on the
// course's shape: the forward product 3.1 ms against 1.4 ms, the logistic
// function of 50000 values 0.26 ms against 0.11 ms), where the same loops
// written with an array of accumulators and intrinsic calls ran 45 and 50
// times slower (62 ms and 5.6 ms). The -O2 code is as fast as before.
//
// Every lane of the AVX2 and the AVX-512 sweeps does the same multiply-adds
// in the same order (one per entry, entry by entry), so the two paths give
// the same bits; only the portable loop, which multiplies and adds in two
// roundings, differs from them.

// a + x * s in one rounding (vfmadd), 4 and 8 lanes.
#define NNL_FMA(x, s, a) ((__m256d)__builtin_ia32_vfmaddpd256((__v4df)(x), (__v4df)(s), (__v4df)(a)))
#define NNL_FMA8(x, s, a) \
  ((__m512d)__builtin_ia32_vfmaddpd512_mask( \
    (__v8df)(x), (__v8df)(s), (__v8df)(a), (__mmask8)-1, _MM_FROUND_CUR_DIRECTION))

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

// MARK: - Choosing the path

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

// The path asked for, or the best the processor has when it has not that one.
static int usable_path(int path) {
  const int best = nnl_best_path();
  return path < best ? path : best;
}

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
  return coded ? gather_portable_CODED : gather_portable_PLAIN;
}

void nnl_sparse_forward(
  const int64_t *rowStart, const uint16_t *column, const uint8_t *code, const double *table, const double *value,
  ptrdiff_t firstRow, ptrdiff_t endRow, const double *weights, ptrdiff_t width, double *out, int path) {
  const gather_function g = gather(path, code != 0);
  for (ptrdiff_t i = firstRow; i < endRow; i++) {
    g(rowStart[i], rowStart[i + 1], column, code, table, value, weights, width, out + i * width, 0);
  }
}

void nnl_sparse_backward(
  const int64_t *blockStart, ptrdiff_t blocks, ptrdiff_t columns, ptrdiff_t blockRows, const uint16_t *row,
  const uint8_t *code, const double *table, const double *value, ptrdiff_t firstColumn, ptrdiff_t endColumn,
  const double *delta, ptrdiff_t width, double *out, int path) {
  const gather_function g = gather(path, code != 0);
  if (blocks == 0) {
    for (ptrdiff_t k = firstColumn * width; k < endColumn * width; k++) out[k] = 0;
  }
  for (ptrdiff_t b = 0; b < blocks; b++) {
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

void nnl_spin_pause(void) {
#ifdef NNL_HAVE_X86
  __builtin_ia32_pause();
#endif
}

// MARK: - The logistic function

// 1 / (1 + exp(-x)) with the C library's exp: the reference, and the path
// for the arguments the vectorised exp leaves alone.
static double sigmoid_exactly(double x) { return 1 / (1 + exp(-x)); }

#ifdef NNL_HAVE_X86
#define NNL_SPLAT(c) {(c), (c), (c), (c)}
#define NNL_SPLAT8(c) {(c), (c), (c), (c), (c), (c), (c), (c)}

// exp(u) for -36 <= u <= 700, the same operations in every lane of both
// widths (so AVX2 and AVX-512 give the same bits):
//
// - u = (16 n + j) ln2 / 16 + r, j = 0 ... 15, |r| <= ln2 / 32: n16 = 16 n + j
//   is u · 16/ln2 rounded to a whole number by adding 1.5 · 2^52 (its low
//   bits are then n16 in two's complement), and r = u - n16 · ln2/16 with
//   ln2/16 in two parts, the first of 32 significant bits so that n16 times
//   it (|n16| < 2^15) is exact: r is exact up to the second part's rounding.
// - exp(r) = 1 + P, P = r + r^2/2! + ... + r^7/7! (truncation below
//   |r|^8/8! = 1.2e-18) in Horner's form.
// - 2^(n + j/16) = T[j] with n added to its exponent field, T[j] = 2^(j/16)
//   rounded to the nearest double; exp(u) = T + T·P in one rounding.
//
// Relative error: T[j]'s rounding (2^-53), the last rounding (2^-53), and
// P's, about 2^-53 of |P| <= 0.022: at most 2.05 · 2^-53 = 2.3e-16 in all.
static const double exp2_sixteenths[16] = {
  0x1.0000000000000p+0, 0x1.0b5586cf9890fp+0, 0x1.172b83c7d517bp+0, 0x1.2387a6e756238p+0,
  0x1.306fe0a31b715p+0, 0x1.3dea64c123422p+0, 0x1.4bfdad5362a27p+0, 0x1.5ab07dd485429p+0,
  0x1.6a09e667f3bcdp+0, 0x1.7a11473eb0187p+0, 0x1.8ace5422aa0dbp+0, 0x1.9c49182a3f090p+0,
  0x1.ae89f995ad3adp+0, 0x1.c199bdd85529cp+0, 0x1.d5818dcfba487p+0, 0x1.ea4afa2a490dap+0};
#define NNL_SIXTEEN_OVER_LN2 0x1.71547652b82fep+4
#define NNL_SHIFTER 0x1.8p52
#define NNL_MINUS_LN2HI_16 (-6.93147180369123816490e-01 / 16)
#define NNL_MINUS_LN2LO_16 (-1.90821492927058770002e-10 / 16)

// The exp steps for one vector type: VEC the doubles, IVEC the 64-bit
// integers, FMA the multiply-add, LOOKUP(j) the vector of T[j].
#define NNL_EXP_BODY(VEC, IVEC, SPLAT, FMA, LOOKUP) \
  static const VEC to_sixteenths = SPLAT(NNL_SIXTEEN_OVER_LN2), shifter = SPLAT(NNL_SHIFTER); \
  static const VEC minus_hi = SPLAT(NNL_MINUS_LN2HI_16), minus_lo = SPLAT(NNL_MINUS_LN2LO_16); \
  static const VEC c7 = SPLAT(1.0 / 5040), c6 = SPLAT(1.0 / 720), c5 = SPLAT(1.0 / 120), c4 = SPLAT(1.0 / 24), \
                   c3 = SPLAT(1.0 / 6), c2 = SPLAT(0.5), c1 = SPLAT(1.0), zero = SPLAT(0.0); \
  static const IVEC fifteen = SPLAT(15); \
  const VEC shifted = u * to_sixteenths + shifter; \
  const VEC n16 = shifted - shifter; \
  const VEC r = FMA(n16, minus_lo, FMA(n16, minus_hi, u)); \
  VEC q = FMA(FMA(FMA(c7, r, c6), r, c5), r, c4); \
  q = FMA(FMA(FMA(q, r, c3), r, c2), r, c1); \
  const VEC P = FMA(q, r, zero); \
  const IVEC bits = (IVEC)shifted; \
  const IVEC j = bits & fifteen; \
  /* n = (n16 - j) / 16 in the exponent field: bits 4 to 15 of n16 (two's complement) moved to 52 to 63. */ \
  const IVEC n = (bits & ~fifteen) << 48; \
  const VEC T = (VEC)((IVEC)LOOKUP(j) + n); \
  return FMA(T, P, T);

__attribute__((target("avx2,fma"))) static __m256d exp_avx2(__m256d u) {
  static const __v4di every_lane = NNL_SPLAT(-1);
  // T[j] by one gather from the table.
#define NNL_GATHER4(j) __builtin_ia32_gatherq_pd256((__v4df)zero, exp2_sixteenths, (j), (__v4df)every_lane, 8)
  NNL_EXP_BODY(__m256d, __v4di, NNL_SPLAT, NNL_FMA, NNL_GATHER4)
}

__attribute__((target("avx512f,avx512vl,avx2,fma"))) static __m512d exp_avx512(__m512d u) {
  static const __m512d low = {
    0x1.0000000000000p+0, 0x1.0b5586cf9890fp+0, 0x1.172b83c7d517bp+0, 0x1.2387a6e756238p+0,
    0x1.306fe0a31b715p+0, 0x1.3dea64c123422p+0, 0x1.4bfdad5362a27p+0, 0x1.5ab07dd485429p+0};
  static const __m512d high = {
    0x1.6a09e667f3bcdp+0, 0x1.7a11473eb0187p+0, 0x1.8ace5422aa0dbp+0, 0x1.9c49182a3f090p+0,
    0x1.ae89f995ad3adp+0, 0x1.c199bdd85529cp+0, 0x1.d5818dcfba487p+0, 0x1.ea4afa2a490dap+0};
  // T[j] from the 16 values in two registers (one instruction).
#define NNL_PERMUTE16(j) __builtin_ia32_vpermi2varpd512((__v8df)low, (__v8di)(j), (__v8df)high)
  NNL_EXP_BODY(__m512d, __v8di, NNL_SPLAT8, NNL_FMA8, NNL_PERMUTE16)
}

// 1 / (1 + exp(-x)) for the `count` (1 to 4) arguments x = t + bias (x = t
// without a bias): by exp_avx2 in every lane inside [-700, 36], by the C
// library's exp (sigmoid_exactly) in each lane outside it (and for NaN), so
// that a lane's result does not depend on the lanes beside it. Lanes past
// `count` are neither read nor written; `out` may be `t`.
__attribute__((target("avx2,fma"))) static void sigmoid4_avx2(
  const double *t, const double *bias, double *out, ptrdiff_t count) {
  static const __m256d zero = NNL_SPLAT(0.0), one = NNL_SPLAT(1.0);
  static const __m256d low = NNL_SPLAT(-700.0), high = NNL_SPLAT(36.0);
  static const __v4di lane = {0, 1, 2, 3};
  __m256d x;
  __v4di mask = {-1, -1, -1, -1};
  if (count == 4) {
    x = *(const __m256d_u *)t;
    if (bias) x = x + *(const __m256d_u *)bias;
  } else {
    const __v4di counts = {count, count, count, count};
    mask = lane < counts;
    x = (__m256d)__builtin_ia32_maskloadpd256((const __v4df *)t, mask);
    if (bias) x = x + (__m256d)__builtin_ia32_maskloadpd256((const __v4df *)bias, mask);
  }
  const __v4di inside = (x >= low) & (x <= high);
  const int outside = ~__builtin_ia32_movmskpd256((__v4df)inside) & ((1 << count) - 1);
  const __m256d y = one / (one + exp_avx2(zero - x));
  if (count == 4) {
    *(__m256d_u *)out = y;
  } else {
    __builtin_ia32_maskstorepd256((__v4df *)out, mask, (__v4df)y);
  }
  if (outside) {
    double xs[4];
    *(__m256d_u *)xs = x;
    for (ptrdiff_t j = 0; j < count; j++) {
      if (outside >> j & 1) out[j] = sigmoid_exactly(xs[j]);
    }
  }
}

__attribute__((target("avx2,fma"))) static void sigmoid_avx2(
  const double *t, const double *bias, double *out, ptrdiff_t count) {
  for (ptrdiff_t k = 0; k < count; k += 4)
    sigmoid4_avx2(t + k, bias ? bias + k : 0, out + k, count - k < 4 ? count - k : 4);
}

__attribute__((target("avx512f,avx512vl,avx2,fma"))) static void sigmoid_avx512(
  const double *t, const double *bias, double *out, ptrdiff_t count) {
  static const __m512d zero = NNL_SPLAT8(0.0), one = NNL_SPLAT8(1.0);
  static const __m512d low = NNL_SPLAT8(-700.0), high = NNL_SPLAT8(36.0);
  for (ptrdiff_t k = 0; k < count; k += 8) {
    const ptrdiff_t lanes = count - k < 8 ? count - k : 8;
    const __mmask8 mask = (__mmask8)((1u << lanes) - 1);
    __m512d x = (__m512d)__builtin_ia32_loadupd512_mask(t + k, (__v8df)zero, mask);
    if (bias) x = x + (__m512d)__builtin_ia32_loadupd512_mask(bias + k, (__v8df)zero, mask);
    const __mmask8 inside = __builtin_ia32_cmppd512_mask((__v8df)x, (__v8df)low, _CMP_GE_OQ, (__mmask8)-1, 4) &
                            __builtin_ia32_cmppd512_mask((__v8df)x, (__v8df)high, _CMP_LE_OQ, (__mmask8)-1, 4);
    const __m512d y = one / (one + exp_avx512(zero - x));
    __builtin_ia32_storeupd512_mask(out + k, (__v8df)y, mask);
    const unsigned outside = ~(unsigned)inside & mask;
    if (outside) {
      double xs[8];
      *(__m512d_u *)xs = x;
      for (ptrdiff_t j = 0; j < lanes; j++) {
        if (outside >> j & 1) out[k + j] = sigmoid_exactly(xs[j]);
      }
    }
  }
}
#endif

// out = the logistic function of t + bias (of t when `bias` is null) on the path asked for; `out` may be `t`.
static void sigmoid_on_path(const double *t, const double *bias, double *out, ptrdiff_t count, int path) {
#ifdef NNL_HAVE_X86
  switch (usable_path(path)) {
  case NNL_PATH_AVX512: sigmoid_avx512(t, bias, out, count); return;
  case NNL_PATH_AVX2: sigmoid_avx2(t, bias, out, count); return;
  default: break;
  }
#else
  (void)path;
#endif
  for (ptrdiff_t k = 0; k < count; k++) out[k] = sigmoid_exactly(bias ? t[k] + bias[k] : t[k]);
}

void nnl_sigmoid(const double *t, const double *bias, double *out, ptrdiff_t count, int path) {
  sigmoid_on_path(t, bias, out, count, path);
}

// out[i * outStride + k] = z[i * zStride + k] + bias[k] for `count` examples of `units` units: the
// arguments of a layer's logistic function, laid out for it to run across the examples.
static void add_bias(
  const double *z, ptrdiff_t zStride, const double *bias, ptrdiff_t units, ptrdiff_t count, double *out,
  ptrdiff_t outStride) {
  for (ptrdiff_t i = 0; i < count; i++) {
    const double *zi = z + i * zStride;
    double *oi = out + i * outStride;
    for (ptrdiff_t k = 0; k < units; k++) oi[k] = zi[k] + bias[k];
  }
}

void nnl_hidden_sigmoid(
  const double *z, ptrdiff_t zStride, const double *bias, ptrdiff_t units, ptrdiff_t count, double *a, int path) {
  if (count <= 0) return;
  // z + bias into place, then the logistic function of the whole block at once (its vectors run across
  // examples), the bias units' ones written last over what it made of them.
  const ptrdiff_t stride = 1 + units;
  add_bias(z, zStride, bias, units, count, a + 1, stride);
  sigmoid_on_path(a + 1, 0, a + 1, count * stride - 1, path);
  for (ptrdiff_t i = 0; i < count; i++) a[i * stride] = 1;
}

// MARK: - The cross-entropy

#ifdef NNL_HAVE_X86
// log(u) for 2^-1022 <= u <= 1 (and up to 2^1024), every lane the same
// operations: u = 2^k · m with m in [0.7071, 1.4142) (the exponent moved so),
// f = m - 1 (exact), s = f / (2 + f), and
//
//     log(m) = 2 atanh(s) = f - f²/2 + s (f²/2 + R(s²)),
//
// R the degree-14 odd minimax polynomial of fdlibm's log (its seven published
// coefficients, error below 2^-58.45 on this range), then
// log(u) = k ln2hi + (f - (f²/2 - (s (f²/2 + R) + k ln2lo))) with ln2 in two
// parts (k ln2hi exact). fdlibm bounds this sum's error below 1 ulp; it is
// evaluated here with the same operations, none fused.
#define NNL_LOG_BODY(VEC, UVEC, SPLAT) \
  static const UVEC offset = SPLAT(0x3fe6a09e00000000ull - 0x3ff0000000000000ull), \
                    one_bits = SPLAT(0x3ff0000000000000ull), magic = SPLAT(0x4330000000000000ull); \
  static const VEC magic_bias = SPLAT(0x1p52 + 1023.0); \
  static const VEC Lg1 = SPLAT(6.666666666666735130e-01), Lg2 = SPLAT(3.999999999940941908e-01), \
                   Lg3 = SPLAT(2.857142874366239149e-01), Lg4 = SPLAT(2.222219843214978396e-01), \
                   Lg5 = SPLAT(1.818357216161805012e-01), Lg6 = SPLAT(1.531383769920937332e-01), \
                   Lg7 = SPLAT(1.479819860511658591e-01); \
  static const VEC ln2hi = SPLAT(6.93147180369123816490e-01), ln2lo = SPLAT(1.90821492927058770002e-10); \
  static const VEC one = SPLAT(1.0), two = SPLAT(2.0), half = SPLAT(0.5); \
  const UVEC bits = (UVEC)u; \
  /* The biased exponent of u / 0.7071..., 1 ... 2046: k + 1023. */ \
  const UVEC biased = (bits - offset) >> 52; \
  const UVEC mbits = bits - (biased << 52) + one_bits; \
  const VEC k = (VEC)(magic + biased) - magic_bias; \
  const VEC f = (VEC)mbits - one; \
  const VEC s = f / (two + f); \
  const VEC z = s * s, w = z * z; \
  const VEC t1 = w * (Lg2 + w * (Lg4 + w * Lg6)); \
  const VEC t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7))); \
  const VEC R = t2 + t1; \
  const VEC hfsq = half * f * f; \
  return k * ln2hi - ((hfsq - (s * (hfsq + R) + k * ln2lo)) - f);

__attribute__((target("avx2,fma"))) static __m256d log_avx2(__m256d u) {
  NNL_LOG_BODY(__m256d, __v4du, NNL_SPLAT)
}

__attribute__((target("avx512f,avx512vl,avx2,fma"))) static __m512d log_avx512(__m512d u) {
  NNL_LOG_BODY(__m512d, __v8du, NNL_SPLAT8)
}
#endif

#ifdef NNL_HAVE_X86
// logs[j] = log(u[j]) for j < count (1 to 4 or 8): by the vector log in every
// lane holding a normal number, by the C library's log in each lane that
// does not (0, a subnormal, NaN), so that a lane's result does not depend on
// the lanes beside it.
__attribute__((target("avx2,fma"))) static void logs4_avx2(const double *u, double *logs, ptrdiff_t count) {
  static const __m256d smallest = NNL_SPLAT(DBL_MIN), one = NNL_SPLAT(1.0);
  double v[4] = {1, 1, 1, 1};
  for (ptrdiff_t j = 0; j < count; j++) v[j] = u[j];
  const __m256d x = *(const __m256d_u *)v;
  const int normal = __builtin_ia32_movmskpd256((__v4df)(__m256d)(x >= smallest));
  const __m256d y = log_avx2(__builtin_ia32_blendvpd256((__v4df)one, (__v4df)x, (__v4df)(__m256d)(x >= smallest)));
  double w[4];
  *(__m256d_u *)w = y;
  for (ptrdiff_t j = 0; j < count; j++) logs[j] = normal >> j & 1 ? w[j] : log(v[j]);
}

__attribute__((target("avx512f,avx512vl,avx2,fma"))) static void logs8_avx512(
  const double *u, double *logs, ptrdiff_t count) {
  static const __m512d smallest = NNL_SPLAT8(DBL_MIN), one = NNL_SPLAT8(1.0);
  const __mmask8 mask = (__mmask8)((1u << count) - 1);
  const __m512d x = (__m512d)__builtin_ia32_loadupd512_mask(u, (__v8df)one, mask);
  const __mmask8 normal = __builtin_ia32_cmppd512_mask((__v8df)x, (__v8df)smallest, _CMP_GE_OQ, (__mmask8)-1, 4);
  const __m512d y = log_avx512((__m512d)__builtin_ia32_selectpd_512(normal, (__v8df)x, (__v8df)one));
  __builtin_ia32_storeupd512_mask(logs, (__v8df)y, mask);
  const unsigned other = ~(unsigned)normal & mask;
  if (other) {
    for (ptrdiff_t j = 0; j < count; j++) {
      if (other >> j & 1) logs[j] = log(u[j]);
    }
  }
}
#endif

static void logs_on_path(const double *u, double *logs, ptrdiff_t count, int path) {
  const int usable = usable_path(path);
  (void)usable;
#ifdef NNL_HAVE_X86
  if (usable == NNL_PATH_AVX512) {
    for (ptrdiff_t k = 0; k < count; k += 8) logs8_avx512(u + k, logs + k, count - k < 8 ? count - k : 8);
    return;
  }
  if (usable == NNL_PATH_AVX2) {
    for (ptrdiff_t k = 0; k < count; k += 4) logs4_avx2(u + k, logs + k, count - k < 4 ? count - k : 4);
    return;
  }
#endif
  for (ptrdiff_t k = 0; k < count; k++) logs[k] = log(u[k]);
}

// `sum` plus Octave's cross-entropy terms y log(h) + (1 - y) log(1 - h) for
// `count` examples of K outputs each (h one example after another), y = 1
// for output k of example i when k + 1 == labels[i] and 0 otherwise, added
// one after another in that order. The term with y = 1 is log(h) or
// log(1 - h); the other is 0 · (a finite log), or 0 · (-Inf) = NaN when its
// argument is 0. The logs are taken a batch of values at a time, across
// examples, so that the vectors are full.
static double cross_entropy_terms(
  double sum, const double *h, ptrdiff_t K, ptrdiff_t count, const double *labels, int path) {
  enum { batch = 256 };
  double u[batch], logs[batch];
  // Whether the term with y = 0 is 0 · log(0): its argument (1 - h or h) is 0.
  unsigned char otherIsZero[batch];
  const ptrdiff_t total = K * count;
  ptrdiff_t e = 0, o = 0, label = count > 0 ? (ptrdiff_t)labels[0] - 1 : 0;  // the next value's example and output
  for (ptrdiff_t first = 0; first < total; first += batch) {
    const ptrdiff_t n = total - first < batch ? total - first : batch;
    for (ptrdiff_t j = 0; j < n; j++) {
      const double value = h[first + j];
      u[j] = o == label ? value : 1 - value;
      otherIsZero[j] = (o == label ? 1 - value : value) == 0;
      if (++o == K) {
        o = 0;
        if (++e < count) label = (ptrdiff_t)labels[e] - 1;
      }
    }
    logs_on_path(u, logs, n, path);
    for (ptrdiff_t j = 0; j < n; j++) sum += otherIsZero[j] ? NAN : logs[j];
  }
  return sum;
}

double nnl_cross_entropy(double sum, const double *h, ptrdiff_t count, ptrdiff_t label, int path) {
  const double labels[1] = {(double)(label + 1)};
  return cross_entropy_terms(sum, h, count, 1, labels, path);
}

double nnl_classifier_output(
  double *z, ptrdiff_t zStride, const double *bias, ptrdiff_t K, ptrdiff_t count, const double *labels, double *a,
  int cost, double sum, int path) {
  add_bias(z, zStride, bias, K, count, a, K);
  sigmoid_on_path(a, 0, a, K * count, path);
  if (!cost) return sum;
  sum = cross_entropy_terms(sum, a, K, count, labels, path);
  for (ptrdiff_t i = 0; i < count; i++) {
    const ptrdiff_t label = (ptrdiff_t)labels[i] - 1;
    double *zi = z + i * zStride;
    const double *ai = a + i * K;
    for (ptrdiff_t k = 0; k < K; k++) zi[k] = ai[k] - (k == label ? 1 : 0);
  }
  return sum;
}
