/* Replay driver: runs a fuzz target's LLVMFuzzerTestOneInput over files,
 * without libFuzzer, so the corpora and the regression inputs are tested by
 * any compiler in every preset (the fuzz.replay.* CTest tests).
 *
 * Usage: replay PATH...  (a directory stands for the regular files in it,
 * in name order). Exits 0 after running every input; 1 when a path cannot
 * be read or no input was found (a replay that runs nothing proves
 * nothing); a broken input aborts the process through the target. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int replay_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "replay: cannot open %s\n", path);
    return -1;
  }
  size_t cap = 4096, len = 0;
  uint8_t *buf = malloc(cap);
  size_t n;
  while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
    len += n;
    if (len == cap) {
      uint8_t *bigger = realloc(buf, cap *= 2);
      if (!bigger)
        free(buf);
      buf = bigger;
    }
  }
  int bad = ferror(f) || !buf;
  fclose(f);
  if (bad) {
    free(buf);
    fprintf(stderr, "replay: cannot read %s\n", path);
    return -1;
  }
  /* An exact-size copy, so that reads past the input are out of bounds
   * for ASan as they are under libFuzzer. */
  uint8_t *exact = malloc(len ? len : 1);
  if (!exact) {
    free(buf);
    return -1;
  }
  memcpy(exact, buf, len);
  free(buf);
  fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
  LLVMFuzzerTestOneInput(exact, len);
  free(exact);
  return 0;
}

static int cmp_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replays every regular file of dir in name order; returns the count or -1. */
static long replay_dir(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) {
    fprintf(stderr, "replay: cannot open directory %s\n", dir);
    return -1;
  }
  char **names = NULL;
  size_t n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    char **more = realloc(names, (n + 1) * sizeof *names);
    if (!more)
      abort();
    names = more;
    names[n++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(names, n, sizeof *names, cmp_name);
  long count = 0;
  for (size_t i = 0; i < n; i++) {
    size_t plen = strlen(dir) + strlen(names[i]) + 2;
    char *path = malloc(plen);
    if (!path)
      abort();
    snprintf(path, plen, "%s/%s", dir, names[i]);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
      if (replay_file(path) != 0)
        count = -1;
      else if (count >= 0)
        count++;
    }
    free(path);
    free(names[i]);
  }
  free(names);
  return count;
}

int main(int argc, char **argv) {
  long total = 0;
  int failed = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) {
      fprintf(stderr, "replay: no such path %s\n", argv[i]);
      failed = 1;
    } else if (S_ISDIR(st.st_mode)) {
      long n = replay_dir(argv[i]);
      if (n < 0)
        failed = 1;
      else
        total += n;
    } else if (replay_file(argv[i]) != 0) {
      failed = 1;
    } else {
      total++;
    }
  }
  printf("replayed %ld inputs\n", total);
  if (total == 0)
    fprintf(stderr, "replay: no input found\n");
  return failed || total == 0 ? 1 : 0;
}
