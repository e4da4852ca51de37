/* JS heap attribution: when, where, and heapdiff's output (see heapsnap.h). */
#include "heapsnap.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int lg_heapsnap_mode_parse(const char *s, lg_heapsnap_mode_t *mode) {
  static const char *const names[] = {"off", "auto", "leak"};
  for (int i = 0; i < 3; i++)
    if (s && strcmp(s, names[i]) == 0) {
      *mode = (lg_heapsnap_mode_t)i;
      return 0;
    }
  return -1;
}

int lg_heapsnap_wanted(lg_heapsnap_mode_t mode, const lg_run_t *run) {
  if (mode == LG_HEAPSNAP_OFF || !run->lang || strcmp(run->lang, "js") != 0 ||
      run->detected != LG_V_LEAK || !run->has_end || !run->slopes_judged ||
      run->timed_out || run->term_signal || run->hung_after_end_s > 0)
    return 0;
  if (mode == LG_HEAPSNAP_LEAK)
    return 1;
  /* auto: a failure someone has to act on. A LEAK the scenario expects (a
   * negative control) passes, and nobody reads what grew in it. */
  if (run->verdict != LG_V_LEAK)
    return 0;
  const lg_metric_t *m = lg_run_metric(run, "heapUsed");
  return m && m->flagged;
}

int lg_heapsnap_window(const lg_run_t *run, long long *a, long long *b) {
  long long first = -1;
  /* The first sample of the judged window. */
  for (size_t i = 0; i < run->nsamples; i++)
    if (lg_sample_judged(run, i) && (first < 0 || run->si[i] < first))
      first = run->si[i];
  if (first < 0 || first >= run->iterations)
    return -1;
  long long last = run->iterations - first > LG_HEAPSNAP_SPAN
                       ? first + LG_HEAPSNAP_SPAN
                       : run->iterations;
  if (last - first < LG_HEAPSNAP_MIN_SPAN)
    return -1;
  *a = first;
  *b = last;
  return 0;
}

char *lg_heapsnap_file(const char *dir, long long i) {
  return lg_fmt("%s/heap-%lld.heapsnapshot", dir, i);
}

/* A copy of untrusted text for the model: at most LG_HEAPATTR_MAX_STR
 * bytes, cut at a UTF-8 character boundary, control characters as '?'. */
static char *lg_heap_str(const char *s) {
  size_t n = strlen(s);
  if (n > LG_HEAPATTR_MAX_STR) {
    n = LG_HEAPATTR_MAX_STR;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
      n--;
  }
  char *t = lg_xstrndup(s, n);
  for (char *p = t; *p; p++)
    if ((unsigned char)*p < 0x20 || *p == 0x7f)
      *p = '?';
  return t;
}

char *lg_heapsnap_skip_reason(const char *probe_path, long long i) {
  size_t len = 0;
  char *data = lg_read_capped(probe_path, LG_LOG_HEAD, LG_LOG_TAIL, &len, NULL);
  char *reason = NULL;
  for (char *p = data; p && p < data + len && !reason;) {
    char *nl = memchr(p, '\n', (size_t)(data + len - p));
    size_t n = nl ? (size_t)(nl - p) : (size_t)(data + len - p);
    if (memmem(p, n, "\"heapsnap\"", 10)) {
      json_error_t je;
      json_t *o = json_loadb(p, n, 0, &je);
      json_t *type = json_object_get(o, "type"), *ji = json_object_get(o, "i"),
             *sk = json_object_get(o, "skipped");
      if (json_is_string(type) &&
          strcmp(json_string_value(type), "heapsnap") == 0 &&
          json_is_integer(ji) && json_integer_value(ji) == i &&
          json_is_string(sk))
        reason = lg_heap_str(json_string_value(sk));
      json_decref(o);
    }
    p = nl ? nl + 1 : data + len;
  }
  free(data);
  return reason;
}

/* ---- heapdiff's output ------------------------------------------------ */

typedef struct lg_hd_s {
  char *err;
} lg_hd_t;

static void lg_hd_bad(lg_hd_t *c, const char *where, const char *what) {
  if (!c->err)
    c->err = lg_fmt("heapdiff output: %s: expected %s", where, what);
}

/* A string member: a bounded copy, NULL when absent or null (or `required`
 * and missing: an error). */
static char *lg_hd_str(lg_hd_t *c, json_t *o, const char *key,
                       const char *where, int required) {
  json_t *v = json_object_get(o, key);
  if (!v || json_is_null(v)) {
    if (required) {
      char *w = lg_fmt("%s.%s", where, key);
      lg_hd_bad(c, w, "a string");
      free(w);
    }
    return NULL;
  }
  if (!json_is_string(v)) {
    char *w = lg_fmt("%s.%s", where, key);
    lg_hd_bad(c, w, "a string");
    free(w);
    return NULL;
  }
  return lg_heap_str(json_string_value(v));
}

/* A number member in [-1e15, 1e15]; NAN with an error otherwise. */
static double lg_hd_num(lg_hd_t *c, json_t *o, const char *key,
                        const char *where) {
  json_t *v = json_object_get(o, key);
  double d = json_is_number(v) ? json_number_value(v) : NAN;
  if (!(d >= -1e15 && d <= 1e15)) {
    char *w = lg_fmt("%s.%s", where, key);
    lg_hd_bad(c, w, "a number within +-1e15");
    free(w);
    return NAN;
  }
  return d;
}

static void lg_grower_clear(lg_grower_t *g) {
  free(g->kind);
  free(g->name);
  free(g->function);
  free(g->location);
  lg_strv_free(g->retainers, g->nretainers);
  memset(g, 0, sizeof *g);
}

static int lg_grower_cmp(const void *x, const void *y) {
  const lg_grower_t *a = x, *b = y;
  if (a->size != b->size)
    return a->size > b->size ? -1 : 1;
  return (a->count < b->count) - (a->count > b->count);
}

int lg_heapattr_parse(const char *text, size_t len, lg_heapattr_t *h,
                      char **err) {
  json_error_t je;
  json_t *o =
      len > LG_HEAPDIFF_MAX_OUTPUT ? NULL : json_loadb(text, len, 0, &je);
  if (!o) {
    *err = len > LG_HEAPDIFF_MAX_OUTPUT
               ? lg_fmt("heapdiff output: %zu bytes, over the %zu limit", len,
                        LG_HEAPDIFF_MAX_OUTPUT)
               : lg_fmt("heapdiff output: not JSON: %s", je.text);
    return -1;
  }
  lg_hd_t c = {0};
  json_t *ver = json_object_get(o, "heapdiff");
  json_t *growers = json_object_get(o, "growers");
  if (!json_is_object(o))
    lg_hd_bad(&c, "the document", "an object");
  else if (!json_is_integer(ver) || json_integer_value(ver) != 1)
    lg_hd_bad(&c, "heapdiff", "1 (the format version)");
  else if (!json_is_array(growers))
    lg_hd_bad(&c, "growers", "an array");
  size_t n = json_array_size(growers);
  if (n > LG_HEAPATTR_MAX_GROWERS)
    n = LG_HEAPATTR_MAX_GROWERS;
  lg_grower_t *gs = lg_xcalloc(n ? n : 1, sizeof *gs);
  size_t ng = 0;
  for (size_t k = 0; k < n && !c.err; k++) {
    char *where = lg_fmt("growers[%zu]", k);
    json_t *go = json_array_get(growers, k);
    lg_grower_t *g = &gs[ng++];
    if (!json_is_object(go)) {
      lg_hd_bad(&c, where, "an object");
      free(where);
      break;
    }
    g->kind = lg_hd_str(&c, go, "kind", where, 1);
    g->name = lg_hd_str(&c, go, "name", where, 1);
    g->function = lg_hd_str(&c, go, "function", where, 0);
    g->location = lg_hd_str(&c, go, "location", where, 0);
    g->count = lg_hd_num(&c, go, "count", where);
    g->size = lg_hd_num(&c, go, "size", where);
    json_t *tr = json_object_get(go, "retainers_truncated");
    g->truncated = json_is_true(tr);
    json_t *path = json_object_get(go, "retainers");
    if (path && !json_is_null(path) && !json_is_array(path)) {
      char *w = lg_fmt("%s.retainers", where);
      lg_hd_bad(&c, w, "an array of strings or null");
      free(w);
    }
    size_t np = json_array_size(path);
    if (np > LG_HEAPATTR_MAX_HOPS) {
      /* keep the innermost hops, nearest the object */
      g->truncated = 1;
    }
    size_t from = np > LG_HEAPATTR_MAX_HOPS ? np - LG_HEAPATTR_MAX_HOPS : 0;
    g->retainers = lg_xcalloc(np - from ? np - from : 1, sizeof(char *));
    for (size_t i = from; i < np && !c.err; i++) {
      json_t *hop = json_array_get(path, i);
      if (!json_is_string(hop)) {
        char *w = lg_fmt("%s.retainers[%zu]", where, i);
        lg_hd_bad(&c, w, "a string");
        free(w);
        break;
      }
      g->retainers[g->nretainers++] = lg_heap_str(json_string_value(hop));
    }
    free(where);
  }
  json_decref(o);
  if (c.err) {
    for (size_t k = 0; k < ng; k++)
      lg_grower_clear(&gs[k]);
    free(gs);
    *err = c.err;
    return -1;
  }
  qsort(gs, ng, sizeof *gs, lg_grower_cmp);
  for (size_t k = 0; k < h->ngrowers; k++)
    lg_grower_clear(&h->growers[k]);
  free(h->growers);
  h->growers = gs;
  h->ngrowers = ng;
  return 0;
}

/* ---- the evidence line ------------------------------------------------ */

char *lg_heapsnap_bytes(double v, int sign) {
  const char *s = sign && v > 0 ? "+" : "";
  double a = fabs(v);
  if (a >= 10.0 * 1024 * 1024)
    return lg_fmt("%s%.1f MiB", s, v / (1024.0 * 1024.0));
  if (a >= 1024)
    return lg_fmt("%s%.1f KiB", s, v / 1024.0);
  return lg_fmt("%s%.0f B", s, v);
}

char *lg_grower_label(const lg_grower_t *g) {
  const char *name = g->name ? g->name : "?";
  if (g->kind && strcmp(g->kind, "closure") == 0) {
    int named = g->function && *g->function;
    return lg_fmt("closure%s%s%s%s%s", named ? " " : "",
                  named ? g->function : "", g->location ? " (" : "",
                  g->location ? g->location : "", g->location ? ")" : "");
  }
  return lg_xstrdup(name);
}

char *lg_grower_path(const lg_grower_t *g, size_t max_hops) {
  lg_buf_t b = {0};
  size_t from =
      max_hops && g->nretainers > max_hops ? g->nretainers - max_hops : 0;
  if (g->nretainers && (from > 0 || g->truncated))
    lg_buf_add(&b, "... -> ");
  for (size_t i = from; i < g->nretainers; i++)
    lg_buf_addf(&b, "%s%s", i > from ? " -> " : "", g->retainers[i]);
  return lg_buf_take(&b);
}

/* A count per iteration: "+1", "+4", "+0.5". */
static char *lg_heapsnap_count(double v) {
  if (fabs(v - round(v)) < 0.05)
    return lg_fmt("%+.0f", round(v));
  return lg_fmt("%+.2g", v);
}

char *lg_heapattr_line(const lg_heapattr_t *h) {
  lg_buf_t b = {0};
  double span = (double)(h->to - h->from);
  /* Growers of at least one object every other iteration, largest first:
   * what a per-iteration leak looks like. */
  size_t shown[LG_HEAPATTR_LINE_GROWERS], nshown = 0;
  for (size_t i = 0; i < h->ngrowers && nshown < LG_HEAPATTR_LINE_GROWERS; i++)
    if (span > 0 && h->growers[i].count >= 0.5 * span && h->growers[i].size > 0)
      shown[nshown++] = i;
  int per_it = nshown > 0;
  /* Else (in-place growth: an array's backing store, a string being built)
   * the largest growers in total. */
  for (size_t i = 0;
       !per_it && i < h->ngrowers && nshown < LG_HEAPATTR_LINE_GROWERS; i++)
    if (h->growers[i].size > 0)
      shown[nshown++] = i;
  if (nshown == 0) {
    lg_buf_addf(&b, "JS heap attribution: %s",
                h->note                        ? h->note
                : h->ngrowers == 0 && span > 0 ? "no object group grew"
                                               : "nothing to report");
    return lg_buf_take(&b);
  }
  lg_buf_addf(&b, "JS heap over iterations %lld..%lld: ", h->from, h->to);
  for (size_t k = 0; k < nshown; k++) {
    const lg_grower_t *g = &h->growers[shown[k]];
    char *label = lg_grower_label(g);
    char *size = lg_heapsnap_bytes(per_it ? g->size / span : g->size, 1);
    if (per_it) {
      char *count = lg_heapsnap_count(g->count / span);
      lg_buf_addf(&b, "%s%s %s (%s)", k ? ", " : "", count, label, size);
      free(count);
    } else {
      lg_buf_addf(&b, "%s%s %s (%+.0f objects)", k ? ", " : "", size, label,
                  g->count);
    }
    free(label);
    free(size);
  }
  if (per_it)
    lg_buf_add(&b, " per iteration");
  else
    lg_buf_addf(&b, " over the %.0f iterations", span);
  const lg_grower_t *first = &h->growers[shown[0]];
  char *path = lg_grower_path(first, LG_HEAPATTR_LINE_HOPS);
  if (*path)
    lg_buf_addf(&b, "; retained by %s", path);
  else
    lg_buf_add(&b, "; no retainer path found (reachable only through weak "
                   "references?)");
  free(path);
  if (h->note)
    lg_buf_addf(&b, "; note: %s", h->note);
  return lg_buf_take(&b);
}
