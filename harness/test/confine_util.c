/* Helpers shared by the hardening test programs (confine_util.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "confine_util.h"
#include "util.h"

char lg_stdout_path[4200], lg_stderr_path[4200];

/* Runs leakgate with argv (NULL-terminated, after the binary) and the
 * environment the test scenarios need; returns its exit code. Output goes
 * to LG_TEST_OUT/<name>.stdout/.stderr. */
int lg_runv(const char *name, char **args) {
  char *argv[1100];
  int argc = 0;
  argv[argc++] = (char *)LG_BIN;
  for (; *args && argc < 1099; args++)
    argv[argc++] = *args;
  argv[argc] = NULL;
  return lg_execv(name, argv);
}

/* Runs argv[0] (a path) with argv; returns its exit code. */
int lg_execv(const char *name, char **argv) {
  lg_mkdirs(LG_TEST_OUT);
  snprintf(lg_stdout_path, sizeof lg_stdout_path, "%s/%s.stdout", LG_TEST_OUT,
           name);
  snprintf(lg_stderr_path, sizeof lg_stderr_path, "%s/%s.stderr", LG_TEST_OUT,
           name);
  setenv("LG_TEST_SCEN_DIR", LG_TEST_SCEN_DIR, 1);
  setenv("LG_TEST_BUILD", LG_TEST_BUILD, 1);
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    if (!freopen(lg_stdout_path, "w", stdout) ||
        !freopen(lg_stderr_path, "w", stderr))
      _exit(126);
    execv(argv[0], argv);
    _exit(127);
  }
  int st = 0;
  if (pid < 0 || waitpid(pid, &st, 0) != pid)
    return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int lg_run(const char *name, ...) {
  char *args[64];
  int n = 0;
  va_list ap;
  va_start(ap, name);
  const char *a;
  while ((a = va_arg(ap, const char *)) != NULL && n < 63)
    args[n++] = (char *)a;
  va_end(ap);
  args[n] = NULL;
  return lg_runv(name, args);
}

int lg_file_contains(const char *path, const char *needle) {
  char *s = lg_read_file(path, NULL);
  int found = s && strstr(s, needle) != NULL;
  free(s);
  return found;
}

/* A fresh scratch directory LG_TEST_OUT/<name>; returns its path (static). */
const char *lg_scratch(const char *name) {
  static char dir[4200];
  snprintf(dir, sizeof dir, "%s/%s", LG_TEST_OUT, name);
  lg_rmtree(dir);
  lg_mkdirs(dir);
  return dir;
}

void lg_put(const char *dir, const char *file, const char *text) {
  char *p = lg_path_join(dir, file);
  char *parent = lg_xstrdup(p);
  *strrchr(parent, '/') = '\0';
  lg_mkdirs(parent);
  if (lg_write_file(p, text, strlen(text)) != 0)
    fprintf(stderr, "cannot write %s\n", p);
  free(parent);
  free(p);
}

int lg_exists(const char *dir, const char *file) {
  char *p = lg_path_join(dir, file);
  struct stat st;
  int rc = lstat(p, &st) == 0;
  free(p);
  return rc;
}

/* A manifest in `dir` with the given variants and scenarios arrays (JSON
 * text) and optional selftest section; returns its path (caller frees). */
char *lg_manifest(const char *dir, const char *variants, const char *scenarios,
                  const char *selftest) {
  char *text = lg_fmt("{\"version\":1,\"c_dir\":\"{env:LG_TEST_SCEN_DIR}\","
                      "\"defaults\":{\"iterations\":40,\"warmup\":4,"
                      "\"sample_every\":4,\"timeout_s\":30},"
                      "\"variants\":%s,\"scenarios\":%s%s%s}",
                      variants, scenarios, selftest ? ",\"selftest\":" : "",
                      selftest ? selftest : "");
  lg_put(dir, "m.json", text);
  free(text);
  return lg_path_join(dir, "m.json");
}

/* Loads out/results.json and returns the run of scenario (static copy of
 * verdict and evidence through the out-parameters). */
int lg_verdict_of(const char *out, const char *scenario, lg_verdict_t *v,
                  char **evidence) {
  char res[4400];
  snprintf(res, sizeof res, "%s/results.json", out);
  lg_results_t r;
  char *err = NULL;
  if (lg_results_load(res, &r, &err) != 0) {
    fprintf(stderr, "%s\n", err);
    free(err);
    return -1;
  }
  int found = -1;
  for (size_t i = 0; i < r.nruns; i++)
    if (strcmp(r.runs[i].scenario, scenario) == 0) {
      *v = r.runs[i].verdict;
      *evidence = lg_xstrdup(r.runs[i].evidence);
      found = 0;
    }
  lg_results_free(&r);
  return found;
}
