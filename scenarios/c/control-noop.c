/* control-noop: does nothing per iteration. It proves nothing about evstore;
 * it measures the sampling noise of every metric in this run, which gives the
 * noise floor and the smallest leak the other scenarios could detect. */
#include "scn.h"

static int iterate(void *ctx, uint64_t i) {
  (void)ctx;
  (void)i;
  return 0;
}

static const lg_scenario_t sc = {"control-noop", scn_no_setup, iterate,
                                 scn_no_teardown, scn_core_stats};
SCN_MAIN(sc)
