/* Fuzz target: the evstore core's path and pattern parser and matcher
 * (core/src/path.c: evs_path_validate, evs_pattern_validate,
 * evs_pattern_match), which every store call runs on caller input.
 *
 * Input: the first byte chooses where the rest splits into a pattern and a
 * path. Each half is copied to a buffer of exactly its size, so a read past
 * `len` is out of bounds for ASan. Properties: no memory error or undefined
 * behaviour, also when matching invalid input (defined by path.h); the
 * validators agree with the rules of path.h as re-implemented here; for a
 * valid pattern and path the match agrees with a segment-by-segment
 * reference; a valid path that is also a valid pattern matches itself, and
 * the pattern made of "**" alone matches every valid path. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "evstore/error.h"
#include "evstore/path.h"
#include "fuzz.h"

/* Reference rules (path.h), written independently of path.c. */
static int ref_validate(const char *s, size_t len, bool pattern) {
  int bad = pattern ? EVS_EPATTERN : EVS_EPATH;
  if (len > EVS_PATH_MAX)
    return EVS_EPATHLEN;
  if (len < 2 || s[0] != '/')
    return bad;
  for (size_t i = 0; i < len; i++)
    if (s[i] == '\0')
      return bad;
  size_t start = 1;
  for (size_t i = 1; i <= len; i++) {
    if (i < len && s[i] != '/')
      continue;
    size_t n = i - start;
    const char *seg = s + start;
    bool star = n == 1 && seg[0] == '*';
    bool dstar = n == 2 && seg[0] == '*' && seg[1] == '*';
    if (n == 0)
      return bad;
    if (!pattern && (star || dstar))
      return bad;
    if (pattern && !star && !dstar && memchr(seg, '*', n))
      return bad;
    if (pattern && dstar && i != len)
      return bad;
    start = i + 1;
  }
  return EVS_OK;
}

/* Segment-wise match of valid inputs, recursive on the segment lists. */
static bool ref_match(const char *p, size_t plen, const char *s, size_t slen) {
  /* p and s point at a segment start (after '/'), or plen/slen is 0. */
  if (plen == 0)
    return slen == 0;
  const char *pe = memchr(p, '/', plen);
  size_t pn = pe ? (size_t)(pe - p) : plen;
  if (!pe && pn == 2 && p[0] == '*' && p[1] == '*')
    return true;
  if (slen == 0)
    return false;
  const char *se = memchr(s, '/', slen);
  size_t sn = se ? (size_t)(se - s) : slen;
  if (!(pn == 1 && p[0] == '*') && (pn != sn || memcmp(p, s, pn) != 0))
    return false;
  if (!pe != !se) {
    /* One has more segments: only a trailing "**" can absorb them. */
    if (!pe)
      return false;
    return ref_match(pe + 1, plen - pn - 1, "", 0);
  }
  return pe ? ref_match(pe + 1, plen - pn - 1, se + 1, slen - sn - 1) : true;
}

static char *exact_copy(const uint8_t *data, size_t n) {
  char *c = malloc(n ? n : 1);
  if (!c)
    abort();
  if (n)
    memcpy(c, data, n);
  return c;
}

int lg_fuzz_one(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  size_t rest = size - 1;
  size_t split = rest ? data[0] % (rest + 1) : 0;
  /* Past 255 the split byte cannot reach: the remainder goes to the path. */
  char *pat = exact_copy(data + 1, split);
  char *path = exact_copy(data + 1 + split, rest - split);
  size_t plen = split, len = rest - split;

  int pv = evs_pattern_validate(pat, plen);
  int sv = evs_path_validate(path, len);
  LG_FUZZ_CHECK(pv == ref_validate(pat, plen, true), "pattern %d vs %d", pv,
                ref_validate(pat, plen, true));
  LG_FUZZ_CHECK(sv == ref_validate(path, len, false), "path %d vs %d", sv,
                ref_validate(path, len, false));
  LG_FUZZ_CHECK(evs_path_validate(NULL, 0) == EVS_EINVAL, "NULL path");

  /* Defined (meaningless) on invalid input: must not fault either way. */
  bool m = evs_pattern_match(pat, plen, path, len);
  if (pv == EVS_OK && sv == EVS_OK) {
    bool want = ref_match(pat + 1, plen - 1, path + 1, len - 1);
    LG_FUZZ_CHECK(m == want, "match %d, reference %d (%.*s vs %.*s)", m, want,
                  (int)plen, pat, (int)len, path);
  }
  if (sv == EVS_OK) {
    if (evs_pattern_validate(path, len) == EVS_OK)
      LG_FUZZ_CHECK(evs_pattern_match(path, len, path, len),
                    "path does not match itself: %.*s", (int)len, path);
    LG_FUZZ_CHECK(evs_pattern_match("/**", 3, path, len),
                  "\"/**\" does not match %.*s", (int)len, path);
  }
  (void)evs_pattern_match(path, len, pat, plen);
  free(pat);
  free(path);
  return 0;
}
