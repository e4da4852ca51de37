/* e2e scenario: exits with status 0 at iteration 20, before teardown and the
 * end record; must be CRASH ("exited early"). */
#include <stdlib.h>

#include "probe.h"

static int early_iterate(void *ctx, uint64_t i) {
  (void)ctx;
  if (i == 20)
    exit(0);
  return 0;
}

static const lg_scenario_t lg_early = {"early_exit", NULL, early_iterate, NULL,
                                       NULL};

int main(int argc, char **argv) {
  return lg_probe_main(&lg_early, argc, argv);
}
