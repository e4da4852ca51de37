/* The result model's lifetime: enum names, growing and freeing the records
 * (model.h). results.json is written by model_json.c and read by
 * model_load.c. */
#include "model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_gen.h"
#include "util.h"

/* Frees each of the n records of arr with fn, then the array, and leaves
 * arr NULL and n 0. */
#define LG_FREE_EACH(arr, n, fn)                                               \
  do {                                                                         \
    for (size_t i_ = 0; i_ < (n); i_++)                                        \
      fn(&(arr)[i_]);                                                          \
    free(arr);                                                                 \
    (arr) = NULL;                                                              \
    (n) = 0;                                                                   \
  } while (0)

/* Name and parse functions of an enum, from its table (model_fields.h). */
#define LG_ENUM_CASE(c, name, doc)                                             \
  case c:                                                                      \
    return name;
#define LG_ENUM_MATCH(c, nm, doc)                                              \
  if (strcmp(name, nm) == 0) {                                                 \
    *out = c;                                                                  \
    return 0;                                                                  \
  }
#define LG_ENUM_FUNCS(type, prefix, LIST)                                      \
  const char *prefix##_name(type v) {                                          \
    switch (v) {                                                               \
      LIST(LG_ENUM_CASE)                                                       \
    default:                                                                   \
      return "?";                                                              \
    }                                                                          \
  }                                                                            \
  int prefix##_parse(const char *name, type *out) {                            \
    if (!name)                                                                 \
      return -1;                                                               \
    LIST(LG_ENUM_MATCH)                                                        \
    return -1;                                                                 \
  }

LG_ENUM_FUNCS(lg_verdict_t, lg_verdict, LG_VERDICTS)
LG_ENUM_FUNCS(lg_fclass_t, lg_fclass, LG_FCLASSES)
LG_ENUM_FUNCS(lg_gate_status_t, lg_gate_status, LG_GATE_STATUSES)
LG_ENUM_FUNCS(lg_cell_status_t, lg_cell_status, LG_CELL_STATUSES)

void lg_results_supp_use(lg_results_t *r, const char *variant, const char *file,
                         const char *name, long uses) {
  for (size_t i = 0; i < r->nsupp_uses; i++) {
    lg_supp_use_t *u = &r->supp_uses[i];
    if (strcmp(u->variant, variant) == 0 && strcmp(u->file, file) == 0 &&
        strcmp(u->name, name) == 0) {
      u->uses += uses;
      return;
    }
  }
  r->supp_uses =
      lg_xrealloc(r->supp_uses, (r->nsupp_uses + 1) * sizeof *r->supp_uses);
  lg_supp_use_t *u = &r->supp_uses[r->nsupp_uses++];
  u->variant = lg_xstrdup(variant);
  u->file = lg_xstrdup(file);
  u->name = lg_xstrdup(name);
  u->uses = uses;
}

static void lg_bench_add(lg_results_t *r, const char *suite, char *name,
                         double items_per_s, double bytes_per_s) {
  r->bench_rows =
      lg_xrealloc(r->bench_rows, (r->nbench_rows + 1) * sizeof *r->bench_rows);
  lg_bench_row_t *row = &r->bench_rows[r->nbench_rows++];
  row->suite = lg_xstrdup(suite);
  row->name = name;
  row->items_per_s = items_per_s;
  row->bytes_per_s = bytes_per_s;
}

static void lg_bench_row_free(lg_bench_row_t *row) {
  free(row->suite);
  free(row->name);
}

void lg_results_set_bench(lg_results_t *r, json_t *bench) {
  LG_FREE_EACH(r->bench_rows, r->nbench_rows, lg_bench_row_free);
  if (r->bench)
    json_decref(r->bench);
  r->bench = bench;
  if (!bench)
    return;
  size_t i;
  json_t *e;
  json_array_foreach(
      json_object_get(json_object_get(bench, "core"), "benchmarks"), i, e) {
    const char *agg = json_string_value(json_object_get(e, "aggregate_name"));
    const char *name = json_string_value(json_object_get(e, "run_name"));
    if (!agg || strcmp(agg, "median") != 0 || !name)
      continue;
    json_t *ips = json_object_get(e, "items_per_second");
    json_t *bps = json_object_get(e, "bytes_per_second");
    lg_bench_add(r, "core", lg_xstrdup(name),
                 json_is_number(ips) ? json_number_value(ips) : NAN,
                 json_is_number(bps) ? json_number_value(bps) : NAN);
  }
  json_array_foreach(
      json_object_get(json_object_get(bench, "js"), "benchmarks"), i, e) {
    const char *name = json_string_value(json_object_get(e, "name"));
    json_t *ips = json_object_get(e, "items_per_second");
    json_t *ratio = json_object_get(e, "ratio");
    const char *label = json_string_value(json_object_get(e, "ratio_label"));
    if (!name || !json_is_number(ips))
      continue;
    /* The ratio says what it is a ratio of (scripts/bench: "vs
     * EventEmitter", or "evstore end to end / peer" for the peers). */
    lg_bench_add(r, "js",
                 json_is_number(ratio)
                     ? lg_fmt("%s (%.2fx%s%s)", name, json_number_value(ratio),
                              label ? " " : "", label ? label : "")
                     : lg_xstrdup(name),
                 json_number_value(ips), NAN);
  }
}

/* Capacity of the model's growable arrays holding n elements: the next
 * power of two. An array is reallocated when its count reaches a power of
 * two, so appending is amortised O(1) without a capacity field (a
 * sanitizer's realloc always copies: growing by one made loading and
 * sampling quadratic there). Only the functions below grow these arrays. */
size_t lg__cap(size_t n) {
  size_t c = 1;
  while (c < n)
    c *= 2;
  return c;
}

int lg__full(size_t n) {
  return n == 0 || (n & (n - 1)) == 0;
}

lg_run_t *lg_results_add_run(lg_results_t *r) {
  if (lg__full(r->nruns))
    r->runs = lg_xrealloc(r->runs, lg__cap(r->nruns + 1) * sizeof *r->runs);
  lg_run_t *run = &r->runs[r->nruns++];
  memset(run, 0, sizeof *run);
  run->min_detectable = run->alpha = NAN;
  run->iterate_ms = run->sample_ms = NAN;
  return run;
}
/* Frees the table fields of one record (the hooks' members are freed by
 * hand below). */
#define LG_DEF_FREE(name, type, LIST)                                          \
  static void name(type *p) {                                                  \
    LIST(LG_FREE)                                                              \
  }
LG_DEF_FREE(lg_frame_free, lg_frame_t, LG_FRAME_FIELDS)
LG_DEF_FREE(lg_stack_free, lg_stack_t, LG_STACK_FIELDS)
LG_DEF_FREE(lg_finding_fields_free, lg_finding_t, LG_FINDING_FIELDS)
LG_DEF_FREE(lg_metric_free, lg_metric_t, LG_METRIC_FIELDS)
LG_DEF_FREE(lg_grower_free, lg_grower_t, LG_GROWER_FIELDS)
LG_DEF_FREE(lg_heapattr_fields_free, lg_heapattr_t, LG_HEAPATTR_FIELDS)
LG_DEF_FREE(lg_run_fields_free, lg_run_t, LG_RUN_FIELDS)
LG_DEF_FREE(lg_noise_free, lg_noise_t, LG_NOISE_FIELDS)
LG_DEF_FREE(lg_cell_free, lg_cell_t, LG_CELL_FIELDS)
LG_DEF_FREE(lg_gate_row_free, lg_gate_row_t, LG_GATE_ROW_FIELDS)
LG_DEF_FREE(lg_supp_use_free, lg_supp_use_t, LG_SUPP_USE_FIELDS)

static void lg_results_fields_free(lg_results_t *p) {
  LG_RESULTS_FIELDS(LG_FREE)
  LG_SELFTEST_FIELDS(LG_FREE)
  LG_GATE_FIELDS(LG_FREE)
}

/* The records that own more than their table fields. */
static void lg_stack_free_all(lg_stack_t *s) {
  LG_FREE_EACH(s->frames, s->nframes, lg_frame_free);
  lg_stack_free(s);
}

static void lg_grower_free_all(lg_grower_t *g) {
  lg_grower_free(g);
  lg_strv_free(g->retainers, g->nretainers);
}

static void lg_metric_free_all(lg_metric_t *m) {
  free(m->v);
  lg_metric_free(m);
}

void lg_finding_free(lg_finding_t *f) {
  LG_FREE_EACH(f->stacks, f->nstacks, lg_stack_free_all);
  lg_finding_fields_free(f);
}

void lg_heapattr_free(lg_heapattr_t *h) {
  if (!h)
    return;
  LG_FREE_EACH(h->growers, h->ngrowers, lg_grower_free_all);
  lg_heapattr_fields_free(h);
  free(h);
}

void lg_run_free(lg_run_t *run) {
  lg_run_fields_free(run);
  lg_strv_free(run->supp_used, run->nsupp_used);
  free(run->si);
  free(run->st);
  lg_strv_free(run->sphase, run->nsamples);
  LG_FREE_EACH(run->metrics, run->nmetrics, lg_metric_free_all);
  LG_FREE_EACH(run->findings, run->nfindings, lg_finding_free);
  lg_heapattr_free(run->heap);
  memset(run, 0, sizeof *run);
}

void lg_results_clear_noise(lg_results_t *r) {
  LG_FREE_EACH(r->noise, r->nnoise, lg_noise_free);
}

void lg_results_clear_gate(lg_results_t *r) {
  LG_FREE_EACH(r->gate, r->ngate, lg_gate_row_free);
}

void lg_results_free(lg_results_t *r) {
  LG_FREE_EACH(r->runs, r->nruns, lg_run_free);
  lg_results_clear_noise(r);
  LG_FREE_EACH(r->cells, r->ncells, lg_cell_free);
  lg_results_clear_gate(r);
  LG_FREE_EACH(r->supp_uses, r->nsupp_uses, lg_supp_use_free);
  lg_results_fields_free(r);
  lg_results_set_bench(r, NULL);
  if (r->extra)
    json_decref(r->extra);
  memset(r, 0, sizeof *r);
}

lg_metric_t *lg_run_metric(const lg_run_t *run, const char *name) {
  for (size_t i = 0; i < run->nmetrics; i++)
    if (strcmp(run->metrics[i].name, name) == 0)
      return &run->metrics[i];
  return NULL;
}

int lg_sample_judged(const lg_run_t *run, size_t i) {
  return strcmp(run->sphase[i], "iterate") == 0 && run->si[i] >= run->warmup &&
         run->si[i] > 0;
}

size_t lg_window_samples(long long iterations, long long warmup,
                         long long sample_every) {
  long long k = sample_every > 0 ? sample_every : 1;
  long long first = warmup > k ? (warmup + k - 1) / k * k : k;
  long long last = iterations / k * k;
  return last >= first ? (size_t)((last - first) / k + 1) : 0;
}

lg_metric_t *lg_run_metric_add(lg_run_t *run, const char *name) {
  lg_metric_t *m = lg_run_metric(run, name);
  if (m)
    return m;
  if (lg__full(run->nmetrics))
    run->metrics = lg_xrealloc(run->metrics, lg__cap(run->nmetrics + 1) *
                                                 sizeof *run->metrics);
  m = &run->metrics[run->nmetrics++];
  memset(m, 0, sizeof *m);
  m->name = lg_xstrdup(name);
  m->v = lg_xmalloc(lg__cap(run->nsamples) * sizeof *m->v);
  for (size_t i = 0; i < run->nsamples; i++)
    m->v[i] = NAN;
  m->threshold = m->baseline = m->final = m->peak = NAN;
  m->noise_sd = m->min_detectable = NAN;
  return m;
}

size_t lg_run_sample_add(lg_run_t *run, long long i, double t_ms,
                         const char *phase) {
  size_t n = run->nsamples + 1;
  if (lg__full(run->nsamples)) {
    size_t cap = lg__cap(n);
    run->si = lg_xrealloc(run->si, cap * sizeof *run->si);
    run->st = lg_xrealloc(run->st, cap * sizeof *run->st);
    run->sphase = lg_xrealloc(run->sphase, cap * sizeof *run->sphase);
    for (size_t k = 0; k < run->nmetrics; k++)
      run->metrics[k].v =
          lg_xrealloc(run->metrics[k].v, cap * sizeof *run->metrics[k].v);
  }
  run->si[n - 1] = i;
  run->st[n - 1] = t_ms;
  run->sphase[n - 1] = lg_xstrdup(phase ? phase : "iterate");
  for (size_t k = 0; k < run->nmetrics; k++)
    run->metrics[k].v[n - 1] = NAN;
  run->nsamples = n;
  return n - 1;
}

const char *lg_metric_unit(const char *name) {
  static const char *const bytes[] = {"rss",      "heapUsed",     "heapTotal",
                                      "external", "arrayBuffers", "mallocInUse",
                                      NULL};
  for (int i = 0; bytes[i]; i++)
    if (strcmp(name, bytes[i]) == 0)
      return "B";
  size_t n = strlen(name);
  if (n > 5 && strcmp(name + n - 5, "Bytes") == 0)
    return "B";
  return "";
}

size_t lg_results_failed(const lg_results_t *r) {
  size_t n = 0;
  for (size_t i = 0; i < r->nruns; i++)
    n += !r->runs[i].ok && r->runs[i].verdict != LG_V_INFRA;
  return n;
}

size_t lg_results_infra(const lg_results_t *r) {
  size_t n = 0;
  for (size_t i = 0; i < r->nruns; i++)
    n += r->runs[i].verdict == LG_V_INFRA;
  return n;
}
