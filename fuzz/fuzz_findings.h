/* The properties the two detector-parser fuzz targets (fuzz_sanitizer.c,
 * fuzz_valgrind.c) check on the findings they parsed, with the attribution
 * every finding gets in a run. */
#ifndef LG_FUZZ_FINDINGS_H
#define LG_FUZZ_FINDINGS_H

#include "detect.h"
#include "fuzz.h"

/* Attributes each finding of out (borrowed; still the caller's to free)
 * and aborts (LG_FUZZ_CHECK) when one has no detector or kind, or is ours
 * without a frame of ours. */
static inline void lg_fuzz_check_findings(lg_findings_t *out) {
  for (size_t i = 0; i < out->n; i++) {
    lg_finding_t *f = &out->v[i];
    LG_FUZZ_CHECK(f->detector && f->kind, "finding %zu", i);
    lg_attribute(f, lg_fuzz_ours, lg_fuzz_nours, lg_fuzz_skip, lg_fuzz_nskip);
    /* Ours implies a frame of ours; a frame of ours without "ours" is a
     * block node allocated on the addon's behalf (attributed to node). */
    LG_FUZZ_CHECK(!f->ours || f->first_our_frame, "finding %zu: ours %d", i,
                  f->ours);
  }
}

#endif
