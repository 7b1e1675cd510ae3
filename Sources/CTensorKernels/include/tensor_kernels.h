// Element-wise float kernels for the Tensor module, written so that clang's loop vectoriser turns them
// into AVX2/AVX-512 code. Each entry point dispatches at run time on the CPU's features, so the binary
// still runs (with the baseline x86-64 build of the same loops) on CPUs without AVX2.
#ifndef TENSOR_KERNELS_H
#define TENSOR_KERNELS_H

#include <stddef.h>

/// y = exp(x); exact 0 below -87.34 (exp(-inf) = 0), +inf above 88.72, NaN stays NaN. ~1 ulp.
void tk_exp(const float *x, float *y, ptrdiff_t n);
/// y = 1 / (1 + exp(-x)).
void tk_sigmoid(const float *x, float *y, ptrdiff_t n);
/// y = x * sigmoid(alpha * x)  (alpha = 1: SiLU; alpha = 1.702: QuickGELU).
void tk_x_sigmoid(const float *x, float *y, ptrdiff_t n, float alpha);
/// y = 0.5 x (1 + erf(x / sqrt 2)).
void tk_gelu_erf(const float *x, float *y, ptrdiff_t n);
/// y = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
void tk_gelu_tanh(const float *x, float *y, ptrdiff_t n);
/// y = tanh(x).
void tk_tanh(const float *x, float *y, ptrdiff_t n);
/// y = x * scale + shift, then SiLU when silu != 0 (GroupNorm's affine step).
void tk_scale_shift(const float *x, float *y, ptrdiff_t n, float scale, float shift, int silu);
/// Stable softmax of one contiguous row (y may alias x). A row that is all -inf becomes
/// `fully_masked` (NaN for torch.softmax, 0 inside SDPA); a NaN maximum gives NaN.
void tk_softmax_row(const float *x, float *y, ptrdiff_t n, float fully_masked);
/// Mean and biased variance of n floats (two passes, accumulated in double lanes).
void tk_mean_var(const float *x, ptrdiff_t n, double *mean, double *variance);
/// LayerNorm of one row: y = (x − mean)/sqrt(var + eps) · gamma + beta (gamma/beta may be NULL).
void tk_layer_norm_row(const float *x, float *y, ptrdiff_t n, const float *gamma, const float *beta, float eps);
/// Scaled dot-product attention of up to tk_attention_max_rows() query rows against all keys of one head,
/// flash-attention style: key blocks of 256, online softmax, Q·Kᵀ and P·V in register-blocked vector code.
///   q: rows × depth, k: keys × depth, v: keys × value_depth, out: rows × value_depth; each row contiguous,
///   consecutive rows *_stride floats apart (e.g. heads·depth for a (L, heads, depth) layout).
///   scale multiplies Q·Kᵀ. mask (may be NULL): element (i, j) at mask[i·mask_row_stride + j·mask_column_stride]
///   (strides may be 0), added to the scaled scores, or, when mask_is_boolean, 0 = key masked out.
///   causal_first_row ≥ 0: causal, row i of this call is query causal_first_row + i and sees keys j ≤ that;
///   −1: not causal. Rows that see no key come out 0 (PyTorch's _safe_softmax).
///   scratch: tk_attention_scratch_count(depth, value_depth) floats, per concurrent caller.
void tk_attention_rows(const float *q, ptrdiff_t q_stride, ptrdiff_t rows, const float *k, ptrdiff_t k_stride,
                       const float *v, ptrdiff_t v_stride, ptrdiff_t keys, ptrdiff_t depth, ptrdiff_t value_depth,
                       float scale, const float *mask, ptrdiff_t mask_row_stride, ptrdiff_t mask_column_stride,
                       int mask_is_boolean, ptrdiff_t causal_first_row, float *out, ptrdiff_t out_stride,
                       float *scratch);
/// Most query rows one tk_attention_rows call takes.
ptrdiff_t tk_attention_max_rows(void);
/// Floats of scratch one tk_attention_rows call needs.
ptrdiff_t tk_attention_scratch_count(ptrdiff_t depth, ptrdiff_t value_depth);
/// Name of the instruction set the kernels dispatch to ("avx512", "avx2" or "baseline").
const char *tk_isa(void);

#endif
