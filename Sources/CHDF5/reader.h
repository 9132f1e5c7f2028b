#ifndef PULSE_CHDF5_READER_H
#define PULSE_CHDF5_READER_H
/*
 Reads the root of an HDF5 file in a child process and sends what it found to the parent through a pipe, so that
 a corrupt file that crashes or hangs libhdf5 (1.10 can segfault on one changed byte) takes down the child only.
 The parent never parses the file with libhdf5.

 Records, in native byte order; a name is a uint32 length and its bytes:
   'F' u32 code                         the file could not be read (PULSE_H5_FILE_*)
   'D' name u32 rank u64 dims[rank] f32 values[product]   a numeric dataset, converted to float
   'd' name u32 code u32 rank u64 dims[rank] u64 value_bytes name detail
                                        a dataset (or link) refused (PULSE_H5_DATASET_*), with the size of one
                                        stored value (0 when unknown) and, for a link, where it leads ("" if not)
   'N' name f64                         a scalar numeric attribute
   'T' name u64 length bytes            a scalar text attribute
   'a' name u32 code                    an attribute refused (PULSE_H5_ATTRIBUTE_*)
   'Z'                                  the end: everything was read
*/
#include <hdf5.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum {
    PULSE_H5_FILE_NOT_HDF5 = 1,
    PULSE_H5_FILE_CANNOT_OPEN = 2,
    PULSE_H5_FILE_LINKS_UNREADABLE = 3,
    PULSE_H5_FILE_ATTRIBUTES_UNREADABLE = 4,
};

enum {
    PULSE_H5_DATASET_SOFT_LINK = 1,
    PULSE_H5_DATASET_EXTERNAL_LINK = 2,
    PULSE_H5_DATASET_OTHER_LINK = 3,
    PULSE_H5_DATASET_VIRTUAL = 4,
    PULSE_H5_DATASET_EXTERNAL_STORAGE = 5,
    PULSE_H5_DATASET_UNWRITTEN = 6,
    PULSE_H5_DATASET_NOT_NUMERIC = 7,
    PULSE_H5_DATASET_TOO_LARGE = 8,
    PULSE_H5_DATASET_CANNOT_OPEN = 9,
    PULSE_H5_DATASET_CANNOT_READ = 10,
    PULSE_H5_DATASET_SHAPE_UNREADABLE = 11,
    PULSE_H5_DATASET_WIDE_VALUES = 12,
};

enum {
    PULSE_H5_ATTRIBUTE_ARRAY = 1,
    PULSE_H5_ATTRIBUTE_OTHER_TYPE = 2,
    PULSE_H5_ATTRIBUTE_UNREADABLE = 3,
};

/* What the child sends at most, in values over all datasets: 2^28 (1 GiB as float). */
#define PULSE_H5_MAXIMUM_VALUES ((hssize_t)1 << 28)

/* The widest stored number read: 8 bytes (double, 64-bit integer). A corrupt type can declare 4 GB per value. */
#define PULSE_H5_MAXIMUM_VALUE_BYTES 8

/* The memory the child may map beyond what it inherits: the values sent (1 GiB) and libhdf5's buffers fit; a
   corrupt length (a 4 GB text, a 16 GB conversion buffer) makes libhdf5 fail at once instead of taking it all. */
#define PULSE_H5_CHILD_MEMORY_BYTES ((rlim_t)3 << 30)

/* The longest link target reported; a longer one is reported without it. */
#define PULSE_H5_MAXIMUM_LINK_BYTES 4096

typedef struct {
    int fd;
    int failed;
    hssize_t values_sent;
} pulse_h5_channel;

static inline void pulse_h5_send(pulse_h5_channel *channel, const void *bytes, size_t count) {
    const char *cursor = bytes;
    while (count > 0 && !channel->failed) {
        ssize_t written = write(channel->fd, cursor, count);
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) { channel->failed = 1; return; }
        cursor += written;
        count -= (size_t)written;
    }
}

static inline void pulse_h5_send_u32(pulse_h5_channel *channel, uint32_t value) { pulse_h5_send(channel, &value, 4); }
static inline void pulse_h5_send_u64(pulse_h5_channel *channel, uint64_t value) { pulse_h5_send(channel, &value, 8); }

static inline void pulse_h5_send_head(pulse_h5_channel *channel, char kind, const char *name) {
    uint32_t length = (uint32_t)strlen(name);
    pulse_h5_send(channel, &kind, 1);
    pulse_h5_send_u32(channel, length);
    pulse_h5_send(channel, name, length);
}

static inline void pulse_h5_refuse_link(pulse_h5_channel *channel, const char *name, uint32_t code, int rank,
                                        const hsize_t *dims, size_t value_bytes, const char *detail) {
    pulse_h5_send_head(channel, 'd', name);
    pulse_h5_send_u32(channel, code);
    pulse_h5_send_u32(channel, rank > 0 ? (uint32_t)rank : 0);
    for (int axis = 0; axis < rank; axis++) pulse_h5_send_u64(channel, dims[axis]);
    pulse_h5_send_u64(channel, value_bytes);
    uint32_t length = (uint32_t)strlen(detail);
    pulse_h5_send_u32(channel, length);
    pulse_h5_send(channel, detail, length);
}

static inline void pulse_h5_refuse_dataset(pulse_h5_channel *channel, const char *name, uint32_t code, int rank,
                                           const hsize_t *dims, size_t value_bytes) {
    pulse_h5_refuse_link(channel, name, code, rank, dims, value_bytes, "");
}

/* 1 for a virtual dataset, 2 for one with external raw storage, 0 otherwise, -1 on error. */
static inline int pulse_h5_storage_elsewhere(hid_t plist) {
    if (H5Pget_layout(plist) == H5D_VIRTUAL) return 1;
    return H5Pget_external_count(plist) > 0 ? 2 : 0;
}

/* 1 when the dataset's storage has been written in full, 0 when not, -1 on error. A chunked dataset must hold
   every one of its chunks (compressed chunks take less space than the data, so the space status cannot tell);
   a contiguous one must have its storage allocated; a compact one always has. */
static inline int pulse_h5_fully_written(hid_t dataset, hid_t plist, hid_t space, int rank, const hsize_t *dims) {
    if (H5Pget_layout(plist) == H5D_CHUNKED) {
        hsize_t chunk[H5S_MAX_RANK];
        hsize_t written = 0;
        if (H5Pget_chunk(plist, H5S_MAX_RANK, chunk) != rank || H5Dget_num_chunks(dataset, space, &written) < 0) return -1;
        hsize_t total = 1;
        for (int axis = 0; axis < rank; axis++) {
            if (chunk[axis] == 0) return -1;
            total *= (dims[axis] + chunk[axis] - 1) / chunk[axis];
        }
        return written == total ? 1 : 0;
    }
    H5D_space_status_t status;
    if (H5Dget_space_status(dataset, &status) < 0) return -1;
    return status == H5D_SPACE_STATUS_ALLOCATED ? 1 : 0;
}

/* Reads `dataset` (created with `plist`, which keeps its numbers in the file itself) if it holds numbers, no wider
   than 8 bytes, all written, within the values the child sends at most; refuses it by name otherwise. */
static inline void pulse_h5_read_stored_dataset(pulse_h5_channel *channel, hid_t dataset, hid_t plist, const char *name) {
    hsize_t dims[H5S_MAX_RANK];
    hid_t space = H5Dget_space(dataset);
    int rank = space < 0 ? -1 : H5Sget_simple_extent_ndims(space);
    if (rank < 0 || rank > H5S_MAX_RANK || H5Sget_simple_extent_dims(space, dims, NULL) != rank) {
        pulse_h5_refuse_dataset(channel, name, PULSE_H5_DATASET_SHAPE_UNREADABLE, 0, NULL, 0);
    } else {
        hid_t type = H5Dget_type(dataset);
        H5T_class_t kind = type < 0 ? H5T_NO_CLASS : H5Tget_class(type);
        size_t value_bytes = type < 0 ? 0 : H5Tget_size(type);
        double count = 1;
        for (int axis = 0; axis < rank; axis++) count *= (double)dims[axis];
        if (kind != H5T_FLOAT && kind != H5T_INTEGER)
            pulse_h5_refuse_dataset(channel, name, PULSE_H5_DATASET_NOT_NUMERIC, rank, dims, value_bytes);
        else if (value_bytes == 0 || value_bytes > PULSE_H5_MAXIMUM_VALUE_BYTES)
            pulse_h5_refuse_dataset(channel, name, PULSE_H5_DATASET_WIDE_VALUES, rank, dims, value_bytes);
        else if (count > 0 && pulse_h5_fully_written(dataset, plist, space, rank, dims) != 1)
            pulse_h5_refuse_dataset(channel, name, PULSE_H5_DATASET_UNWRITTEN, rank, dims, value_bytes);
        else if (count + (double)channel->values_sent > (double)PULSE_H5_MAXIMUM_VALUES)
            pulse_h5_refuse_dataset(channel, name, PULSE_H5_DATASET_TOO_LARGE, rank, dims, value_bytes);
        else {
            float *values = count > 0 ? malloc((size_t)count * sizeof(float)) : NULL;
            if (count > 0 && (!values || H5Dread(dataset, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) < 0)) {
                pulse_h5_refuse_dataset(channel, name, PULSE_H5_DATASET_CANNOT_READ, rank, dims, value_bytes);
            } else {
                pulse_h5_send_head(channel, 'D', name);
                pulse_h5_send_u32(channel, (uint32_t)rank);
                for (int axis = 0; axis < rank; axis++) pulse_h5_send_u64(channel, dims[axis]);
                if (count > 0) pulse_h5_send(channel, values, (size_t)count * sizeof(float));
                channel->values_sent += (hssize_t)count;
            }
            free(values);
        }
        if (type >= 0) H5Tclose(type);
    }
    if (space >= 0) H5Sclose(space);
}

/* Reads the hard-linked dataset `name`. Its layout is checked before anything else: even asking a virtual dataset
   its shape makes libhdf5 open the source files (a FIFO among them blocks the reader). */
static inline void pulse_h5_read_dataset(pulse_h5_channel *channel, hid_t group, const char *name) {
    hid_t dataset = H5Dopen2(group, name, H5P_DEFAULT);
    if (dataset < 0) { pulse_h5_refuse_dataset(channel, name, PULSE_H5_DATASET_CANNOT_OPEN, 0, NULL, 0); return; }
    hid_t plist = H5Dget_create_plist(dataset);
    switch (plist < 0 ? -1 : pulse_h5_storage_elsewhere(plist)) {
    case 0: pulse_h5_read_stored_dataset(channel, dataset, plist, name); break;
    case 1: pulse_h5_refuse_dataset(channel, name, PULSE_H5_DATASET_VIRTUAL, 0, NULL, 0); break;
    case 2: pulse_h5_refuse_dataset(channel, name, PULSE_H5_DATASET_EXTERNAL_STORAGE, 0, NULL, 0); break;
    default: pulse_h5_refuse_dataset(channel, name, PULSE_H5_DATASET_CANNOT_READ, 0, NULL, 0); break;
    }
    if (plist >= 0) H5Pclose(plist);
    H5Dclose(dataset);
}

/* Refuses the soft or external link `name`, naming where it leads: the path of a soft link, the file of an external
   one. The link's value is read from the file; the link is never followed. */
static inline void pulse_h5_refuse_symbolic_link(pulse_h5_channel *channel, hid_t group, const char *name,
                                                 const H5L_info_t *info) {
    uint32_t code = info->type == H5L_TYPE_SOFT ? PULSE_H5_DATASET_SOFT_LINK : PULSE_H5_DATASET_EXTERNAL_LINK;
    char value[PULSE_H5_MAXIMUM_LINK_BYTES + 1] = {0};
    const char *target = "";
    if (info->u.val_size > 0 && info->u.val_size <= PULSE_H5_MAXIMUM_LINK_BYTES
        && H5Lget_val(group, name, value, info->u.val_size, H5P_DEFAULT) >= 0) {
        const char *file = NULL;
        if (info->type == H5L_TYPE_SOFT) target = value;
        else if (H5Lunpack_elink_val(value, info->u.val_size, NULL, &file, NULL) >= 0 && file) target = file;
    }
    pulse_h5_refuse_link(channel, name, code, 0, NULL, 0, target);
}

static inline herr_t pulse_h5_read_link(hid_t group, const char *name, const H5L_info_t *info, void *context) {
    pulse_h5_channel *channel = context;
    switch (info->type) {
    case H5L_TYPE_HARD: pulse_h5_read_dataset(channel, group, name); break;
    case H5L_TYPE_SOFT:
    case H5L_TYPE_EXTERNAL: pulse_h5_refuse_symbolic_link(channel, group, name, info); break;
    default: pulse_h5_refuse_dataset(channel, name, PULSE_H5_DATASET_OTHER_LINK, 0, NULL, 0); break;
    }
    return channel->failed ? -1 : 0;
}

static inline void pulse_h5_read_text(pulse_h5_channel *channel, hid_t attribute, hid_t type, const char *name) {
    hid_t memory = H5Tcopy(H5T_C_S1);
    if (H5Tis_variable_str(type) > 0) {
        char *text = NULL;
        H5Tset_size(memory, H5T_VARIABLE);
        H5Tset_cset(memory, H5Tget_cset(type));
        if (H5Aread(attribute, memory, &text) < 0) {
            pulse_h5_send_head(channel, 'a', name);
            pulse_h5_send_u32(channel, PULSE_H5_ATTRIBUTE_UNREADABLE);
        } else {
            uint64_t length = text ? strlen(text) : 0;
            pulse_h5_send_head(channel, 'T', name);
            pulse_h5_send_u64(channel, length);
            if (length > 0) pulse_h5_send(channel, text, length);
        }
        if (text) H5free_memory(text);
    } else {
        size_t size = H5Tget_size(type);
        char *text = size < ((size_t)1 << 28) ? calloc(size + 1, 1) : NULL;
        if (!text || H5Tset_size(memory, size + 1) < 0 || H5Aread(attribute, memory, text) < 0) {
            pulse_h5_send_head(channel, 'a', name);
            pulse_h5_send_u32(channel, PULSE_H5_ATTRIBUTE_UNREADABLE);
        } else {
            uint64_t length = strnlen(text, size);
            pulse_h5_send_head(channel, 'T', name);
            pulse_h5_send_u64(channel, length);
            if (length > 0) pulse_h5_send(channel, text, length);
        }
        free(text);
    }
    H5Tclose(memory);
}

static inline herr_t pulse_h5_read_attribute(hid_t location, const char *name, const H5A_info_t *info, void *context) {
    (void)info;
    pulse_h5_channel *channel = context;
    hid_t attribute = H5Aopen(location, name, H5P_DEFAULT);
    uint32_t refusal = 0;
    if (attribute < 0) {
        refusal = PULSE_H5_ATTRIBUTE_UNREADABLE;
    } else {
        hid_t space = H5Aget_space(attribute);
        hssize_t count = space < 0 ? -1 : H5Sget_simple_extent_npoints(space);
        if (space >= 0) H5Sclose(space);
        hid_t type = H5Aget_type(attribute);
        H5T_class_t kind = type < 0 ? H5T_NO_CLASS : H5Tget_class(type);
        if (count != 1) refusal = count < 0 ? PULSE_H5_ATTRIBUTE_UNREADABLE : PULSE_H5_ATTRIBUTE_ARRAY;
        else if (kind == H5T_FLOAT || kind == H5T_INTEGER) {
            double value = 0;
            if (H5Aread(attribute, H5T_NATIVE_DOUBLE, &value) < 0) refusal = PULSE_H5_ATTRIBUTE_UNREADABLE;
            else {
                pulse_h5_send_head(channel, 'N', name);
                pulse_h5_send(channel, &value, 8);
            }
        } else if (kind == H5T_STRING) pulse_h5_read_text(channel, attribute, type, name);
        else refusal = PULSE_H5_ATTRIBUTE_OTHER_TYPE;
        if (type >= 0) H5Tclose(type);
        H5Aclose(attribute);
    }
    if (refusal) {
        pulse_h5_send_head(channel, 'a', name);
        pulse_h5_send_u32(channel, refusal);
    }
    return channel->failed ? -1 : 0;
}

/* The child's work: read the root of `path` into `fd`, then exit. */
static inline void pulse_h5_read_into(const char *path, int fd) {
    pulse_h5_channel channel = { fd, 0, 0 };
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (H5Fis_hdf5(path) <= 0) {
        char kind = 'F';
        pulse_h5_send(&channel, &kind, 1);
        pulse_h5_send_u32(&channel, PULSE_H5_FILE_NOT_HDF5);
    } else {
        hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
        if (file < 0) {
            char kind = 'F';
            pulse_h5_send(&channel, &kind, 1);
            pulse_h5_send_u32(&channel, PULSE_H5_FILE_CANNOT_OPEN);
        } else {
            uint32_t failure = 0;
            if (H5Literate(file, H5_INDEX_NAME, H5_ITER_INC, NULL, pulse_h5_read_link, &channel) < 0) {
                failure = PULSE_H5_FILE_LINKS_UNREADABLE;
            } else if (H5Aiterate2(file, H5_INDEX_NAME, H5_ITER_INC, NULL, pulse_h5_read_attribute, &channel) < 0) {
                failure = PULSE_H5_FILE_ATTRIBUTES_UNREADABLE;
            }
            if (failure) {
                char kind = 'F';
                pulse_h5_send(&channel, &kind, 1);
                pulse_h5_send_u32(&channel, failure);
            }
            H5Fclose(file);
        }
    }
    char end = 'Z';
    pulse_h5_send(&channel, &end, 1);
}

/* Caps the child's address space at what it has mapped plus PULSE_H5_CHILD_MEMORY_BYTES (libhdf5 trusts sizes
   stored in the file and allocates them: one changed byte made a text 4 GB long and took 8 GB and 24 s to read),
   and keeps libhdf5 from loading filter plugins: the child opens no file but the one it reads. */
static inline void pulse_h5_confine_child(void) {
    H5PLset_loading_state(0);
    int statm = open("/proc/self/statm", O_RDONLY);
    if (statm < 0) return;
    char text[64] = {0};
    ssize_t got = read(statm, text, sizeof text - 1);
    close(statm);
    struct rlimit limit;
    if (got <= 0 || getrlimit(RLIMIT_AS, &limit) != 0) return;
    rlim_t mapped = (rlim_t)strtoull(text, NULL, 10) * (rlim_t)sysconf(_SC_PAGESIZE);
    rlim_t wanted = mapped + PULSE_H5_CHILD_MEMORY_BYTES;
    if (limit.rlim_max != RLIM_INFINITY && wanted > limit.rlim_max) wanted = limit.rlim_max;
    if (limit.rlim_cur != RLIM_INFINITY && wanted > limit.rlim_cur) return;
    limit.rlim_cur = wanted;
    setrlimit(RLIMIT_AS, &limit);
}

/* What the parent got: the bytes the child sent (malloc'd, for the caller to free with pulse_h5_free) and how the
   child ended: status 0 when it exited normally, the signal number when a signal ended it, -1 when no child could
   be started, -2 when it ran past the time limit (it is then killed), -3 when it exited with a failure status
   (libhdf5 ended it). */
typedef struct {
    unsigned char *bytes;
    size_t count;
    int status;
} pulse_h5_result;

static inline void pulse_h5_free(pulse_h5_result result) { free(result.bytes); }

static inline long pulse_h5_now_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* Forks a child that reads `path` (see above) and collects what it sends. The caller holds pulse's libhdf5 lock,
   so no other thread is inside libhdf5 at the fork; the child runs only C and libhdf5, then _exit. */
static inline pulse_h5_result pulse_h5_read_in_child(const char *path, int timeout_ms) {
    pulse_h5_result result = { NULL, 0, -1 };
    int fds[2];
    if (pipe(fds) != 0) return result;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    pid_t child = fork();
    if (child < 0) {
        close(fds[0]);
        close(fds[1]);
        return result;
    }
    if (child == 0) {
        close(fds[0]);
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, STDOUT_FILENO);
            dup2(null, STDERR_FILENO);
        }
        signal(SIGPIPE, SIG_DFL);
        pulse_h5_confine_child();
        pulse_h5_read_into(path, fds[1]);
        _exit(0);
    }
    close(fds[1]);
    size_t capacity = 1 << 16;
    result.bytes = malloc(capacity);
    long deadline = pulse_h5_now_ms() + timeout_ms;
    int timed_out = 0;
    int ended = 0;
    for (;;) {
        long left = deadline - pulse_h5_now_ms();
        if (left <= 0) { timed_out = 1; break; }
        struct pollfd ready = { fds[0], POLLIN, 0 };
        int polled = poll(&ready, 1, (int)left);
        if (polled < 0 && errno == EINTR) continue;
        if (polled <= 0) { timed_out = polled == 0; break; }
        if (result.count == capacity) {
            unsigned char *larger = result.bytes ? realloc(result.bytes, capacity * 2) : NULL;
            if (!larger) break;
            result.bytes = larger;
            capacity *= 2;
        }
        if (!result.bytes) break;
        ssize_t got = read(fds[0], result.bytes + result.count, capacity - result.count);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) { ended = got == 0; break; }
        result.count += (size_t)got;
    }
    close(fds[0]);
    int status = 0;
    if (!ended) {
        /* Timed out, or the parent could not take more: the child may be blocked writing, so it is ended. */
        kill(child, SIGKILL);
        waitpid(child, &status, 0);
        result.status = timed_out ? -2 : -1;
    } else {
        while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
        if (WIFSIGNALED(status)) result.status = WTERMSIG(status);
        else result.status = WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -3;
    }
    return result;
}
#endif
