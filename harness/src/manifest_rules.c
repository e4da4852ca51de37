/* The rules of the manifest schema that a table row cannot state: the
 * readers of keys whose values are maps or unions, the variant presets, and
 * each level's defaults and cross-key checks (manifest_schema.h; the tables
 * that name them are manifest_schema.c). */
#include "manifest_schema.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "stats.h"
#include "util.h"

/* ---- readers of map and union values ------------------------------- */

/* "control": one scenario name, or one per language as an array; kept as
 * a comma-separated list (see lg_is_control). The array is read by
 * lg_mcontrol_names, once the scenarios are. */
int lg_mcontrol(lg_mctx_t *c, const lg_mkey_t *k, json_t *v, const char *full,
                void *base) {
  lg_manifest_t *m = base;
  char *s = NULL;
  (void)k;
  if (json_is_array(v))
    return 0;
  if (lg_mstring(c, v, full, &s))
    return -1;
  free(m->control);
  m->control = s;
  return 0;
}

/* After the scenarios: the "control" array, and that each name in it is a
 * scenario's. */
int lg_mcontrol_names(lg_mctx_t *c, json_t *o, void *base) {
  lg_manifest_t *m = base;
  json_t *v = json_object_get(o, "control");
  if (json_is_array(v)) {
    char **names = NULL;
    size_t nnames = 0;
    int rc = lg_mstrv(c, v, "control", &names, &nnames);
    for (size_t i = 0; i < nnames && !rc; i++) {
      char *joined = lg_fmt("%s%s%s", m->control ? m->control : "",
                            m->control ? "," : "", names[i]);
      free(m->control);
      m->control = joined;
    }
    lg_strv_free(names, nnames); /* also the elements before a bad one */
    if (rc)
      return rc;
  }
  for (const char *p = m->control; p && *p && m->nscenarios;) {
    size_t len = strcspn(p, ",");
    char *name = lg_fmt("%.*s", (int)len, p);
    int known = lg_manifest_scenario(m, name) != NULL;
    if (!known) {
      char *msg = lg_fmt("the name of a scenario (no scenario '%s')", name);
      lg_merr(c, "control", msg);
      free(msg);
    }
    free(name);
    if (!known)
      return -1;
    p += len + (p[len] == ',');
  }
  return 0;
}

/* One threshold: a slope, or {slope, peak, measured, variants}. */
static int lg_mthreshold(lg_mctx_t *c, json_t *e, const char *kk,
                         lg_threshold_t *t) {
  if (json_is_number(e)) {
    t->slope = json_number_value(e);
  } else if (json_is_object(e) && json_is_number(json_object_get(e, "slope"))) {
    if (lg_mkeys(c, e, kk, &lg_mthreshold_level))
      return -1;
    t->slope = json_number_value(json_object_get(e, "slope"));
    json_t *pk = json_object_get(e, "peak");
    char *mk = lg_fmt("%s.peak", kk);
    int rc = 0;
    if (pk && (!json_is_number(pk) || json_number_value(pk) <= 0))
      rc = lg_merr(c, mk, "a number > 0 (ceiling on peak - baseline)");
    else if (pk)
      t->peak = json_number_value(pk);
    free(mk);
    json_t *meas = json_object_get(e, "measured");
    if (!rc && meas && !json_is_string(meas)) {
      mk = lg_fmt("%s.measured", kk);
      rc = lg_merr(c, mk, "a string");
      free(mk);
    } else if (!rc && meas) {
      t->measured = lg_xstrdup(json_string_value(meas));
    }
    json_t *pv = json_object_get(e, "variants");
    if (!rc && pv && !json_is_object(pv)) {
      mk = lg_fmt("%s.variants", kk);
      rc = lg_merr(c, mk, "an object {variant: slope}");
      free(mk);
    } else if (!rc && pv) {
      const char *vk;
      json_t *ve;
      t->per_variant = lg_xcalloc(json_object_size(pv), sizeof *t->per_variant);
      json_object_foreach(pv, vk, ve) {
        /* null: the metric is not judged by slope in that variant (rss
         * under ASan or valgrind grows with their quarantines). */
        if (!json_is_number(ve) && !json_is_null(ve)) {
          mk = lg_fmt("%s.variants.%s", kk, vk);
          rc = lg_merr(c, mk, "a number, or null for no threshold");
          free(mk);
          break;
        }
        t->per_variant[t->nper_variant].variant = lg_xstrdup(vk);
        t->per_variant[t->nper_variant].value =
            json_is_null(ve) ? NAN : json_number_value(ve);
        t->nper_variant++;
      }
    }
    if (rc)
      return rc;
  } else {
    return lg_merr(c, kk, "a number or an object with a numeric 'slope'");
  }
  if (t->slope < 0 || isnan(t->slope))
    return lg_merr(c, kk, "a slope >= 0");
  return 0;
}

int lg_mthresholds(lg_mctx_t *c, const lg_mkey_t *k, json_t *v,
                   const char *full, void *base) {
  lg_threshold_t **out = (lg_threshold_t **)((char *)base + k->off);
  size_t *n = (size_t *)((char *)base + k->count_off);
  if (!json_is_object(v))
    return lg_merr(c, full, "an object {metric: slope or {slope, measured}}");
  const char *key;
  json_t *e;
  *out = lg_xcalloc(json_object_size(v), sizeof **out);
  json_object_foreach(v, key, e) {
    lg_threshold_t *t = &(*out)[(*n)++];
    t->metric = lg_xstrdup(key);
    t->peak = NAN;
    char *kk = lg_fmt("%s.%s", full, key);
    int rc = lg_mthreshold(c, e, kk, t);
    free(kk);
    if (rc)
      return rc;
  }
  return 0;
}

int lg_mlangs(lg_mctx_t *c, const lg_mkey_t *k, json_t *v, const char *full,
              void *base) {
  lg_variant_t *va = base;
  size_t i;
  json_t *e;
  (void)k;
  va->langs = 0;
  if (!json_is_array(v) || json_array_size(v) == 0)
    return lg_merr(c, full, "a non-empty array of \"js\" / \"c\"");
  json_array_foreach(v, i, e) {
    const char *s = json_string_value(e);
    if (s && strcmp(s, "js") == 0)
      va->langs |= LG_LANG_JS;
    else if (s && strcmp(s, "c") == 0)
      va->langs |= LG_LANG_C;
    else
      return lg_merr(c, full, "an array of \"js\" / \"c\"");
  }
  return 0;
}

int lg_mexit_codes(lg_mctx_t *c, const lg_mkey_t *k, json_t *v,
                   const char *full, void *base) {
  lg_variant_t *va = base;
  const char *key;
  json_t *e;
  (void)k;
  if (!json_is_object(v))
    return lg_merr(c, full, "an object {\"86\": \"ERROR\", ...}");
  va->exit_codes = lg_xcalloc(json_object_size(v), sizeof(int));
  va->exit_verdicts = lg_xcalloc(json_object_size(v), sizeof(int));
  json_object_foreach(v, key, e) {
    char *end;
    long code = strtol(key, &end, 10);
    lg_verdict_t vd;
    if (*key == '\0' || *end != '\0' || code < 1 || code > 255 ||
        lg_verdict_parse(json_string_value(e), &vd) != 0) {
      char *kk = lg_fmt("%s.%s", full, key);
      lg_merr(c, kk, "an exit code 1..255 mapped to a verdict name");
      free(kk);
      return -1;
    }
    va->exit_codes[va->nexit] = (int)code;
    va->exit_verdicts[va->nexit] = (int)vd;
    va->nexit++;
  }
  return 0;
}

/* "iterations": a count, or {"default": N, VARIANT: N, ...}. */
int lg_miterations(lg_mctx_t *c, const lg_mkey_t *k, json_t *v,
                   const char *full, void *base) {
  lg_scenario_t *sc = base;
  const char *vk;
  json_t *ve;
  char *msg = lg_fmt("an integer >= 1 and <= %lld", LG_ITER_MAX);
  int rc = 0;
  (void)k;
  if (!json_is_object(v)) {
    if (json_is_integer(v) && json_integer_value(v) >= 1 &&
        json_integer_value(v) <= LG_ITER_MAX)
      sc->iterations = json_integer_value(v);
    else
      rc = lg_merr(c, full, msg);
    free(msg);
    return rc;
  }
  sc->iterations_per_variant =
      lg_xcalloc(json_object_size(v), sizeof *sc->iterations_per_variant);
  json_object_foreach(v, vk, ve) {
    if (!json_is_integer(ve) || json_integer_value(ve) < 1 ||
        json_integer_value(ve) > LG_ITER_MAX) {
      char *kk = lg_fmt("%s.%s", full, vk);
      rc = lg_merr(c, kk, msg);
      free(kk);
      break;
    }
    if (strcmp(vk, "default") == 0) {
      sc->iterations = json_integer_value(ve);
    } else {
      lg_vnum_t *pv =
          &sc->iterations_per_variant[sc->niterations_per_variant++];
      pv->variant = lg_xstrdup(vk);
      pv->value = (double)json_integer_value(ve);
    }
  }
  free(msg);
  return rc;
}

int lg_mexpect(lg_mctx_t *c, const lg_mkey_t *k, json_t *v, const char *full,
               void *base) {
  lg_scenario_t *sc = base;
  lg_verdict_t vd;
  (void)k;
  if (!json_is_string(v) ||
      (strcmp(json_string_value(v), "pass") != 0 &&
       (lg_verdict_parse(json_string_value(v), &vd) != 0 || vd == LG_V_PASS ||
        vd == LG_V_MISSED || vd == LG_V_INFRA)))
    return lg_merr(c, full, LG_EXPECT_DOC);
  free(sc->expect);
  sc->expect = lg_xstrdup(json_string_value(v));
  return 0;
}

/* "caught_by": the labels now; lg_mdefect_check splits and checks them
 * once the defect's scenario is known. */
int lg_mcaught_by(lg_mctx_t *c, const lg_mkey_t *k, json_t *v, const char *full,
                  void *base) {
  lg_defect_t *d = base;
  char **cells = NULL;
  size_t ncells = 0;
  (void)k;
  int rc = lg_mstrv(c, v, full, &cells, &ncells);
  if (!rc) {
    d->cells = lg_xcalloc(ncells, sizeof *d->cells);
    for (size_t i = 0; i < ncells; i++)
      d->cells[d->ncells++].label = lg_xstrdup(cells[i]);
  }
  lg_strv_free(cells, ncells);
  return rc;
}

/* ---- level hooks ------------------------------------------------------ */

void lg_mtop_init(lg_mctx_t *c, json_t *o, void *base) {
  lg_manifest_t *m = base;
  (void)c;
  (void)o;
  m->node = lg_xstrdup("node");
  m->probe_js = lg_xstrdup("{leakgate}/probe.js");
  m->js_dir = lg_xstrdup("{root}/scenarios/js");
  m->c_dir = lg_xstrdup("{build}/scenarios/c");
  m->alpha = LG_DEFAULT_ALPHA;
  m->early_stop = 1;
  m->iterations = 1000;
  m->warmup = 100;
  m->sample_every = 10;
  m->timeout_s = 120;
}

int lg_mdefaults_check(lg_mctx_t *c, json_t *o, const char *path, size_t idx,
                       void *base) {
  lg_manifest_t *m = base;
  (void)o, (void)path, (void)idx;
  if (m->alpha >= 0.5)
    return lg_merr(c, "defaults.alpha", "a significance level below 0.5");
  return 0;
}

/* defaults.js starts from the defaults (read before it). */
void lg_mdefaults_js_init(lg_mctx_t *c, json_t *o, void *base) {
  lg_manifest_t *m = base;
  (void)c;
  (void)o;
  m->js_iterations = m->iterations;
  m->js_warmup = m->warmup;
  m->js_sample_every = m->sample_every;
  m->js_timeout_s = m->timeout_s;
}

/* A variant with "preset": the named entry of {leakgate}/presets.json,
 * overlaid with the variant's own keys (env, env_js and env_c merge key by
 * key; every other key replaces the preset's). Returns a new reference, or
 * NULL with c->err set. c->presets caches the loaded file across variants.
 * Without "preset": o itself (a new reference). */
json_t *lg_mpreset(lg_mctx_t *c, json_t *o, size_t idx) {
  json_t *name = json_object_get(o, "preset");
  if (!name)
    return json_incref(o);
  char *key = lg_fmt("variants[%zu].preset", idx);
  json_t *out = NULL;
  if (!json_is_string(name)) {
    lg_merr(c, key, "the name of a preset (a string)");
    goto done;
  }
  if (!c->presets) {
    const char *dir = lg_leakgate_dir();
    if (!dir) {
      lg_merr(c, key,
              "a preset, but leakgate's own files were not found (probe.js "
              "in lib/leakgate beside or above the leakgate binary)");
      goto done;
    }
    char *path = lg_path_join(dir, "presets.json");
    json_error_t je;
    c->presets = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!c->presets && !c->err)
      c->err =
          lg_fmt("%s: %s: cannot load presets: %s", c->file, path, je.text);
    free(path);
    if (!c->presets)
      goto done;
  }
  json_t *list = json_object_get(c->presets, "variants");
  json_t *base = NULL;
  lg_buf_t names = {0};
  for (size_t i = 0; i < json_array_size(list); i++) {
    json_t *e = json_array_get(list, i);
    const char *n = json_string_value(json_object_get(e, "name"));
    if (n && strcmp(n, json_string_value(name)) == 0)
      base = e;
    lg_buf_addf(&names, "%s%s", names.len ? ", " : "", n ? n : "?");
  }
  if (!base) {
    char *msg = lg_fmt("one of the presets (%s), not '%s'",
                       names.s ? names.s : "none", json_string_value(name));
    lg_merr(c, key, msg);
    free(msg);
    lg_buf_free(&names);
    goto done;
  }
  lg_buf_free(&names);
  out = json_deep_copy(base);
  const char *k;
  json_t *v;
  json_object_foreach(o, k, v) {
    json_t *mine = json_object_get(out, k);
    if (strcmp(k, "preset") == 0)
      continue;
    if ((strcmp(k, "env") == 0 || strcmp(k, "env_js") == 0 ||
         strcmp(k, "env_c") == 0) &&
        json_is_object(mine) && json_is_object(v))
      json_object_update(mine, v);
    else
      json_object_set(out, k, v);
  }
done:
  free(key);
  return out;
}

void lg_mvariant_init(lg_mctx_t *c, json_t *o, void *base) {
  lg_variant_t *va = base;
  (void)c;
  (void)o;
  va->iteration_scale = 1;
  va->timeout_multiplier = 1;
  va->langs = LG_LANG_JS | LG_LANG_C;
  va->is_default = 1;
  va->has_faults = 1;
}

int lg_mvariant_check(lg_mctx_t *c, json_t *o, const char *path, size_t idx,
                      void *base) {
  lg_variant_t *va = base;
  (void)o;
  (void)idx;
  if (lg_manifest_variant(c->m, va->name) != va) {
    char *k = lg_fmt("%s.name", path);
    lg_merr(c, k, "a unique name");
    free(k);
    return -1;
  }
  /* One process for several scenarios mixes their heaps and their
   * iterations' timing: a batch may only run where no slope is judged
   * (runner_batch.c, harness/README.md "Batched runs"). */
  if (va->batch &&
      (!(va->langs & LG_LANG_JS) || lg_variant_judges_slopes(va, "js"))) {
    char *k = lg_fmt("%s.batch", path);
    lg_merr(c, k,
            !(va->langs & LG_LANG_JS)
                ? "no \"batch\": the variant runs no JS scenarios (langs)"
                : "no \"batch\" where JS slopes are judged: one process "
                  "for several scenarios mixes their heaps (set slope_langs "
                  "without \"js\", or drop batch)");
    free(k);
    return -1;
  }
  return 0;
}

/* A scenario starts from the defaults of its language. */
void lg_mscenario_init(lg_mctx_t *c, json_t *o, void *base) {
  lg_scenario_t *sc = base;
  const lg_manifest_t *m = c->m;
  json_t *l = json_object_get(o, "lang");
  int js = json_is_string(l) && strcmp(json_string_value(l), "js") == 0;
  sc->iterations = js ? m->js_iterations : m->iterations;
  sc->warmup = js ? m->js_warmup : m->warmup;
  sc->sample_every = js ? m->js_sample_every : m->sample_every;
  sc->timeout_s = js ? m->js_timeout_s : m->timeout_s;
  sc->once = LG_ONCE_INHERIT;
  sc->early_stop = m->early_stop;
  sc->expect = lg_xstrdup("pass");
}

int lg_mscenario_check(lg_mctx_t *c, json_t *o, const char *path, size_t idx,
                       void *base) {
  lg_scenario_t *sc = base;
  char *k = NULL, *msg = NULL;
  (void)o;
  (void)idx;
  for (size_t i = 0; i < sc->nvariants && !k; i++)
    if (!lg_manifest_variant(c->m, sc->variants[i])) {
      k = lg_fmt("%s.variants[%zu]", path, i);
      msg = lg_fmt("the name of a variant (no variant '%s')", sc->variants[i]);
    }
  if (k) {
    /* reported below */
  } else if (sc->warmup >= sc->iterations) {
    k = lg_fmt("%s.warmup", path);
    msg = lg_xstrdup("fewer warm-up iterations than iterations");
  } else if (sc->sample_every > sc->iterations) {
    /* A sample is taken every sample_every iterations: more than the
     * run's iterations leaves no sample to judge (it could only pass
     * blind). */
    k = lg_fmt("%s.sample_every", path);
    msg = lg_xstrdup("at most the iterations (no sample would be taken)");
  } else if (lg_manifest_scenario(c->m, sc->name) != sc) {
    k = lg_fmt("%s.name", path);
    msg = lg_xstrdup("a unique name");
  }
  if (k)
    lg_merr(c, k, msg);
  free(k);
  free(msg);
  return k ? -1 : 0;
}

int lg_mdefect_check(lg_mctx_t *c, json_t *o, const char *path, size_t idx,
                     void *base) {
  lg_defect_t *d = base;
  char *k = NULL, *msg = NULL;
  (void)o;
  (void)idx;
  const lg_scenario_t *sc = lg_manifest_scenario(c->m, d->scenario);
  if (!sc) {
    k = lg_fmt("%s.scenario", path);
    msg = lg_fmt("a scenario name (no scenario '%s')", d->scenario);
  } else if (d->ncells == 0) {
    k = lg_fmt("%s.caught_by", path);
    msg = lg_xstrdup("a non-empty array of \"variant\" or \"variant:metric\"");
  }
  for (size_t i = 0; i < d->ncells && !k; i++) {
    lg_cellspec_t *cs = &d->cells[i];
    char *colon = strchr(cs->label, ':');
    cs->variant = colon ? lg_xstrndup(cs->label, (size_t)(colon - cs->label))
                        : lg_xstrdup(cs->label);
    cs->metric = colon ? lg_xstrdup(colon + 1) : NULL;
    const lg_variant_t *va = lg_manifest_variant(c->m, cs->variant);
    if (!va || !(va->langs & sc->lang)) {
      k = lg_fmt("%s.caught_by[%zu]", path, i);
      msg = lg_fmt("a variant that runs %s scenarios (got '%s')",
                   sc->lang == LG_LANG_JS ? "js" : "c", cs->variant);
    }
  }
  if (k)
    lg_merr(c, k, msg);
  free(k);
  free(msg);
  return k ? -1 : 0;
}
