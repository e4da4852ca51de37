/* Suppression files (valgrind and LeakSanitizer): their entries, the check
 * that no entry could hide a finding in our own code, and which entries a
 * run used. */
#ifndef LG_SUPP_H
#define LG_SUPP_H

#include <stddef.h>

typedef struct lg_supp_entry_s {
  char *name;    /* valgrind: the entry's name; LSan: the whole line */
  char **frames; /* valgrind: fun:/obj: patterns; LSan: the one pattern */
  size_t nframes;
  int lsan;
} lg_supp_entry_t;

typedef struct lg_supp_file_s {
  char *path;
  lg_supp_entry_t *v;
  size_t n;
} lg_supp_file_t;

/* Reads a suppression file: valgrind's `{ name / tool / frames }` blocks or
 * LSan's `type:pattern` lines ('#' comments in both). Returns NULL, or an
 * error message naming the file and line (caller frees). *out is zeroed
 * first and out->path set to a copy of path in every case; on error the
 * entries read before the bad line stay in *out. Either way the caller
 * releases *out with lg_supp_free. */
char *lg_supp_load(const char *path, lg_supp_file_t *out);
/* Frees the entries and the path and leaves *f zeroed. */
void lg_supp_free(lg_supp_file_t *f);

/* Checks every entry against our code: `ours` are substrings of our objects
 * and source paths (the manifest's "ours"), `funcs` globs of our function
 * names (its "our_functions"). An entry fails when one of its frame patterns
 * (valgrind) or its pattern (LSan, which matches any frame's function,
 * module or file as a substring) matches one of ours, since it could then
 * hide our own leaks: e.g. `leak:node` matches "evstore.node", `fun:*`
 * matches every function. Returns NULL, or a message naming the file, the
 * entry and what it would match (caller frees). Reads only. */
char *lg_supp_check_ours(const lg_supp_file_t *f, char *const *ours,
                         size_t nours, char *const *funcs, size_t nfuncs);

/* The suppression files a command-line argument or an *_OPTIONS value names
 * (valgrind's `--suppressions=PATH`, to whitespace; a sanitizer's
 * `suppressions=PATH` flag, to ' ', ',', ':' or the end of a quoted value),
 * appended to *paths as strings the caller frees. Only whole flags count:
 * `print_suppressions=1` names none. *paths (realloc'd; NULL and *n 0 for an
 * empty list) and its strings belong to the caller: lg_strv_free(*paths,
 * *n). */
void lg_supp_paths(const char *s, char ***paths, size_t *n);

#endif
