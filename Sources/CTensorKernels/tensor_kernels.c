// See include/tensor_kernels.h. The bodies are written once as static inline functions and instantiated
// three times (AVX-512, AVX2+FMA, baseline) through target attributes; a one-time CPU check picks one.

#include "tensor_kernels.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "exp_approx.h"

TK_ALWAYS float tk_erf1(float x) {
    // Numerical Recipes erfcc: fractional error < 1.2e-7 in erfc.
    float z = fabsf(x);
    float t = 1.0f / (1.0f + 0.5f * z);
    float p = 0.17087277f;
    p = p * t - 0.82215223f;
    p = p * t + 1.48851587f;
    p = p * t - 1.13520398f;
    p = p * t + 0.27886807f;
    p = p * t - 0.18628806f;
    p = p * t + 0.09678418f;
    p = p * t + 0.37409196f;
    p = p * t + 1.00002368f;
    p = p * t - 1.26551223f;
    float erfc = t * tk_exp1(p - z * z);
    float e = 1.0f - erfc;
    return x < 0 ? -e : e;
}

TK_ALWAYS float tk_tanh1(float x) {
    // Odd symmetry keeps the small-|x| relative error low; 1 − 2/(e^{2|x|} + 1) saturates at 1.
    float a = fabsf(x);
    float t;
    if (a < 0.0625f) {
        float x2 = x * x;  // tanh series: x − x³/3 + 2x⁵/15 − 17x⁷/315
        t = a * (1.0f + x2 * (-0.333333333f + x2 * (0.133333333f - x2 * 0.053968254f)));
    } else {
        t = 1.0f - 2.0f / (tk_exp1(2.0f * a) + 1.0f);
    }
    return x < 0 ? -t : t;
}

#define TK_DEFINE(SUFFIX, ATTR)                                                                         \
    ATTR static void exp_##SUFFIX(const float *x, float *y, ptrdiff_t n) {                              \
        for (ptrdiff_t i = 0; i < n; i++) y[i] = tk_exp1(x[i]);                                         \
    }                                                                                                   \
    ATTR static void sigmoid_##SUFFIX(const float *x, float *y, ptrdiff_t n) {                          \
        for (ptrdiff_t i = 0; i < n; i++) y[i] = 1.0f / (1.0f + tk_exp1(-x[i]));                        \
    }                                                                                                   \
    ATTR static void x_sigmoid_##SUFFIX(const float *x, float *y, ptrdiff_t n, float alpha) {           \
        for (ptrdiff_t i = 0; i < n; i++) y[i] = x[i] / (1.0f + tk_exp1(-alpha * x[i]));                \
    }                                                                                                   \
    ATTR static void gelu_erf_##SUFFIX(const float *x, float *y, ptrdiff_t n) {                         \
        for (ptrdiff_t i = 0; i < n; i++) y[i] = 0.5f * x[i] * (1.0f + tk_erf1(x[i] * 0.70710678118654752f)); \
    }                                                                                                   \
    ATTR static void gelu_tanh_##SUFFIX(const float *x, float *y, ptrdiff_t n) {                        \
        for (ptrdiff_t i = 0; i < n; i++) {                                                             \
            float v = x[i];                                                                             \
            y[i] = 0.5f * v * (1.0f + tk_tanh1(0.79788456080286536f * (v + 0.044715f * v * v * v)));   \
        }                                                                                               \
    }                                                                                                   \
    ATTR static void tanh_##SUFFIX(const float *x, float *y, ptrdiff_t n) {                             \
        for (ptrdiff_t i = 0; i < n; i++) y[i] = tk_tanh1(x[i]);                                        \
    }                                                                                                   \
    ATTR static void scale_shift_##SUFFIX(const float *x, float *y, ptrdiff_t n, float s, float b, int silu) { \
        if (silu) {                                                                                     \
            for (ptrdiff_t i = 0; i < n; i++) { float v = x[i] * s + b; y[i] = v / (1.0f + tk_exp1(-v)); } \
        } else {                                                                                        \
            for (ptrdiff_t i = 0; i < n; i++) y[i] = x[i] * s + b;                                      \
        }                                                                                               \
    }                                                                                                   \
    ATTR static void softmax_row_##SUFFIX(const float *x, float *y, ptrdiff_t n, float masked) {        \
        /* 16 independent lanes so the max and sum reductions vectorise without reassociation flags. */ \
        float lanes[16];                                                                                \
        for (int j = 0; j < 16; j++) lanes[j] = -INFINITY;                                              \
        ptrdiff_t i = 0;                                                                                \
        for (; i + 16 <= n; i += 16)                                                                    \
            for (int j = 0; j < 16; j++) lanes[j] = x[i + j] > lanes[j] ? x[i + j] : lanes[j];          \
        float m = -INFINITY;                                                                            \
        for (int j = 0; j < 16; j++) m = lanes[j] > m ? lanes[j] : m;                                   \
        for (; i < n; i++) m = x[i] > m ? x[i] : m;                                                     \
        int nan = 0;                                                                                    \
        for (i = 0; i < n; i++) nan |= x[i] != x[i];                                                    \
        if (nan || m == -INFINITY) {                                                                    \
            for (i = 0; i < n; i++) y[i] = nan ? NAN : masked;                                          \
            return;                                                                                     \
        }                                                                                               \
        /* In place (y == x) the loop must read and write one pointer, or the vectoriser's overlap check */ \
        /* sends it down the scalar path. */                                                            \
        if (x == y) {                                                                                   \
            for (i = 0; i < n; i++) y[i] = tk_exp1(y[i] - m);                                           \
        } else {                                                                                        \
            for (i = 0; i < n; i++) y[i] = tk_exp1(x[i] - m);                                           \
        }                                                                                               \
        for (int j = 0; j < 16; j++) lanes[j] = 0.0f;                                                   \
        for (i = 0; i + 16 <= n; i += 16)                                                               \
            for (int j = 0; j < 16; j++) lanes[j] += y[i + j];                                          \
        float sum = 0.0f;                                                                               \
        for (int j = 0; j < 16; j++) sum += lanes[j];                                                   \
        for (; i < n; i++) sum += y[i];                                                                 \
        float inv = 1.0f / sum;                                                                         \
        for (i = 0; i < n; i++) y[i] *= inv;                                                            \
    }

#define TK_DEFINE_NORM(SUFFIX, ATTR)                                                                    \
    ATTR static void mean_var_##SUFFIX(const float *x, ptrdiff_t n, double *mean, double *variance) {   \
        double lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};                                                     \
        ptrdiff_t i = 0;                                                                                \
        for (; i + 8 <= n; i += 8)                                                                      \
            for (int j = 0; j < 8; j++) lanes[j] += (double)x[i + j];                                   \
        double sum = 0;                                                                                 \
        for (int j = 0; j < 8; j++) sum += lanes[j];                                                    \
        for (; i < n; i++) sum += (double)x[i];                                                         \
        double m = n > 0 ? sum / (double)n : 0;                                                         \
        for (int j = 0; j < 8; j++) lanes[j] = 0;                                                       \
        for (i = 0; i + 8 <= n; i += 8)                                                                 \
            for (int j = 0; j < 8; j++) { double d = (double)x[i + j] - m; lanes[j] += d * d; }         \
        double squares = 0;                                                                             \
        for (int j = 0; j < 8; j++) squares += lanes[j];                                                \
        for (; i < n; i++) { double d = (double)x[i] - m; squares += d * d; }                           \
        *mean = m;                                                                                      \
        *variance = n > 0 ? squares / (double)n : 0;                                                    \
    }                                                                                                   \
    ATTR static void layer_norm_row_##SUFFIX(const float *x, float *y, ptrdiff_t n, const float *gamma, \
                                             const float *beta, float eps) {                            \
        double m, v;                                                                                    \
        mean_var_##SUFFIX(x, n, &m, &v);                                                                \
        float inv = (float)(1.0 / sqrt(v + (double)eps));                                              \
        float shift = (float)m;                                                                         \
        if (gamma && beta) {                                                                            \
            for (ptrdiff_t i = 0; i < n; i++) y[i] = (x[i] - shift) * inv * gamma[i] + beta[i];         \
        } else if (gamma) {                                                                             \
            for (ptrdiff_t i = 0; i < n; i++) y[i] = (x[i] - shift) * inv * gamma[i];                   \
        } else if (beta) {                                                                              \
            for (ptrdiff_t i = 0; i < n; i++) y[i] = (x[i] - shift) * inv + beta[i];                    \
        } else {                                                                                        \
            for (ptrdiff_t i = 0; i < n; i++) y[i] = (x[i] - shift) * inv;                              \
        }                                                                                               \
    }

TK_DEFINE_NORM(avx512, __attribute__((target("avx512f,avx512dq,avx512vl,avx2,fma"))))
TK_DEFINE_NORM(avx2, __attribute__((target("avx2,fma"))))
TK_DEFINE_NORM(base, )

TK_DEFINE(avx512, __attribute__((target("avx512f,avx512dq,avx512vl,avx2,fma"))))
TK_DEFINE(avx2, __attribute__((target("avx2,fma"))))
TK_DEFINE(base, )

static int tk_level = -1;  // 2 = AVX-512, 1 = AVX2, 0 = baseline; benign race: every thread computes the same value

int tk_dispatch(void) {
    int level = tk_level;
    if (level < 0) {
        __builtin_cpu_init();
        level = (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl")) ? 2
              : (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) ? 1 : 0;
        tk_level = level;
    }
    return level;
}

#define TK_ENTRY(NAME, PARAMS, ARGS)                                                \
    void tk_##NAME PARAMS {                                                          \
        switch (tk_dispatch()) {                                                     \
        case 2: NAME##_avx512 ARGS; break;                                           \
        case 1: NAME##_avx2 ARGS; break;                                             \
        default: NAME##_base ARGS; break;                                            \
        }                                                                            \
    }

TK_ENTRY(exp, (const float *x, float *y, ptrdiff_t n), (x, y, n))
TK_ENTRY(sigmoid, (const float *x, float *y, ptrdiff_t n), (x, y, n))
TK_ENTRY(x_sigmoid, (const float *x, float *y, ptrdiff_t n, float alpha), (x, y, n, alpha))
TK_ENTRY(gelu_erf, (const float *x, float *y, ptrdiff_t n), (x, y, n))
TK_ENTRY(gelu_tanh, (const float *x, float *y, ptrdiff_t n), (x, y, n))
TK_ENTRY(tanh, (const float *x, float *y, ptrdiff_t n), (x, y, n))
TK_ENTRY(scale_shift, (const float *x, float *y, ptrdiff_t n, float scale, float shift, int silu), (x, y, n, scale, shift, silu))
TK_ENTRY(softmax_row, (const float *x, float *y, ptrdiff_t n, float masked), (x, y, n, masked))

TK_ENTRY(mean_var, (const float *x, ptrdiff_t n, double *mean, double *variance), (x, n, mean, variance))
TK_ENTRY(layer_norm_row, (const float *x, float *y, ptrdiff_t n, const float *gamma, const float *beta, float eps), (x, y, n, gamma, beta, eps))

const char *tk_isa(void) {
    switch (tk_dispatch()) {
    case 2: return "avx512";
    case 1: return "avx2";
    default: return "baseline";
    }
}
