/* e2e scenario: dereferences NULL half-way; must be CRASH (SIGSEGV). */
#include <stdlib.h>

#include "scen.h"

static int *volatile lg_null;

static int crash_iterate(void *ctx, uint64_t i) {
  (void)ctx;
  if (i == 50)
    *lg_null = 1;
  return 0;
}

LGT_SCENARIO_MAIN("crash", crash_iterate)
