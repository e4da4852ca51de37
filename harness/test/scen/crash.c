/* e2e scenario: dereferences NULL half-way; must be CRASH (SIGSEGV). */
#include <stdlib.h>

#include "probe.h"

static int *volatile lg_null;

static int crash_iterate(void *ctx, uint64_t i) {
  (void)ctx;
  if (i == 50)
    *lg_null = 1;
  return 0;
}

static const lg_scenario_t lg_crash = {"crash", NULL, crash_iterate, NULL,
                                       NULL};

int main(int argc, char **argv) {
  return lg_probe_main(&lg_crash, argc, argv);
}
