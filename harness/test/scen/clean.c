/* e2e scenario: allocates and frees per iteration; must PASS. */
#include <stdlib.h>

#include "scen.h"

static int clean_iterate(void *ctx, uint64_t i) {
  (void)ctx;
  char *p = lgt_fill_block(256, i); /* kept by the compiler: a real pair */
  if (!p)
    return 1;
  free(p);
  return 0;
}

LGT_SCENARIO_MAIN("clean", clean_iterate)
