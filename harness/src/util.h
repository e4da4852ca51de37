/* Small helpers shared by the leakgate sources: checked allocation, growable
 * strings, files, paths and time. Allocation failure is fatal: leakgate prints
 * one line and exits with the infrastructure code (3). */
#ifndef LG_UTIL_H
#define LG_UTIL_H

#include <stddef.h>

#define LG_EXIT_PASS 0
#define LG_EXIT_FAIL 1
#define LG_EXIT_USAGE 2
#define LG_EXIT_INFRA 3

#define LG_PRINTF(a, b) __attribute__((format(printf, a, b)))

typedef struct lg_buf_s {
  char *s;
  size_t len, cap;
} lg_buf_t;

void *lg_xmalloc(size_t n);
void *lg_xcalloc(size_t n, size_t size);
void *lg_xrealloc(void *p, size_t n);
/* Returns NULL for NULL. */
char *lg_xstrdup(const char *s);
char *lg_xstrndup(const char *s, size_t n);
char *lg_fmt(const char *fmt, ...) LG_PRINTF(1, 2);

void lg_buf_add(lg_buf_t *b, const char *s);
void lg_buf_addn(lg_buf_t *b, const char *s, size_t n);
void lg_buf_addc(lg_buf_t *b, char c);
void lg_buf_addf(lg_buf_t *b, const char *fmt, ...) LG_PRINTF(2, 3);
/* Hands the string to the caller (never NULL) and resets the buffer. */
char *lg_buf_take(lg_buf_t *b);
/* A copy of s[0..n) without leading and trailing white space. */
char *lg_trim(const char *s, size_t n);
void lg_buf_free(lg_buf_t *b);

/* Appends s escaped for XML/HTML text and attribute values. */
void lg_buf_add_xml(lg_buf_t *b, const char *s);

/* Reads a whole file (NUL-terminated); NULL with errno set on failure. */
char *lg_read_file(const char *path, size_t *len);
/* Writes a file atomically (temporary file + rename); 0 or -1 with errno. */
int lg_write_file(const char *path, const char *data, size_t len);
int lg_mkdirs(const char *path);
/* Removes a directory tree; missing is fine. 0 or -1. */
int lg_rmtree(const char *path);
int lg_is_dir(const char *path);
int lg_is_file(const char *path);
int lg_is_executable(const char *path);
char *lg_path_join(const char *a, const char *b);
/* Absolute, normalised path of an existing path (realpath); NULL if absent. */
char *lg_realpath(const char *path);
/* Sorted names in dir matching an fnmatch pattern; returns count. */
size_t lg_list_dir(const char *dir, const char *pattern, char ***names);
void lg_strv_free(char **v, size_t n);

double lg_now_ms(void);
/* "SIGSEGV" etc.; a static string, "SIG<n>" form for unknown numbers. */
const char *lg_signal_name(int sig);
/* Current UTC time as ISO 8601, caller frees. */
char *lg_iso_now(void);

#endif
