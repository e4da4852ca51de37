/* e2e scenario: leaves processes behind when it exits. Mode "setsid" (the
 * default) forks a grandchild that calls setsid() - it leaves the run's
 * process group and session, and would outlive the run and leakgate unless
 * leakgate, as subreaper, finds and kills it. Mode "group" leaves a plain
 * child in the group. Either must be RESOURCE. Mode "setsid-noenv" is
 * "setsid" with a grandchild that then runs sleep(1) with an empty
 * environment. Each leftover appends its
 * pid to ./pids (the run directory) before the scenario goes on, so that
 * the test can check that it is gone. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe.h"

static const char *escape_mode = "setsid";

/* Appends our pid to ./pids, then tells the scenario (fd `ready`). */
static void escape_record(int ready) {
  char line[32];
  int n = snprintf(line, sizeof line, "%d\n", (int)getpid());
  int fd = open("pids", O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd >= 0) {
    if (write(fd, line, (size_t)n) < 0)
      _exit(1);
    close(fd);
  }
  if (write(ready, "x", 1) < 0)
    _exit(1);
  close(ready);
}

static int escape_iterate(void *ctx, uint64_t i) {
  (void)ctx;
  if (i != 5)
    return 0;
  int p[2];
  if (pipe(p) != 0)
    return 1;
  pid_t child = fork();
  if (child < 0)
    return 1;
  if (child == 0) {
    close(p[0]);
    if (strcmp(escape_mode, "group") == 0) {
      escape_record(p[1]);
      for (;;)
        pause();
    }
    if (fork() == 0) {
      setsid();
      escape_record(p[1]);
      if (strcmp(escape_mode, "setsid-noenv") == 0) {
        /* Also drop the environment: nothing marks it as this run's. */
        char *empty[] = {NULL};
        execle("/bin/sleep", "sleep", "600", (char *)NULL, empty);
      }
      for (;;)
        pause();
    }
    _exit(0);
  }
  close(p[1]);
  char c;
  ssize_t got = read(p[0], &c, 1);
  close(p[0]);
  if (strcmp(escape_mode, "group") != 0)
    waitpid(child, NULL, 0); /* the intermediate child exits at once */
  return got == 1 ? 0 : 1;
}

static const lg_scenario_t lg_escape = {"escape", NULL, escape_iterate, NULL,
                                        NULL};

int main(int argc, char **argv) {
  if (argc > 1)
    escape_mode = argv[1];
  return lg_probe_main(&lg_escape, argc, argv);
}
