/* The parsers of liblgheap.so's site table and of /proc/<pid>/maps text
 * (sites.h): bytes a scenario process wrote, validated throughout. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sites.h"
#include "util.h"

#define LG_MAPS_MAX 65536

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
