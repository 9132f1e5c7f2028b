/* pulse int8 kernels: one function per kernel kind, integer arithmetic only (C99).
 * Written by pulse (Sources/PulseFirmware/C); the Swift integer reference (IntegerKernels.swift) computes the
 * same integers: sums agree modulo 2^32 in any order, and no kernel's output overlaps an input it reads later, so
 * every build's outputs match it bit for bit. No sum overflows: biases stay under 2^30 accumulator steps and a
 * product of an int8 weight and an offset input is under 2^15 (so filter rows up to 32,768 values are safe). */
#ifndef PULSE_KERNELS_H
#define PULSE_KERNELS_H

#include <stdint.h>

/* A real multiplier m * 2^shift / 2^31 (CMSIS-NN's arm_nn_requantize). */
typedef struct { int32_t multiplier; int32_t shift; } pulse_multiplier;

typedef struct {
    int32_t input_channels, input_length, output_channels, output_length, groups;
    int32_t kernel_size, stride, dilation, pad_before;
    int32_t input_zero_point, output_zero_point, activation_min, activation_max;
    const int8_t *weights;                 /* [output_channels][input_channels / groups][kernel_size], each row's groups
                                              of four stored as w0, w2, w1, w3 (see pulse_kernels.c) */
    const int32_t *bias;                   /* [output_channels] */
    const pulse_multiplier *multipliers;   /* [output_channels] */
    int32_t residual_zero_point;
    pulse_multiplier residual_multiplier;
} pulse_convolution_params;

enum { PULSE_ADD = 0, PULSE_SUBTRACT = 1, PULSE_MULTIPLY = 2, PULSE_DIVIDE = 3 };

typedef struct {
    int32_t arithmetic;
    int32_t shape[4], left_strides[4], right_strides[4];
    int32_t left_zero_point, right_zero_point, output_zero_point;
    pulse_multiplier left_multiplier, right_multiplier, output_multiplier;
} pulse_binary_params;

typedef struct {
    int32_t maximum;
    int32_t shape[4], strides[4], reduced_shape[4], reduced_strides[4];
    int32_t input_zero_point, output_zero_point;
    pulse_multiplier multiplier;
} pulse_reduction_params;

typedef struct {
    int32_t maximum, outer, length, inner, size, stride, dilation, pad_before, count;
    int32_t input_zero_point, output_zero_point;
    pulse_multiplier multiplier;
} pulse_pooling_params;

typedef struct {
    int32_t shape[4], left_strides[4], right_strides[4];
    int32_t summed_shape[4], left_summed_strides[4], right_summed_strides[4];
    int32_t left_zero_point, right_zero_point, output_zero_point;
    pulse_multiplier multiplier;
} pulse_contraction_params;

typedef struct {
    int32_t source_length, source_start, destination_start, count;
    int32_t requantise, input_zero_point, output_zero_point;
    pulse_multiplier multiplier;
} pulse_move_piece;

typedef struct {
    int32_t outer, length, inner, fills;
    int8_t fill;
} pulse_move_params;

/* Convolution with bias, optional residual (NULL for none) and activation clamp; column holds one im2col column
 * of (input_channels / groups) * kernel_size int16 values. */
void pulse_convolution_s8(const pulse_convolution_params *p, const int8_t *input, const int8_t *residual, int8_t *output,
                          int16_t *column);
/* Element-wise add, subtract, multiply or divide with broadcasting (strides 0 on broadcast axes). */
void pulse_binary_s8(const pulse_binary_params *p, const int8_t *left, const int8_t *right, int8_t *output);
/* A function of each value through a table indexed by q + 128. */
void pulse_lookup_s8(const int8_t *table, const int8_t *input, int8_t *output, int32_t count);
/* Sum, mean or maximum over axes. */
void pulse_reduction_s8(const pulse_reduction_params *p, const int8_t *input, int8_t *output);
/* Windows along one axis reduced by sum, mean or maximum. */
void pulse_pooling_s8(const pulse_pooling_params *p, const int8_t *input, int8_t *output);
/* Sum over contracted axes of (a - z_a)(b - z_b), rescaled. */
void pulse_contraction_s8(const pulse_contraction_params *p, const int8_t *left, const int8_t *right, int8_t *output);
/* A pad, slice, concatenation or copy: fill (when p->fills), then copy each piece from its source. */
void pulse_move_s8(const pulse_move_params *p, const pulse_move_piece *pieces, const int8_t *const *sources, int32_t piece_count,
                   int8_t *output);

#endif
