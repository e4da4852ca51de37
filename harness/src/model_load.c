/* Reading results.json into the result model (model.h): each record's
 * fields are read by code generated from its table (model_fields.h); the
 * hooks and steps below read the arrays, nested objects and checks. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "model_gen.h"
#include "util.h"

/* Defines `static void name(lg_ld_t *ld, json_t *o, type *p)`, reading the
 * record's table fields (and calling its hooks and steps) in table order. */
#define LG_DEF_FROM(name, type, LIST)                                          \
  static void name(lg_ld_t *ld, json_t *o, type *p) {                          \
    LIST(LG_LD)                                                                \
  }

/* Defines `static void name(lg_ld_t *ld, json_t *arr, const char *key,
 * type **out, size_t *n)`: reads the array of objects arr (o[key]) into a
 * new array *out (at least one element allocated) of *n records, each read
 * by fn. Errors inside an element name it with where_fmt (a printf format
 * of the index, "" for none). */
#define LG_DEF_FROM_ARRAY(name, type, fn, where_fmt)                           \
  static void name(lg_ld_t *ld, json_t *arr, const char *key, type **out,      \
                   size_t *n) {                                                \
    size_t len = json_array_size(arr);                                         \
    *out = lg_xcalloc(len ? len : 1, sizeof **out);                            \
    for (size_t k = 0; k < len && !ld->err; k++) {                             \
      json_t *e = lg__gelem(ld, arr, key, k);                                  \
      if (!e)                                                                  \
        break;                                                                 \
      char saved[sizeof ld->where];                                            \
      lg__ld_push_index(ld, saved, where_fmt, k);                              \
      fn(ld, e, &(*out)[(*n)++]);                                              \
      lg__ld_pop(ld, saved);                                                   \
    }                                                                          \
  }

/* ---- findings ---------------------------------------------------------- */

LG_DEF_FROM(lg_frame_from, lg_frame_t, LG_FRAME_FIELDS)
LG_DEF_FROM_ARRAY(lg_frames_from, lg_frame_t, lg_frame_from, "")

static void lg_h_stack_frames_from(lg_ld_t *ld, json_t *o, lg_stack_t *p) {
  lg_frames_from(ld, lg__garr(ld, o, "frames"), "frames", &p->frames,
                 &p->nframes);
}

LG_DEF_FROM(lg_stack_from, lg_stack_t, LG_STACK_FIELDS)
LG_DEF_FROM_ARRAY(lg_stacks_from, lg_stack_t, lg_stack_from, "")

static void lg_h_finding_stacks_from(lg_ld_t *ld, json_t *o, lg_finding_t *p) {
  lg_stacks_from(ld, lg__garr(ld, o, "stacks"), "stacks", &p->stacks,
                 &p->nstacks);
}

LG_DEF_FROM(lg_finding_from, lg_finding_t, LG_FINDING_FIELDS)
LG_DEF_FROM_ARRAY(lg_findings_from, lg_finding_t, lg_finding_from,
                  ".findings[%zu]")

/* ---- metrics ----------------------------------------------------------- */

LG_DEF_FROM(lg_trend_from, lg_trend_t, LG_TREND_FIELDS)

/* Read right after the name, as earlier versions did; one value per sample
 * of the run, NaN for anything but a number. */
static void lg_h_metric_values_from(lg_ld_t *ld, json_t *o, lg_metric_t *p) {
  p->v = lg_xmalloc(lg__cap(ld->nsamples) * sizeof *p->v);
  json_t *vals = lg__garr(ld, o, "values");
  for (size_t i = 0; i < ld->nsamples; i++) {
    json_t *x = json_array_get(vals, i);
    p->v[i] = json_is_number(x) ? json_number_value(x) : NAN;
  }
}

static void lg_h_metric_trend_from(lg_ld_t *ld, json_t *o, lg_metric_t *p) {
  json_t *trend = lg__gobj(ld, o, "trend");
  if (p->fitted && trend) {
    char saved[sizeof ld->where];
    lg__ld_push(ld, saved, ".trend");
    lg_trend_from(ld, trend, &p->trend);
    lg__ld_pop(ld, saved);
  } else {
    p->fitted = 0; /* "fitted" without a trend has nothing to show */
  }
}

LG_DEF_FROM(lg_metric_from, lg_metric_t, LG_METRIC_FIELDS)

/* Metrics are built directly (not with lg_run_metric_add, whose lookup is
 * linear): a run with tens of thousands of metrics loads in linear time. A
 * name given twice keeps its first entry. */
static void lg_h_run_metrics_from(lg_ld_t *ld, json_t *o, lg_run_t *run) {
  char saved[sizeof ld->where];
  json_t *metrics = lg__garr(ld, o, "metrics");
  size_t n = json_array_size(metrics);
  if (!n || ld->err)
    return;
  json_t *seen = json_object();
  ld->nsamples = run->nsamples;
  run->metrics = lg_xcalloc(lg__cap(n), sizeof *run->metrics);
  for (size_t k = 0; k < n && !ld->err; k++) {
    json_t *mo = lg__gelem(ld, metrics, "metrics", k);
    if (!mo)
      break;
    lg__ld_push(ld, saved, ".metrics[%zu]", k);
    json_t *nm = lg__gval(mo, "name");
    if (!json_is_string(nm)) {
      lg__ld_bad(ld, "name", "a string", nm);
    } else if (!json_object_get(seen, json_string_value(nm))) {
      json_object_set_new_nocheck(seen, json_string_value(nm), json_true());
      lg_metric_from(ld, mo, &run->metrics[run->nmetrics++]);
    }
    lg__ld_pop(ld, saved);
  }
  json_decref(seen);
}

/* ---- heap attribution -------------------------------------------------- */

static void lg_h_grower_retainers_from(lg_ld_t *ld, json_t *o, lg_grower_t *g) {
  json_t *path = lg__garr(ld, o, "retainers");
  size_t np = json_array_size(path);
  g->retainers = lg_xcalloc(np ? np : 1, sizeof *g->retainers);
  for (size_t i = 0; i < np && !ld->err; i++) {
    json_t *hop = json_array_get(path, i);
    if (!json_is_string(hop)) {
      char key[48];
      snprintf(key, sizeof key, "retainers[%zu]", i);
      lg__ld_bad(ld, key, "a string", hop);
      break;
    }
    g->retainers[g->nretainers++] = lg_xstrdup(json_string_value(hop));
  }
}

LG_DEF_FROM(lg_grower_from, lg_grower_t, LG_GROWER_FIELDS)
LG_DEF_FROM_ARRAY(lg_growers_from, lg_grower_t, lg_grower_from, ".growers[%zu]")

static void lg_h_heapattr_growers_from(lg_ld_t *ld, json_t *o,
                                       lg_heapattr_t *p) {
  lg_growers_from(ld, lg__garr(ld, o, "growers"), "growers", &p->growers,
                  &p->ngrowers);
}

LG_DEF_FROM(lg_heapattr_from, lg_heapattr_t, LG_HEAPATTR_FIELDS)

/* ---- runs -------------------------------------------------------------- */

/* A run's identity is required; from here on errors name the run, which is
 * easier to find than an index. */
static void lg_h_run_ident_from(lg_ld_t *ld, json_t *o, lg_run_t *run) {
  if (!ld->err && (!run->scenario || !run->variant))
    lg__ld_bad(ld, run->scenario ? "variant" : "scenario", "a string",
               lg__gval(o, run->scenario ? "variant" : "scenario"));
  if (ld->err)
    return;
  size_t n = strlen(ld->where);
  snprintf(ld->where + n, sizeof ld->where - n, "(%s/%s)", run->scenario,
           run->variant);
}

/* The verdict is required; the detection defaults to it (older files have
 * no separate detection). */
static void lg_h_run_verdicts_from(lg_ld_t *ld, json_t *o, lg_run_t *run) {
  if (ld->err)
    return;
  char *v = lg__gstr(ld, o, "verdict"), *d = lg__gstr(ld, o, "detected");
  if (!ld->err && lg_verdict_parse(v, &run->verdict) != 0)
    ld->err = lg_fmt("key '%s.verdict': unknown verdict '%s'", ld->where,
                     v ? v : "(missing)");
  if (!ld->err && !d)
    run->detected = run->verdict;
  else if (!ld->err && lg_verdict_parse(d, &run->detected) != 0)
    ld->err = lg_fmt("key '%s.detected': unknown verdict '%s'", ld->where, d);
  free(d);
  free(v);
}

static void lg_h_run_samples_from(lg_ld_t *ld, json_t *o, lg_run_t *run) {
  char saved[sizeof ld->where];
  json_t *s = lg__gobj(ld, o, "samples");
  if (!s)
    return;
  lg__ld_push(ld, saved, ".samples");
  json_t *si = lg__garr(ld, s, "i"), *st = lg__garr(ld, s, "t_ms"),
         *ph = lg__garr(ld, s, "phase");
  size_t n = json_array_size(si);
  for (size_t i = 0; i < n && !ld->err; i++) {
    json_t *x = json_array_get(si, i), *t = json_array_get(st, i),
           *p = json_array_get(ph, i);
    char k[48];
    if (!json_is_number(x)) {
      snprintf(k, sizeof k, "i[%zu]", i);
      lg__ld_bad(ld, k, "a number", x);
    } else if (t && !json_is_number(t) && !json_is_null(t)) {
      snprintf(k, sizeof k, "t_ms[%zu]", i);
      lg__ld_bad(ld, k, "a number", t);
    } else if (p && !json_is_string(p) && !json_is_null(p)) {
      snprintf(k, sizeof k, "phase[%zu]", i);
      lg__ld_bad(ld, k, "a string", p);
    } else {
      /* A missing phase is shown as "?", never as a real phase: it must not
       * enter a fit or the baseline/final values. */
      lg_run_sample_add(run,
                        json_is_integer(x) ? (long long)json_integer_value(x)
                                           : lg__clamp_ll(json_number_value(x)),
                        json_is_number(t) ? json_number_value(t) : NAN,
                        json_is_string(p) ? json_string_value(p) : "?");
    }
  }
  lg__ld_pop(ld, saved);
}

/* Metrics are built directly (not with lg_run_metric_add, whose lookup is
 * linear): a run with tens of thousands of metrics loads in linear time. A
 * name given twice keeps its first entry. */

static void lg_h_run_supp_used_from(lg_ld_t *ld, json_t *o, lg_run_t *run) {
  json_t *used = lg__garr(ld, o, "suppressions_used");
  size_t nu = json_array_size(used);
  if (!nu || ld->err)
    return;
  run->supp_used = lg_xcalloc(nu, sizeof(char *));
  for (size_t k = 0; k < nu; k++) {
    json_t *u = json_array_get(used, k);
    if (json_is_string(u))
      run->supp_used[run->nsupp_used++] = lg_xstrdup(json_string_value(u));
  }
}

/* After "suppressions_used", as earlier versions read them. */
static void lg_h_run_findings_from(lg_ld_t *ld, json_t *o, lg_run_t *run) {
  json_t *findings = lg__garr(ld, o, "findings");
  if (json_array_size(findings) && !ld->err)
    lg_findings_from(ld, findings, "findings", &run->findings, &run->nfindings);
}

static void lg_h_run_heap_from(lg_ld_t *ld, json_t *o, lg_run_t *run) {
  json_t *ho = lg__gobj(ld, o, "heap_attribution");
  if (!ho || ld->err)
    return;
  char saved[sizeof ld->where];
  lg__ld_push(ld, saved, ".heap_attribution");
  run->heap = lg_xcalloc(1, sizeof *run->heap);
  lg_heapattr_from(ld, ho, run->heap);
  lg__ld_pop(ld, saved);
}

LG_DEF_FROM(lg_run_from, lg_run_t, LG_RUN_FIELDS)

/* ---- the top level ----------------------------------------------------- */

/* A noise entry names its variant and metric. */
static void lg_h_noise_required_from(lg_ld_t *ld, json_t *o, lg_noise_t *n) {
  if (!ld->err && (!n->variant || !n->metric))
    lg__ld_bad(ld, n->variant ? "metric" : "variant", "a string",
               lg__gval(o, n->variant ? "metric" : "variant"));
}

LG_DEF_FROM(lg_noise_from, lg_noise_t, LG_NOISE_FIELDS)
LG_DEF_FROM(lg_cell_from, lg_cell_t, LG_CELL_FIELDS)
LG_DEF_FROM(lg_gate_row_from, lg_gate_row_t, LG_GATE_ROW_FIELDS)
LG_DEF_FROM_ARRAY(lg_noises_from, lg_noise_t, lg_noise_from, "noise[%zu]")
LG_DEF_FROM_ARRAY(lg_cells_from, lg_cell_t, lg_cell_from, ".cells[%zu]")
LG_DEF_FROM_ARRAY(lg_gate_rows_from, lg_gate_row_t, lg_gate_row_from,
                  ".rows[%zu]")

/* Defaults of the selftest's and the gate's "ok" (model_fields.h). */
static int lg_cells_ok(const lg_results_t *r) {
  for (size_t i = 0; i < r->ncells; i++)
    if (r->cells[i].designated && r->cells[i].status != LG_C_CAUGHT)
      return 0;
  return 1;
}

static int lg_gate_rows_ok(const lg_results_t *r) {
  for (size_t i = 0; i < r->ngate; i++)
    if (r->gate[i].status == LG_G_REGRESSION)
      return 0;
  return 1;
}

static void lg_h_selftest_cells_from(lg_ld_t *ld, json_t *o, lg_results_t *r) {
  lg_cells_from(ld, lg__garr(ld, o, "cells"), "cells", &r->cells, &r->ncells);
}

static void lg_h_gate_rows_from(lg_ld_t *ld, json_t *o, lg_results_t *r) {
  lg_gate_rows_from(ld, lg__garr(ld, o, "rows"), "rows", &r->gate, &r->ngate);
}

LG_DEF_FROM(lg_selftest_from, lg_results_t, LG_SELFTEST_FIELDS)
LG_DEF_FROM(lg_gate_from, lg_results_t, LG_GATE_FIELDS)

static void lg_h_results_schema_from(lg_ld_t *ld, json_t *o, lg_results_t *r) {
  (void)r;
  json_t *schema = json_object_get(o, "schema");
  if (!ld->err && (!json_is_string(schema) ||
                   strcmp(json_string_value(schema), LG_RESULTS_SCHEMA) != 0))
    ld->err = lg_xstrdup("key 'schema': expected \"" LG_RESULTS_SCHEMA "\"");
}

static void lg_h_results_version_from(lg_ld_t *ld, json_t *o, lg_results_t *r) {
  json_t *sv = json_object_get(o, "schema_version");
  if (ld->err)
    return;
  if (json_is_integer(sv) && json_integer_value(sv) == LG_SCHEMA_VERSION)
    r->schema = LG_SCHEMA_VERSION;
  else if (json_is_integer(sv))
    ld->err = lg_fmt("key 'schema_version': this leakgate reads version %d, "
                     "the file is version %lld",
                     LG_SCHEMA_VERSION, (long long)json_integer_value(sv));
  else
    ld->err = lg_fmt("key 'schema_version': expected the integer %d, found "
                     "%s",
                     LG_SCHEMA_VERSION, lg__jtype(sv));
}

static void lg_h_results_exit_code_from(lg_ld_t *ld, json_t *o,
                                        lg_results_t *r) {
  ld->has_exit = lg__gval(o, "exit_code") != NULL;
  r->exit_code = (int)lg__gint(ld, o, "exit_code", 0);
}

static void lg_h_results_complete_from(lg_ld_t *ld, json_t *o,
                                       lg_results_t *r) {
  (void)ld;
  r->incomplete = json_is_false(json_object_get(o, "complete"));
}

static void lg_h_results_runs_from(lg_ld_t *ld, json_t *o, lg_results_t *r) {
  json_t *runs = json_object_get(o, "runs");
  if (!ld->err && !json_is_array(runs)) {
    lg__ld_bad(ld, "runs", "an array", runs);
    return;
  }
  size_t nr = json_array_size(runs);
  for (size_t i = 0; i < nr && !ld->err; i++) {
    json_t *ro = lg__gelem(ld, runs, "runs", i);
    if (!ro)
      break;
    char saved[sizeof ld->where];
    lg__ld_push(ld, saved, "runs[%zu]", i);
    lg_run_t *run = lg_results_add_run(r);
    lg_run_from(ld, ro, run);
    lg__ld_pop(ld, saved);
  }
}

/* Read leniently (model_fields.h, LG_SUPP_USE_FIELDS). */
static void lg_h_results_supps_from(lg_ld_t *ld, json_t *o, lg_results_t *r) {
  if (ld->err)
    return;
  json_t *supps = lg__garr(ld, o, "suppressions");
  for (size_t i = 0; i < json_array_size(supps); i++) {
    json_t *so = json_array_get(supps, i);
    const char *sv = json_string_value(json_object_get(so, "variant"));
    const char *sf = json_string_value(json_object_get(so, "file"));
    const char *sn = json_string_value(json_object_get(so, "name"));
    json_t *su = json_object_get(so, "uses");
    if (sv && sf && sn)
      lg_results_supp_use(r, sv, sf, sn,
                          json_is_integer(su) ? (long)json_integer_value(su)
                                              : 0);
  }
}

/* After "suppressions", as earlier versions read it. */
static void lg_h_results_noise_from(lg_ld_t *ld, json_t *o, lg_results_t *r) {
  json_t *noise = lg__garr(ld, o, "noise");
  if (json_array_size(noise) && !ld->err)
    lg_noises_from(ld, noise, "noise", &r->noise, &r->nnoise);
}

/* An optional object section of results.json (key), read by `from` into
 * r with the error path under key; *has is set when it is present. */
static void lg_section_from(lg_ld_t *ld, json_t *o, const char *key,
                            lg_results_t *r, int *has,
                            void (*from)(lg_ld_t *, json_t *, lg_results_t *)) {
  json_t *sec = lg__gobj(ld, o, key);
  if (!sec || ld->err)
    return;
  *has = 1;
  char saved[sizeof ld->where];
  lg__ld_push(ld, saved, "%s", key);
  from(ld, sec, r);
  lg__ld_pop(ld, saved);
}

static void lg_h_results_selftest_from(lg_ld_t *ld, json_t *o,
                                       lg_results_t *r) {
  lg_section_from(ld, o, "selftest", r, &r->has_selftest, lg_selftest_from);
}

static void lg_h_results_gate_from(lg_ld_t *ld, json_t *o, lg_results_t *r) {
  lg_section_from(ld, o, "gate", r, &r->has_gate, lg_gate_from);
}

static void lg_h_results_derive_exit_from(lg_ld_t *ld, json_t *o,
                                          lg_results_t *r) {
  (void)o;
  if (ld->err || ld->has_exit)
    return;
  r->exit_code = lg_results_infra(r) ? 3
                 : lg_results_failed(r) || (r->has_gate && !r->gate_ok) ||
                         (r->has_selftest && !r->selftest_ok)
                     ? 1
                     : 0;
}

static void lg_h_results_bench_from(lg_ld_t *ld, json_t *o, lg_results_t *r) {
  json_t *bench = lg__gval(o, "bench");
  if (bench && !ld->err)
    lg_results_set_bench(r, json_incref(bench));
}

LG_DEF_FROM(lg_results_fields_from, lg_results_t, LG_RESULTS_FIELDS)

/* A top-level key this version reads; every other key is kept verbatim in
 * lg_results_t.extra and written back (a baseline's "tolerance" block). */
static int lg_known_key(const char *k) {
  LG_RESULTS_FIELDS(LG_KEYIS)
  return 0;
}

static void lg_results_from(lg_ld_t *ld, json_t *o, lg_results_t *r) {
  if (!json_is_object(o)) {
    ld->err = lg_fmt("expected a JSON object, found %s", lg__jtype(o));
    return;
  }
  lg_results_fields_from(ld, o, r);
  if (ld->err)
    return;
  const char *key;
  json_t *val;
  json_object_foreach(o, key, val) {
    if (lg_known_key(key))
      continue;
    if (!r->extra)
      r->extra = json_object();
    json_object_set(r->extra, key, val);
  }
}

json_t *lg_json_load(const char *path, char **err) {
  json_error_t je;
  json_t *o = json_load_file(path, 0, &je);
  if (!o)
    *err = lg_fmt("%s: %s (line %d)", path, je.text, je.line);
  return o;
}

int lg_results_load(const char *path, lg_results_t *r, char **err) {
  memset(r, 0, sizeof *r);
  json_t *o = lg_json_load(path, err);
  if (!o)
    return -1;
  lg_ld_t ld = {0};
  lg_results_from(&ld, o, r);
  json_decref(o);
  if (ld.err) {
    *err = lg_fmt("%s: %s", path, ld.err);
    free(ld.err);
    lg_results_free(r);
    return -1;
  }
  return 0;
}

void lg_run_copy(lg_run_t *dst, const lg_run_t *src) {
  json_t *o = lg__run_json(src);
  lg_ld_t ld = {0};
  memset(dst, 0, sizeof *dst);
  dst->min_detectable = dst->alpha = NAN;
  dst->iterate_ms = dst->sample_ms = NAN;
  lg_run_from(&ld, o, dst); /* cannot fail on our own output */
  free(ld.err);
  json_decref(o);
}
