/* Helpers shared by the hardening test programs (confine_util.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "confine_util.h"
#include "util.h"

char lg_stdout_path[4200], lg_stderr_path[4200];

/* Sets lg_stdout_path and lg_stderr_path for the run called name. */
static void lg_set_output_paths(const char *name) {
  snprintf(lg_stdout_path, sizeof lg_stdout_path, "%s/%s.stdout", LG_TEST_OUT,
           name);
  snprintf(lg_stderr_path, sizeof lg_stderr_path, "%s/%s.stderr", LG_TEST_OUT,
           name);
}

pid_t lg_startv(const char *name, char **args) {
  char *argv[1100];
  int argc = 0;
  argv[argc++] = (char *)LG_BIN;
  for (; *args && argc < 1099; args++)
    argv[argc++] = *args;
  argv[argc] = NULL;
  lg_mkdirs(LG_TEST_OUT);
  lg_set_output_paths(name);
  return lg_spawn(argv, lg_stdout_path, lg_stderr_path);
}

int lg_runv(const char *name, char **args) {
  return lg_wait_exit(lg_startv(name, args));
}

int lg_execv(const char *name, char **argv) {
  lg_mkdirs(LG_TEST_OUT);
  lg_set_output_paths(name);
  return lg_wait_exit(lg_spawn(argv, lg_stdout_path, lg_stderr_path));
}

int lg_run_m(const char *name, const char *manifest, ...) {
  char *args[64] = {(char *)"--root", (char *)LG_ROOT_DIR, (char *)"--manifest",
                    (char *)manifest};
  va_list ap;
  va_start(ap, manifest);
  lg_argv_append(args, 4, 63, ap);
  va_end(ap);
  return lg_runv(name, args);
}

void lg_one_run_args(char **args, const char *scenario, const char *variant,
                     const char *out) {
  const char *a[LG_ONE_RUN_NARGS] = {
      "--root",     LG_ROOT_DIR, "--manifest", LG_TEST_MANIFEST, "run",
      "--scenario", scenario,    "--variant",  variant,          "--out",
      out,          "--quiet",   NULL};
  memcpy(args, a, sizeof a);
}

int lg_run_one(const char *name, const char *scenario, const char *variant,
               const char *out) {
  char *args[LG_ONE_RUN_NARGS];
  lg_one_run_args(args, scenario, variant, out);
  return lg_runv(name, args);
}

/* A fresh scratch directory LG_TEST_OUT/<name>; returns its path (static). */
const char *lg_scratch(const char *name) {
  static char dir[4200];
  snprintf(dir, sizeof dir, "%s/%s", LG_TEST_OUT, name);
  lg_rmtree(dir);
  lg_mkdirs(dir);
  return dir;
}

char *lg_scratch_dir(const char *name) {
  return check_defer_free(lg_xstrdup(lg_scratch(name)));
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

int lg_verdict_is(const char *out, const char *scenario, lg_verdict_t verdict,
                  ...) {
  lg_verdict_t v = LG_V_PASS;
  char *ev = NULL;
  if (lg_verdict_of(out, scenario, &v, &ev) != 0) {
    fprintf(stderr, "no run of %s in %s/results.json\n", scenario, out);
    return 0;
  }
  int ok = v == verdict;
  va_list ap;
  va_start(ap, verdict);
  for (const char *n; (n = va_arg(ap, const char *)) != NULL;)
    ok = ok && ev &&
         (n[0] == '!' ? strstr(ev, n + 1) == NULL : strstr(ev, n) != NULL);
  va_end(ap);
  if (!ok)
    fprintf(stderr, "%s: got %s: %s\n", scenario, lg_verdict_name(v), ev);
  free(ev);
  return ok;
}
