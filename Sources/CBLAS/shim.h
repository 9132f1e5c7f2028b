#ifndef PULSE_CBLAS_SHIM_H
#define PULSE_CBLAS_SHIM_H
#include <cblas-openblas.h>
#endif
