// Private to the kernels: what the sparse products (sparse_products.c), the
// logistic function (logistic.c) and the cross-entropy (cross_entropy.c)
// share. Every .c file of the module includes this first.
#ifndef NNL_KERNELS_PRIVATE_H
#define NNL_KERNELS_PRIVATE_H

#include "NeuralNetworkKernels.h"

#include <stddef.h>
#include <stdint.h>

// Every function of the module gives the same bits at -O0 (SwiftPM's debug
// build) and at -O2 (release), so the library never needs to know which
// build it is in. Two things make that hold. Clang reorders no floating-point
// operation without -ffast-math, and no -ffast-math is set; and nothing may
// be fused into a multiply-add behind our back, which this pragma rules out
// for the portable loops (its default, -ffp-contract=on, fuses a * b + c
// inside one expression wherever the target has FMA, and whether that happens
// can depend on the instruction selector of each optimisation level). The
// vector loops say where they fuse, with the FMA builtin, and nowhere else.
// Each .c file states the pragma itself, after including this header.
#pragma STDC FP_CONTRACT OFF

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define NNL_HAVE_X86 1

// a + x * s in one rounding (vfmadd), 4 and 8 lanes.
#define NNL_FMA(x, s, a) ((__m256d)__builtin_ia32_vfmaddpd256((__v4df)(x), (__v4df)(s), (__v4df)(a)))
#define NNL_FMA8(x, s, a) \
  ((__m512d)__builtin_ia32_vfmaddpd512_mask( \
    (__v8df)(x), (__v8df)(s), (__v8df)(a), (__mmask8)-1, _MM_FROUND_CUR_DIRECTION))

// A vector of 4 or 8 lanes all holding c.
#define NNL_SPLAT(c) {(c), (c), (c), (c)}
#define NNL_SPLAT8(c) {(c), (c), (c), (c), (c), (c), (c), (c)}
#endif

// The path asked for, or the best the processor has when it has not that one.
static inline int usable_path(int path) {
  const int best = nnl_best_path();
  return path < best ? path : best;
}

// out[i * outStride + k] = z[i * zStride + k] + bias[k] for `count` examples of `units` units: the
// arguments of a layer's logistic function, laid out for it to run across the examples.
static inline void add_bias(
  const double *z, ptrdiff_t zStride, const double *bias, ptrdiff_t units, ptrdiff_t count, double *out,
  ptrdiff_t outStride) {
  for (ptrdiff_t i = 0; i < count; i++) {
    const double *zi = z + i * zStride;
    double *oi = out + i * outStride;
    for (ptrdiff_t k = 0; k < units; k++) oi[k] = zi[k] + bias[k];
  }
}

#endif
