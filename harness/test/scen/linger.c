/* e2e scenario: completes and writes its end record, then never exits, as
 * node does when a threadsafe function or a timer keeps its loop alive. The
 * harness must kill it after the exit grace period and report RESOURCE. */
#include <unistd.h>

#include "scen.h"

static const lg_scenario_t lg_linger = {"linger", NULL, lgt_iterate_nothing,
                                        NULL, NULL};

int main(int argc, char **argv) {
  int rc = lg_probe_main(&lg_linger, argc, argv);
  for (;;)
    pause();
  return rc;
}
