/* `leakgate run` and `leakgate selftest` (cli.h): their options, the runs
 * they start (plan.h selects them), results.json kept current while runs
 * finish, and the final reports and summary lines. */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "analyze.h"
#include "cli.h"
#include "gate.h"
#include "plan.h"
#include "report.h"
#include "runner.h"
#include "selftest.h"
#include "supp.h"
#include "text.h"
#include "util.h"

static const char lg_run_usage[] =
    "usage: leakgate run [--variant V]... [--scenario GLOB]... [--out DIR]\n"
    "                    [--jobs N] [--shard I/N] [--iterations-scale X]\n"
    "                    [--baseline FILE] [--fault NAME] [--quiet]\n"
    "                    [--heapsnap auto|leak|off] [--keep-heapsnap]\n"
    "                    [--no-early-stop] [--selftest [--defect NAME]...]\n"
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
    "                         auto (default) when the run fails LEAK with\n"
    "                         heapUsed growing, leak for any LEAK (expected\n"
    "                         ones too: negative controls), off never\n"
    "  --keep-heapsnap        keep the .heapsnapshot files (in the run\n"
    "                         directory's heapsnap/), deleted otherwise\n"
    "  --no-early-stop        every run does all of its iterations (default:\n"
    "                         a clean run may stop once every thresholded\n"
    "                         metric passed the early-stopping rule)\n"
    "  --selftest             also run the planted-defect self-test, its runs\n"
    "                         in the same pool of --jobs (no idle slot while\n"
    "                         one of the two finishes): results and reports "
    "in\n"
    "                         OUT/selftest, as 'leakgate selftest --out\n"
    "                         OUT/selftest' writes them (the manifest's\n"
    "                         iterations, whatever --iterations-scale says);\n"
    "                         the exit code is the worse of the two; not with\n"
    "                         --fault or --shard\n"
    "  --defect NAME          with --selftest: only this defect (repeatable)\n";

static const char lg_selftest_usage[] =
    "usage: leakgate selftest [--variant V]... [--defect NAME]... [--out DIR]\n"
    "                         [--jobs N] [--iterations-scale X] [--quiet]\n"
    "Runs each planted defect of the manifest's selftest section with\n"
    "EVS_FAULT=<name> under each designated detector, plus the clean runs,\n"
    "and prints the detection matrix. Exit 1 unless every designated cell\n"
    "is caught and every clean run passes. Default --out reports/selftest.\n";

/* --out as the user meant it: a relative DIR is under the directory leakgate
 * was started in (not --root). Returns a new string the caller frees. */
static char *lg_abs_dir(const char *dir) {
  if (dir[0] == '/')
    return lg_xstrdup(dir);
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd))
    return lg_xstrdup(dir);
  return lg_path_join(cwd, dir);
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

/* Fills the header of a new result set: schema, versions, creation time,
 * manifest, root, command line and control scenarios (copies). */
static void lg_results_head(lg_results_t *r, const lg_manifest_t *m,
                            const char *root, int argc, char **argv) {
  r->schema = LG_SCHEMA_VERSION;
  r->tool_version = lg_xstrdup(LG_TOOL_VERSION);
  r->created = lg_iso_now();
  r->manifest = lg_xstrdup(m->path);
  r->root = lg_xstrdup(root);
  r->command = lg_cmdline(argc, argv);
  r->control = lg_xstrdup(m->control);
}

/* Creates the report directory: 0, or prints the problem and returns the
 * infrastructure exit code. */
static int lg_make_out(const char *out) {
  if (lg_mkdirs(out) == 0)
    return 0;
  fprintf(stderr, "leakgate: cannot create %s: %s\n", out, strerror(errno));
  return LG_EXIT_INFRA;
}

static int lg_finish_results(lg_results_t *r, const char *out, int quiet) {
  r->exit_code = lg_results_exit_code(r);
  char *err = NULL;
  if (lg_write_reports(r, out, &err) != 0)
    return lg_die_err(LG_EXIT_INFRA, err);
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

/* The options of run and selftest (lg_parse_runargs rejects those of the
 * other command): id, long name, has_arg. */
#define LG_RUN_OPTIONS(X)                                                      \
  X(OPT_VARIANT, "variant", required_argument)                                 \
  X(OPT_SCENARIO, "scenario", required_argument)                               \
  X(OPT_OUT, "out", required_argument)                                         \
  X(OPT_JOBS, "jobs", required_argument)                                       \
  X(OPT_SHARD, "shard", required_argument)                                     \
  X(OPT_SCALE, "iterations-scale", required_argument)                          \
  X(OPT_BASELINE, "baseline", required_argument)                               \
  X(OPT_QUIET, "quiet", no_argument)                                           \
  X(OPT_DEFECT, "defect", required_argument)                                   \
  X(OPT_FAULT, "fault", required_argument)                                     \
  X(OPT_HEAPSNAP, "heapsnap", required_argument)                               \
  X(OPT_KEEP_HEAPSNAP, "keep-heapsnap", no_argument)                           \
  X(OPT_NO_EARLY_STOP, "no-early-stop", no_argument)                           \
  X(OPT_SELFTEST, "selftest", no_argument)                                     \
  X(OPT_HELP, "help", no_argument)

#define LG_RUN_OPT_ID(id, name, has_arg) id,
#define LG_RUN_OPT_ROW(id, name, has_arg) {name, has_arg, NULL, id},
enum { LG_RUN_OPT_BASE = 255, LG_RUN_OPTIONS(LG_RUN_OPT_ID) };

static const struct option lg_run_opts[] = {
    LG_RUN_OPTIONS(LG_RUN_OPT_ROW){NULL, 0, NULL, 0}};

typedef struct lg_runargs_s {
  char **variants, **scenarios, **defects; /* borrowed from argv; arrays
                                              owned (lg_runargs_free) */
  size_t nvariants, nscenarios, ndefects;
  const char *out, *baseline, *fault;
  int jobs, shard_i, shard_n, quiet, help;
  lg_heapsnap_mode_t heapsnap; /* run only; selftest: off */
  int keep_heapsnap;
  int no_early_stop;
  int selftest; /* run --selftest */
  double scale;
  const char *shard;
} lg_runargs_t;

static void lg_runargs_free(lg_runargs_t *a) {
  free(a->variants);
  free(a->scenarios);
  free(a->defects);
  a->variants = a->scenarios = a->defects = NULL;
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
  optind = 0; /* afresh: the global options may have used getopt */
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
    case OPT_DEFECT: /* run: with --selftest, checked below */
      if (!(rc = lg_check_name("--defect", optarg)))
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
    case OPT_NO_EARLY_STOP:
      a->no_early_stop = 1;
      break;
    case OPT_SELFTEST:
      if (allow_defect)
        rc = lg_die(LG_EXIT_USAGE, "%s: unknown option --selftest", cmd);
      else
        a->selftest = 1;
      break;
    case OPT_HELP:
      a->help = 1;
      break;
    case ':':
      rc = lg_die(LG_EXIT_USAGE, "option %s needs a value", argv[optind - 1]);
      break;
    default: {
      /* An unknown short option inside a group (-xy) leaves optind on
       * its element, so argv[optind - 1] is then the one before it. */
      const char *el = argv[optind - 1];
      if (optopt > 0 && optopt < 128 && strncmp(el, "--", 2) != 0) {
        char opt[3] = {'-', (char)optopt, '\0'};
        rc = lg_die(LG_EXIT_USAGE, "unknown option '%s'", opt);
      } else {
        rc = lg_die(LG_EXIT_USAGE, "unknown option '%s'", el);
      }
    }
    }
  }
  if (!rc && optind < argc)
    rc = lg_die(LG_EXIT_USAGE, "unexpected argument '%s'", argv[optind]);
  if (!rc && !allow_defect && a->ndefects && !a->selftest)
    rc = lg_die(LG_EXIT_USAGE, "%s: --defect needs --selftest", cmd);
  if (!rc && a->selftest && (a->fault || a->shard))
    rc = lg_die_err(LG_EXIT_USAGE,
                    lg_fmt("%s: --selftest does not go with %s (the "
                           "self-test plants its own faults and is not "
                           "sharded)",
                           cmd, a->fault ? "--fault" : "--shard"));
  if (rc)
    lg_runargs_free(a);
  return rc;
}

/* Persists results as runs finish: after each run, <out>/results.json is
 * rewritten atomically (lg_write_file: temporary file + rename) with the
 * runs finished so far and "complete": false, so that a crash, an OOM kill
 * or an interrupt of leakgate keeps every finished run. The final write
 * (lg_finish_results) replaces it. Each run is serialised once, when it
 * finishes, and each write joins those texts to the header: rewriting
 * every run's samples on every write made the writes quadratic, two
 * thirds of leakgate's own CPU in a run of the C scenarios, spent on the
 * runner's thread between one run's end and the next one's start. */
typedef struct lg_partial_s {
  const lg_results_t *r; /* header fields; its runs are not all done */
  char *path;            /* owned */
  const lg_run_t **done; /* finished runs, in order of completion; owned */
  size_t ndone;
  int warned;
  char **texts; /* done[i] as lg_run_to_text wrote it; owned */
} lg_partial_t;

/* The partial writer of r into dir/results.json (free with
 * lg_partial_free). */
static lg_partial_t lg_partial_new(const lg_results_t *r, const char *dir) {
  return (lg_partial_t){.r = r, .path = lg_path_join(dir, "results.json")};
}

/* Writes the partial file: p->r's header with the finished runs' exit code
 * and "complete": false, and the finished runs' texts. 0, or -1. */
static int lg_partial_save(lg_partial_t *p) {
  lg_results_t view = *p->r; /* shallow: only read by the writer */
  view.runs = lg_xcalloc(p->ndone ? p->ndone : 1, sizeof *view.runs);
  for (size_t i = 0; i < p->ndone; i++)
    view.runs[i] = *p->done[i];
  view.nruns = p->ndone;
  view.incomplete = 1;
  view.exit_code = lg_results_exit_code(&view);
  int rc = lg_results_save_texts(&view, p->texts, p->ndone, p->path);
  free(view.runs);
  return rc;
}

static void lg_partial_write(void *arg, lg_run_t *run) {
  lg_partial_t *p = arg;
  char *text = lg_run_to_text(run);
  if (!text) { /* out of memory inside jansson: this write is skipped */
    if (!p->warned)
      fprintf(stderr, "leakgate: warning: cannot serialise a run for %s\n",
              p->path);
    p->warned = 1;
    return;
  }
  p->done = lg_xrealloc(p->done, (p->ndone + 1) * sizeof *p->done);
  p->texts = lg_xrealloc(p->texts, (p->ndone + 1) * sizeof *p->texts);
  p->done[p->ndone] = run;
  p->texts[p->ndone++] = text;
  if (lg_partial_save(p) != 0 && !p->warned) {
    fprintf(stderr, "leakgate: warning: cannot write %s: %s\n", p->path,
            strerror(errno));
    p->warned = 1;
  }
}

static void lg_partial_free(lg_partial_t *p) {
  for (size_t i = 0; i < p->ndone; i++)
    free(p->texts[i]);
  free(p->texts);
  free(p->path);
  free(p->done);
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

/* After the runs of r: marks it incomplete when interrupted, derives the
 * noise floors and tallies the suppressions. */
static void lg_work_end(lg_results_t *r, const lg_manifest_t *m,
                        int interrupted) {
  r->incomplete = interrupted;
  lg_analyze_noise(r);
  lg_tally_supps(r, m);
}

/* Runs the work of run or selftest into r: fn(ctx, m, o, r) with the
 * options of a, out as the report directory, and results.json rewritten as
 * runs finish (lg_partial_t); then marks r incomplete when fn returned
 * nonzero (interrupted), derives the noise floors and tallies the
 * suppressions. Returns 1 when interrupted, else 0. */
typedef int (*lg_work_fn)(void *ctx, const lg_manifest_t *m,
                          const lg_run_opts_t *o, lg_results_t *r);
static int lg_run_work(const lg_runargs_t *a, const lg_manifest_t *m, char *out,
                       lg_results_t *r, lg_work_fn fn, void *ctx) {
  lg_partial_t partial = lg_partial_new(r, out);
  lg_run_opts_t o = {out,
                     a->jobs,
                     a->scale,
                     isatty(1) && !a->quiet,
                     a->quiet,
                     lg_partial_write,
                     &partial,
                     a->heapsnap,
                     a->keep_heapsnap,
                     a->no_early_stop,
                     NULL};
  int interrupted = fn(ctx, m, &o, r) != 0;
  lg_partial_free(&partial);
  lg_work_end(r, m, interrupted);
  return interrupted;
}

/* Writes the final results and reports (lg_finish_results), frees out, r
 * and m, and returns the exit code: LG_EXIT_INFRA when interrupted. */
static int lg_run_done(lg_results_t *r, lg_manifest_t *m, char *out, int quiet,
                       int interrupted) {
  int rc = lg_finish_results(r, out, quiet);
  free(out);
  lg_results_free(r);
  lg_manifest_free(m);
  return interrupted ? LG_EXIT_INFRA : rc;
}

/* run --selftest: the self-test's result set and report directory
 * (OUT/selftest), its jobs, and the options they run with: the run's, but
 * at the manifest's iterations, without heap snapshots, labelled
 * "selftest" and persisted to their own results.json, as `leakgate
 * selftest --out OUT/selftest` would run them. */
typedef struct lg_side_s {
  lg_results_t r;
  char *out;      /* owned */
  lg_job_t *jobs; /* owned; they point at r's runs */
  size_t n;
  char **defects; /* --defect (borrowed), or none: all */
  size_t ndefects;
  lg_run_opts_t o;
  lg_partial_t partial;
} lg_side_t;

typedef struct lg_jobs_s {
  lg_job_t *jobs;
  size_t n;
  lg_side_t *side; /* or NULL */
} lg_jobs_t;

/* The run's jobs and, with --selftest, the self-test's, in one pool of
 * --jobs (longest first across both); then judges the self-test. */
static int lg_work_run(void *ctx, const lg_manifest_t *m,
                       const lg_run_opts_t *o, lg_results_t *r) {
  const lg_jobs_t *j = ctx;
  (void)r; /* each job already points at its run in r */
  lg_side_t *sd = j->side;
  if (!sd)
    return lg_runner_run(m, j->jobs, j->n, o);
  sd->o = *o;
  sd->o.out_dir = sd->out;
  sd->o.iterations_scale = 1.0;
  sd->o.heapsnap = LG_HEAPSNAP_OFF;
  sd->o.keep_heapsnap = 0;
  sd->o.label = "selftest";
  sd->partial = lg_partial_new(&sd->r, sd->out);
  sd->o.run_done = lg_partial_write;
  sd->o.run_done_arg = &sd->partial;
  lg_job_t *all = lg_xcalloc(j->n + sd->n + 1, sizeof *all);
  memcpy(all, j->jobs, j->n * sizeof *all);
  for (size_t i = 0; i < sd->n; i++) {
    all[j->n + i] = sd->jobs[i];
    all[j->n + i].opts = &sd->o;
  }
  int rc = lg_runner_run(m, all, j->n + sd->n, o);
  free(all);
  lg_partial_free(&sd->partial);
  lg_selftest_judge(m, NULL, 0, sd->defects, sd->ndefects, &sd->r);
  lg_work_end(&sd->r, m, rc != 0);
  return rc;
}

/* Orders jobs longest first (lg_runner_run): the last wall times in report
 * directory `out` (its results.json; read before the partial writes
 * replace it), then, for runs it lacks (a fresh checkout), those recorded
 * in `baseline` (may be NULL); else the runs' time budgets stand in.
 * Files that cannot be read change nothing. */
static void lg_jobs_estimate_files(lg_job_t *jobs, size_t n, const char *out,
                                   const char *baseline) {
  char *prev_path = lg_path_join(out, "results.json"), *perr = NULL;
  lg_results_t prev;
  if (lg_is_file(prev_path) && lg_results_load(prev_path, &prev, &perr) == 0) {
    lg_jobs_estimate(jobs, n, &prev);
    lg_results_free(&prev);
  }
  free(perr);
  perr = NULL;
  lg_baseline_t base;
  if (baseline && lg_baseline_load(baseline, &base, &perr) == 0) {
    lg_jobs_estimate_baseline(jobs, n, &base);
    lg_baseline_free(&base);
  }
  free(perr);
  free(prev_path);
}

/* Plans run --selftest's side (lg_side_t) into sd (its defects checked by
 * the caller: lg_plan_check_selftest); its jobs' expected times come from
 * OUT/selftest's last results.json, then from the baseline's (clean runs).
 * Returns 0, or an exit code after printing the problem. */
static int lg_side_plan(const lg_global_t *g, int argc, char **argv,
                        const lg_runargs_t *a, const lg_manifest_t *m,
                        const char *out, lg_side_t *sd) {
  memset(sd, 0, sizeof *sd);
  sd->out = lg_path_join(out, "selftest");
  int rc = lg_make_out(sd->out);
  if (rc)
    return rc;
  sd->defects = a->defects;
  sd->ndefects = a->ndefects;
  lg_results_head(&sd->r, m, g->root, argc, argv);
  sd->jobs =
      lg_selftest_plan(m, NULL, 0, sd->defects, sd->ndefects, &sd->r, &sd->n);
  lg_jobs_estimate_files(sd->jobs, sd->n, sd->out, a->baseline);
  return 0;
}

static void lg_side_free(lg_side_t *sd) {
  free(sd->out);
  free(sd->jobs);
  lg_results_free(&sd->r);
}

static int lg_work_selftest(void *ctx, const lg_manifest_t *m,
                            const lg_run_opts_t *o, lg_results_t *r) {
  const lg_runargs_t *a = ctx;
  return lg_selftest_run(m, o, a->variants, a->nvariants, a->defects,
                         a->ndefects, r);
}

static int lg_do_run(const lg_global_t *g, int argc, char **argv,
                     const lg_runargs_t *ap, lg_manifest_t *m) {
  const lg_runargs_t a = *ap;
  int rc;
  lg_plan_sel_t sel = {a.variants,
                       a.nvariants,
                       a.scenarios,
                       a.nscenarios,
                       a.fault,
                       a.shard ? a.shard_i : 0,
                       a.shard ? a.shard_n : 0};
  char *bad = lg_plan_check_run(m, &sel, a.scale);
  if (!bad && a.selftest)
    bad = lg_plan_check_selftest(m, NULL, 0, a.defects, a.ndefects, 1.0);
  if (bad) {
    lg_manifest_free(m);
    return lg_die_err(LG_EXIT_USAGE, bad);
  }
  /* Scenario x variant pairs, manifest order, then the shard slice. */
  size_t n;
  lg_job_t *jobs = lg_plan_jobs(m, &sel, &n);
  if (n == 0) {
    free(jobs);
    lg_manifest_free(m);
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
  char *out = a.out ? lg_abs_dir(a.out) : dflt;
  if (out != dflt)
    free(dflt);
  if ((rc = lg_make_out(out)) != 0) {
    free(out);
    free(jobs);
    lg_results_free(&r);
    lg_manifest_free(m);
    return rc;
  }
  lg_jobs_estimate_files(jobs, n, out, a.baseline);
  lg_side_t side, *sd = NULL;
  if (a.selftest) {
    if ((rc = lg_side_plan(g, argc, argv, &a, m, out, &side)) != 0) {
      lg_side_free(&side);
      free(out);
      free(jobs);
      lg_results_free(&r);
      lg_manifest_free(m);
      return rc;
    }
    sd = &side;
  }
  lg_results_head(&r, m, g->root, argc, argv);
  r.shard = lg_xstrdup(a.shard);
  lg_jobs_t work = {jobs, n, sd};
  int interrupted = lg_run_work(&a, m, out, &r, lg_work_run, &work);
  free(jobs);
  lg_load_bench(&r, g->root, m);
  if (a.baseline && (rc = lg_apply_gate(&r, a.baseline)) != 0) {
    if (sd) { /* the self-test's verdicts do not depend on the baseline */
      lg_finish_results(&sd->r, sd->out, a.quiet);
      lg_side_free(sd);
    }
    free(out);
    lg_results_free(&r);
    lg_manifest_free(m);
    return rc;
  }
  if (r.has_gate && !a.quiet)
    lg_term_gate(stdout, &r);
  rc = lg_run_done(&r, m, out, a.quiet, interrupted);
  if (sd) { /* after the run's reports: the self-test's matrix and its own */
    if (!a.quiet)
      lg_term_selftest(stdout, &sd->r);
    int src = lg_finish_results(&sd->r, sd->out, a.quiet);
    lg_side_free(sd);
    if (!interrupted && src > rc)
      rc = src;
  }
  return rc;
}

static int lg_do_selftest(const lg_global_t *g, int argc, char **argv,
                          const lg_runargs_t *ap, lg_manifest_t *m) {
  const lg_runargs_t a = *ap;
  int rc;
  char *bad = lg_plan_check_selftest(m, a.variants, a.nvariants, a.defects,
                                     a.ndefects, a.scale);
  if (bad) {
    lg_manifest_free(m);
    return lg_die_err(LG_EXIT_USAGE, bad);
  }
  char *out =
      a.out ? lg_abs_dir(a.out) : lg_path_join(g->root, "reports/selftest");
  if ((rc = lg_make_out(out)) != 0) {
    free(out);
    lg_manifest_free(m);
    return rc;
  }
  lg_results_t r;
  memset(&r, 0, sizeof r);
  lg_results_head(&r, m, g->root, argc, argv);
  int interrupted = lg_run_work(&a, m, out, &r, lg_work_selftest, (void *)&a);
  /* Matrix on stdout. */
  lg_term_selftest(stdout, &r);
  return lg_run_done(&r, m, out, a.quiet, interrupted);
}

/* The body of run or selftest, called with its parsed options and the
 * loaded manifest (taken: the body frees it). */
typedef int (*lg_run_body_fn)(const lg_global_t *g, int argc, char **argv,
                              const lg_runargs_t *a, lg_manifest_t *m);

/* Parses the options of run (selftest 0) or selftest (1), prints the usage
 * for --help, else loads the manifest and calls body. */
static int lg_cmd_runlike(const lg_global_t *g, int argc, char **argv,
                          int selftest, lg_run_body_fn body) {
  lg_runargs_t a;
  lg_manifest_t m;
  int rc =
      lg_parse_runargs(argc, argv, selftest ? "selftest" : "run", selftest, &a);
  if (rc)
    return rc;
  if (a.help)
    fputs(selftest ? lg_selftest_usage : lg_run_usage, stdout);
  else if ((rc = lg_load_manifest(g, &m)) == 0)
    rc = body(g, argc, argv, &a, &m);
  lg_runargs_free(&a);
  return rc;
}

int lg_cmd_run(const lg_global_t *g, int argc, char **argv) {
  return lg_cmd_runlike(g, argc, argv, 0, lg_do_run);
}

int lg_cmd_selftest(const lg_global_t *g, int argc, char **argv) {
  return lg_cmd_runlike(g, argc, argv, 1, lg_do_selftest);
}
