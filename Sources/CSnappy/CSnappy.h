// Snappy's C API (the library itself is C++; its C entry points need no C++ runtime from us).
#ifndef CSNAPPY_SHIM_H
#define CSNAPPY_SHIM_H

#include <stddef.h>
#include <snappy-c.h>

#endif
