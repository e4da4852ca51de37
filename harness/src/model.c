/* The result model, its lifetime and its JSON form (results.json). */
#include "model.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "util.h"

static const char *const lg_verdict_names[LG_V__COUNT] = {
    "PASS",  "LEAK",    "ERROR",    "RACE",
    "CRASH", "TIMEOUT", "RESOURCE", "EXPECTED-LEAK-MISSED",
    "INFRA"};

const char *lg_verdict_name(lg_verdict_t v) {
  return (unsigned)v < LG_V__COUNT ? lg_verdict_names[v] : "?";
}

int lg_verdict_parse(const char *name, lg_verdict_t *v) {
  for (int i = 0; i < LG_V__COUNT; i++)
    if (name && strcmp(name, lg_verdict_names[i]) == 0) {
      *v = (lg_verdict_t)i;
      return 0;
    }
  return -1;
}

static const char *const lg_fclass_names[] = {
    "info", "leak", "error", "race", "resource", "crash", "once"};
#define LG_NFCLASS (sizeof lg_fclass_names / sizeof lg_fclass_names[0])

const char *lg_fclass_name(lg_fclass_t c) {
  return (unsigned)c < LG_NFCLASS ? lg_fclass_names[c] : "?";
}

int lg_fclass_parse(const char *name, lg_fclass_t *c) {
  for (size_t i = 0; i < LG_NFCLASS; i++)
    if (name && strcmp(name, lg_fclass_names[i]) == 0) {
      *c = (lg_fclass_t)i;
      return 0;
    }
  return -1;
}

static const char *const lg_gate_status_names[LG_G__COUNT] = {
    "ok", "regression", "still failing", "improvement", "new", "missing"};

const char *lg_gate_status_name(lg_gate_status_t s) {
  return (unsigned)s < LG_G__COUNT ? lg_gate_status_names[s] : "?";
}

int lg_gate_status_parse(const char *name, lg_gate_status_t *s) {
  for (int i = 0; i < LG_G__COUNT; i++)
    if (name && strcmp(name, lg_gate_status_names[i]) == 0) {
      *s = (lg_gate_status_t)i;
      return 0;
    }
  return -1;
}

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

void lg_results_set_bench(lg_results_t *r, json_t *bench) {
  for (size_t i = 0; i < r->nbench_rows; i++) {
    free(r->bench_rows[i].suite);
    free(r->bench_rows[i].name);
  }
  free(r->bench_rows);
  r->bench_rows = NULL;
  r->nbench_rows = 0;
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
    if (!name || !json_is_number(ips))
      continue;
    lg_bench_add(r, "js",
                 json_is_number(ratio) ? lg_fmt("%s (%.2fx EventEmitter)", name,
                                                json_number_value(ratio))
                                       : lg_xstrdup(name),
                 json_number_value(ips), NAN);
  }
}

/* Capacity of the model's growable arrays holding n elements: the next
 * power of two. An array is reallocated when its count reaches a power of
 * two, so appending is amortised O(1) without a capacity field (a
 * sanitizer's realloc always copies: growing by one made loading and
 * sampling quadratic there). Only the functions below grow these arrays. */
static size_t lg_cap(size_t n) {
  size_t c = 1;
  while (c < n)
    c *= 2;
  return c;
}

static int lg_full(size_t n) {
  return n == 0 || (n & (n - 1)) == 0;
}

lg_run_t *lg_results_add_run(lg_results_t *r) {
  if (lg_full(r->nruns))
    r->runs = lg_xrealloc(r->runs, lg_cap(r->nruns + 1) * sizeof *r->runs);
  lg_run_t *run = &r->runs[r->nruns++];
  memset(run, 0, sizeof *run);
  run->min_detectable = run->alpha = NAN;
  run->iterate_ms = run->sample_ms = NAN;
  return run;
}

void lg_finding_free(lg_finding_t *f) {
  free(f->detector);
  free(f->kind);
  free(f->message);
  free(f->first_our_frame);
  free(f->source);
  for (size_t i = 0; i < f->nstacks; i++) {
    lg_stack_t *s = &f->stacks[i];
    free(s->title);
    for (size_t j = 0; j < s->nframes; j++) {
      free(s->frames[j].fn);
      free(s->frames[j].file);
      free(s->frames[j].obj);
    }
    free(s->frames);
  }
  free(f->stacks);
}

void lg_heapattr_free(lg_heapattr_t *h) {
  if (!h)
    return;
  for (size_t i = 0; i < h->ngrowers; i++) {
    lg_grower_t *g = &h->growers[i];
    free(g->kind);
    free(g->name);
    free(g->function);
    free(g->location);
    lg_strv_free(g->retainers, g->nretainers);
  }
  free(h->growers);
  free(h->note);
  free(h->dir);
  free(h);
}

void lg_run_free(lg_run_t *run) {
  free(run->scenario);
  free(run->variant);
  free(run->lang);
  free(run->fault);
  free(run->expected);
  free(run->evidence);
  free(run->command);
  free(run->run_dir);
  free(run->probe_error);
  lg_strv_free(run->supp_used, run->nsupp_used);
  free(run->primary);
  free(run->si);
  free(run->st);
  for (size_t i = 0; i < run->nsamples; i++)
    free(run->sphase[i]);
  free(run->sphase);
  for (size_t i = 0; i < run->nmetrics; i++) {
    free(run->metrics[i].name);
    free(run->metrics[i].v);
    free(run->metrics[i].measured);
    free(run->metrics[i].not_judged);
    free(run->metrics[i].noise_source);
  }
  free(run->metrics);
  for (size_t i = 0; i < run->nfindings; i++)
    lg_finding_free(&run->findings[i]);
  free(run->findings);
  lg_heapattr_free(run->heap);
  memset(run, 0, sizeof *run);
}

void lg_results_free(lg_results_t *r) {
  for (size_t i = 0; i < r->nruns; i++)
    lg_run_free(&r->runs[i]);
  free(r->runs);
  for (size_t i = 0; i < r->nnoise; i++) {
    free(r->noise[i].variant);
    free(r->noise[i].lang);
    free(r->noise[i].metric);
    free(r->noise[i].scenario);
  }
  free(r->noise);
  for (size_t i = 0; i < r->ncells; i++) {
    lg_cell_t *c = &r->cells[i];
    free(c->defect);
    free(c->column);
    free(c->variant);
    free(c->metric);
    free(c->status);
    free(c->evidence);
  }
  free(r->cells);
  for (size_t i = 0; i < r->ngate; i++) {
    lg_gate_row_t *g = &r->gate[i];
    free(g->scenario);
    free(g->variant);
    free(g->what);
    free(g->note);
  }
  free(r->gate);
  free(r->gate_baseline);
  free(r->tool_version);
  free(r->created);
  free(r->manifest);
  free(r->root);
  free(r->command);
  free(r->shard);
  free(r->control);
  lg_results_set_bench(r, NULL);
  if (r->extra)
    json_decref(r->extra);
  for (size_t i = 0; i < r->nsupp_uses; i++) {
    free(r->supp_uses[i].variant);
    free(r->supp_uses[i].file);
    free(r->supp_uses[i].name);
  }
  free(r->supp_uses);
  memset(r, 0, sizeof *r);
}

lg_metric_t *lg_run_metric(const lg_run_t *run, const char *name) {
  for (size_t i = 0; i < run->nmetrics; i++)
    if (strcmp(run->metrics[i].name, name) == 0)
      return &run->metrics[i];
  return NULL;
}

lg_metric_t *lg_run_metric_add(lg_run_t *run, const char *name) {
  lg_metric_t *m = lg_run_metric(run, name);
  if (m)
    return m;
  if (lg_full(run->nmetrics))
    run->metrics = lg_xrealloc(run->metrics, lg_cap(run->nmetrics + 1) *
                                                 sizeof *run->metrics);
  m = &run->metrics[run->nmetrics++];
  memset(m, 0, sizeof *m);
  m->name = lg_xstrdup(name);
  m->v = lg_xmalloc(lg_cap(run->nsamples) * sizeof *m->v);
  for (size_t i = 0; i < run->nsamples; i++)
    m->v[i] = NAN;
  m->threshold = m->baseline = m->final = m->peak = NAN;
  m->noise_sd = m->min_detectable = NAN;
  return m;
}

size_t lg_run_sample_add(lg_run_t *run, long long i, double t_ms,
                         const char *phase) {
  size_t n = run->nsamples + 1;
  if (lg_full(run->nsamples)) {
    size_t cap = lg_cap(n);
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

/* ---- serialisation ---------------------------------------------------- */

static json_t *lg_jnum(double v) {
  return isfinite(v) ? json_real(v) : json_null();
}

/* Strings may come from scenario output: invalid UTF-8 is written as \xNN
 * (jansson refuses it, and the field, or the whole object built with
 * json_pack, would silently vanish from results.json). */
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

static json_t *lg_trend_json(const lg_trend_t *t) {
  return json_pack("{s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "n",
                   (json_int_t)t->n, "x_first", lg_jnum(t->x_first), "x_last",
                   lg_jnum(t->x_last), "slope", lg_jnum(t->slope), "intercept",
                   lg_jnum(t->intercept), "slope_lo", lg_jnum(t->slope_lo),
                   "slope_hi", lg_jnum(t->slope_hi), "mk_s", lg_jnum(t->mk_s),
                   "mk_z", lg_jnum(t->mk_z), "mk_p", lg_jnum(t->mk_p),
                   "resid_sd", lg_jnum(t->resid_sd));
}

static json_t *lg_finding_json(const lg_finding_t *f) {
  json_t *stacks = json_array();
  for (size_t i = 0; i < f->nstacks; i++) {
    json_t *frames = json_array();
    for (size_t j = 0; j < f->stacks[i].nframes; j++) {
      const lg_frame_t *fr = &f->stacks[i].frames[j];
      json_array_append_new(
          frames, json_pack("{s:o,s:o,s:i,s:o,s:b}", "fn", lg_jstr(fr->fn),
                            "file", lg_jstr(fr->file), "line", fr->line, "obj",
                            lg_jstr(fr->obj), "ours", fr->ours));
    }
    json_array_append_new(stacks, json_pack("{s:o,s:o}", "title",
                                            lg_jstr(f->stacks[i].title),
                                            "frames", frames));
  }
  return json_pack("{s:o,s:o,s:s,s:o,s:I,s:I,s:b,s:o,s:o,s:o}", "detector",
                   lg_jstr(f->detector), "kind", lg_jstr(f->kind), "class",
                   lg_fclass_name(f->cls), "message", lg_jstr(f->message),
                   "bytes", (json_int_t)f->bytes, "blocks",
                   (json_int_t)f->blocks, "ours", f->ours, "first_our_frame",
                   lg_jstr(f->first_our_frame), "source", lg_jstr(f->source),
                   "stacks", stacks);
}

static json_t *lg_heapattr_json(const lg_heapattr_t *h) {
  json_t *growers = json_array();
  for (size_t i = 0; i < h->ngrowers; i++) {
    const lg_grower_t *g = &h->growers[i];
    json_t *path = json_array();
    for (size_t k = 0; k < g->nretainers; k++)
      json_array_append_new(path, lg_jstr(g->retainers[k]));
    json_t *go = json_object();
    json_object_set_new(go, "kind", lg_jstr(g->kind));
    json_object_set_new(go, "name", lg_jstr(g->name));
    json_object_set_new(go, "function", lg_jstr(g->function));
    json_object_set_new(go, "location", lg_jstr(g->location));
    json_object_set_new(go, "count", lg_jnum(g->count));
    json_object_set_new(go, "size", lg_jnum(g->size));
    json_object_set_new(go, "retainers", path);
    json_object_set_new(go, "retainers_truncated", json_boolean(g->truncated));
    json_array_append_new(growers, go);
  }
  json_t *o = json_object();
  json_object_set_new(o, "from", json_integer(h->from));
  json_object_set_new(o, "to", json_integer(h->to));
  json_object_set_new(o, "seconds", lg_jnum(h->seconds));
  json_object_set_new(o, "note", lg_jstr(h->note));
  json_object_set_new(o, "dir", lg_jstr(h->dir));
  json_object_set_new(o, "growers", growers);
  return o;
}

static json_t *lg_run_json(const lg_run_t *run) {
  json_t *o = json_object();
  json_object_set_new(o, "scenario", lg_jstr(run->scenario));
  json_object_set_new(o, "variant", lg_jstr(run->variant));
  json_object_set_new(o, "lang", lg_jstr(run->lang));
  json_object_set_new(o, "fault", lg_jstr(run->fault));
  json_object_set_new(o, "expected", lg_jstr(run->expected));
  json_object_set_new(o, "detected",
                      json_string(lg_verdict_name(run->detected)));
  json_object_set_new(o, "verdict", json_string(lg_verdict_name(run->verdict)));
  json_object_set_new(o, "ok", json_boolean(run->ok));
  json_object_set_new(o, "evidence", lg_jstr(run->evidence));
  json_object_set_new(o, "command", lg_jstr(run->command));
  json_object_set_new(o, "run_dir", lg_jstr(run->run_dir));
  json_object_set_new(o, "exit_status", json_integer(run->exit_status));
  json_object_set_new(o, "term_signal", json_integer(run->term_signal));
  json_object_set_new(o, "timed_out", json_boolean(run->timed_out));
  json_object_set_new(o, "hung_after_end_s", lg_jnum(run->hung_after_end_s));
  json_object_set_new(o, "slopes_judged", json_boolean(run->slopes_judged));
  json_object_set_new(o, "wall_s", lg_jnum(run->wall_s));
  json_object_set_new(o, "timeout_s", lg_jnum(run->timeout_s));
  json_object_set_new(o, "iterations", json_integer(run->iterations));
  json_object_set_new(o, "iterations_done", json_integer(run->iterations_done));
  json_object_set_new(o, "warmup", json_integer(run->warmup));
  json_object_set_new(o, "sample_every", json_integer(run->sample_every));
  json_object_set_new(o, "has_end", json_boolean(run->has_end));
  json_object_set_new(o, "probe_error", lg_jstr(run->probe_error));
  json_object_set_new(o, "primary", lg_jstr(run->primary));
  json_object_set_new(o, "min_detectable", lg_jnum(run->min_detectable));
  json_object_set_new(o, "alpha", lg_jnum(run->alpha));
  json_object_set_new(o, "iterate_ms", lg_jnum(run->iterate_ms));
  json_object_set_new(o, "sample_ms", lg_jnum(run->sample_ms));

  json_t *si = json_array(), *st = json_array(), *ph = json_array();
  for (size_t i = 0; i < run->nsamples; i++) {
    json_array_append_new(si, json_integer(run->si[i]));
    json_array_append_new(st, lg_jnum(run->st[i]));
    json_array_append_new(ph, lg_jstr(run->sphase[i]));
  }
  json_object_set_new(
      o, "samples",
      json_pack("{s:o,s:o,s:o}", "i", si, "t_ms", st, "phase", ph));

  json_t *metrics = json_array();
  for (size_t k = 0; k < run->nmetrics; k++) {
    const lg_metric_t *m = &run->metrics[k];
    json_t *vals = json_array();
    for (size_t i = 0; i < run->nsamples; i++)
      json_array_append_new(vals, lg_jnum(m->v[i]));
    json_t *mo = json_object();
    json_object_set_new(mo, "name", lg_jstr(m->name));
    json_object_set_new(mo, "fitted", json_boolean(m->fitted));
    json_object_set_new(mo, "trend",
                        m->fitted ? lg_trend_json(&m->trend) : json_null());
    json_object_set_new(mo, "threshold", lg_jnum(m->threshold));
    json_object_set_new(mo, "measured", lg_jstr(m->measured));
    if (m->not_judged) /* only when set: older readers never see the key */
      json_object_set_new(mo, "not_judged", lg_jstr(m->not_judged));
    json_object_set_new(mo, "exact", json_boolean(m->exact));
    json_object_set_new(mo, "baseline", lg_jnum(m->baseline));
    json_object_set_new(mo, "final", lg_jnum(m->final));
    json_object_set_new(mo, "peak", lg_jnum(m->peak));
    json_object_set_new(mo, "noise_sd", lg_jnum(m->noise_sd));
    json_object_set_new(mo, "noise_source", lg_jstr(m->noise_source));
    json_object_set_new(mo, "min_detectable", lg_jnum(m->min_detectable));
    json_object_set_new(mo, "flagged", json_boolean(m->flagged));
    json_object_set_new(mo, "values", vals);
    json_array_append_new(metrics, mo);
  }
  json_object_set_new(o, "metrics", metrics);

  json_t *findings = json_array();
  for (size_t i = 0; i < run->nfindings; i++)
    json_array_append_new(findings, lg_finding_json(&run->findings[i]));
  json_object_set_new(o, "findings", findings);
  json_t *used = json_array();
  for (size_t i = 0; i < run->nsupp_used; i++)
    json_array_append_new(used, lg_jstr(run->supp_used[i]));
  json_object_set_new(o, "suppressions_used", used);
  if (run->heap) /* only when attempted: older readers never see the key */
    json_object_set_new(o, "heap_attribution", lg_heapattr_json(run->heap));
  return o;
}

json_t *lg_results_to_json(const lg_results_t *r) {
  json_t *o = json_object();
  json_object_set_new(o, "schema", json_string("leakgate-results"));
  json_object_set_new(o, "schema_version", json_integer(LG_SCHEMA_VERSION));
  json_object_set_new(o, "tool_version", lg_jstr(r->tool_version));
  json_object_set_new(o, "created", lg_jstr(r->created));
  json_object_set_new(o, "manifest", lg_jstr(r->manifest));
  json_object_set_new(o, "root", lg_jstr(r->root));
  json_object_set_new(o, "command", lg_jstr(r->command));
  json_object_set_new(o, "shard", lg_jstr(r->shard));
  json_object_set_new(o, "control", lg_jstr(r->control));
  json_object_set_new(o, "exit_code", json_integer(r->exit_code));
  json_object_set_new(o, "complete", json_boolean(!r->incomplete));
  json_t *runs = json_array();
  for (size_t i = 0; i < r->nruns; i++)
    json_array_append_new(runs, lg_run_json(&r->runs[i]));
  json_object_set_new(o, "runs", runs);
  json_t *noise = json_array();
  for (size_t i = 0; i < r->nnoise; i++)
    json_array_append_new(noise,
                          json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "variant",
                                    lg_jstr(r->noise[i].variant), "lang",
                                    lg_jstr(r->noise[i].lang), "metric",
                                    lg_jstr(r->noise[i].metric), "scenario",
                                    lg_jstr(r->noise[i].scenario), "sd",
                                    lg_jnum(r->noise[i].sd), "slope",
                                    lg_jnum(r->noise[i].slope)));
  json_object_set_new(o, "noise", noise);
  json_t *supps = json_array();
  for (size_t i = 0; i < r->nsupp_uses; i++)
    json_array_append_new(supps,
                          json_pack("{s:o,s:o,s:o,s:I}", "variant",
                                    lg_jstr(r->supp_uses[i].variant), "file",
                                    lg_jstr(r->supp_uses[i].file), "name",
                                    lg_jstr(r->supp_uses[i].name), "uses",
                                    (json_int_t)r->supp_uses[i].uses));
  json_object_set_new(o, "suppressions", supps);
  if (r->has_selftest) {
    json_t *cells = json_array();
    for (size_t i = 0; i < r->ncells; i++) {
      const lg_cell_t *c = &r->cells[i];
      json_array_append_new(
          cells,
          json_pack("{s:o,s:o,s:o,s:o,s:b,s:o,s:o,s:o}", "defect",
                    lg_jstr(c->defect), "column", lg_jstr(c->column), "variant",
                    lg_jstr(c->variant), "metric", lg_jstr(c->metric),
                    "designated", c->designated, "status", lg_jstr(c->status),
                    "evidence", lg_jstr(c->evidence), "seconds",
                    lg_jnum(c->seconds)));
    }
    json_object_set_new(
        o, "selftest",
        json_pack("{s:b,s:o}", "ok", r->selftest_ok, "cells", cells));
  }
  if (r->has_gate) {
    json_t *rows = json_array();
    for (size_t i = 0; i < r->ngate; i++) {
      const lg_gate_row_t *g = &r->gate[i];
      json_array_append_new(
          rows, json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "scenario",
                          lg_jstr(g->scenario), "variant", lg_jstr(g->variant),
                          "what", lg_jstr(g->what), "baseline",
                          lg_jnum(g->baseline), "current", lg_jnum(g->current),
                          "tolerance", lg_jnum(g->tolerance), "status",
                          lg_jstr(lg_gate_status_name(g->status)), "note",
                          lg_jstr(g->note)));
    }
    json_object_set_new(o, "gate",
                        json_pack("{s:o,s:b,s:o}", "baseline",
                                  lg_jstr(r->gate_baseline), "ok", r->gate_ok,
                                  "rows", rows));
  }
  if (r->bench)
    json_object_set(o, "bench", r->bench);
  /* Keys this version does not know, as they were read (never overriding
   * ours: lg_results_load keeps only unknown keys). */
  if (r->extra)
    json_object_update_missing(o, r->extra);
  return o;
}

int lg_results_save(const lg_results_t *r, const char *path) {
  json_t *o = lg_results_to_json(r);
  char *s = json_dumps(o, JSON_INDENT(1) | JSON_REAL_PRECISION(10));
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

/* ---- loading ---------------------------------------------------------- */

/* The loader accepts results.json files written by older and newer leakgate
 * versions and partial files (an interrupted merge, a hand-trimmed baseline):
 * every field but a run's identity ('scenario', 'variant', 'verdict') is
 * optional, and null means absent. A field that is present with the wrong
 * type is refused, naming the field, because guessing would render a wrong
 * report. The first such error is kept in the context; callers check it once
 * per object rather than after every field. */
typedef struct lg_ld_s {
  char *err; /* first error, owned */
  char
      where[256]; /* path of the object being read, e.g. "runs[3].metrics[0]" */
} lg_ld_t;

static const char *lg_jtype(const json_t *v) {
  if (!v) /* absent: json_typeof() would dereference it */
    return "nothing";
  switch (json_typeof(v)) {
  case JSON_OBJECT:
    return "an object";
  case JSON_ARRAY:
    return "an array";
  case JSON_STRING:
    return "a string";
  case JSON_INTEGER:
  case JSON_REAL:
    return "a number";
  case JSON_TRUE:
  case JSON_FALSE:
    return "a boolean";
  default:
    return "null";
  }
}

static void lg_ld_bad(lg_ld_t *ld, const char *key, const char *expected,
                      const json_t *found) {
  if (ld->err)
    return;
  ld->err = lg_fmt("key '%s%s%s': expected %s, found %s", ld->where,
                   *ld->where ? "." : "", key, expected, lg_jtype(found));
}

/* The value of key, or NULL when absent or null. */
static json_t *lg_gval(json_t *o, const char *key) {
  json_t *v = json_object_get(o, key);
  return json_is_null(v) ? NULL : v;
}

static char *lg_gstr(lg_ld_t *ld, json_t *o, const char *key) {
  json_t *v = lg_gval(o, key);
  if (!v)
    return NULL;
  if (!json_is_string(v)) {
    lg_ld_bad(ld, key, "a string", v);
    return NULL;
  }
  return lg_xstrdup(json_string_value(v));
}

/* Like lg_gstr, for the fields every reader compares without a NULL check
 * (see model.h): dflt when absent. */
static char *lg_gstr_or(lg_ld_t *ld, json_t *o, const char *key,
                        const char *dflt) {
  char *s = lg_gstr(ld, o, key);
  return s ? s : lg_xstrdup(dflt);
}

static double lg_gnum(lg_ld_t *ld, json_t *o, const char *key) {
  json_t *v = lg_gval(o, key);
  if (!v)
    return NAN;
  if (!json_is_number(v)) {
    lg_ld_bad(ld, key, "a number", v);
    return NAN;
  }
  return json_number_value(v);
}

/* A double as a long long, clamped to +-9.2e18: a cast of a value outside
 * long long's range is undefined behaviour, and results files come from
 * other machines and versions. NaN reads as 0. */
static long long lg_clamp_ll(double d) {
  if (!(d > -9.2e18))
    return d != d ? 0 : -9200000000000000000LL;
  if (!(d < 9.2e18))
    return 9200000000000000000LL;
  return (long long)d;
}

static long long lg_gint(lg_ld_t *ld, json_t *o, const char *key,
                         long long dflt) {
  json_t *v = lg_gval(o, key);
  if (!v)
    return dflt;
  if (!json_is_number(v)) {
    lg_ld_bad(ld, key, "a number", v);
    return dflt;
  }
  if (json_is_integer(v))
    return (long long)json_integer_value(v);
  double d = json_number_value(v);
  return d != d ? dflt : lg_clamp_ll(d);
}

static int lg_gbool(lg_ld_t *ld, json_t *o, const char *key, int dflt) {
  json_t *v = lg_gval(o, key);
  if (!v)
    return dflt;
  if (json_is_boolean(v))
    return json_is_true(v);
  if (json_is_integer(v)) /* written by very early versions */
    return json_integer_value(v) != 0;
  lg_ld_bad(ld, key, "a boolean", v);
  return dflt;
}

/* An optional array: NULL when absent; sets the error for another type. */
static json_t *lg_garr(lg_ld_t *ld, json_t *o, const char *key) {
  json_t *v = lg_gval(o, key);
  if (v && !json_is_array(v)) {
    lg_ld_bad(ld, key, "an array", v);
    return NULL;
  }
  return v;
}

static json_t *lg_gobj(lg_ld_t *ld, json_t *o, const char *key) {
  json_t *v = lg_gval(o, key);
  if (v && !json_is_object(v)) {
    lg_ld_bad(ld, key, "an object", v);
    return NULL;
  }
  return v;
}

/* Sets ld->where to the printf-formatted path; returns the previous one in
 * saved (restored with lg_ld_pop). */
static void lg_ld_push(lg_ld_t *ld, char *saved, const char *fmt, ...)
    LG_PRINTF(3, 4);
static void lg_ld_push(lg_ld_t *ld, char *saved, const char *fmt, ...) {
  memcpy(saved, ld->where, sizeof ld->where);
  size_t n = strlen(ld->where);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ld->where + n, sizeof ld->where - n, fmt, ap);
  va_end(ap);
}

static void lg_ld_pop(lg_ld_t *ld, const char *saved) {
  memcpy(ld->where, saved, sizeof ld->where);
}

/* Element idx of an array of objects, or NULL with the error set. */
static json_t *lg_gelem(lg_ld_t *ld, json_t *arr, const char *key, size_t idx) {
  json_t *e = json_array_get(arr, idx);
  if (!json_is_object(e)) {
    char k[96];
    snprintf(k, sizeof k, "%s[%zu]", key, idx);
    lg_ld_bad(ld, k, "an object", e);
    return NULL;
  }
  return e;
}

static void lg_trend_from(lg_ld_t *ld, json_t *o, lg_trend_t *t) {
  t->n = (size_t)lg_gint(ld, o, "n", 0);
  t->x_first = lg_gnum(ld, o, "x_first");
  t->x_last = lg_gnum(ld, o, "x_last");
  t->slope = lg_gnum(ld, o, "slope");
  t->intercept = lg_gnum(ld, o, "intercept");
  t->slope_lo = lg_gnum(ld, o, "slope_lo");
  t->slope_hi = lg_gnum(ld, o, "slope_hi");
  t->mk_s = lg_gnum(ld, o, "mk_s");
  t->mk_z = lg_gnum(ld, o, "mk_z");
  t->mk_p = lg_gnum(ld, o, "mk_p");
  t->resid_sd = lg_gnum(ld, o, "resid_sd");
}

static void lg_samples_from(lg_ld_t *ld, json_t *o, lg_run_t *run) {
  char saved[sizeof ld->where];
  json_t *s = lg_gobj(ld, o, "samples");
  if (!s)
    return;
  lg_ld_push(ld, saved, ".samples");
  json_t *si = lg_garr(ld, s, "i"), *st = lg_garr(ld, s, "t_ms"),
         *ph = lg_garr(ld, s, "phase");
  size_t n = json_array_size(si);
  for (size_t i = 0; i < n && !ld->err; i++) {
    json_t *x = json_array_get(si, i), *t = json_array_get(st, i),
           *p = json_array_get(ph, i);
    char k[48];
    if (!json_is_number(x)) {
      snprintf(k, sizeof k, "i[%zu]", i);
      lg_ld_bad(ld, k, "a number", x);
    } else if (t && !json_is_number(t) && !json_is_null(t)) {
      snprintf(k, sizeof k, "t_ms[%zu]", i);
      lg_ld_bad(ld, k, "a number", t);
    } else if (p && !json_is_string(p) && !json_is_null(p)) {
      snprintf(k, sizeof k, "phase[%zu]", i);
      lg_ld_bad(ld, k, "a string", p);
    } else {
      /* A missing phase is shown as "?", never as a real phase: it must not
       * enter a fit or the baseline/final values. */
      lg_run_sample_add(run,
                        json_is_integer(x) ? (long long)json_integer_value(x)
                                           : lg_clamp_ll(json_number_value(x)),
                        json_is_number(t) ? json_number_value(t) : NAN,
                        json_is_string(p) ? json_string_value(p) : "?");
    }
  }
  lg_ld_pop(ld, saved);
}

/* Metrics are built directly (not with lg_run_metric_add, whose lookup is
 * linear): a run with tens of thousands of metrics loads in linear time. A
 * name given twice keeps its first entry. */
static void lg_metrics_from(lg_ld_t *ld, json_t *o, lg_run_t *run) {
  char saved[sizeof ld->where];
  json_t *metrics = lg_garr(ld, o, "metrics");
  size_t n = json_array_size(metrics);
  if (!n)
    return;
  json_t *seen = json_object();
  run->metrics = lg_xcalloc(lg_cap(n), sizeof *run->metrics);
  for (size_t k = 0; k < n && !ld->err; k++) {
    json_t *mo = lg_gelem(ld, metrics, "metrics", k);
    if (!mo)
      break;
    lg_ld_push(ld, saved, ".metrics[%zu]", k);
    json_t *nm = lg_gval(mo, "name");
    if (!json_is_string(nm)) {
      lg_ld_bad(ld, "name", "a string", nm);
    } else if (!json_object_get(seen, json_string_value(nm))) {
      json_object_set_new_nocheck(seen, json_string_value(nm), json_true());
      lg_metric_t *m = &run->metrics[run->nmetrics++];
      m->name = lg_xstrdup(json_string_value(nm));
      m->v = lg_xmalloc(lg_cap(run->nsamples) * sizeof *m->v);
      json_t *vals = lg_garr(ld, mo, "values");
      for (size_t i = 0; i < run->nsamples; i++) {
        json_t *x = json_array_get(vals, i);
        m->v[i] = json_is_number(x) ? json_number_value(x) : NAN;
      }
      m->fitted = lg_gbool(ld, mo, "fitted", 0);
      json_t *trend = lg_gobj(ld, mo, "trend");
      if (m->fitted && trend) {
        char tsaved[sizeof ld->where];
        lg_ld_push(ld, tsaved, ".trend");
        lg_trend_from(ld, trend, &m->trend);
        lg_ld_pop(ld, tsaved);
      } else {
        m->fitted = 0; /* "fitted" without a trend has nothing to show */
      }
      m->threshold = lg_gnum(ld, mo, "threshold");
      m->measured = lg_gstr(ld, mo, "measured");
      m->not_judged = lg_gstr(ld, mo, "not_judged");
      m->exact = lg_gbool(ld, mo, "exact", 0);
      m->baseline = lg_gnum(ld, mo, "baseline");
      m->final = lg_gnum(ld, mo, "final");
      m->peak = lg_gnum(ld, mo, "peak");
      m->noise_sd = lg_gnum(ld, mo, "noise_sd");
      m->noise_source = lg_gstr(ld, mo, "noise_source");
      m->min_detectable = lg_gnum(ld, mo, "min_detectable");
      m->flagged = lg_gbool(ld, mo, "flagged", 0);
    }
    lg_ld_pop(ld, saved);
  }
  json_decref(seen);
}

static void lg_findings_from(lg_ld_t *ld, json_t *o, lg_run_t *run) {
  char saved[sizeof ld->where];
  json_t *findings = lg_garr(ld, o, "findings");
  size_t n = json_array_size(findings);
  if (!n)
    return;
  run->findings = lg_xcalloc(n, sizeof *run->findings);
  for (size_t k = 0; k < n && !ld->err; k++) {
    json_t *fo = lg_gelem(ld, findings, "findings", k);
    if (!fo)
      break;
    lg_ld_push(ld, saved, ".findings[%zu]", k);
    lg_finding_t *f = &run->findings[run->nfindings++];
    f->detector = lg_gstr_or(ld, fo, "detector", "?");
    f->kind = lg_gstr_or(ld, fo, "kind", "?");
    char *cls = lg_gstr(ld, fo, "class");
    if (lg_fclass_parse(cls, &f->cls) != 0)
      f->cls = LG_F_INFO; /* a class this version does not know: listed */
    free(cls);
    f->message = lg_gstr(ld, fo, "message");
    f->bytes = lg_gint(ld, fo, "bytes", -1);
    f->blocks = lg_gint(ld, fo, "blocks", -1);
    f->ours = lg_gbool(ld, fo, "ours", 0);
    f->first_our_frame = lg_gstr(ld, fo, "first_our_frame");
    f->source = lg_gstr(ld, fo, "source");
    json_t *stacks = lg_garr(ld, fo, "stacks");
    size_t ns = json_array_size(stacks);
    f->stacks = lg_xcalloc(ns ? ns : 1, sizeof *f->stacks);
    for (size_t s = 0; s < ns && !ld->err; s++) {
      json_t *so = lg_gelem(ld, stacks, "stacks", s);
      if (!so)
        break;
      lg_stack_t *stk = &f->stacks[f->nstacks++];
      stk->title = lg_gstr(ld, so, "title");
      json_t *frames = lg_garr(ld, so, "frames");
      size_t nf = json_array_size(frames);
      stk->frames = lg_xcalloc(nf ? nf : 1, sizeof *stk->frames);
      for (size_t fi = 0; fi < nf && !ld->err; fi++) {
        json_t *fr = lg_gelem(ld, frames, "frames", fi);
        if (!fr)
          break;
        lg_frame_t *frame = &stk->frames[stk->nframes++];
        frame->fn = lg_gstr(ld, fr, "fn");
        frame->file = lg_gstr(ld, fr, "file");
        frame->line = (int)lg_gint(ld, fr, "line", 0);
        frame->obj = lg_gstr(ld, fr, "obj");
        frame->ours = lg_gbool(ld, fr, "ours", 0);
      }
    }
    lg_ld_pop(ld, saved);
  }
}

static void lg_heapattr_from(lg_ld_t *ld, json_t *o, lg_run_t *run) {
  json_t *ho = lg_gobj(ld, o, "heap_attribution");
  if (!ho || ld->err)
    return;
  char saved[sizeof ld->where];
  lg_ld_push(ld, saved, ".heap_attribution");
  lg_heapattr_t *h = run->heap = lg_xcalloc(1, sizeof *h);
  h->from = lg_gint(ld, ho, "from", 0);
  h->to = lg_gint(ld, ho, "to", 0);
  h->seconds = lg_gnum(ld, ho, "seconds");
  h->note = lg_gstr(ld, ho, "note");
  h->dir = lg_gstr(ld, ho, "dir");
  json_t *growers = lg_garr(ld, ho, "growers");
  size_t n = json_array_size(growers);
  h->growers = lg_xcalloc(n ? n : 1, sizeof *h->growers);
  for (size_t k = 0; k < n && !ld->err; k++) {
    json_t *go = lg_gelem(ld, growers, "growers", k);
    if (!go)
      break;
    char gsaved[sizeof ld->where];
    lg_ld_push(ld, gsaved, ".growers[%zu]", k);
    lg_grower_t *g = &h->growers[h->ngrowers++];
    g->kind = lg_gstr_or(ld, go, "kind", "?");
    g->name = lg_gstr_or(ld, go, "name", "?");
    g->function = lg_gstr(ld, go, "function");
    g->location = lg_gstr(ld, go, "location");
    g->count = lg_gnum(ld, go, "count");
    g->size = lg_gnum(ld, go, "size");
    g->truncated = lg_gbool(ld, go, "retainers_truncated", 0);
    json_t *path = lg_garr(ld, go, "retainers");
    size_t np = json_array_size(path);
    g->retainers = lg_xcalloc(np ? np : 1, sizeof *g->retainers);
    for (size_t i = 0; i < np && !ld->err; i++) {
      json_t *hop = json_array_get(path, i);
      if (!json_is_string(hop)) {
        char key[48];
        snprintf(key, sizeof key, "retainers[%zu]", i);
        lg_ld_bad(ld, key, "a string", hop);
        break;
      }
      g->retainers[g->nretainers++] = lg_xstrdup(json_string_value(hop));
    }
    lg_ld_pop(ld, gsaved);
  }
  lg_ld_pop(ld, saved);
}

static void lg_run_from(lg_ld_t *ld, json_t *o, lg_run_t *run) {
  run->scenario = lg_gstr(ld, o, "scenario");
  run->variant = lg_gstr(ld, o, "variant");
  if (!ld->err && (!run->scenario || !run->variant)) {
    lg_ld_bad(ld, run->scenario ? "variant" : "scenario", "a string",
              lg_gval(o, run->scenario ? "variant" : "scenario"));
    return;
  }
  if (ld->err)
    return;
  /* From here on errors name the run, which is easier to find than an index. */
  size_t n = strlen(ld->where);
  snprintf(ld->where + n, sizeof ld->where - n, "(%s/%s)", run->scenario,
           run->variant);
  run->lang = lg_gstr(ld, o, "lang");
  run->fault = lg_gstr(ld, o, "fault");
  run->expected = lg_gstr(ld, o, "expected");
  char *v = lg_gstr(ld, o, "verdict"), *d = lg_gstr(ld, o, "detected");
  if (!ld->err && lg_verdict_parse(v, &run->verdict) != 0)
    ld->err = lg_fmt("key '%s.verdict': unknown verdict '%s'", ld->where,
                     v ? v : "(missing)");
  if (!ld->err && !d)
    run->detected = run->verdict; /* older files: no separate detection */
  else if (!ld->err && lg_verdict_parse(d, &run->detected) != 0)
    ld->err = lg_fmt("key '%s.detected': unknown verdict '%s'", ld->where, d);
  free(d);
  free(v);
  if (ld->err)
    return;
  run->ok = lg_gbool(ld, o, "ok", run->verdict == LG_V_PASS);
  run->evidence = lg_gstr(ld, o, "evidence");
  run->command = lg_gstr(ld, o, "command");
  run->run_dir = lg_gstr(ld, o, "run_dir");
  run->exit_status = (int)lg_gint(ld, o, "exit_status", 0);
  run->term_signal = (int)lg_gint(ld, o, "term_signal", 0);
  run->timed_out = lg_gbool(ld, o, "timed_out", 0);
  run->hung_after_end_s = lg_gnum(ld, o, "hung_after_end_s");
  /* Absent in results written before the field existed: they judged all. */
  run->slopes_judged = lg_gbool(ld, o, "slopes_judged", 1);
  run->wall_s = lg_gnum(ld, o, "wall_s");
  run->timeout_s = lg_gnum(ld, o, "timeout_s");
  run->iterations = lg_gint(ld, o, "iterations", 0);
  run->iterations_done = lg_gint(ld, o, "iterations_done", 0);
  run->warmup = lg_gint(ld, o, "warmup", 0);
  run->sample_every = lg_gint(ld, o, "sample_every", 0);
  run->has_end = lg_gbool(ld, o, "has_end", 0);
  run->probe_error = lg_gstr(ld, o, "probe_error");
  run->primary = lg_gstr(ld, o, "primary");
  run->min_detectable = lg_gnum(ld, o, "min_detectable");
  run->alpha = lg_gnum(ld, o, "alpha");
  run->iterate_ms = lg_gnum(ld, o, "iterate_ms");
  run->sample_ms = lg_gnum(ld, o, "sample_ms");
  if (ld->err)
    return;
  lg_samples_from(ld, o, run);
  if (!ld->err)
    lg_metrics_from(ld, o, run);
  json_t *used = lg_garr(ld, o, "suppressions_used");
  size_t nu = json_array_size(used);
  if (nu && !ld->err) {
    run->supp_used = lg_xcalloc(nu, sizeof(char *));
    for (size_t k = 0; k < nu; k++) {
      json_t *u = json_array_get(used, k);
      if (json_is_string(u))
        run->supp_used[run->nsupp_used++] = lg_xstrdup(json_string_value(u));
    }
  }
  if (!ld->err)
    lg_findings_from(ld, o, run);
  if (!ld->err)
    lg_heapattr_from(ld, o, run);
}

/* Top-level keys this version reads; every other key is kept verbatim in
 * lg_results_t.extra and written back (a baseline's "tolerance" block). */
static const char *const lg_known_keys[] = {
    "schema",    "schema_version", "tool_version",
    "created",   "manifest",       "root",
    "command",   "shard",          "control",
    "exit_code", "complete",       "runs",
    "noise",     "suppressions",   "selftest",
    "gate",      "bench",          NULL};

static int lg_known_key(const char *k) {
  for (size_t i = 0; lg_known_keys[i]; i++)
    if (strcmp(lg_known_keys[i], k) == 0)
      return 1;
  return 0;
}

static void lg_results_from(lg_ld_t *ld, json_t *o, lg_results_t *r) {
  char saved[sizeof ld->where];
  if (!json_is_object(o)) {
    ld->err = lg_fmt("expected a JSON object, found %s", lg_jtype(o));
    return;
  }
  json_t *schema = json_object_get(o, "schema");
  if (!json_is_string(schema) ||
      strcmp(json_string_value(schema), "leakgate-results") != 0) {
    ld->err = lg_xstrdup("key 'schema': expected \"leakgate-results\"");
    return;
  }
  json_t *sv = json_object_get(o, "schema_version");
  if (!json_is_integer(sv) || json_integer_value(sv) != LG_SCHEMA_VERSION) {
    if (json_is_integer(sv))
      ld->err = lg_fmt("key 'schema_version': this leakgate reads version %d, "
                       "the file is version %lld",
                       LG_SCHEMA_VERSION, (long long)json_integer_value(sv));
    else
      ld->err = lg_fmt("key 'schema_version': expected the integer %d, found "
                       "%s",
                       LG_SCHEMA_VERSION, lg_jtype(sv));
    return;
  }
  r->schema = LG_SCHEMA_VERSION;
  r->tool_version = lg_gstr(ld, o, "tool_version");
  r->created = lg_gstr(ld, o, "created");
  r->manifest = lg_gstr(ld, o, "manifest");
  r->root = lg_gstr(ld, o, "root");
  r->command = lg_gstr(ld, o, "command");
  r->shard = lg_gstr(ld, o, "shard");
  r->control = lg_gstr(ld, o, "control");
  int has_exit = lg_gval(o, "exit_code") != NULL;
  r->exit_code = (int)lg_gint(ld, o, "exit_code", 0);
  r->incomplete = json_is_false(json_object_get(o, "complete"));
  json_t *runs = json_object_get(o, "runs");
  if (!ld->err && !json_is_array(runs)) {
    lg_ld_bad(ld, "runs", "an array", runs);
    return;
  }
  size_t nr = json_array_size(runs);
  for (size_t i = 0; i < nr && !ld->err; i++) {
    json_t *ro = lg_gelem(ld, runs, "runs", i);
    if (!ro)
      break;
    lg_ld_push(ld, saved, "runs[%zu]", i);
    lg_run_from(ld, ro, lg_results_add_run(r));
    lg_ld_pop(ld, saved);
  }
  json_t *supps = lg_garr(ld, o, "suppressions");
  for (size_t i = 0; i < json_array_size(supps); i++) {
    json_t *so = json_array_get(supps, i);
    const char *sv2 = json_string_value(json_object_get(so, "variant"));
    const char *sf = json_string_value(json_object_get(so, "file"));
    const char *sn = json_string_value(json_object_get(so, "name"));
    json_t *su = json_object_get(so, "uses");
    if (sv2 && sf && sn)
      lg_results_supp_use(r, sv2, sf, sn,
                          json_is_integer(su) ? (long)json_integer_value(su)
                                              : 0);
  }
  json_t *noise = lg_garr(ld, o, "noise");
  size_t nn = json_array_size(noise);
  if (nn && !ld->err)
    r->noise = lg_xcalloc(nn, sizeof *r->noise);
  for (size_t i = 0; i < nn && !ld->err; i++) {
    json_t *no = lg_gelem(ld, noise, "noise", i);
    if (!no)
      break;
    lg_ld_push(ld, saved, "noise[%zu]", i);
    lg_noise_t *n = &r->noise[r->nnoise++];
    n->variant = lg_gstr(ld, no, "variant");
    n->lang = lg_gstr(ld, no, "lang");
    n->metric = lg_gstr(ld, no, "metric");
    n->scenario = lg_gstr(ld, no, "scenario");
    n->sd = lg_gnum(ld, no, "sd");
    n->slope = lg_gnum(ld, no, "slope");
    if (!ld->err && (!n->variant || !n->metric))
      lg_ld_bad(ld, n->variant ? "metric" : "variant", "a string",
                lg_gval(no, n->variant ? "metric" : "variant"));
    lg_ld_pop(ld, saved);
  }
  json_t *st = lg_gobj(ld, o, "selftest");
  if (st && !ld->err) {
    r->has_selftest = 1;
    lg_ld_push(ld, saved, "selftest");
    json_t *cells = lg_garr(ld, st, "cells");
    size_t nc = json_array_size(cells);
    r->cells = lg_xcalloc(nc ? nc : 1, sizeof *r->cells);
    size_t missed = 0;
    for (size_t i = 0; i < nc && !ld->err; i++) {
      json_t *co = lg_gelem(ld, cells, "cells", i);
      if (!co)
        break;
      char csaved[sizeof ld->where];
      lg_ld_push(ld, csaved, ".cells[%zu]", i);
      lg_cell_t *c = &r->cells[r->ncells++];
      c->defect = lg_gstr_or(ld, co, "defect", "?");
      c->column = lg_gstr_or(ld, co, "column", "?");
      c->variant = lg_gstr(ld, co, "variant");
      c->metric = lg_gstr(ld, co, "metric");
      c->designated = lg_gbool(ld, co, "designated", 0);
      c->status = lg_gstr_or(ld, co, "status", "?");
      c->evidence = lg_gstr(ld, co, "evidence");
      c->seconds = lg_gnum(ld, co, "seconds");
      missed += c->designated && strcmp(c->status, "caught") != 0;
      lg_ld_pop(ld, csaved);
    }
    r->selftest_ok = lg_gbool(ld, st, "ok", missed == 0);
    lg_ld_pop(ld, saved);
  }
  json_t *gate = lg_gobj(ld, o, "gate");
  if (gate && !ld->err) {
    r->has_gate = 1;
    lg_ld_push(ld, saved, "gate");
    r->gate_baseline = lg_gstr(ld, gate, "baseline");
    json_t *rows = lg_garr(ld, gate, "rows");
    size_t ng = json_array_size(rows);
    r->gate = lg_xcalloc(ng ? ng : 1, sizeof *r->gate);
    size_t reg = 0;
    for (size_t i = 0; i < ng && !ld->err; i++) {
      json_t *go = lg_gelem(ld, rows, "rows", i);
      if (!go)
        break;
      char gsaved[sizeof ld->where];
      lg_ld_push(ld, gsaved, ".rows[%zu]", i);
      lg_gate_row_t *g = &r->gate[r->ngate++];
      g->scenario = lg_gstr_or(ld, go, "scenario", "?");
      g->variant = lg_gstr_or(ld, go, "variant", "?");
      g->what = lg_gstr_or(ld, go, "what", "?");
      g->baseline = lg_gnum(ld, go, "baseline");
      g->current = lg_gnum(ld, go, "current");
      g->tolerance = lg_gnum(ld, go, "tolerance");
      /* An unknown or missing status (a newer writer, a partial file) is
       * shown as a regression rather than silently passing. */
      if (lg_gate_status_parse(json_string_value(json_object_get(go, "status")),
                               &g->status))
        g->status = LG_G_REGRESSION;
      g->note = lg_gstr(ld, go, "note");
      reg += g->status == LG_G_REGRESSION;
      lg_ld_pop(ld, gsaved);
    }
    r->gate_ok = lg_gbool(ld, gate, "ok", reg == 0);
    lg_ld_pop(ld, saved);
  }
  if (ld->err)
    return;
  if (!has_exit) /* a partial file: the code its content implies */
    r->exit_code = lg_results_infra(r) ? 3
                   : lg_results_failed(r) || (r->has_gate && !r->gate_ok) ||
                           (r->has_selftest && !r->selftest_ok)
                       ? 1
                       : 0;
  json_t *bench = lg_gval(o, "bench");
  if (bench)
    lg_results_set_bench(r, json_incref(bench));
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

int lg_results_load(const char *path, lg_results_t *r, char **err) {
  json_error_t je;
  memset(r, 0, sizeof *r);
  json_t *o = json_load_file(path, 0, &je);
  if (!o) {
    *err = lg_fmt("%s: %s (line %d)", path, je.text, je.line);
    return -1;
  }
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
  json_t *o = lg_run_json(src);
  lg_ld_t ld = {0};
  memset(dst, 0, sizeof *dst);
  dst->min_detectable = dst->alpha = NAN;
  dst->iterate_ms = dst->sample_ms = NAN;
  lg_run_from(&ld, o, dst); /* cannot fail on our own output */
  free(ld.err);
  json_decref(o);
}
