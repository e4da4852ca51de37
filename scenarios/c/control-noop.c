/* control-noop: does nothing per iteration. It proves nothing about evstore;
 * it measures the sampling noise of every metric in this run, which gives the
 * noise floor and the smallest leak the other scenarios could detect. */
#include "scn.h"

static int setup(void **ctx) {
  *ctx = NULL;
  return 0;
}
static int iterate(void *ctx, uint64_t i) {
  (void)ctx;
  (void)i;
  return 0;
}
static int teardown(void *ctx) {
  (void)ctx;
  return 0;
}

static const lg_scenario_t sc = {"control-noop", setup, iterate, teardown,
                                 scn_core_stats};
SCN_MAIN(sc)
