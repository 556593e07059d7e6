// Intentionally empty: prefetch.h's functions are static inline.
#include "prefetch.h"
