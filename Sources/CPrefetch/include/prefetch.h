// Cache prefetch for the packed explorer's visited-set probes: Swift has no
// prefetch intrinsic, and a fingerprint table far larger than the caches
// makes every probe a miss unless it is requested early.
#ifndef HMMCHECK_PREFETCH_H
#define HMMCHECK_PREFETCH_H

static inline void hmm_prefetch_write(const void *p) { __builtin_prefetch(p, 1, 3); }
static inline void hmm_prefetch_read(const void *p) { __builtin_prefetch(p, 0, 3); }

#endif
