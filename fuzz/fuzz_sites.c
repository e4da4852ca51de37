/* Fuzz target: the readers of liblgheap.so's site table snapshots and of a
 * process memory map (harness/src/sites.c), both written by the scenario
 * process. The first byte picks the reader (even: site table, odd: memory
 * map), the rest is its input. Properties: no memory error, no undefined
 * behaviour, no leak; an accepted table has the capacity its header claims
 * and fits the input; an accepted map has only file mappings with lo < hi. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "sites.h"

int lg_fuzz_one(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  char *err = NULL;
  if ((data[0] & 1) == 0) {
    lg_sites_snap_t s;
    if (lg_sites_parse(data + 1, size - 1, &s, &err) == 0) {
      LG_FUZZ_CHECK(s.capacity > 0 && s.site != NULL, "empty table accepted");
      LG_FUZZ_CHECK(sizeof(lg_heap_sites_hdr_t) +
                            (size_t)s.capacity * sizeof(lg_heap_site_t) <=
                        size - 1,
                    "capacity %u beyond the input", s.capacity);
      for (uint32_t i = 0; i < s.capacity; i++)
        LG_FUZZ_CHECK(s.site[i].key == 0 || s.site[i].key >= 2, "site %u", i);
      lg_sites_snap_free(&s);
    } else {
      LG_FUZZ_CHECK(err != NULL && *err, "failure without a message");
    }
  } else {
    lg_maps_t m;
    if (lg_maps_parse((const char *)data + 1, size - 1, &m, &err) == 0) {
      LG_FUZZ_CHECK(m.n > 0, "empty map accepted");
      for (size_t i = 0; i < m.n; i++)
        LG_FUZZ_CHECK(m.v[i].lo < m.v[i].hi && m.v[i].path[0] == '/',
                      "mapping %zu", i);
      lg_maps_free(&m);
    } else {
      LG_FUZZ_CHECK(err != NULL && *err, "failure without a message");
    }
  }
  free(err);
  return 0;
}
