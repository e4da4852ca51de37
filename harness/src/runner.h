/* The runner: launches each scenario x variant in its own process group with
 * the variant's wrapper and environment, captures stdout/stderr to per-run
 * logs, enforces the scaled timeout (killing the whole group), runs up to
 * --jobs in parallel, then reads the probe stream and the detector outputs
 * (logs capped at their first and last MiB) and hands the run to the
 * analysis. Run directories are created and emptied only strictly under
 * the resolved --out, never through a link (lg_confined_fresh_dir). As a
 * child subreaper it finds the processes a run left behind (its group, and
 * escaped descendants by the run's LEAKGATE_PROBE), reports them (RESOURCE)
 * and kills and reaps them; nothing it started outlives lg_runner_run. */
#ifndef LG_RUNNER_H
#define LG_RUNNER_H

#include "heapsnap.h"
#include "manifest.h"
#include "model.h"

typedef struct lg_run_opts_s {
  const char *out_dir; /* absolute */
  int jobs;
  double iterations_scale;
  int tty;   /* live progress lines */
  int quiet; /* no per-run lines at all */
  /* Called on the runner's thread right after each run got its verdict
   * (not for runs cut short by SIGINT/SIGTERM); may be NULL. Lets the
   * caller persist results as runs finish (results.json "complete":
   * false). The run stays owned by the caller's result set. */
  void (*run_done)(void *arg, lg_run_t *run);
  void *run_done_arg;
  /* JS heap attribution of runs judged LEAK (heapsnap.h; default off), and
   * whether its .heapsnapshot files are kept (else deleted after the diff) */
  lg_heapsnap_mode_t heapsnap;
  int keep_heapsnap;
  /* No run stops early (run --no-early-stop), whatever the manifest says
   * (harness/README.md, "Early stopping"). */
  int no_early_stop;
  /* Printed before each of these runs' done lines, or NULL (run
   * --selftest: "selftest", so its clean runs are not taken for the
   * run's). */
  const char *label;
} lg_run_opts_t;

typedef struct lg_job_s {
  const lg_scenario_t *sc;
  const lg_variant_t *va;
  const char *fault; /* EVS_FAULT value or NULL (then EVS_FAULT is unset) */
  const char *expected_override; /* "pass" for selftest runs, or NULL */
  lg_run_t *run;                 /* filled in; must stay valid while running */
  double est_s; /* expected wall time (the last run's, lg_jobs_estimate),
                   or 0: unknown, then the run's time budget stands in */
  /* This job's own options, or NULL: the call's. Of them out_dir,
   * iterations_scale, heapsnap, keep_heapsnap, no_early_stop, label and
   * run_done apply to the job; jobs, tty and quiet are always the call's.
   * Lets one pool of --jobs run two result sets (run --selftest). A job
   * with its own options never joins a batch. Borrowed. */
  const struct lg_run_opts_s *opts;
} lg_job_t;

/* Sets each job's est_s from the runs of a previous result set with the
 * same scenario, variant and fault (their wall_s); others keep theirs. prev
 * (may be NULL: nothing changes) is read only. */
void lg_jobs_estimate(lg_job_t *jobs, size_t n, const lg_results_t *prev);

/* The same from a gate baseline's recorded wall times (a fresh checkout has
 * no previous results), for jobs that have no estimate yet. */
struct lg_baseline_s; /* gate.h */
void lg_jobs_estimate_baseline(lg_job_t *jobs, size_t n,
                               const struct lg_baseline_s *b);

/* Runs all jobs, longest expected first (est_s, else the time budget
 * timeout_s x timeout_multiplier; ties in the given order): with several
 * jobs in parallel a long run started last would leave the others idle.
 * The runs stay where the caller put them. Every job's run gets a verdict
 * (INFRA when it could not be started, or its run directory is not confined to
 * o->out_dir). Returns 0, or -1 if interrupted by SIGINT/SIGTERM (handlers
 * installed for the duration; runs then cut are INFRA). Makes the calling
 * process a child subreaper (PR_SET_CHILD_SUBREAPER) and reaps only processes
 * it attributes to its runs: call from the main thread, one at a time.
 * m, jobs and o are borrowed for the call; each run's strings and samples
 * belong to the run (freed with its result set). */
int lg_runner_run(const lg_manifest_t *m, lg_job_t *jobs, size_t n,
                  const lg_run_opts_t *o);

#endif
