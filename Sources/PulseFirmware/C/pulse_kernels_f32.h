/* pulse float32 kernels: one function per kernel kind (C99 with <math.h>), the float variant of pulse_kernels.h
 * for targets with an FPU and main memory (rpi3, redmi7s); NEON dot products on AArch64.
 * Written by pulse (Sources/PulseFirmware/C). */
#ifndef PULSE_KERNELS_F32_H
#define PULSE_KERNELS_F32_H

#include <stdint.h>

typedef struct {
    int32_t input_channels, input_length, output_channels, output_length, groups;
    int32_t kernel_size, stride, dilation, pad_before;
    float activation_min, activation_max;
    const float *weights;   /* [output_channels][input_channels / groups][kernel_size] */
    const float *bias;      /* [output_channels], or 0 */
} pulse_convolution_f32_params;

enum { PULSE_F32_ADD = 0, PULSE_F32_SUBTRACT = 1, PULSE_F32_MULTIPLY = 2, PULSE_F32_DIVIDE = 3 };
enum { PULSE_F32_RELU = 0, PULSE_F32_CLIP = 1, PULSE_F32_ABS = 2, PULSE_F32_EXP = 3, PULSE_F32_LOG = 4, PULSE_F32_SIGMOID = 5,
       PULSE_F32_TANH = 6 };
enum { PULSE_F32_SUM = 0, PULSE_F32_MEAN = 1, PULSE_F32_MAX = 2 };

typedef struct {
    int32_t arithmetic;
    int32_t shape[4], left_strides[4], right_strides[4];
} pulse_binary_f32_params;

typedef struct {
    int32_t kind;
    int32_t shape[4], strides[4], reduced_shape[4], reduced_strides[4];
} pulse_reduction_f32_params;

typedef struct {
    int32_t kind, outer, length, inner, size, stride, dilation, pad_before, count;
} pulse_pooling_f32_params;

typedef struct {
    int32_t shape[4], left_strides[4], right_strides[4];
    int32_t summed_shape[4], left_summed_strides[4], right_summed_strides[4];
} pulse_contraction_f32_params;

typedef struct {
    int32_t source_length, source_start, destination_start, count;
} pulse_move_f32_piece;

typedef struct {
    int32_t outer, length, inner, fills;
} pulse_move_f32_params;

/* Convolution with bias, optional residual (0 for none) and activation clamp; column holds one im2col column of
 * (input_channels / groups) * kernel_size values. */
void pulse_convolution_f32(const pulse_convolution_f32_params *p, const float *input, const float *residual, float *output,
                           float *column);
/* Element-wise add, subtract, multiply or divide with broadcasting (strides 0 on broadcast axes). */
void pulse_binary_f32(const pulse_binary_f32_params *p, const float *left, const float *right, float *output);
/* A function of each value (PULSE_F32_RELU ...); lower and upper bound a clip. */
void pulse_unary_f32(int32_t function, float lower, float upper, const float *input, float *output, int32_t count);
/* Sum, mean or maximum over axes. */
void pulse_reduction_f32(const pulse_reduction_f32_params *p, const float *input, float *output);
/* Windows along one axis reduced by sum, mean or maximum; padded positions are zero. */
void pulse_pooling_f32(const pulse_pooling_f32_params *p, const float *input, float *output);
/* Sum over contracted axes of a * b. */
void pulse_contraction_f32(const pulse_contraction_f32_params *p, const float *left, const float *right, float *output);
/* A pad, slice, concatenation or copy: zeros (when p->fills), then each piece from its source. */
void pulse_move_f32(const pulse_move_f32_params *p, const pulse_move_f32_piece *pieces, const float *const *sources, int32_t piece_count,
                    float *output);

#endif
