#ifndef PULSE_CHDF5_SHIM_H
#define PULSE_CHDF5_SHIM_H
#include <hdf5.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* Link types, layouts and allocation states as plain values for Swift. */
static inline int pulse_h5l_type_hard(void) { return H5L_TYPE_HARD; }
static inline int pulse_h5l_type_soft(void) { return H5L_TYPE_SOFT; }
static inline int pulse_h5l_type_external(void) { return H5L_TYPE_EXTERNAL; }

/* The type of the link `name` at `location` (H5L_TYPE_*), or -1 when it cannot be read. */
static inline int pulse_h5_link_type(hid_t location, const char *name) {
    H5L_info_t info;
    if (H5Lget_info(location, name, &info, H5P_DEFAULT) < 0) return -1;
    return (int)info.type;
}

/* 1 for a virtual dataset, 2 for one with external raw storage, 0 otherwise, -1 on error. */
static inline int pulse_h5_dataset_storage_elsewhere(hid_t dataset) {
    hid_t plist = H5Dget_create_plist(dataset);
    if (plist < 0) return -1;
    int result = 0;
    if (H5Pget_layout(plist) == H5D_VIRTUAL) result = 1;
    else if (H5Pget_external_count(plist) > 0) result = 2;
    H5Pclose(plist);
    return result;
}

/* 1 when the dataset's storage has been written in full, 0 when not, -1 on error. A chunked dataset must hold
   every one of its chunks (compressed chunks take less space than the data, so the space status cannot tell);
   a contiguous one must have its storage allocated; a compact one always has. */
static inline int pulse_h5_dataset_fully_allocated(hid_t dataset) {
    hid_t plist = H5Dget_create_plist(dataset);
    if (plist < 0) return -1;
    int result = -1;
    if (H5Pget_layout(plist) == H5D_CHUNKED) {
        hsize_t chunk[H5S_MAX_RANK], dims[H5S_MAX_RANK];
        int rank = H5Pget_chunk(plist, H5S_MAX_RANK, chunk);
        hid_t space = H5Dget_space(dataset);
        hsize_t written = 0;
        if (rank > 0 && space >= 0 && H5Sget_simple_extent_dims(space, dims, NULL) == rank
            && H5Dget_num_chunks(dataset, space, &written) >= 0) {
            hsize_t total = 1;
            for (int axis = 0; axis < rank && chunk[axis] > 0; axis++) total *= (dims[axis] + chunk[axis] - 1) / chunk[axis];
            result = written == total ? 1 : 0;
        }
        if (space >= 0) H5Sclose(space);
    } else {
        H5D_space_status_t status;
        if (H5Dget_space_status(dataset, &status) >= 0) result = status == H5D_SPACE_STATUS_ALLOCATED ? 1 : 0;
    }
    H5Pclose(plist);
    return result;
}

/* Reads the hard-linked dataset `name` whole, as pulse would: nothing stored elsewhere, nothing unallocated,
   at most 2^28 values. Runs in the probe's child process only. */
static inline herr_t pulse_h5_probe_link(hid_t group, const char *name, const H5L_info_t *info, void *unused) {
    (void)unused;
    if (info->type != H5L_TYPE_HARD) return 0;
    hid_t dataset = H5Dopen2(group, name, H5P_DEFAULT);
    if (dataset < 0) return 0;
    if (pulse_h5_dataset_storage_elsewhere(dataset) == 0 && pulse_h5_dataset_fully_allocated(dataset) == 1) {
        hid_t space = H5Dget_space(dataset);
        hssize_t count = space < 0 ? -1 : H5Sget_simple_extent_npoints(space);
        if (space >= 0) H5Sclose(space);
        hid_t type = H5Dget_type(dataset);
        H5T_class_t kind = type < 0 ? H5T_NO_CLASS : H5Tget_class(type);
        if (type >= 0) H5Tclose(type);
        if (count > 0 && count <= (1 << 28) && (kind == H5T_FLOAT || kind == H5T_INTEGER)) {
            float *values = malloc((size_t)count * sizeof(float));
            if (values) {
                H5Dread(dataset, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values);
                free(values);
            }
        }
    }
    H5Dclose(dataset);
    return 0;
}

/* Reads the root attribute `name` as pulse would: one number, or one text. Runs in the probe's child only. */
static inline herr_t pulse_h5_probe_attribute(hid_t location, const char *name, const H5A_info_t *info, void *unused) {
    (void)info;
    (void)unused;
    hid_t attribute = H5Aopen(location, name, H5P_DEFAULT);
    if (attribute < 0) return 0;
    hid_t space = H5Aget_space(attribute);
    hssize_t count = space < 0 ? -1 : H5Sget_simple_extent_npoints(space);
    if (space >= 0) H5Sclose(space);
    hid_t type = H5Aget_type(attribute);
    if (type >= 0 && count == 1) {
        H5T_class_t kind = H5Tget_class(type);
        if (kind == H5T_FLOAT || kind == H5T_INTEGER) {
            double value;
            H5Aread(attribute, H5T_NATIVE_DOUBLE, &value);
        } else if (kind == H5T_STRING) {
            hid_t memory = H5Tcopy(H5T_C_S1);
            if (H5Tis_variable_str(type) > 0) {
                char *text = NULL;
                H5Tset_size(memory, H5T_VARIABLE);
                H5Tset_cset(memory, H5Tget_cset(type));
                if (H5Aread(attribute, memory, &text) >= 0 && text) H5free_memory(text);
            } else {
                size_t size = H5Tget_size(type);
                char *text = size < (1 << 28) ? malloc(size + 1) : NULL;
                if (text) {
                    H5Tset_size(memory, size + 1);
                    H5Aread(attribute, memory, text);
                    free(text);
                }
            }
            H5Tclose(memory);
        }
    }
    if (type >= 0) H5Tclose(type);
    H5Aclose(attribute);
    return 0;
}

/* Reads the whole file at `path` the way pulse does, in a child process, so that a corrupt file that makes
   libhdf5 crash takes down the child, not pulse. Returns 0 when the child finished, the number of the signal
   that ended it, -1 when no child could be started, -2 when it ran past `timeout_ms` (it is then killed).
   The caller holds pulse's libhdf5 lock, so no other thread is inside libhdf5 at the fork. */
static inline int pulse_h5_probe_file(const char *path, int timeout_ms) {
    pid_t child = fork();
    if (child < 0) return -1;
    if (child == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, STDOUT_FILENO);
            dup2(null, STDERR_FILENO);
        }
        H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
        hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
        if (file >= 0) {
            H5Literate(file, H5_INDEX_NAME, H5_ITER_INC, NULL, pulse_h5_probe_link, NULL);
            H5Aiterate2(file, H5_INDEX_NAME, H5_ITER_INC, NULL, pulse_h5_probe_attribute, NULL);
            H5Fclose(file);
        }
        _exit(0);
    }
    useconds_t pause = 100;
    long waited_us = 0;
    for (;;) {
        int status = 0;
        pid_t done = waitpid(child, &status, WNOHANG);
        if (done == child) return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
        if (done < 0) return -1;
        if (waited_us >= (long)timeout_ms * 1000) {
            kill(child, SIGKILL);
            waitpid(child, &status, 0);
            return -2;
        }
        usleep(pause);
        waited_us += pause;
        if (pause < 10000) pause *= 2;
    }
}
#endif
