// exp(x) in float, shared by the element-wise kernels and the attention kernel (internal header).
#ifndef TK_EXP_APPROX_H
#define TK_EXP_APPROX_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#define TK_ALWAYS static inline __attribute__((always_inline))

/// exp(c) for c already clamped to [−87.34, 88.72]: 2^n · exp(r), n = round(c / ln2), r = c − n·ln2
/// (Cody–Waite), degree-6 polynomial (Cephes).
TK_ALWAYS float tk_exp_in_range(float c) {
    float shifted = c * 1.44269504088896341f + 12582912.0f;  // 1.5·2^23: rounds to nearest integer
    float n = shifted - 12582912.0f;
    float r = c - n * 0.693359375f;
    r = r + n * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    float y = p * (r * r) + r + 1.0f;
    uint32_t bits;
    memcpy(&bits, &shifted, 4);
    bits = (bits - 0x4B400000u + 127u) << 23;
    float scale;
    memcpy(&scale, &bits, 4);
    return y * scale;
}

/// exp(x) for any float: 0 below −87.34, +inf above 88.72, NaN for NaN.
TK_ALWAYS float tk_exp1(float x) {
    float c = x < -87.3365447f ? -87.3365447f : (x > 88.7228391f ? 88.7228391f : x);
    float result = tk_exp_in_range(c);
    result = x < -87.3365447f ? 0.0f : result;
    result = x > 88.7228391f ? INFINITY : result;
    return x != x ? x : result;
}

/// exp(x) for x ≤ 0 (scores minus their running maximum, in attention): tk_exp1 without the overflow and NaN
/// selects, which cannot fire or are not needed there. Still exactly 0 below −87.34, so exp(−inf) = 0; a NaN
/// argument gives NaN through the arithmetic.
TK_ALWAYS float tk_exp_nonpositive(float x) {
    float c = x < -87.3365447f ? -87.3365447f : x;
    float result = tk_exp_in_range(c);
    return x < -87.3365447f ? 0.0f : result;
}

/// 2 = AVX-512, 1 = AVX2+FMA, 0 = baseline: the instruction set the kernels dispatch to (tensor_kernels.c).
int tk_dispatch(void);

#endif
