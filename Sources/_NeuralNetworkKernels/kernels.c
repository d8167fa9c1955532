#include "NeuralNetworkKernels.h"

#include <math.h>

int nnl_kernels_are_optimised(void) {
#ifdef __OPTIMIZE__
  return 1;
#else
  return 0;
#endif
}

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

// V registers of 4 units each, V a constant once inlined, so the
// accumulators stay in registers.
__attribute__((target("avx2,fma"), always_inline)) static inline void sweep_avx2(
  const int64_t *start, const int32_t *index, const double *value, const double *source, ptrdiff_t width,
  double *target, const int V) {
  __m256d a[8];
  for (int v = 0; v < V; v++) a[v] = _mm256_setzero_pd();
  for (int64_t p = start[0]; p < start[1]; p++) {
    const __m256d x = _mm256_broadcast_sd(value + p);
    const double *s = source + (ptrdiff_t)index[p] * width;
    for (int v = 0; v < V; v++) a[v] = _mm256_fmadd_pd(x, _mm256_loadu_pd(s + 4 * v), a[v]);
  }
  for (int v = 0; v < V; v++) _mm256_storeu_pd(target + 4 * v, _mm256_add_pd(_mm256_loadu_pd(target + 4 * v), a[v]));
}

__attribute__((target("avx2,fma"))) static void gather_avx2(
  const int64_t *start, const int32_t *index, const double *value, const double *source, ptrdiff_t width,
  double *target) {
  for (ptrdiff_t c = 0; c < width; c += 32) {
    const ptrdiff_t lanes = width - c < 32 ? width - c : 32;
    switch (lanes / 4) {
    case 1: sweep_avx2(start, index, value, source + c, width, target + c, 1); break;
    case 2: sweep_avx2(start, index, value, source + c, width, target + c, 2); break;
    case 3: sweep_avx2(start, index, value, source + c, width, target + c, 3); break;
    case 4: sweep_avx2(start, index, value, source + c, width, target + c, 4); break;
    case 5: sweep_avx2(start, index, value, source + c, width, target + c, 5); break;
    case 6: sweep_avx2(start, index, value, source + c, width, target + c, 6); break;
    case 7: sweep_avx2(start, index, value, source + c, width, target + c, 7); break;
    default: sweep_avx2(start, index, value, source + c, width, target + c, 8); break;
    }
  }
}

static int have_avx2(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
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

// MARK: - The logistic function

// 1 / (1 + exp(-x)) with the C library's exp: the reference, and the path
// for the arguments the vectorised exp leaves alone.
static double sigmoid_exactly(double x) { return 1 / (1 + exp(-x)); }

#ifdef NNL_HAVE_AVX2
// exp(u) for -36 <= u <= 700: u = n ln2 + r with |r| <= ln2 / 2 (ln2 in two
// parts, so that r is exact), exp(r) by its Taylor series to r^13 / 13!
// (truncation below 1e-17 relative), times 2^n made from the exponent bits.
__attribute__((target("avx2,fma"))) static __m256d exp_avx2(__m256d u) {
  const __m256d log2e = _mm256_set1_pd(1.4426950408889634);
  const __m256d ln2hi = _mm256_set1_pd(6.93147180369123816490e-01);
  const __m256d ln2lo = _mm256_set1_pd(1.90821492927058770002e-10);
  const __m256d n = _mm256_round_pd(_mm256_mul_pd(u, log2e), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256d r = _mm256_fnmadd_pd(n, ln2hi, u);
  r = _mm256_fnmadd_pd(n, ln2lo, r);
  static const double inverse_factorial[14] = {
    1.0, 1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040, 1.0 / 40320, 1.0 / 362880,
    1.0 / 3628800, 1.0 / 39916800, 1.0 / 479001600, 1.0 / 6227020800.0};
  __m256d p = _mm256_set1_pd(inverse_factorial[13]);
  for (int k = 12; k >= 0; k--) p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(inverse_factorial[k]));
  // 2^n: n + 1023 in the exponent field (n is within -53 ... 1010 here).
  const __m128i n32 = _mm256_cvtpd_epi32(n);
  const __m256i biased = _mm256_add_epi64(_mm256_cvtepi32_epi64(n32), _mm256_set1_epi64x(1023));
  const __m256d scale = _mm256_castsi256_pd(_mm256_slli_epi64(biased, 52));
  return _mm256_mul_pd(p, scale);
}

__attribute__((target("avx2,fma"))) static void sigmoid_avx2(
  const double *t, const double *bias, double *out, ptrdiff_t count) {
  const __m256d one = _mm256_set1_pd(1.0);
  const __m256d low = _mm256_set1_pd(-700.0);
  const __m256d high = _mm256_set1_pd(36.0);
  for (ptrdiff_t k = 0; k < count; k += 4) {
    // The last group of fewer than 4 goes through a copy padded with zeros.
    const ptrdiff_t n = count - k < 4 ? count - k : 4;
    double tk[4] = {0, 0, 0, 0}, bk[4] = {0, 0, 0, 0}, ok[4];
    const double *tn = t + k, *bn = bias + k;
    if (n < 4) {
      for (ptrdiff_t j = 0; j < n; j++) {
        tk[j] = t[k + j];
        bk[j] = bias[k + j];
      }
      tn = tk;
      bn = bk;
    }
    const __m256d x = _mm256_add_pd(_mm256_loadu_pd(tn), _mm256_loadu_pd(bn));
    // All four inside [-700, 36] (false for NaN): the vector path.
    const __m256d inside = _mm256_and_pd(_mm256_cmp_pd(x, low, _CMP_GE_OQ), _mm256_cmp_pd(x, high, _CMP_LE_OQ));
    if (_mm256_movemask_pd(inside) == 0xF) {
      const __m256d h = _mm256_div_pd(one, _mm256_add_pd(one, exp_avx2(_mm256_sub_pd(_mm256_setzero_pd(), x))));
      if (n == 4) {
        _mm256_storeu_pd(out + k, h);
      } else {
        _mm256_storeu_pd(ok, h);
        for (ptrdiff_t j = 0; j < n; j++) out[k + j] = ok[j];
      }
    } else {
      for (ptrdiff_t j = 0; j < n; j++) out[k + j] = sigmoid_exactly(t[k + j] + bias[k + j]);
    }
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
