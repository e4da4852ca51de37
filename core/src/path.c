/* Path and pattern validation and matching (rules in evstore/path.h). */
#include "evstore/path.h"

#include <string.h>

#include "evstore/error.h"

/* Splits at the next '/': returns the segment length starting at p. */
static size_t seg_len(const char *p, const char *end) {
  const char *s = memchr(p, '/', (size_t)(end - p));
  return s ? (size_t)(s - p) : (size_t)(end - p);
}

static int check(const char *s, size_t len, int allow_wild, int bad) {
  if (s == NULL)
    return EVS_EINVAL;
  if (len > EVS_PATH_MAX)
    return EVS_EPATHLEN;
  if (len < 2 || s[0] != '/' || memchr(s, '\0', len) != NULL)
    return bad;
  const char *p = s + 1, *end = s + len;
  for (;;) {
    size_t n = seg_len(p, end);
    if (n == 0)
      return bad; /* "//" or a trailing '/' */
    int star = n == 1 && p[0] == '*';
    int dstar = n == 2 && p[0] == '*' && p[1] == '*';
    if (!allow_wild && (star || dstar))
      return bad;
    if (!star && !dstar && memchr(p, '*', n) != NULL && allow_wild)
      return bad; /* partial wildcard in a pattern */
    if (dstar && p + n != end)
      return bad; /* '**' only as the last segment */
    p += n;
    if (p == end)
      return EVS_OK;
    p++; /* skip '/' */
  }
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
