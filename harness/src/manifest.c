/* Manifest loading and validation, and the look-ups on a loaded manifest
 * (see manifest.h). Templates are template.c's. */
#include "manifest.h"
#include "supp.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model.h"
#include "util.h"

typedef struct lg_mctx_s {
  const char *file;
  char *err;
  unsigned flags; /* LG_MANIFEST_* */
} lg_mctx_t;

static int lg_merr(lg_mctx_t *c, const char *key, const char *expected) {
  if (!c->err)
    c->err = lg_fmt("%s: key '%s': expected %s", c->file, key, expected);
  return -1;
}

/* Edit distance between a and b, ASCII case folded (for "did you mean"). */
static size_t lg_edit_distance(const char *a, const char *b) {
  size_t n = strlen(b);
  size_t *row = lg_xmalloc((n + 1) * sizeof *row);
  for (size_t j = 0; j <= n; j++)
    row[j] = j;
  for (size_t i = 1; a[i - 1]; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= n; j++) {
      size_t up = row[j];
      int same =
          tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);
      size_t best = diag + !same;
      if (up + 1 < best)
        best = up + 1;
      if (row[j - 1] + 1 < best)
        best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  size_t d = row[n];
  free(row);
  return d;
}

/* Every key of object `o` (at `path`) must be one of `known` (NULL
 * terminated): a misspelt key is an error, never silently ignored ("detector"
 * for "detectors" once turned every run into ERROR). The message names the
 * closest known key when it is within a third of the key's length (at least
 * 2 edits), else lists them all. Not an object: nothing to check here (its
 * type is reported where it is read). */
static int lg_mkeys(lg_mctx_t *c, json_t *o, const char *path,
                    const char *const *known) {
  const char *k;
  json_t *v;
  if (!json_is_object(o))
    return 0;
  json_object_foreach(o, k, v) {
    size_t i = 0;
    while (known[i] && strcmp(known[i], k) != 0)
      i++;
    if (known[i])
      continue;
    size_t best = 0, bestd = SIZE_MAX;
    for (i = 0; known[i]; i++) {
      size_t d = lg_edit_distance(k, known[i]);
      if (d < bestd) {
        bestd = d;
        best = i;
      }
    }
    size_t len = strlen(k), limit = len / 3 > 2 ? len / 3 : 2;
    char *full = lg_fmt("%s%s%s", path, *path ? "." : "", k);
    if (bestd <= limit) {
      if (!c->err)
        c->err = lg_fmt("%s: unknown key '%s': did you mean '%s'?", c->file,
                        full, known[best]);
    } else {
      lg_buf_t b = {0};
      for (i = 0; known[i]; i++)
        lg_buf_addf(&b, "%s%s", i ? ", " : "", known[i]);
      if (!c->err)
        c->err = lg_fmt("%s: unknown key '%s' (the keys known here: %s)",
                        c->file, full, b.s ? b.s : "none");
      lg_buf_free(&b);
    }
    free(full);
    return -1;
  }
  return 0;
}

/* Optional string; missing keeps *out (default). */
static int lg_mstr(lg_mctx_t *c, json_t *o, const char *key, const char *path,
                   char **out, int required) {
  json_t *v = json_object_get(o, key);
  char *full = lg_fmt("%s%s%s", path, *path ? "." : "", key);
  int rc = 0;
  if (!v) {
    if (required)
      rc = lg_merr(c, full, "a string (required)");
  } else if (!json_is_string(v)) {
    rc = lg_merr(c, full, "a string");
  } else {
    char *chk = lg_template_check(json_string_value(v));
    if (chk) {
      char *msg = lg_fmt("a valid template (%s)", chk);
      rc = lg_merr(c, full, msg);
      free(msg);
      free(chk);
    } else {
      free(*out);
      *out = lg_xstrdup(json_string_value(v));
    }
  }
  free(full);
  return rc;
}

/* Names become run directory components (<out>/runs/<variant>/<scenario>
 * [@fault]) that are emptied recursively: refuse anything that could climb
 * out or collide (see lg_name_problem). */
static int lg_mname(lg_mctx_t *c, const char *path, const char *key,
                    const char *name) {
  const char *bad = lg_name_problem(name);
  if (!bad)
    return 0;
  char *k = lg_fmt("%s.%s", path, key);
  char *msg = lg_fmt("%s (got \"%.*s\"%s)", bad, 64, name,
                     strlen(name) > 64 ? "..." : "");
  lg_merr(c, k, msg);
  free(msg);
  free(k);
  return -1;
}

/* Optional number in [min, max]; missing keeps *out (default). */
static int lg_mnum_range(lg_mctx_t *c, json_t *o, const char *key,
                         const char *path, double *out, double min,
                         double max) {
  json_t *v = json_object_get(o, key);
  if (!v)
    return 0;
  char *full = lg_fmt("%s%s%s", path, *path ? "." : "", key);
  int rc = 0;
  if (!json_is_number(v) || !(json_number_value(v) >= min) ||
      !(json_number_value(v) <= max)) {
    char *msg = isinf(max) ? lg_fmt("a number >= %g", min)
                           : lg_fmt("a number from %g to %g", min, max);
    rc = lg_merr(c, full, msg);
    free(msg);
  } else {
    *out = json_number_value(v);
  }
  free(full);
  return rc;
}

static int lg_mnum(lg_mctx_t *c, json_t *o, const char *key, const char *path,
                   double *out, double min) {
  return lg_mnum_range(c, o, key, path, out, min, HUGE_VAL);
}

/* Optional integer in [min, LG_ITER_MAX] (every integer of the schema counts
 * iterations); missing keeps *out. */
static int lg_mint(lg_mctx_t *c, json_t *o, const char *key, const char *path,
                   long long *out, long long min) {
  json_t *v = json_object_get(o, key);
  if (!v)
    return 0;
  char *full = lg_fmt("%s%s%s", path, *path ? "." : "", key);
  int rc = 0;
  if (!json_is_integer(v) || json_integer_value(v) < min ||
      json_integer_value(v) > LG_ITER_MAX) {
    char *msg = lg_fmt("an integer >= %lld and <= %lld", min, LG_ITER_MAX);
    rc = lg_merr(c, full, msg);
    free(msg);
  } else {
    *out = json_integer_value(v);
  }
  free(full);
  return rc;
}

static int lg_mstrv(lg_mctx_t *c, json_t *o, const char *key, const char *path,
                    char ***out, size_t *n) {
  json_t *v = json_object_get(o, key);
  if (!v)
    return 0;
  char *full = lg_fmt("%s%s%s", path, *path ? "." : "", key);
  int rc = 0;
  if (!json_is_array(v)) {
    rc = lg_merr(c, full, "an array of strings");
  } else {
    lg_strv_free(*out, *n);
    *n = json_array_size(v);
    *out = lg_xcalloc(*n, sizeof **out);
    for (size_t i = 0; i < *n; i++) {
      json_t *e = json_array_get(v, i);
      char *chk = json_is_string(e) ? lg_template_check(json_string_value(e))
                                    : lg_xstrdup("not a string");
      if (chk) {
        char *k = lg_fmt("%s[%zu]", full, i);
        char *msg = lg_fmt("a string template (%s)", chk);
        rc = lg_merr(c, k, msg);
        free(msg);
        free(k);
        free(chk);
        break;
      }
      (*out)[i] = lg_xstrdup(json_string_value(e));
    }
  }
  free(full);
  return rc;
}

static int lg_mkv(lg_mctx_t *c, json_t *o, const char *key, const char *path,
                  lg_kv_t **out, size_t *n) {
  json_t *v = json_object_get(o, key);
  if (!v)
    return 0;
  char *full = lg_fmt("%s%s%s", path, *path ? "." : "", key);
  int rc = 0;
  if (!json_is_object(v)) {
    rc = lg_merr(c, full, "an object of string values");
  } else {
    const char *k;
    json_t *e;
    *out = lg_xcalloc(json_object_size(v), sizeof **out);
    json_object_foreach(v, k, e) {
      char *chk = json_is_string(e) ? lg_template_check(json_string_value(e))
                                    : lg_xstrdup("not a string");
      if (chk) {
        char *kk = lg_fmt("%s.%s", full, k);
        char *msg = lg_fmt("a string template (%s)", chk);
        rc = lg_merr(c, kk, msg);
        free(msg);
        free(kk);
        free(chk);
        break;
      }
      (*out)[*n].key = lg_xstrdup(k);
      (*out)[*n].value = lg_xstrdup(json_string_value(e));
      (*n)++;
    }
  }
  free(full);
  return rc;
}

static int lg_mlangs(lg_mctx_t *c, json_t *o, const char *path, int *langs) {
  json_t *v = json_object_get(o, "langs");
  if (!v)
    return 0;
  char *full = lg_fmt("%s.langs", path);
  int rc = 0;
  *langs = 0;
  if (!json_is_array(v) || json_array_size(v) == 0) {
    rc = lg_merr(c, full, "a non-empty array of \"js\" / \"c\"");
  } else {
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) {
      const char *s = json_string_value(e);
      if (s && strcmp(s, "js") == 0)
        *langs |= LG_LANG_JS;
      else if (s && strcmp(s, "c") == 0)
        *langs |= LG_LANG_C;
      else {
        rc = lg_merr(c, full, "an array of \"js\" / \"c\"");
        break;
      }
    }
  }
  free(full);
  return rc;
}

static int lg_mthresholds(lg_mctx_t *c, json_t *o, const char *path,
                          lg_threshold_t **out, size_t *n) {
  json_t *v = json_object_get(o, "thresholds");
  if (!v)
    return 0;
  char *full = lg_fmt("%s%sthresholds", path, *path ? "." : "");
  int rc = 0;
  if (!json_is_object(v)) {
    rc = lg_merr(c, full, "an object {metric: slope or {slope, measured}}");
    free(full);
    return rc;
  }
  const char *k;
  json_t *e;
  *out = lg_xcalloc(json_object_size(v), sizeof **out);
  json_object_foreach(v, k, e) {
    lg_threshold_t *t = &(*out)[*n];
    char *kk = lg_fmt("%s.%s", full, k);
    t->metric = lg_xstrdup(k);
    t->peak = NAN;
    (*n)++;
    if (json_is_number(e)) {
      t->slope = json_number_value(e);
    } else if (json_is_object(e) &&
               json_is_number(json_object_get(e, "slope"))) {
      static const char *const tkeys[] = {"slope", "peak", "measured",
                                          "variants", NULL};
      if (lg_mkeys(c, e, kk, tkeys)) {
        free(kk);
        rc = -1;
        break;
      }
      t->slope = json_number_value(json_object_get(e, "slope"));
      json_t *pk = json_object_get(e, "peak");
      if (pk && (!json_is_number(pk) || json_number_value(pk) <= 0)) {
        char *mk = lg_fmt("%s.peak", kk);
        rc = lg_merr(c, mk, "a number > 0 (ceiling on peak - baseline)");
        free(mk);
      } else if (pk) {
        t->peak = json_number_value(pk);
      }
      json_t *meas = json_object_get(e, "measured");
      if (rc) {
        /* reported above */
      } else if (meas && !json_is_string(meas)) {
        char *mk = lg_fmt("%s.measured", kk);
        rc = lg_merr(c, mk, "a string");
        free(mk);
      } else if (meas) {
        t->measured = lg_xstrdup(json_string_value(meas));
      }
      json_t *pv = json_object_get(e, "variants");
      if (!rc && pv) {
        const char *vk;
        json_t *ve;
        if (!json_is_object(pv)) {
          char *mk = lg_fmt("%s.variants", kk);
          rc = lg_merr(c, mk, "an object {variant: slope}");
          free(mk);
        } else {
          t->per_variant =
              lg_xcalloc(json_object_size(pv), sizeof *t->per_variant);
          json_object_foreach(pv, vk, ve) {
            /* null: the metric is not judged by slope in that variant (rss
             * under ASan or valgrind grows with their quarantines). */
            if (!json_is_number(ve) && !json_is_null(ve)) {
              char *mk = lg_fmt("%s.variants.%s", kk, vk);
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
      }
    } else {
      rc = lg_merr(c, kk, "a number or an object with a numeric 'slope'");
    }
    if (!rc && (t->slope < 0 || isnan(t->slope)))
      rc = lg_merr(c, kk, "a slope >= 0");
    free(kk);
    if (rc)
      break;
  }
  free(full);
  return rc;
}

/* A variant with "preset": the named entry of {leakgate}/presets.json,
 * overlaid with the variant's own keys (env, env_js and env_c merge key by
 * key; every other key replaces the preset's). Returns a new reference, or
 * NULL with c->err set. *presets caches the loaded file across variants. */
static json_t *lg_mpreset(lg_mctx_t *c, json_t *o, size_t idx,
                          json_t **presets) {
  json_t *name = json_object_get(o, "preset");
  char *key = lg_fmt("variants[%zu].preset", idx);
  json_t *out = NULL;
  if (!json_is_string(name)) {
    lg_merr(c, key, "the name of a preset (a string)");
    goto done;
  }
  if (!*presets) {
    const char *dir = lg_leakgate_dir();
    if (!dir) {
      lg_merr(c, key,
              "a preset, but leakgate's own files were not found (probe.js "
              "in lib/leakgate beside or above the leakgate binary)");
      goto done;
    }
    char *path = lg_path_join(dir, "presets.json");
    json_error_t je;
    *presets = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!*presets && !c->err)
      c->err =
          lg_fmt("%s: %s: cannot load presets: %s", c->file, path, je.text);
    free(path);
    if (!*presets)
      goto done;
  }
  json_t *list = json_object_get(*presets, "variants");
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

static int lg_mvariant(lg_mctx_t *c, json_t *o, size_t idx, lg_variant_t *va) {
  char *path = lg_fmt("variants[%zu]", idx);
  int rc = -1;
  va->iteration_scale = 1;
  va->timeout_multiplier = 1;
  va->langs = LG_LANG_JS | LG_LANG_C;
  va->is_default = 1;
  va->has_faults = 1;
  if (!json_is_object(o)) {
    lg_merr(c, path, "an object");
    goto out;
  }
  static const char *const vkeys[] = {"name",
                                      "description",
                                      "build",
                                      "wrapper",
                                      "env",
                                      "env_js",
                                      "env_c",
                                      "iteration_scale",
                                      "langs",
                                      "timeout_multiplier",
                                      "ignore_exact",
                                      "slope_langs",
                                      "default",
                                      "faults",
                                      "detectors",
                                      "exit_codes",
                                      NULL};
  if (lg_mkeys(c, o, path, vkeys) ||
      lg_mstr(c, o, "name", path, &va->name, 1) ||
      lg_mname(c, path, "name", va->name) ||
      lg_mstr(c, o, "description", path, &va->description, 0) ||
      lg_mstr(c, o, "build", path, &va->build, 1) ||
      lg_mstrv(c, o, "wrapper", path, &va->wrapper, &va->nwrapper) ||
      lg_mkv(c, o, "env", path, &va->env, &va->nenv) ||
      lg_mkv(c, o, "env_js", path, &va->env_js, &va->nenv_js) ||
      lg_mkv(c, o, "env_c", path, &va->env_c, &va->nenv_c) ||
      lg_mnum_range(c, o, "iteration_scale", path, &va->iteration_scale, 1e-6,
                    LG_SCALE_MAX) ||
      lg_mnum_range(c, o, "timeout_multiplier", path, &va->timeout_multiplier,
                    1e-6, LG_SCALE_MAX) ||
      lg_mlangs(c, o, path, &va->langs) ||
      lg_mstrv(c, o, "ignore_exact", path, &va->ignore_exact,
               &va->nignore_exact) ||
      lg_mstrv(c, o, "slope_langs", path, &va->slope_langs, &va->nslope_langs))
    goto out;
  json_t *d = json_object_get(o, "default");
  if (d && !json_is_boolean(d)) {
    char *k = lg_fmt("%s.default", path);
    lg_merr(c, k, "true or false");
    free(k);
    goto out;
  }
  if (d)
    va->is_default = json_is_true(d);
  json_t *fp = json_object_get(o, "faults");
  if (fp && !json_is_boolean(fp)) {
    char *k = lg_fmt("%s.faults", path);
    lg_merr(c, k, "true or false");
    free(k);
    goto out;
  }
  if (fp)
    va->has_faults = json_is_true(fp);
  json_t *dets = json_object_get(o, "detectors");
  if (dets) {
    if (!json_is_array(dets)) {
      char *k = lg_fmt("%s.detectors", path);
      lg_merr(c, k, "an array of {parser, files}");
      free(k);
      goto out;
    }
    va->ndetectors = json_array_size(dets);
    va->detectors = lg_xcalloc(va->ndetectors, sizeof *va->detectors);
    for (size_t i = 0; i < va->ndetectors; i++) {
      json_t *e = json_array_get(dets, i);
      char *k = lg_fmt("%s.detectors[%zu]", path, i);
      lg_detector_t *det = &va->detectors[i];
      static const char *const dkeys[] = {"parser", "files", NULL};
      if (lg_mkeys(c, e, k, dkeys)) {
        free(k);
        goto out;
      }
      int bad = !json_is_object(e) ||
                lg_mstr(c, e, "parser", k, &det->parser, 1) ||
                lg_mstrv(c, e, "files", k, &det->files, &det->nfiles);
      if (!bad && strcmp(det->parser, "sanitizer") != 0 &&
          strcmp(det->parser, "valgrind") != 0) {
        char *kk = lg_fmt("%s.parser", k);
        lg_merr(c, kk, "\"sanitizer\" or \"valgrind\"");
        free(kk);
        bad = 1;
      }
      if (bad)
        lg_merr(c, k,
                "{\"parser\": \"sanitizer\"|\"valgrind\", \"files\": [...]}");
      free(k);
      if (bad)
        goto out;
    }
  }
  json_t *codes = json_object_get(o, "exit_codes");
  if (codes) {
    const char *k;
    json_t *e;
    if (!json_is_object(codes)) {
      char *kk = lg_fmt("%s.exit_codes", path);
      lg_merr(c, kk, "an object {\"86\": \"ERROR\", ...}");
      free(kk);
      goto out;
    }
    va->exit_codes = lg_xcalloc(json_object_size(codes), sizeof(int));
    va->exit_verdicts = lg_xcalloc(json_object_size(codes), sizeof(int));
    json_object_foreach(codes, k, e) {
      char *end;
      long code = strtol(k, &end, 10);
      lg_verdict_t vd;
      if (*k == '\0' || *end != '\0' || code < 1 || code > 255 ||
          lg_verdict_parse(json_string_value(e), &vd) != 0) {
        char *kk = lg_fmt("%s.exit_codes.%s", path, k);
        lg_merr(c, kk, "an exit code 1..255 mapped to a verdict name");
        free(kk);
        goto out;
      }
      va->exit_codes[va->nexit] = (int)code;
      va->exit_verdicts[va->nexit] = (int)vd;
      va->nexit++;
    }
  }
  rc = 0;
out:
  free(path);
  return rc;
}

/* Optional "once": "warn" | "fail"; missing keeps *out. */
static int lg_monce(lg_mctx_t *c, json_t *o, const char *path, lg_once_t *out) {
  json_t *v = json_object_get(o, "once");
  if (!v)
    return 0;
  const char *s = json_string_value(v);
  if (s && strcmp(s, "warn") == 0) {
    *out = LG_ONCE_WARN;
    return 0;
  }
  if (s && strcmp(s, "fail") == 0) {
    *out = LG_ONCE_FAIL;
    return 0;
  }
  char *k = lg_fmt("%s%sonce", path, *path ? "." : "");
  lg_merr(c, k, "\"warn\" or \"fail\"");
  free(k);
  return -1;
}

static int lg_mscenario(lg_mctx_t *c, json_t *o, size_t idx, lg_manifest_t *m,
                        lg_scenario_t *sc) {
  char *path = lg_fmt("scenarios[%zu]", idx);
  char *lang = NULL;
  int rc = -1;
  if (!json_is_object(o)) {
    lg_merr(c, path, "an object");
    goto out;
  }
  {
    json_t *l = json_object_get(o, "lang");
    int js = json_is_string(l) && strcmp(json_string_value(l), "js") == 0;
    sc->iterations = js ? m->js_iterations : m->iterations;
    sc->warmup = js ? m->js_warmup : m->warmup;
    sc->sample_every = js ? m->js_sample_every : m->sample_every;
    sc->timeout_s = js ? m->js_timeout_s : m->timeout_s;
  }
  sc->once = LG_ONCE_INHERIT;
  static const char *const skeys[] = {
      "name",         "description", "once",       "lang",
      "program",      "args",        "iterations", "warmup",
      "sample_every", "timeout_s",   "thresholds", "exact",
      "variants",     "primary",     "expect",     NULL};
  if (lg_mkeys(c, o, path, skeys) ||
      lg_mstr(c, o, "name", path, &sc->name, 1) ||
      lg_mstr(c, o, "description", path, &sc->description, 0) ||
      lg_monce(c, o, path, &sc->once) ||
      lg_mstr(c, o, "lang", path, &lang, 1) ||
      lg_mstr(c, o, "program", path, &sc->program, 1) ||
      lg_mstrv(c, o, "args", path, &sc->args, &sc->nargs) ||
      lg_mint(c, o, "warmup", path, &sc->warmup, 0) ||
      lg_mint(c, o, "sample_every", path, &sc->sample_every, 1) ||
      lg_mnum_range(c, o, "timeout_s", path, &sc->timeout_s, 0.001,
                    LG_TIMEOUT_MAX_S) ||
      lg_mthresholds(c, o, path, &sc->thresholds, &sc->nthresholds) ||
      lg_mstrv(c, o, "exact", path, &sc->exact, &sc->nexact) ||
      lg_mstrv(c, o, "variants", path, &sc->variants, &sc->nvariants) ||
      lg_mstr(c, o, "primary", path, &sc->primary, 0))
    goto out;
  char *k = NULL;
  if (lg_mname(c, path, "name", sc->name))
    goto out;
  if (strcmp(lang, "js") == 0) {
    sc->lang = LG_LANG_JS;
  } else if (strcmp(lang, "c") == 0) {
    sc->lang = LG_LANG_C;
  } else {
    k = lg_fmt("%s.lang", path);
    lg_merr(c, k, "\"js\" or \"c\"");
    free(k);
    goto out;
  }
  json_t *it = json_object_get(o, "iterations");
  if (json_is_object(it)) {
    const char *vk;
    json_t *ve;
    sc->iterations_per_variant =
        lg_xcalloc(json_object_size(it), sizeof *sc->iterations_per_variant);
    json_object_foreach(it, vk, ve) {
      if (!json_is_integer(ve) || json_integer_value(ve) < 1 ||
          json_integer_value(ve) > LG_ITER_MAX) {
        k = lg_fmt("%s.iterations.%s", path, vk);
        char *msg = lg_fmt("an integer >= 1 and <= %lld", LG_ITER_MAX);
        lg_merr(c, k, msg);
        free(msg);
        free(k);
        goto out;
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
  } else if (it && lg_mint(c, o, "iterations", path, &sc->iterations, 1)) {
    goto out;
  }
  json_t *ex = json_object_get(o, "expect");
  lg_verdict_t vd;
  if (!ex) {
    sc->expect = lg_xstrdup("pass");
  } else if (json_is_string(ex) &&
             (strcmp(json_string_value(ex), "pass") == 0 ||
              (lg_verdict_parse(json_string_value(ex), &vd) == 0 &&
               vd != LG_V_PASS && vd != LG_V_MISSED && vd != LG_V_INFRA))) {
    sc->expect = lg_xstrdup(json_string_value(ex));
  } else {
    k = lg_fmt("%s.expect", path);
    lg_merr(c, k,
            "\"pass\" or a verdict: LEAK, ERROR, RACE, CRASH, TIMEOUT, "
            "RESOURCE");
    free(k);
    goto out;
  }
  for (size_t i = 0; i < sc->nvariants; i++)
    if (!lg_manifest_variant(m, sc->variants[i])) {
      k = lg_fmt("%s.variants[%zu]", path, i);
      char *msg =
          lg_fmt("the name of a variant (no variant '%s')", sc->variants[i]);
      lg_merr(c, k, msg);
      free(msg);
      free(k);
      goto out;
    }
  if (sc->warmup >= sc->iterations) {
    k = lg_fmt("%s.warmup", path);
    lg_merr(c, k, "fewer warm-up iterations than iterations");
    free(k);
    goto out;
  }
  /* A sample is taken every sample_every iterations: more than the run's
   * iterations leaves no sample to judge (the run could only pass blind). */
  if (sc->sample_every > sc->iterations) {
    k = lg_fmt("%s.sample_every", path);
    lg_merr(c, k, "at most the iterations (no sample would be taken)");
    free(k);
    goto out;
  }
  rc = 0;
out:
  free(lang);
  free(path);
  return rc;
}

static int lg_mdefect(lg_mctx_t *c, json_t *o, size_t idx, lg_manifest_t *m,
                      lg_defect_t *d) {
  char *path = lg_fmt("selftest.defects[%zu]", idx);
  char **cells = NULL;
  size_t ncells = 0;
  int rc = -1;
  if (!json_is_object(o)) {
    lg_merr(c, path, "an object");
    goto out;
  }
  static const char *const keys[] = {"fault", "scenario", "description",
                                     "caught_by", NULL};
  if (lg_mkeys(c, o, path, keys) ||
      lg_mstr(c, o, "fault", path, &d->fault, 1) ||
      lg_mname(c, path, "fault", d->fault) ||
      lg_mstr(c, o, "scenario", path, &d->scenario, 1) ||
      lg_mstr(c, o, "description", path, &d->description, 0) ||
      lg_mstrv(c, o, "caught_by", path, &cells, &ncells))
    goto out;
  const lg_scenario_t *sc = lg_manifest_scenario(m, d->scenario);
  if (!sc) {
    char *k = lg_fmt("%s.scenario", path);
    char *msg = lg_fmt("a scenario name (no scenario '%s')", d->scenario);
    lg_merr(c, k, msg);
    free(msg);
    free(k);
    goto out;
  }
  if (ncells == 0) {
    char *k = lg_fmt("%s.caught_by", path);
    lg_merr(c, k, "a non-empty array of \"variant\" or \"variant:metric\"");
    free(k);
    goto out;
  }
  d->cells = lg_xcalloc(ncells, sizeof *d->cells);
  for (size_t i = 0; i < ncells; i++) {
    lg_cellspec_t *cs = &d->cells[d->ncells++];
    cs->label = lg_xstrdup(cells[i]);
    char *colon = strchr(cells[i], ':');
    cs->variant = colon ? lg_xstrndup(cells[i], (size_t)(colon - cells[i]))
                        : lg_xstrdup(cells[i]);
    cs->metric = colon ? lg_xstrdup(colon + 1) : NULL;
    const lg_variant_t *va = lg_manifest_variant(m, cs->variant);
    if (!va || !(va->langs & sc->lang)) {
      char *k = lg_fmt("%s.caught_by[%zu]", path, i);
      char *msg = lg_fmt("a variant that runs %s scenarios (got '%s')",
                         sc->lang == LG_LANG_JS ? "js" : "c", cs->variant);
      lg_merr(c, k, msg);
      free(msg);
      free(k);
      goto out;
    }
  }
  rc = 0;
out:
  lg_strv_free(cells, ncells);
  free(path);
  return rc;
}

/* Whether the existing file `path` lies under the directory `real_root`
 * (already resolved; NULL: nothing does). Symbolic links and ".." are
 * resolved first, so "{root}/../x" is outside. */
static int lg_path_under(const char *path, const char *real_root) {
  char *real = lg_realpath(path);
  size_t n = real_root ? strlen(real_root) : 0;
  int under = real && real_root && strncmp(real, real_root, n) == 0 &&
              (real[n] == '/' || real[n] == '\0' || real_root[n - 1] == '/');
  free(real);
  return under;
}

/* Loads the suppression files each variant names (its wrapper and its
 * *_OPTIONS environment) and rejects any entry that could hide our code. */
static int lg_msupps(lg_mctx_t *c, lg_manifest_t *m) {
  int sandbox = (c->flags & LG_MANIFEST_SANDBOX) != 0;
  lg_expand_t ctx = {.root = m->root, .manifest_dir = m->dir};
  char *real_root = sandbox ? lg_realpath(m->root) : NULL;
  for (size_t v = 0; v < m->nvariants; v++) {
    lg_variant_t *va = &m->variants[v];
    char **paths = NULL;
    size_t npaths = 0;
    for (size_t i = 0; i < va->nwrapper; i++)
      lg_supp_paths(va->wrapper[i], &paths, &npaths);
    const lg_kv_t *envs[] = {va->env, va->env_js, va->env_c};
    size_t nenvs[] = {va->nenv, va->nenv_js, va->nenv_c};
    for (size_t k = 0; k < 3; k++)
      for (size_t i = 0; i < nenvs[k]; i++)
        lg_supp_paths(envs[k][i].value, &paths, &npaths);
    int rc = 0;
    for (size_t i = 0; i < npaths && rc == 0; i++) {
      char *e = NULL, *path = lg_expand_ex(paths[i], &ctx,
                                           sandbox ? LG_EXPAND_NO_EXEC : 0, &e);
      if (!path) {
        free(e);
        continue; /* names a per-run file: nothing to check at load */
      }
      if (sandbox && !lg_path_under(path, real_root)) {
        free(path);
        continue; /* sandboxed: only files under the root are read */
      }
      va->supps = lg_xrealloc(va->supps, (va->nsupps + 1) * sizeof *va->supps);
      lg_supp_file_t *f = &va->supps[va->nsupps++];
      e = lg_supp_load(path, f);
      if (!e)
        e = lg_supp_check_ours(f, m->ours, m->nours, m->our_functions,
                               m->nour_functions);
      if (e) {
        if (!c->err)
          c->err = lg_fmt("%s: variant '%s': %s", c->file, va->name, e);
        free(e);
        rc = -1;
      }
      free(path);
    }
    lg_strv_free(paths, npaths);
    if (rc) {
      free(real_root);
      return rc;
    }
  }
  free(real_root);
  return 0;
}

int lg_manifest_load(const char *path, const char *root, lg_manifest_t *m,
                     char **err) {
  return lg_manifest_load_ex(path, root, 0, m, err);
}

int lg_manifest_load_ex(const char *path, const char *root, unsigned flags,
                        lg_manifest_t *m, char **err) {
  memset(m, 0, sizeof *m);
  lg_mctx_t c = {path, NULL, flags};
  json_error_t je;
  json_t *o = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
  m->path = lg_xstrdup(path);
  m->root = lg_xstrdup(root);
  {
    /* The manifest's directory, absolute: realpath of the file's dirname
     * (the file may not exist: the load fails below with that error). */
    const char *slash = strrchr(path, '/');
    char *d = slash
                  ? lg_xstrndup(path, (size_t)(slash - path + (slash == path)))
                  : lg_xstrdup(".");
    m->dir = lg_realpath(d);
    if (!m->dir)
      m->dir = d;
    else
      free(d);
    char *own = lg_path_join(root, "scenarios/manifest.json");
    char *a = lg_realpath(own), *b = lg_realpath(path);
    m->own = a && b && strcmp(a, b) == 0;
    free(own);
    free(a);
    free(b);
  }
  m->node = lg_xstrdup("node");
  m->probe_js = lg_xstrdup("{leakgate}/probe.js");
  m->js_dir = lg_xstrdup("{root}/scenarios/js");
  m->c_dir = lg_xstrdup("{build}/scenarios/c");
  m->alpha = LG_DEFAULT_ALPHA;
  m->iterations = 1000;
  m->warmup = 100;
  m->sample_every = 10;
  m->timeout_s = 120;
  if (!o) {
    /* jansson reports line -1 when the file cannot be opened at all. */
    FILE *f = fopen(path, "r");
    int e = errno;
    if (f)
      fclose(f);
    *err = !f ? lg_fmt("manifest %s: %s", path, strerror(e))
           : je.line > 0
               ? lg_fmt("%s: cannot load manifest: %s (line %d)", path, je.text,
                        je.line)
               : lg_fmt("%s: cannot load manifest: %s", path, je.text);
    return -1;
  }
  json_t *defaults = json_object_get(o, "defaults");
  json_t *variants = json_object_get(o, "variants");
  json_t *scenarios = json_object_get(o, "scenarios");
  json_t *selftest = json_object_get(o, "selftest");
  json_t *ver = json_object_get(o, "version");
  if (!json_is_object(o)) {
    lg_merr(&c, "(top level)", "an object");
    goto fail;
  }
  if (!json_is_integer(ver) || json_integer_value(ver) != 1) {
    lg_merr(&c, "version", "1");
    goto fail;
  }
  static const char *const top_keys[] = {
      "version",  "node",     "probe_js",  "js_dir",     "c_dir",
      "control",  "once",     "ours",      "frame_skip", "our_functions",
      "defaults", "variants", "scenarios", "selftest",   NULL};
  static const char *const dkeys[] = {"iterations", "warmup", "sample_every",
                                      "timeout_s",  "alpha",  "thresholds",
                                      "exact",      "js",     NULL};
  static const char *const djs_keys[] = {"iterations", "warmup", "sample_every",
                                         "timeout_s", NULL};
  static const char *const st_keys[] = {"defects", NULL};
  if (lg_mkeys(&c, o, "", top_keys) ||
      lg_mkeys(&c, defaults, "defaults", dkeys) ||
      lg_mkeys(&c, json_object_get(defaults, "js"), "defaults.js", djs_keys) ||
      lg_mkeys(&c, selftest, "selftest", st_keys))
    goto fail;
  if (lg_mstr(&c, o, "node", "", &m->node, 0) ||
      lg_mstr(&c, o, "probe_js", "", &m->probe_js, 0) ||
      lg_mstr(&c, o, "js_dir", "", &m->js_dir, 0) ||
      lg_mstr(&c, o, "c_dir", "", &m->c_dir, 0) ||
      (!json_is_array(json_object_get(o, "control")) &&
       lg_mstr(&c, o, "control", "", &m->control, 0)) ||
      lg_monce(&c, o, "", &m->once) ||
      lg_mstrv(&c, o, "ours", "", &m->ours, &m->nours) ||
      lg_mstrv(&c, o, "frame_skip", "", &m->frame_skip, &m->nframe_skip) ||
      lg_mstrv(&c, o, "our_functions", "", &m->our_functions,
               &m->nour_functions))
    goto fail;
  if (defaults && !json_is_object(defaults)) {
    lg_merr(&c, "defaults", "an object");
    goto fail;
  }
  if (defaults &&
      (lg_mint(&c, defaults, "iterations", "defaults", &m->iterations, 1) ||
       lg_mint(&c, defaults, "warmup", "defaults", &m->warmup, 0) ||
       lg_mint(&c, defaults, "sample_every", "defaults", &m->sample_every, 1) ||
       lg_mnum_range(&c, defaults, "timeout_s", "defaults", &m->timeout_s,
                     0.001, LG_TIMEOUT_MAX_S) ||
       lg_mnum(&c, defaults, "alpha", "defaults", &m->alpha, 1e-9) ||
       lg_mthresholds(&c, defaults, "defaults", &m->thresholds,
                      &m->nthresholds) ||
       lg_mstrv(&c, defaults, "exact", "defaults", &m->exact, &m->nexact)))
    goto fail;
  m->js_iterations = m->iterations;
  m->js_warmup = m->warmup;
  m->js_sample_every = m->sample_every;
  m->js_timeout_s = m->timeout_s;
  json_t *djs = json_object_get(defaults, "js");
  if (djs && !json_is_object(djs)) {
    lg_merr(&c, "defaults.js", "an object");
    goto fail;
  }
  if (djs &&
      (lg_mint(&c, djs, "iterations", "defaults.js", &m->js_iterations, 1) ||
       lg_mint(&c, djs, "warmup", "defaults.js", &m->js_warmup, 0) ||
       lg_mint(&c, djs, "sample_every", "defaults.js", &m->js_sample_every,
               1) ||
       lg_mnum_range(&c, djs, "timeout_s", "defaults.js", &m->js_timeout_s,
                     0.001, LG_TIMEOUT_MAX_S)))
    goto fail;
  if (m->alpha >= 0.5) {
    lg_merr(&c, "defaults.alpha", "a significance level below 0.5");
    goto fail;
  }
  if (!json_is_array(variants) || json_array_size(variants) == 0) {
    lg_merr(&c, "variants", "a non-empty array");
    goto fail;
  }
  m->variants = lg_xcalloc(json_array_size(variants), sizeof *m->variants);
  json_t *presets = NULL;
  for (size_t i = 0; i < json_array_size(variants); i++) {
    json_t *vo = json_array_get(variants, i);
    json_t *merged = json_is_object(vo) && json_object_get(vo, "preset")
                         ? lg_mpreset(&c, vo, i, &presets)
                         : json_incref(vo);
    int bad = !merged || lg_mvariant(&c, merged, i, &m->variants[i]);
    json_decref(merged);
    if (bad) {
      m->nvariants = i + 1;
      json_decref(presets);
      goto fail;
    }
    m->nvariants = i + 1;
    if (lg_manifest_variant(m, m->variants[i].name) != &m->variants[i]) {
      char *k = lg_fmt("variants[%zu].name", i);
      lg_merr(&c, k, "a unique name");
      free(k);
      json_decref(presets);
      goto fail;
    }
  }
  json_decref(presets);
  if (!json_is_array(scenarios)) {
    lg_merr(&c, "scenarios", "an array (may be empty)");
    goto fail;
  }
  m->scenarios = lg_xcalloc(json_array_size(scenarios), sizeof *m->scenarios);
  for (size_t i = 0; i < json_array_size(scenarios); i++) {
    m->nscenarios = i + 1;
    if (lg_mscenario(&c, json_array_get(scenarios, i), i, m, &m->scenarios[i]))
      goto fail;
    if (lg_manifest_scenario(m, m->scenarios[i].name) != &m->scenarios[i]) {
      char *k = lg_fmt("scenarios[%zu].name", i);
      lg_merr(&c, k, "a unique name");
      free(k);
      goto fail;
    }
  }
  /* "control": one scenario name, or one per language as an array; kept
   * as a comma-separated list (see lg_is_control). */
  if (json_is_array(json_object_get(o, "control"))) {
    char **names = NULL;
    size_t nnames = 0;
    if (lg_mstrv(&c, o, "control", "", &names, &nnames)) {
      lg_strv_free(names, nnames); /* the elements read before the bad one */
      goto fail;
    }
    for (size_t i = 0; i < nnames; i++) {
      char *joined = lg_fmt("%s%s%s", m->control ? m->control : "",
                            m->control ? "," : "", names[i]);
      free(m->control);
      m->control = joined;
    }
    lg_strv_free(names, nnames);
  }
  for (const char *p = m->control; p && *p && m->nscenarios;) {
    size_t len = strcspn(p, ",");
    char *name = lg_fmt("%.*s", (int)len, p);
    int known = lg_manifest_scenario(m, name) != NULL;
    if (!known) {
      char *msg = lg_fmt("the name of a scenario (no scenario '%s')", name);
      lg_merr(&c, "control", msg);
      free(msg);
    }
    free(name);
    if (!known)
      goto fail;
    p += len + (p[len] == ',');
  }
  if (selftest) {
    json_t *defects = json_object_get(selftest, "defects");
    if (!json_is_object(selftest) || !json_is_array(defects)) {
      lg_merr(&c, "selftest.defects", "an array");
      goto fail;
    }
    m->defects = lg_xcalloc(json_array_size(defects), sizeof *m->defects);
    for (size_t i = 0; i < json_array_size(defects); i++) {
      m->ndefects = i + 1;
      if (lg_mdefect(&c, json_array_get(defects, i), i, m, &m->defects[i]))
        goto fail;
    }
  }
  if (lg_msupps(&c, m))
    goto fail;
  if ((c.err = lg_manifest_check_scale(m, 1.0)) != NULL)
    goto fail;
  json_decref(o);
  return 0;
fail:
  json_decref(o);
  *err = c.err ? c.err : lg_fmt("%s: invalid manifest", path);
  return -1;
}

static void lg_kv_free(lg_kv_t *kv, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(kv[i].key);
    free(kv[i].value);
  }
  free(kv);
}

static void lg_thresholds_free(lg_threshold_t *t, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(t[i].metric);
    free(t[i].measured);
    for (size_t j = 0; j < t[i].nper_variant; j++)
      free(t[i].per_variant[j].variant);
    free(t[i].per_variant);
  }
  free(t);
}

void lg_manifest_free(lg_manifest_t *m) {
  for (size_t i = 0; i < m->nvariants; i++) {
    lg_variant_t *va = &m->variants[i];
    free(va->name);
    free(va->description);
    free(va->build);
    lg_strv_free(va->wrapper, va->nwrapper);
    lg_kv_free(va->env, va->nenv);
    lg_kv_free(va->env_js, va->nenv_js);
    lg_kv_free(va->env_c, va->nenv_c);
    for (size_t j = 0; j < va->ndetectors; j++) {
      free(va->detectors[j].parser);
      lg_strv_free(va->detectors[j].files, va->detectors[j].nfiles);
    }
    free(va->detectors);
    free(va->exit_codes);
    free(va->exit_verdicts);
    lg_strv_free(va->ignore_exact, va->nignore_exact);
    lg_strv_free(va->slope_langs, va->nslope_langs);
    for (size_t k = 0; k < va->nsupps; k++)
      lg_supp_free(&va->supps[k]);
    free(va->supps);
  }
  free(m->variants);
  for (size_t i = 0; i < m->nscenarios; i++) {
    lg_scenario_t *sc = &m->scenarios[i];
    free(sc->name);
    free(sc->description);
    free(sc->program);
    lg_strv_free(sc->args, sc->nargs);
    for (size_t j = 0; j < sc->niterations_per_variant; j++)
      free(sc->iterations_per_variant[j].variant);
    free(sc->iterations_per_variant);
    lg_thresholds_free(sc->thresholds, sc->nthresholds);
    lg_strv_free(sc->exact, sc->nexact);
    free(sc->expect);
    lg_strv_free(sc->variants, sc->nvariants);
    free(sc->primary);
  }
  free(m->scenarios);
  for (size_t i = 0; i < m->ndefects; i++) {
    lg_defect_t *d = &m->defects[i];
    free(d->fault);
    free(d->scenario);
    free(d->description);
    for (size_t j = 0; j < d->ncells; j++) {
      free(d->cells[j].label);
      free(d->cells[j].variant);
      free(d->cells[j].metric);
    }
    free(d->cells);
  }
  free(m->defects);
  lg_thresholds_free(m->thresholds, m->nthresholds);
  lg_strv_free(m->exact, m->nexact);
  lg_strv_free(m->ours, m->nours);
  lg_strv_free(m->frame_skip, m->nframe_skip);
  lg_strv_free(m->our_functions, m->nour_functions);
  free(m->path);
  free(m->root);
  free(m->dir);
  free(m->node);
  free(m->probe_js);
  free(m->js_dir);
  free(m->c_dir);
  free(m->control);
  memset(m, 0, sizeof *m);
}

const lg_variant_t *lg_manifest_variant(const lg_manifest_t *m,
                                        const char *name) {
  for (size_t i = 0; i < m->nvariants; i++)
    if (m->variants[i].name && strcmp(m->variants[i].name, name) == 0)
      return &m->variants[i];
  return NULL;
}

const lg_scenario_t *lg_manifest_scenario(const lg_manifest_t *m,
                                          const char *name) {
  for (size_t i = 0; i < m->nscenarios; i++)
    if (m->scenarios[i].name && strcmp(m->scenarios[i].name, name) == 0)
      return &m->scenarios[i];
  return NULL;
}

int lg_scenario_in_variant(const lg_scenario_t *sc, const lg_variant_t *va) {
  if (!(va->langs & sc->lang))
    return 0;
  if (sc->nvariants == 0)
    return 1;
  for (size_t i = 0; i < sc->nvariants; i++)
    if (strcmp(sc->variants[i], va->name) == 0)
      return 1;
  return 0;
}

char *lg_manifest_check_scale(const lg_manifest_t *m, double cli_scale) {
  for (size_t s = 0; s < m->nscenarios; s++) {
    const lg_scenario_t *sc = &m->scenarios[s];
    for (size_t v = 0; v < m->nvariants; v++) {
      const lg_variant_t *va = &m->variants[v];
      if (!lg_scenario_in_variant(sc, va))
        continue;
      double n = lg_scenario_iterations_raw(sc, va, cli_scale);
      if (!(n <= (double)LG_ITER_MAX))
        return lg_fmt("%s: scenario '%s' in variant '%s': %.3g iterations "
                      "after scaling (iteration_scale %g, "
                      "--iterations-scale %g); at most %lld",
                      m->path, sc->name, va->name, n, va->iteration_scale,
                      cli_scale, LG_ITER_MAX);
    }
  }
  return NULL;
}

double lg_scenario_iterations_raw(const lg_scenario_t *sc,
                                  const lg_variant_t *va, double cli_scale) {
  double n = (double)sc->iterations * va->iteration_scale;
  for (size_t i = 0; i < sc->niterations_per_variant; i++)
    if (strcmp(sc->iterations_per_variant[i].variant, va->name) == 0)
      n = sc->iterations_per_variant[i].value;
  return n * cli_scale;
}

int lg_variant_judges_slopes(const lg_variant_t *va, const char *lang) {
  int judge = !va || va->nslope_langs == 0;
  for (size_t e = 0; va && e < va->nslope_langs; e++)
    judge |= lang && strcmp(va->slope_langs[e], lang) == 0;
  return judge;
}

long long lg_scenario_iterations(const lg_scenario_t *sc,
                                 const lg_variant_t *va, double cli_scale) {
  double n = lg_scenario_iterations_raw(sc, va, cli_scale);
  /* Loading and the CLI refuse more than LG_ITER_MAX (see
   * lg_manifest_check_scale); the clamp keeps llround defined regardless. */
  return n < 1                     ? 1
         : n > (double)LG_ITER_MAX ? LG_ITER_MAX
                                   : (long long)llround(n);
}

static int lg_find_threshold(const lg_threshold_t *t, size_t n,
                             const char *variant, const char *metric,
                             double *slope, const char **measured) {
  for (size_t i = 0; i < n; i++) {
    if (strcmp(t[i].metric, metric) != 0)
      continue;
    *slope = t[i].slope;
    for (size_t j = 0; j < t[i].nper_variant; j++)
      if (strcmp(t[i].per_variant[j].variant, variant) == 0)
        *slope = t[i].per_variant[j].value;
    if (measured)
      *measured = t[i].measured;
    return 1;
  }
  return 0;
}

double lg_scenario_peak_ceiling(const lg_manifest_t *m, const lg_scenario_t *sc,
                                const char *variant, const char *metric) {
  const lg_threshold_t *lists[2] = {sc ? sc->thresholds : NULL, m->thresholds};
  size_t counts[2] = {sc ? sc->nthresholds : 0, m->nthresholds};
  for (size_t l = 0; l < 2; l++) {
    double slope = NAN;
    if (!lg_find_threshold(lists[l], counts[l], variant, metric, &slope, NULL))
      continue;
    if (isnan(slope))
      return NAN; /* null in this variant: not judged here */
    for (size_t i = 0; i < counts[l]; i++)
      if (strcmp(lists[l][i].metric, metric) == 0)
        return lists[l][i].peak;
  }
  return NAN;
}

double lg_scenario_threshold(const lg_manifest_t *m, const lg_scenario_t *sc,
                             const char *variant, const char *metric,
                             const char **measured) {
  double s = NAN;
  if (measured)
    *measured = NULL;
  if (sc && lg_find_threshold(sc->thresholds, sc->nthresholds, variant, metric,
                              &s, measured))
    return s;
  lg_find_threshold(m->thresholds, m->nthresholds, variant, metric, &s,
                    measured);
  return s;
}

void lg_scenario_exact(const lg_manifest_t *m, const lg_scenario_t *sc,
                       char ***list, size_t *n) {
  if (sc && sc->exact) {
    *list = sc->exact;
    *n = sc->nexact;
  } else {
    *list = m->exact;
    *n = m->nexact;
  }
}

char *lg_manifest_path(const lg_manifest_t *m, const char *expanded) {
  if (expanded[0] == '/' || !m->dir)
    return lg_xstrdup(expanded);
  return lg_path_join(m->dir, expanded);
}
