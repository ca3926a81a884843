// LZ4's block API (LZ4_RAW pages, and the blocks inside Hadoop-framed LZ4 pages).
#ifndef CLZ4_SHIM_H
#define CLZ4_SHIM_H

#include <lz4.h>

#endif
