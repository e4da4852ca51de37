/* leakgate: the command-line entry point. Parses the command and options,
 * finds the repository root and the manifest, and dispatches to list, run,
 * report, gate, merge and selftest. Exit codes: 0 pass, 1 a verdict failed,
 * 2 usage or configuration error, 3 infrastructure error. */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "analyze.h"
#include "gate.h"
#include "init.h"
#include "manifest.h"
#include "model.h"
#include "report.h"
#include "runner.h"
#include "selftest.h"
#include "supp.h"
#include "text.h"
#include "util.h"

static const char lg_usage[] =
    "usage: leakgate [--root DIR] [--manifest FILE] COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  list                        scenarios x variants known to the manifest\n"
    "  run [options]               run scenarios, analyse, write reports\n"
    "  report DIR [--out DIR]      re-render reports from DIR/results.json\n"
    "  gate --baseline FILE DIR    compare DIR/results.json with a baseline\n"
    "  baseline DIR --out FILE     write the slim baseline of "
    "DIR/results.json\n"
    "  merge DIR... --out DIR      merge shard results into one\n"
    "  selftest [options]          planted-defect detection matrix\n"
    "  init ADDON [--dir DIR]      a manifest and scenarios for any addon\n"
    "\n"
    "Run 'leakgate COMMAND --help' for the options of a command.\n"
    "exit codes: 0 pass, 1 a verdict failed, 2 usage or configuration error,\n"
    "            3 infrastructure error (missing build or program, spawn "
    "failure)\n";

static const char lg_run_usage[] =
    "usage: leakgate run [--variant V]... [--scenario GLOB]... [--out DIR]\n"
    "                    [--jobs N] [--shard I/N] [--iterations-scale X]\n"
    "                    [--baseline FILE] [--fault NAME] [--quiet]\n"
    "                    [--heapsnap auto|leak|off] [--keep-heapsnap]\n"
    "  --variant V            run only variant V (repeatable; default: the\n"
    "                         manifest's default variants)\n"
    "  --scenario GLOB        run only scenarios matching GLOB (repeatable);\n"
    "                         the control scenario is added for its noise\n"
    "                         floor unless --shard is given\n"
    "  --out DIR              report directory (default reports/latest)\n"
    "  --jobs N               parallel runs (default 1)\n"
    "  --shard I/N            deterministic slice I of N (1-based) of the\n"
    "                         scenario x variant list\n"
    "  --iterations-scale X   multiply every iteration count (quick runs)\n"
    "  --baseline FILE        also gate against FILE (like 'leakgate gate')\n"
    "  --fault NAME           plant fault point NAME (EVS_FAULT) in every run\n"
    "                         but the controls, in the variants whose build\n"
    "                         has fault points: the run must then fail with\n"
    "                         the verdict of that defect\n"
    "  --quiet                no per-run lines\n"
    "  --heapsnap WHEN        JS heap attribution: re-run a JS run judged\n"
    "                         LEAK once, briefly, with two heap snapshots\n"
    "                         and name what grew (evidence, results.json):\n"
    "                         auto (default) when heapUsed grows, leak for\n"
    "                         any LEAK, off never\n"
    "  --keep-heapsnap        keep the .heapsnapshot files (in the run\n"
    "                         directory's heapsnap/), deleted otherwise\n";

static const char lg_selftest_usage[] =
    "usage: leakgate selftest [--variant V]... [--defect NAME]... [--out DIR]\n"
    "                         [--jobs N] [--iterations-scale X] [--quiet]\n"
    "Runs each planted defect of the manifest's selftest section with\n"
    "EVS_FAULT=<name> under each designated detector, plus the clean runs,\n"
    "and prints the detection matrix. Exit 1 unless every designated cell\n"
    "is caught and every clean run passes. Default --out reports/selftest.\n";

typedef struct lg_global_s {
  char *root;
  char *manifest;
} lg_global_t;

static int lg_die(int code, const char *fmt, const char *arg) {
  fputs("leakgate: ", stderr);
  fprintf(stderr, fmt, arg);
  fputc('\n', stderr);
  return code;
}

/* The root ({root}, reports/latest's parent): --root, else LEAKGATE_ROOT,
 * else with --manifest the manifest's directory (the user's tree: never
 * leakgate's own checkout), else upwards from the binary
 * (build/<preset>/harness/leakgate) to the directory holding
 * harness/probe/probe.js, leakgate's checkout, whose manifest is the
 * default. Returns a new string the caller frees, or NULL. */
static char *lg_find_root(const char *opt, const char *manifest) {
  const char *env = getenv("LEAKGATE_ROOT");
  if (opt)
    return lg_realpath(opt);
  if (env && *env)
    return lg_realpath(env);
  if (manifest) {
    char *copy = lg_xstrdup(manifest);
    char *dir = lg_realpath(dirname(copy));
    free(copy);
    return dir;
  }
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0)
    return NULL;
  exe[n] = '\0';
  char *dir = lg_xstrdup(exe);
  for (int depth = 0; depth < 8; depth++) {
    char *parent = lg_xstrdup(dirname(dir));
    free(dir);
    dir = parent;
    char *probe = lg_path_join(dir, "harness/probe/probe.js");
    int found = lg_is_file(probe);
    free(probe);
    if (found)
      return dir;
    if (strcmp(dir, "/") == 0)
      break;
  }
  free(dir);
  return NULL;
}

static int lg_load_manifest(const lg_global_t *g, lg_manifest_t *m) {
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
    fprintf(stderr, "leakgate: %s\n", err);
    free(err);
    lg_manifest_free(m);
    return LG_EXIT_USAGE;
  }
  return 0;
}

static char *lg_abs_dir(const char *root, const char *dir) {
  if (dir[0] == '/')
    return lg_xstrdup(dir);
  char cwd[PATH_MAX];
  (void)root;
  if (!getcwd(cwd, sizeof cwd))
    return lg_xstrdup(dir);
  return lg_path_join(cwd, dir);
}

static int lg_cmd_list(const lg_global_t *g, int argc, char **argv) {
  if (argc > 1 &&
      (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
    puts("usage: leakgate list\nPrints every scenario with its language, "
         "expectation and iterations per variant ('-': does not run there).");
    return 0;
  }
  if (argc > 1)
    return lg_die(LG_EXIT_USAGE, "list: unexpected argument '%s'", argv[1]);
  lg_manifest_t m;
  int rc = lg_load_manifest(g, &m);
  if (rc)
    return rc;
  printf("%-28s %-4s %-9s", "scenario", "lang", "expect");
  for (size_t v = 0; v < m.nvariants; v++)
    printf(" %10s%s", m.variants[v].name, m.variants[v].is_default ? "*" : " ");
  printf("\n");
  for (size_t s = 0; s < m.nscenarios; s++) {
    const lg_scenario_t *sc = &m.scenarios[s];
    printf("%-28s %-4s %-9s", sc->name, sc->lang == LG_LANG_JS ? "js" : "c",
           sc->expect);
    for (size_t v = 0; v < m.nvariants; v++) {
      if (lg_scenario_in_variant(sc, &m.variants[v]))
        printf(" %10lld ", lg_scenario_iterations(sc, &m.variants[v], 1.0));
      else
        printf(" %10s ", "-");
    }
    printf("\n");
  }
  printf("(%zu scenarios, %zu variants; * = run by default; numbers are "
         "iterations)\n",
         m.nscenarios, m.nvariants);
  if (m.ndefects) {
    printf("\nselftest defects:\n");
    for (size_t d = 0; d < m.ndefects; d++) {
      printf("  %-24s %-24s", m.defects[d].fault, m.defects[d].scenario);
      for (size_t c = 0; c < m.defects[d].ncells; c++)
        printf(" %s", m.defects[d].cells[c].label);
      printf("\n");
    }
  }
  lg_manifest_free(&m);
  return 0;
}

/* evstore's benchmark table, shown in leakgate's own reports only: a
 * user's manifest gets nothing of evstore's. */
static void lg_load_bench(lg_results_t *r, const char *root,
                          const lg_manifest_t *m) {
  if (!m->own)
    return;
  char *path = lg_path_join(root, "reports/bench/latest.json");
  if (lg_is_file(path)) {
    json_error_t je;
    json_t *bench = json_load_file(path, 0, &je);
    if (!bench)
      fprintf(stderr, "leakgate: warning: ignoring %s: %s\n", path, je.text);
    lg_results_set_bench(r, bench);
  }
  free(path);
}

static char *lg_cmdline(int argc, char **argv) {
  lg_buf_t b = {0};
  lg_buf_add(&b, "leakgate");
  for (int i = 0; i < argc; i++)
    lg_buf_addf(&b, " %s", argv[i]);
  return lg_buf_take(&b);
}

static int lg_apply_gate(lg_results_t *r, const char *baseline) {
  char *err = NULL;
  if (lg_gate_apply(r, baseline, &err) != 0) {
    fprintf(stderr, "leakgate: baseline: %s\n", err);
    free(err);
    return LG_EXIT_USAGE;
  }
  return 0;
}

static void lg_print_gate(const lg_results_t *r) {
  lg_term_gate(stdout, r);
}

static int lg_finish_results(lg_results_t *r, const char *out, int quiet) {
  r->exit_code = lg_results_exit_code(r);
  char *err = NULL;
  if (lg_write_reports(r, out, &err) != 0) {
    fprintf(stderr, "leakgate: %s\n", err);
    free(err);
    return LG_EXIT_INFRA;
  }
  if (!quiet || r->exit_code) {
    size_t failed = lg_results_failed(r), infra = lg_results_infra(r);
    char *head = lg_headline(r); /* the cause first; terminal-safe */
    printf("leakgate %s\nleakgate: %zu runs, %zu failed, %zu infrastructure "
           "errors; reports in %s\n",
           head, r->nruns, failed, infra, out);
    /* Its own memory is a figure too (issue 16): the harness process
     * alone, the scenarios it ran are not in it. */
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0)
      printf("leakgate: own peak RSS %.1f MiB (the harness process; its "
             "scenarios not included)\n",
             (double)ru.ru_maxrss / 1024.0);
    free(head);
  }
  return r->exit_code;
}

/* Parses a decimal integer in [min, max] with nothing after it; 0 or -1
 * (also on overflow: strtoll saturates and sets ERANGE). */
static int lg_parse_int(const char *s, long long min, long long max,
                        long long *out) {
  char *end;
  errno = 0;
  if (!*s || *s == ' ' || *s == '+')
    return -1;
  long long v = strtoll(s, &end, 10);
  if (errno || end == s || *end || v < min || v > max)
    return -1;
  *out = v;
  return 0;
}

/* "I/N" with 1 <= I <= N <= INT_MAX; 1 or 0. */
static int lg_parse_shard(const char *s, int *i, int *n) {
  const char *slash = strchr(s, '/');
  if (!slash)
    return 0;
  char *left = lg_xstrndup(s, (size_t)(slash - s));
  long long li, ln;
  int ok = lg_parse_int(left, 1, INT_MAX, &li) == 0 &&
           lg_parse_int(slash + 1, 1, INT_MAX, &ln) == 0 && li <= ln;
  free(left);
  if (ok) {
    *i = (int)li;
    *n = (int)ln;
  }
  return ok;
}

enum {
  OPT_VARIANT = 256,
  OPT_SCENARIO,
  OPT_OUT,
  OPT_JOBS,
  OPT_SHARD,
  OPT_SCALE,
  OPT_BASELINE,
  OPT_QUIET,
  OPT_DEFECT,
  OPT_FAULT,
  OPT_HEAPSNAP,
  OPT_KEEP_HEAPSNAP,
  OPT_HELP
};

static const struct option lg_run_opts[] = {
    {"variant", required_argument, NULL, OPT_VARIANT},
    {"scenario", required_argument, NULL, OPT_SCENARIO},
    {"out", required_argument, NULL, OPT_OUT},
    {"jobs", required_argument, NULL, OPT_JOBS},
    {"shard", required_argument, NULL, OPT_SHARD},
    {"iterations-scale", required_argument, NULL, OPT_SCALE},
    {"baseline", required_argument, NULL, OPT_BASELINE},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"defect", required_argument, NULL, OPT_DEFECT},
    {"fault", required_argument, NULL, OPT_FAULT},
    {"heapsnap", required_argument, NULL, OPT_HEAPSNAP},
    {"keep-heapsnap", no_argument, NULL, OPT_KEEP_HEAPSNAP},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0}};

typedef struct lg_runargs_s {
  char **variants, **scenarios, **defects; /* borrowed from argv; arrays
                                              owned (lg_runargs_free) */
  size_t nvariants, nscenarios, ndefects;
  const char *out, *baseline, *fault;
  int jobs, shard_i, shard_n, quiet, help;
  lg_heapsnap_mode_t heapsnap; /* run only; selftest: off */
  int keep_heapsnap;
  double scale;
  const char *shard;
} lg_runargs_t;

static void lg_runargs_free(lg_runargs_t *a) {
  free(a->variants);
  free(a->scenarios);
  free(a->defects);
  a->variants = a->scenarios = a->defects = NULL;
}

/* Appends a borrowed string to a growing list (no fixed limit). */
static void lg_argv_push(char ***v, size_t *n, char *s) {
  *v = lg_xrealloc(*v, (*n + 1) * sizeof **v);
  (*v)[(*n)++] = s;
}

/* 0 when `name` may name a variant/defect (lg_name_problem), else prints
 * the problem and returns the usage exit code. */
static int lg_check_name(const char *opt, const char *name) {
  const char *bad = lg_name_problem(name);
  if (!bad)
    return 0;
  fprintf(stderr, "leakgate: %s: expected %s, got '%.64s%s'\n", opt, bad, name,
          strlen(name) > 64 ? "..." : "");
  return LG_EXIT_USAGE;
}

/* Returns 0, or an exit code after printing the problem; on 0 the caller
 * frees the lists with lg_runargs_free (on error they are freed here). */
static int lg_parse_runargs(int argc, char **argv, const char *cmd,
                            int allow_defect, lg_runargs_t *a) {
  memset(a, 0, sizeof *a);
  a->jobs = 1;
  a->scale = 1.0;
  a->heapsnap = allow_defect ? LG_HEAPSNAP_OFF : LG_HEAPSNAP_AUTO;
  optind = 1;
  opterr = 0;
  int c, rc = 0;
  while (!rc && (c = getopt_long(argc, argv, "", lg_run_opts, NULL)) != -1) {
    char *end;
    long long v;
    switch (c) {
    case OPT_VARIANT:
      if (!(rc = lg_check_name("--variant", optarg)))
        lg_argv_push(&a->variants, &a->nvariants, optarg);
      break;
    case OPT_SCENARIO:
      if (allow_defect)
        rc = lg_die(LG_EXIT_USAGE, "%s: unknown option --scenario", cmd);
      else
        lg_argv_push(&a->scenarios, &a->nscenarios, optarg);
      break;
    case OPT_DEFECT:
      if (!allow_defect)
        rc = lg_die(LG_EXIT_USAGE, "%s: unknown option --defect", cmd);
      else if (!(rc = lg_check_name("--defect", optarg)))
        lg_argv_push(&a->defects, &a->ndefects, optarg);
      break;
    case OPT_FAULT:
      if (allow_defect)
        rc = lg_die(LG_EXIT_USAGE, "%s: unknown option --fault (use --defect)",
                    cmd);
      else if (!(rc = lg_check_name("--fault", optarg)))
        a->fault = optarg;
      break;
    case OPT_OUT:
      a->out = optarg;
      break;
    case OPT_JOBS:
      if (lg_parse_int(optarg, 1, 256, &v) != 0)
        rc = lg_die(LG_EXIT_USAGE, "--jobs: expected 1..256, got '%s'", optarg);
      else
        a->jobs = (int)v;
      break;
    case OPT_SHARD:
      if (allow_defect || !lg_parse_shard(optarg, &a->shard_i, &a->shard_n))
        rc = lg_die(LG_EXIT_USAGE,
                    "--shard: expected I/N with 1 <= I <= N <= 2147483647, "
                    "got '%s'",
                    optarg);
      else
        a->shard = optarg;
      break;
    case OPT_SCALE:
      errno = 0;
      a->scale = strtod(optarg, &end);
      if (errno || end == optarg || *end || !(a->scale > 0) ||
          a->scale > LG_SCALE_MAX)
        rc = lg_die(LG_EXIT_USAGE,
                    "--iterations-scale: expected a number in (0, 1000], "
                    "got '%s'",
                    optarg);
      break;
    case OPT_BASELINE:
      if (allow_defect)
        rc = lg_die(LG_EXIT_USAGE, "%s: unknown option --baseline", cmd);
      else
        a->baseline = optarg;
      break;
    case OPT_QUIET:
      a->quiet = 1;
      break;
    case OPT_HEAPSNAP:
      if (allow_defect)
        rc = lg_die(LG_EXIT_USAGE, "%s: unknown option --heapsnap", cmd);
      else if (lg_heapsnap_mode_parse(optarg, &a->heapsnap) != 0)
        rc = lg_die(LG_EXIT_USAGE,
                    "--heapsnap: expected auto, leak or off, got '%s'", optarg);
      break;
    case OPT_KEEP_HEAPSNAP:
      if (allow_defect)
        rc = lg_die(LG_EXIT_USAGE, "%s: unknown option --keep-heapsnap", cmd);
      else
        a->keep_heapsnap = 1;
      break;
    case OPT_HELP:
      a->help = 1;
      break;
    case ':':
      rc = lg_die(LG_EXIT_USAGE, "option %s needs a value", argv[optind - 1]);
      break;
    default:
      rc = lg_die(LG_EXIT_USAGE, "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (!rc && optind < argc)
    rc = lg_die(LG_EXIT_USAGE, "unexpected argument '%s'", argv[optind]);
  if (rc)
    lg_runargs_free(a);
  return rc;
}

/* True when `name` is a planted defect of the manifest's selftest section. */
static int lg_has_defect(const lg_manifest_t *m, const char *name) {
  for (size_t d = 0; d < m->ndefects; d++)
    if (strcmp(m->defects[d].fault, name) == 0)
      return 1;
  return 0;
}

/* 0 when every --variant names a manifest variant; else prints the problem
 * and returns the usage exit code. */
static int lg_check_variants(const lg_manifest_t *m, const lg_runargs_t *a) {
  for (size_t i = 0; i < a->nvariants; i++)
    if (!lg_manifest_variant(m, a->variants[i]))
      return lg_die(LG_EXIT_USAGE, "--variant: no variant '%s' in the manifest",
                    a->variants[i]);
  return 0;
}

/* Persists results as runs finish: after each run, <out>/results.json is
 * rewritten atomically (lg_results_save: temporary file + rename) with the
 * runs finished so far and "complete": false, so that a crash, an OOM kill
 * or an interrupt of leakgate keeps every finished run. The final write
 * (lg_finish_results) replaces it. */
typedef struct lg_partial_s {
  const lg_results_t *r; /* header fields; its runs are not all done */
  char *path;            /* owned */
  const lg_run_t **done; /* finished runs, in order of completion; owned */
  size_t ndone;
  int warned;
} lg_partial_t;

static void lg_partial_write(void *arg, lg_run_t *run) {
  lg_partial_t *p = arg;
  p->done = lg_xrealloc(p->done, (p->ndone + 1) * sizeof *p->done);
  p->done[p->ndone++] = run;
  lg_results_t view = *p->r; /* shallow: only read by the writer */
  view.runs = lg_xcalloc(p->ndone, sizeof *view.runs);
  for (size_t i = 0; i < p->ndone; i++)
    view.runs[i] = *p->done[i];
  view.nruns = p->ndone;
  view.incomplete = 1;
  view.exit_code = lg_results_exit_code(&view);
  if (lg_results_save(&view, p->path) != 0 && !p->warned) {
    fprintf(stderr, "leakgate: warning: cannot write %s: %s\n", p->path,
            strerror(errno));
    p->warned = 1;
  }
  free(view.runs);
}

static void lg_partial_free(lg_partial_t *p) {
  free(p->path);
  free(p->done);
}

/* 0 when every run's iterations stay in range under --iterations-scale;
 * else prints the problem and returns the usage exit code. */
static int lg_check_scale(const lg_manifest_t *m, double scale) {
  char *err = lg_manifest_check_scale(m, scale);
  if (!err)
    return 0;
  fprintf(stderr, "leakgate: %s\n", err);
  free(err);
  return LG_EXIT_USAGE;
}

/* Counts, for every valgrind suppression entry of every variant that ran,
 * the runs in which it matched (LSan does not report its usage this way). */
static void lg_tally_supps(lg_results_t *r, const lg_manifest_t *m) {
  for (size_t v = 0; v < m->nvariants; v++) {
    const lg_variant_t *va = &m->variants[v];
    int ran = 0;
    for (size_t i = 0; i < r->nruns && !ran; i++)
      ran = strcmp(r->runs[i].variant, va->name) == 0;
    for (size_t f = 0; ran && f < va->nsupps; f++) {
      for (size_t e = 0; e < va->supps[f].n; e++) {
        const lg_supp_entry_t *en = &va->supps[f].v[e];
        if (en->lsan)
          continue;
        long uses = 0;
        for (size_t i = 0; i < r->nruns; i++)
          for (size_t k = 0; strcmp(r->runs[i].variant, va->name) == 0 &&
                             k < r->runs[i].nsupp_used;
               k++)
            uses += strcmp(r->runs[i].supp_used[k], en->name) == 0;
        lg_results_supp_use(r, va->name, va->supps[f].path, en->name, uses);
      }
    }
  }
}

static int lg_do_run(const lg_global_t *g, int argc, char **argv,
                     const lg_runargs_t *ap);

static int lg_cmd_run(const lg_global_t *g, int argc, char **argv) {
  lg_runargs_t a;
  int rc = lg_parse_runargs(argc, argv, "run", 0, &a);
  if (rc)
    return rc;
  rc = lg_do_run(g, argc, argv, &a);
  lg_runargs_free(&a);
  return rc;
}

static int lg_do_run(const lg_global_t *g, int argc, char **argv,
                     const lg_runargs_t *ap) {
  const lg_runargs_t a = *ap;
  int rc;
  if (a.help) {
    fputs(lg_run_usage, stdout);
    return 0;
  }
  lg_manifest_t m;
  if ((rc = lg_load_manifest(g, &m)))
    return rc;
  if ((rc = lg_check_variants(&m, &a)) || (rc = lg_check_scale(&m, a.scale))) {
    lg_manifest_free(&m);
    return rc;
  }
  for (size_t i = 0; i < a.nscenarios; i++) {
    int hit = 0;
    for (size_t s = 0; s < m.nscenarios; s++)
      hit |= fnmatch(a.scenarios[i], m.scenarios[s].name, 0) == 0;
    if (!hit) {
      lg_manifest_free(&m);
      return lg_die(LG_EXIT_USAGE, "--scenario: '%s' matches no scenario",
                    a.scenarios[i]);
    }
  }
  if (a.fault) {
    if (!lg_has_defect(&m, a.fault)) {
      lg_manifest_free(&m);
      return lg_die(LG_EXIT_USAGE,
                    "--fault: '%s' is not a planted defect of the manifest's "
                    "selftest section (see 'leakgate list')",
                    a.fault);
    }
  }
  /* Scenario x variant pairs, manifest order, then the shard slice. */
  size_t cap = m.nscenarios * m.nvariants + 1, n = 0, k = 0;
  lg_job_t *jobs = lg_xcalloc(cap, sizeof *jobs);
  for (size_t s = 0; s < m.nscenarios; s++) {
    const lg_scenario_t *sc = &m.scenarios[s];
    int want = a.nscenarios == 0;
    for (size_t i = 0; i < a.nscenarios; i++)
      want |= fnmatch(a.scenarios[i], sc->name, 0) == 0;
    int is_control = lg_is_control(m.control, sc->name);
    if (!want && !(is_control && !a.shard))
      continue;
    for (size_t v = 0; v < m.nvariants; v++) {
      const lg_variant_t *va = &m.variants[v];
      int vwant = a.nvariants == 0 ? va->is_default : 0;
      for (size_t i = 0; i < a.nvariants; i++)
        vwant |= strcmp(a.variants[i], va->name) == 0;
      if (!vwant || !lg_scenario_in_variant(sc, va))
        continue;
      if (a.fault && !va->has_faults)
        continue; /* the fault could not be planted in this build */
      if (a.shard && (int)(k++ % (size_t)a.shard_n) != a.shard_i - 1)
        continue;
      jobs[n].sc = sc;
      jobs[n].va = va;
      jobs[n].fault = is_control ? NULL : a.fault;
      n++;
    }
  }
  if (n == 0) {
    free(jobs);
    lg_manifest_free(&m);
    fprintf(stderr,
            "leakgate: run: nothing to run (no scenario x variant "
            "selected%s)\n",
            a.shard ? " in this shard" : "");
    return a.shard ? 0 : LG_EXIT_USAGE;
  }

  lg_results_t r;
  memset(&r, 0, sizeof r);
  /* Add every run before taking pointers: adding reallocates the array. */
  for (size_t i = 0; i < n; i++)
    lg_results_add_run(&r);
  for (size_t i = 0; i < n; i++)
    jobs[i].run = &r.runs[i];
  char *dflt = lg_path_join(g->root, "reports/latest");
  char *out = a.out ? lg_abs_dir(g->root, a.out) : dflt;
  if (out != dflt)
    free(dflt);
  if (lg_mkdirs(out) != 0) {
    fprintf(stderr, "leakgate: cannot create %s: %s\n", out, strerror(errno));
    free(out);
    free(jobs);
    lg_results_free(&r);
    lg_manifest_free(&m);
    return LG_EXIT_INFRA;
  }
  /* The last run's wall times in this report directory order the runs,
   * longest first (lg_runner_run); a missing or unreadable file: the
   * runs' time budgets stand in. Read before the partial writes replace
   * it. */
  {
    char *prev_path = lg_path_join(out, "results.json"), *perr = NULL;
    lg_results_t prev;
    if (lg_is_file(prev_path) &&
        lg_results_load(prev_path, &prev, &perr) == 0) {
      lg_jobs_estimate(jobs, n, &prev);
      lg_results_free(&prev);
    }
    free(perr);
    free(prev_path);
  }
  lg_partial_t partial = {&r, lg_path_join(out, "results.json"), NULL, 0, 0};
  lg_run_opts_t o = {out,
                     a.jobs,
                     a.scale,
                     isatty(1) && !a.quiet,
                     a.quiet,
                     lg_partial_write,
                     &partial,
                     a.heapsnap,
                     a.keep_heapsnap};
  r.schema = LG_SCHEMA_VERSION;
  r.tool_version = lg_xstrdup(LG_TOOL_VERSION);
  r.created = lg_iso_now();
  r.manifest = lg_xstrdup(m.path);
  r.root = lg_xstrdup(g->root);
  r.command = lg_cmdline(argc, argv);
  r.shard = lg_xstrdup(a.shard);
  r.control = lg_xstrdup(m.control);
  int interrupted = lg_runner_run(&m, jobs, n, &o) != 0;
  lg_partial_free(&partial);
  r.incomplete = interrupted;
  free(jobs);
  lg_analyze_noise(&r);
  lg_tally_supps(&r, &m);
  lg_load_bench(&r, g->root, &m);
  if (a.baseline && (rc = lg_apply_gate(&r, a.baseline)) != 0) {
    free(out);
    lg_results_free(&r);
    lg_manifest_free(&m);
    return rc;
  }
  if (r.has_gate && !a.quiet)
    lg_print_gate(&r);
  rc = lg_finish_results(&r, out, a.quiet);
  free(out);
  lg_results_free(&r);
  lg_manifest_free(&m);
  return interrupted ? LG_EXIT_INFRA : rc;
}

static int lg_do_selftest(const lg_global_t *g, int argc, char **argv,
                          const lg_runargs_t *ap);

static int lg_cmd_selftest(const lg_global_t *g, int argc, char **argv) {
  lg_runargs_t a;
  int rc = lg_parse_runargs(argc, argv, "selftest", 1, &a);
  if (rc)
    return rc;
  rc = lg_do_selftest(g, argc, argv, &a);
  lg_runargs_free(&a);
  return rc;
}

static int lg_do_selftest(const lg_global_t *g, int argc, char **argv,
                          const lg_runargs_t *ap) {
  const lg_runargs_t a = *ap;
  int rc;
  if (a.help) {
    fputs(lg_selftest_usage, stdout);
    return 0;
  }
  lg_manifest_t m;
  if ((rc = lg_load_manifest(g, &m)))
    return rc;
  if (m.ndefects == 0) {
    lg_manifest_free(&m);
    return lg_die(LG_EXIT_USAGE, "selftest: the manifest has no %s",
                  "selftest.defects");
  }
  if ((rc = lg_check_variants(&m, &a)) || (rc = lg_check_scale(&m, a.scale))) {
    lg_manifest_free(&m);
    return rc;
  }
  for (size_t i = 0; i < a.ndefects; i++) {
    if (!lg_has_defect(&m, a.defects[i])) {
      lg_manifest_free(&m);
      return lg_die(LG_EXIT_USAGE, "--defect: no defect '%s' in the manifest",
                    a.defects[i]);
    }
  }
  char *out = a.out ? lg_abs_dir(g->root, a.out)
                    : lg_path_join(g->root, "reports/selftest");
  if (lg_mkdirs(out) != 0) {
    fprintf(stderr, "leakgate: cannot create %s: %s\n", out, strerror(errno));
    free(out);
    lg_manifest_free(&m);
    return LG_EXIT_INFRA;
  }
  lg_results_t r;
  memset(&r, 0, sizeof r);
  r.schema = LG_SCHEMA_VERSION;
  r.tool_version = lg_xstrdup(LG_TOOL_VERSION);
  r.created = lg_iso_now();
  r.manifest = lg_xstrdup(m.path);
  r.root = lg_xstrdup(g->root);
  r.command = lg_cmdline(argc, argv);
  r.control = lg_xstrdup(m.control);
  lg_partial_t partial = {&r, lg_path_join(out, "results.json"), NULL, 0, 0};
  lg_run_opts_t o = {out,     a.jobs,           a.scale,  isatty(1) && !a.quiet,
                     a.quiet, lg_partial_write, &partial, LG_HEAPSNAP_OFF,
                     0};
  int interrupted = lg_selftest_run(&m, &o, a.variants, a.nvariants, a.defects,
                                    a.ndefects, &r) != 0;
  lg_partial_free(&partial);
  r.incomplete = interrupted;
  lg_analyze_noise(&r);
  lg_tally_supps(&r, &m);
  /* Matrix on stdout. */
  lg_term_selftest(stdout, &r);
  rc = lg_finish_results(&r, out, a.quiet);
  free(out);
  lg_results_free(&r);
  lg_manifest_free(&m);
  return interrupted ? LG_EXIT_INFRA : rc;
}

static int lg_load_dir(const char *dir, lg_results_t *r) {
  char *path = lg_path_join(dir, "results.json");
  char *err = NULL;
  int rc = lg_results_load(path, r, &err);
  free(path);
  if (rc != 0) {
    fprintf(stderr, "leakgate: %s\n", err);
    free(err);
    return LG_EXIT_USAGE;
  }
  return 0;
}

static int lg_cmd_report(int argc, char **argv) {
  const char *dir = NULL, *out = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      puts("usage: leakgate report DIR [--out DIR]\nRe-renders junit.xml, "
           "summary.md and report.html from DIR/results.json\ninto DIR, or "
           "into --out DIR together with a copy of results.json.\nDIR/"
           "results.json itself is never rewritten.");
      return 0;
    } else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
      out = argv[++i];
    } else if (argv[i][0] == '-') {
      return lg_die(LG_EXIT_USAGE, "report: unknown option '%s'", argv[i]);
    } else if (!dir) {
      dir = argv[i];
    } else {
      return lg_die(LG_EXIT_USAGE, "report: unexpected argument '%s'", argv[i]);
    }
  }
  if (!dir)
    return lg_die(LG_EXIT_USAGE, "report: missing DIR%s", "");
  lg_results_t r;
  int rc = lg_load_dir(dir, &r);
  if (rc)
    return rc;
  char *err = NULL;
  /* The input is never rewritten: only a different --out gets a copy. */
  char *rd = lg_realpath(dir), *ro = out ? lg_realpath(out) : NULL;
  int same = !out || (rd && ro && strcmp(rd, ro) == 0);
  free(rd);
  free(ro);
  rc = same ? lg_render_reports(&r, out ? out : dir, &err)
            : lg_write_reports(&r, out, &err);
  if (rc != 0) {
    fprintf(stderr, "leakgate: %s\n", err);
    free(err);
    lg_results_free(&r);
    return LG_EXIT_INFRA;
  }
  printf("leakgate: reports rendered in %s (%zu runs, recorded exit code %d)\n",
         out ? out : dir, r.nruns, r.exit_code);
  lg_results_free(&r);
  return 0;
}

static int lg_cmd_gate(int argc, char **argv) {
  const char *dir = NULL, *baseline = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      puts(
          "usage: leakgate gate --baseline FILE DIR\nCompares DIR/results.json "
          "with a baseline (the slim file of 'leakgate baseline' or a\n"
          "results.json): runs that passed and fail now, new findings, and "
          "judged slopes or\npeaks beyond the tolerance fail (exit 1); runs "
          "failing in both are listed as\nstill failing, improvements are "
          "listed. The table is also written into\nDIR/summary.md and "
          "DIR/report.html.");
      return 0;
    } else if (strcmp(argv[i], "--baseline") == 0 && i + 1 < argc) {
      baseline = argv[++i];
    } else if (argv[i][0] == '-') {
      return lg_die(LG_EXIT_USAGE, "gate: unknown option or missing value '%s'",
                    argv[i]);
    } else if (!dir) {
      dir = argv[i];
    } else {
      return lg_die(LG_EXIT_USAGE, "gate: unexpected argument '%s'", argv[i]);
    }
  }
  if (!dir || !baseline)
    return lg_die(LG_EXIT_USAGE,
                  "gate: usage: leakgate gate --baseline FILE "
                  "DIR%s",
                  "");
  lg_results_t r;
  int rc = lg_load_dir(dir, &r);
  if (rc)
    return rc;
  if ((rc = lg_apply_gate(&r, baseline)) != 0) {
    lg_results_free(&r);
    return rc;
  }
  lg_print_gate(&r);
  r.exit_code = lg_results_exit_code(&r);
  char *err = NULL;
  if (lg_write_reports(&r, dir, &err) != 0) {
    fprintf(stderr, "leakgate: %s\n", err);
    free(err);
    lg_results_free(&r);
    return LG_EXIT_INFRA;
  }
  rc = r.gate_ok ? 0 : LG_EXIT_FAIL;
  lg_results_free(&r);
  return rc;
}

static int lg_cmd_init(int argc, char **argv) {
  const char *addon = NULL, *dir = "leakgate";
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      puts("usage: leakgate init ADDON [--dir DIR]\nWrites DIR/manifest.json "
           "(default DIR: ./leakgate), addon.js, control.js and\ncalls.js "
           "for ADDON, a .node file or an npm package directory. The\n"
           "manifest uses leakgate's variant presets (release and asan by "
           "default,\nvalgrind on request); control.js only loads the addon "
           "(the noise floor);\ncalls.js is the skeleton to fill in. It "
           "never overwrites a file. Then:\n  leakgate --manifest "
           "DIR/manifest.json run");
      return 0;
    } else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
      dir = argv[++i];
    } else if (argv[i][0] == '-') {
      return lg_die(LG_EXIT_USAGE, "init: unknown option or missing value '%s'",
                    argv[i]);
    } else if (!addon) {
      addon = argv[i];
    } else {
      return lg_die(LG_EXIT_USAGE, "init: unexpected argument '%s'", argv[i]);
    }
  }
  if (!addon)
    return lg_die(LG_EXIT_USAGE,
                  "init: usage: leakgate init ADDON [--dir DIR]%s", "");
  char *written = NULL, *err = NULL;
  if (lg_init(addon, dir, &written, &err) != 0) {
    fprintf(stderr, "leakgate: %s\n", err);
    free(err);
    return LG_EXIT_USAGE;
  }
  printf("leakgate: %s\nnext: leakgate --manifest %s/manifest.json run\n",
         written, dir);
  free(written);
  return 0;
}

static int lg_cmd_baseline(int argc, char **argv) {
  const char *dir = NULL, *out = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      puts("usage: leakgate baseline DIR --out FILE\nWrites the slim baseline "
           "of DIR/results.json to FILE: verdicts, finding keys,\njudged "
           "slopes with their intervals and peaks (what 'gate' compares). "
           "The\n\"tolerance\" object of an existing FILE is kept.");
      return 0;
    } else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
      out = argv[++i];
    } else if (argv[i][0] == '-') {
      return lg_die(LG_EXIT_USAGE,
                    "baseline: unknown option or missing value '%s'", argv[i]);
    } else if (!dir) {
      dir = argv[i];
    } else {
      return lg_die(LG_EXIT_USAGE, "baseline: unexpected argument '%s'",
                    argv[i]);
    }
  }
  if (!dir || !out)
    return lg_die(LG_EXIT_USAGE,
                  "baseline: usage: leakgate baseline DIR --out FILE%s", "");
  lg_results_t r;
  int rc = lg_load_dir(dir, &r);
  if (rc)
    return rc;
  lg_baseline_t b;
  lg_baseline_from_results(&r, &b);
  lg_results_free(&r);
  json_t *old = json_load_file(out, 0, NULL);
  json_t *tol = json_object_get(old, "tolerance");
  if (json_is_object(tol))
    b.tolerance = json_incref(tol);
  json_decref(old);
  char *err = NULL;
  rc = 0;
  if (lg_baseline_save(&b, out, &err) != 0) {
    fprintf(stderr, "leakgate: baseline: %s\n", err);
    free(err);
    rc = LG_EXIT_INFRA;
  } else {
    printf("leakgate: baseline of %zu runs written to %s\n", b.nruns, out);
  }
  lg_baseline_free(&b);
  return rc;
}

/* Joins shard results. Every input directory counts (no limit): a shard
 * that is left out would hide its failures. */
static int lg_do_merge(const char *out, char **dirs, size_t ndirs);

static int lg_cmd_merge(int argc, char **argv) {
  const char *out = NULL;
  char **dirs = NULL; /* borrowed from argv; the array is ours */
  size_t ndirs = 0;
  int rc = 0;
  for (int i = 1; i < argc && !rc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      puts("usage: leakgate merge DIR... --out DIR\nJoins the results of "
           "shards into one result set, recomputes the noise floors and\n"
           "renders all reports. Exit code: that of the merged results.");
      free(dirs);
      return 0;
    } else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
      out = argv[++i];
    } else if (argv[i][0] == '-') {
      rc = lg_die(LG_EXIT_USAGE, "merge: unknown option or missing value '%s'",
                  argv[i]);
    } else {
      lg_argv_push(&dirs, &ndirs, argv[i]);
    }
  }
  if (!rc && (!out || ndirs == 0))
    rc = lg_die(LG_EXIT_USAGE,
                "merge: usage: leakgate merge DIR... --out "
                "DIR%s",
                "");
  if (!rc)
    rc = lg_do_merge(out, dirs, ndirs);
  free(dirs);
  return rc;
}

static int lg_do_merge(const char *out, char **dirs, size_t ndirs) {
  lg_results_t r;
  memset(&r, 0, sizeof r);
  for (size_t d = 0; d < ndirs; d++) {
    lg_results_t part;
    int rc = lg_load_dir(dirs[d], &part);
    if (rc) {
      lg_results_free(&r);
      return rc;
    }
    if (d == 0) {
      r.schema = part.schema;
      r.tool_version = lg_xstrdup(part.tool_version);
      r.created = lg_xstrdup(part.created);
      r.manifest = lg_xstrdup(part.manifest);
      r.root = lg_xstrdup(part.root);
      r.control = lg_xstrdup(part.control);
      r.command = lg_fmt("leakgate merge (%zu shards)", ndirs);
      if (part.bench)
        lg_results_set_bench(&r, json_incref(part.bench));
    }
    r.incomplete |= part.incomplete; /* a partial shard: partial merge */
    for (size_t i = 0; i < part.nsupp_uses; i++)
      lg_results_supp_use(&r, part.supp_uses[i].variant, part.supp_uses[i].file,
                          part.supp_uses[i].name, part.supp_uses[i].uses);
    for (size_t i = 0; i < part.nruns; i++) {
      const lg_run_t *src = &part.runs[i];
      for (size_t k = 0; k < r.nruns; k++) {
        const lg_run_t *x = &r.runs[k];
        if (strcmp(x->scenario, src->scenario) == 0 &&
            strcmp(x->variant, src->variant) == 0 &&
            !!x->fault == !!src->fault &&
            (!x->fault || strcmp(x->fault, src->fault) == 0)) {
          fprintf(stderr,
                  "leakgate: merge: %s/%s appears in more than one "
                  "input (%s)\n",
                  src->scenario, src->variant, dirs[d]);
          lg_results_free(&part);
          lg_results_free(&r);
          return LG_EXIT_USAGE;
        }
      }
      lg_run_t *dst = lg_results_add_run(&r);
      lg_run_copy(dst, src);
      /* Runs keep their logs in their shard's directory. */
      if (dst->run_dir) {
        char *p = lg_path_join(dirs[d], dst->run_dir);
        char *abs = lg_realpath(p);
        free(dst->run_dir);
        dst->run_dir = abs ? abs : p;
        if (abs)
          free(p);
      }
      if (dst->heap && dst->heap->dir) { /* the same for its heap re-run */
        char *p = lg_path_join(dirs[d], dst->heap->dir);
        char *abs = lg_realpath(p);
        free(dst->heap->dir);
        dst->heap->dir = abs ? abs : p;
        if (abs)
          free(p);
      }
    }
    lg_results_free(&part);
  }
  lg_analyze_noise(&r);
  char *err = NULL;
  r.exit_code = lg_results_exit_code(&r);
  if (lg_write_reports(&r, out, &err) != 0) {
    fprintf(stderr, "leakgate: %s\n", err);
    free(err);
    lg_results_free(&r);
    return LG_EXIT_INFRA;
  }
  printf("leakgate: merged %zu runs from %zu inputs into %s: %s\n", r.nruns,
         ndirs, out,
         r.exit_code == 0   ? "PASS"
         : r.exit_code == 3 ? "INFRA"
                            : "FAIL");
  int rc = r.exit_code;
  lg_results_free(&r);
  return rc;
}

int main(int argc, char **argv) {
  lg_global_t g = {NULL, NULL};
  const char *root_opt = NULL;
  int i = 1;
  for (; i < argc; i++) {
    if (strcmp(argv[i], "--root") == 0 && i + 1 < argc) {
      root_opt = argv[++i];
    } else if (strcmp(argv[i], "--manifest") == 0 && i + 1 < argc) {
      g.manifest = argv[++i];
    } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      fputs(lg_usage, stdout);
      return 0;
    } else if (strcmp(argv[i], "--version") == 0) {
      printf("leakgate %s (results schema %d)\n", LG_TOOL_VERSION,
             LG_SCHEMA_VERSION);
      return 0;
    } else if (argv[i][0] == '-') {
      fprintf(stderr, "leakgate: unknown option '%s'\n%s", argv[i], lg_usage);
      return LG_EXIT_USAGE;
    } else {
      break;
    }
  }
  if (i >= argc) {
    fputs(lg_usage, stderr);
    return LG_EXIT_USAGE;
  }
  const char *cmd = argv[i];
  int cargc = argc - i;
  char **cargv = argv + i;
  g.root = lg_find_root(root_opt, g.manifest);
  if (root_opt && !g.root) {
    fprintf(stderr, "leakgate: --root %s: no such directory\n", root_opt);
    return LG_EXIT_USAGE;
  }
  int rc;
  if (strcmp(cmd, "list") == 0)
    rc = lg_cmd_list(&g, cargc, cargv);
  else if (strcmp(cmd, "run") == 0)
    rc = lg_cmd_run(&g, cargc, cargv);
  else if (strcmp(cmd, "selftest") == 0)
    rc = lg_cmd_selftest(&g, cargc, cargv);
  else if (strcmp(cmd, "report") == 0)
    rc = lg_cmd_report(cargc, cargv);
  else if (strcmp(cmd, "gate") == 0)
    rc = lg_cmd_gate(cargc, cargv);
  else if (strcmp(cmd, "merge") == 0)
    rc = lg_cmd_merge(cargc, cargv);
  else if (strcmp(cmd, "baseline") == 0)
    rc = lg_cmd_baseline(cargc, cargv);
  else if (strcmp(cmd, "init") == 0)
    rc = lg_cmd_init(cargc, cargv);
  else {
    fprintf(stderr, "leakgate: unknown command '%s'\n%s", cmd, lg_usage);
    rc = LG_EXIT_USAGE;
  }
  free(g.root);
  return rc;
}
