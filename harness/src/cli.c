/* Helpers the leakgate commands share (cli.h): error lines, option
 * scanning, loading the manifest and result files, the gate table. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"
#include "text.h"
#include "util.h"

int lg_die(int code, const char *fmt, const char *arg) {
  fputs("leakgate: ", stderr);
  fprintf(stderr, fmt, arg);
  fputc('\n', stderr);
  return code;
}

int lg_die_err(int code, char *msg) {
  fprintf(stderr, "leakgate: %s\n", msg);
  free(msg);
  return code;
}

int lg_cli_getopt(int argc, char **argv, const struct option *opts,
                  const char **elem) {
  /* optind 0 asks getopt_long to start afresh; it then reads argv[1]. */
  int at = optind ? optind : 1;
  if (at >= argc)
    return -1;
  const char *s = argv[at];
  *elem = s;
  if (s[0] != '-') {
    optind = at + 1;
    optarg = argv[at];
    return LG_OPT_ARG;
  }
  if (s[1] == '\0' || strcmp(s, "--") == 0)
    return LG_OPT_BAD;
  int li = -1;
  opterr = 0;
  /* '+': no permutation, so this call reads argv[at]; ':': a missing
   * value is reported, not printed. */
  int c = getopt_long(argc, argv, "+:h", opts, &li);
  if (c == '?' || c == ':')
    return LG_OPT_BAD;
  if (li >= 0 ? strncmp(s, "--", 2) != 0 || strcmp(s + 2, opts[li].name) != 0
              : strcmp(s, "-h") != 0)
    return LG_OPT_BAD; /* an abbreviation, --name=value or grouped -h */
  return c;
}

void lg_argv_push(char ***v, size_t *n, char *s) {
  *v = lg_xrealloc(*v, (*n + 1) * sizeof **v);
  (*v)[(*n)++] = s;
}

int lg_load_manifest(const lg_global_t *g, lg_manifest_t *m) {
  if (!g->root && g->manifest)
    return lg_die(LG_EXIT_USAGE,
                  "--manifest %s: no such file or directory (its folder "
                  "does not exist)",
                  g->manifest);
  if (!g->root)
    return lg_die(LG_EXIT_USAGE,
                  "no manifest: pass --manifest FILE (your addon's), or "
                  "--root DIR for leakgate's own checkout%s",
                  "");
  char *path = g->manifest ? lg_xstrdup(g->manifest)
                           : lg_path_join(g->root, "scenarios/manifest.json");
  char *err = NULL;
  int rc = lg_manifest_load(path, g->root, m, &err);
  free(path);
  if (rc != 0) {
    lg_manifest_free(m);
    return lg_die_err(LG_EXIT_USAGE, err);
  }
  return 0;
}

int lg_load_dir(const char *dir, lg_results_t *r) {
  char *path = lg_path_join(dir, "results.json");
  char *err = NULL;
  int rc = lg_results_load(path, r, &err);
  free(path);
  if (rc != 0)
    return lg_die_err(LG_EXIT_USAGE, err);
  return 0;
}

int lg_apply_gate(lg_results_t *r, const char *baseline) {
  char *err = NULL;
  if (lg_gate_apply(r, baseline, &err) != 0) {
    fprintf(stderr, "leakgate: baseline: %s\n", err);
    free(err);
    return LG_EXIT_USAGE;
  }
  return 0;
}
