/* Text hygiene for the result model and the report writers (see text.h). */
#include "text.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at p (1..4) with its code point in *cp,
 * or 0 when the byte at p does not start one. p is NUL-terminated, and NUL
 * is never a continuation byte, so reading ahead stops at the end. */
static size_t lg_utf8_seq(const unsigned char *p, uint32_t *cp) {
  unsigned char c = p[0];
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
#define CONT(x) (((x)&0xC0) == 0x80)
  if (c >= 0xC2 && c <= 0xDF) {
    if (!CONT(p[1]))
      return 0;
    *cp = ((uint32_t)(c & 0x1F) << 6) | (p[1] & 0x3F);
    return 2;
  }
  if (c >= 0xE0 && c <= 0xEF) {
    /* E0 needs A0..BF (no overlong), ED needs 80..9F (no surrogates). */
    unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    if (p[1] < lo || p[1] > hi || !CONT(p[2]))
      return 0;
    *cp = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) |
          (p[2] & 0x3F);
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    /* F0 needs 90..BF (no overlong), F4 needs 80..8F (<= U+10FFFF). */
    unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    if (p[1] < lo || p[1] > hi || !CONT(p[2]) || !CONT(p[3]))
      return 0;
    *cp = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
          ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
    return 4;
  }
#undef CONT
  return 0;
}

/* Characters no output format shows as is: C0 controls (the caller decides
 * about TAB/LF/CR), DEL, C1 controls, and noncharacters (U+FDD0..U+FDEF and
 * U+xxFFFE/U+xxFFFF: XML forbids U+FFFE/U+FFFF, HTML flags all of them). */
static int lg_cp_control_or_nonchar(uint32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) ||
         (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
}

/* Bidirectional embeddings, overrides and isolates: invisible, and on a
 * terminal they reorder the rest of the line. */
static int lg_cp_bidi(uint32_t cp) {
  return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

static void lg_notate(lg_buf_t *b, uint32_t cp) {
  if (cp < 0x80)
    lg_buf_addf(b, "\\x%02x", (unsigned)cp);
  else
    lg_buf_addf(b, "\\u%04X", (unsigned)cp);
}

int lg_utf8_valid(const char *s) {
  const unsigned char *p = (const unsigned char *)(s ? s : "");
  uint32_t cp;
  while (*p) {
    size_t n = lg_utf8_seq(p, &cp);
    if (n == 0)
      return 0;
    p += n;
  }
  return 1;
}

char *lg_utf8_sanitize(const char *s) {
  if (!s)
    return NULL;
  if (lg_utf8_valid(s)) /* the common case: one pass, one copy */
    return lg_xstrdup(s);
  lg_buf_t b = {0};
  const unsigned char *p = (const unsigned char *)s;
  uint32_t cp;
  while (*p) {
    size_t n = lg_utf8_seq(p, &cp);
    if (n == 0) {
      lg_buf_addf(&b, "\\x%02x", *p);
      p++;
    } else {
      lg_buf_addn(&b, (const char *)p, n);
      p += n;
    }
  }
  return lg_buf_take(&b);
}

/* How one writer escapes a code point: a table of replacements indexed by
 * ASCII code point; NULL (absent, or any other code point) for the default
 * (lg_text_walk). */
typedef const char *const lg_esc_t[128];

/* The one UTF-8 walker behind the writers: an invalid byte becomes \xNN;
 * each code point goes through esc (NULL: none), and without a replacement
 * a control, a non-character or, with `bidi`, a bidi control is notated
 * (\xNN, \uNNNN) and anything else copied. At most max steps (code points
 * or invalid bytes; 0: no limit), then "..." when the text was cut. */
static void lg_text_walk(lg_buf_t *b, const char *s, size_t max,
                         const lg_esc_t *esc, int bidi) {
  const unsigned char *p = (const unsigned char *)(s ? s : "");
  uint32_t cp;
  for (size_t count = 0; *p && (max == 0 || count < max); count++) {
    size_t n = lg_utf8_seq(p, &cp);
    const char *rep = n && esc && cp < 128 ? (*esc)[cp] : NULL;
    if (n == 0)
      lg_buf_addf(b, "\\x%02x", *p++);
    else if (rep)
      lg_buf_add(b, rep);
    else if (lg_cp_control_or_nonchar(cp) || (bidi && lg_cp_bidi(cp)))
      lg_notate(b, cp);
    else
      lg_buf_addn(b, (const char *)p, n);
    p += n;
  }
  if (max && *p)
    lg_buf_add(b, "...");
}

static const lg_esc_t lg_esc_xml = {
    ['&'] = "&amp;",  ['<'] = "&lt;",  ['>'] = "&gt;",   ['"'] = "&quot;",
    ['\''] = "&#39;", ['\t'] = "&#9;", ['\n'] = "&#10;", ['\r'] = "&#13;",
};

static const lg_esc_t lg_esc_md = {
    ['|'] = "\\|",
    ['`'] = "\\`",
    ['\n'] = " ",
    ['\r'] = " ",
    ['\t'] = " ",
    /* Backslash escapes, not entities: GitHub renders both as the
     * character, and a CI log that prints the file stays readable
     * ("f \<- g"). */
    ['<'] = "\\<",
    ['>'] = "\\>",
    ['&'] = "\\&",
};

static const lg_esc_t lg_esc_keep_lines = {['\n'] = "\n", ['\t'] = "\t"};

void lg_text_xml(lg_buf_t *b, const char *s) {
  lg_text_walk(b, s, 0, &lg_esc_xml, 0);
}

void lg_text_xml_in(lg_buf_t *b, const char *pre, const char *s,
                    const char *post) {
  lg_buf_add(b, pre);
  lg_text_xml(b, s);
  lg_buf_add(b, post);
}

void lg_text_md(lg_buf_t *b, const char *s, size_t max) {
  lg_text_walk(b, s, max, &lg_esc_md, 1);
}

void lg_text_md_in(lg_buf_t *b, const char *pre, const char *s, size_t max,
                   const char *post) {
  lg_buf_add(b, pre);
  lg_text_md(b, s, max);
  lg_buf_add(b, post);
}

void lg_text_md_code(lg_buf_t *b, const char *s) {
  s = s ? s : "";
  size_t run = 0, longest = 0;
  for (const char *q = s; *q; q++) {
    run = *q == '`' ? run + 1 : 0;
    if (run > longest)
      longest = run;
  }
  size_t fence = longest + 1 > 3 ? longest + 1 : 3;
  for (size_t i = 0; i < fence; i++)
    lg_buf_addc(b, '`');
  lg_buf_addc(b, '\n');
  char *t = lg_text_terminal(s, 1);
  lg_buf_add(b, t);
  size_t n = strlen(t);
  free(t);
  if (n == 0 || s[strlen(s) - 1] != '\n')
    lg_buf_addc(b, '\n');
  for (size_t i = 0; i < fence; i++)
    lg_buf_addc(b, '`');
  lg_buf_addc(b, '\n');
}

char *lg_text_terminal(const char *s, int keep_newlines) {
  lg_buf_t b = {0};
  lg_text_walk(&b, s, 0, keep_newlines ? &lg_esc_keep_lines : NULL, 1);
  return lg_buf_take(&b);
}

void lg_text_trunc(lg_buf_t *b, const char *s, size_t max) {
  const unsigned char *p = (const unsigned char *)(s ? s : "");
  uint32_t cp;
  for (size_t count = 0; *p && (max == 0 || count < max); count++) {
    size_t n = lg_utf8_seq(p, &cp);
    n = n ? n : 1;
    lg_buf_addn(b, (const char *)p, n);
    p += n;
  }
  if (*p)
    lg_buf_add(b, "...");
}

char *lg_fmt_value(double v, const char *unit) {
  if (!isfinite(v))
    return lg_xstrdup("n/a");
  if (unit && strcmp(unit, "B") == 0) {
    double a = fabs(v);
    if (a >= 1024.0 * 1024.0 * 10)
      return lg_fmt("%.1f MiB", v / (1024.0 * 1024.0));
    if (a >= 1024.0 * 10)
      return lg_fmt("%.1f KiB", v / 1024.0);
    if (a >= 1000)
      return lg_fmt("%.0f B", v); /* not 1.15e+03 B */
    return lg_fmt("%.3g B", v);
  }
  return lg_fmt("%.3g", v);
}
