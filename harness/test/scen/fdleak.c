/* e2e scenario: opens a descriptor in each of the first 5 iterations and
 * never closes them; must be RESOURCE (fds not back to baseline). */
#include <fcntl.h>
#include <unistd.h>

#include "scen.h"

static int fdleak_iterate(void *ctx, uint64_t i) {
  (void)ctx;
  if (i < 5 && open("/dev/null", O_RDONLY) < 0)
    return 1;
  return 0;
}

LGT_SCENARIO_MAIN("fdleak", fdleak_iterate)
