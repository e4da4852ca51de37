/* Fuzz target: the results.json loader (harness/src/model.c,
 * lg_results_load), which `report`, `gate` and `merge` use on files they
 * did not write. Properties: no memory error, undefined behaviour or leak;
 * and what loads round-trips: serialising the loaded model and loading that
 * again gives the same serialisation (the byte-for-byte `report DIR`
 * guarantee rests on it), and a deep run copy (merge) serialises like its
 * source. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "model.h"

static char *dump(const lg_results_t *r) {
  json_t *o = lg_results_to_json(r);
  LG_FUZZ_CHECK(o != NULL, "lg_results_to_json returned NULL");
  char *s = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);
  json_decref(o);
  LG_FUZZ_CHECK(s != NULL, "json_dumps failed");
  return s;
}

int lg_fuzz_one(const uint8_t *data, size_t size) {
  lg_results_t r;
  char *err = NULL;
  if (lg_results_load(lg_fuzz_file(data, size), &r, &err) != 0) {
    LG_FUZZ_CHECK(err != NULL, "load failed without a message");
    free(err);
    return 0;
  }
  (void)lg_results_failed(&r);
  (void)lg_results_infra(&r);
  char *first = dump(&r);

  for (size_t i = 0; i < r.nruns; i++) {
    lg_run_t copy;
    lg_run_copy(&copy, &r.runs[i]);
    lg_run_free(&copy);
  }

  lg_results_t again;
  const char *path = lg_fuzz_file((const uint8_t *)first, strlen(first));
  int rc = lg_results_load(path, &again, &err);
  LG_FUZZ_CHECK(rc == 0, "our own serialisation does not load: %s", err);
  char *second = dump(&again);
  LG_FUZZ_CHECK(strcmp(first, second) == 0,
                "round trip differs:\n  first  %s\n  second %s", first, second);
  free(second);
  lg_results_free(&again);
  free(first);
  lg_results_free(&r);
  return 0;
}
