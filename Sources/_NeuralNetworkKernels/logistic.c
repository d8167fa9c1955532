// The logistic function (nnl_sigmoid) and a hidden layer's activations
// (nnl_hidden_sigmoid), with a vectorised exp for the values that do not
// saturate.
#include "kernels_private.h"

// No multiply-add fused behind the code's back: see kernels_private.h.
#pragma STDC FP_CONTRACT OFF

#include <math.h>

// 1 / (1 + exp(-x)) with the C library's exp: the reference, and the path
// for the arguments the vectorised exp leaves alone.
static double sigmoid_exactly(double x) { return 1 / (1 + exp(-x)); }
#ifdef NNL_HAVE_X86

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

__attribute__((target("avx2,fma"), always_inline)) static inline __m256d exp_avx2(__m256d u) {
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

// The lanes of x outside [-700, 36] (or NaN), as bits 0 to 3: the arguments
// whose logistic function the C library's exp makes.
__attribute__((target("avx2,fma"), always_inline)) static inline int outside4_avx2(__m256d x) {
  static const __m256d low = NNL_SPLAT(-700.0), high = NNL_SPLAT(36.0);
  const __v4di inside = (x >= low) & (x <= high);
  return ~__builtin_ia32_movmskpd256((__v4df)inside) & 15;
}

// out[j] = sigmoid_exactly(x[j]) for each lane j in `lanes` (bit j): the
// arguments the vector exp leaves to the C library.
static void sigmoid_lanes_exactly(const double *x, double *out, unsigned lanes) {
  for (ptrdiff_t j = 0; lanes; j++, lanes >>= 1) {
    if (lanes & 1) out[j] = sigmoid_exactly(x[j]);
  }
}

// 1 / (1 + exp(-x)) for the `count` (1 to 4) arguments x = t + bias (x = t
// without a bias): by exp_avx2 in every lane inside [-700, 36], by the C
// library's exp (sigmoid_exactly) in each lane outside it (and for NaN), so
// that a lane's result does not depend on the lanes beside it. Lanes past
// `count` are neither read nor written; `out` may be `t`.
__attribute__((target("avx2,fma"))) static void sigmoid4_avx2(
  const double *t, const double *bias, double *out, ptrdiff_t count) {
  static const __m256d zero = NNL_SPLAT(0.0), one = NNL_SPLAT(1.0);
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
  const int outside = outside4_avx2(x) & ((1 << count) - 1);
  const __m256d y = one / (one + exp_avx2(zero - x));
  if (count == 4) {
    *(__m256d_u *)out = y;
  } else {
    __builtin_ia32_maskstorepd256((__v4df *)out, mask, (__v4df)y);
  }
  if (outside) {
    double xs[4];
    *(__m256d_u *)xs = x;
    sigmoid_lanes_exactly(xs, out, (unsigned)outside);
  }
}

// 16 arguments, four vectors whose operations are independent, so the
// processor overlaps their chains (the same operations in every lane as
// sigmoid4_avx2, so the same bits).
__attribute__((target("avx2,fma"))) static void sigmoid16_avx2(const double *t, const double *bias, double *out) {
  static const __m256d zero = NNL_SPLAT(0.0), one = NNL_SPLAT(1.0);
  __m256d x0 = ((const __m256d_u *)t)[0], x1 = ((const __m256d_u *)t)[1], x2 = ((const __m256d_u *)t)[2],
          x3 = ((const __m256d_u *)t)[3];
  if (bias) {
    x0 = x0 + ((const __m256d_u *)bias)[0], x1 = x1 + ((const __m256d_u *)bias)[1];
    x2 = x2 + ((const __m256d_u *)bias)[2], x3 = x3 + ((const __m256d_u *)bias)[3];
  }
  const __m256d e0 = exp_avx2(zero - x0), e1 = exp_avx2(zero - x1), e2 = exp_avx2(zero - x2), e3 = exp_avx2(zero - x3);
  ((__m256d_u *)out)[0] = one / (one + e0), ((__m256d_u *)out)[1] = one / (one + e1);
  ((__m256d_u *)out)[2] = one / (one + e2), ((__m256d_u *)out)[3] = one / (one + e3);
  const int outside = outside4_avx2(x0) | outside4_avx2(x1) << 4 | outside4_avx2(x2) << 8 | outside4_avx2(x3) << 12;
  if (outside) {
    double xs[16];
    ((__m256d_u *)xs)[0] = x0, ((__m256d_u *)xs)[1] = x1, ((__m256d_u *)xs)[2] = x2, ((__m256d_u *)xs)[3] = x3;
    sigmoid_lanes_exactly(xs, out, (unsigned)outside);
  }
}

__attribute__((target("avx2,fma"))) static void sigmoid_avx2(
  const double *t, const double *bias, double *out, ptrdiff_t count) {
  ptrdiff_t k = 0;
  for (; k + 16 <= count; k += 16) sigmoid16_avx2(t + k, bias ? bias + k : 0, out + k);
  for (; k < count; k += 4)
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
      sigmoid_lanes_exactly(xs, out + k, outside);
    }
  }
}
#endif

void nnl_sigmoid(const double *t, const double *bias, double *out, ptrdiff_t count, int path) {
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



void nnl_hidden_sigmoid(
  const double *z, ptrdiff_t zStride, const double *bias, ptrdiff_t units, ptrdiff_t count, double *a, int path) {
  if (count <= 0) return;
  // z + bias into place, then the logistic function of the whole block at once (its vectors run across
  // examples), the bias units' ones written last over what it made of them.
  const ptrdiff_t stride = 1 + units;
  add_bias(z, zStride, bias, units, count, a + 1, stride);
  nnl_sigmoid(a + 1, 0, a + 1, count * stride - 1, path);
  for (ptrdiff_t i = 0; i < count; i++) a[i * stride] = 1;
}
