/* The slim baseline file (gate.h): a baseline to and from JSON, loaded and
 * saved. Reducing a result set to a baseline and the comparison are in
 * gate.c. */
#include "gate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ---- the slim file ------------------------------------------------------ */

static json_t *lg_jnum(double v) {
  return isfinite(v) ? json_real(v) : json_null();
}

static json_t *lg_jstr(const char *s) {
  return s ? json_string(s) : json_null();
}

json_t *lg_baseline_to_json(const lg_baseline_t *b) {
  json_t *runs = json_array();
  for (size_t i = 0; i < b->nruns; i++) {
    const lg_brun_t *br = &b->runs[i];
    json_t *o = json_pack(
        "{s:s,s:s,s:o,s:o,s:o,s:b,s:s,s:b}", "scenario", br->scenario,
        "variant", br->variant, "fault", lg_jstr(br->fault), "lang",
        lg_jstr(br->lang), "primary", lg_jstr(br->primary), "expect_pass",
        br->expect_pass, "verdict", lg_verdict_name(br->verdict), "ok", br->ok);
    /* Only an order estimate for the scheduler: centiseconds, at least one,
     * so a regenerated baseline's diff shows the changes that matter. */
    if (isfinite(br->wall_s))
      json_object_set_new(o, "wall_s",
                          json_real(fmax(0.01, round(br->wall_s * 100) / 100)));
    if (br->nfindings) {
      json_t *fs = json_array();
      for (size_t k = 0; k < br->nfindings; k++) {
        const lg_bfinding_t *f = &br->findings[k];
        json_array_append_new(
            fs, json_pack("{s:s,s:s,s:I,s:I,s:I}", "key", f->key, "class",
                          lg_fclass_name(f->cls), "records",
                          (json_int_t)f->records, "bytes", (json_int_t)f->bytes,
                          "blocks", (json_int_t)f->blocks));
      }
      json_object_set_new(o, "findings", fs);
    }
    if (br->nmetrics) {
      json_t *ms = json_array();
      for (size_t k = 0; k < br->nmetrics; k++) {
        const lg_bmetric_t *m = &br->metrics[k];
        json_t *mo = json_pack("{s:s}", "name", m->name);
        if (m->slope_judged)
          json_object_set_new(
              mo, "slope",
              json_pack("{s:o,s:o,s:o,s:o}", "value", lg_jnum(m->slope), "lo",
                        lg_jnum(m->slope_lo), "hi", lg_jnum(m->slope_hi),
                        "min_detectable", lg_jnum(m->min_detectable)));
        if (m->peak_judged)
          json_object_set_new(mo, "peak",
                              json_pack("{s:o,s:o}", "growth",
                                        lg_jnum(m->peak_growth), "noise_sd",
                                        lg_jnum(m->noise_sd)));
        json_array_append_new(ms, mo);
      }
      json_object_set_new(o, "metrics", ms);
    }
    json_array_append_new(runs, o);
  }
  json_t *o =
      json_pack("{s:s,s:i,s:o}", "schema", LG_BASELINE_SCHEMA, "schema_version",
                LG_BASELINE_VERSION, "created", lg_jstr(b->created));
  if (b->tolerance)
    json_object_set(o, "tolerance", b->tolerance);
  json_object_set_new(o, "runs", runs);
  return o;
}

static char *lg_jgstr(json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? lg_xstrdup(s) : NULL;
}

static double lg_jgnum(json_t *o, const char *key) {
  json_t *v = json_object_get(o, key);
  return json_is_number(v) ? json_number_value(v) : NAN;
}

static long long lg_jgint(json_t *o, const char *key, long long dflt) {
  json_t *v = json_object_get(o, key);
  return json_is_integer(v) ? (long long)json_integer_value(v) : dflt;
}

int lg_baseline_from_json(json_t *o, lg_baseline_t *b, char **err) {
  memset(b, 0, sizeof *b);
  const char *schema = json_string_value(json_object_get(o, "schema"));
  json_t *runs = json_object_get(o, "runs"), *ro;
  size_t i;
  if (!schema || strcmp(schema, LG_BASELINE_SCHEMA) != 0) {
    *err = lg_xstrdup("key 'schema': expected \"" LG_BASELINE_SCHEMA "\"");
    goto fail;
  }
  if (lg_jgint(o, "schema_version", 0) != LG_BASELINE_VERSION) {
    *err = lg_fmt("key 'schema_version': expected %d", LG_BASELINE_VERSION);
    goto fail;
  }
  if (!json_is_array(runs)) {
    *err = lg_xstrdup("key 'runs': expected an array");
    goto fail;
  }
  b->created = lg_jgstr(o, "created");
  json_t *tol = json_object_get(o, "tolerance");
  b->tolerance = json_is_object(tol) ? json_incref(tol) : NULL;
  b->runs = lg_xcalloc(json_array_size(runs) + 1, sizeof *b->runs);
  json_array_foreach(runs, i, ro) {
    lg_brun_t *br = &b->runs[b->nruns++];
    br->scenario = lg_jgstr(ro, "scenario");
    br->variant = lg_jgstr(ro, "variant");
    br->fault = lg_jgstr(ro, "fault");
    br->lang = lg_jgstr(ro, "lang");
    br->primary = lg_jgstr(ro, "primary");
    br->expect_pass = json_is_true(json_object_get(ro, "expect_pass"));
    br->ok = json_is_true(json_object_get(ro, "ok"));
    /* Optional, and only ever a scheduling hint: anything but a positive
     * number is unknown. */
    double w = lg_jgnum(ro, "wall_s");
    br->wall_s = isfinite(w) && w > 0 ? w : NAN;
    if (!br->scenario || !br->variant ||
        lg_verdict_parse(json_string_value(json_object_get(ro, "verdict")),
                         &br->verdict) != 0) {
      *err = lg_fmt("key 'runs[%zu]': expected scenario, variant and a "
                    "verdict name",
                    i);
      goto fail;
    }
    json_t *fs = json_object_get(ro, "findings"), *fo;
    size_t k;
    br->findings = lg_xcalloc(json_array_size(fs) + 1, sizeof *br->findings);
    json_array_foreach(fs, k, fo) {
      lg_bfinding_t *f = &br->findings[br->nfindings];
      f->key = lg_jgstr(fo, "key");
      if (!f->key) {
        *err = lg_fmt("key 'runs[%zu].findings[%zu].key': expected a string", i,
                      k);
        goto fail;
      }
      br->nfindings++;
      if (lg_fclass_parse(json_string_value(json_object_get(fo, "class")),
                          &f->cls) != 0)
        f->cls = LG_F_LEAK; /* unknown: judged as a failing finding */
      f->records = (long)lg_jgint(fo, "records", 1);
      f->bytes = lg_jgint(fo, "bytes", -1);
      f->blocks = lg_jgint(fo, "blocks", -1);
    }
    json_t *ms = json_object_get(ro, "metrics"), *mo;
    br->metrics = lg_xcalloc(json_array_size(ms) + 1, sizeof *br->metrics);
    json_array_foreach(ms, k, mo) {
      const char *name = json_string_value(json_object_get(mo, "name"));
      if (!name) {
        *err = lg_fmt("key 'runs[%zu].metrics[%zu].name': expected a string", i,
                      k);
        goto fail;
      }
      lg_bmetric_t *m = &br->metrics[br->nmetrics++];
      json_t *s = json_object_get(mo, "slope"),
             *p = json_object_get(mo, "peak");
      m->name = lg_xstrdup(name);
      m->slope_judged = json_is_object(s);
      m->slope = lg_jgnum(s, "value");
      m->slope_lo = lg_jgnum(s, "lo");
      m->slope_hi = lg_jgnum(s, "hi");
      m->min_detectable = lg_jgnum(s, "min_detectable");
      m->peak_judged = json_is_object(p);
      m->peak_growth = lg_jgnum(p, "growth");
      m->noise_sd = lg_jgnum(p, "noise_sd");
    }
  }
  return 0;
fail:
  lg_baseline_free(b);
  return -1;
}

int lg_baseline_load(const char *path, lg_baseline_t *b, char **err) {
  memset(b, 0, sizeof *b);
  json_t *o = lg_json_load(path, err);
  if (!o)
    return -1;
  const char *schema = json_string_value(json_object_get(o, "schema"));
  int rc = 0;
  char *e = NULL;
  if (schema && strcmp(schema, LG_RESULTS_SCHEMA) == 0) {
    /* A full results file (the format of baselines before the slim one). */
    lg_results_t r;
    if (lg_results_load(path, &r, &e) != 0) {
      rc = -1;
    } else {
      lg_baseline_from_results(&r, b);
      lg_results_free(&r);
      json_t *tol = json_object_get(o, "tolerance");
      b->tolerance = json_is_object(tol) ? json_incref(tol) : NULL;
    }
  } else {
    rc = lg_baseline_from_json(o, b, &e);
  }
  if (rc) {
    *err = lg_fmt("%s: %s", path, e ? e : "unreadable");
    free(e);
  }
  json_decref(o);
  return rc;
}

/* Appends "key": [ one item per line ] for a run's array, if any. */
static void lg_dump_lines(lg_buf_t *t, json_t *run, const char *key) {
  json_t *arr = json_object_get(run, key), *x;
  size_t i;
  if (!json_array_size(arr))
    return;
  lg_buf_addf(t, ",\n   \"%s\": [", key);
  json_array_foreach(arr, i, x) {
    char *s = json_dumps(x, JSON_REAL_PRECISION(10));
    lg_buf_addf(t, "%s\n    %s", i ? "," : "", s);
    free(s);
  }
  lg_buf_add(t, "\n   ]");
}

/* One run header per line, then one line per finding and per metric: small,
 * and a release's diff shows which metric of which run moved. */
static char *lg_baseline_text(const lg_baseline_t *b) {
  json_t *o = lg_baseline_to_json(b);
  json_t *runs = json_incref(json_object_get(o, "runs")), *ro;
  json_object_del(o, "runs");
  char *head = json_dumps(o, JSON_INDENT(1) | JSON_REAL_PRECISION(10));
  lg_buf_t t = {0};
  /* the head without its closing brace */
  char *end = strrchr(head, '}');
  lg_buf_addn(&t, head, end ? (size_t)(end - head) : strlen(head));
  while (t.len && (t.s[t.len - 1] == '\n' || t.s[t.len - 1] == ' '))
    t.s[--t.len] = '\0';
  lg_buf_add(&t, ",\n \"runs\": [");
  size_t i;
  json_array_foreach(runs, i, ro) {
    json_t *h = json_copy(ro);
    json_object_del(h, "findings");
    json_object_del(h, "metrics");
    char *hs = json_dumps(h, JSON_REAL_PRECISION(10));
    json_decref(h);
    lg_buf_addf(&t, "%s\n  ", i ? "," : "");
    lg_buf_addn(&t, hs, strlen(hs) - 1); /* without "}" */
    free(hs);
    lg_dump_lines(&t, ro, "findings");
    lg_dump_lines(&t, ro, "metrics");
    lg_buf_add(&t, "}");
  }
  lg_buf_add(&t, "\n ]\n}\n");
  free(head);
  json_decref(runs);
  json_decref(o);
  return lg_buf_take(&t);
}

int lg_baseline_save(const lg_baseline_t *b, const char *path, char **err) {
  char *s = lg_baseline_text(b);
  int rc = -1;
  FILE *f = fopen(path, "w");
  if (!f) {
    *err = lg_fmt("cannot write %s", path);
    goto out;
  }
  int bad = fputs(s, f) < 0;
  bad |= fclose(f) != 0;
  if (bad) {
    *err = lg_fmt("cannot write %s", path);
    goto out;
  }
  rc = 0;
out:
  free(s);
  return rc;
}
