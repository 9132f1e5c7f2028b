#ifndef PULSE_CMALLOC_SHIM_H
#define PULSE_CMALLOC_SHIM_H
#include <malloc.h>

/* glibc's mallopt constants are macros; this keeps freed memory in the heap instead of returning it. */
static inline void pulse_keep_freed_memory(void) {
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
}
#endif
