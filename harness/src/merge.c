/* The join of shard results behind `leakgate merge` (merge.h). */
#include "merge.h"

#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "util.h"

/* Replaces *dir, a path relative to the input directory `base`, with its
 * absolute path (or base/dir when it cannot be resolved). */
static void lg_merge_rebase(char **dir, const char *base) {
  char *p = lg_path_join(base, *dir);
  char *abs = lg_realpath(p);
  free(*dir);
  *dir = abs ? abs : p;
  if (abs)
    free(p);
}

/* True when x and y are the same scenario x variant x fault. */
static int lg_merge_same_run(const lg_run_t *x, const lg_run_t *y) {
  return strcmp(x->scenario, y->scenario) == 0 &&
         strcmp(x->variant, y->variant) == 0 && !!x->fault == !!y->fault &&
         (!x->fault || strcmp(x->fault, y->fault) == 0);
}

int lg_merge_results(char *const *dirs, size_t ndirs, lg_results_t *r,
                     char **err) {
  memset(r, 0, sizeof *r);
  for (size_t d = 0; d < ndirs; d++) {
    lg_results_t part;
    char *path = lg_path_join(dirs[d], "results.json");
    int rc = lg_results_load(path, &part, err);
    free(path);
    if (rc != 0)
      goto fail;
    if (d == 0) {
      r->schema = part.schema;
      r->tool_version = lg_xstrdup(part.tool_version);
      r->created = lg_xstrdup(part.created);
      r->manifest = lg_xstrdup(part.manifest);
      r->root = lg_xstrdup(part.root);
      r->control = lg_xstrdup(part.control);
      r->command = lg_fmt("leakgate merge (%zu shards)", ndirs);
      if (part.bench)
        lg_results_set_bench(r, json_incref(part.bench));
    }
    r->incomplete |= part.incomplete; /* a partial shard: partial merge */
    for (size_t i = 0; i < part.nsupp_uses; i++)
      lg_results_supp_use(r, part.supp_uses[i].variant, part.supp_uses[i].file,
                          part.supp_uses[i].name, part.supp_uses[i].uses);
    for (size_t i = 0; i < part.nruns; i++) {
      const lg_run_t *src = &part.runs[i];
      for (size_t k = 0; k < r->nruns; k++) {
        if (lg_merge_same_run(&r->runs[k], src)) {
          *err = lg_fmt("merge: %s%s%s/%s appears in more than one input (%s)",
                        src->scenario, src->fault ? "@" : "",
                        src->fault ? src->fault : "", src->variant, dirs[d]);
          lg_results_free(&part);
          goto fail;
        }
      }
      lg_run_t *dst = lg_results_add_run(r);
      lg_run_copy(dst, src);
      /* Runs keep their logs in their shard's directory; the same for
       * their heap re-runs. */
      if (dst->run_dir)
        lg_merge_rebase(&dst->run_dir, dirs[d]);
      if (dst->heap && dst->heap->dir)
        lg_merge_rebase(&dst->heap->dir, dirs[d]);
    }
    lg_results_free(&part);
  }
  lg_analyze_noise(r);
  return 0;
fail:
  lg_results_free(r);
  memset(r, 0, sizeof *r);
  return -1;
}
