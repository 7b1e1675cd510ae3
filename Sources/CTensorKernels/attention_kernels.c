// Fused scaled dot-product attention for one head and a block of query rows (see tk_attention_rows in
// include/tensor_kernels.h). The body, attention_body.h, is compiled three times (AVX-512, AVX2+FMA, SSE2
// baseline) with register blocks sized for each instruction set; tk_dispatch() picks one at run time.

#include "tensor_kernels.h"
#include "exp_approx.h"

#define TK_ATTN_ROWS 32        // query rows per tile (one or more vectors of rows)
#ifndef TK_ATTN_KEY_BLOCK
#define TK_ATTN_KEY_BLOCK 256  // most keys per online-softmax step: Sᵀ is 256 × 32 floats = 32 KiB (L1/L2)
#endif
#define TK_ATTN_DCMAX 12       // widest P·V register block of any instruction set
#define TK_ATTN_MAX_TILES 4    // query rows per call ≤ 4 tiles = 128

#define TKA_CAT2(a, b) a##_##b
#define TKA_CAT(a, b) TKA_CAT2(a, b)
#define TKA(name) TKA_CAT(name, TKA_SUFFIX)

#pragma clang attribute push(__attribute__((target("avx512f,avx512dq,avx512vl,avx2,fma"))), apply_to = function)
#define TKA_SUFFIX avx512
#define TKA_VW 16
#define TKA_JB 12  // 12 × 2 accumulators + 2 row vectors of Qᵀ of 32 registers
#define TKA_DC 12  // 12 × 2 accumulators + 2 row vectors of Pᵀ
#include "attention_body.h"
#undef TKA_SUFFIX
#undef TKA_VW
#undef TKA_JB
#undef TKA_DC
#pragma clang attribute pop

#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define TKA_SUFFIX avx2
#define TKA_VW 8
#define TKA_JB 2  // 2 × 4 accumulators + 4 row vectors of 16 registers
#define TKA_DC 2
#include "attention_body.h"
#undef TKA_SUFFIX
#undef TKA_VW
#undef TKA_JB
#undef TKA_DC
#pragma clang attribute pop

#define TKA_SUFFIX base
#define TKA_VW 4
#define TKA_JB 1  // 8 accumulators + 8 row vectors of 16 registers
#define TKA_DC 1
#include "attention_body.h"
#undef TKA_SUFFIX
#undef TKA_VW
#undef TKA_JB
#undef TKA_DC

ptrdiff_t tk_attention_max_rows(void) { return TK_ATTN_ROWS * TK_ATTN_MAX_TILES; }

ptrdiff_t tk_attention_scratch_count(ptrdiff_t depth, ptrdiff_t value_depth) {
    return (ptrdiff_t)TK_ATTN_KEY_BLOCK * TK_ATTN_ROWS + TK_ATTN_MAX_TILES * TK_ATTN_ROWS * (depth + value_depth + 2);
}

void tk_attention_rows(const float *q, ptrdiff_t q_stride, ptrdiff_t rows, const float *k, ptrdiff_t k_stride,
                       const float *v, ptrdiff_t v_stride, ptrdiff_t keys, ptrdiff_t depth, ptrdiff_t value_depth,
                       float scale, const float *mask, ptrdiff_t mask_row_stride, ptrdiff_t mask_column_stride,
                       int mask_is_boolean, ptrdiff_t causal_first_row, float *out, ptrdiff_t out_stride,
                       float *scratch) {
    if (rows <= 0) return;
    switch (tk_dispatch()) {
    case 2:
        attention_avx512(q, q_stride, rows, k, k_stride, v, v_stride, keys, depth, value_depth, scale, mask,
                         mask_row_stride, mask_column_stride, mask_is_boolean, causal_first_row, out, out_stride, scratch);
        break;
    case 1:
        attention_avx2(q, q_stride, rows, k, k_stride, v, v_stride, keys, depth, value_depth, scale, mask,
                       mask_row_stride, mask_column_stride, mask_is_boolean, causal_first_row, out, out_stride, scratch);
        break;
    default:
        attention_base(q, q_stride, rows, k, k_stride, v, v_stride, keys, depth, value_depth, scale, mask,
                       mask_row_stride, mask_column_stride, mask_is_boolean, causal_first_row, out, out_stride, scratch);
        break;
    }
}
