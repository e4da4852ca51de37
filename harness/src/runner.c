/* Process launching, timeouts, parallelism and progress (see runner.h). */
#include "runner.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

#include "gate.h"
#include "runner_int.h"
#include "text.h"

static volatile sig_atomic_t lg_interrupted;

static void lg_on_signal(int sig) {
  (void)sig;
  lg_interrupted = 1;
}
/* Seconds a scenario may take to exit after writing its end record, before
 * whatever keeps it alive counts as a leaked resource (scaled like the
 * timeout: valgrind's leak check at exit is slow). */
#define LG_EXIT_GRACE_S 10.0
void lg_jstate_free(lg_jstate_t *js) {
  lg_live_reset(js);
  free(js->stop_path);
  lg_heapattr_free(js->snap_h);
  LG_FREE_ALL(js->snap_node, js->snap_tool);
  if (js->pristine)
    lg_run_free(js->pristine);
  free(js->pristine);
  if (js->first)
    lg_run_free(js->first);
  free(js->first);
  LG_FREE_ALL(js->run_dir, js->probe_path, js->sites_path, js->batch_note);
  lg_strv_free(js->argv, js->argc);
  lg_strv_free(js->envp, js->envc);
}
/* Whether a recorded run (scenario, variant, fault) is job's, and its wall
 * time is usable. */
static int lg_job_is(const lg_job_t *job, const char *scenario,
                     const char *variant, const char *fault, double wall_s) {
  const char *f = job->fault;
  return scenario && variant && strcmp(scenario, job->sc->name) == 0 &&
         strcmp(variant, job->va->name) == 0 &&
         (f ? fault && strcmp(fault, f) == 0 : !fault) && isfinite(wall_s) &&
         wall_s > 0;
}

void lg_jobs_estimate(lg_job_t *jobs, size_t n, const lg_results_t *prev) {
  for (size_t j = 0; j < n; j++)
    for (size_t i = 0; prev && i < prev->nruns; i++) {
      const lg_run_t *p = &prev->runs[i];
      if (lg_job_is(&jobs[j], p->scenario, p->variant, p->fault, p->wall_s)) {
        jobs[j].est_s = p->wall_s;
        break;
      }
    }
}

void lg_jobs_estimate_baseline(lg_job_t *jobs, size_t n,
                               const struct lg_baseline_s *b) {
  for (size_t j = 0; j < n; j++)
    for (size_t i = 0; b && jobs[j].est_s <= 0 && i < b->nruns; i++) {
      const lg_brun_t *p = &b->runs[i];
      if (lg_job_is(&jobs[j], p->scenario, p->variant, p->fault, p->wall_s))
        jobs[j].est_s = p->wall_s;
    }
}

/* A job's place in the start order: its expected wall time (est_s, else
 * its time budget) and its index. */
typedef struct lg_start_s {
  double est;
  size_t j;
} lg_start_t;

/* Longest first; equal estimates keep their order (qsort is not stable). */
static int lg_cmp_start(const void *a, const void *b) {
  const lg_start_t *x = a, *y = b;
  if (x->est != y->est)
    return x->est > y->est ? -1 : 1;
  return x->j < y->j ? -1 : x->j > y->j;
}

/* Puts job j (or, j >= n, batch j - n) in the start order at its place
 * among the entries not yet started (order[next..*len)). */
static void lg_order_add(lg_start_t *order, size_t next, size_t *len, size_t j,
                         double est) {
  order[*len].j = j;
  order[*len].est = est;
  (*len)++;
  qsort(order + next, *len - next, sizeof *order, lg_cmp_start);
}

static double lg_job_est(const lg_job_t *job) {
  return job->est_s > 0 ? job->est_s
                        : job->sc->timeout_s * job->va->timeout_multiplier;
}

/* Clears the live progress lines, if any are on the terminal. */
static void lg_clear_live(const lg_run_opts_t *o, size_t *live_lines) {
  if (o->tty && *live_lines)
    printf("\033[%zuA\033[J", *live_lines), *live_lines = 0;
}

/* The options that apply to a job: its own, else the call's o. */
static const lg_run_opts_t *lg_jo(const lg_job_t *job, const lg_run_opts_t *o) {
  return job->opts ? job->opts : o;
}

/* A run is finished: counted, its line printed and handed to its options'
 * callback. */
static void lg_job_done(const lg_run_opts_t *o, lg_job_t *job, size_t *done,
                        size_t n, size_t *live_lines) {
  const lg_run_opts_t *jo = lg_jo(job, o);
  (*done)++;
  if (!o->quiet) {
    lg_clear_live(o, live_lines);
    lg_print_done(job, jo->label, *done, n);
  }
  if (jo->run_done)
    jo->run_done(jo->run_done_arg, job->run);
}

/* An interrupted (SIGINT/SIGTERM) running job: its process group is killed
 * and reaped, it is done, and nothing of it may outlive leakgate either (its
 * leftovers are killed; `sole`: it was the only job running). */
static void lg_kill_interrupted(const lg_jstate_t *all, size_t nall,
                                lg_jstate_t *js, int sole) {
  int status;
  killpg(js->pid, SIGKILL);
  waitpid(js->pid, &status, 0);
  js->state = LG_JOB_DONE;
  lg_buf_t left = {0};
  lg_leftovers(all, nall, js, 1, sole, &left);
  lg_buf_free(&left);
}

int lg_runner_run(const lg_manifest_t *m, lg_job_t *jobs, size_t n,
                  const lg_run_opts_t *o) {
  /* Batches (runner_batch.c) take the state entries after the jobs'. */
  size_t nb = 0;
  lg_batch_t *bt = lg_batch_plan(jobs, n, &nb);
  size_t nt = n + nb, norder = 0;
  lg_jstate_t *st = lg_xcalloc(nt ? nt : 1, sizeof *st);
  lg_start_t *order = lg_xcalloc(nt ? nt : 1, sizeof *order);
  char *in_batch = lg_xcalloc(n ? n : 1, 1);
  for (size_t b = 0; b < nb; b++)
    for (size_t i = 0; i < bt[b].n; i++)
      in_batch[bt[b].members[i]] = 1;
  for (size_t j = 0; j < nt; j++) {
    if (j < n && in_batch[j])
      continue;
    order[norder].j = j;
    order[norder++].est = j < n ? lg_job_est(&jobs[j]) : bt[j - n].est_s;
  }
  free(in_batch);
  qsort(order, norder, sizeof *order, lg_cmp_start);
  size_t next = 0, running = 0, done = 0, live_lines = 0;
  int jobs_max = o->jobs > 0 ? o->jobs : 1;
  double last_draw = 0;
  struct sigaction sa, old_int, old_term;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = lg_on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  lg_interrupted = 0;
  /* Descendants that escape a run's process group (setsid, double fork)
   * are re-parented to leakgate rather than to init, so that the leftover
   * scan after each run sees them and can reap them. */
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

  while (done < n) {
    while (!lg_interrupted && running < (size_t)jobs_max && next < norder) {
      size_t j = order[next++].j;
      lg_jstate_t *js = &st[j];
      if (j >= n) {
        lg_batch_t *b = &bt[j - n];
        if (lg_batch_start(m, b, jobs, st, js, o) == 0) {
          running++;
          continue;
        }
        /* Not started: its runs go one by one, as they would without it. */
        lg_jstate_free(js);
        memset(js, 0, sizeof *js);
        js->state = LG_JOB_DONE;
        lg_batch_fall_back(b, jobs, st,
                           b->scratch.evidence ? b->scratch.evidence
                                               : "could not start");
        for (size_t i = 0; i < b->n; i++)
          lg_order_add(order, next, &norder, b->members[i],
                       lg_job_est(&jobs[b->members[i]]));
        continue;
      }
      if (lg_prepare(m, &jobs[j], js, lg_jo(&jobs[j], o)) != 0 ||
          lg_spawn(js, jobs[j].run) != 0) {
        js->state = LG_JOB_DONE;
        lg_job_done(o, &jobs[j], &done, n, &live_lines);
        continue;
      }
      if (lg_lsan_capable(jobs[j].va)) {
        js->pristine = lg_xcalloc(1, sizeof *js->pristine);
        lg_run_copy(js->pristine, jobs[j].run);
      }
      js->state = LG_JOB_RUNNING;
      js->start_ms = lg_now_ms();
      js->deadline_ms = js->start_ms + jobs[j].run->timeout_s * 1000.0;
      running++;
    }
    if (lg_interrupted) {
      for (size_t j = n; j < nt; j++) {
        if (st[j].state != LG_JOB_RUNNING)
          continue;
        lg_kill_interrupted(st, nt, &st[j], jobs_max == 1);
        for (size_t i = 0; i < bt[j - n].n; i++) {
          size_t k = bt[j - n].members[i];
          lg_infra(jobs[k].run, lg_xstrdup("interrupted (SIGINT/SIGTERM)"));
          st[k].state = LG_JOB_DONE;
          done++;
        }
      }
      for (size_t j = 0; j < n; j++) {
        if (st[j].state == LG_JOB_RUNNING) {
          lg_kill_interrupted(st, nt, &st[j], jobs_max == 1);
          /* A run whose heap attribution was cut keeps its verdict. */
          if (st[j].snap)
            lg_snap_end(&st[j], jobs[j].run, lg_jo(&jobs[j], o),
                        lg_xstrdup("interrupted (SIGINT/SIGTERM)"));
          else
            lg_infra(jobs[j].run, lg_xstrdup("interrupted (SIGINT/SIGTERM)"));
          done++;
        } else if (st[j].state == LG_JOB_PENDING) {
          jobs[j].run->scenario = lg_xstrdup(jobs[j].sc->name);
          jobs[j].run->variant = lg_xstrdup(jobs[j].va->name);
          jobs[j].run->lang =
              lg_xstrdup(jobs[j].sc->lang == LG_LANG_JS ? "js" : "c");
          jobs[j].run->fault = lg_xstrdup(jobs[j].fault);
          jobs[j].run->expected = lg_xstrdup(jobs[j].sc->expect);
          lg_infra(jobs[j].run, lg_xstrdup("not run: interrupted"));
          st[j].state = LG_JOB_DONE;
          done++;
        }
      }
      break;
    }
    double now = lg_now_ms();
    for (size_t j = 0; j < nt; j++) {
      lg_jstate_t *js = &st[j];
      if (js->state != LG_JOB_RUNNING)
        continue;
      const lg_variant_t *va = j < n ? jobs[j].va : bt[j - n].va;
      int status;
      pid_t r = waitpid(js->pid, &status, WNOHANG);
      if (r == js->pid && j >= n) {
        js->state = LG_JOB_DONE;
        running--;
        lg_batch_t *b = &bt[j - n];
        if (lg_batch_finish(m, b, jobs, st, nt, js, status, jobs_max == 1)) {
          for (size_t i = 0; i < b->n; i++) {
            lg_job_done(o, &jobs[b->members[i]], &done, n, &live_lines);
          }
        } else {
          if (!o->quiet) {
            lg_clear_live(o, &live_lines);
            char *note = lg_text_terminal(st[b->members[0]].batch_note, 0);
            printf("%s: its %zu JS runs start again one by one (%.300s)\n",
                   b->va->name, b->n, note);
            free(note);
            fflush(stdout);
          }
          for (size_t i = 0; i < b->n; i++)
            lg_order_add(order, next, &norder, b->members[i],
                         lg_job_est(&jobs[b->members[i]]));
        }
        continue;
      }
      if (r == js->pid) {
        js->state = LG_JOB_DONE; /* no longer a live run leader */
        if (js->snap) {
          if (lg_snap_step(&jobs[j], js, status, st, nt, jobs_max == 1,
                           lg_jo(&jobs[j], o)) == 0)
            continue; /* heapdiff.js runs */
          goto finished;
        }
        int crashed = lg_finish(m, &jobs[j], js, status, st, nt, jobs_max == 1);
        if (crashed && !js->retried && js->pristine) {
          /* Re-run once from an empty directory; keep what this attempt
           * found in case the next one crashes too. */
          js->retried = 1;
          js->end_seen_ms = 0;
          lg_run_t *run = jobs[j].run;
          if (run->detected != LG_V_PASS) {
            js->first = lg_xmalloc(sizeof *js->first);
            *js->first = *run; /* moved */
          } else {
            lg_run_free(run);
          }
          memset(run, 0, sizeof *run);
          lg_run_copy(run, js->pristine);
          lg_clear_run_dir(js->run_dir); /* the stop file too */
          lg_live_reset(js);
          double budget = js->deadline_ms - js->start_ms;
          if (lg_spawn(js, run) == 0) {
            js->state = LG_JOB_RUNNING;
            js->start_ms = lg_now_ms();
            js->deadline_ms = js->start_ms + budget;
            continue;
          }
          /* The re-run could not start (INFRA from lg_spawn): a real
           * first verdict still wins. */
          if (js->first) {
            lg_run_free(run);
            *run = *js->first;
            free(js->first);
            js->first = NULL;
            lg_append_evidence(run, "LeakSanitizer crashed at exit and the "
                                    "re-run could not start");
          }
          crashed = 0;
        }
        lg_crash_policy(js, jobs[j].run, crashed);
        if (js->batch_note)
          lg_append_evidence(jobs[j].run, js->batch_note);
        if (lg_snap_begin(m, &jobs[j], js, lg_jo(&jobs[j], o)) == 0)
          continue; /* the JS heap attribution's re-run runs */
      finished:
        running--;
        lg_job_done(o, &jobs[j], &done, n, &live_lines);
        continue;
      }
      if (!js->hung && !js->term_sent && js->snap != LG_SNAP_DIFF &&
          now >= js->next_end_check_ms) {
        js->next_end_check_ms = now + 250;
        if (js->end_seen_ms == 0 && lg_probe_ended(js->probe_path))
          js->end_seen_ms = now;
        js->grace_s = LG_EXIT_GRACE_S * va->timeout_multiplier;
        if (js->end_seen_ms > 0 && now > js->end_seen_ms + js->grace_s * 1000) {
          killpg(js->pid, SIGKILL);
          js->hung = 1;
          continue;
        }
      }
      if (!js->term_sent && now > js->deadline_ms) {
        killpg(js->pid, SIGTERM);
        js->term_sent = 1;
        js->kill_ms = now + 2000;
      } else if (js->term_sent && now > js->kill_ms) {
        killpg(js->pid, SIGKILL);
        js->kill_ms = now + 1e9;
      }
    }
    /* Early stopping: runs of their own, and the members of a running
     * batch (each has its own stream and stop file). */
    for (size_t j = 0; j < n; j++)
      if ((st[j].state == LG_JOB_RUNNING || st[j].state == LG_JOB_BATCHED) &&
          st[j].stop_path && !st[j].snap)
        lg_early_poll(m, &jobs[j], &st[j], now);
    if (o->tty && !o->quiet && running && now - last_draw > 250) {
      last_draw = now;
      if (live_lines)
        printf("\033[%zuA\033[J", live_lines);
      live_lines = 0;
      for (size_t j = 0; j < nt; j++) {
        if (st[j].state != LG_JOB_RUNNING)
          continue;
        char line[256];
        if (j >= n)
          snprintf(line, sizeof line, "  ... %-9s batch of %zu JS runs  %5.1fs",
                   bt[j - n].va->name, bt[j - n].n,
                   (now - st[j].start_ms) / 1e3);
        else
          lg_live_line(m, &jobs[j], &st[j], line, sizeof line);
        printf("%s\n", line);
        live_lines++;
      }
      fflush(stdout);
    }
    if (done < n) {
      struct timespec ts = {0, 20 * 1000 * 1000};
      nanosleep(&ts, NULL);
    }
  }
  if (o->tty && !o->quiet && live_lines)
    printf("\033[%zuA\033[J", live_lines);
  fflush(stdout);
  /* Whatever is still alive below leakgate now came from a run it could not
   * be attributed to (no environment marker while runs overlapped): it
   * must not outlive leakgate either. */
  lg_buf_t orphans = {0};
  size_t norphans = lg_leftovers(st, nt, NULL, 0, 0, &orphans);
  if (norphans)
    fprintf(stderr,
            "leakgate: warning: killed %zu process%s left by runs that could "
            "not be told apart (no LEAKGATE_PROBE in their environment): "
            "%s\n",
            norphans, norphans == 1 ? "" : "es", orphans.s);
  lg_buf_free(&orphans);
  for (size_t j = 0; j < nt; j++)
    lg_jstate_free(&st[j]);
  free(st);
  free(order);
  lg_batch_free(bt, nb);
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGTERM, &old_term, NULL);
  return lg_interrupted ? -1 : 0;
}
