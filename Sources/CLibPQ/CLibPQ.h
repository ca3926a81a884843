// libpq's client API. libpq has no variadic calls we use, so this header only includes it.
#ifndef CLIBPQ_SHIM_H
#define CLIBPQ_SHIM_H

#include <libpq-fe.h>

#endif
