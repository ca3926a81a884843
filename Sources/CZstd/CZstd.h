// Zstandard's one-shot and context APIs.
#ifndef CZSTD_SHIM_H
#define CZSTD_SHIM_H

#include <zstd.h>
#include <zstd_errors.h>

// ZSTD_CONTENTSIZE_UNKNOWN and ZSTD_CONTENTSIZE_ERROR are macros of unsigned long long
// expressions that Swift does not import; expose them as functions.
static inline unsigned long long czstd_contentsize_unknown(void) { return ZSTD_CONTENTSIZE_UNKNOWN; }
static inline unsigned long long czstd_contentsize_error(void) { return ZSTD_CONTENTSIZE_ERROR; }

#endif
