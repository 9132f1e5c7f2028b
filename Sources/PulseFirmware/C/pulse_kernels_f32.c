/* pulse float32 kernels (see pulse_kernels_f32.h). */
#include <math.h>
#include "pulse_kernels_f32.h"

#if defined(__aarch64__) && defined(__ARM_NEON)
#include <arm_neon.h>

/* Four lanes of fused multiply-adds, then one horizontal add. */
static inline float dot_f32(const float *a, const float *b, int32_t n) {
    float32x4_t sum = vdupq_n_f32(0);
    int32_t i = 0;
    for (; i + 4 <= n; i += 4) sum = vfmaq_f32(sum, vld1q_f32(a + i), vld1q_f32(b + i));
    float total = vaddvq_f32(sum);
    for (; i < n; i++) total += a[i] * b[i];
    return total;
}
#else
static inline float dot_f32(const float *a, const float *b, int32_t n) {
    float total = 0;
    for (int32_t i = 0; i < n; i++) total += a[i] * b[i];
    return total;
}
#endif

void pulse_convolution_f32(const pulse_convolution_f32_params *p, const float *input, const float *residual, float *output,
                           float *column) {
    const int32_t per_group_out = p->output_channels / p->groups;
    const int32_t per_group_in = p->input_channels / p->groups;
    const int32_t row_length = per_group_in * p->kernel_size;
    for (int32_t g = 0; g < p->groups; g++)
        for (int32_t t = 0; t < p->output_length; t++) {
            const int32_t start = t * p->stride - p->pad_before;
            float *value = column;
            for (int32_t i = 0; i < per_group_in; i++) {
                const float *channel = input + (g * per_group_in + i) * p->input_length;
                for (int32_t k = 0, position = start; k < p->kernel_size; k++, position += p->dilation)
                    *value++ = position >= 0 && position < p->input_length ? channel[position] : 0.0f;
            }
            for (int32_t o = g * per_group_out; o < (g + 1) * per_group_out; o++) {
                float y = dot_f32(p->weights + o * row_length, column, row_length) + (p->bias ? p->bias[o] : 0.0f);
                if (residual) y += residual[o * p->output_length + t];
                output[o * p->output_length + t] = fminf(fmaxf(y, p->activation_min), p->activation_max);
            }
        }
}

void pulse_binary_f32(const pulse_binary_f32_params *p, const float *left, const float *right, float *output) {
    int32_t position = 0;
    for (int32_t i0 = 0; i0 < p->shape[0]; i0++)
        for (int32_t i1 = 0; i1 < p->shape[1]; i1++)
            for (int32_t i2 = 0; i2 < p->shape[2]; i2++)
                for (int32_t i3 = 0; i3 < p->shape[3]; i3++) {
                    const float a = left[i0 * p->left_strides[0] + i1 * p->left_strides[1] + i2 * p->left_strides[2] + i3 * p->left_strides[3]];
                    const float b = right[i0 * p->right_strides[0] + i1 * p->right_strides[1] + i2 * p->right_strides[2] + i3 * p->right_strides[3]];
                    output[position++] = p->arithmetic == PULSE_F32_ADD ? a + b
                        : p->arithmetic == PULSE_F32_SUBTRACT ? a - b : p->arithmetic == PULSE_F32_MULTIPLY ? a * b : a / b;
                }
}

void pulse_unary_f32(int32_t function, float lower, float upper, const float *input, float *output, int32_t count) {
    for (int32_t i = 0; i < count; i++) {
        const float x = input[i];
        switch (function) {
        case PULSE_F32_RELU: output[i] = fmaxf(x, 0.0f); break;
        case PULSE_F32_CLIP: output[i] = fminf(fmaxf(x, lower), upper); break;
        case PULSE_F32_ABS: output[i] = fabsf(x); break;
        case PULSE_F32_EXP: output[i] = expf(x); break;
        case PULSE_F32_LOG: output[i] = logf(x); break;
        case PULSE_F32_SIGMOID: output[i] = 1.0f / (1.0f + expf(-x)); break;
        default: output[i] = tanhf(x); break;
        }
    }
}

void pulse_reduction_f32(const pulse_reduction_f32_params *p, const float *input, float *output) {
    const int32_t count = p->reduced_shape[0] * p->reduced_shape[1] * p->reduced_shape[2] * p->reduced_shape[3];
    int32_t position = 0;
    for (int32_t i0 = 0; i0 < p->shape[0]; i0++)
        for (int32_t i1 = 0; i1 < p->shape[1]; i1++)
            for (int32_t i2 = 0; i2 < p->shape[2]; i2++)
                for (int32_t i3 = 0; i3 < p->shape[3]; i3++) {
                    const float *base = input + i0 * p->strides[0] + i1 * p->strides[1] + i2 * p->strides[2] + i3 * p->strides[3];
                    float maximum = -INFINITY, sum = 0;
                    for (int32_t j0 = 0; j0 < p->reduced_shape[0]; j0++)
                        for (int32_t j1 = 0; j1 < p->reduced_shape[1]; j1++)
                            for (int32_t j2 = 0; j2 < p->reduced_shape[2]; j2++)
                                for (int32_t j3 = 0; j3 < p->reduced_shape[3]; j3++) {
                                    const float value = base[j0 * p->reduced_strides[0] + j1 * p->reduced_strides[1]
                                                             + j2 * p->reduced_strides[2] + j3 * p->reduced_strides[3]];
                                    maximum = fmaxf(maximum, value);
                                    sum += value;
                                }
                    output[position++] = p->kind == PULSE_F32_MAX ? maximum : p->kind == PULSE_F32_MEAN ? sum / (float)count : sum;
                }
}

void pulse_pooling_f32(const pulse_pooling_f32_params *p, const float *input, float *output) {
    for (int32_t outer = 0; outer < p->outer; outer++)
        for (int32_t t = 0; t < p->count; t++)
            for (int32_t inner = 0; inner < p->inner; inner++) {
                float maximum = -INFINITY, sum = 0;
                for (int32_t k = 0; k < p->size; k++) {
                    const int32_t position = t * p->stride + k * p->dilation - p->pad_before;
                    const float value = position >= 0 && position < p->length ? input[(outer * p->length + position) * p->inner + inner] : 0.0f;
                    maximum = fmaxf(maximum, value);
                    sum += value;
                }
                output[(outer * p->count + t) * p->inner + inner] =
                    p->kind == PULSE_F32_MAX ? maximum : p->kind == PULSE_F32_MEAN ? sum / (float)p->size : sum;
            }
}

void pulse_contraction_f32(const pulse_contraction_f32_params *p, const float *left, const float *right, float *output) {
    const int contiguous = p->summed_shape[0] == 1 && p->summed_shape[1] == 1 && p->summed_shape[2] == 1
        && p->left_summed_strides[3] == 1 && p->right_summed_strides[3] == 1;
    int32_t position = 0;
    for (int32_t i0 = 0; i0 < p->shape[0]; i0++)
        for (int32_t i1 = 0; i1 < p->shape[1]; i1++)
            for (int32_t i2 = 0; i2 < p->shape[2]; i2++)
                for (int32_t i3 = 0; i3 < p->shape[3]; i3++) {
                    const float *a = left + i0 * p->left_strides[0] + i1 * p->left_strides[1] + i2 * p->left_strides[2] + i3 * p->left_strides[3];
                    const float *b = right + i0 * p->right_strides[0] + i1 * p->right_strides[1] + i2 * p->right_strides[2] + i3 * p->right_strides[3];
                    if (contiguous) {
                        output[position++] = dot_f32(a, b, p->summed_shape[3]);
                        continue;
                    }
                    float sum = 0;
                    for (int32_t j0 = 0; j0 < p->summed_shape[0]; j0++)
                        for (int32_t j1 = 0; j1 < p->summed_shape[1]; j1++)
                            for (int32_t j2 = 0; j2 < p->summed_shape[2]; j2++)
                                for (int32_t j3 = 0; j3 < p->summed_shape[3]; j3++)
                                    sum += a[j0 * p->left_summed_strides[0] + j1 * p->left_summed_strides[1] + j2 * p->left_summed_strides[2]
                                             + j3 * p->left_summed_strides[3]]
                                        * b[j0 * p->right_summed_strides[0] + j1 * p->right_summed_strides[1] + j2 * p->right_summed_strides[2]
                                            + j3 * p->right_summed_strides[3]];
                    output[position++] = sum;
                }
}

void pulse_move_f32(const pulse_move_f32_params *p, const pulse_move_f32_piece *pieces, const float *const *sources, int32_t piece_count,
                    float *output) {
    if (p->fills)
        for (int32_t i = 0; i < p->outer * p->length * p->inner; i++) output[i] = 0.0f;
    for (int32_t n = 0; n < piece_count; n++) {
        const pulse_move_f32_piece *piece = &pieces[n];
        for (int32_t outer = 0; outer < p->outer; outer++)
            for (int32_t t = 0; t < piece->count; t++) {
                const float *from = sources[n] + (outer * piece->source_length + piece->source_start + t) * p->inner;
                float *to = output + (outer * p->length + piece->destination_start + t) * p->inner;
                for (int32_t i = 0; i < p->inner; i++) to[i] = from[i];
            }
    }
}
