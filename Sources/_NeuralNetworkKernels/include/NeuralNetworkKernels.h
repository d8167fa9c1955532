// Sparse products for the input layer of the feed-forward network.
//
// The digit images are about 75% exact zeros; these two loops visit only the
// non-zero entries of [1 X] (the ones of the bias column included), which
// BLAS's dense products cannot do. Everything else in the network goes
// through BLAS. Each loop keeps up to 32 hidden units in vector registers
// while it walks one example's (or one pixel's) non-zeros, and uses AVX2 and
// FMA, or AVX-512, when the processor has them, chosen at run time, so that the package
// needs no compiler flags. Each function gives the same results whatever
// the optimisation level it was compiled at (see kernels_private.h), so a debug and
// a release build compute the same numbers.
#ifndef NEURAL_NETWORK_KERNELS_H
#define NEURAL_NETWORK_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// The code paths: plain C loops, AVX2 with FMA, AVX-512 (F and VL). Every
/// function taking a `path` runs the one asked for, or the best the
/// processor has when that is lower; the best is found once
/// (`__builtin_cpu_supports`) and remembered.
enum { NNL_PATH_PORTABLE = 0, NNL_PATH_AVX2 = 1, NNL_PATH_AVX512 = 2 };

/// The best path this processor can run.
int nnl_best_path(void);

/// The first layer's pre-activations from the rows of [1 X] held by row
/// (compressed sparse rows): for each example i in [firstRow, endRow) and
/// each unit k < width,
///
///     out[i * width + k] = sum over p in [rowStart[i], rowStart[i + 1])
///                          of value(p) * weights[weightRow[p] * width + k]
///
/// in the order of p, with value(p) = table[code[p]] when `code` is not
/// null, value[p] otherwise. `out` is written, not added to. `weights` holds
/// Theta1's columns `width` apart, in whatever order the caller packed them
/// (the engine puts the most-read first, so they stay in cache), and
/// weightRow[p] is the row holding entry p's column; `width` is a multiple
/// of 4 and the units past the layer's size are zero. The AVX2 and AVX-512 paths give the
/// same bits (each sum is the same multiply-adds in the same order), the
/// portable one rounds each product on its own.
void nnl_sparse_forward(
  const int64_t *rowStart, const uint16_t *weightRow, const uint8_t *code, const double *table, const double *value,
  ptrdiff_t firstRow, ptrdiff_t endRow, const double *weights, ptrdiff_t width, double *out, int path);

/// The first layer's weight gradient from the columns of [1 X] held by row
/// block (compressed sparse columns, one set per block of `blockRows` rows):
/// for each column j in [firstColumn, endColumn) and each unit k < width,
///
///     out[j * width + k] = sum over blocks b, then over p in
///                          [blockStart[b * columns + j], blockStart[b * columns + j + 1])
///                          of value(p) * delta[(b * blockRows + row[p]) * width + k]
///
/// `row[p]` is the example's place within its block; value(p) as for
/// nnl_sparse_forward. `delta` holds each example's delta2, `width` values
/// apart (a multiple of 4, zero past the layer's units). The sum runs over
/// the examples in order, so the result does not depend on how the columns
/// are shared out.
///
/// One call adds the blocks [firstBlock, endBlock): block 0 writes `out`,
/// every later block adds its sum to it, so calls for consecutive ranges of
/// blocks, in order, make the same sums as one call for all of them (a
/// caller can start on the first blocks while later ones are still being
/// made). With no block at all (endBlock 0), the columns are zeroed.
void nnl_sparse_backward(
  const int64_t *blockStart, ptrdiff_t firstBlock, ptrdiff_t endBlock, ptrdiff_t columns, ptrdiff_t blockRows,
  const uint16_t *row, const uint8_t *code, const double *table, const double *value, ptrdiff_t firstColumn,
  ptrdiff_t endColumn, const double *delta, ptrdiff_t width, double *out, int path);

/// 1 when every one of the `count` values is finite, 0 when one is an
/// infinity or a NaN (the sparse loops skip 0 · x, which is NaN for those).
int nnl_all_finite(const double *values, ptrdiff_t count);

/// A short pause for a loop that spins waiting for another thread (the
/// processor's `pause` on x86, nothing elsewhere).
void nnl_spin_pause(void);

/// The logistic function of (t + bias), elementwise: out[k] = 1 / (1 + exp(-(t[k] + bias[k]))) for k < count
/// (of t[k] alone when `bias` is null); `out` may be `t`.
/// Where the result is neither 0, 1 nor within a few units in the last place
/// of them (-700 <= t + bias <= 36), the vector paths compute exp from a
/// table of 2^(j/16) and a degree-7 polynomial, within 2.3e-16 relative
/// (logistic.c derives it), so the result is within 4.5e-16 of the exact
/// logistic function; elsewhere, and for NaN and infinities, and on the
/// portable path, it is the C library's exp, so that a unit saturates at
/// exactly 0 or 1 exactly where Octave's formula makes it. The choice is
/// made value by value, so a value's result does not depend on its
/// neighbours or on where a call begins.
void nnl_sigmoid(const double *t, const double *bias, double *out, ptrdiff_t count, int path);

/// A hidden layer's activations for `count` examples: for each example i,
/// a[i * (1 + units)] = 1 (the bias unit) and, for k < units,
/// a[i * (1 + units) + 1 + k] = the logistic function of z[i * zStride + k] + bias[k],
/// the same values as nnl_sigmoid gives.
void nnl_hidden_sigmoid(
  const double *z, ptrdiff_t zStride, const double *bias, ptrdiff_t units, ptrdiff_t count, double *a, int path);

/// `sum` plus, added one after another for k = 0 ... count - 1, Octave's
/// cross-entropy terms y log(h[k]) + (1 - y) log(1 - h[k]) with y = 1 for
/// k == label and 0 otherwise: log(h[k]) or log(1 - h[k]), or NaN where the
/// other term is 0 · log(0). The vector paths take the logs of normal
/// numbers with fdlibm's method (error below 1 unit in the last place), the
/// others (0, subnormal, NaN) and the portable path with the C library's log,
/// value by value.
double nnl_cross_entropy(double sum, const double *h, ptrdiff_t count, ptrdiff_t label, int path);

/// A classifier's output layer for `count` examples of K units: for each
/// example i and k < K, a[i * K + k] = the logistic function of
/// z[i * zStride + k] + bias[k] (as nnl_sigmoid). With `cost`, it then
/// returns `sum` plus the examples' cross-entropy terms, added example after
/// example as nnl_cross_entropy adds them (the label of example i is
/// labels[i], 1 ... K), and writes delta = a - y in place of z:
/// z[i * zStride + k] = a[i * K + k] - (k + 1 == labels[i]). Without, it
/// returns `sum` and leaves z alone.
double nnl_classifier_output(
  double *z, ptrdiff_t zStride, const double *bias, ptrdiff_t K, ptrdiff_t count, const double *labels, double *a,
  int cost, double sum, int path);

#endif
