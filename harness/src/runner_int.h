/* Private to the runner (runner*.c, see runner.h): the state of one job
 * while it runs, and the functions its pieces share. Not an API: nothing
 * outside harness/src/runner*.c includes this.
 *   runner.c          the scheduler (lg_runner_run) and the job state's end
 *   runner_prepare.c  a run's command line, environment and directory
 *   runner_proc.c     starting a run's process, its end record, and the
 *                     processes it leaves behind
 *   runner_finish.c   a finished attempt into a verdict (detectors, the
 *                     LeakSanitizer crash policy, the evidence)
 *   runner_snap.c     the JS heap attribution after a verdict (heapsnap.h)
 *   runner_batch.c    a variant's JS runs in one process, and the fallback
 *                     to one process each
 *   runner_live.c     progress lines (finished runs, live lines) */
#ifndef LG_RUNNER_INT_H
#define LG_RUNNER_INT_H

#include <stddef.h>
#include <sys/types.h>

#include "heapsnap.h"
#include "manifest.h"
#include "model.h"
#include "runner.h"
#include "stats.h"
#include "util.h"

extern char **environ;

/* One thresholded metric of a run that may stop early: its samples of the
 * judged window so far (NaN where a sample lacks it) and its look state. */
typedef struct lg_early_metric_s {
  char *name;
  double threshold;
  double *y; /* early_cap entries */
  lg_early_t st;
} lg_early_metric_t;

/* LG_JOB_BATCHED: a member of a batch that runs (runner_batch.c): its run
 * is prepared, its process is the batch's. */
enum { LG_JOB_PENDING, LG_JOB_RUNNING, LG_JOB_DONE, LG_JOB_BATCHED };

typedef struct lg_jstate_s {
  int state;
  pid_t pid;
  double start_ms, deadline_ms, kill_ms;
  int term_sent;
  int retried;        /* re-run once after a detector crashed at exit */
  lg_run_t *pristine; /* the prepared run, before any attempt (only in
                         variants whose detector can crash: lg_lsan_capable) */
  lg_run_t *first;    /* first attempt's result, when it found something */
  double end_seen_ms, next_end_check_ms; /* when the end record appeared */
  double grace_s; /* time allowed to exit after the end record */
  int hung;       /* killed for not exiting after its end record */
  char *run_dir, *probe_path;
  char *sites_path; /* liblgheap.so's site table (LEAKGATE_HEAP_SITES) */
  char **argv, **envp;
  size_t argc, envc;
  /* Live progress, read incrementally from the probe stream: at most
   * LG_LIVE_CHUNK new bytes per tick, however fast the scenario writes. */
  unsigned long long live_off, live_size;
  lg_buf_t live_part;      /* an incomplete last line */
  int live_skip;           /* discarding an over-long line up to its newline */
  const char *live_metric; /* primary metric (borrowed from the manifest) */
  long long live_i;
  char live_phase[16];
  double live_n, live_sx, live_sy, live_sxx, live_sxy; /* least squares */
  /* Early stopping (runner_live.c, lg_early_poll): the file the probe checks
   * (LEAKGATE_STOP; NULL: this run never stops early), whether leakgate
   * created it, the judged window's sample count in full, the window's
   * samples so far (their iterations in early_x) and each thresholded
   * metric's. Fed by the same incremental reader as the live line. */
  char *stop_path;
  int stop_sent;
  size_t early_n, early_m, early_cap;
  double *early_x;
  lg_early_metric_t *early;
  size_t nearly;
  double next_early_ms;
  /* JS heap attribution (heapsnap.h), after the run got its verdict: which
   * process runs (LG_SNAP_*), the attribution being made (moved to the run
   * when done), the snapshot iterations, and what heapdiff.js needs. */
  int snap;
  lg_heapattr_t *snap_h;
  long long snap_a, snap_b;
  double snap_start_ms;
  char *snap_node, *snap_tool;
  const char *subdir; /* lg_prepare: the attribution's re-run, in this
                         directory inside the run directory, stopped at
                         snap_b with snapshots at snap_a and snap_b and no
                         allocation sites; NULL: a run */
  char *batch_note;   /* why the batch this run was in fell back, appended to
                         the evidence of its own run; or NULL */
} lg_jstate_t;

/* A batch (runner_batch.c): JS runs of one variant in one node process
 * under the variant's wrapper. Its process state is the jstate at index
 * njobs + its index in the runner's state array. */
typedef struct lg_batch_s {
  const lg_variant_t *va;
  size_t *members; /* job indices, in the order the batch runs them */
  size_t n;
  lg_run_t *pristine; /* each member's run before lg_prepare (a fallback
                         starts from it) */
  lg_run_t scratch;   /* the batch's own outcome: INFRA messages, findings,
                         suppressions used */
  double est_s;       /* expected wall time: the members' sum */
} lg_batch_t;

enum { LG_SNAP_NONE, LG_SNAP_RERUN, LG_SNAP_DIFF };

/* runner.c */
void lg_jstate_free(lg_jstate_t *js);

/* runner_prepare.c */
void lg_strv_push(char ***v, size_t *n, char *s);
void lg_env_set(char ***v, size_t *n, const char *key, const char *value);
void lg_infra(lg_run_t *run, char *msg);
int lg_prepare(const lg_manifest_t *m, const lg_job_t *job, lg_jstate_t *js,
               const lg_run_opts_t *o);
/* The batch's process in <out>/batches/<variant>/js: the wrapper, then
 * `node --expose-gc probe.js --batch <dir>/batch.json`, and the variant's
 * environment with LEAKGATE_PROBE=<dir>/batch.jsonl. 0, or -1 with run (the
 * batch's scratch run, its variant set) INFRA. */
int lg_prepare_batch(const lg_manifest_t *m, const lg_variant_t *va,
                     lg_jstate_t *js, lg_run_t *run, const lg_run_opts_t *o);

/* runner_proc.c */
int lg_spawn(lg_jstate_t *js, lg_run_t *run);
int lg_probe_ended(const char *probe_path);
void lg_clear_run_dir(const char *run_dir);
size_t lg_leftovers(const lg_jstate_t *all, size_t n, const lg_jstate_t *js,
                    int group_killed, int sole, lg_buf_t *ev);

/* runner_finish.c */
int lg_lsan_capable(const lg_variant_t *va);
void lg_collect_detectors(const lg_manifest_t *m, const lg_variant_t *va,
                          lg_jstate_t *js, lg_run_t *run, lg_buf_t *notes,
                          lg_buf_t *problems);
int lg_detector_crashed(const char *run_dir);
int lg_finish(const lg_manifest_t *m, const lg_job_t *job, lg_jstate_t *js,
              int status, const lg_jstate_t *all, size_t nall, int sole);
void lg_append_evidence(lg_run_t *run, const char *what);
void lg_crash_policy(lg_jstate_t *js, lg_run_t *run, int crashed);

/* runner_snap.c */
void lg_snap_end(lg_jstate_t *js, lg_run_t *run, const lg_run_opts_t *o,
                 char *note);
int lg_snap_begin(const lg_manifest_t *m, const lg_job_t *job, lg_jstate_t *js,
                  const lg_run_opts_t *o);
int lg_snap_step(const lg_job_t *job, lg_jstate_t *js, int status,
                 const lg_jstate_t *all, size_t nall, int sole,
                 const lg_run_opts_t *o);

/* runner_batch.c */
lg_batch_t *lg_batch_plan(const lg_job_t *jobs, size_t n, size_t *nb);
void lg_batch_free(lg_batch_t *b, size_t nb);
int lg_batch_start(const lg_manifest_t *m, lg_batch_t *b, lg_job_t *jobs,
                   lg_jstate_t *st, lg_jstate_t *bjs, const lg_run_opts_t *o);
int lg_batch_finish(const lg_manifest_t *m, lg_batch_t *b, lg_job_t *jobs,
                    lg_jstate_t *st, size_t nall, lg_jstate_t *bjs, int status,
                    int sole);
void lg_batch_fall_back(lg_batch_t *b, lg_job_t *jobs, lg_jstate_t *st,
                        const char *why);

/* runner_live.c */
/* Prints a finished run's line, after `label` (may be NULL). */
void lg_print_done(const lg_job_t *job, const char *label, size_t idx,
                   size_t n);
/* Forgets what the live line and early stopping read of the stream, for
 * the next process of the job (a re-run, the heap attribution's). */
void lg_live_reset(lg_jstate_t *js);
/* While a run that may stop early (js->stop_path) runs: at most every
 * 100 ms, reads what its probe stream gained, advances every thresholded
 * metric's look state (lg_early_step) and, once all of them have
 * PASS-stopped, creates the stop file. A failure to create it only means
 * the run does all of its iterations. */
void lg_early_poll(const lg_manifest_t *m, const lg_job_t *job, lg_jstate_t *js,
                   double now_ms);
void lg_live_line(const lg_manifest_t *m, const lg_job_t *job, lg_jstate_t *js,
                  char *line, size_t cap);

#endif
