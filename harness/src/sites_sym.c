/* A site's frames named with elfutils' libdwfl: function and file:line
 * where the module has debug information, module+offset otherwise
 * (sites_int.h). */
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sites_int.h"
#include "util.h"

/* Bounds on the modules opened and on the size of a module file. */
#define LG_MODULES_MAX 256
#define LG_MODULE_SIZE_MAX ((long long)4 << 30)

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

const Dwfl_Callbacks lg_dwfl_callbacks = {
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
/* Symbolizes one site's frames into its summary key (the allocator's own
 * frames skipped, then two: the allocating function and its caller) and
 * its full text. */
void lg_site_text(lg_symtab_t *t, const lg_site_t *s, char **where,
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
