/* Detector output parsers: sanitizer logs (ASan, LSan, UBSan, TSan, written
 * via log_path) and valgrind memcheck XML (--xml=yes, parsed with expat),
 * both into lg_finding_t records, plus attribution of findings to our code.
 * Parsers accept any input: unknown text is skipped, never fatal.
 *
 * Ownership: an lg_findings_t owns its records and strings (zero it before
 * the first append; release with lg_findings_free). Inputs (text, data,
 * source, patterns) are borrowed; whatever is kept is copied. Nothing here
 * keeps global state: distinct lg_findings_t may be filled from distinct
 * threads. */
#ifndef LG_DETECT_H
#define LG_DETECT_H

#include <stddef.h>

#include "model.h"

typedef struct lg_findings_s {
  lg_finding_t *v;
  size_t n;
  char **supp_used; /* names of the suppressions that matched (valgrind) */
  size_t nsupp_used;
} lg_findings_t;

/* Appends every report found in a sanitizer log (text, NUL-terminated, may
 * hold several) to out; each record's source is a copy of `source`. */
void lg_parse_sanitizer(const char *text, const char *source,
                        lg_findings_t *out);

/* Appends the errors of a valgrind XML file (and the names of the
 * suppressions it used, to out->supp_used). Returns NULL, or a description
 * of an empty, malformed or truncated document (findings completed before
 * the damage are kept in out, the one being parsed is dropped); the caller
 * frees it. */
char *lg_parse_valgrind_xml(const char *data, size_t len, const char *source,
                            lg_findings_t *out);

/* Marks frames and the finding as ours when a frame's object or file contains
 * one of the substrings; sets first_our_frame to the first such frame whose
 * function matches none of the skip patterns (fnmatch; allocator wrappers),
 * or to the first of ours if all match. skip may be NULL.
 *
 * A leak allocated inside node on our behalf is node's: when a frame of node
 * (lg_frame_is_node) lies between the allocator and the first frame of ours
 * in the allocation stack (e.g. malloc <- v8impl::... <- napi_create_external
 * <- addon_open), our frame is only a caller; the finding is not ours
 * (first_our_frame still names the caller, and the message says so). A leak
 * whose allocating frame is ours stays ours whatever called it. */
void lg_attribute(lg_finding_t *f, char *const *ours, size_t nours,
                  char *const *skip, size_t nskip);

/* True for a frame of node itself: its executable or libnode, or a function
 * of N-API, V8, node:: or libuv (napi_*, v8impl::*, v8::*, node::*, uv_*). */
int lg_frame_is_node(const lg_frame_t *fr);

/* "fn file:line" (file's last path component) or "fn (obj)": the label of
 * first_our_frame. The caller frees it. */
char *lg_frame_label(const lg_frame_t *fr);

/* Parses one sanitizer stack line ("#3 0x... in fn file:line:col" or TSan's
 * "#0 fn file:line (obj+0x...)"); returns 0, or -1 when it is not a frame.
 * *fr is zeroed first; on 0 its fn, file and obj (each may be NULL) are
 * strings the caller frees with free() (there is no frame destructor); on
 * -1 nothing is allocated. */
int lg_parse_frame_line(const char *line, lg_frame_t *fr);

/* Frees every record and name and leaves *f zeroed (reusable). */
void lg_findings_free(lg_findings_t *f);

#endif
