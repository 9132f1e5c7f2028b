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

void pulse_convolution_s8(const pulse_convolution_params *p, const int8_t *input, const int8_t *residual, int8_t *output) {
    const int32_t per_group_out = p->output_channels / p->groups;
    const int32_t per_group_in = p->input_channels / p->groups;
    for (int32_t o = 0; o < p->output_channels; o++) {
        const int32_t first_input = (o / per_group_out) * per_group_in;
        const int8_t *row = p->weights + o * per_group_in * p->kernel_size;
        for (int32_t t = 0; t < p->output_length; t++) {
            int32_t accumulator = p->bias[o];
            const int32_t start = t * p->stride - p->pad_before;
            for (int32_t i = 0; i < per_group_in; i++) {
                const int8_t *channel = input + (first_input + i) * p->input_length;
                const int8_t *taps = row + i * p->kernel_size;
                for (int32_t k = 0; k < p->kernel_size; k++) {
                    const int32_t position = start + k * p->dilation;
                    if (position >= 0 && position < p->input_length)
                        accumulator += (int32_t)taps[k] * ((int32_t)channel[position] - p->input_zero_point);
                }
            }
            int32_t value = requantise(accumulator, p->multipliers[o]);
            if (residual)
                value += requantise((int32_t)residual[o * p->output_length + t] - p->residual_zero_point, p->residual_multiplier);
            value += p->output_zero_point;
            output[o * p->output_length + t] =
                (int8_t)(value < p->activation_min ? p->activation_min : (value > p->activation_max ? p->activation_max : value));
        }
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
