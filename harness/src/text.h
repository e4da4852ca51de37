/* Text hygiene for everything leakgate writes. Scenario output (probe error
 * messages, sanitizer and valgrind reports, stack frames) is arbitrary bytes,
 * while results.json must be valid UTF-8 (jansson refuses anything else and
 * the field would vanish), junit.xml and report.html must contain only XML
 * characters (one U+FFFF makes a CI system reject the whole file), a
 * summary.md table cell must not open HTML or break the table, and the
 * terminal must not receive escape sequences.
 *
 * Every function here is pure (no global state), thread-safe, and accepts
 * NULL as the empty string. Notation for what cannot be shown as is: a byte
 * that is not part of valid UTF-8, or a C0/DEL control byte, becomes the
 * four characters `\xNN`; a code point that is valid UTF-8 but not allowed
 * in the output (C1 controls, U+FFFE/U+FFFF and other noncharacters,
 * bidirectional overrides) becomes `\uXXXX`. A literal backslash is kept as
 * is, so the notation is for reading, not for exact reversal. */
#ifndef LG_TEXT_H
#define LG_TEXT_H

#include <stddef.h>

#include "util.h"

/* 1 if s is valid UTF-8 (shortest forms only, no surrogates, at most
 * U+10FFFF), else 0. */
int lg_utf8_valid(const char *s);

/* A copy of s that is valid UTF-8: every byte that does not start a valid
 * sequence becomes `\xNN`; everything else, control characters included, is
 * kept. Used where text enters the result model, so that results.json keeps
 * every field. Caller frees; NULL for NULL. */
char *lg_utf8_sanitize(const char *s);

/* Appends s escaped for XML 1.0 (and XHTML) text and attribute values: the
 * five markup characters as entities; TAB, LF and CR as character
 * references (so they survive attribute-value normalisation); every other
 * character that XML forbids or HTML treats as a parse error in the
 * notation above. The result is well-formed for every input. */
void lg_text_xml(lg_buf_t *b, const char *s);

/* Appends pre as it is, then s as lg_text_xml does, then post as it is:
 * an escaped text inside the markup around it. */
void lg_text_xml_in(lg_buf_t *b, const char *pre, const char *s,
                    const char *post);

/* Appends s as the text of one Markdown table cell (GitHub Flavored
 * Markdown): `|`, backticks, `<`, `>` and `&` escaped with a backslash (no
 * raw HTML or entity reaches the page), newlines and tabs as spaces,
 * control bytes in the notation above; at most max code points, then
 * "...". max 0 means no limit. Also fit for a single-line paragraph. */
void lg_text_md(lg_buf_t *b, const char *s, size_t max);

/* Appends pre as it is, then s as lg_text_md does (at most max), then post
 * as it is. */
void lg_text_md_in(lg_buf_t *b, const char *pre, const char *s, size_t max,
                   const char *post);

/* Appends s as a fenced Markdown code block: the fence is one backtick longer
 * than the longest backtick run in s (at least three), so s cannot close it;
 * control bytes other than LF and TAB in the notation above. */
void lg_text_md_code(lg_buf_t *b, const char *s);

/* A copy of s safe to print on a terminal: no control bytes (ESC, CR, BEL,
 * ...; LF kept only when keep_newlines), no C1 controls or bidirectional
 * overrides, valid UTF-8. Caller frees; never NULL ("" for NULL). */
char *lg_text_terminal(const char *s, int keep_newlines);

/* Appends at most max code points of s (all of it when max is 0), then
 * "..." if anything was cut; never splits a UTF-8 sequence. No escaping:
 * for text that is escaped later as a whole. */
void lg_text_trunc(lg_buf_t *b, const char *s, size_t max);

/* Formats v with a metric's unit, e.g. "1.5 KiB", "12 B", "3"; "n/a" when v
 * is not finite. Caller frees. */
char *lg_fmt_value(double v, const char *unit);

#endif
