#ifndef PULSE_CBLAS_SHIM_H
#define PULSE_CBLAS_SHIM_H
#include <cblas-openblas.h>

/* Stops OpenBLAS's worker threads (exported by OpenBLAS, used by its own fork handler). With one thread set, no
   call needs them again, and idle they poll the scheduler and take CPU from pulse's own threads. */
int blas_thread_shutdown_(void);
#endif
