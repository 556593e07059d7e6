#ifndef HMMCHECK_CZ3_SHIM_H
#define HMMCHECK_CZ3_SHIM_H

// Umbrella for Debian's libz3-dev (Z3 4.8.12): the C API only, never z3++.h.
#include <z3.h>

#endif
