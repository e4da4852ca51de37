/* e2e scenario: writes a line that is not JSON into the probe channel at
 * iteration 5 and carries on; must be ERROR (probe protocol error). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scen.h"

static int garbage_iterate(void *ctx, uint64_t i) {
  (void)ctx;
  if (i == 5) {
    const char *path = getenv("LEAKGATE_PROBE");
    int fd = path ? open(path, O_WRONLY | O_APPEND) : 2;
    static const char junk[] = "\x01\x02 this is {not json\n";
    if (fd < 0 || write(fd, junk, sizeof junk - 1) < 0)
      return 1;
    if (fd > 2)
      close(fd);
  }
  return 0;
}

LGT_SCENARIO_MAIN("garbage", garbage_iterate)
