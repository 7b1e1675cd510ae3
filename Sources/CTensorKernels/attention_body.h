// Body of the fused attention kernel, included once per instruction set by attention_kernels.c, which
// defines before each inclusion:
//   TKA(name)  the name suffixed for this instruction set (e.g. qk_avx512)
//   TKA_VW     floats per vector register (16 AVX-512, 8 AVX2, 4 SSE2)
//   TKA_JB     keys per register block of S = Q·Kᵀ   (accumulators: TKA_JB × TK_ATTN_ROWS / TKA_VW)
//   TKA_DC     output columns per register block of O += P·V (accumulators: TKA_DC × TK_ATTN_ROWS / TKA_VW)
// and wraps it in `#pragma clang attribute` so every function gets the instruction set's target attribute.
//
// Layout: a tile is TK_ATTN_ROWS query rows. Everything per tile is stored transposed (row index fastest), so
// one vector holds TKA_VW query rows: Qᵀ (depth × ROWS, pre-scaled), Sᵀ/Pᵀ (keys × ROWS), Oᵀ (value depth ×
// ROWS). Both products then broadcast one K or V element and multiply it by a vector of rows, and the
// softmax reductions (max, sum over keys) are vertical vector operations with no horizontal reduce.

#define TKA_NV (TK_ATTN_ROWS / TKA_VW)

typedef float TKA(vec) __attribute__((ext_vector_type(TKA_VW), aligned(4)));

/// Sᵀ[j][·] = Σ_d K[j][d] · Qᵀ[d][·] for `jb` keys (jb ≤ TKA_JB, a constant after inlining).
TK_ALWAYS void TKA(qk_block)(const float *qt, const float *k, ptrdiff_t kstride, ptrdiff_t depth, float *s, const int jb) {
    TKA(vec) acc[TKA_JB][TKA_NV];
    _Pragma("unroll")
    for (int j = 0; j < jb; j++)
        _Pragma("unroll")
        for (int v = 0; v < TKA_NV; v++) acc[j][v] = (TKA(vec))0.0f;
    for (ptrdiff_t d = 0; d < depth; d++) {
        TKA(vec) q[TKA_NV];
        _Pragma("unroll")
        for (int v = 0; v < TKA_NV; v++) q[v] = *(const TKA(vec) *)(qt + d * TK_ATTN_ROWS + v * TKA_VW);
        _Pragma("unroll")
        for (int j = 0; j < jb; j++) {
            float kv = k[j * kstride + d];
            _Pragma("unroll")
            for (int v = 0; v < TKA_NV; v++) acc[j][v] += kv * q[v];
        }
    }
    _Pragma("unroll")
    for (int j = 0; j < jb; j++)
        _Pragma("unroll")
        for (int v = 0; v < TKA_NV; v++) *(TKA(vec) *)(s + j * TK_ATTN_ROWS + v * TKA_VW) = acc[j][v];
}

/// Sᵀ for `n` keys starting at `k` (rows `kstride` floats apart).
static void TKA(qk)(const float *qt, const float *k, ptrdiff_t kstride, ptrdiff_t depth, ptrdiff_t n, float *s) {
    ptrdiff_t j = 0;
    for (; j + TKA_JB <= n; j += TKA_JB) TKA(qk_block)(qt, k + j * kstride, kstride, depth, s + j * TK_ATTN_ROWS, TKA_JB);
    if (TKA_JB > 4)
        for (; j + 4 <= n; j += 4) TKA(qk_block)(qt, k + j * kstride, kstride, depth, s + j * TK_ATTN_ROWS, TKA_JB > 4 ? 4 : 1);
    for (; j < n; j++) TKA(qk_block)(qt, k + j * kstride, kstride, depth, s + j * TK_ATTN_ROWS, 1);
}

/// Oᵀ[c][·] += Σ_j V[j][c] · Pᵀ[j][·] for `dc` columns (dc ≤ TK_ATTN_DCMAX, a constant after inlining);
/// `v` points at V[0][c0], `ot` at Oᵀ[c0][0].
TK_ALWAYS void TKA(pv_block)(const float *p, const float *v, ptrdiff_t vstride, ptrdiff_t n, float *ot, const int dc) {
    TKA(vec) acc[TK_ATTN_DCMAX][TKA_NV];
    _Pragma("unroll")
    for (int c = 0; c < dc; c++)
        _Pragma("unroll")
        for (int r = 0; r < TKA_NV; r++) acc[c][r] = *(const TKA(vec) *)(ot + c * TK_ATTN_ROWS + r * TKA_VW);
    for (ptrdiff_t j = 0; j < n; j++) {
        TKA(vec) pj[TKA_NV];
        _Pragma("unroll")
        for (int r = 0; r < TKA_NV; r++) pj[r] = *(const TKA(vec) *)(p + j * TK_ATTN_ROWS + r * TKA_VW);
        _Pragma("unroll")
        for (int c = 0; c < dc; c++) {
            float vv = v[j * vstride + c];
            _Pragma("unroll")
            for (int r = 0; r < TKA_NV; r++) acc[c][r] += vv * pj[r];
        }
    }
    _Pragma("unroll")
    for (int c = 0; c < dc; c++)
        _Pragma("unroll")
        for (int r = 0; r < TKA_NV; r++) *(TKA(vec) *)(ot + c * TK_ATTN_ROWS + r * TKA_VW) = acc[c][r];
}

#define TKA_PV_CASE(W) case W: TKA(pv_block)(p, v + c0, vstride, n, ot + c0 * TK_ATTN_ROWS, W); break;

/// Oᵀ += Pᵀ·V over `n` keys (rows of V `vstride` floats apart), the value columns split into near-equal
/// chunks of at most TKA_DC.
static void TKA(pv)(const float *p, const float *v, ptrdiff_t vstride, ptrdiff_t vdepth, ptrdiff_t n, float *ot) {
    ptrdiff_t chunks = (vdepth + TKA_DC - 1) / TKA_DC;
    ptrdiff_t c0 = 0;
    for (ptrdiff_t chunk = 0; chunk < chunks; chunk++) {
        ptrdiff_t width = vdepth / chunks + (chunk < vdepth % chunks ? 1 : 0);
        switch (width) {
            TKA_PV_CASE(1) TKA_PV_CASE(2) TKA_PV_CASE(3) TKA_PV_CASE(4) TKA_PV_CASE(5) TKA_PV_CASE(6)
            TKA_PV_CASE(7) TKA_PV_CASE(8) TKA_PV_CASE(9) TKA_PV_CASE(10) TKA_PV_CASE(11) TKA_PV_CASE(12)
            default: break;
        }
        c0 += width;
    }
}

#undef TKA_PV_CASE

static void TKA(attention)(const float *q, ptrdiff_t q_stride, ptrdiff_t rows, const float *k, ptrdiff_t k_stride,
                           const float *v, ptrdiff_t v_stride, ptrdiff_t keys, ptrdiff_t depth, ptrdiff_t vdepth, float scale, const float *mask, ptrdiff_t mask_row_stride,
                           ptrdiff_t mask_column_stride, int mask_boolean, ptrdiff_t causal_first_row, float *out,
                           ptrdiff_t out_stride, float *scratch) {
    const ptrdiff_t R = TK_ATTN_ROWS;
    ptrdiff_t tiles = (rows + R - 1) / R;
    ptrdiff_t tile_floats = R * (depth + vdepth + 2);
    float *s = scratch;
    float *state = scratch + (ptrdiff_t)TK_ATTN_KEY_BLOCK * R;
    int causal = causal_first_row >= 0;
    for (ptrdiff_t t = 0; t < tiles; t++) {
        float *qt = state + t * tile_floats, *ot = qt + depth * R, *m = ot + vdepth * R, *l = m + R;
        ptrdiff_t valid = rows - t * R < R ? rows - t * R : R;
        const float *qrows = q + t * R * q_stride;
        // Read Q row by row (contiguous, streamed from memory once); the strided writes stay in L1.
        for (ptrdiff_t r = 0; r < R; r++)
            for (ptrdiff_t d = 0; d < depth; d++) qt[d * R + r] = r < valid ? qrows[r * q_stride + d] * scale : 0.0f;
        for (ptrdiff_t i = 0; i < vdepth * R; i++) ot[i] = 0.0f;
        for (ptrdiff_t r = 0; r < R; r++) { m[r] = -INFINITY; l[r] = 0.0f; }
    }
    // Causal (top-left aligned, as PyTorch): query row i sees keys j ≤ i; no key after the last row is needed.
    ptrdiff_t key_end = causal && causal_first_row + rows < keys ? causal_first_row + rows : keys;
    // Wide heads (the VAE's single head of 512) take shorter key blocks so that the K and V block stay
    // within 256 KiB of L2 next to the row tiles' Qᵀ and Oᵀ (measured: 64 keys ~5 % faster than 256 at d 512).
    ptrdiff_t key_block = TK_ATTN_KEY_BLOCK;
    while (key_block > 64 && key_block * (depth + vdepth) * (ptrdiff_t)sizeof(float) > (256 << 10)) key_block /= 2;
    for (ptrdiff_t j0 = 0; j0 < key_end; j0 += key_block) {
        ptrdiff_t n = key_end - j0 < key_block ? key_end - j0 : key_block;
        for (ptrdiff_t t = 0; t < tiles; t++) {
            float *qt = state + t * tile_floats, *ot = qt + depth * R, *m = ot + vdepth * R, *l = m + R;
            ptrdiff_t valid = rows - t * R < R ? rows - t * R : R;
            ptrdiff_t first = causal_first_row + t * R;  // global index of the tile's first row (causal only)
            if (causal && j0 > first + valid - 1) continue;  // every key of the block is after every row
            TKA(qk)(qt, k + j0 * k_stride, k_stride, depth, n, s);
            if (mask) {
                const float *mrows = mask + t * R * mask_row_stride + j0 * mask_column_stride;
                for (ptrdiff_t r = 0; r < valid; r++) {
                    const float *mr = mrows + r * mask_row_stride;
                    if (mask_boolean) {
                        for (ptrdiff_t j = 0; j < n; j++)
                            if (mr[j * mask_column_stride] == 0.0f) s[j * R + r] = -INFINITY;
                    } else {
                        for (ptrdiff_t j = 0; j < n; j++) s[j * R + r] += mr[j * mask_column_stride];
                    }
                }
            }
            if (causal && j0 + n - 1 > first) {
                for (ptrdiff_t r = 0; r < valid; r++)
                    for (ptrdiff_t j = first + r + 1 - j0 > 0 ? first + r + 1 - j0 : 0; j < n; j++) s[j * R + r] = -INFINITY;
            }
            // Online softmax (Milakov & Gimelshein 2018; FlashAttention, Dao et al. 2022, Alg. 1): rescale the
            // running sum and accumulator by exp(m_old − m_new), then add exp(S − m_new) and its P·V.
            float maximum[TK_ATTN_ROWS], shift[TK_ATTN_ROWS], alpha[TK_ATTN_ROWS], sum[TK_ATTN_ROWS];
            for (ptrdiff_t r = 0; r < R; r++) maximum[r] = m[r];
            for (ptrdiff_t j = 0; j < n; j++)
                for (ptrdiff_t r = 0; r < R; r++) maximum[r] = s[j * R + r] > maximum[r] ? s[j * R + r] : maximum[r];
            for (ptrdiff_t r = 0; r < R; r++) {
                // A row with every key so far masked keeps a zero sum; shifting by 0 keeps exp(−inf) = 0.
                shift[r] = maximum[r] == -INFINITY ? 0.0f : maximum[r];
                alpha[r] = tk_exp_nonpositive(m[r] - shift[r]);
                m[r] = maximum[r];
                sum[r] = 0.0f;
            }
            for (ptrdiff_t j = 0; j < n; j++)
                for (ptrdiff_t r = 0; r < R; r++) {
                    float e = tk_exp_nonpositive(s[j * R + r] - shift[r]);
                    s[j * R + r] = e;
                    sum[r] += e;
                }
            for (ptrdiff_t r = 0; r < R; r++) l[r] = l[r] * alpha[r] + sum[r];
            if (j0 > 0)
                for (ptrdiff_t c = 0; c < vdepth; c++)
                    for (ptrdiff_t r = 0; r < R; r++) ot[c * R + r] *= alpha[r];
            TKA(pv)(s, v + j0 * v_stride, v_stride, vdepth, n, ot);
        }
    }
    for (ptrdiff_t t = 0; t < tiles; t++) {
        float *qt = state + t * tile_floats, *ot = qt + depth * R, *l = ot + vdepth * R + R;
        ptrdiff_t valid = rows - t * R < R ? rows - t * R : R;
        float *orows = out + t * R * out_stride;
        for (ptrdiff_t r = 0; r < valid; r++) {
            // Rows that saw no key are 0, as PyTorch's `_safe_softmax` returns; a NaN sum stays NaN.
            float inverse = l[r] == 0.0f ? 0.0f : 1.0f / l[r];
            for (ptrdiff_t c = 0; c < vdepth; c++) orows[r * out_stride + c] = ot[c * R + r] * inverse;
        }
    }
}

#undef TKA_NV
