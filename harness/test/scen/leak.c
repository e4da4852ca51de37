/* e2e scenario: leaks one 64-byte block per iteration; must be LEAK. */
#include <stdlib.h>
#include <string.h>

#include "probe.h"

static void *volatile lg_sink;

static int leak_iterate(void *ctx, uint64_t i) {
  (void)ctx;
  char *p = malloc(64);
  if (!p)
    return 1;
  memset(p, (int)(i & 0xff), 64);
  lg_sink = p; /* overwritten next time: definitely lost */
  return 0;
}

static const lg_scenario_t lg_leak = {"leak", NULL, leak_iterate, NULL, NULL};

int main(int argc, char **argv) {
  return lg_probe_main(&lg_leak, argc, argv);
}
