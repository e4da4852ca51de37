/* The result model's JSON form, results.json (model.h): each record's
 * object is generated from its table (model_fields.h); the hooks below
 * write the arrays and nested objects. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "model_gen.h"
#include "text.h"
#include "util.h"

/* Writing context: the run whose metrics are written (their values are one
 * per sample of the run). */
typedef struct lg_wr_s {
  size_t nsamples;
} lg_wr_t;

static json_t *lg_jnum(double v) {
  return isfinite(v) ? json_real(v) : json_null();
}

/* Strings may come from scenario output: invalid UTF-8 is written as \xNN
 * (jansson refuses it, and the field, or the whole object, would silently
 * vanish from results.json). */
static json_t *lg_jstr(const char *s) {
  if (!s)
    return json_null();
  if (lg_utf8_valid(s))
    return json_string(s);
  char *t = lg_utf8_sanitize(s);
  json_t *j = json_string(t);
  free(t);
  return j;
}

/* Sets o[key] to v, a new reference; nothing when v is NULL. */
static void lg_jput(json_t *o, const char *key, json_t *v) {
  if (v)
    json_object_set_new(o, key, v);
}

/* Defines `static json_t *name(lg_wr_t *wr, const type *p)`, the record's
 * object with its table's keys in table order. */
#define LG_DEF_JSON(name, type, LIST)                                          \
  static json_t *name(lg_wr_t *wr, const type *p) {                            \
    (void)wr;                                                                  \
    json_t *o = json_object();                                                 \
    LIST(LG_TOJ)                                                               \
    return o;                                                                  \
  }

/* Defines `static json_t *name(lg_wr_t *wr, const type *a, size_t n)`, the
 * JSON array of the n records of a, each written by fn. */
#define LG_DEF_JARRAY(name, type, fn)                                          \
  static json_t *name(lg_wr_t *wr, const type *a, size_t n) {                  \
    json_t *arr = json_array();                                                \
    for (size_t i = 0; i < n; i++)                                             \
      json_array_append_new(arr, fn(wr, &a[i]));                               \
    return arr;                                                                \
  }

/* An array of strings (null for a NULL string). */
static json_t *lg_jstrv(char *const *v, size_t n) {
  json_t *arr = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(arr, lg_jstr(v[i]));
  return arr;
}

/* ---- findings ---------------------------------------------------------- */

LG_DEF_JSON(lg_frame_json, lg_frame_t, LG_FRAME_FIELDS)
LG_DEF_JARRAY(lg_frame_jsons, lg_frame_t, lg_frame_json)

static json_t *lg_h_stack_frames_json(lg_wr_t *wr, const lg_stack_t *p) {
  return lg_frame_jsons(wr, p->frames, p->nframes);
}

LG_DEF_JSON(lg_stack_json, lg_stack_t, LG_STACK_FIELDS)
LG_DEF_JARRAY(lg_stack_jsons, lg_stack_t, lg_stack_json)

static json_t *lg_h_finding_stacks_json(lg_wr_t *wr, const lg_finding_t *p) {
  return lg_stack_jsons(wr, p->stacks, p->nstacks);
}

LG_DEF_JSON(lg_finding_json, lg_finding_t, LG_FINDING_FIELDS)
LG_DEF_JARRAY(lg_finding_jsons, lg_finding_t, lg_finding_json)

/* ---- metrics ----------------------------------------------------------- */

LG_DEF_JSON(lg_trend_json, lg_trend_t, LG_TREND_FIELDS)

static json_t *lg_h_metric_trend_json(lg_wr_t *wr, const lg_metric_t *p) {
  return p->fitted ? lg_trend_json(wr, &p->trend) : json_null();
}

static json_t *lg_h_metric_values_json(lg_wr_t *wr, const lg_metric_t *p) {
  json_t *vals = json_array();
  for (size_t i = 0; i < wr->nsamples; i++)
    json_array_append_new(vals, lg_jnum(p->v[i]));
  return vals;
}

LG_DEF_JSON(lg_metric_json, lg_metric_t, LG_METRIC_FIELDS)
LG_DEF_JARRAY(lg_metric_jsons, lg_metric_t, lg_metric_json)

/* ---- heap attribution -------------------------------------------------- */

static json_t *lg_h_grower_retainers_json(lg_wr_t *wr, const lg_grower_t *p) {
  (void)wr;
  return lg_jstrv(p->retainers, p->nretainers);
}

LG_DEF_JSON(lg_grower_json, lg_grower_t, LG_GROWER_FIELDS)
LG_DEF_JARRAY(lg_grower_jsons, lg_grower_t, lg_grower_json)

static json_t *lg_h_heapattr_growers_json(lg_wr_t *wr, const lg_heapattr_t *p) {
  return lg_grower_jsons(wr, p->growers, p->ngrowers);
}

LG_DEF_JSON(lg_heapattr_json, lg_heapattr_t, LG_HEAPATTR_FIELDS)

/* ---- runs -------------------------------------------------------------- */

static json_t *lg_h_run_samples_json(lg_wr_t *wr, const lg_run_t *p) {
  (void)wr;
  json_t *si = json_array(), *st = json_array();
  for (size_t i = 0; i < p->nsamples; i++) {
    json_array_append_new(si, json_integer(p->si[i]));
    json_array_append_new(st, lg_jnum(p->st[i]));
  }
  return json_pack("{s:o,s:o,s:o}", "i", si, "t_ms", st, "phase",
                   lg_jstrv(p->sphase, p->nsamples));
}

static json_t *lg_h_run_metrics_json(lg_wr_t *wr, const lg_run_t *p) {
  lg_wr_t mwr = {.nsamples = p->nsamples};
  (void)wr;
  wr = &mwr;
  return lg_metric_jsons(wr, p->metrics, p->nmetrics);
}

static json_t *lg_h_run_findings_json(lg_wr_t *wr, const lg_run_t *p) {
  return lg_finding_jsons(wr, p->findings, p->nfindings);
}

static json_t *lg_h_run_supp_used_json(lg_wr_t *wr, const lg_run_t *p) {
  (void)wr;
  return lg_jstrv(p->supp_used, p->nsupp_used);
}

/* Only when attempted: older readers never see the key. */
static json_t *lg_h_run_heap_json(lg_wr_t *wr, const lg_run_t *p) {
  return p->heap ? lg_heapattr_json(wr, p->heap) : NULL;
}

LG_DEF_JSON(lg_run_json, lg_run_t, LG_RUN_FIELDS)
LG_DEF_JARRAY(lg_run_jsons, lg_run_t, lg_run_json)

json_t *lg__run_json(const lg_run_t *run) {
  lg_wr_t wr = {0};
  return lg_run_json(&wr, run);
}

/* ---- the top level ----------------------------------------------------- */

/* How results.json is written: indented by one, reals to 10 digits. */
#define LG_RESULTS_DUMP (JSON_INDENT(1) | JSON_REAL_PRECISION(10))

LG_DEF_JSON(lg_noise_json, lg_noise_t, LG_NOISE_FIELDS)
LG_DEF_JARRAY(lg_noise_jsons, lg_noise_t, lg_noise_json)
LG_DEF_JSON(lg_supp_use_json, lg_supp_use_t, LG_SUPP_USE_FIELDS)
LG_DEF_JARRAY(lg_supp_use_jsons, lg_supp_use_t, lg_supp_use_json)
LG_DEF_JSON(lg_cell_json, lg_cell_t, LG_CELL_FIELDS)
LG_DEF_JARRAY(lg_cell_jsons, lg_cell_t, lg_cell_json)
LG_DEF_JSON(lg_gate_row_json, lg_gate_row_t, LG_GATE_ROW_FIELDS)
LG_DEF_JARRAY(lg_gate_row_jsons, lg_gate_row_t, lg_gate_row_json)

static json_t *lg_h_selftest_cells_json(lg_wr_t *wr, const lg_results_t *p) {
  return lg_cell_jsons(wr, p->cells, p->ncells);
}

static json_t *lg_h_gate_rows_json(lg_wr_t *wr, const lg_results_t *p) {
  return lg_gate_row_jsons(wr, p->gate, p->ngate);
}

LG_DEF_JSON(lg_selftest_json, lg_results_t, LG_SELFTEST_FIELDS)
LG_DEF_JSON(lg_gate_json, lg_results_t, LG_GATE_FIELDS)

static json_t *lg_h_results_schema_json(lg_wr_t *wr, const lg_results_t *p) {
  (void)wr, (void)p;
  return json_string(LG_RESULTS_SCHEMA);
}

static json_t *lg_h_results_version_json(lg_wr_t *wr, const lg_results_t *p) {
  (void)wr, (void)p;
  return json_integer(LG_SCHEMA_VERSION);
}

static json_t *lg_h_results_exit_code_json(lg_wr_t *wr, const lg_results_t *p) {
  (void)wr;
  return json_integer(p->exit_code);
}

static json_t *lg_h_results_complete_json(lg_wr_t *wr, const lg_results_t *p) {
  (void)wr;
  return json_boolean(!p->incomplete);
}

static json_t *lg_h_results_runs_json(lg_wr_t *wr, const lg_results_t *p) {
  return lg_run_jsons(wr, p->runs, p->nruns);
}

static json_t *lg_h_results_noise_json(lg_wr_t *wr, const lg_results_t *p) {
  return lg_noise_jsons(wr, p->noise, p->nnoise);
}

static json_t *lg_h_results_supps_json(lg_wr_t *wr, const lg_results_t *p) {
  return lg_supp_use_jsons(wr, p->supp_uses, p->nsupp_uses);
}

static json_t *lg_h_results_selftest_json(lg_wr_t *wr, const lg_results_t *p) {
  return p->has_selftest ? lg_selftest_json(wr, p) : NULL;
}

static json_t *lg_h_results_gate_json(lg_wr_t *wr, const lg_results_t *p) {
  return p->has_gate ? lg_gate_json(wr, p) : NULL;
}

static json_t *lg_h_results_bench_json(lg_wr_t *wr, const lg_results_t *p) {
  (void)wr;
  return p->bench ? json_incref(p->bench) : NULL;
}

LG_DEF_JSON(lg_results_json, lg_results_t, LG_RESULTS_FIELDS)

json_t *lg_results_to_json(const lg_results_t *r) {
  lg_wr_t wr = {0};
  json_t *o = lg_results_json(&wr, r);
  /* Keys this version does not know, as they were read (never overriding
   * ours: lg_results_load keeps only unknown keys). */
  if (r->extra)
    json_object_update_missing(o, r->extra);
  return o;
}

char *lg_run_to_text(const lg_run_t *run) {
  json_t *o = lg__run_json(run);
  char *s = json_dumps(o, LG_RESULTS_DUMP);
  json_decref(o);
  return s;
}

int lg_results_save_texts(const lg_results_t *r, char *const *texts, size_t n,
                          const char *path) {
  lg_results_t head = *r; /* shallow: only read */
  head.nruns = 0;
  json_t *o = lg_results_to_json(&head);
  json_object_del(o, "runs");
  char *s = json_dumps(o, LG_RESULTS_DUMP);
  json_decref(o);
  char *end = s ? strrchr(s, '}') : NULL;
  if (!end) {
    free(s);
    return -1;
  }
  while (end > s && (end[-1] == '\n' || end[-1] == ' '))
    end--;
  lg_buf_t b = {0};
  lg_buf_addn(&b, s, (size_t)(end - s));
  free(s);
  lg_buf_add(&b, ",\n \"runs\": [");
  for (size_t i = 0; i < n; i++) {
    lg_buf_add(&b, i ? ",\n" : "\n");
    lg_buf_add(&b, texts[i]);
  }
  lg_buf_add(&b, "\n ]\n}\n");
  int rc = lg_write_file(path, b.s, b.len);
  lg_buf_free(&b);
  return rc;
}

int lg_results_save(const lg_results_t *r, const char *path) {
  json_t *o = lg_results_to_json(r);
  char *s = json_dumps(o, LG_RESULTS_DUMP);
  json_decref(o);
  if (!s)
    return -1;
  size_t n = strlen(s);
  char *t = lg_xmalloc(n + 2);
  memcpy(t, s, n);
  t[n] = '\n';
  t[n + 1] = '\0';
  free(s);
  int rc = lg_write_file(path, t, n + 1);
  free(t);
  return rc;
}
