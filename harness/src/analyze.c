/* Analysis of one run: verdicts and evidence (see analyze.h; the result
 * set's noise floors and exit code are in analyze_set.c). */
#include "analyze.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "leakclass.h"
#include "util.h"

typedef struct lg_reason_s {
  lg_verdict_t v;
  char *text;
} lg_reason_t;

typedef struct lg_reasons_s {
  lg_reason_t r[64];
  size_t n;
} lg_reasons_t;

static void lg_reason(lg_reasons_t *rs, lg_verdict_t v, char *text) {
  if (rs->n < sizeof rs->r / sizeof rs->r[0]) {
    rs->r[rs->n].v = v;
    rs->r[rs->n].text = text;
    rs->n++;
  } else {
    free(text);
  }
}

/* Higher wins when several reasons apply. */
static int lg_priority(lg_verdict_t v) {
  switch (v) {
  case LG_V_INFRA:
    return 9;
  case LG_V_TIMEOUT:
    return 8;
  case LG_V_ERROR:
    return 7;
  case LG_V_RACE:
    return 6;
  case LG_V_CRASH:
    return 5;
  case LG_V_LEAK:
    return 4;
  case LG_V_RESOURCE:
    return 3;
  case LG_V_MISSED:
    return 2;
  default:
    return 0;
  }
}

static int lg_is_memory_metric(const char *name) {
  return strcmp(name, "liveBytes") == 0 || strcmp(name, "liveBlocks") == 0 ||
         strcmp(name, "mallocInUse") == 0 || strcmp(name, "heapUsed") == 0;
}

static const char *lg_pick_primary(const lg_manifest_t *m,
                                   const lg_scenario_t *sc, lg_run_t *run) {
  if (sc && sc->primary && lg_run_metric(run, sc->primary))
    return sc->primary;
  if (sc)
    for (size_t i = 0; i < sc->nthresholds; i++)
      if (lg_run_metric(run, sc->thresholds[i].metric))
        return sc->thresholds[i].metric;
  for (size_t i = 0; i < m->nthresholds; i++)
    if (lg_run_metric(run, m->thresholds[i].metric))
      return m->thresholds[i].metric;
  return run->nmetrics ? run->metrics[0].name : NULL;
}

static char *lg_slope_text(const lg_metric_t *mt) {
  const char *u = lg_metric_unit(mt->name);
  char *thr = isfinite(mt->threshold)
                  ? lg_fmt(", threshold %g %s/it", mt->threshold, *u ? u : "")
                  : lg_xstrdup("");
  char *s = lg_fmt("%s %+.3g %s/iteration (Mann-Kendall z=%.2f, p=%.2g%s, "
                   "%zu samples over iterations %.0f..%.0f)",
                   mt->name, mt->trend.slope, *u ? u : "units", mt->trend.mk_z,
                   mt->trend.mk_p, thr, mt->trend.n, mt->trend.x_first,
                   mt->trend.x_last);
  free(thr);
  return s;
}

/* Block-to-block slopes of the persistence test, for the evidence. */
static char *lg_persist_text(const lg_persist_t *p, const char *u) {
  lg_buf_t b = {0};
  lg_buf_addf(&b, "block-median slope per block");
  for (size_t j = 0; j + 1 < p->nblocks; j++)
    lg_buf_addf(&b, "%s%+.3g", j ? ", " : " ", p->slope[j]);
  lg_buf_addf(&b, " %s/it, %zu of %zu above threshold%s", *u ? u : "units",
              p->rising, p->nblocks - 1,
              p->last_rising ? "" : ", not the last");
  return lg_buf_take(&b);
}

size_t lg_run_window(const lg_run_t *run, const lg_metric_t *mt, double *x,
                     double *y) {
  size_t n = 0;
  for (size_t i = 0; i < run->nsamples; i++)
    if (!isnan(mt->v[i]) && lg_sample_judged(run, i)) {
      x[n] = (double)run->si[i];
      y[n++] = mt->v[i];
    }
  return n;
}

static void lg_metrics_analyse(const lg_manifest_t *m, const lg_scenario_t *sc,
                               const lg_variant_t *va, lg_run_t *run,
                               int complete, lg_reasons_t *rs,
                               lg_buf_t *pass_ev) {
  char **exact = NULL;
  size_t nexact = 0;
  lg_scenario_exact(m, sc, &exact, &nexact);
  double *x = lg_xmalloc((run->nsamples + 1) * sizeof *x);
  double *y = lg_xmalloc((run->nsamples + 1) * sizeof *y);
  lg_buf_t exact_ok = {0}, too_few = {0};
  /* A variant may judge slopes only for some languages: a valgrind smoke of
   * node runs too few iterations for a slope to mean anything. */
  int judge_slopes = lg_variant_judges_slopes(va, run->lang);
  run->slopes_judged = judge_slopes;
  size_t window = 0, has_baseline = 0, has_final = 0;
  for (size_t i = 0; i < run->nsamples; i++) {
    window += (size_t)lg_sample_judged(run, i);
    has_baseline |= strcmp(run->sphase[i], "baseline") == 0;
    has_final |= strcmp(run->sphase[i], "teardown") == 0;
  }
  if (complete && judge_slopes && window < LG_TREND_MIN_SAMPLES)
    lg_reason(rs, LG_V_ERROR,
              lg_fmt("only %zu sample(s) in the judged window (iterate phase "
                     "from iteration %lld, one every %lld of %lld "
                     "iterations): the trend decision needs at least %d (3 "
                     "in each of its %d blocks), so no slope could be judged",
                     window, run->warmup, run->sample_every, run->iterations,
                     LG_TREND_MIN_SAMPLES, LG_PERSIST_BLOCKS));
  else if (complete && nexact > 0 && (!has_baseline || !has_final))
    lg_reason(rs, LG_V_ERROR,
              lg_fmt("no %s sample: the exact end-of-run checks could not be "
                     "made",
                     !has_baseline ? "baseline (before setup)"
                                   : "final (after teardown)"));
  for (size_t k = 0; k < run->nmetrics; k++) {
    lg_metric_t *mt = &run->metrics[k];
    const char *measured = NULL;
    mt->threshold =
        lg_scenario_threshold(m, sc, run->variant, mt->name, &measured);
    free(mt->measured);
    mt->measured = lg_xstrdup(measured);
    mt->exact = 0;
    for (size_t e = 0; e < nexact; e++)
      mt->exact |= strcmp(exact[e], mt->name) == 0;
    for (size_t e = 0; va && e < va->nignore_exact; e++)
      if (strcmp(va->ignore_exact[e], mt->name) == 0)
        mt->exact = 0;
    mt->baseline = mt->final = mt->peak = NAN;
    mt->flagged = 0;
    size_t n;
    for (size_t i = 0; i < run->nsamples; i++) {
      double v = mt->v[i];
      if (isnan(v))
        continue;
      if (isnan(mt->peak) || v > mt->peak)
        mt->peak = v;
      if (isnan(mt->baseline) && strcmp(run->sphase[i], "baseline") == 0)
        mt->baseline = v;
      if (strcmp(run->sphase[i], "teardown") == 0)
        mt->final = v;
    }
    n = lg_run_window(run, mt, x, y);
    const char *u = lg_metric_unit(mt->name);
    if (!isfinite(mt->threshold)) {
      mt->fitted = lg_trend_fit(x, y, n, &mt->trend) == 0;
    } else {
      lg_persist_t p;
      lg_judgement_t j =
          lg_leak_judge(x, y, n, mt->threshold, m->alpha, &mt->trend, &p);
      mt->fitted = mt->trend.n >= 3;
      if (!complete || !judge_slopes) {
        /* judged elsewhere or not at all (see above) */
      } else if (j == LG_J_TOO_FEW) {
        /* The metric is missing from samples of a window that is long
         * enough: judged on too few of them is not judged. */
        if (window >= LG_TREND_MIN_SAMPLES)
          lg_buf_addf(&too_few, "%s%s (%zu)", too_few.len ? ", " : "", mt->name,
                      mt->trend.n);
      } else if (run->stop_look > 0) {
        /* Stopped early: every thresholded metric PASS-stopped
         * (lg_confirm_stop); the rule's verdict is the metric's. */
      } else if (j == LG_J_LEAK) {
        mt->flagged = 1;
        char *t = lg_slope_text(mt), *pt = lg_persist_text(&p, u);
        lg_reason(rs, LG_V_LEAK, lg_fmt("%s grows: %s; %s", mt->name, t, pt));
        free(t);
        free(pt);
      } else if (j == LG_J_STEP) {
        char *pt = lg_persist_text(&p, u);
        lg_buf_addf(pass_ev,
                    "; %s %+.3g %s/it over the window but not persistent "
                    "(%s): a one-time step or growth that stopped, not a "
                    "per-iteration leak",
                    mt->name, mt->trend.slope, *u ? u : "units", pt);
        free(pt);
      }
    }
    if (!complete)
      continue;
    /* The slope rule ignores one-time steps by design; a ceiling on the
     * total growth still catches a step too large to be benign. */
    double ceiling = lg_scenario_peak_ceiling(m, sc, run->variant, mt->name);
    if (isfinite(ceiling) && isfinite(mt->peak) && isfinite(mt->baseline) &&
        mt->peak - mt->baseline > ceiling) {
      char *g = lg_fmt_value(mt->peak - mt->baseline, u),
           *c = lg_fmt_value(ceiling, u);
      mt->flagged = 1;
      lg_reason(rs, LG_V_LEAK,
                lg_fmt("%s peak %s above its baseline sample, over the %s "
                       "ceiling",
                       mt->name, g, c));
      free(g);
      free(c);
    }
    if (mt->exact && isfinite(mt->baseline) && isfinite(mt->final)) {
      if (mt->final > mt->baseline) {
        char *b = lg_fmt_value(mt->baseline, u),
             *f = lg_fmt_value(mt->final, u),
             *d = lg_fmt_value(mt->final - mt->baseline, u);
        mt->flagged = 1;
        lg_reason(rs, lg_is_memory_metric(mt->name) ? LG_V_LEAK : LG_V_RESOURCE,
                  lg_fmt("%s not back to baseline after teardown: %s vs %s "
                         "at baseline (+%s)",
                         mt->name, f, b, d));
        free(b);
        free(f);
        free(d);
      } else {
        lg_buf_addf(&exact_ok, "%s%s", exact_ok.len ? ", " : "", mt->name);
      }
    }
  }
  if (too_few.len)
    lg_reason(rs, LG_V_ERROR,
              lg_fmt("thresholded metric(s) present in fewer than %d samples "
                     "of the judged window, so not judged: %s",
                     LG_TREND_MIN_SAMPLES, too_few.s));
  if (exact_ok.len)
    lg_buf_addf(pass_ev, "; back to baseline after teardown: %s", exact_ok.s);
  lg_buf_free(&exact_ok);
  lg_buf_free(&too_few);
  free(x);
  free(y);
}

/* A probe that says it stopped early (end record "stopped": true, fewer
 * iterations than asked): leakgate's early-stopping rule is applied again
 * to the judged window's samples, metric by metric, exactly as the runner
 * applied it while the run ran (lg_early_step decides each look on that
 * look's own samples). Returns 1 and sets run->stop_look / stop_reason when
 * every thresholded metric had PASS-stopped; 0 when one had not (then the
 * early end is not one leakgate asked for). */
static int lg_confirm_stop(const lg_manifest_t *m, const lg_scenario_t *sc,
                           lg_run_t *run) {
  size_t n = lg_window_samples(run->iterations, run->warmup, run->sample_every);
  double *x = lg_xmalloc((run->nsamples + 1) * sizeof *x);
  double *y = lg_xmalloc((run->nsamples + 1) * sizeof *y);
  size_t w = 0, stopped = 0, judged = 0;
  int look = -1;
  lg_buf_t by_m = {0}, by_p = {0};
  for (size_t i = 0; i < run->nsamples; i++)
    if (lg_sample_judged(run, i))
      x[w++] = (double)run->si[i];
  for (size_t k = 0; k < run->nmetrics; k++) {
    const lg_metric_t *mt = &run->metrics[k];
    double t = lg_scenario_threshold(m, sc, run->variant, mt->name, NULL);
    if (!isfinite(t))
      continue;
    size_t c = 0;
    for (size_t i = 0; i < run->nsamples; i++)
      if (lg_sample_judged(run, i))
        y[c++] = mt->v[i];
    if (c == 0)
      continue; /* not sampled in the window: not judged either way */
    judged++;
    lg_early_t st;
    lg_early_init(&st);
    if (!lg_early_step(x, y, w, n, t, m->alpha, &st))
      continue;
    stopped++;
    look = st.look > look ? st.look : look;
    lg_buf_t *b = st.by == LG_EARLY_BY_M ? &by_m : &by_p;
    lg_buf_addf(b, "%s%s", b->len ? ", " : "", mt->name);
  }
  int ok = judged > 0 && stopped == judged;
  if (ok) {
    run->stop_look = (int)lround(100 * lg_early_fraction(look));
    free(run->stop_reason);
    run->stop_reason =
        lg_fmt("%s%s%s%s%s", by_m.len ? "no growth at two looks: " : "",
               by_m.len ? by_m.s : "", by_m.len && by_p.len ? "; " : "",
               by_p.len ? "slope below its threshold at two looks: " : "",
               by_p.len ? by_p.s : "");
  }
  lg_buf_free(&by_m);
  lg_buf_free(&by_p);
  free(x);
  free(y);
  return ok;
}

void lg_apply_expectation(lg_run_t *run, const char *pass_evidence) {
  lg_verdict_t want;
  int negative = run->expected && strcmp(run->expected, "pass") != 0 &&
                 lg_verdict_parse(run->expected, &want) == 0;
  if (!negative) {
    run->verdict = run->detected;
    run->ok = run->detected == LG_V_PASS;
    return;
  }
  char *ev = run->evidence;
  if (run->detected == want) {
    run->verdict = LG_V_PASS;
    run->ok = 1;
    run->evidence = lg_fmt("expected %s caught: %s", run->expected, ev);
  } else if (run->detected == LG_V_PASS) {
    run->verdict = LG_V_MISSED;
    run->ok = 0;
    run->evidence = lg_fmt("expected %s was not detected (%s)", run->expected,
                           pass_evidence ? pass_evidence : ev);
  } else {
    run->verdict = run->detected;
    run->ok = 0;
    run->evidence = lg_fmt("expected %s, got %s: %s", run->expected,
                           lg_verdict_name(run->detected), ev);
  }
  free(ev);
}

static lg_verdict_t lg_fclass_verdict(lg_fclass_t c) {
  switch (c) {
  case LG_F_LEAK:
    return LG_V_LEAK;
  case LG_F_ERROR:
    return LG_V_ERROR;
  case LG_F_RACE:
    return LG_V_RACE;
  case LG_F_RESOURCE:
    return LG_V_RESOURCE;
  case LG_F_CRASH:
    return LG_V_CRASH;
  default:
    return LG_V_PASS;
  }
}

void lg_analyze_run(const lg_manifest_t *m, const lg_scenario_t *sc,
                    const lg_variant_t *va, const lg_probe_info_t *probe,
                    const char *notes, const char *detector_error,
                    lg_run_t *run) {
  lg_reasons_t rs = {.n = 0};
  lg_buf_t pass_ev = {0};
  char *where = lg_fmt("%s after iteration %lld of %lld",
                       probe->last_phase ? probe->last_phase : "startup",
                       probe->last_i, run->iterations);
  run->has_end = probe->has_end;
  run->alpha = m->alpha;
  run->iterate_ms = probe->has_end ? probe->iterate_ms : NAN;
  run->sample_ms = probe->has_end ? probe->sample_ms : NAN;
  run->iterations_done =
      probe->has_end && probe->end_i >= 0 ? probe->end_i : probe->last_i;
  free(run->probe_error);
  run->probe_error = lg_xstrdup(probe->protocol_error);

  /* Findings: attributed ones decide, others are listed only. One-time
   * leaks (leakclass.h) follow the manifest's "once" policy. */
  lg_leakclass_run(m, sc, run, &pass_ev);
  /* Attributed leaks: one reason per allocation site, largest first. */
  lg_leak_group_t *groups;
  size_t *group_of;
  size_t ngroups = lg_leak_groups(run, m->root, &groups, &group_of);
  for (size_t k = 0; k < ngroups; k++) {
    const lg_finding_t *f = &run->findings[groups[k].first];
    lg_verdict_t v = f->cls == LG_F_ONCE ? lg_once_verdict(m, sc)
                                         : lg_fclass_verdict(f->cls);
    if (v != LG_V_PASS)
      lg_reason(&rs, v, lg_leak_group_reason(run, &groups[k]));
  }
  free(groups);
  size_t theirs = 0;
  for (size_t i = 0; i < run->nfindings; i++) {
    lg_finding_t *f = &run->findings[i];
    if (group_of[i] != SIZE_MAX)
      continue; /* reported with its site above */
    lg_verdict_t v = f->cls == LG_F_ONCE ? lg_once_verdict(m, sc)
                                         : lg_fclass_verdict(f->cls);
    if (v == LG_V_PASS)
      continue;
    if (!f->ours) {
      theirs++;
      continue;
    }
    lg_reason(&rs, v, lg_finding_reason(f));
  }
  free(group_of);

  if (run->hung_after_end_s > 0) {
    lg_reason(&rs, LG_V_RESOURCE,
              lg_fmt("did not exit within %.0f s of its end record; process "
                     "group killed: something it created (a threadsafe "
                     "function, a timer, a thread, a handle) keeps it alive",
                     run->hung_after_end_s));
  } else if (run->timed_out) {
    lg_reason(&rs, LG_V_TIMEOUT,
              lg_fmt("no end after the %.0f s timeout; process group killed "
                     "in %s",
                     run->timeout_s, where));
  } else if (run->term_signal) {
    lg_reason(
        &rs, LG_V_CRASH,
        lg_fmt("killed by %s in %s", lg_signal_name(run->term_signal), where));
  } else {
    int mapped = -1;
    for (size_t i = 0; va && i < va->nexit; i++)
      if (va->exit_codes[i] == run->exit_status)
        mapped = va->exit_verdicts[i];
    if (mapped >= 0) {
      if (run->nfindings == 0)
        lg_reason(&rs, (lg_verdict_t)mapped,
                  lg_fmt("detector exit code %d (%s) but no report was parsed "
                         "(see stderr.log)",
                         run->exit_status, va->name));
    } else if (run->exit_status != 0 && !probe->scenario_error) {
      lg_reason(&rs, LG_V_CRASH,
                probe->has_end ? lg_fmt("exit status %d after the end record",
                                        run->exit_status)
                               : lg_fmt("exit status %d in %s (no end record)",
                                        run->exit_status, where));
    } else if (!probe->has_end && !probe->scenario_error &&
               !probe->protocol_error) {
      lg_reason(
          &rs, LG_V_CRASH,
          probe->records == 0
              ? lg_fmt("exited with status %d without writing any probe "
                       "record",
                       run->exit_status)
              : lg_fmt("exited early with status %d in %s: no end record%s",
                       run->exit_status, where,
                       probe->truncated ? " (last record truncated)" : ""));
    }
  }
  if (probe->protocol_error)
    lg_reason(&rs, LG_V_ERROR,
              lg_fmt("probe protocol error: %s", probe->protocol_error));
  if (probe->scenario_error)
    lg_reason(&rs, LG_V_ERROR, lg_xstrdup(probe->scenario_error));

  /* An end record is evidence only when it says the run did all of its
   * work: status "ok" and every iteration done. */
  int end_ok = probe->has_end && probe->end_status &&
               strcmp(probe->end_status, "ok") == 0;
  if (probe->has_end && !end_ok && !probe->scenario_error)
    lg_reason(&rs, LG_V_ERROR,
              probe->end_status
                  ? lg_fmt("probe end record says status \"%s\", not \"ok\"",
                           probe->end_status)
                  : lg_xstrdup("probe end record has no status"));
  long long done = probe->end_i >= 0 ? probe->end_i : probe->last_i;
  run->stop_look = 0;
  free(run->stop_reason);
  run->stop_reason = NULL;
  if (end_ok && probe->end_stopped && done > 0 && done < run->iterations &&
      lg_variant_judges_slopes(va, run->lang) && lg_confirm_stop(m, sc, run)) {
    /* Stopped early at leakgate's request: the judged window ends here. */
  } else if (end_ok && run->iterations > 0 && done != run->iterations) {
    lg_reason(&rs, LG_V_ERROR,
              lg_fmt("probe ended after %lld of %lld iterations: the run did "
                     "not do the work it was asked for",
                     done, run->iterations));
    end_ok = 0;
  }
  /* A killed run truncates its detector's log: that is explained by the
   * TIMEOUT/CRASH reason and only noted below. */
  int killed = run->timed_out || run->term_signal;
  if (detector_error && *detector_error && !killed)
    lg_reason(&rs, LG_V_INFRA,
              lg_fmt("detector output unusable, so no verdict on memory "
                     "errors is possible: %s",
                     detector_error));
  int complete =
      end_ok && !probe->protocol_error && !probe->scenario_error && !killed;
  lg_metrics_analyse(m, sc, va, run, complete, &rs, &pass_ev);

  free(run->primary);
  const char *primary = lg_pick_primary(m, sc, run);
  run->primary = lg_xstrdup(primary);

  /* Choose the verdict and join the evidence, the deciding reason first. */
  size_t best = 0;
  for (size_t i = 1; i < rs.n; i++)
    if (lg_priority(rs.r[i].v) > lg_priority(rs.r[best].v))
      best = i;
  lg_buf_t ev = {0};
  char *pass_text;
  {
    lg_buf_t p = {0};
    lg_metric_t *pm = primary ? lg_run_metric(run, primary) : NULL;
    if (pm && pm->fitted) {
      char *t = lg_slope_text(pm);
      lg_buf_add(&p, t);
      free(t);
      /* Said here too, not only in the reports' slope column: an unjudged
       * slope printed next to its threshold reads like a breach (the case:
       * reports/bench/design-measurements.md). */
      if (!run->slopes_judged)
        lg_buf_addf(&p,
                    " (not judged: this variant judges no slopes for %s "
                    "runs)",
                    run->lang ? run->lang : "these");
    } else {
      lg_buf_addf(&p, "%zu samples, no fitted primary metric", run->nsamples);
    }
    if (pass_ev.len)
      lg_buf_add(&p, pass_ev.s);
    if (theirs)
      lg_buf_addf(&p, "; %zu finding(s) outside our code listed, not failing",
                  theirs);
    pass_text = lg_buf_take(&p);
  }
  /* An early stop is said first when it is the verdict's reason (PASS),
   * after the reasons otherwise. */
  char *stop_text =
      run->stop_look > 0
          ? lg_fmt("stopped early at %lld of %lld iterations (%d%% look): %s",
                   done, run->iterations, run->stop_look, run->stop_reason)
          : NULL;
  if (rs.n == 0) {
    run->detected = LG_V_PASS;
    if (stop_text)
      lg_buf_addf(&ev, "%s; ", stop_text);
    lg_buf_add(&ev, pass_text);
  } else {
    run->detected = rs.r[best].v;
    lg_buf_add(&ev, rs.r[best].text);
    for (size_t i = 0; i < rs.n; i++)
      if (i != best)
        lg_buf_addf(&ev, "; %s", rs.r[i].text);
    if (theirs)
      lg_buf_addf(&ev, "; %zu finding(s) outside our code listed, not failing",
                  theirs);
  }
  if (stop_text && rs.n > 0)
    lg_buf_addf(&ev, "; note: %s", stop_text);
  free(stop_text);
  if (notes && *notes)
    lg_buf_addf(&ev, "; note: %s", notes);
  if (detector_error && *detector_error && killed)
    lg_buf_addf(&ev, "; note: %s", detector_error);
  if (probe->ignored_keys)
    lg_buf_addf(&ev,
                "; note: %zu sample value(s) of keys beyond the first %d "
                "metrics ignored (first: \"%s\")",
                probe->ignored_keys, LG_PROBE_MAX_METRICS,
                probe->ignored_first ? probe->ignored_first : "?");
  free(run->evidence);
  run->evidence = lg_buf_take(&ev);
  lg_apply_expectation(run, pass_text);
  for (size_t i = 0; i < rs.n; i++)
    free(rs.r[i].text);
  free(pass_text);
  lg_buf_free(&pass_ev);
  free(where);
}
