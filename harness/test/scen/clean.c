/* e2e scenario: allocates and frees per iteration; must PASS. */
#include <stdlib.h>
#include <string.h>

#include "probe.h"

static void *volatile lg_sink;

static int clean_iterate(void *ctx, uint64_t i) {
  (void)ctx;
  char *p = malloc(256);
  if (!p)
    return 1;
  memset(p, (int)(i & 0xff), 256);
  lg_sink = p; /* observable, so the compiler keeps the pair */
  free(p);
  return 0;
}

static const lg_scenario_t lg_clean = {"clean", NULL, clean_iterate, NULL,
                                       NULL};

int main(int argc, char **argv) {
  return lg_probe_main(&lg_clean, argc, argv);
}
