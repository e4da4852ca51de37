/* Job selection for `leakgate run` and the checks of its options against
 * the manifest (plan.h). */
#include "plan.h"

#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "util.h"

int lg_parse_int(const char *s, long long min, long long max, long long *out) {
  char *end;
  errno = 0;
  if (!*s || *s == ' ' || *s == '+')
    return -1;
  long long v = strtoll(s, &end, 10);
  if (errno || end == s || *end || v < min || v > max)
    return -1;
  *out = v;
  return 0;
}

int lg_parse_shard(const char *s, int *i, int *n) {
  const char *slash = strchr(s, '/');
  if (!slash)
    return 0;
  char *left = lg_xstrndup(s, (size_t)(slash - s));
  long long li, ln;
  int ok = lg_parse_int(left, 1, INT_MAX, &li) == 0 &&
           lg_parse_int(slash + 1, 1, INT_MAX, &ln) == 0 && li <= ln;
  free(left);
  if (ok) {
    *i = (int)li;
    *n = (int)ln;
  }
  return ok;
}

int lg_plan_has_defect(const lg_manifest_t *m, const char *name) {
  for (size_t d = 0; d < m->ndefects; d++)
    if (strcmp(m->defects[d].fault, name) == 0)
      return 1;
  return 0;
}

/* NULL when every name is a manifest variant, else the problem. */
static char *lg_plan_check_variants(const lg_manifest_t *m, char **variants,
                                    size_t nvariants) {
  for (size_t i = 0; i < nvariants; i++)
    if (!lg_manifest_variant(m, variants[i]))
      return lg_fmt("--variant: no variant '%s' in the manifest", variants[i]);
  return NULL;
}

/* True when a glob of sel matches the scenario name. */
static int lg_plan_matches(const lg_plan_sel_t *sel, const char *name) {
  int hit = 0;
  for (size_t i = 0; i < sel->nscenarios; i++)
    hit |= fnmatch(sel->scenarios[i], name, 0) == 0;
  return hit;
}

char *lg_plan_check_run(const lg_manifest_t *m, const lg_plan_sel_t *sel,
                        double scale) {
  char *err = lg_plan_check_variants(m, sel->variants, sel->nvariants);
  if (!err)
    err = lg_manifest_check_scale(m, scale);
  for (size_t i = 0; !err && i < sel->nscenarios; i++) {
    int hit = 0;
    for (size_t s = 0; s < m->nscenarios; s++)
      hit |= fnmatch(sel->scenarios[i], m->scenarios[s].name, 0) == 0;
    if (!hit)
      err = lg_fmt("--scenario: '%s' matches no scenario", sel->scenarios[i]);
  }
  if (!err && sel->fault && !lg_plan_has_defect(m, sel->fault))
    err = lg_fmt("--fault: '%s' is not a planted defect of the manifest's "
                 "selftest section (see 'leakgate list')",
                 sel->fault);
  return err;
}

char *lg_plan_check_selftest(const lg_manifest_t *m, char **variants,
                             size_t nvariants, char **defects, size_t ndefects,
                             double scale) {
  if (m->ndefects == 0)
    return lg_xstrdup("selftest: the manifest has no selftest.defects");
  char *err = lg_plan_check_variants(m, variants, nvariants);
  if (!err)
    err = lg_manifest_check_scale(m, scale);
  for (size_t i = 0; !err && i < ndefects; i++)
    if (!lg_plan_has_defect(m, defects[i]))
      err = lg_fmt("--defect: no defect '%s' in the manifest", defects[i]);
  return err;
}

lg_job_t *lg_plan_jobs(const lg_manifest_t *m, const lg_plan_sel_t *sel,
                       size_t *n) {
  size_t cap = m->nscenarios * m->nvariants + 1, k = 0;
  lg_job_t *jobs = lg_xcalloc(cap, sizeof *jobs);
  *n = 0;
  for (size_t s = 0; s < m->nscenarios; s++) {
    const lg_scenario_t *sc = &m->scenarios[s];
    int want = sel->nscenarios == 0 || lg_plan_matches(sel, sc->name);
    int is_control = lg_is_control(m->control, sc->name);
    if (!want && !(is_control && !sel->shard_n))
      continue;
    for (size_t v = 0; v < m->nvariants; v++) {
      const lg_variant_t *va = &m->variants[v];
      int vwant = sel->nvariants == 0 ? va->is_default : 0;
      for (size_t i = 0; i < sel->nvariants; i++)
        vwant |= strcmp(sel->variants[i], va->name) == 0;
      if (!vwant || !lg_scenario_in_variant(sc, va))
        continue;
      if (sel->fault && !va->has_faults)
        continue; /* the fault could not be planted in this build */
      if (sel->shard_n && (int)(k++ % (size_t)sel->shard_n) != sel->shard_i - 1)
        continue;
      jobs[*n].sc = sc;
      jobs[*n].va = va;
      jobs[*n].fault = is_control ? NULL : sel->fault;
      (*n)++;
    }
  }
  return jobs;
}
