#ifndef PULSE_CZLIB_SHIM_H
#define PULSE_CZLIB_SHIM_H
#include <zlib.h>
#endif
