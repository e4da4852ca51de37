/* Finding identity and one-time vs growing leaks (see leakclass.h). */
#include "leakclass.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "detect.h"

const lg_frame_t *lg_finding_frame(const lg_finding_t *f) {
  if (!f->first_our_frame)
    return NULL;
  for (size_t i = 0; i < f->nstacks; i++)
    for (size_t j = 0; j < f->stacks[i].nframes; j++) {
      const lg_frame_t *fr = &f->stacks[i].frames[j];
      if (!fr->ours)
        continue;
      char *l = lg_frame_label(fr);
      int eq = strcmp(l, f->first_our_frame) == 0;
      free(l);
      if (eq)
        return fr;
    }
  return NULL;
}

static const char *lg_last_component(const char *p) {
  const char *s = strrchr(p, '/');
  return s ? s + 1 : p;
}

/* The file relative to root when it lies inside; a relative path as
 * compiled without its leading ./ and ../; otherwise its last component (a
 * system header, or a root that cannot be known). Borrowed from file. */
static const char *lg_rel_file(const char *file, const char *root) {
  size_t n = root ? strlen(root) : 0;
  while (n > 1 && root[n - 1] == '/')
    n--;
  if (n && strncmp(file, root, n) == 0 && file[n] == '/')
    return file + n + 1;
  if (file[0] != '/') {
    while (strncmp(file, "./", 2) == 0 || strncmp(file, "../", 3) == 0)
      file += file[1] == '/' ? 2 : 3;
    return file;
  }
  return lg_last_component(file);
}

char *lg_finding_site(const lg_finding_t *f, const char *root) {
  const lg_frame_t *fr = lg_finding_frame(f);
  if (!fr)
    return lg_xstrdup(f->first_our_frame ? f->first_our_frame : "?");
  const char *fn = fr->fn ? fr->fn : "??";
  if (fr->file)
    return lg_fmt("%s %s:%d", fn, lg_rel_file(fr->file, root), fr->line);
  return lg_fmt("%s (%s)", fn, fr->obj ? lg_last_component(fr->obj) : "?");
}

char *lg_finding_key(const lg_finding_t *f, const char *root) {
  char *site = lg_finding_site(f, root);
  char *k = lg_fmt("%s %s at %s", f->detector ? f->detector : "?",
                   f->kind ? f->kind : "?", site);
  free(site);
  return k;
}

int lg_leak_grows(long long bytes, long long blocks, long long iterations,
                  double bytes_per_it) {
  if (bytes < 0 || blocks < 0 || iterations <= 0)
    return 1;
  double share = LG_GROW_MIN_SHARE * (double)iterations;
  double least =
      share < LG_GROW_MIN_BLOCKS_CAP ? share : LG_GROW_MIN_BLOCKS_CAP;
  if (blocks >= LG_GROW_MIN_BLOCKS && (double)blocks >= least &&
      (double)blocks >= LG_GROW_BLOCKS_PER_IT * (double)iterations)
    return 1;
  /* One block that grows (a buffer realloc'ed on every call) scales in
   * bytes, not in blocks. */
  return isfinite(bytes_per_it) &&
         (double)bytes / (double)iterations > bytes_per_it;
}

lg_once_t lg_once_policy(const lg_manifest_t *m, const lg_scenario_t *sc) {
  if (sc && sc->once != LG_ONCE_INHERIT)
    return sc->once;
  return m ? m->once : LG_ONCE_WARN;
}

lg_verdict_t lg_once_verdict(const lg_manifest_t *m, const lg_scenario_t *sc) {
  return lg_once_policy(m, sc) == LG_ONCE_FAIL ? LG_V_LEAK : LG_V_PASS;
}

static char *lg_once_text(const char *detector, const char *kind,
                          long long bytes, long long blocks, const char *at) {
  char *b = lg_fmt_value((double)bytes, "B");
  char *s = lg_fmt("%s %s: leaked once, %s in %lld block%s at %s", detector,
                   kind, b, blocks, blocks == 1 ? "" : "s", at ? at : "?");
  free(b);
  return s;
}

static int lg_is_leak(const lg_finding_t *f) {
  return f->ours && (f->cls == LG_F_LEAK || f->cls == LG_F_ONCE);
}

void lg_leakclass_run(const lg_manifest_t *m, const lg_scenario_t *sc,
                      lg_run_t *run, lg_buf_t *warnings) {
  size_t n = run->nfindings;
  if (n == 0)
    return;
  const char *root = m ? m->root : NULL;
  double bpi =
      m ? lg_scenario_threshold(m, sc, run->variant, "mallocInUse", NULL) : NAN;
  char **keys = lg_xcalloc(n, sizeof *keys);
  for (size_t i = 0; i < n; i++)
    if (lg_is_leak(&run->findings[i]))
      keys[i] = lg_finding_key(&run->findings[i], root);
  for (size_t i = 0; i < n; i++) {
    if (!keys[i])
      continue;
    /* The first record of each key judges the whole group. */
    int first = 1;
    for (size_t j = 0; j < i && first; j++)
      first = !keys[j] || strcmp(keys[j], keys[i]) != 0;
    if (!first)
      continue;
    long long bytes = 0, blocks = 0;
    for (size_t j = i; j < n; j++) {
      const lg_finding_t *g = &run->findings[j];
      if (!keys[j] || strcmp(keys[j], keys[i]) != 0)
        continue;
      bytes = g->bytes < 0 || bytes < 0 ? -1 : bytes + g->bytes;
      blocks = g->blocks < 0 || blocks < 0 ? -1 : blocks + g->blocks;
    }
    int grows = lg_leak_grows(bytes, blocks, run->iterations_done, bpi);
    for (size_t j = i; j < n; j++) {
      lg_finding_t *g = &run->findings[j];
      if (!keys[j] || strcmp(keys[j], keys[i]) != 0)
        continue;
      g->cls = grows ? LG_F_LEAK : LG_F_ONCE;
    }
    if (!grows && warnings && lg_once_policy(m, sc) == LG_ONCE_WARN) {
      const lg_finding_t *g = &run->findings[i];
      char *t =
          lg_once_text(g->detector, g->kind, bytes, blocks, g->first_our_frame);
      lg_buf_addf(warnings, "; warning (\"once\": \"warn\"): %s", t);
      free(t);
    }
  }
  for (size_t i = 0; i < n; i++)
    free(keys[i]);
  free(keys);
}

char *lg_finding_reason(const lg_finding_t *f) {
  const char *at = f->first_our_frame ? f->first_our_frame : "?";
  if (f->cls == LG_F_ONCE)
    return lg_once_text(f->detector, f->kind, f->bytes, f->blocks, at);
  if (f->bytes >= 0)
    return lg_fmt("%s %s (%lld bytes in %lld blocks) at %s", f->detector,
                  f->kind, f->bytes, f->blocks, at);
  return lg_fmt("%s %s at %s", f->detector, f->kind, at);
}
