/* Progress: the line of each finished run, and the live lines of running
 * jobs read incrementally from their probe streams (runner_int.h). */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runner_int.h"
#include "text.h"

/* Bytes of the probe stream the live line reads per tick, and the longest
 * line it keeps: the display may lag behind a flood, the loop never does. */
#define LG_LIVE_CHUNK ((size_t)1 << 20)
/* One finished-run line: "[ 3/12] PASS  release  control-noop  1.2s  ...". */
void lg_print_done(const lg_job_t *job, size_t idx, size_t n) {
  lg_run_t *run = job->run;
  lg_metric_t *pm = run->primary ? lg_run_metric(run, run->primary) : NULL;
  char extra[160] = "", name[160];
  if (pm && pm->fitted)
    snprintf(extra, sizeof extra, "  %s %+.3g %s/it", pm->name, pm->trend.slope,
             *lg_metric_unit(pm->name) ? "B" : "units");
  snprintf(name, sizeof name, "%s%s%s", run->scenario, run->fault ? "@" : "",
           run->fault ? run->fault : "");
  /* Evidence quotes scenario output: no control byte reaches the terminal. */
  char *ev = lg_text_terminal(run->ok         ? ""
                              : run->evidence ? run->evidence
                                              : "",
                              0);
  printf("[%*zu/%zu] %-20s %-9s %-28s %6.1fs%s%s%.200s%s\n", n >= 100 ? 3 : 2,
         idx, n,
         run->ok ? (run->verdict == LG_V_PASS && run->detected != LG_V_PASS
                        ? "PASS(expected)"
                        : "PASS")
                 : lg_verdict_name(run->verdict),
         run->variant, name, run->wall_s, extra, *ev ? "  - " : "", ev,
         strlen(ev) > 200 ? "..." : "");
  free(ev);
  fflush(stdout);
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
