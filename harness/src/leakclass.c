/* Finding identity and one-time vs growing leaks (see leakclass.h). */
#include "leakclass.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "text.h"

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

/* A relative path with its "." segments dropped, each "dir/.." pair
 * removed and then its leading ".." segments dropped: what the relocatable
 * build's debug paths name under either base they are written against
 * (CMakeLists.txt, "Compiler cache"). "../../core/src/a.c" (as compiled, in
 * build/asan) and "./build/valgrind/../../core/src/a.c" (joined with the
 * mapped compile directory) both become "core/src/a.c". A new string the
 * caller frees. */
static char *lg_rel_clean(const char *file) {
  size_t len = strlen(file);
  char *out = lg_xcalloc(len + 1, 1);
  size_t o = 0;
  for (const char *p = file; *p;) {
    const char *e = strchr(p, '/');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    if (n == 2 && p[0] == '.' && p[1] == '.') {
      /* drop the last segment written, if any (else the .. goes too) */
      while (o > 0 && out[o - 1] != '/')
        o--;
      if (o > 0)
        o--;
    } else if (n && !(n == 1 && p[0] == '.')) {
      if (o)
        out[o++] = '/';
      memcpy(out + o, p, n);
      o += n;
    }
    p += n + (e ? 1 : 0);
  }
  out[o] = '\0';
  return out;
}

/* The file relative to root when it lies inside; a relative path cleaned
 * of its ., .. and leading .. segments (lg_rel_clean); otherwise its last
 * component (a system header, or a root that cannot be known). A new
 * string the caller frees. */
static char *lg_rel_file(const char *file, const char *root) {
  size_t n = root ? strlen(root) : 0;
  while (n > 1 && root[n - 1] == '/')
    n--;
  if (n && strncmp(file, root, n) == 0 && file[n] == '/')
    return lg_xstrdup(file + n + 1);
  if (file[0] != '/')
    return lg_rel_clean(file);
  return lg_xstrdup(lg_last_component(file));
}

char *lg_path_shown(const char *file) {
  if (!file)
    return lg_xstrdup("?");
  return file[0] == '/' ? lg_xstrdup(file) : lg_rel_clean(file);
}

char *lg_finding_site(const lg_finding_t *f, const char *root) {
  const lg_frame_t *fr = lg_finding_frame(f);
  if (!fr)
    return lg_xstrdup(f->first_our_frame ? f->first_our_frame : "?");
  const char *fn = fr->fn ? fr->fn : "??";
  if (fr->file) {
    char *rel = lg_rel_file(fr->file, root);
    char *site = lg_fmt("%s %s:%d", fn, rel, fr->line);
    free(rel);
    return site;
  }
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

/* LSan's indirect-leak, valgrind's Leak_IndirectlyLost: blocks reachable
 * only from leaked blocks. */
static int lg_is_indirect(const lg_finding_t *f) {
  return f->kind && strcasestr(f->kind, "indirect") != NULL;
}

static int lg_group_cmp(const void *a, const void *b) {
  const lg_leak_group_t *x = a, *y = b;
  if (x->bytes != y->bytes)
    return x->bytes < y->bytes ? 1 : -1;
  return x->first < y->first ? -1 : x->first > y->first;
}

size_t lg_leak_groups(const lg_run_t *run, const char *root,
                      lg_leak_group_t **out, size_t **group_of) {
  size_t n = run->nfindings, ng = 0;
  char **keys = lg_xcalloc(n ? n : 1, sizeof *keys);
  lg_leak_group_t *g = lg_xcalloc(n ? n : 1, sizeof *g);
  for (size_t i = 0; i < n; i++) {
    const lg_finding_t *f = &run->findings[i];
    if (!lg_is_leak(f))
      continue;
    keys[i] = lg_finding_key(f, root);
    size_t k = 0;
    while (k < ng && strcmp(keys[g[k].first], keys[i]) != 0)
      k++;
    if (k == ng) {
      g[ng].first = i;
      g[ng].bytes = g[ng].blocks = 0;
      g[ng].records = 0;
      ng++;
    }
    g[k].bytes = f->bytes < 0 || g[k].bytes < 0 ? -1 : g[k].bytes + f->bytes;
    g[k].blocks =
        f->blocks < 0 || g[k].blocks < 0 ? -1 : g[k].blocks + f->blocks;
    g[k].records++;
  }
  qsort(g, ng, sizeof *g, lg_group_cmp);
  if (group_of) {
    *group_of = lg_xcalloc(n ? n : 1, sizeof **group_of);
    for (size_t i = 0; i < n; i++) {
      (*group_of)[i] = SIZE_MAX;
      for (size_t k = 0; keys[i] && k < ng; k++)
        if (strcmp(keys[g[k].first], keys[i]) == 0)
          (*group_of)[i] = k;
    }
  }
  for (size_t i = 0; i < n; i++)
    free(keys[i]);
  free(keys);
  *out = g;
  return ng;
}

void lg_leakclass_run(const lg_manifest_t *m, const lg_scenario_t *sc,
                      lg_run_t *run, lg_buf_t *warnings) {
  if (run->nfindings == 0)
    return;
  double bpi =
      m ? lg_scenario_threshold(m, sc, run->variant, "mallocInUse", NULL) : NAN;
  lg_leak_group_t *g;
  size_t *gof;
  size_t ng = lg_leak_groups(run, m ? m->root : NULL, &g, &gof);
  /* Direct leaks first. An indirect leak is held by leaked blocks: when no
   * direct leak grows, what they hold was leaked once with them, however
   * many blocks that is (a table and its buckets), and is judged once; a
   * once-leaked root that holds growing memory shows as a slope instead.
   * The kind is part of the key, so a group is all direct or all
   * indirect. */
  int any_direct = 0, direct_grows = 0;
  for (size_t k = 0; k < 2 * ng; k++) {
    const lg_leak_group_t *gr = &g[k % ng];
    const lg_finding_t *f = &run->findings[gr->first];
    if (lg_is_indirect(f) != (k >= ng))
      continue;
    int grows = lg_leak_grows(gr->bytes, gr->blocks, run->iterations_done, bpi);
    if (k < ng) {
      any_direct = 1;
      direct_grows |= grows;
    } else if (any_direct && !direct_grows) {
      grows = 0;
    }
    for (size_t j = 0; j < run->nfindings; j++)
      if (gof[j] == k % ng)
        run->findings[j].cls = grows ? LG_F_LEAK : LG_F_ONCE;
    if (!grows && warnings && lg_once_policy(m, sc) == LG_ONCE_WARN) {
      char *t = lg_once_text(f->detector, f->kind, gr->bytes, gr->blocks,
                             f->first_our_frame);
      lg_buf_addf(warnings, "; warning (\"once\": \"warn\"): %s", t);
      free(t);
    }
  }
  free(g);
  free(gof);
}

char *lg_leak_group_reason(const lg_run_t *run, const lg_leak_group_t *g) {
  const lg_finding_t *f = &run->findings[g->first];
  const char *at = f->first_our_frame ? f->first_our_frame : "?";
  if (f->cls == LG_F_ONCE)
    return lg_once_text(f->detector, f->kind, g->bytes, g->blocks, at);
  char *stacks =
      g->records > 1 ? lg_fmt(", %zu stacks", g->records) : lg_xstrdup("");
  char *s = g->bytes >= 0
                ? lg_fmt("%s %s (%lld bytes in %lld blocks%s) at %s",
                         f->detector, f->kind, g->bytes, g->blocks, stacks, at)
                : lg_fmt("%s %s at %s", f->detector, f->kind, at);
  free(stacks);
  return s;
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
