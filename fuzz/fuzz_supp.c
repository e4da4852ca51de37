/* Fuzz target: the suppression file parser (harness/src/supp.c): the file
 * through lg_supp_load and the our-code check with the real manifest's
 * lists, and the same bytes as a command line or *_OPTIONS value through
 * lg_supp_paths. Properties: no memory error, undefined behaviour or leak;
 * a loaded file's entries have a name and their patterns. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "supp.h"
#include "util.h"

int lg_fuzz_one(const uint8_t *data, size_t size) {
  lg_supp_file_t f;
  char *err = lg_supp_load(lg_fuzz_file(data, size), &f);
  if (!err) {
    for (size_t i = 0; i < f.n; i++) {
      LG_FUZZ_CHECK(f.v[i].name != NULL, "entry %zu", i);
      LG_FUZZ_CHECK(!f.v[i].lsan || f.v[i].nframes == 1, "entry %zu", i);
    }
    err = lg_supp_check_ours(&f, lg_fuzz_ours, lg_fuzz_nours, lg_fuzz_funcs,
                             lg_fuzz_nfuncs);
  }
  free(err);
  lg_supp_free(&f);

  char *s = lg_fuzz_cstr(data, size);
  char **paths = NULL;
  size_t npaths = 0;
  lg_supp_paths(s, &paths, &npaths);
  for (size_t i = 0; i < npaths; i++)
    LG_FUZZ_CHECK(paths[i] && strlen(paths[i]) <= size, "path %zu", i);
  lg_strv_free(paths, npaths);
  free(s);
  return 0;
}
