/* Small helpers shared by the leakgate sources: checked allocation, growable
 * strings, files, paths and time. Allocation failure is fatal: leakgate prints
 * one line and exits with the infrastructure code (3).
 *
 * Ownership: every `char *` or array returned here is a fresh malloc'd copy
 * the caller releases with free() (lg_list_dir's with lg_strv_free), unless
 * its comment says "static". Threads: leakgate is single-threaded; these
 * functions keep no state of their own (lg_signal_name's buffer for unknown
 * numbers is the one exception), so they may be called from any thread. */
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

/* malloc, calloc and realloc that never return NULL: on failure they exit
 * (LG_EXIT_INFRA). A size of 0 allocates 1 byte, so the result is always a
 * distinct pointer. Caller frees with free(); lg_xrealloc takes ownership of
 * p, as realloc does. */
void *lg_xmalloc(size_t n);
void *lg_xcalloc(size_t n, size_t size);
void *lg_xrealloc(void *p, size_t n);
/* A copy of s; caller frees. Returns NULL for NULL. */
char *lg_xstrdup(const char *s);
/* A NUL-terminated copy of the n bytes at s (s need not be terminated and is
 * not scanned for a NUL); caller frees. */
char *lg_xstrndup(const char *s, size_t n);
/* printf into a new string of any length; caller frees. */
char *lg_fmt(const char *fmt, ...) LG_PRINTF(1, 2);

/* A growable string. A zeroed lg_buf_t is empty and ready; b->s (NULL until
 * the first append, then always NUL-terminated) belongs to the buffer until
 * lg_buf_take or lg_buf_free. Appending never fails (allocation failure
 * exits). */
void lg_buf_add(lg_buf_t *b, const char *s);
void lg_buf_addn(lg_buf_t *b, const char *s, size_t n);
void lg_buf_addc(lg_buf_t *b, char c);
void lg_buf_addf(lg_buf_t *b, const char *fmt, ...) LG_PRINTF(2, 3);
/* Hands the string to the caller (never NULL) and resets the buffer. */
char *lg_buf_take(lg_buf_t *b);
/* A copy of s[0..n) without leading and trailing white space; caller frees. */
char *lg_trim(const char *s, size_t n);
/* Frees the string and leaves the buffer zeroed (empty and reusable). */
void lg_buf_free(lg_buf_t *b);

/* Reads a whole file (NUL-terminated, caller frees; *len, which may be
 * NULL, gets its length); NULL with errno set on failure, nothing
 * allocated. */
char *lg_read_file(const char *path, size_t *len);
/* Reads a whole regular file of at most max bytes (NUL-terminated, caller
 * frees), for files another process wrote: opened without following a
 * final symbolic link and without blocking (a FIFO or a device is refused
 * with EINVAL before any read; a larger file with EFBIG). NULL with errno
 * set on failure. */
char *lg_read_regular(const char *path, size_t max, size_t *len);
/* Reads at most head + tail bytes of a file (NUL-terminated, caller frees;
 * opened without blocking, so a FIFO reads as empty instead of hanging):
 * the whole file when it is no larger, else its first `head` bytes, a line
 * "\n[leakgate: N bytes not read]\n" and its last `tail` bytes, so that
 * memory stays bounded whatever a scenario writes while reports at either
 * end stay visible. *len gets the returned length, *size (may be NULL) the
 * file's size. NULL with errno set on failure. */
char *lg_read_capped(const char *path, size_t head, size_t tail, size_t *len,
                     unsigned long long *size);
/* Default caps of lg_read_capped for logs: 1 MiB from each end. */
#define LG_LOG_HEAD ((size_t)1 << 20)
#define LG_LOG_TAIL ((size_t)1 << 20)
/* "315 MB" / "12 kB" / "512 bytes" (decimal units) for evidence; caller
 * frees. */
char *lg_fmt_size(unsigned long long bytes);
/* Writes a file atomically (temporary file <path>.tmp.<pid> + rename); 0, or
 * -1 with errno and the temporary file removed (path is then unchanged). */
int lg_write_file(const char *path, const char *data, size_t len);
/* mkdir -p (mode 0777 before the umask): 0 when path is a directory
 * afterwards (existing is fine), else -1 with errno; components made before
 * the failure stay. */
int lg_mkdirs(const char *path);
/* Removes a directory tree; missing is fine. 0 or -1. Symbolic links are
 * removed, never followed (nftw FTW_PHYS). */
int lg_rmtree(const char *path);

/* Longest scenario, variant or defect name: it becomes one component of a
 * run directory path. */
#define LG_NAME_MAX 128
/* NULL when `name` may be a scenario, variant or defect name: 1..LG_NAME_MAX
 * of [A-Za-z0-9._+-], not "." or "..". Else a static description of what is
 * expected, for a one-line error. Such names become path components of the
 * run directory, which is emptied recursively: they must not climb out. */
const char *lg_name_problem(const char *name);

/* Makes base/rel an empty directory confined to base, and returns its path
 * (caller frees). base must be an existing absolute directory; rel is one or
 * more '/'-separated components, each valid for lg_name_problem (or
 * containing '@' between two valid names). Every intermediate component is
 * created when missing and must be a real directory, not a symbolic link;
 * the resolved parent must lie strictly under realpath(base); only then is an
 * existing final component removed (lg_rmtree: links are not followed) and
 * recreated. Returns NULL with *err (caller frees) and nothing deleted
 * otherwise. Not safe against a concurrent attacker swapping directories
 * between the check and the removal (no openat walk); it stops names and
 * planted links from steering the removal. */
char *lg_confined_fresh_dir(const char *base, const char *rel, char **err);
/* 1 when path (links followed) is a directory / a regular file / a regular
 * file this process may execute, else 0 (also when it cannot be stat'ed). */
int lg_is_dir(const char *path);
int lg_is_file(const char *path);
int lg_is_executable(const char *path);
/* "a/b" with exactly one '/' between them; a copy of b when a is NULL or
 * empty or b is absolute. Caller frees. */
char *lg_path_join(const char *a, const char *b);
/* Absolute, normalised path of an existing path (realpath; caller frees);
 * NULL with errno if absent. */
char *lg_realpath(const char *path);
/* Sorted names in dir matching an fnmatch pattern, names starting with '.'
 * excluded; returns the count. *names gets an array of copies the caller
 * releases with lg_strv_free(*names, count); an unreadable or missing dir
 * gives 0 and *names NULL, like an empty one. */
size_t lg_list_dir(const char *dir, const char *pattern, char ***names);
/* Frees v[0..n) and v (v may be NULL when n is 0). */
void lg_strv_free(char **v, size_t n);
/* free() on each of the n pointers in p (any may be NULL). */
void lg_free_n(void *const *p, size_t n);
/* free() on each argument: LG_FREE_ALL(s->a, s->b, ...) for the owned
 * strings and blocks of a struct, in one line. */
#define LG_FREE_ALL(...)                                                       \
  lg_free_n((void *const[]){__VA_ARGS__},                                      \
            sizeof((void *const[]){__VA_ARGS__}) / sizeof(void *))

/* Monotonic clock in milliseconds (CLOCK_MONOTONIC): for durations only. */
double lg_now_ms(void);
/* "SIGSEGV" etc.: a static string, not to be freed. Unknown numbers give
 * "SIG<n>" in one static buffer that the next such call overwrites (not
 * thread-safe; copy it before calling again). */
const char *lg_signal_name(int sig);
/* Current UTC time as ISO 8601, caller frees. */
char *lg_iso_now(void);

#endif
