/* e2e scenario: a clean run whose exit imitates LeakSanitizer's tracer
 * crashing (google/sanitizers#1353): the signature on stderr and the
 * sanitizer exit code. With no argument it does so only on its first run
 * (marker file named by LG_FLAKE_MARK); with "always" on every run. The
 * harness must re-run it once, and report an infrastructure error, never a
 * verdict on the code, when the detector keeps crashing. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scen.h"

static const lg_scenario_t lg_flake = {"lsan-flake", NULL, lgt_iterate_nothing,
                                       NULL, NULL};

int main(int argc, char **argv) {
  int always = argc > 1 && strcmp(argv[1], "always") == 0;
  int rc = lg_probe_main(&lg_flake, 1, argv);
  const char *mark = getenv("LG_FLAKE_MARK");
  int first = 0;
  if (!always && mark) {
    int fd = open(mark, O_WRONLY | O_CREAT | O_EXCL, 0644);
    first = fd >= 0;
    if (fd >= 0)
      close(fd);
  }
  if (rc == 0 && (always || first)) {
    fprintf(stderr, "Tracer caught signal 11: addr=0x2760 pc=0x7f0 sp=0x7f1\n"
                    "==1==LeakSanitizer has encountered a fatal error.\n");
    return 86;
  }
  return rc;
}
