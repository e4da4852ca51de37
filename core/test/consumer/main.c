/* Opens a store through the installed package and round-trips one value. */
#include <stdio.h>
#include <string.h>

#include <evstore.h>

int main(void) {
  evs_store_t *s;
  void *v;
  size_t n;
  if (evs_store_open(NULL, &s) != EVS_OK)
    return 1;
  int rc = evs_store_set(s, "/pkg", 4, "ok", 2);
  if (rc == EVS_OK)
    rc = evs_store_get(s, "/pkg", 4, &v, &n);
  if (rc != EVS_OK) {
    fprintf(stderr, "consumer: %s\n", evs_strerror(rc));
    evs_store_free(s);
    return 1;
  }
  printf("consumer: %.*s\n", (int)n, (char *)v);
  evs_value_free(v);
  evs_store_free(s);
  return 0;
}
