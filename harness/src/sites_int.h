/* Private to the site attribution (sites*.c, see sites.h): the symbol
 * table of one attribution, shared by the attribution (sites.c) and the
 * symbolization (sites_sym.c). Not an API.
 *   sites.c          the attribution: snapshots, growth per site, the report
 *   sites_parse.c    the parsers of the site table and the memory map
 *   sites_sym.c      naming a site's frames with libdwfl
 *   sites_explain.c  the attribution of a run, in a bounded child process */
#ifndef LG_SITES_INT_H
#define LG_SITES_INT_H

#include <elfutils/libdwfl.h>
#include <stddef.h>

#include "sites.h"

typedef struct lg_symtab_s {
  Dwfl *dwfl;
  const lg_maps_t *maps;
  char **reported; /* paths reported to dwfl */
  size_t nreported;
  char *(*demangle)(const char *, char *, size_t *, int *);
  char *const *skip; /* fnmatch patterns of allocator wrappers */
  size_t nskip;
} lg_symtab_t;

/* libdwfl's callbacks: the module file only, no debuginfod (sites_sym.c). */
extern const Dwfl_Callbacks lg_dwfl_callbacks;

/* A site's summary key and its full text (sites_sym.c). */
void lg_site_text(lg_symtab_t *t, const lg_site_t *s, char **where,
                  char **full);

#endif
