#ifndef PULSE_CFFTW_SHIM_H
#define PULSE_CFFTW_SHIM_H
#include <fftw3.h>
#endif
