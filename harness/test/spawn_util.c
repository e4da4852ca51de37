/* Child processes of the CLI test programs (spawn_util.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn_util.h"
#include "util.h"

pid_t lg_spawn(char **argv, const char *out_path, const char *err_path) {
  setenv("LG_TEST_SCEN_DIR", LG_TEST_SCEN_DIR, 1);
  setenv("LG_TEST_BUILD", LG_TEST_BUILD, 1);
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    if (!freopen(out_path, "w", stdout) || !freopen(err_path, "w", stderr))
      _exit(126);
    execv(argv[0], argv);
    _exit(127);
  }
  return pid;
}

int lg_wait_exit(pid_t pid) {
  int st = 0;
  if (pid < 0 || waitpid(pid, &st, 0) != pid)
    return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int lg_argv_append(char **argv, int n, int max, va_list ap) {
  const char *a;
  while ((a = va_arg(ap, const char *)) != NULL && n < max)
    argv[n++] = (char *)a;
  argv[n] = NULL;
  return n;
}

int lg_file_contains(const char *path, const char *needle) {
  char *s = lg_read_file(path, NULL);
  int found = s && strstr(s, needle) != NULL;
  free(s);
  return found;
}
