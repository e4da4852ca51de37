/* e2e scenario for the gate: leaks LG_TUNABLE_LEAK bytes per iteration (0 by
 * default), so a baseline and a regressed run differ only in that. */
#include <stdlib.h>
#include <string.h>

#include "probe.h"

static void *volatile lg_sink;
static size_t lg_leak_bytes;

static int tunable_setup(void **ctx) {
  const char *v = getenv("LG_TUNABLE_LEAK");
  lg_leak_bytes = v ? (size_t)strtoul(v, NULL, 10) : 0;
  *ctx = NULL;
  return 0;
}

static int tunable_iterate(void *ctx, uint64_t i) {
  (void)ctx;
  char *p = malloc(lg_leak_bytes ? lg_leak_bytes : 32);
  if (!p)
    return 1;
  memset(p, (int)(i & 0xff), lg_leak_bytes ? lg_leak_bytes : 32);
  lg_sink = p;
  if (!lg_leak_bytes)
    free(p);
  return 0;
}

static const lg_scenario_t lg_tunable = {"tunable", tunable_setup,
                                         tunable_iterate, NULL, NULL};

int main(int argc, char **argv) {
  return lg_probe_main(&lg_tunable, argc, argv);
}
