/* Fuzz target: the valgrind memcheck XML parser (harness/src/detect.c,
 * lg_parse_valgrind_xml over expat), followed by the attribution every
 * finding gets in a run. Properties: no memory error, undefined behaviour or
 * leak; a finding has a detector and a kind; a finding that is ours has a
 * first_our_frame. */
#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "fuzz.h"

int lg_fuzz_one(const uint8_t *data, size_t size) {
  lg_findings_t out;
  memset(&out, 0, sizeof out);
  char *err = lg_parse_valgrind_xml((const char *)data, size, "vg.1.xml", &out);
  free(err);
  for (size_t i = 0; i < out.n; i++) {
    lg_finding_t *f = &out.v[i];
    LG_FUZZ_CHECK(f->detector && f->kind, "finding %zu", i);
    lg_attribute(f, lg_fuzz_ours, lg_fuzz_nours, lg_fuzz_skip, lg_fuzz_nskip);
    /* Ours implies a frame of ours; a frame of ours without "ours" is a
     * block node allocated on the addon's behalf (attributed to node). */
    LG_FUZZ_CHECK(!f->ours || f->first_our_frame, "finding %zu: ours %d", i,
                  f->ours);
  }
  for (size_t i = 0; i < out.nsupp_used; i++)
    LG_FUZZ_CHECK(out.supp_used[i] != NULL, "suppression %zu", i);
  lg_findings_free(&out);
  return 0;
}
