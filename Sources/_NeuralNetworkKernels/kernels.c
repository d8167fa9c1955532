#include "NeuralNetworkKernels.h"

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

// Both products are the same loop: target[k] += sum over the entries p of one
// target (one example, or one column within one block of examples) of
// value[p] * source[index[p] * width + k]. The entries are summed on their
// own and then added to the target, so that a column's sum over all the
// examples is a sum of per-block sums: its rounding error grows with the
// block size plus the number of blocks, not with m.

// Portable version: plain loops, which the compiler vectorises for the
// processor's baseline.
static void gather_portable(
  const int64_t *start, const int32_t *index, const double *value, const double *source, ptrdiff_t width,
  double *target) {
  for (ptrdiff_t c = 0; c < width; c += 4) {
    double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (int64_t p = start[0]; p < start[1]; p++) {
      const double x = value[p];
      const double *s = source + (ptrdiff_t)index[p] * width + c;
      a0 += x * s[0];
      a1 += x * s[1];
      a2 += x * s[2];
      a3 += x * s[3];
    }
    target[c] += a0;
    target[c + 1] += a1;
    target[c + 2] += a2;
    target[c + 3] += a3;
  }
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define NNL_HAVE_AVX2 1

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

// a + x * s in one rounding (vfmadd).
#define NNL_FMA(x, s, a) ((__m256d)__builtin_ia32_vfmaddpd256((__v4df)(x), (__v4df)(s), (__v4df)(a)))

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
#define NNL_ADD_TO_TARGET(V, k) \
  if (V > k) t[k] = t[k] + a##k;
#define NNL_SOURCE_ROW(q) ((const __m256d_u *)(source + (ptrdiff_t)index[q] * width))
#define NNL_DEFINE_SWEEP(V) \
  __attribute__((target("avx2,fma"))) static void sweep_avx2_##V( \
    const int64_t *start, const int32_t *index, const double *value, const double *source, ptrdiff_t width, \
    double *target) { \
    __m256d a0 = {0, 0, 0, 0}, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0; \
    const int64_t end = start[1]; \
    int64_t p = start[0]; \
    for (; p + 4 <= end; p += 4) { \
      const double v0 = value[p], v1 = value[p + 1], v2 = value[p + 2], v3 = value[p + 3]; \
      const __m256d x0 = {v0, v0, v0, v0}, x1 = {v1, v1, v1, v1}, x2 = {v2, v2, v2, v2}, x3 = {v3, v3, v3, v3}; \
      const __m256d_u *s0 = NNL_SOURCE_ROW(p), *s1 = NNL_SOURCE_ROW(p + 1), *s2 = NNL_SOURCE_ROW(p + 2), \
                      *s3 = NNL_SOURCE_ROW(p + 3); \
      NNL_ACCUMULATE_FOUR(V, 0) NNL_ACCUMULATE_FOUR(V, 1) NNL_ACCUMULATE_FOUR(V, 2) NNL_ACCUMULATE_FOUR(V, 3) \
      NNL_ACCUMULATE_FOUR(V, 4) NNL_ACCUMULATE_FOUR(V, 5) NNL_ACCUMULATE_FOUR(V, 6) NNL_ACCUMULATE_FOUR(V, 7) \
    } \
    for (; p < end; p++) { \
      const double v = value[p]; \
      const __m256d x = {v, v, v, v}; \
      const __m256d_u *s = NNL_SOURCE_ROW(p); \
      NNL_ACCUMULATE(V, 0) NNL_ACCUMULATE(V, 1) NNL_ACCUMULATE(V, 2) NNL_ACCUMULATE(V, 3) \
      NNL_ACCUMULATE(V, 4) NNL_ACCUMULATE(V, 5) NNL_ACCUMULATE(V, 6) NNL_ACCUMULATE(V, 7) \
    } \
    __m256d_u *t = (__m256d_u *)target; \
    NNL_ADD_TO_TARGET(V, 0) NNL_ADD_TO_TARGET(V, 1) NNL_ADD_TO_TARGET(V, 2) NNL_ADD_TO_TARGET(V, 3) \
    NNL_ADD_TO_TARGET(V, 4) NNL_ADD_TO_TARGET(V, 5) NNL_ADD_TO_TARGET(V, 6) NNL_ADD_TO_TARGET(V, 7) \
    (void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5, (void)a6, (void)a7; \
  }

NNL_DEFINE_SWEEP(1)
NNL_DEFINE_SWEEP(2)
NNL_DEFINE_SWEEP(3)
NNL_DEFINE_SWEEP(4)
NNL_DEFINE_SWEEP(5)
NNL_DEFINE_SWEEP(6)
NNL_DEFINE_SWEEP(7)
NNL_DEFINE_SWEEP(8)

__attribute__((target("avx2,fma"))) static void gather_avx2(
  const int64_t *start, const int32_t *index, const double *value, const double *source, ptrdiff_t width,
  double *target) {
  for (ptrdiff_t c = 0; c < width; c += 32) {
    const ptrdiff_t lanes = width - c < 32 ? width - c : 32;
    switch (lanes / 4) {
    case 1: sweep_avx2_1(start, index, value, source + c, width, target + c); break;
    case 2: sweep_avx2_2(start, index, value, source + c, width, target + c); break;
    case 3: sweep_avx2_3(start, index, value, source + c, width, target + c); break;
    case 4: sweep_avx2_4(start, index, value, source + c, width, target + c); break;
    case 5: sweep_avx2_5(start, index, value, source + c, width, target + c); break;
    case 6: sweep_avx2_6(start, index, value, source + c, width, target + c); break;
    case 7: sweep_avx2_7(start, index, value, source + c, width, target + c); break;
    default: sweep_avx2_8(start, index, value, source + c, width, target + c); break;
    }
  }
}

static int have_avx2(void) {
  static int known = -1;
  if (known < 0) {
    __builtin_cpu_init();
    known = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }
  return known;
}
#endif

typedef void (*gather_function)(const int64_t *, const int32_t *, const double *, const double *, ptrdiff_t, double *);

static gather_function gather(int vector_units) {
#ifdef NNL_HAVE_AVX2
  if (vector_units && have_avx2()) return gather_avx2;
#endif
  (void)vector_units;
  return gather_portable;
}

void nnl_sparse_forward(
  const int64_t *rowStart, const int32_t *column, const double *value, ptrdiff_t firstRow, ptrdiff_t endRow,
  const double *weights, ptrdiff_t width, double *out, int vectorUnits) {
  const gather_function g = gather(vectorUnits);
  for (ptrdiff_t i = firstRow; i < endRow; i++) {
    double *z = out + i * width;
    for (ptrdiff_t k = 0; k < width; k++) z[k] = 0;
    g(rowStart + i, column, value, weights, width, z);
  }
}

void nnl_sparse_backward(
  const int64_t *blockStart, ptrdiff_t blocks, ptrdiff_t columns, const int32_t *row, const double *value,
  ptrdiff_t firstColumn, ptrdiff_t endColumn, const double *delta, ptrdiff_t width, double *out,
  int vectorUnits) {
  const gather_function g = gather(vectorUnits);
  for (ptrdiff_t k = firstColumn * width; k < endColumn * width; k++) out[k] = 0;
  for (ptrdiff_t b = 0; b < blocks; b++) {
    const int64_t *start = blockStart + b * columns;
    for (ptrdiff_t j = firstColumn; j < endColumn; j++) {
      if (start[j] < start[j + 1]) g(start + j, row, value, delta, width, out + j * width);
    }
  }
}

int nnl_all_finite(const double *values, ptrdiff_t count) {
  // x - x is 0 for every finite x and NaN for an infinity or a NaN.
  for (ptrdiff_t k = 0; k < count; k++) {
    if (!(values[k] - values[k] == 0)) return 0;
  }
  return 1;
}

// MARK: - The logistic function

// 1 / (1 + exp(-x)) with the C library's exp: the reference, and the path
// for the arguments the vectorised exp leaves alone.
static double sigmoid_exactly(double x) { return 1 / (1 + exp(-x)); }

#ifdef NNL_HAVE_AVX2
#define NNL_SPLAT(c) {(c), (c), (c), (c)}

// 1/k! for k = 0 ... 13, each a vector (loaded, not built, in every build).
static const __m256d inverse_factorial[14] = {
  NNL_SPLAT(1.0), NNL_SPLAT(1.0), NNL_SPLAT(1.0 / 2), NNL_SPLAT(1.0 / 6), NNL_SPLAT(1.0 / 24),
  NNL_SPLAT(1.0 / 120), NNL_SPLAT(1.0 / 720), NNL_SPLAT(1.0 / 5040), NNL_SPLAT(1.0 / 40320),
  NNL_SPLAT(1.0 / 362880), NNL_SPLAT(1.0 / 3628800), NNL_SPLAT(1.0 / 39916800), NNL_SPLAT(1.0 / 479001600),
  NNL_SPLAT(1.0 / 6227020800.0)};

// exp(u) for -36 <= u <= 700: u = n ln2 + r with |r| <= ln2 / 2 (ln2 in two
// parts, so that r is exact), exp(r) by its Taylor series to r^13 / 13!
// (truncation below 1e-17 relative) in Horner's form, times 2^n made from the
// exponent bits.
__attribute__((target("avx2,fma"))) static __m256d exp_avx2(__m256d u) {
  static const __m256d log2e = NNL_SPLAT(1.4426950408889634);
  static const __m256d minus_ln2hi = NNL_SPLAT(-6.93147180369123816490e-01);
  static const __m256d minus_ln2lo = NNL_SPLAT(-1.90821492927058770002e-10);
  static const __v4di exponent_bias = NNL_SPLAT(1023);
  const __m256d n = __builtin_ia32_roundpd256(u * log2e, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  // r = u - n ln2hi - n ln2lo, each step one rounding.
  const __m256d r = NNL_FMA(n, minus_ln2lo, NNL_FMA(n, minus_ln2hi, u));
  const __m256d *c = inverse_factorial;
  __m256d p = NNL_FMA(NNL_FMA(NNL_FMA(c[13], r, c[12]), r, c[11]), r, c[10]);
  p = NNL_FMA(NNL_FMA(NNL_FMA(p, r, c[9]), r, c[8]), r, c[7]);
  p = NNL_FMA(NNL_FMA(NNL_FMA(p, r, c[6]), r, c[5]), r, c[4]);
  p = NNL_FMA(NNL_FMA(NNL_FMA(NNL_FMA(p, r, c[3]), r, c[2]), r, c[1]), r, c[0]);
  // 2^n: n + 1023 in the exponent field (n is a whole number within -53 ...
  // 1010 here, so converting it is exact).
  const __v4di whole = __builtin_convertvector((__v4si)__builtin_ia32_cvtpd2dq256((__v4df)n), __v4di);
  const __m256d scale = (__m256d)((whole + exponent_bias) << 52);
  return p * scale;
}

// 1 / (1 + exp(-x)) for four arguments: by exp_avx2 when all four are inside
// [-700, 36] (false for NaN), one by one with the C library's exp otherwise.
__attribute__((target("avx2,fma"))) static void sigmoid4_avx2(const double *t, const double *bias, double *out) {
  static const __m256d zero = NNL_SPLAT(0.0);
  static const __m256d one = NNL_SPLAT(1.0);
  static const __m256d low = NNL_SPLAT(-700.0);
  static const __m256d high = NNL_SPLAT(36.0);
  const __m256d x = *(const __m256d_u *)t + *(const __m256d_u *)bias;
  const __v4di inside = (x >= low) & (x <= high);
  if (__builtin_ia32_movmskpd256((__v4df)inside) == 0xF) {
    *(__m256d_u *)out = one / (one + exp_avx2(zero - x));
  } else {
    for (int j = 0; j < 4; j++) out[j] = sigmoid_exactly(t[j] + bias[j]);
  }
}

__attribute__((target("avx2,fma"))) static void sigmoid_avx2(
  const double *t, const double *bias, double *out, ptrdiff_t count) {
  ptrdiff_t k = 0;
  for (; k + 4 <= count; k += 4) sigmoid4_avx2(t + k, bias + k, out + k);
  if (k < count) {
    // The last group of fewer than 4 goes through copies padded with zeros.
    double tk[4] = {0, 0, 0, 0}, bk[4] = {0, 0, 0, 0}, ok[4];
    for (ptrdiff_t j = 0; k + j < count; j++) {
      tk[j] = t[k + j];
      bk[j] = bias[k + j];
    }
    sigmoid4_avx2(tk, bk, ok);
    for (ptrdiff_t j = 0; k + j < count; j++) out[k + j] = ok[j];
  }
}
#endif

void nnl_sigmoid(const double *t, const double *bias, double *out, ptrdiff_t count) {
#ifdef NNL_HAVE_AVX2
  if (have_avx2()) {
    sigmoid_avx2(t, bias, out, count);
    return;
  }
#endif
  for (ptrdiff_t k = 0; k < count; k++) out[k] = sigmoid_exactly(t[k] + bias[k]);
}
