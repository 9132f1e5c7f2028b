/* pulse int8 kernels (see pulse_kernels.h). */
#include "pulse_kernels.h"

/* (x * m + 2^30) >> 31 on 64 bits: one SMULL and a shift of its high word on a Cortex-M4. */
static inline int32_t doubling_high_multiply(int32_t x, int32_t m) {
    return (int32_t)(((int64_t)x * m + ((int64_t)1 << 30)) >> 31);
}

/* x / 2^exponent, rounded to nearest with halves away from zero (gemmlowp's RoundingDivideByPOT). */
static inline int32_t rounding_shift_right(int32_t x, int32_t exponent) {
    const int32_t mask = (int32_t)((1u << exponent) - 1u);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

static inline int32_t requantise(int32_t x, pulse_multiplier m) {
    const int32_t shifted = m.shift > 0 ? (int32_t)((uint32_t)x << m.shift) : x;
    const int32_t high = doubling_high_multiply(shifted, m.multiplier);
    return m.shift < 0 ? rounding_shift_right(high, -m.shift) : high;
}

static inline int8_t saturate(int32_t x) { return (int8_t)(x < -128 ? -128 : (x > 127 ? 127 : x)); }

/* Convolution weights are stored with the middle two values of each group of four in a filter row swapped
 * (w0, w2, w1, w3), so that the even and odd bytes of one packed word (SXTB16) pair with the column values
 * (c0, c1) and (c2, c3) in one SMLAD each. A row's last row_length % 4 values keep their order. */
#if defined(__ARM_FEATURE_DSP) && defined(__ARM_FEATURE_SIMD32)
#include <arm_acle.h>
#include <string.h>

/* The odd bytes of x sign-extended to two 16-bit lanes: one SXTB16 with rotation (gcc 12 does not fold a
 * rotation into __sxtb16). */
static inline int32_t sxtb16_odd(int32_t x) {
    int32_t result;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(result) : "r"(x));
    return result;
}

/* One filter row against the column. */
static inline int32_t dot1(const int8_t *w, const int16_t *c, int32_t n, int32_t sum) {
    int32_t i = 0;
    for (; i + 4 <= n; i += 4) {
        int32_t c01, c23, x;
        memcpy(&c01, c + i, 4);
        memcpy(&c23, c + i + 2, 4);
        memcpy(&x, w + i, 4);
        sum = __smlad(__sxtb16(x), c01, sum);
        sum = __smlad(sxtb16_odd(x), c23, sum);
    }
    for (; i < n; i++) sum += w[i] * c[i];
    return sum;
}

/* Two filter rows against one column: 8 multiply-accumulates per four values, each column word loaded once. */
static inline void dot2(const int8_t *w0, const int8_t *w1, const int16_t *c, int32_t n, int32_t *s0, int32_t *s1) {
    int32_t a = *s0, b = *s1, i = 0;
    for (; i + 4 <= n; i += 4) {
        int32_t c01, c23, x, y;
        memcpy(&c01, c + i, 4);
        memcpy(&c23, c + i + 2, 4);
        memcpy(&x, w0 + i, 4);
        memcpy(&y, w1 + i, 4);
        a = __smlad(__sxtb16(x), c01, a);
        a = __smlad(sxtb16_odd(x), c23, a);
        b = __smlad(__sxtb16(y), c01, b);
        b = __smlad(sxtb16_odd(y), c23, b);
    }
    for (; i < n; i++) {
        a += w0[i] * c[i];
        b += w1[i] * c[i];
    }
    *s0 = a;
    *s1 = b;
}

/* Σ (a − z_a)(b − z_b) over n values: both operands widened by SXTB16, offset by SSUB16, multiplied by SMLAD. */
static inline int32_t dot_s8(const int8_t *a, int32_t za, const int8_t *b, int32_t zb, int32_t n) {
    const int32_t za2 = (int32_t)(((uint32_t)za << 16) | ((uint32_t)za & 0xffffu));
    const int32_t zb2 = (int32_t)(((uint32_t)zb << 16) | ((uint32_t)zb & 0xffffu));
    int32_t sum = 0, i = 0;
    for (; i + 4 <= n; i += 4) {
        int32_t x, y;
        memcpy(&x, a + i, 4);
        memcpy(&y, b + i, 4);
        sum = __smlad(__ssub16(__sxtb16(x), za2), __ssub16(__sxtb16(y), zb2), sum);
        sum = __smlad(__ssub16(sxtb16_odd(x), za2), __ssub16(sxtb16_odd(y), zb2), sum);
    }
    for (; i < n; i++) sum += (a[i] - za) * (b[i] - zb);
    return sum;
}
#else
static inline int32_t group_product(const int8_t *w, const int16_t *c, int32_t i) {
    return w[i] * c[i] + w[i + 2] * c[i + 1] + w[i + 1] * c[i + 2] + w[i + 3] * c[i + 3];
}

static inline int32_t dot1(const int8_t *w, const int16_t *c, int32_t n, int32_t sum) {
    int32_t i = 0;
    for (; i + 4 <= n; i += 4) sum += group_product(w, c, i);
    for (; i < n; i++) sum += w[i] * c[i];
    return sum;
}

static inline void dot2(const int8_t *w0, const int8_t *w1, const int16_t *c, int32_t n, int32_t *s0, int32_t *s1) {
    *s0 = dot1(w0, c, n, *s0);
    *s1 = dot1(w1, c, n, *s1);
}

static inline int32_t dot_s8(const int8_t *a, int32_t za, const int8_t *b, int32_t zb, int32_t n) {
    int32_t sum = 0;
    for (int32_t i = 0; i < n; i++) sum += (a[i] - za) * (b[i] - zb);
    return sum;
}
#endif

static inline void store_convolution(const pulse_convolution_params *p, const int8_t *residual, int8_t *output,
                                     int32_t o, int32_t t, int32_t accumulator) {
    int32_t value = requantise(accumulator, p->multipliers[o]);
    if (residual)
        value += requantise((int32_t)residual[o * p->output_length + t] - p->residual_zero_point, p->residual_multiplier);
    value += p->output_zero_point;
    output[o * p->output_length + t] =
        (int8_t)(value < p->activation_min ? p->activation_min : (value > p->activation_max ? p->activation_max : value));
}

void pulse_convolution_s8(const pulse_convolution_params *p, const int8_t *input, const int8_t *residual, int8_t *output,
                          int16_t *column) {
    const int32_t per_group_out = p->output_channels / p->groups;
    const int32_t per_group_in = p->input_channels / p->groups;
    const int32_t row_length = per_group_in * p->kernel_size;
    for (int32_t g = 0; g < p->groups; g++)
        for (int32_t t = 0; t < p->output_length; t++) {
            const int32_t start = t * p->stride - p->pad_before;
            int16_t *value = column;
            for (int32_t i = 0; i < per_group_in; i++) {
                const int8_t *channel = input + (g * per_group_in + i) * p->input_length;
                for (int32_t k = 0, position = start; k < p->kernel_size; k++, position += p->dilation)
                    *value++ = position >= 0 && position < p->input_length ? (int16_t)(channel[position] - p->input_zero_point) : 0;
            }
            int32_t o = g * per_group_out;
            const int32_t end = o + per_group_out;
            for (; o + 2 <= end; o += 2) {
                int32_t a = p->bias[o], b = p->bias[o + 1];
                dot2(p->weights + o * row_length, p->weights + (o + 1) * row_length, column, row_length, &a, &b);
                store_convolution(p, residual, output, o, t, a);
                store_convolution(p, residual, output, o + 1, t, b);
            }
            if (o < end) store_convolution(p, residual, output, o, t, dot1(p->weights + o * row_length, column, row_length, p->bias[o]));
        }
}

static int8_t arithmetic(const pulse_binary_params *p, int32_t a, int32_t b) {
    int32_t value;
    switch (p->arithmetic) {
    case PULSE_ADD:
        value = requantise(requantise((int32_t)((uint32_t)a << 20), p->left_multiplier)
                           + requantise((int32_t)((uint32_t)b << 20), p->right_multiplier), p->output_multiplier);
        break;
    case PULSE_SUBTRACT:
        value = requantise(requantise((int32_t)((uint32_t)a << 20), p->left_multiplier)
                           - requantise((int32_t)((uint32_t)b << 20), p->right_multiplier), p->output_multiplier);
        break;
    case PULSE_MULTIPLY:
        value = requantise(a * b, p->output_multiplier);
        break;
    default:
        if (b == 0) return a == 0 ? saturate(p->output_zero_point) : (a > 0 ? 127 : -128);
        value = requantise((int32_t)((uint32_t)a << 16) / b, p->output_multiplier);
        break;
    }
    return saturate(value + p->output_zero_point);
}

void pulse_binary_s8(const pulse_binary_params *p, const int8_t *left, const int8_t *right, int8_t *output) {
    int32_t position = 0;
    for (int32_t i0 = 0; i0 < p->shape[0]; i0++)
        for (int32_t i1 = 0; i1 < p->shape[1]; i1++)
            for (int32_t i2 = 0; i2 < p->shape[2]; i2++)
                for (int32_t i3 = 0; i3 < p->shape[3]; i3++) {
                    const int32_t l = i0 * p->left_strides[0] + i1 * p->left_strides[1] + i2 * p->left_strides[2] + i3 * p->left_strides[3];
                    const int32_t r = i0 * p->right_strides[0] + i1 * p->right_strides[1] + i2 * p->right_strides[2] + i3 * p->right_strides[3];
                    output[position++] = arithmetic(p, (int32_t)left[l] - p->left_zero_point, (int32_t)right[r] - p->right_zero_point);
                }
}

void pulse_lookup_s8(const int8_t *table, const int8_t *input, int8_t *output, int32_t count) {
    for (int32_t i = 0; i < count; i++) output[i] = table[(int32_t)input[i] + 128];
}

void pulse_reduction_s8(const pulse_reduction_params *p, const int8_t *input, int8_t *output) {
    int32_t position = 0;
    for (int32_t i0 = 0; i0 < p->shape[0]; i0++)
        for (int32_t i1 = 0; i1 < p->shape[1]; i1++)
            for (int32_t i2 = 0; i2 < p->shape[2]; i2++)
                for (int32_t i3 = 0; i3 < p->shape[3]; i3++) {
                    const int8_t *base = input + i0 * p->strides[0] + i1 * p->strides[1] + i2 * p->strides[2] + i3 * p->strides[3];
                    int32_t maximum = -128, sum = 0;
                    for (int32_t j0 = 0; j0 < p->reduced_shape[0]; j0++)
                        for (int32_t j1 = 0; j1 < p->reduced_shape[1]; j1++)
                            for (int32_t j2 = 0; j2 < p->reduced_shape[2]; j2++)
                                for (int32_t j3 = 0; j3 < p->reduced_shape[3]; j3++) {
                                    const int32_t value = base[j0 * p->reduced_strides[0] + j1 * p->reduced_strides[1]
                                                               + j2 * p->reduced_strides[2] + j3 * p->reduced_strides[3]];
                                    if (value > maximum) maximum = value;
                                    sum += value - p->input_zero_point;
                                }
                    output[position++] = p->maximum ? (int8_t)maximum : saturate(requantise(sum, p->multiplier) + p->output_zero_point);
                }
}

void pulse_pooling_s8(const pulse_pooling_params *p, const int8_t *input, int8_t *output) {
    for (int32_t outer = 0; outer < p->outer; outer++)
        for (int32_t t = 0; t < p->count; t++)
            for (int32_t inner = 0; inner < p->inner; inner++) {
                int32_t maximum = -128, sum = 0;
                for (int32_t k = 0; k < p->size; k++) {
                    const int32_t position = t * p->stride + k * p->dilation - p->pad_before;
                    const int32_t value = position >= 0 && position < p->length
                        ? (int32_t)input[(outer * p->length + position) * p->inner + inner] : p->input_zero_point;
                    if (value > maximum) maximum = value;
                    sum += value - p->input_zero_point;
                }
                output[(outer * p->count + t) * p->inner + inner] =
                    p->maximum ? (int8_t)maximum : saturate(requantise(sum, p->multiplier) + p->output_zero_point);
            }
}

void pulse_contraction_s8(const pulse_contraction_params *p, const int8_t *left, const int8_t *right, int8_t *output) {
    int32_t position = 0;
    for (int32_t i0 = 0; i0 < p->shape[0]; i0++)
        for (int32_t i1 = 0; i1 < p->shape[1]; i1++)
            for (int32_t i2 = 0; i2 < p->shape[2]; i2++)
                for (int32_t i3 = 0; i3 < p->shape[3]; i3++) {
                    const int8_t *a = left + i0 * p->left_strides[0] + i1 * p->left_strides[1] + i2 * p->left_strides[2] + i3 * p->left_strides[3];
                    const int8_t *b = right + i0 * p->right_strides[0] + i1 * p->right_strides[1] + i2 * p->right_strides[2] + i3 * p->right_strides[3];
                    int32_t sum = 0;
                    if (p->summed_shape[0] == 1 && p->summed_shape[1] == 1 && p->summed_shape[2] == 1
                        && p->left_summed_strides[3] == 1 && p->right_summed_strides[3] == 1) {
                        output[position++] = saturate(requantise(dot_s8(a, p->left_zero_point, b, p->right_zero_point, p->summed_shape[3]),
                                                                 p->multiplier) + p->output_zero_point);
                        continue;
                    }
                    for (int32_t j0 = 0; j0 < p->summed_shape[0]; j0++)
                        for (int32_t j1 = 0; j1 < p->summed_shape[1]; j1++)
                            for (int32_t j2 = 0; j2 < p->summed_shape[2]; j2++)
                                for (int32_t j3 = 0; j3 < p->summed_shape[3]; j3++) {
                                    const int32_t x = a[j0 * p->left_summed_strides[0] + j1 * p->left_summed_strides[1]
                                                        + j2 * p->left_summed_strides[2] + j3 * p->left_summed_strides[3]];
                                    const int32_t y = b[j0 * p->right_summed_strides[0] + j1 * p->right_summed_strides[1]
                                                        + j2 * p->right_summed_strides[2] + j3 * p->right_summed_strides[3]];
                                    sum += (x - p->left_zero_point) * (y - p->right_zero_point);
                                }
                    output[position++] = saturate(requantise(sum, p->multiplier) + p->output_zero_point);
                }
}

void pulse_move_s8(const pulse_move_params *p, const pulse_move_piece *pieces, const int8_t *const *sources, int32_t piece_count,
                   int8_t *output) {
    if (p->fills)
        for (int32_t i = 0; i < p->outer * p->length * p->inner; i++) output[i] = p->fill;
    for (int32_t n = 0; n < piece_count; n++) {
        const pulse_move_piece *piece = &pieces[n];
        const int8_t *source = sources[n];
        for (int32_t outer = 0; outer < p->outer; outer++)
            for (int32_t t = 0; t < piece->count; t++) {
                const int8_t *from = source + (outer * piece->source_length + piece->source_start + t) * p->inner;
                int8_t *to = output + (outer * p->length + piece->destination_start + t) * p->inner;
                for (int32_t i = 0; i < p->inner; i++)
                    to[i] = piece->requantise
                        ? saturate(requantise((int32_t)from[i] - piece->input_zero_point, piece->multiplier) + piece->output_zero_point)
                        : from[i];
            }
    }
}
