/* e2e scenario: exits with status 0 at iteration 20, before teardown and the
 * end record; must be CRASH ("exited early"). */
#include <stdlib.h>

#include "scen.h"

static int early_iterate(void *ctx, uint64_t i) {
  (void)ctx;
  if (i == 20)
    exit(0);
  return 0;
}

LGT_SCENARIO_MAIN("early_exit", early_iterate)
