/* Loading a manifest (see manifest.h): the walk of the document against
 * the schema tables (manifest_schema.h), then the suppression files and the
 * iteration limits; freeing; the look-ups on a loaded manifest. */
#include "manifest.h"
#include "manifest_schema.h"
#include "supp.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

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
  lg_mctx_t c = {.file = path, .flags = flags, .m = m};
  json_error_t je;
  json_t *o = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
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
  m->path = lg_xstrdup(path);
  m->root = lg_xstrdup(root);
  {
    /* The manifest's directory, absolute: realpath of the file's dirname. */
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
  int rc = json_is_object(o) ? lg_mwalk(&c, &lg_manifest_schema, o, "", 0, m)
                             : lg_merr(&c, "(top level)", "an object");
  json_decref(c.presets);
  json_decref(o);
  if (rc == 0 && lg_msupps(&c, m) == 0 &&
      (c.err = lg_manifest_check_scale(m, 1.0)) == NULL)
    return 0;
  lg_manifest_free(m);
  *err = c.err ? c.err : lg_fmt("%s: invalid manifest", path);
  return -1;
}

static void lg_kv_free(lg_kv_t *kv, size_t n) {
  for (size_t i = 0; i < n; i++)
    LG_FREE_ALL(kv[i].key, kv[i].value);
  free(kv);
}

static void lg_thresholds_free(lg_threshold_t *t, size_t n) {
  for (size_t i = 0; i < n; i++) {
    LG_FREE_ALL(t[i].metric, t[i].measured);
    for (size_t j = 0; j < t[i].nper_variant; j++)
      free(t[i].per_variant[j].variant);
    free(t[i].per_variant);
  }
  free(t);
}

void lg_manifest_free(lg_manifest_t *m) {
  for (size_t i = 0; i < m->nvariants; i++) {
    lg_variant_t *va = &m->variants[i];
    LG_FREE_ALL(va->name, va->description, va->build);
    lg_strv_free(va->wrapper, va->nwrapper);
    lg_kv_free(va->env, va->nenv);
    lg_kv_free(va->env_js, va->nenv_js);
    lg_kv_free(va->env_c, va->nenv_c);
    for (size_t j = 0; j < va->ndetectors; j++) {
      free(va->detectors[j].parser);
      lg_strv_free(va->detectors[j].files, va->detectors[j].nfiles);
    }
    LG_FREE_ALL(va->detectors, va->exit_codes, va->exit_verdicts);
    lg_strv_free(va->ignore_exact, va->nignore_exact);
    lg_strv_free(va->slope_langs, va->nslope_langs);
    for (size_t k = 0; k < va->nsupps; k++)
      lg_supp_free(&va->supps[k]);
    free(va->supps);
  }
  free(m->variants);
  for (size_t i = 0; i < m->nscenarios; i++) {
    lg_scenario_t *sc = &m->scenarios[i];
    LG_FREE_ALL(sc->name, sc->description, sc->program);
    lg_strv_free(sc->args, sc->nargs);
    for (size_t j = 0; j < sc->niterations_per_variant; j++)
      free(sc->iterations_per_variant[j].variant);
    free(sc->iterations_per_variant);
    lg_thresholds_free(sc->thresholds, sc->nthresholds);
    lg_strv_free(sc->exact, sc->nexact);
    lg_strv_free(sc->variants, sc->nvariants);
    LG_FREE_ALL(sc->expect, sc->primary);
  }
  free(m->scenarios);
  for (size_t i = 0; i < m->ndefects; i++) {
    lg_defect_t *d = &m->defects[i];
    LG_FREE_ALL(d->fault, d->scenario, d->description);
    for (size_t j = 0; j < d->ncells; j++)
      LG_FREE_ALL(d->cells[j].label, d->cells[j].variant, d->cells[j].metric);
    free(d->cells);
  }
  free(m->defects);
  lg_thresholds_free(m->thresholds, m->nthresholds);
  lg_strv_free(m->exact, m->nexact);
  lg_strv_free(m->ours, m->nours);
  lg_strv_free(m->frame_skip, m->nframe_skip);
  lg_strv_free(m->our_functions, m->nour_functions);
  LG_FREE_ALL(m->path, m->root, m->dir, m->node, m->probe_js, m->js_dir,
              m->c_dir, m->control);
  memset(m, 0, sizeof *m);
}

/* The element of base[0..n) (each `size` bytes, a struct whose first
 * member is `char *name`) called name, or NULL. */
_Static_assert(offsetof(lg_variant_t, name) == 0 &&
                   offsetof(lg_scenario_t, name) == 0,
               "lg_find_named reads the name as the first member");
static const void *lg_find_named(const void *base, size_t n, size_t size,
                                 const char *name) {
  for (size_t i = 0; i < n; i++) {
    const char *const *elem_name =
        (const void *)((const char *)base + i * size);
    if (*elem_name && strcmp(*elem_name, name) == 0)
      return elem_name;
  }
  return NULL;
}

const lg_variant_t *lg_manifest_variant(const lg_manifest_t *m,
                                        const char *name) {
  return lg_find_named(m->variants, m->nvariants, sizeof *m->variants, name);
}

const lg_scenario_t *lg_manifest_scenario(const lg_manifest_t *m,
                                          const char *name) {
  return lg_find_named(m->scenarios, m->nscenarios, sizeof *m->scenarios, name);
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
