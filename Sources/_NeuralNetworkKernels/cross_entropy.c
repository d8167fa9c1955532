// The cross-entropy (nnl_cross_entropy) and a classifier's output layer
// (nnl_classifier_output), with a vectorised log.
#include "kernels_private.h"

// No multiply-add fused behind the code's back: see kernels_private.h.
#pragma STDC FP_CONTRACT OFF

#include <float.h>
#include <math.h>

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

__attribute__((target("avx2,fma"), always_inline)) static inline __m256d log_avx2(__m256d u) {
  NNL_LOG_BODY(__m256d, __v4du, NNL_SPLAT)
}

__attribute__((target("avx512f,avx512vl,avx2,fma"))) static __m512d log_avx512(__m512d u) {
  NNL_LOG_BODY(__m512d, __v8du, NNL_SPLAT8)
}
#endif

#ifdef NNL_HAVE_X86
// logs[j] = log(u[j]) by the C library for each lane j in `lanes` (bit j):
// the arguments the vector log leaves to it.
static void logs_exactly(const double *u, double *logs, unsigned lanes) {
  for (ptrdiff_t j = 0; lanes; j++, lanes >>= 1) {
    if (lanes & 1) logs[j] = log(u[j]);
  }
}

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

// logs[j] = log(u[j]) for 16 values, as logs4_avx2 takes them, four vectors
// at a time so that the processor overlaps their chains.
__attribute__((target("avx2,fma"))) static void logs16_avx2(const double *u, double *logs) {
  static const __m256d smallest = NNL_SPLAT(DBL_MIN), one = NNL_SPLAT(1.0);
  const __m256d x0 = ((const __m256d_u *)u)[0], x1 = ((const __m256d_u *)u)[1], x2 = ((const __m256d_u *)u)[2],
                x3 = ((const __m256d_u *)u)[3];
  const __m256d n0 = (__m256d)(x0 >= smallest), n1 = (__m256d)(x1 >= smallest), n2 = (__m256d)(x2 >= smallest),
                n3 = (__m256d)(x3 >= smallest);
  ((__m256d_u *)logs)[0] = log_avx2(__builtin_ia32_blendvpd256((__v4df)one, (__v4df)x0, (__v4df)n0));
  ((__m256d_u *)logs)[1] = log_avx2(__builtin_ia32_blendvpd256((__v4df)one, (__v4df)x1, (__v4df)n1));
  ((__m256d_u *)logs)[2] = log_avx2(__builtin_ia32_blendvpd256((__v4df)one, (__v4df)x2, (__v4df)n2));
  ((__m256d_u *)logs)[3] = log_avx2(__builtin_ia32_blendvpd256((__v4df)one, (__v4df)x3, (__v4df)n3));
  const int normal = __builtin_ia32_movmskpd256((__v4df)n0) | __builtin_ia32_movmskpd256((__v4df)n1) << 4 |
                     __builtin_ia32_movmskpd256((__v4df)n2) << 8 | __builtin_ia32_movmskpd256((__v4df)n3) << 12;
  if (normal != 0xFFFF) logs_exactly(u, logs, ~(unsigned)normal & 0xFFFF);
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
  if (other) logs_exactly(u, logs, other);
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
    ptrdiff_t k = 0;
    for (; k + 16 <= count; k += 16) logs16_avx2(u + k, logs + k);
    for (; k < count; k += 4) logs4_avx2(u + k, logs + k, count - k < 4 ? count - k : 4);
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
  ptrdiff_t e = 0, o = 0;  // the next value's example and output
  for (ptrdiff_t first = 0; first < total; first += batch) {
    const ptrdiff_t n = total - first < batch ? total - first : batch;
    // The batch a piece of one example at a time: every value as if y = 0
    // (the log's argument 1 - h, the other term's h), then the labelled
    // one, if in the piece, as y = 1 (h, and 1 - h). No branch per value:
    // the labelled one is one in K, which a predictor would guess wrong
    // each time.
    const double *he = h + first;
    for (ptrdiff_t j = 0; j < n;) {
      const ptrdiff_t end = n - j < K - o ? n : j + K - o;
      for (ptrdiff_t q = j; q < end; q++) {
        u[q] = 1 - he[q];
        otherIsZero[q] = he[q] == 0;
      }
      const ptrdiff_t labelled = j + ((ptrdiff_t)labels[e] - 1 - o);
      if (labelled >= j && labelled < end) {
        u[labelled] = he[labelled];
        otherIsZero[labelled] = 1 - he[labelled] == 0;
      }
      o += end - j;
      if (o == K) e += 1, o = 0;
      j = end;
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
  nnl_sigmoid(a, 0, a, K * count, path);
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
