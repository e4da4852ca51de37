/* The result model, its lifetime and its JSON form (results.json). */
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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

static const char *const lg_fclass_names[] = {"info", "leak",     "error",
                                              "race", "resource", "crash"};

const char *lg_fclass_name(lg_fclass_t c) {
  return (unsigned)c < 6 ? lg_fclass_names[c] : "?";
}

int lg_fclass_parse(const char *name, lg_fclass_t *c) {
  for (int i = 0; i < 6; i++)
    if (name && strcmp(name, lg_fclass_names[i]) == 0) {
      *c = (lg_fclass_t)i;
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

lg_run_t *lg_results_add_run(lg_results_t *r) {
  r->runs = lg_xrealloc(r->runs, (r->nruns + 1) * sizeof *r->runs);
  lg_run_t *run = &r->runs[r->nruns++];
  memset(run, 0, sizeof *run);
  run->min_detectable = NAN;
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
    free(run->metrics[i].noise_source);
  }
  free(run->metrics);
  for (size_t i = 0; i < run->nfindings; i++)
    lg_finding_free(&run->findings[i]);
  free(run->findings);
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
    free(g->status);
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
  run->metrics =
      lg_xrealloc(run->metrics, (run->nmetrics + 1) * sizeof *run->metrics);
  m = &run->metrics[run->nmetrics++];
  memset(m, 0, sizeof *m);
  m->name = lg_xstrdup(name);
  m->v = lg_xmalloc((run->nsamples ? run->nsamples : 1) * sizeof *m->v);
  for (size_t i = 0; i < run->nsamples; i++)
    m->v[i] = NAN;
  m->threshold = m->baseline = m->final = m->peak = NAN;
  m->noise_sd = m->min_detectable = NAN;
  return m;
}

size_t lg_run_sample_add(lg_run_t *run, long long i, double t_ms,
                         const char *phase) {
  size_t n = run->nsamples + 1;
  run->si = lg_xrealloc(run->si, n * sizeof *run->si);
  run->st = lg_xrealloc(run->st, n * sizeof *run->st);
  run->sphase = lg_xrealloc(run->sphase, n * sizeof *run->sphase);
  run->si[n - 1] = i;
  run->st[n - 1] = t_ms;
  run->sphase[n - 1] = lg_xstrdup(phase ? phase : "iterate");
  for (size_t k = 0; k < run->nmetrics; k++) {
    run->metrics[k].v =
        lg_xrealloc(run->metrics[k].v, n * sizeof *run->metrics[k].v);
    run->metrics[k].v[n - 1] = NAN;
  }
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

static json_t *lg_jstr(const char *s) {
  return s ? json_string(s) : json_null();
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
  json_object_set_new(o, "iterate_ms", lg_jnum(run->iterate_ms));
  json_object_set_new(o, "sample_ms", lg_jnum(run->sample_ms));

  json_t *si = json_array(), *st = json_array(), *ph = json_array();
  for (size_t i = 0; i < run->nsamples; i++) {
    json_array_append_new(si, json_integer(run->si[i]));
    json_array_append_new(st, lg_jnum(run->st[i]));
    json_array_append_new(ph, json_string(run->sphase[i]));
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
    json_object_set_new(mo, "name", json_string(m->name));
    json_object_set_new(mo, "fitted", json_boolean(m->fitted));
    json_object_set_new(mo, "trend",
                        m->fitted ? lg_trend_json(&m->trend) : json_null());
    json_object_set_new(mo, "threshold", lg_jnum(m->threshold));
    json_object_set_new(mo, "measured", lg_jstr(m->measured));
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
    json_array_append_new(used, json_string(run->supp_used[i]));
  json_object_set_new(o, "suppressions_used", used);
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
  json_t *runs = json_array();
  for (size_t i = 0; i < r->nruns; i++)
    json_array_append_new(runs, lg_run_json(&r->runs[i]));
  json_object_set_new(o, "runs", runs);
  json_t *noise = json_array();
  for (size_t i = 0; i < r->nnoise; i++)
    json_array_append_new(
        noise,
        json_pack("{s:s,s:o,s:s,s:o,s:o,s:o}", "variant", r->noise[i].variant,
                  "lang", lg_jstr(r->noise[i].lang), "metric",
                  r->noise[i].metric, "scenario", lg_jstr(r->noise[i].scenario),
                  "sd", lg_jnum(r->noise[i].sd), "slope",
                  lg_jnum(r->noise[i].slope)));
  json_object_set_new(o, "noise", noise);
  json_t *supps = json_array();
  for (size_t i = 0; i < r->nsupp_uses; i++)
    json_array_append_new(supps, json_pack("{s:s,s:s,s:s,s:I}", "variant",
                                           r->supp_uses[i].variant, "file",
                                           r->supp_uses[i].file, "name",
                                           r->supp_uses[i].name, "uses",
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
                          lg_jstr(g->status), "note", lg_jstr(g->note)));
    }
    json_object_set_new(o, "gate",
                        json_pack("{s:o,s:b,s:o}", "baseline",
                                  lg_jstr(r->gate_baseline), "ok", r->gate_ok,
                                  "rows", rows));
  }
  if (r->bench)
    json_object_set(o, "bench", r->bench);
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

static char *lg_gstr(json_t *o, const char *key) {
  json_t *v = json_object_get(o, key);
  return json_is_string(v) ? lg_xstrdup(json_string_value(v)) : NULL;
}

static double lg_gnum(json_t *o, const char *key) {
  json_t *v = json_object_get(o, key);
  return json_is_number(v) ? json_number_value(v) : NAN;
}

/* A JSON number as a long long: 0 when absent, not a number, or outside
 * the range (the cast would be undefined behaviour: results files come from
 * other machines and shards). */
static long long lg_num_ll(json_t *v) {
  if (json_is_integer(v))
    return (long long)json_integer_value(v);
  double d = json_number_value(v);
  return d > -9.2e18 && d < 9.2e18 ? (long long)d : 0;
}

static long long lg_gint(json_t *o, const char *key) {
  return lg_num_ll(json_object_get(o, key));
}

static int lg_gbool(json_t *o, const char *key) {
  json_t *v = json_object_get(o, key);
  return json_is_true(v) || (json_is_integer(v) && json_integer_value(v));
}

static void lg_trend_from(json_t *o, lg_trend_t *t) {
  t->n = (size_t)lg_gint(o, "n");
  t->x_first = lg_gnum(o, "x_first");
  t->x_last = lg_gnum(o, "x_last");
  t->slope = lg_gnum(o, "slope");
  t->intercept = lg_gnum(o, "intercept");
  t->slope_lo = lg_gnum(o, "slope_lo");
  t->slope_hi = lg_gnum(o, "slope_hi");
  t->mk_s = lg_gnum(o, "mk_s");
  t->mk_z = lg_gnum(o, "mk_z");
  t->mk_p = lg_gnum(o, "mk_p");
  t->resid_sd = lg_gnum(o, "resid_sd");
}

static int lg_run_from(json_t *o, lg_run_t *run, char **err) {
  if (!json_is_object(o)) {
    *err = lg_xstrdup("runs[]: expected an object");
    return -1;
  }
  run->scenario = lg_gstr(o, "scenario");
  run->variant = lg_gstr(o, "variant");
  if (!run->scenario || !run->variant) {
    *err = lg_xstrdup("runs[]: expected string keys 'scenario' and 'variant'");
    return -1;
  }
  run->lang = lg_gstr(o, "lang");
  run->fault = lg_gstr(o, "fault");
  run->expected = lg_gstr(o, "expected");
  char *d = lg_gstr(o, "detected"), *v = lg_gstr(o, "verdict");
  int bad = lg_verdict_parse(d, &run->detected) != 0 ||
            lg_verdict_parse(v, &run->verdict) != 0;
  if (bad) {
    *err = lg_fmt("runs[%s/%s]: unknown verdict '%s'", run->scenario,
                  run->variant, v ? v : "(missing)");
    free(d);
    free(v);
    return -1;
  }
  free(d);
  free(v);
  run->ok = lg_gbool(o, "ok");
  run->evidence = lg_gstr(o, "evidence");
  run->command = lg_gstr(o, "command");
  run->run_dir = lg_gstr(o, "run_dir");
  run->exit_status = (int)lg_gint(o, "exit_status");
  run->term_signal = (int)lg_gint(o, "term_signal");
  run->timed_out = lg_gbool(o, "timed_out");
  run->hung_after_end_s = lg_gnum(o, "hung_after_end_s");
  /* Absent in results written before the field existed: they judged all. */
  json_t *sj = json_object_get(o, "slopes_judged");
  run->slopes_judged = sj ? json_is_true(sj) : 1;
  run->wall_s = lg_gnum(o, "wall_s");
  run->timeout_s = lg_gnum(o, "timeout_s");
  run->iterations = lg_gint(o, "iterations");
  run->iterations_done = lg_gint(o, "iterations_done");
  run->warmup = lg_gint(o, "warmup");
  run->sample_every = lg_gint(o, "sample_every");
  run->has_end = lg_gbool(o, "has_end");
  run->probe_error = lg_gstr(o, "probe_error");
  run->primary = lg_gstr(o, "primary");
  run->min_detectable = lg_gnum(o, "min_detectable");
  run->iterate_ms = lg_gnum(o, "iterate_ms");
  run->sample_ms = lg_gnum(o, "sample_ms");

  json_t *s = json_object_get(o, "samples");
  json_t *si = json_object_get(s, "i"), *st = json_object_get(s, "t_ms"),
         *ph = json_object_get(s, "phase");
  size_t n = json_array_size(si);
  for (size_t i = 0; i < n; i++)
    lg_run_sample_add(run, lg_num_ll(json_array_get(si, i)),
                      json_is_number(json_array_get(st, i))
                          ? json_number_value(json_array_get(st, i))
                          : NAN,
                      json_string_value(json_array_get(ph, i)));

  json_t *metrics = json_object_get(o, "metrics"), *mo;
  size_t k;
  json_array_foreach(metrics, k, mo) {
    const char *name = json_string_value(json_object_get(mo, "name"));
    if (!name)
      continue;
    lg_metric_t *m = lg_run_metric_add(run, name);
    json_t *vals = json_object_get(mo, "values");
    for (size_t i = 0; i < run->nsamples; i++) {
      json_t *x = json_array_get(vals, i);
      m->v[i] = json_is_number(x) ? json_number_value(x) : NAN;
    }
    m->fitted = lg_gbool(mo, "fitted");
    if (m->fitted)
      lg_trend_from(json_object_get(mo, "trend"), &m->trend);
    m->threshold = lg_gnum(mo, "threshold");
    free(m->measured); /* a repeated metric name replaces the earlier entry */
    m->measured = lg_gstr(mo, "measured");
    m->exact = lg_gbool(mo, "exact");
    m->baseline = lg_gnum(mo, "baseline");
    m->final = lg_gnum(mo, "final");
    m->peak = lg_gnum(mo, "peak");
    m->noise_sd = lg_gnum(mo, "noise_sd");
    free(m->noise_source);
    m->noise_source = lg_gstr(mo, "noise_source");
    m->min_detectable = lg_gnum(mo, "min_detectable");
    m->flagged = lg_gbool(mo, "flagged");
  }

  json_t *used = json_object_get(o, "suppressions_used"), *uo;
  json_array_foreach(used, k, uo) {
    if (!json_is_string(uo))
      continue;
    run->supp_used =
        lg_xrealloc(run->supp_used, (run->nsupp_used + 1) * sizeof(char *));
    run->supp_used[run->nsupp_used++] = lg_xstrdup(json_string_value(uo));
  }
  json_t *findings = json_object_get(o, "findings"), *fo;
  json_array_foreach(findings, k, fo) {
    run->findings = lg_xrealloc(run->findings,
                                (run->nfindings + 1) * sizeof *run->findings);
    lg_finding_t *f = &run->findings[run->nfindings++];
    memset(f, 0, sizeof *f);
    f->detector = lg_gstr(fo, "detector");
    f->kind = lg_gstr(fo, "kind");
    char *cls = lg_gstr(fo, "class");
    if (lg_fclass_parse(cls, &f->cls) != 0)
      f->cls = LG_F_INFO;
    free(cls);
    f->message = lg_gstr(fo, "message");
    f->bytes = lg_gint(fo, "bytes");
    f->blocks = lg_gint(fo, "blocks");
    f->ours = lg_gbool(fo, "ours");
    f->first_our_frame = lg_gstr(fo, "first_our_frame");
    f->source = lg_gstr(fo, "source");
    json_t *stacks = json_object_get(fo, "stacks"), *so;
    size_t si2;
    f->nstacks = json_array_size(stacks);
    f->stacks = lg_xcalloc(f->nstacks, sizeof *f->stacks);
    json_array_foreach(stacks, si2, so) {
      lg_stack_t *stk = &f->stacks[si2];
      stk->title = lg_gstr(so, "title");
      json_t *frames = json_object_get(so, "frames"), *fr;
      size_t fi;
      stk->nframes = json_array_size(frames);
      stk->frames = lg_xcalloc(stk->nframes, sizeof *stk->frames);
      json_array_foreach(frames, fi, fr) {
        stk->frames[fi].fn = lg_gstr(fr, "fn");
        stk->frames[fi].file = lg_gstr(fr, "file");
        stk->frames[fi].line = (int)lg_gint(fr, "line");
        stk->frames[fi].obj = lg_gstr(fr, "obj");
        stk->frames[fi].ours = lg_gbool(fr, "ours");
      }
    }
  }
  return 0;
}

static int lg_results_from_json(json_t *o, lg_results_t *r, char **err) {
  memset(r, 0, sizeof *r);
  json_t *schema = json_object_get(o, "schema");
  if (!json_is_string(schema) ||
      strcmp(json_string_value(schema), "leakgate-results") != 0) {
    *err = lg_xstrdup("key 'schema': expected \"leakgate-results\"");
    return -1;
  }
  /* Compared before narrowing to int: 4294967297 is not version 1. */
  long long version = lg_gint(o, "schema_version");
  if (version != LG_SCHEMA_VERSION) {
    *err = lg_fmt("key 'schema_version': expected %d, found %lld",
                  LG_SCHEMA_VERSION, version);
    return -1;
  }
  r->schema = (int)version;
  r->tool_version = lg_gstr(o, "tool_version");
  r->created = lg_gstr(o, "created");
  r->manifest = lg_gstr(o, "manifest");
  r->root = lg_gstr(o, "root");
  r->command = lg_gstr(o, "command");
  r->shard = lg_gstr(o, "shard");
  r->control = lg_gstr(o, "control");
  r->exit_code = (int)lg_gint(o, "exit_code");
  json_t *runs = json_object_get(o, "runs"), *ro;
  if (!json_is_array(runs)) {
    *err = lg_xstrdup("key 'runs': expected an array");
    return -1;
  }
  size_t i;
  json_array_foreach(runs, i, ro) {
    lg_run_t *run = lg_results_add_run(r);
    if (lg_run_from(ro, run, err) != 0)
      return -1;
  }
  json_t *supps = json_object_get(o, "suppressions"), *so;
  json_array_foreach(supps, i, so) {
    const char *sv = json_string_value(json_object_get(so, "variant"));
    const char *sf = json_string_value(json_object_get(so, "file"));
    const char *sn = json_string_value(json_object_get(so, "name"));
    json_t *su = json_object_get(so, "uses");
    if (sv && sf && sn && json_is_integer(su))
      lg_results_supp_use(r, sv, sf, sn, (long)json_integer_value(su));
  }
  json_t *noise = json_object_get(o, "noise"), *no;
  json_array_foreach(noise, i, no) {
    r->noise = lg_xrealloc(r->noise, (r->nnoise + 1) * sizeof *r->noise);
    lg_noise_t *n = &r->noise[r->nnoise++];
    n->variant = lg_gstr(no, "variant");
    n->lang = lg_gstr(no, "lang");
    n->metric = lg_gstr(no, "metric");
    n->scenario = lg_gstr(no, "scenario");
    n->sd = lg_gnum(no, "sd");
    n->slope = lg_gnum(no, "slope");
    if (!n->variant || !n->metric) {
      *err = lg_xstrdup("noise[]: expected 'variant' and 'metric'");
      return -1;
    }
  }
  json_t *st = json_object_get(o, "selftest");
  if (json_is_object(st)) {
    r->has_selftest = 1;
    r->selftest_ok = lg_gbool(st, "ok");
    json_t *cells = json_object_get(st, "cells"), *co;
    r->ncells = json_array_size(cells);
    r->cells = lg_xcalloc(r->ncells, sizeof *r->cells);
    json_array_foreach(cells, i, co) {
      lg_cell_t *c = &r->cells[i];
      c->defect = lg_gstr(co, "defect");
      c->column = lg_gstr(co, "column");
      c->variant = lg_gstr(co, "variant");
      c->metric = lg_gstr(co, "metric");
      c->designated = lg_gbool(co, "designated");
      c->status = lg_gstr(co, "status");
      c->evidence = lg_gstr(co, "evidence");
      c->seconds = lg_gnum(co, "seconds");
    }
  }
  json_t *gate = json_object_get(o, "gate");
  if (json_is_object(gate)) {
    r->has_gate = 1;
    r->gate_ok = lg_gbool(gate, "ok");
    r->gate_baseline = lg_gstr(gate, "baseline");
    json_t *rows = json_object_get(gate, "rows"), *go;
    r->ngate = json_array_size(rows);
    r->gate = lg_xcalloc(r->ngate, sizeof *r->gate);
    json_array_foreach(rows, i, go) {
      lg_gate_row_t *g = &r->gate[i];
      g->scenario = lg_gstr(go, "scenario");
      g->variant = lg_gstr(go, "variant");
      g->what = lg_gstr(go, "what");
      g->baseline = lg_gnum(go, "baseline");
      g->current = lg_gnum(go, "current");
      g->tolerance = lg_gnum(go, "tolerance");
      g->status = lg_gstr(go, "status");
      g->note = lg_gstr(go, "note");
    }
  }
  json_t *bench = json_object_get(o, "bench");
  if (bench)
    lg_results_set_bench(r, json_incref(bench));
  return 0;
}

int lg_results_load(const char *path, lg_results_t *r, char **err) {
  json_error_t je;
  memset(r, 0, sizeof *r);
  json_t *o = json_load_file(path, 0, &je);
  if (!o) {
    *err = lg_fmt("%s: %s (line %d)", path, je.text, je.line);
    return -1;
  }
  char *e = NULL;
  int rc = lg_results_from_json(o, r, &e);
  json_decref(o);
  if (rc != 0) {
    *err = lg_fmt("%s: %s", path, e);
    free(e);
    lg_results_free(r);
  }
  return rc;
}

void lg_run_copy(lg_run_t *dst, const lg_run_t *src) {
  json_t *o = lg_run_json(src);
  char *err = NULL;
  memset(dst, 0, sizeof *dst);
  if (lg_run_from(o, dst, &err) != 0) /* cannot fail on our own output */
    free(err);
  json_decref(o);
}
