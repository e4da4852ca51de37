/* Fuzz target: the valgrind memcheck XML parser (harness/src/detect.c,
 * lg_parse_valgrind_xml over expat), followed by the attribution every
 * finding gets in a run. Properties: no memory error, undefined behaviour or
 * leak; a finding has a detector and a kind; a finding that is ours has a
 * first_our_frame. */
#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "fuzz.h"
#include "fuzz_findings.h"

int lg_fuzz_one(const uint8_t *data, size_t size) {
  lg_findings_t out;
  memset(&out, 0, sizeof out);
  char *err = lg_parse_valgrind_xml((const char *)data, size, "vg.1.xml", &out);
  free(err);
  lg_fuzz_check_findings(&out);
  for (size_t i = 0; i < out.nsupp_used; i++)
    LG_FUZZ_CHECK(out.supp_used[i] != NULL, "suppression %zu", i);
  lg_findings_free(&out);
  return 0;
}
