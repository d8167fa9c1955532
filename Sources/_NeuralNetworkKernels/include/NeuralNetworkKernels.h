// Sparse products for the input layer of the feed-forward network.
//
// The digit images are about 75% exact zeros; these two loops visit only the
// non-zero entries of [1 X] (the ones of the bias column included), which
// BLAS's dense products cannot do. Everything else in the network goes
// through BLAS. Each loop keeps up to 32 hidden units in vector registers
// while it walks one example's (or one pixel's) non-zeros, and uses AVX2 and
// FMA when the processor has them, chosen at run time, so that the package
// needs no compiler flags. Each function gives the same results whatever
// the optimisation level it was compiled at (see kernels.c), so a debug and
// a release build compute the same numbers.
#ifndef NEURAL_NETWORK_KERNELS_H
#define NEURAL_NETWORK_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// The first layer's pre-activations from the rows of [1 X] held by row
/// (compressed sparse rows): for each example i in [firstRow, endRow) and
/// each unit k < width,
///
///     out[i * width + k] = sum over p in [rowStart[i], rowStart[i + 1])
///                          of value[p] * weights[column[p] * width + k]
///
/// `weights` holds Theta1 one column after another, `width` apart; `width`
/// is a multiple of 4 and the units past the layer's size are zero.
/// `vectorUnits` 0 keeps to the portable loop (for tests; 1 uses AVX2 and FMA
/// when the processor has them).
void nnl_sparse_forward(
  const int64_t *rowStart, const int32_t *column, const double *value, ptrdiff_t firstRow, ptrdiff_t endRow,
  const double *weights, ptrdiff_t width, double *out, int vectorUnits);

/// The first layer's weight gradient from the columns of [1 X] held by row
/// block (compressed sparse columns, one set per block of rows): for each
/// column j in [firstColumn, endColumn) and each unit k < width,
///
///     out[j * width + k] = sum over blocks b, then over p in
///                          [blockStart[b * columns + j], blockStart[b * columns + j + 1])
///                          of value[p] * delta[row[p] * width + k]
///
/// `delta` holds each example's delta2, `width` values apart (a multiple of
/// 4, zero past the layer's units). The sum runs over the examples in order,
/// so the result does not depend on how the columns are shared out.
/// `vectorUnits` as for nnl_sparse_forward.
void nnl_sparse_backward(
  const int64_t *blockStart, ptrdiff_t blocks, ptrdiff_t columns, const int32_t *row, const double *value,
  ptrdiff_t firstColumn, ptrdiff_t endColumn, const double *delta, ptrdiff_t width, double *out, int vectorUnits);

/// 1 when every one of the `count` values is finite, 0 when one is an
/// infinity or a NaN (the sparse loops skip 0 · x, which is NaN for those).
int nnl_all_finite(const double *values, ptrdiff_t count);

/// The logistic function of (t + bias), elementwise: out[k] = 1 / (1 + exp(-(t[k] + bias[k]))) for k < count.
/// Where the result is neither 0, 1 nor within a few units in the last place
/// of them (-700 <= t + bias <= 36), exp is a vectorised polynomial good to
/// about 1e-16 relative; elsewhere, and for NaN and infinities, it is the C
/// library's exp, so that a unit saturates at exactly 0 or 1 exactly where
/// Octave's formula makes it.
void nnl_sigmoid(const double *t, const double *bias, double *out, ptrdiff_t count);

#endif
