/* Probe protocol reader (see probe_read.h). */
#include "probe_read.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void lg_probe_fail(lg_probe_info_t *info, size_t line, const char *what,
                          const char *text, size_t len) {
  if (info->protocol_error)
    return;
  char shown[64];
  size_t n = len < 48 ? len : 48;
  for (size_t i = 0; i < n; i++)
    shown[i] = (text[i] >= 0x20 && text[i] < 0x7f) ? text[i] : '?';
  shown[n] = '\0';
  info->protocol_error = lg_fmt("probe line %zu: %s: \"%s%s\"", line, what,
                                shown, len > n ? "..." : "");
}

static const char *const lg_reserved[] = {"type", "i", "t_ms", "phase", NULL};

static int lg_reserved_key(const char *k) {
  for (int i = 0; lg_reserved[i]; i++)
    if (strcmp(k, lg_reserved[i]) == 0)
      return 1;
  return 0;
}

/* A JSON number as a long long: 0 when absent, not a number, or outside
 * the range (the cast would be undefined behaviour: a probe stream is
 * untrusted input). */
static long long lg_num_ll(json_t *v) {
  if (json_is_integer(v))
    return (long long)json_integer_value(v);
  double d = json_number_value(v);
  return d > -9.2e18 && d < 9.2e18 ? (long long)d : 0;
}

/* Returns 0 to continue, -1 to stop reading. */
static int lg_probe_record(json_t *o, size_t line, const char *text, size_t len,
                           lg_run_t *run, lg_probe_info_t *info) {
  const char *type = json_string_value(json_object_get(o, "type"));
  if (!type) {
    lg_probe_fail(info, line, "record without a string \"type\"", text, len);
    return -1;
  }
  info->records++;
  json_t *ji = json_object_get(o, "i");
  if (ji && !json_is_integer(ji)) {
    lg_probe_fail(info, line, "\"i\" is not an integer", text, len);
    return -1;
  }
  long long i = ji ? (long long)json_integer_value(ji) : info->last_i;
  const char *phase = json_string_value(json_object_get(o, "phase"));
  if (strcmp(type, "meta") == 0) {
    info->has_meta = 1;
    info->meta_iterations = lg_num_ll(json_object_get(o, "iterations"));
    info->meta_sample_every = lg_num_ll(json_object_get(o, "sample_every"));
    info->meta_pid = lg_num_ll(json_object_get(o, "pid"));
    free(info->meta_lang);
    info->meta_lang = lg_xstrdup(json_string_value(json_object_get(o, "lang")));
  } else if (strcmp(type, "phase") == 0) {
    const char *name = json_string_value(json_object_get(o, "name"));
    if (!name) {
      lg_probe_fail(info, line, "phase record without \"name\"", text, len);
      return -1;
    }
    free(info->last_phase);
    info->last_phase = lg_xstrdup(name);
  } else if (strcmp(type, "sample") == 0) {
    if (!ji) {
      lg_probe_fail(info, line, "sample without \"i\"", text, len);
      return -1;
    }
    if (phase) {
      free(info->last_phase);
      info->last_phase = lg_xstrdup(phase);
    }
    if (run) {
      json_t *jt = json_object_get(o, "t_ms");
      size_t row = lg_run_sample_add(
          run, i, json_is_number(jt) ? json_number_value(jt) : NAN,
          phase ? phase : "iterate");
      const char *k;
      json_t *v;
      json_object_foreach(o, k, v) {
        if (lg_reserved_key(k) || !json_is_number(v))
          continue;
        double d = json_number_value(v);
        if (!isfinite(d))
          continue;
        lg_metric_t *m = lg_run_metric(run, k);
        if (!m && run->nmetrics >= LG_PROBE_MAX_METRICS) {
          if (info->ignored_keys++ == 0)
            info->ignored_first = lg_xstrdup(k);
          continue;
        }
        if (!m)
          m = lg_run_metric_add(run, k);
        m->v[row] = d;
      }
    }
  } else if (strcmp(type, "error") == 0) {
    const char *msg = json_string_value(json_object_get(o, "message"));
    if (!info->scenario_error)
      info->scenario_error =
          lg_fmt("scenario failed in %s at iteration %lld: %s",
                 phase ? phase : "?", i, msg ? msg : "(no message)");
  } else if (strcmp(type, "end") == 0) {
    info->has_end = 1;
    free(info->end_status);
    const char *st = json_string_value(json_object_get(o, "status"));
    /* NULL when absent: an end record that does not say "ok" is not one. */
    info->end_status = st ? lg_xstrdup(st) : NULL;
    info->end_i = ji ? i : -1;
    info->end_stopped = json_is_true(json_object_get(o, "stopped"));
    json_t *im = json_object_get(o, "iterate_ms"),
           *sm = json_object_get(o, "sample_ms");
    info->iterate_ms = json_is_number(im) ? json_number_value(im) : NAN;
    info->sample_ms = json_is_number(sm) ? json_number_value(sm) : NAN;
  }
  /* Unknown record types are ignored for forward compatibility. */
  if (i > info->last_i)
    info->last_i = i;
  return 0;
}

void lg_probe_parse(const char *data, size_t len, lg_run_t *run,
                    lg_probe_info_t *info) {
  size_t line = 0;
  const char *p = data, *end = data + len;
  if (!info->has_end)
    info->end_i = -1;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    line++;
    if (!nl) {
      /* A record is complete only with its newline: the writer died. */
      info->truncated = 1;
      break;
    }
    size_t n = (size_t)(nl - p);
    if (n == 0 || (n == 1 && p[0] == '\r')) {
      p = nl + 1;
      continue;
    }
    json_error_t je;
    json_t *o = json_loadb(p, n, JSON_DECODE_ANY, &je);
    int stop = 0;
    if (!o || !json_is_object(o)) {
      lg_probe_fail(info, line, o ? "not a JSON object" : "invalid JSON", p, n);
      stop = 1;
    } else if (info->has_end) {
      lg_probe_fail(info, line, "record after the end record", p, n);
      stop = 1;
    } else {
      stop = lg_probe_record(o, line, p, n, run, info) != 0;
    }
    if (o)
      json_decref(o);
    if (stop)
      break;
    p = nl + 1;
  }
  if (!info->protocol_error && info->records > 0 && !info->has_meta)
    info->protocol_error = lg_xstrdup("probe stream has no meta record");
}

int lg_probe_read(const char *path, lg_run_t *run, lg_probe_info_t *info) {
  size_t len = 0;
  /* The scenario writes this file: read only as a regular file (not a FIFO
   * or a link it put there) of bounded size. */
  char *data = lg_read_regular(path, LG_PROBE_MAX_BYTES, &len);
  if (!data) {
    if (!info->protocol_error)
      info->protocol_error =
          lg_fmt("no probe output (%s: %s)", path, strerror(errno));
    return -1;
  }
  lg_probe_parse(data, len, run, info);
  free(data);
  return 0;
}

void lg_probe_info_free(lg_probe_info_t *info) {
  LG_FREE_ALL(info->meta_lang, info->end_status, info->scenario_error,
              info->protocol_error, info->last_phase, info->ignored_first);
  memset(info, 0, sizeof *info);
}
