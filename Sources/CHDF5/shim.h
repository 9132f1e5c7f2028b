#ifndef PULSE_CHDF5_SHIM_H
#define PULSE_CHDF5_SHIM_H
#include <hdf5.h>

/* HDF5's type and flag macros expand to H5open() calls and do not import into Swift. */
static inline hid_t pulse_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t pulse_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t pulse_h5t_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t pulse_h5t_ieee_f64le(void) { return H5T_IEEE_F64LE; }
static inline hid_t pulse_h5t_c_s1(void) { return H5T_C_S1; }
static inline unsigned pulse_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned pulse_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned pulse_h5f_acc_rdwr(void) { return H5F_ACC_RDWR; }
static inline hid_t pulse_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t pulse_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t pulse_h5s_all(void) { return H5S_ALL; }
static inline size_t pulse_h5t_variable(void) { return H5T_VARIABLE; }
static inline void pulse_h5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

#include "reader.h"
#endif
