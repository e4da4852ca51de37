/* e2e scenario: iterate reports an error at iteration 7; must be ERROR. */
#include "probe.h"

static int fail_iterate(void *ctx, uint64_t i) {
  (void)ctx;
  return i == 7 ? -5 : 0;
}

static const lg_scenario_t lg_fail = {"fail", NULL, fail_iterate, NULL, NULL};

int main(int argc, char **argv) {
  return lg_probe_main(&lg_fail, argc, argv);
}
