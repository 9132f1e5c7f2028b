#ifndef PULSE_CBLAS_SHIM_H
#define PULSE_CBLAS_SHIM_H
#include <stddef.h>
#include <cblas-openblas.h>

/* Stops OpenBLAS's worker threads (exported by OpenBLAS, used by its own fork handler). With one thread set, no
   call needs them again, and idle they poll the scheduler and take CPU from pulse's own threads. */
int blas_thread_shutdown_(void);

/* LAPACK's singular value decomposition of a column-major m x n matrix, as OpenBLAS exports it (Fortran calling
   convention: every argument by reference, then the lengths of the two character arguments). */
void sgesvd_(const char *jobu, const char *jobvt, const int *m, const int *n, float *a, const int *lda, float *s,
             float *u, const int *ldu, float *vt, const int *ldvt, float *work, const int *lwork, int *info,
             size_t jobu_length, size_t jobvt_length);
#endif
