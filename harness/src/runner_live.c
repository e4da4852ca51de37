/* Progress: the line of each finished run, and the live lines of running
 * jobs read incrementally from their probe streams (runner_int.h). */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe_read.h"
#include "runner_int.h"
#include "text.h"

/* Bytes of the probe stream the live line reads per tick, and the longest
 * line it keeps: the display may lag behind a flood, the loop never does. */
#define LG_LIVE_CHUNK ((size_t)1 << 20)
/* One finished-run line: "[ 3/12] PASS  release  control-noop  1.2s  ...". */
void lg_print_done(const lg_job_t *job, const char *label, size_t idx,
                   size_t n) {
  lg_run_t *run = job->run;
  lg_metric_t *pm = run->primary ? lg_run_metric(run, run->primary) : NULL;
  char extra[160] = "", name[160], stop[192] = "";
  if (pm && pm->fitted)
    snprintf(extra, sizeof extra, "  %s %+.3g %s/it", pm->name, pm->trend.slope,
             *lg_metric_unit(pm->name) ? "B" : "units");
  if (run->stop_look > 0)
    snprintf(stop, sizeof stop,
             "  stopped early at %lld of %lld iterations%s%.120s",
             run->iterations_done, run->iterations, run->ok ? ": " : "",
             run->ok && run->stop_reason ? run->stop_reason : "");
  snprintf(name, sizeof name, "%s%s%s", run->scenario, run->fault ? "@" : "",
           run->fault ? run->fault : "");
  /* Evidence quotes scenario output: no control byte reaches the terminal. */
  char *ev = lg_text_terminal(run->ok         ? ""
                              : run->evidence ? run->evidence
                                              : "",
                              0);
  printf("%s%s[%*zu/%zu] %-20s %-9s %-28s %6.1fs%s%s%s%.200s%s\n",
         label ? label : "", label ? " " : "", n >= 100 ? 3 : 2, idx, n,
         run->ok ? (run->verdict == LG_V_PASS && run->detected != LG_V_PASS
                        ? "PASS(expected)"
                        : "PASS")
                 : lg_verdict_name(run->verdict),
         run->variant, name, run->wall_s, extra, stop, *ev ? "  - " : "", ev,
         strlen(ev) > 200 ? "..." : "");
  free(ev);
  fflush(stdout);
}

/* A judged-window sample of a run that may stop early: its iteration, and
 * the value of every thresholded metric (NaN where it has none). */
static void lg_early_sample(const lg_manifest_t *m, const lg_job_t *job,
                            lg_jstate_t *js, json_t *o, long long i) {
  if (js->early_m == js->early_cap) {
    js->early_cap = js->early_cap ? 2 * js->early_cap : 64;
    js->early_x = lg_xrealloc(js->early_x, js->early_cap * sizeof *js->early_x);
    for (size_t k = 0; k < js->nearly; k++)
      js->early[k].y =
          lg_xrealloc(js->early[k].y, js->early_cap * sizeof *js->early[k].y);
  }
  size_t at = js->early_m++;
  js->early_x[at] = (double)i;
  for (size_t k = 0; k < js->nearly; k++)
    js->early[k].y[at] = NAN;
  const char *key;
  json_t *v;
  json_object_foreach(o, key, v) {
    if (!json_is_number(v) || !isfinite(json_number_value(v)) ||
        strcmp(key, "i") == 0 || strcmp(key, "t_ms") == 0)
      continue;
    size_t k = 0;
    while (k < js->nearly && strcmp(js->early[k].name, key) != 0)
      k++;
    if (k == js->nearly) {
      double t = lg_scenario_threshold(m, job->sc, job->va->name, key, NULL);
      if (!isfinite(t) || js->nearly >= LG_PROBE_MAX_METRICS)
        continue;
      js->early = lg_xrealloc(js->early, (js->nearly + 1) * sizeof *js->early);
      lg_early_metric_t *e = &js->early[js->nearly++];
      e->name = lg_xstrdup(key);
      e->threshold = t;
      e->y = lg_xmalloc(js->early_cap * sizeof *e->y);
      for (size_t s = 0; s < js->early_m; s++)
        e->y[s] = NAN;
      lg_early_init(&e->st);
    }
    js->early[k].y[at] = json_number_value(v);
  }
}

/* One complete probe line for the live line: phase, iteration and the
 * primary metric's least-squares sums (O(1) per sample: the live slope is
 * an indication; the verdict uses Theil-Sen over all samples). */
static void lg_live_record(const lg_manifest_t *m, const lg_job_t *job,
                           lg_jstate_t *js, const char *line, size_t len) {
  json_error_t je;
  json_t *o = json_loadb(line, len, 0, &je);
  if (!json_is_object(o)) {
    json_decref(o);
    return;
  }
  const char *type = json_string_value(json_object_get(o, "type"));
  json_t *ji = json_object_get(o, "i");
  const char *phase = NULL;
  if (type && strcmp(type, "phase") == 0)
    phase = json_string_value(json_object_get(o, "name"));
  else if (type && strcmp(type, "sample") == 0)
    phase = json_string_value(json_object_get(o, "phase"));
  if (phase) {
    snprintf(js->live_phase, sizeof js->live_phase, "%s", phase);
    if (json_is_integer(ji) && json_integer_value(ji) > js->live_i)
      js->live_i = json_integer_value(ji);
  }
  if (type && strcmp(type, "sample") == 0) {
    if (!js->live_metric) {
      const lg_scenario_t *sc = job->sc;
      if (sc->primary)
        js->live_metric = sc->primary;
      else if (sc->nthresholds)
        js->live_metric = sc->thresholds[0].metric;
      for (size_t i = 0; !js->live_metric && i < m->nthresholds; i++)
        if (json_object_get(o, m->thresholds[i].metric))
          js->live_metric = m->thresholds[i].metric;
    }
    json_t *v = js->live_metric ? json_object_get(o, js->live_metric) : NULL;
    /* A sample without a phase counts as an iterate sample (probe_read). */
    if (js->stop_path && !js->stop_sent &&
        (!phase || !strcmp(phase, "iterate")) && json_is_integer(ji) &&
        json_integer_value(ji) >= job->run->warmup &&
        json_integer_value(ji) > 0)
      lg_early_sample(m, job, js, o, json_integer_value(ji));
    if (phase && strcmp(phase, "iterate") == 0 && json_is_integer(ji) &&
        json_integer_value(ji) >= job->run->warmup && json_is_number(v)) {
      double x = (double)json_integer_value(ji), y = json_number_value(v);
      js->live_n += 1;
      js->live_sx += x;
      js->live_sy += y;
      js->live_sxx += x * x;
      js->live_sxy += x * y;
    }
  }
  json_decref(o);
}

/* Reads what the probe stream gained since the last tick (bounded). */
static void lg_live_update(const lg_manifest_t *m, const lg_job_t *job,
                           lg_jstate_t *js) {
  int fd = open(js->probe_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  struct stat st;
  if (fstat(fd, &st) == 0)
    js->live_size = (unsigned long long)st.st_size;
  char *chunk = lg_xmalloc(LG_LIVE_CHUNK);
  ssize_t n;
  do
    n = pread(fd, chunk, LG_LIVE_CHUNK, (off_t)js->live_off);
  while (n < 0 && errno == EINTR);
  close(fd);
  if (n > 0) {
    js->live_off += (unsigned long long)n;
    const char *p = chunk, *endp = chunk + n;
    while (p < endp) {
      const char *nl = memchr(p, '\n', (size_t)(endp - p));
      if (!nl) {
        if (!js->live_skip)
          lg_buf_addn(&js->live_part, p, (size_t)(endp - p));
        if (js->live_part.len > LG_LIVE_CHUNK) { /* no record is this long */
          lg_buf_free(&js->live_part);
          js->live_skip = 1;
        }
        break;
      }
      if (js->live_skip) {
        js->live_skip = 0;
      } else if (js->live_part.len) {
        lg_buf_addn(&js->live_part, p, (size_t)(nl - p));
        lg_live_record(m, job, js, js->live_part.s, js->live_part.len);
        lg_buf_free(&js->live_part);
      } else {
        lg_live_record(m, job, js, p, (size_t)(nl - p));
      }
      p = nl + 1;
    }
  }
  free(chunk);
}

/* Live line of a running job: phase, iteration, elapsed time, and the
 * least-squares slope of its primary metric so far. */
void lg_live_line(const lg_manifest_t *m, const lg_job_t *job, lg_jstate_t *js,
                  char *line, size_t cap) {
  lg_live_update(m, job, js);
  char slope[128] = "";
  double den = js->live_n * js->live_sxx - js->live_sx * js->live_sx;
  if (js->live_n >= 3 && den > 0)
    snprintf(slope, sizeof slope, "  %s %+.3g/it", js->live_metric,
             (js->live_n * js->live_sxy - js->live_sx * js->live_sy) / den);
  char behind[64] = "";
  if (js->live_size > js->live_off + LG_LIVE_CHUNK)
    snprintf(behind, sizeof behind, "  (probe stream %llu MB behind)",
             (js->live_size - js->live_off) >> 20);
  char *full = lg_fmt(
      "  ... %-9s %-28s %-9s i=%lld/%lld  %5.1fs%s%s", job->va->name,
      job->sc->name, js->live_phase[0] ? js->live_phase : "start", js->live_i,
      job->run->iterations, (lg_now_ms() - js->start_ms) / 1e3, slope, behind);
  /* A display line: cut at cap (names may be up to 128 characters). */
  size_t len = strlen(full) < cap - 1 ? strlen(full) : cap - 1;
  memcpy(line, full, len);
  line[len] = '\0';
  free(full);
}

void lg_live_reset(lg_jstate_t *js) {
  lg_buf_free(&js->live_part);
  js->live_off = js->live_size = 0;
  js->live_skip = 0;
  js->live_i = 0;
  js->live_phase[0] = '\0';
  js->live_n = js->live_sx = js->live_sy = js->live_sxx = js->live_sxy = 0;
  for (size_t k = 0; k < js->nearly; k++) {
    free(js->early[k].name);
    free(js->early[k].y);
  }
  free(js->early);
  free(js->early_x);
  js->early = NULL;
  js->early_x = NULL;
  js->nearly = js->early_m = js->early_cap = 0;
  js->stop_sent = 0;
  js->next_early_ms = 0;
}

void lg_early_poll(const lg_manifest_t *m, const lg_job_t *job, lg_jstate_t *js,
                   double now_ms) {
  if (!js->stop_path || js->stop_sent || now_ms < js->next_early_ms)
    return;
  js->next_early_ms = now_ms + 100;
  size_t before = js->early_m;
  lg_live_update(m, job, js);
  if (js->early_m == before || js->nearly == 0)
    return;
  const lg_run_t *run = job->run;
  if (!js->early_n)
    js->early_n =
        lg_window_samples(run->iterations, run->warmup, run->sample_every);
  /* Only PASS-stops exist (stats.h): every thresholded metric must have
   * one, and each is decided on the looks' own samples however late the
   * stream is read. */
  size_t stopped = 0;
  for (size_t k = 0; k < js->nearly; k++) {
    lg_early_metric_t *e = &js->early[k];
    stopped +=
        (size_t)lg_early_step(js->early_x, e->y, js->early_m, js->early_n,
                              e->threshold, m->alpha, &e->st);
  }
  if (stopped < js->nearly)
    return;
  int fd =
      open(js->stop_path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd >= 0)
    close(fd);
  js->stop_sent = 1;
}
