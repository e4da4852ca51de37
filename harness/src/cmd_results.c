/* The leakgate commands that read a manifest or result files rather than
 * run anything: list, report, gate, baseline, merge and init (cli.h). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "cli.h"
#include "gate.h"
#include "init.h"
#include "merge.h"
#include "report.h"
#include "util.h"

enum { OPT_OUT = 256, OPT_VALUE };

static const struct option lg_help_opts[] = {{"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};

static const struct option lg_out_opts[] = {
    {"help", no_argument, NULL, 'h'},
    {"out", required_argument, NULL, OPT_OUT},
    {NULL, 0, NULL, 0}};

/* The command line of report, gate, baseline and init: a positional
 * argument and an option taking a value (--help aside), each given at
 * most once (a repeated option: the last one counts). */
typedef struct lg_argspec_s {
  const char *name;   /* the command's name, in its error lines */
  const char *option; /* the option's long name */
  const char *help;   /* what --help prints; its first line is the usage
                         line, also printed when an argument is missing */
  int need_val;       /* the option is required */
  int load;           /* the positional is a DIR to load results from */
  const char *dflt;   /* the option's value when absent (borrowed) */
  /* The command's work, given the positional, the option's value and,
   * with load, the loaded results (taken: body frees them; else NULL).
   * Returns the exit code. */
  int (*body)(const char *arg, const char *val, lg_results_t *r);
} lg_argspec_t;

/* Parses argv per spec into *arg and *val (borrowed from argv; left as
 * they were when absent). Returns -1 to go on, or the exit code after
 * printing the help (0) or the problem (a missing positional or required
 * option included). */
static int lg_parse_argspec(int argc, char **argv, const lg_argspec_t *spec,
                            const char **arg, const char **val) {
  const struct option opts[] = {
      {"help", no_argument, NULL, 'h'},
      {spec->option, required_argument, NULL, OPT_VALUE},
      {NULL, 0, NULL, 0}};
  const char *el;
  int c, have_arg = 0;
  optind = 0;
  while ((c = lg_cli_getopt(argc, argv, opts, &el)) != -1) {
    if (c == 'h') {
      puts(spec->help);
      return 0;
    } else if (c == OPT_VALUE) {
      *val = optarg;
    } else if (c != LG_OPT_ARG) {
      return lg_die_err(
          LG_EXIT_USAGE,
          lg_fmt("%s: unknown option or missing value '%s'", spec->name, el));
    } else if (!have_arg) {
      *arg = el;
      have_arg = 1;
    } else {
      return lg_die_err(LG_EXIT_USAGE,
                        lg_fmt("%s: unexpected argument '%s'", spec->name, el));
    }
  }
  if (!*arg || (spec->need_val && !*val))
    return lg_die_err(LG_EXIT_USAGE,
                      lg_fmt("%s: %.*s", spec->name,
                             (int)strcspn(spec->help, "\n"), spec->help));
  return -1;
}

/* A command of the shape lg_argspec_t describes: parses argv, loads the
 * results (spec->load) and runs spec->body. Returns the exit code. */
static int lg_argspec_cmd(int argc, char **argv, const lg_argspec_t *spec) {
  const char *arg = NULL, *val = spec->dflt;
  lg_results_t r;
  int rc = lg_parse_argspec(argc, argv, spec, &arg, &val);
  if (rc >= 0)
    return rc;
  if (spec->load && (rc = lg_load_dir(arg, &r)) != 0)
    return rc;
  return spec->body(arg, val, spec->load ? &r : NULL);
}

/* Defines lg_cmd_NAME (cmd.h): the command NAME that the lg_argspec_t
 * fields after the name describe. */
#define LG_ARGSPEC_COMMAND(cmd, ...)                                           \
  int lg_cmd_##cmd(const lg_global_t *g, int argc, char **argv) {              \
    static const lg_argspec_t spec = {.name = #cmd, __VA_ARGS__};              \
    (void)g;                                                                   \
    return lg_argspec_cmd(argc, argv, &spec);                                  \
  }

/* Writes every report of r into out (lg_write_reports), or only renders
 * them there (lg_render_reports) when render_only. Returns 0, or prints the
 * problem, frees r and returns LG_EXIT_INFRA. */
static int lg_reports_to(lg_results_t *r, const char *out, int render_only) {
  char *err = NULL;
  int rc = render_only ? lg_render_reports(r, out, &err)
                       : lg_write_reports(r, out, &err);
  if (rc == 0)
    return 0;
  lg_results_free(r);
  return lg_die_err(LG_EXIT_INFRA, err);
}

int lg_cmd_list(const lg_global_t *g, int argc, char **argv) {
  const char *el;
  optind = 0;
  int first = lg_cli_getopt(argc, argv, lg_help_opts, &el);
  if (first == 'h') {
    puts("usage: leakgate list\nPrints every scenario with its language, "
         "expectation and iterations per variant ('-': does not run there).");
    return 0;
  }
  if (first != -1)
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

static int lg_report_body(const char *dir, const char *out, lg_results_t *r) {
  int rc;
  /* The input is never rewritten: only a different --out gets a copy. */
  char *rd = lg_realpath(dir), *ro = out ? lg_realpath(out) : NULL;
  int same = !out || (rd && ro && strcmp(rd, ro) == 0);
  free(rd);
  free(ro);
  if ((rc = lg_reports_to(r, out ? out : dir, same)) != 0)
    return rc;
  printf("leakgate: reports rendered in %s (%zu runs, recorded exit code %d)\n",
         out ? out : dir, r->nruns, r->exit_code);
  lg_results_free(r);
  return 0;
}

LG_ARGSPEC_COMMAND(
    report, .option = "out",
    .help = "usage: leakgate report DIR [--out DIR]\nRe-renders junit.xml, "
            "summary.md and report.html from DIR/results.json\ninto DIR, or "
            "into --out DIR together with a copy of results.json.\nDIR/"
            "results.json itself is never rewritten.",
    .load = 1, .body = lg_report_body)

static int lg_gate_body(const char *dir, const char *baseline,
                        lg_results_t *r) {
  int rc;
  if ((rc = lg_apply_gate(r, baseline)) != 0) {
    lg_results_free(r);
    return rc;
  }
  lg_term_gate(stdout, r);
  r->exit_code = lg_results_exit_code(r);
  if ((rc = lg_reports_to(r, dir, 0)) != 0)
    return rc;
  rc = r->gate_ok ? 0 : LG_EXIT_FAIL;
  lg_results_free(r);
  return rc;
}

LG_ARGSPEC_COMMAND(
    gate, .option = "baseline",
    .help =
        "usage: leakgate gate --baseline FILE DIR\nCompares DIR/results.json "
        "with a baseline (the slim file of 'leakgate baseline' or a\n"
        "results.json): runs that passed and fail now, new findings, and "
        "judged slopes or\npeaks beyond the tolerance fail (exit 1); runs "
        "failing in both are listed as\nstill failing, improvements are "
        "listed. The table is also written into\nDIR/summary.md and "
        "DIR/report.html.",
    .need_val = 1, .load = 1, .body = lg_gate_body)

static int lg_init_body(const char *addon, const char *dir, lg_results_t *r) {
  (void)r;
  char *written = NULL, *err = NULL;
  if (lg_init(addon, dir, &written, &err) != 0)
    return lg_die_err(LG_EXIT_USAGE, err);
  printf("leakgate: %s\nnext: leakgate --manifest %s/manifest.json run\n",
         written, dir);
  free(written);
  return 0;
}

LG_ARGSPEC_COMMAND(
    init, .option = "dir",
    .help = "usage: leakgate init ADDON [--dir DIR]\nWrites DIR/manifest.json "
            "(default DIR: ./leakgate), addon.js, control.js and\ncalls.js "
            "for ADDON, a .node file or an npm package directory. The\n"
            "manifest uses leakgate's variant presets (release and asan by "
            "default,\nvalgrind on request); control.js only loads the addon "
            "(the noise floor);\ncalls.js is the skeleton to fill in. It "
            "never overwrites a file. Then:\n  leakgate --manifest "
            "DIR/manifest.json run",
    .dflt = "leakgate", .body = lg_init_body)

static int lg_baseline_body(const char *dir, const char *out, lg_results_t *r) {
  int rc;
  (void)dir; /* loaded into r */
  lg_baseline_t b;
  lg_baseline_from_results(r, &b);
  lg_results_free(r);
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

LG_ARGSPEC_COMMAND(
    baseline, .option = "out",
    .help = "usage: leakgate baseline DIR --out FILE\nWrites the slim baseline "
            "of DIR/results.json to FILE: verdicts, finding keys,\njudged "
            "slopes with their intervals and peaks (what 'gate' compares). "
            "The\n\"tolerance\" object of an existing FILE is kept.",
    .need_val = 1, .load = 1, .body = lg_baseline_body)

/* Merges, writes every report into out and prints the one-line verdict;
 * returns the merged results' exit code. */
static int lg_merge_write(const char *out, char **dirs, size_t ndirs) {
  lg_results_t r;
  char *err = NULL;
  if (lg_merge_results(dirs, ndirs, &r, &err) != 0)
    return lg_die_err(LG_EXIT_USAGE, err);
  r.exit_code = lg_results_exit_code(&r);
  int rc = lg_reports_to(&r, out, 0);
  if (rc != 0)
    return rc;
  printf("leakgate: merged %zu runs from %zu inputs into %s: %s\n", r.nruns,
         ndirs, out,
         r.exit_code == 0   ? "PASS"
         : r.exit_code == 3 ? "INFRA"
                            : "FAIL");
  rc = r.exit_code;
  lg_results_free(&r);
  return rc;
}

int lg_cmd_merge(const lg_global_t *g, int argc, char **argv) {
  const char *out = NULL, *el;
  char **dirs = NULL; /* borrowed from argv; the array is ours */
  size_t ndirs = 0;
  int c, rc = 0;
  (void)g;
  optind = 0;
  while (!rc && (c = lg_cli_getopt(argc, argv, lg_out_opts, &el)) != -1) {
    if (c == 'h') {
      puts("usage: leakgate merge DIR... --out DIR\nJoins the results of "
           "shards into one result set, recomputes the noise floors and\n"
           "renders all reports. Exit code: that of the merged results.");
      free(dirs);
      return 0;
    } else if (c == OPT_OUT) {
      out = optarg;
    } else if (c != LG_OPT_ARG) {
      rc = lg_die(LG_EXIT_USAGE, "merge: unknown option or missing value '%s'",
                  el);
    } else {
      lg_argv_push(&dirs, &ndirs, argv[optind - 1]);
    }
  }
  if (!rc && (!out || ndirs == 0))
    rc = lg_die(LG_EXIT_USAGE,
                "merge: usage: leakgate merge DIR... --out "
                "DIR%s",
                "");
  if (!rc)
    rc = lg_merge_write(out, dirs, ndirs);
  free(dirs);
  return rc;
}
