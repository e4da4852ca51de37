/* Native heap growth by allocation site (sites.h). */
#include "sites.h"

#include <dlfcn.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analyze.h"
#include "model.h"
#include "util.h"

#define LG_MAPS_MAX 65536
/* Bounds on what a scenario process can make the harness do: the largest
 * snapshot and map copy read, the growing sites named (the rest are summed
 * as "other"), the modules opened, the size of a module file, and the
 * attribution's time and memory (it runs in a child process). */
#define LG_SITES_FILE_MAX                                                      \
  (sizeof(lg_heap_sites_hdr_t) + LG_SITES_CAPACITY * sizeof(lg_heap_site_t))
#define LG_MAPS_FILE_MAX ((size_t)16 << 20)
#define LG_SITES_NAMED 256
#define LG_MODULES_MAX 256
#define LG_MODULE_SIZE_MAX ((long long)4 << 30)
#define LG_ATTRIBUTE_SECONDS 60
#define LG_ATTRIBUTE_MEMORY ((rlim_t)4 << 30)
/* No address-space limit in a sanitizer build of the harness: the
 * sanitizer's shadow memory alone reserves terabytes. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define LG_LIMIT_AS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define LG_LIMIT_AS 0
#endif
#endif
#ifndef LG_LIMIT_AS
#define LG_LIMIT_AS 1
#endif

int lg_sites_parse(const void *data, size_t len, lg_sites_snap_t *out,
                   char **err) {
  memset(out, 0, sizeof *out);
  lg_heap_sites_hdr_t h;
  if (len < sizeof h) {
    *err = lg_fmt("site table: %zu bytes, shorter than its header", len);
    return -1;
  }
  memcpy(&h, data, sizeof h);
  if (memcmp(h.magic, LG_SITES_MAGIC, sizeof h.magic) != 0) {
    *err = lg_xstrdup("site table: not a liblgheap site table (magic)");
    return -1;
  }
  if (h.version != LG_SITES_VERSION || h.depth != LG_SITES_DEPTH ||
      h.site_size != sizeof(lg_heap_site_t) || h.capacity == 0 ||
      h.capacity > LG_SITES_CAPACITY) {
    *err = lg_fmt("site table: version %" PRIu32 ", depth %" PRIu32
                  ", site size %" PRIu32 ", capacity %" PRIu32
                  " (this leakgate reads version %d, depth %d, size %zu)",
                  h.version, h.depth, h.site_size, h.capacity, LG_SITES_VERSION,
                  LG_SITES_DEPTH, sizeof(lg_heap_site_t));
    return -1;
  }
  size_t need = sizeof h + (size_t)h.capacity * sizeof(lg_heap_site_t);
  if (len < need) {
    *err = lg_fmt("site table: %zu bytes, %zu expected for %" PRIu32 " sites",
                  len, need, h.capacity);
    return -1;
  }
  out->capacity = h.capacity;
  out->mean = h.mean;
  out->dropped = h.dropped;
  out->samples = h.samples;
  out->pid = h.pid;
  out->site = lg_xcalloc(h.capacity, sizeof *out->site);
  const unsigned char *p = (const unsigned char *)data + sizeof h;
  for (uint32_t i = 0; i < h.capacity; i++) {
    lg_heap_site_t s;
    memcpy(&s, p + (size_t)i * sizeof s, sizeof s);
    if (s.key < 2)
      continue; /* empty, or being written when copied */
    out->site[i].key = s.key;
    memcpy(out->site[i].pc, s.pc, sizeof s.pc);
    out->site[i].bytes = (double)s.bytes;
    out->site[i].blocks = (double)s.blocks_fp / LG_SITES_BLOCK_ONE;
  }
  return 0;
}

void lg_sites_snap_free(lg_sites_snap_t *s) {
  free(s->site);
  memset(s, 0, sizeof *s);
}

/* Parses a hexadecimal number at *p (advances); -1 when there is none. */
static int lg_hex(const char **p, const char *end, uint64_t *v) {
  const char *s = *p;
  uint64_t x = 0;
  int n = 0;
  for (; s < end && n < 17; s++, n++) {
    int d = *s >= '0' && *s <= '9'   ? *s - '0'
            : *s >= 'a' && *s <= 'f' ? *s - 'a' + 10
                                     : -1;
    if (d < 0)
      break;
    x = x << 4 | (uint64_t)d;
  }
  if (n == 0 || n > 16)
    return -1;
  *p = s;
  *v = x;
  return 0;
}

/* Skips one field and the spaces after it. */
static void lg_field(const char **p, const char *end) {
  while (*p < end && **p != ' ')
    (*p)++;
  while (*p < end && **p == ' ')
    (*p)++;
}

static int lg_map_cmp(const void *a, const void *b) {
  const lg_map_t *x = a, *y = b;
  return x->lo < y->lo ? -1 : x->lo > y->lo;
}

int lg_maps_parse(const char *text, size_t len, lg_maps_t *out, char **err) {
  memset(out, 0, sizeof *out);
  size_t cap = 0, lines = 0;
  const char *s = text, *end = text + len;
  while (s < end && out->n < LG_MAPS_MAX) {
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    const char *le = nl ? nl : end;
    const char *p = s;
    s = nl ? nl + 1 : end;
    lines++;
    /* lo-hi perms offset dev inode [path] */
    uint64_t lo, hi, off;
    if (lg_hex(&p, le, &lo) || p >= le || *p++ != '-' || lg_hex(&p, le, &hi) ||
        p >= le || *p++ != ' ' || hi <= lo || le - p < 5)
      continue;
    int exec = p[2] == 'x';
    lg_field(&p, le);
    if (lg_hex(&p, le, &off) || p >= le || *p != ' ')
      continue;
    while (p < le && *p == ' ')
      p++;
    lg_field(&p, le); /* dev */
    lg_field(&p, le); /* inode */
    if (p >= le || *p != '/')
      continue; /* anonymous, [heap], [vdso]...: no file to read */
    if (out->n == cap) {
      cap = cap ? cap * 2 : 64;
      out->v = lg_xrealloc(out->v, cap * sizeof *out->v);
    }
    lg_map_t *m = &out->v[out->n++];
    m->lo = lo;
    m->hi = hi;
    m->off = off;
    m->exec = exec;
    m->path = lg_xstrndup(p, (size_t)(le - p));
  }
  if (out->n == 0) {
    *err = lg_fmt("memory map: no file mapping in %zu line(s)", lines);
    lg_maps_free(out);
    return -1;
  }
  qsort(out->v, out->n, sizeof *out->v, lg_map_cmp);
  return 0;
}

void lg_maps_free(lg_maps_t *m) {
  for (size_t i = 0; i < m->n; i++)
    free(m->v[i].path);
  free(m->v);
  memset(m, 0, sizeof *m);
}

/* ---- symbolization ---- */

/* The mapping holding address a, or NULL (the maps are sorted by start;
 * the kernel's do not overlap). */
static const lg_map_t *lg_map_of(const lg_maps_t *maps, uint64_t a) {
  size_t lo = 0, hi = maps->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (maps->v[mid].lo <= a)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == 0 || a >= maps->v[lo - 1].hi)
    return NULL;
  return &maps->v[lo - 1];
}

/* Where the file's offset 0 is mapped: its load base. */
static uint64_t lg_map_base(const lg_maps_t *maps, const char *path) {
  uint64_t base = UINT64_MAX;
  for (size_t i = 0; i < maps->n; i++)
    if (maps->v[i].off == 0 && strcmp(maps->v[i].path, path) == 0 &&
        maps->v[i].lo < base)
      base = maps->v[i].lo;
  return base;
}

typedef struct lg_sym_s {
  char *fn;   /* demangled when possible; NULL when unknown */
  char *file; /* source file; NULL when unknown */
  int line;
  const char *module; /* basename of the mapped file (borrowed) */
  uint64_t off;       /* offset of the address in the module's file */
  int alloc;          /* an allocator's frame (libc, libstdc++, ...) */
} lg_sym_t;

typedef struct lg_symtab_s {
  Dwfl *dwfl;
  const lg_maps_t *maps;
  char **reported; /* paths reported to dwfl */
  size_t nreported;
  char *(*demangle)(const char *, char *, size_t *, int *);
  char *const *skip; /* fnmatch patterns of allocator wrappers */
  size_t nskip;
} lg_symtab_t;

/* Only the module file itself is read: no separate debug files (a module's
 * debug link could name a FIFO), no debuginfod download. */
static int lg_no_elf(Dwfl_Module *mod, void **userdata, const char *modname,
                     Dwarf_Addr base, char **file_name, Elf **elfp) {
  (void)mod, (void)userdata, (void)modname, (void)base;
  *file_name = NULL;
  *elfp = NULL;
  return -1;
}

static int lg_no_debuginfo(Dwfl_Module *mod, void **userdata,
                           const char *modname, Dwarf_Addr base,
                           const char *file_name, const char *debuglink_file,
                           GElf_Word debuglink_crc,
                           char **debuginfo_file_name) {
  (void)mod, (void)userdata, (void)modname, (void)base, (void)file_name;
  (void)debuglink_file, (void)debuglink_crc;
  *debuginfo_file_name = NULL;
  return -1;
}

static const Dwfl_Callbacks lg_dwfl_callbacks = {
    .find_elf = lg_no_elf,
    .find_debuginfo = lg_no_debuginfo,
    .section_address = dwfl_offline_section_address,
};

static const char *lg_base(const char *path) {
  const char *b = strrchr(path, '/');
  return b ? b + 1 : path;
}

/* Modules whose frames are the allocator, not the site: the C library, the
 * C++ runtime's operator new, the unwinder, leakgate's preload, sanitizer
 * runtimes. */
static int lg_is_alloc_module(const char *base) {
  static const char *const prefix[] = {
      "libc.so",      "libc-",        "libstdc++.so", "libgcc_s.so",
      "liblgheap.so", "ld-linux",     "libasan.so",   "libtsan.so",
      "libubsan.so",  "libjemalloc.", "libtcmalloc"};
  for (size_t i = 0; i < sizeof prefix / sizeof prefix[0]; i++)
    if (strncmp(base, prefix[i], strlen(prefix[i])) == 0)
      return 1;
  return 0;
}

/* Reports the module mapped at path to dwfl once (so that only modules a
 * site goes through are read, at most LG_MODULES_MAX). The path comes from
 * the scenario's memory map: only a regular file of sane size is opened,
 * without blocking or following a final link, and libdwfl reads it through
 * that descriptor (/proc/self/fd), never the path again. */
static void lg_symtab_report(lg_symtab_t *t, const char *path) {
  for (size_t i = 0; i < t->nreported; i++)
    if (strcmp(t->reported[i], path) == 0)
      return;
  if (t->nreported >= LG_MODULES_MAX)
    return;
  t->reported = lg_xrealloc(t->reported, (t->nreported + 1) * sizeof(char *));
  t->reported[t->nreported++] = lg_xstrdup(path);
  uint64_t base = lg_map_base(t->maps, path);
  if (base == UINT64_MAX)
    return;
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;
  if (fd < 0)
    return; /* deleted since, or never readable: module+offset */
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
      st.st_size < LG_MODULE_SIZE_MAX) {
    char fdpath[64];
    snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fd);
    dwfl_report_begin_add(t->dwfl);
    dwfl_report_elf(t->dwfl, lg_base(path), fdpath, -1, base, false);
    dwfl_report_end(t->dwfl, NULL, NULL);
  }
  close(fd);
}

/* Symbolizes return address pc (the call is at pc - 1). */
static void lg_symbolize(lg_symtab_t *t, uint64_t pc, lg_sym_t *out) {
  memset(out, 0, sizeof *out);
  const lg_map_t *m = lg_map_of(t->maps, pc);
  if (m == NULL) {
    out->module = "?";
    out->off = pc;
    return;
  }
  out->module = lg_base(m->path);
  out->off = pc - m->lo + m->off;
  out->alloc = lg_is_alloc_module(out->module);
  if (t->dwfl == NULL)
    return;
  lg_symtab_report(t, m->path);
  Dwfl_Module *mod = dwfl_addrmodule(t->dwfl, pc - 1);
  if (mod == NULL)
    return;
  const char *fn = dwfl_module_addrname(mod, pc - 1);
  if (fn) {
    int st = -1;
    char *dm = t->demangle && strncmp(fn, "_Z", 2) == 0
                   ? t->demangle(fn, NULL, NULL, &st)
                   : NULL;
    if (dm && st == 0) {
      out->fn = lg_xstrdup(dm); /* dm came from the C++ runtime's malloc */
      free(dm);
    } else {
      free(dm);
      out->fn = lg_xstrdup(fn);
    }
  }
  Dwfl_Line *ln = dwfl_module_getsrc(mod, pc - 1);
  int line = 0;
  const char *file =
      ln ? dwfl_lineinfo(ln, NULL, &line, NULL, NULL, NULL) : NULL;
  if (file && line > 0) {
    out->file = lg_xstrdup(file);
    out->line = line;
  }
}

/* Length of a demangled C++ name without its parameter list (and
 * qualifiers after it): "ns::f(int) const" -> "ns::f". */
static int lg_fn_len(const char *fn) {
  size_t n = strlen(fn), cap = n > 512 ? 512 : n;
  const char *close = strrchr(fn, ')');
  if (close == NULL || close == fn)
    return (int)cap;
  int depth = 0;
  for (size_t k = (size_t)(close - fn) + 1; k-- > 0;) {
    depth += fn[k] == ')' ? 1 : fn[k] == '(' ? -1 : 0;
    if (depth == 0)
      return k > 0 && k < cap ? (int)k : (int)cap;
  }
  return (int)cap;
}

/* Appends at most n bytes of s with control bytes as '?': names come from
 * a module file the scenario chose, and sites.txt is read in terminals. */
static void lg_buf_add_clean(lg_buf_t *b, const char *s, int n) {
  for (int k = 0; k < n && s[k]; k++) {
    unsigned char c = (unsigned char)s[k];
    lg_buf_addc(b, c < 0x20 || c == 0x7f ? '?' : (char)c);
  }
}

/* "fn (file.c:41)", "fn (module)" or "module+0x1f2". full: the whole
 * source path and signature (the table) instead of the basename and the
 * name without parameters (the summary). */
static void lg_sym_text(lg_buf_t *b, const lg_sym_t *s, int full) {
  if (s->fn) {
    lg_buf_add_clean(b, s->fn, full ? 4096 : lg_fn_len(s->fn));
    lg_buf_add(b, " (");
    if (s->file) {
      lg_buf_add_clean(b, full ? s->file : lg_base(s->file), 4096);
      lg_buf_addf(b, ":%d)", s->line);
    } else {
      lg_buf_add_clean(b, s->module, 4096);
      lg_buf_addc(b, ')');
    }
  } else {
    lg_buf_add_clean(b, s->module, 4096);
    lg_buf_addf(b, "+0x%" PRIx64, s->off);
  }
}

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

/* Symbolizes one site's frames into its summary key (the allocator's own
 * frames skipped, then two: the allocating function and its caller) and
 * its full text. */
static void lg_site_text(lg_symtab_t *t, const lg_site_t *s, char **where,
                         char **full) {
  lg_buf_t w = {0}, f = {0};
  int shown = 0, leading = 1;
  for (int k = 0; k < LG_SITES_DEPTH && s->pc[k]; k++) {
    lg_sym_t sym;
    lg_symbolize(t, s->pc[k], &sym);
    if (f.len)
      lg_buf_add(&f, " <- ");
    lg_sym_text(&f, &sym, 1);
    int wrapper = sym.alloc;
    for (size_t j = 0; !wrapper && sym.fn && j < t->nskip; j++)
      wrapper = fnmatch(t->skip[j], sym.fn, 0) == 0;
    if (leading && wrapper && k + 1 < LG_SITES_DEPTH && s->pc[k + 1]) {
      /* operator new, the C library, a wrapper: not the site */
    } else if (shown < 2) {
      leading = 0;
      if (w.len)
        lg_buf_add(&w, " <- ");
      lg_sym_text(&w, &sym, 0);
      shown++;
    }
    free(sym.fn);
    free(sym.file);
  }
  if (!w.len)
    lg_buf_add(&w, "(no frames)");
  *where = lg_buf_take(&w);
  *full = lg_buf_take(&f);
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

/* lg_sites_attribute in a child process, so that what libdwfl makes of the
 * files a scenario chose cannot hang, crash or exhaust the harness: the
 * child has LG_ATTRIBUTE_SECONDS of time and LG_ATTRIBUTE_MEMORY of address
 * space, and sends its result through a pipe. Same results as
 * lg_sites_attribute; a child that fails is an error naming how. */
static int lg_sites_attribute_bounded(const char *sites_path, char *const *skip,
                                      size_t nskip, lg_sites_report_t *rep,
                                      char **err) {
  memset(rep, 0, sizeof *rep);
  int pfd[2];
  if (pipe2(pfd, O_CLOEXEC) != 0) {
    *err = lg_fmt("pipe: %s", strerror(errno));
    return -1;
  }
  pid_t pid = fork();
  if (pid < 0) {
    *err = lg_fmt("fork: %s", strerror(errno));
    close(pfd[0]);
    close(pfd[1]);
    return -1;
  }
  if (pid == 0) {
    close(pfd[0]);
    struct rlimit as = {LG_ATTRIBUTE_MEMORY, LG_ATTRIBUTE_MEMORY},
                  cpu = {LG_ATTRIBUTE_SECONDS, LG_ATTRIBUTE_SECONDS};
    if (LG_LIMIT_AS)
      setrlimit(RLIMIT_AS, &as);
    setrlimit(RLIMIT_CPU, &cpu);
    alarm(LG_ATTRIBUTE_SECONDS);
    unsetenv("DEBUGINFOD_URLS");
    lg_sites_report_t r;
    char *e = NULL;
    int rc = lg_sites_attribute(sites_path, skip, nskip, &r, &e);
    lg_buf_t out = {0};
    if (rc > 0)
      lg_buf_addf(&out, "1 %lld %lld %zu\n%s%s", r.i_first, r.i_last,
                  strlen(r.summary), r.summary, r.table);
    else if (rc == 0)
      lg_buf_add(&out, "0\n");
    else
      lg_buf_addf(&out, "-1\n%s", e ? e : "?");
    for (size_t off = 0; off < out.len;) {
      ssize_t w = write(pfd[1], out.s + off, out.len - off);
      if (w <= 0)
        _exit(1);
      off += (size_t)w;
    }
    _exit(0);
  }
  close(pfd[1]);
  lg_buf_t in = {0};
  double deadline = lg_now_ms() + (LG_ATTRIBUTE_SECONDS + 10) * 1000.0;
  int timed_out = 0;
  for (;;) {
    double left = deadline - lg_now_ms();
    if (left <= 0) {
      timed_out = 1;
      break;
    }
    struct pollfd p = {pfd[0], POLLIN, 0};
    int r = poll(&p, 1, (int)left + 1);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0) {
      timed_out = r == 0;
      break;
    }
    char buf[65536];
    ssize_t n = read(pfd[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0 || in.len > ((size_t)64 << 20))
      break;
    lg_buf_addn(&in, buf, (size_t)n);
  }
  close(pfd[0]);
  if (timed_out)
    kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  int rc = -1;
  long long i0, i1;
  size_t slen;
  int used = 0;
  if (timed_out) {
    *err = lg_fmt("the attribution took over %d s and was stopped",
                  LG_ATTRIBUTE_SECONDS + 10);
  } else if (WIFSIGNALED(status)) {
    *err = lg_fmt("the attribution process was killed by %s (a limit of %d "
                  "s of CPU, %llu MiB of memory)",
                  lg_signal_name(WTERMSIG(status)), LG_ATTRIBUTE_SECONDS,
                  (unsigned long long)(LG_ATTRIBUTE_MEMORY >> 20));
  } else if (in.s && strncmp(in.s, "0\n", 2) == 0) {
    rc = 0;
  } else if (in.s && strncmp(in.s, "-1\n", 3) == 0) {
    *err = lg_xstrdup(in.s + 3);
  } else if (in.s &&
             sscanf(in.s, "1 %lld %lld %zu\n%n", &i0, &i1, &slen, &used) == 3 &&
             used > 0 && slen <= in.len - (size_t)used) {
    rep->summary = lg_xstrndup(in.s + used, slen);
    rep->table = lg_xstrdup(in.s + used + slen);
    rep->i_first = i0;
    rep->i_last = i1;
    rc = 1;
  } else {
    *err = lg_fmt("the attribution process ended without a result (exit "
                  "status %d)",
                  WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  }
  lg_buf_free(&in);
  return rc;
}

static int lg_native_metric(const char *name) {
  static const char *const names[] = {
      "mallocInUse",         "mallocBlocks", "rss",
      "liveBytes",           "liveBlocks",   "scenarioMallocInUse",
      "scenarioMallocBlocks"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(name, names[i]) == 0)
      return 1;
  return 0;
}

char *lg_sites_explain(const lg_run_t *run, const char *sites_path,
                       const char *run_dir, char *const *skip, size_t nskip) {
  int native = 0;
  for (size_t i = 0; i < run->nmetrics; i++)
    native |= run->metrics[i].flagged && lg_native_metric(run->metrics[i].name);
  char *note = NULL;
  if (run->detected == LG_V_LEAK && native) {
    lg_sites_report_t rep;
    char *err = NULL;
    int rc = lg_sites_attribute_bounded(sites_path, skip, nskip, &rep, &err);
    if (rc > 0) {
      char *txt = lg_path_join(run_dir, "sites.txt");
      if (lg_write_file(txt, rep.table, strlen(rep.table)) != 0)
        note = lg_fmt("%s (sites.txt: %s)", rep.summary, strerror(errno));
      else
        note = lg_xstrdup(rep.summary);
      free(txt);
      lg_sites_report_free(&rep);
    } else if (rc < 0) {
      note = lg_fmt("allocation sites not read: %s", err);
    }
    free(err);
  }
  lg_sites_remove(sites_path);
  return note;
}
