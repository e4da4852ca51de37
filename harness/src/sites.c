/* Native heap growth by allocation site (sites.h): the snapshots of a run,
 * the growth of each site between them, the report, and the removal of the
 * tables. The parsers are in sites_parse.c, the naming of frames in
 * sites_sym.c, the bounded run after a verdict in sites_explain.c. */
#include "sites.h"

#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze.h"
#include "sites_int.h"
#include "util.h"

/* Bounds on what a scenario process can make the harness do: the largest
 * snapshot and map copy read, and the growing sites named (the rest are
 * summed as "other"). The modules opened and the size of a module file are
 * bounded in sites_sym.c, the attribution's time and memory in
 * sites_explain.c. */
#define LG_SITES_FILE_MAX                                                      \
  (sizeof(lg_heap_sites_hdr_t) + LG_SITES_CAPACITY * sizeof(lg_heap_site_t))
#define LG_MAPS_FILE_MAX ((size_t)16 << 20)
#define LG_SITES_NAMED 256

/* ---- attribution ---- */

typedef struct lg_grow_s {
  char *where; /* summary frames, the grouping key */
  char *full;  /* every frame, for the table */
  double bytes, blocks;
} lg_grow_t;

typedef struct lg_slot_growth_s {
  uint32_t slot;
  double bytes, blocks;
} lg_slot_growth_t;

static int lg_slot_growth_cmp(const void *a, const void *b) {
  const lg_slot_growth_t *x = a, *y = b;
  if (x->bytes != y->bytes)
    return x->bytes < y->bytes ? 1 : -1;
  return x->slot < y->slot ? -1 : x->slot > y->slot;
}

static int lg_grow_cmp(const void *a, const void *b) {
  const lg_grow_t *x = a, *y = b;
  return x->bytes < y->bytes ? 1 : x->bytes > y->bytes ? -1 : 0;
}

/* The snapshots <sites_path>.at-<i>: the iterations of the first and the
 * last. 0 when there are fewer than two. */
/* True when s is one or more decimal digits and nothing else. */
static int lg_digits(const char *s) {
  return *s >= '0' && *s <= '9' && s[strspn(s, "0123456789")] == 0;
}

/* The files beside sites_path named "<base>.*" (sorted; the caller frees
 * them with lg_strv_free and *dir), *dir their directory, *skip the length
 * of "<base>." (what follows it is the name's suffix). */
static size_t lg_sites_list(const char *sites_path, char **dir, size_t *skip,
                            char ***names) {
  *dir = lg_xstrdup(sites_path);
  char *slash = strrchr(*dir, '/');
  const char *base = slash ? slash + 1 : sites_path;
  if (slash) {
    *slash = 0;
  } else {
    free(*dir);
    *dir = lg_xstrdup(".");
  }
  char *pat = lg_fmt("%s.*", base);
  *skip = strlen(base) + 1;
  size_t n = lg_list_dir(*dir, pat, names);
  free(pat);
  return n;
}

static int lg_snapshots(const char *sites_path, long long *first,
                        long long *last) {
  char *dir, **names = NULL;
  size_t skip, n = lg_sites_list(sites_path, &dir, &skip, &names);
  *first = -1;
  *last = -1;
  for (size_t i = 0; i < n; i++) {
    const char *d = names[i] + skip;
    if (strncmp(d, "at-", 3) != 0 || !lg_digits(d + 3))
      continue;
    errno = 0;
    long long v = strtoll(d + 3, NULL, 10);
    if (errno)
      continue;
    if (*first < 0 || v < *first)
      *first = v;
    if (v > *last)
      *last = v;
  }
  lg_strv_free(names, n);
  free(dir);
  return *first >= 0 && *last > *first;
}

static int lg_load_snap(const char *sites_path, long long i, lg_sites_snap_t *s,
                        char **err) {
  char *p = lg_fmt("%s.at-%lld", sites_path, i);
  size_t len;
  char *data = lg_read_regular(p, LG_SITES_FILE_MAX, &len);
  int rc = -1;
  if (!data) {
    *err = lg_fmt("%s: %s", p, strerror(errno));
  } else if (lg_sites_parse(data, len, s, err) != 0) {
    char *e = lg_fmt("%s: %s", p, *err);
    free(*err);
    *err = e;
  } else {
    rc = 0;
  }
  free(data);
  free(p);
  return rc;
}
int lg_sites_attribute(const char *sites_path, char *const *skip, size_t nskip,
                       lg_sites_report_t *rep, char **err) {
  memset(rep, 0, sizeof *rep);
  long long i0, i1;
  if (!lg_snapshots(sites_path, &i0, &i1))
    return 0;
  lg_sites_snap_t a, b;
  memset(&a, 0, sizeof a);
  memset(&b, 0, sizeof b);
  lg_maps_t maps;
  memset(&maps, 0, sizeof maps);
  lg_symtab_t t;
  memset(&t, 0, sizeof t);
  lg_grow_t *g = NULL;
  size_t ng = 0;
  int rc = -1;
  char *mpath = lg_fmt("%s.maps", sites_path);
  size_t mlen;
  char *mtext = NULL;
  if (lg_load_snap(sites_path, i0, &a, err) ||
      lg_load_snap(sites_path, i1, &b, err))
    goto out;
  if (a.capacity != b.capacity || a.pid != b.pid) {
    *err = lg_fmt("%s: the snapshots at iterations %lld and %lld come from "
                  "different tables",
                  sites_path, i0, i1);
    goto out;
  }
  mtext = lg_read_regular(mpath, LG_MAPS_FILE_MAX, &mlen);
  if (!mtext) {
    *err = lg_fmt("%s: %s", mpath, strerror(errno));
    goto out;
  }
  if (lg_maps_parse(mtext, mlen, &maps, err) != 0) {
    char *e = lg_fmt("%s: %s", mpath, *err);
    free(*err);
    *err = e;
    goto out;
  }
  t.maps = &maps;
  t.skip = skip;
  t.nskip = nskip;
  t.dwfl = dwfl_begin(&lg_dwfl_callbacks);
  /* Demangling needs the C++ runtime, which a C harness does not link:
   * borrowed from libstdc++ when it is installed, else names stay
   * mangled. */
  void *cxx = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_LOCAL);
  if (cxx)
    *(void **)&t.demangle = dlsym(cxx, "__cxa_demangle");
  /* Growth per slot (a site keeps its slot for the life of the table); the
   * LG_SITES_NAMED largest are named, the others summed unnamed. */
  double total = 0, other_b = 0, other_k = 0;
  lg_slot_growth_t *sg = lg_xcalloc(b.capacity, sizeof *sg);
  size_t nsg = 0, nother = 0;
  for (uint32_t i = 0; i < b.capacity; i++) {
    const lg_site_t *e = &b.site[i], *s = &a.site[i];
    if (e->key == 0)
      continue;
    int same = s->key == e->key && memcmp(s->pc, e->pc, sizeof s->pc) == 0;
    double db = e->bytes - (same ? s->bytes : 0),
           dk = e->blocks - (same ? s->blocks : 0);
    if (db <= 0)
      continue;
    sg[nsg].slot = i;
    sg[nsg].bytes = db;
    sg[nsg++].blocks = dk;
    total += db;
  }
  qsort(sg, nsg, sizeof *sg, lg_slot_growth_cmp);
  for (size_t k = 0; k < nsg; k++) {
    double db = sg[k].bytes, dk = sg[k].blocks;
    if (k >= LG_SITES_NAMED) {
      other_b += db;
      other_k += dk;
      nother++;
      continue;
    }
    char *where, *full;
    lg_site_text(&t, &b.site[sg[k].slot], &where, &full);
    size_t j = 0;
    while (j < ng && strcmp(g[j].where, where) != 0)
      j++;
    if (j == ng) {
      g = lg_xrealloc(g, (ng + 1) * sizeof *g);
      g[ng].where = where;
      g[ng].full = full;
      g[ng].bytes = g[ng].blocks = 0;
      ng++;
    } else {
      free(where);
      free(full);
    }
    g[j].bytes += db;
    g[j].blocks += dk;
  }
  free(sg);
  if (t.dwfl)
    dwfl_end(t.dwfl);
  t.dwfl = NULL;
  if (cxx)
    dlclose(cxx);
  qsort(g, ng, sizeof *g, lg_grow_cmp);
  double its = (double)(i1 - i0);
  char *mean = lg_fmt_value((double)b.mean, "B");
  lg_buf_t sum = {0}, tab = {0};
  lg_buf_addf(&tab,
              "# Native heap growth by allocation site, iterations %lld..%lld "
              "(liblgheap.so, one sample per ~%s allocated; %" PRIu64
              " samples, %" PRIu64 " not charged: table full)\n"
              "# est. bytes/it\test. blocks/it\tshare\tframes (innermost "
              "first)\n",
              i0, i1, mean, b.samples, b.dropped);
  if (ng == 0) {
    lg_buf_addf(&sum,
                "no sampled allocation site grew over iterations %lld..%lld "
                "(growth too small for one sample per ~%s: lower "
                "LEAKGATE_HEAP_SAMPLE in the variant's env)",
                i0, i1, mean);
  } else {
    lg_buf_addf(&sum,
                "allocation sites of the growth over iterations "
                "%lld..%lld (sampled):",
                i0, i1);
    for (size_t j = 0; j < ng; j++) {
      double share = 100 * g[j].bytes / total;
      lg_buf_addf(&tab, "%.1f\t%.3g\t%.1f%%\t%s\n", g[j].bytes / its,
                  g[j].blocks / its, share, g[j].full);
      if (j < 3 && (j == 0 || share >= 1)) {
        char *v = lg_fmt_value(g[j].bytes / its, "B");
        lg_buf_addf(&sum, "%s %.0f%% from %s (+%s/it)", j ? ";" : "", share,
                    g[j].where, v);
        free(v);
      }
    }
    if (nother)
      lg_buf_addf(&tab, "%.1f\t%.3g\t%.1f%%\t(%zu smaller sites, not named)\n",
                  other_b / its, other_k / its, 100 * other_b / total, nother);
    if (ng + (nother > 0) > 3)
      lg_buf_addf(&sum, "; %zu more site(s) in sites.txt",
                  ng - (ng < 3 ? ng : 3) + nother);
  }
  free(mean);
  rep->summary = lg_buf_take(&sum);
  rep->table = lg_buf_take(&tab);
  rep->i_first = i0;
  rep->i_last = i1;
  rc = 1;
out:
  for (size_t j = 0; j < ng; j++) {
    free(g[j].where);
    free(g[j].full);
  }
  free(g);
  if (t.dwfl)
    dwfl_end(t.dwfl);
  lg_strv_free(t.reported, t.nreported);
  lg_maps_free(&maps);
  free(mtext);
  free(mpath);
  lg_sites_snap_free(&a);
  lg_sites_snap_free(&b);
  return rc;
}

void lg_sites_report_free(lg_sites_report_t *r) {
  free(r->summary);
  free(r->table);
  memset(r, 0, sizeof *r);
}

void lg_sites_remove(const char *sites_path) {
  char *dir, **names = NULL;
  size_t skip, n = lg_sites_list(sites_path, &dir, &skip, &names);
  for (size_t i = 0; i < n; i++) {
    /* <base>.<pid>, <base>.at-<i>, <base>.maps: nothing else. */
    const char *r = names[i] + skip;
    if (lg_digits(r) || strcmp(r, "maps") == 0 ||
        (strncmp(r, "at-", 3) == 0 && lg_digits(r + 3))) {
      char *f = lg_path_join(dir, names[i]);
      unlink(f);
      free(f);
    }
  }
  lg_strv_free(names, n);
  free(dir);
}
