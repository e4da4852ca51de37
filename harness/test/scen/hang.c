/* e2e scenario: stops making progress at iteration 10; must be TIMEOUT. It
 * also starts a child that would outlive it unless the whole process group
 * is killed. */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "scen.h"

static int hang_iterate(void *ctx, uint64_t i) {
  (void)ctx;
  if (i == 10) {
    if (fork() == 0) {
      for (;;)
        pause();
    }
    for (;;)
      pause();
  }
  return 0;
}

LGT_SCENARIO_MAIN("hang", hang_iterate)
