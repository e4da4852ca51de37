/* e2e scenario: iterate reports an error at iteration 7; must be ERROR. */
#include "scen.h"

static int fail_iterate(void *ctx, uint64_t i) {
  (void)ctx;
  return i == 7 ? -5 : 0;
}

LGT_SCENARIO_MAIN("fail", fail_iterate)
