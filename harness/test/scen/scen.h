/* What the tiny scenario programs of the harness tests (this folder, named
 * in test/manifest.json) share: main() for a scenario that is only an iterate
 * function, an iterate that does nothing, and a heap block the compiler
 * cannot optimise away. */
#ifndef LGT_SCEN_H
#define LGT_SCEN_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

/* Defines main() for a scenario made of one iterate function (no setup,
 * teardown or stats), run by the probe under `name`. */
#define LGT_SCENARIO_MAIN(name, iterate)                                       \
  static const lg_scenario_t lgt_scenario = {name, NULL, iterate, NULL, NULL}; \
  int main(int argc, char **argv) {                                            \
    return lg_probe_main(&lgt_scenario, argc, argv);                           \
  }

/* An iterate step that does nothing and succeeds. */
static inline int lgt_iterate_nothing(void *ctx, uint64_t i) {
  (void)ctx;
  (void)i;
  return 0;
}

/* A heap block of n bytes filled with i's low byte, or NULL when malloc
 * fails; the caller owns it. It is also stored in a volatile sink, so the
 * compiler keeps the allocation, and the block stored there before becomes
 * unreachable (definitely lost unless its owner freed it). */
static void *volatile lgt_sink __attribute__((unused));
static inline char *lgt_fill_block(size_t n, uint64_t i) {
  char *p = malloc(n);
  if (p) {
    memset(p, (int)(i & 0xff), n);
    lgt_sink = p;
  }
  return p;
}

#endif
