/* Fuzz target: the manifest loader (harness/src/manifest.c), with template
 * checking at load and template expansion of every template it holds,
 * followed by the per-run look-ups the runner makes.
 *
 * No command is run: the loader is called with LG_MANIFEST_SANDBOX, so
 * {gcc-file:}/{clang-file:} (which popen the compiler) are not resolved and
 * suppression files are read only under the repository root; expansion
 * here uses LG_EXPAND_NO_EXEC for the same reason. fuzz_common.c replaces
 * popen and system with an abort, so a path that still tried would be a
 * finding. Properties: no memory error, undefined behaviour or leak; a
 * failed load gives a message; a loaded manifest's cross references hold
 * (every variant a scenario lists exists, every defect's scenario exists). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "manifest.h"

#ifndef LG_FUZZ_ROOT
#error "LG_FUZZ_ROOT (the repository root) must be defined"
#endif

static void expand(const char *tmpl, const lg_expand_t *ctx) {
  if (!tmpl)
    return;
  char *err = NULL;
  char *s = lg_expand_ex(tmpl, ctx, LG_EXPAND_NO_EXEC, &err);
  LG_FUZZ_CHECK(!s != !err, "expand \"%s\": result and error", tmpl);
  free(s);
  free(err);
}

static void expand_kv(const lg_kv_t *kv, size_t n, const lg_expand_t *ctx) {
  for (size_t i = 0; i < n; i++)
    expand(kv[i].value, ctx);
}

int lg_fuzz_one(const uint8_t *data, size_t size) {
  lg_manifest_t m;
  char *err = NULL;
  if (lg_manifest_load_ex(lg_fuzz_file(data, size), LG_FUZZ_ROOT,
                          LG_MANIFEST_SANDBOX, &m, &err) != 0) {
    LG_FUZZ_CHECK(err != NULL && *err, "load failed without a message");
    free(err);
    lg_manifest_free(&m);
    return 0;
  }
  for (size_t v = 0; v < m.nvariants; v++) {
    const lg_variant_t *va = &m.variants[v];
    LG_FUZZ_CHECK(lg_manifest_variant(&m, va->name) == va, "variant %zu", v);
    lg_expand_t ctx = {.root = m.root,
                       .build = "/b",
                       .run_dir = "/r",
                       .out = "/o",
                       .scenario = "s",
                       .variant = va->name,
                       .manifest_dir = m.dir};
    expand(va->build, &ctx);
    for (size_t i = 0; i < va->nwrapper; i++)
      expand(va->wrapper[i], &ctx);
    expand_kv(va->env, va->nenv, &ctx);
    expand_kv(va->env_js, va->nenv_js, &ctx);
    expand_kv(va->env_c, va->nenv_c, &ctx);
    expand(m.node, &ctx);
    expand(m.probe_js, &ctx);
    expand(m.js_dir, &ctx);
    expand(m.c_dir, &ctx);
    for (size_t s = 0; s < m.nscenarios; s++) {
      const lg_scenario_t *sc = &m.scenarios[s];
      if (!lg_scenario_in_variant(sc, va))
        continue;
      LG_FUZZ_CHECK(lg_scenario_iterations(sc, va, 1.0) >= 1,
                    "scenario %s in %s", sc->name, va->name);
      for (size_t a = 0; a < sc->nargs; a++)
        expand(sc->args[a], &ctx);
      for (size_t t = 0; t < sc->nthresholds; t++)
        (void)lg_scenario_threshold(&m, sc, va->name, sc->thresholds[t].metric,
                                    NULL);
      for (size_t t = 0; t < m.nthresholds; t++) {
        const char *measured = NULL;
        (void)lg_scenario_threshold(&m, sc, va->name, m.thresholds[t].metric,
                                    &measured);
      }
      char **exact;
      size_t nexact;
      lg_scenario_exact(&m, sc, &exact, &nexact);
      LG_FUZZ_CHECK(nexact == 0 || exact, "scenario %s exact", sc->name);
    }
  }
  for (size_t s = 0; s < m.nscenarios; s++) {
    const lg_scenario_t *sc = &m.scenarios[s];
    LG_FUZZ_CHECK(lg_manifest_scenario(&m, sc->name) == sc, "scenario %zu", s);
    for (size_t k = 0; k < sc->nvariants; k++)
      LG_FUZZ_CHECK(lg_manifest_variant(&m, sc->variants[k]) != NULL,
                    "scenario %s names variant %s", sc->name, sc->variants[k]);
  }
  for (size_t d = 0; d < m.ndefects; d++)
    LG_FUZZ_CHECK(lg_manifest_scenario(&m, m.defects[d].scenario) != NULL,
                  "defect %s: scenario %s", m.defects[d].fault,
                  m.defects[d].scenario);
  lg_manifest_free(&m);
  return 0;
}
