/* Path and pattern validation and matching (rules in evstore/path.h). */
#include "evstore/path.h"

#include <stdint.h>
#include <string.h>

#include "evstore/error.h"

/* Splits at the next '/': returns the segment length starting at p. */
static size_t seg_len(const char *p, const char *end) {
  const char *s = memchr(p, '/', (size_t)(end - p));
  return s ? (size_t)(s - p) : (size_t)(end - p);
}

/* True when one of the 8 bytes of w is below '0' (0x30): '\0', '*' and
 * '/' all are, letters, digits and UTF-8 continuation bytes are not. */
static int word_has_special(uint64_t w) {
  const uint64_t ones = 0x0101010101010101ull;
  return ((w - ones * 0x30) & ~w & ones * 0x80) != 0;
}

/* One pass over s: 8 bytes per step while none can be special, byte by
 * byte otherwise, ending a segment at each '/' and at the end. A segment
 * is bad when empty, when it is '*' or '**' outside a pattern, when it
 * holds a '*' otherwise in a pattern, or when it is a '**' that is not the
 * last. */
static int check(const char *s, size_t len, int allow_wild, int bad) {
  if (s == NULL)
    return EVS_EINVAL;
  if (len > EVS_PATH_MAX)
    return EVS_EPATHLEN;
  if (len < 2 || s[0] != '/')
    return bad;
  size_t seg = 1, stars = 0;
  for (size_t i = 1; i <= len;) {
    if (len - i >= 8) {
      uint64_t w;
      memcpy(&w, s + i, 8);
      if (!word_has_special(w)) {
        i += 8;
        continue;
      }
    }
    char c = i < len ? s[i] : '/';
    i++;
    if (c == '\0')
      return bad;
    if (c == '*')
      stars++;
    if (c != '/')
      continue;
    size_t n = i - 1 - seg;
    int star = n == 1 && stars == 1;
    int dstar = n == 2 && stars == 2;
    if (n == 0 || (!allow_wild && (star || dstar)) ||
        (allow_wild && stars > 0 && !star && !dstar) || (dstar && i <= len))
      return bad;
    seg = i;
    stars = 0;
  }
  return EVS_OK;
}

int evs_path_validate(const char *path, size_t len) {
  return check(path, len, 0, EVS_EPATH);
}

int evs_pattern_validate(const char *pattern, size_t len) {
  return check(pattern, len, 1, EVS_EPATTERN);
}

bool evs_pattern_match(const char *pattern, size_t plen, const char *path,
                       size_t len) {
  if (pattern == NULL || path == NULL || plen == 0 || len == 0)
    return false;
  const char *p = pattern + 1, *pe = pattern + plen;
  const char *s = path + 1, *se = path + len;
  for (;;) {
    if (p >= pe)
      return s >= se;
    size_t pn = seg_len(p, pe);
    if (pn == 2 && p[0] == '*' && p[1] == '*' && p + pn >= pe)
      return true; /* trailing '**': zero or more segments */
    if (s >= se)
      return false;
    size_t sn = seg_len(s, se);
    if (!(pn == 1 && p[0] == '*') && (pn != sn || memcmp(p, s, pn) != 0))
      return false;
    p += pn + 1;
    s += sn + 1;
  }
}
