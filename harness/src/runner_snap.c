/* The JS heap attribution of a run judged LEAK, run like a job after its
 * verdict (runner_int.h, heapsnap.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runner_int.h"

/* ---- JS heap attribution (heapsnap.h) ------------------------------------
 * After a run got its verdict, lg_snap_begin may start its re-run with heap
 * snapshots (LG_SNAP_RERUN), then lg_snap_step heapdiff.js on them
 * (LG_SNAP_DIFF); the main loop watches each like a run (timeout: the
 * run's), and lg_snap_end records the result. Only the evidence and
 * run->heap change, never the verdict. */

/* Deletes the two snapshot files (unless kept), records the attribution in
 * the run with `note` (owned, may be NULL) and its line in the evidence. */
void lg_snap_end(lg_jstate_t *js, lg_run_t *run, const lg_run_opts_t *o,
                 char *note) {
  lg_heapattr_t *h = js->snap_h;
  if (note && h->note) {
    char *both = lg_fmt("%s; %s", h->note, note);
    free(note);
    note = both;
  }
  if (note) {
    free(h->note);
    h->note = note;
  }
  /* Only the two files the probe was told to write, in the re-run's
   * directory (confined to the run directory by lg_prepare). */
  if (js->snap != LG_SNAP_NONE && !o->keep_heapsnap) {
    long long at[2] = {js->snap_a, js->snap_b};
    for (int k = 0; k < 2; k++) {
      char *f = lg_heapsnap_file(js->run_dir, at[k]);
      unlink(f);
      free(f);
    }
  }
  h->seconds = (lg_now_ms() - js->snap_start_ms) / 1000.0;
  char *line = lg_heapattr_line(h);
  lg_append_evidence(run, line);
  free(line);
  lg_heapattr_free(run->heap);
  run->heap = h;
  js->snap_h = NULL;
  js->snap = LG_SNAP_NONE;
}

/* Resets what the main loop watches of a process, for the next one. */
static void lg_snap_watch(lg_jstate_t *js, const lg_run_t *run) {
  js->state = LG_JOB_RUNNING;
  js->start_ms = lg_now_ms();
  js->deadline_ms = js->start_ms + run->timeout_s * 1000.0;
  js->term_sent = js->hung = 0;
  js->end_seen_ms = js->next_end_check_ms = 0;
  lg_live_reset(js);
  snprintf(js->live_phase, sizeof js->live_phase, "heapsnap");
}

/* Starts the attribution's current process (js->argv, js->snap set) and
 * watches it like a run: 0; or records why it could not start
 * ("not made: <what> could not start: ..."): -1. */
static int lg_snap_spawn(lg_jstate_t *js, lg_run_t *run, const lg_run_opts_t *o,
                         const char *what) {
  lg_run_t scratch;
  memset(&scratch, 0, sizeof scratch);
  if (lg_spawn(js, &scratch) != 0) {
    lg_snap_end(js, run, o,
                lg_fmt("not made: %s could not start: %s", what,
                       scratch.evidence ? scratch.evidence : "?"));
    lg_run_free(&scratch);
    return -1;
  }
  lg_run_free(&scratch);
  lg_snap_watch(js, run);
  return 0;
}

/* Starts the attribution's re-run when the run wants one (heapsnap.h).
 * Returns 0 when it runs (the job stays running), -1 when not (an
 * attribution that could not be made is recorded with its reason). */
int lg_snap_begin(const lg_manifest_t *m, const lg_job_t *job, lg_jstate_t *js,
                  const lg_run_opts_t *o) {
  lg_run_t *run = job->run;
  if (!lg_heapsnap_wanted(o->heapsnap, run))
    return -1;
  lg_heapattr_t *h = js->snap_h = lg_xcalloc(1, sizeof *h);
  js->snap_start_ms = lg_now_ms();
  if (lg_heapsnap_window(run, &js->snap_a, &js->snap_b) != 0) {
    lg_snap_end(js, run, o,
                lg_fmt("not made: the judged window has no sample with %d "
                       "iterations after it",
                       LG_HEAPSNAP_MIN_SPAN));
    return -1;
  }
  h->from = js->snap_a;
  h->to = js->snap_b;
  const char *dir = lg_leakgate_dir();
  char *tool = dir ? lg_path_join(dir, "heapdiff.js") : NULL;
  if (!tool || !lg_is_file(tool)) {
    lg_snap_end(js, run, o,
                lg_fmt("not made: heapdiff.js not found in leakgate's files "
                       "(%s)",
                       dir ? dir : "lib/leakgate beside or above the binary"));
    free(tool);
    return -1;
  }
  /* The same job in <run_dir>/heapsnap, stopped at the second snapshot. */
  lg_jstate_t sub;
  memset(&sub, 0, sizeof sub);
  sub.subdir = LG_HEAPSNAP_DIR;
  sub.snap_a = js->snap_a;
  sub.snap_b = js->snap_b;
  lg_run_t scratch;
  memset(&scratch, 0, sizeof scratch);
  lg_job_t sj = *job;
  sj.run = &scratch;
  int ok = lg_prepare(m, &sj, &sub, o) == 0;
  if (ok) {
    h->dir = lg_xstrdup(scratch.run_dir);
    /* JS argv: wrapper..., node, --expose-gc, probe.js, scenario, ... */
    js->snap_node = lg_xstrdup(sub.argv[job->va->nwrapper]);
    js->snap_tool = tool;
    tool = NULL;
    free(js->run_dir);
    free(js->probe_path);
    lg_strv_free(js->argv, js->argc);
    lg_strv_free(js->envp, js->envc);
    js->run_dir = sub.run_dir;
    js->probe_path = sub.probe_path;
    js->argv = sub.argv;
    js->argc = sub.argc;
    js->envp = sub.envp;
    js->envc = sub.envc;
    free(sub.sites_path); /* the re-run samples no sites */
    memset(&sub, 0, sizeof sub);
    js->snap = LG_SNAP_RERUN;
  }
  free(tool);
  lg_jstate_free(&sub);
  if (!ok) {
    lg_snap_end(js, run, o,
                lg_fmt("not made: the re-run could not start: %s",
                       scratch.evidence ? scratch.evidence : "?"));
    lg_run_free(&scratch);
    return -1;
  }
  lg_run_free(&scratch);
  return lg_snap_spawn(js, run, o, "the re-run");
}

/* Why a process of the attribution ended early, or NULL if it did not:
 * "timed out after 180 s", "killed by SIGKILL", "exit status 1". */
static char *lg_snap_failure(const lg_jstate_t *js, const lg_run_t *run,
                             int status) {
  if (js->term_sent)
    return lg_fmt("timed out after %.0f s", run->timeout_s);
  if (WIFSIGNALED(status))
    return lg_fmt("killed by %s", lg_signal_name(WTERMSIG(status)));
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
    return lg_fmt("exit status %d", WEXITSTATUS(status));
  return NULL;
}

/* The attribution's current process ended with `status`: starts heapdiff
 * after the re-run (returns 0: the job stays running) or records the
 * result (returns -1). */
int lg_snap_step(const lg_job_t *job, lg_jstate_t *js, int status,
                 const lg_jstate_t *all, size_t nall, int sole,
                 const lg_run_opts_t *o) {
  lg_run_t *run = job->run;
  lg_buf_t left = {0};
  /* Nothing it started may outlive it (not a finding: the verdict stands). */
  lg_leftovers(all, nall, js, 1, sole, &left);
  lg_buf_free(&left);
  char *why = lg_snap_failure(js, run, status);
  if (js->snap == LG_SNAP_RERUN) {
    char *fa = lg_heapsnap_file(js->run_dir, js->snap_a),
         *fb = lg_heapsnap_file(js->run_dir, js->snap_b);
    int have_a = lg_is_file(fa), have_b = lg_is_file(fb);
    char *argv_a = fa, *argv_b = fb;
    if (!have_a || !have_b) {
      long long i = have_a ? js->snap_b : js->snap_a;
      char *skip = lg_heapsnap_skip_reason(js->probe_path, i);
      lg_snap_end(
          js, run, o,
          skip ? lg_fmt("not made: %s (iteration %lld)", skip, i)
               : lg_fmt("not made: the re-run wrote no heap snapshot "
                        "after iteration %lld (%s; see %s/stderr.log)",
                        i, why ? why : "exit status 0",
                        js->snap_h->dir ? js->snap_h->dir : "its directory"));
      free(skip);
      free(why);
      free(fa);
      free(fb);
      return -1;
    }
    free(why);
    /* heapdiff.js with the same node, outside the variant's wrapper and
     * environment (no preloaded sanitizer): the inherited environment minus
     * our protocol, plus the run's LEAKGATE_PROBE as the marker that finds
     * its leftovers. */
    lg_strv_free(js->argv, js->argc);
    lg_strv_free(js->envp, js->envc);
    js->argv = js->envp = NULL;
    js->argc = js->envc = 0;
    lg_strv_push(&js->argv, &js->argc, lg_xstrdup(js->snap_node));
    lg_strv_push(&js->argv, &js->argc, lg_xstrdup(js->snap_tool));
    lg_strv_push(&js->argv, &js->argc, lg_xstrdup("--top"));
    lg_strv_push(&js->argv, &js->argc, lg_fmt("%d", LG_HEAPATTR_MAX_GROWERS));
    lg_strv_push(&js->argv, &js->argc, argv_a);
    lg_strv_push(&js->argv, &js->argc, argv_b);
    for (char **e = environ; *e; e++)
      if (strncmp(*e, "LEAKGATE_", 9) != 0 &&
          strncmp(*e, "EVS_FAULT=", 10) != 0)
        lg_strv_push(&js->envp, &js->envc, lg_xstrdup(*e));
    lg_env_set(&js->envp, &js->envc, "LEAKGATE_PROBE", js->probe_path);
    js->snap = LG_SNAP_DIFF;
    return lg_snap_spawn(js, run, o, "heapdiff.js");
  }
  /* heapdiff.js ended: its JSON on heapdiff.json, its complaint on
   * heapdiff.log. */
  char *note = NULL;
  if (why) {
    char *logp = lg_path_join(js->run_dir, "heapdiff.log");
    size_t len = 0;
    char *log = lg_read_capped(logp, 4096, 0, &len, NULL);
    size_t n = log ? strcspn(log, "\n") : 0;
    note = lg_fmt("heapdiff.js failed (%s)%s%.*s", why, n ? ": " : "",
                  (int)(n > 300 ? 300 : n), log ? log : "");
    free(log);
    free(logp);
  } else {
    char *outp = lg_path_join(js->run_dir, "heapdiff.json");
    size_t len = 0;
    unsigned long long size = 0;
    char *text = lg_read_capped(outp, LG_HEAPDIFF_MAX_OUTPUT, 0, &len, &size);
    char *err = NULL;
    if (!text)
      note = lg_fmt("cannot read %s", outp);
    else if (size > LG_HEAPDIFF_MAX_OUTPUT)
      note = lg_fmt("heapdiff output: %llu bytes, over the %zu limit", size,
                    LG_HEAPDIFF_MAX_OUTPUT);
    else if (lg_heapattr_parse(text, len, js->snap_h, &err) != 0)
      note = err;
    free(text);
    free(outp);
  }
  free(why);
  lg_snap_end(js, run, o, note);
  return -1;
}
