/* e2e scenario: leaks one 64-byte block per iteration; must be LEAK. */
#include "scen.h"

static int leak_iterate(void *ctx, uint64_t i) {
  (void)ctx;
  /* never freed; the sink forgets it next time: definitely lost */
  return lgt_fill_block(64, i) ? 0 : 1;
}

LGT_SCENARIO_MAIN("leak", leak_iterate)
