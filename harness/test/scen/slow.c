/* e2e scenario for early stopping: sleeps 4 ms per iteration, so that the
 * runner sees its samples while it runs; with the argument "leak" it also
 * leaks one 64-byte block per iteration (must be LEAK, never stopped). */
#include <time.h>

#include "scen.h"

static int lgt_slow_leak;

static int slow_setup(void **ctx) {
  *ctx = NULL;
  return 0;
}

static int slow_iterate(void *ctx, uint64_t i) {
  (void)ctx;
  struct timespec ts = {0, 4 * 1000 * 1000};
  nanosleep(&ts, NULL);
  if (lgt_slow_leak)
    return lgt_fill_block(64, i) ? 0 : 1;
  return 0;
}

static const lg_scenario_t lgt_slow = {"slow", slow_setup, slow_iterate, NULL,
                                       NULL};

int main(int argc, char **argv) {
  lgt_slow_leak = argc > 1 && strcmp(argv[1], "leak") == 0;
  return lg_probe_main(&lgt_slow, argc, argv);
}
