/* Helpers shared by the leakgate sources (see util.h). */
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void lg_oom(void) {
  fputs("leakgate: out of memory\n", stderr);
  exit(LG_EXIT_INFRA);
}

void *lg_xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p)
    lg_oom();
  return p;
}

void *lg_xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p)
    lg_oom();
  return p;
}

void *lg_xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q)
    lg_oom();
  return q;
}

char *lg_xstrdup(const char *s) {
  return s ? lg_xstrndup(s, strlen(s)) : NULL;
}

char *lg_xstrndup(const char *s, size_t n) {
  char *d = lg_xmalloc(n + 1);
  memcpy(d, s, n);
  d[n] = '\0';
  return d;
}

char *lg_fmt(const char *fmt, ...) {
  lg_buf_t b = {0};
  va_list ap;
  va_start(ap, fmt);
  char tmp[256];
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0)
    n = 0;
  if ((size_t)n < sizeof tmp) {
    va_end(ap2);
    return lg_xstrdup(tmp);
  }
  b.s = lg_xmalloc((size_t)n + 1);
  vsnprintf(b.s, (size_t)n + 1, fmt, ap2);
  va_end(ap2);
  return b.s;
}

static void lg_buf_grow(lg_buf_t *b, size_t extra) {
  if (b->len + extra + 1 <= b->cap)
    return;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < b->len + extra + 1)
    cap *= 2;
  b->s = lg_xrealloc(b->s, cap);
  b->cap = cap;
}

void lg_buf_addn(lg_buf_t *b, const char *s, size_t n) {
  lg_buf_grow(b, n);
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = '\0';
}

void lg_buf_add(lg_buf_t *b, const char *s) {
  if (s)
    lg_buf_addn(b, s, strlen(s));
}

void lg_buf_addc(lg_buf_t *b, char c) {
  lg_buf_addn(b, &c, 1);
}

void lg_buf_addf(lg_buf_t *b, const char *fmt, ...) {
  if (!fmt) /* also keeps gcc -fsanitize=undefined's -Wformat quiet */
    return;
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  char probe[1];
  int n = vsnprintf(probe, sizeof probe, fmt, ap);
  va_end(ap);
  if (n > 0) {
    lg_buf_grow(b, (size_t)n);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap2);
    b->len += (size_t)n;
  }
  va_end(ap2);
}

char *lg_buf_take(lg_buf_t *b) {
  char *s = b->s ? b->s : lg_xstrdup("");
  b->s = NULL;
  b->len = b->cap = 0;
  return s;
}

void lg_buf_free(lg_buf_t *b) {
  free(b->s);
  b->s = NULL;
  b->len = b->cap = 0;
}

/* The end of every reader below: e != 0 frees b, sets errno to e and
 * returns NULL; else stores b's length in *len (when len) and returns its
 * string (the caller's to free). */
static char *lg_buf_result(lg_buf_t *b, int e, size_t *len) {
  if (e) {
    lg_buf_free(b);
    errno = e;
    return NULL;
  }
  if (len)
    *len = b->len;
  return lg_buf_take(b);
}

char *lg_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  lg_buf_t b = {0};
  char tmp[65536];
  size_t n;
  while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
    lg_buf_addn(&b, tmp, n);
  int err = ferror(f);
  fclose(f);
  return lg_buf_result(&b, err ? EIO : 0, len);
}

static int lg_read_more(int fd, lg_buf_t *b, size_t want, off_t off);

char *lg_read_regular(const char *path, size_t max, size_t *len) {
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  struct stat st;
  int e = 0;
  if (fstat(fd, &st) != 0)
    e = errno;
  else if (!S_ISREG(st.st_mode))
    e = EINVAL;
  else if ((unsigned long long)st.st_size > max)
    e = EFBIG;
  lg_buf_t b = {0};
  if (!e && lg_read_more(fd, &b, max + 1, -1) != 0)
    e = errno ? errno : EIO;
  else if (!e && b.len > max)
    e = EFBIG; /* grew while read */
  close(fd);
  return lg_buf_result(&b, e, len);
}

/* Appends up to `want` bytes of fd to b, stopping early at end of file:
 * with read() from the current offset when off < 0, else with pread() from
 * off on. Retries EINTR. Returns 0, or -1 on a read error. */
static int lg_read_more(int fd, lg_buf_t *b, size_t want, off_t off) {
  char tmp[65536];
  size_t got = 0;
  while (got < want) {
    size_t chunk = want - got < sizeof tmp ? want - got : sizeof tmp;
    ssize_t n = off < 0 ? read(fd, tmp, chunk)
                        : pread(fd, tmp, chunk, off + (off_t)got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -1;
    if (n == 0)
      break;
    lg_buf_addn(b, tmp, (size_t)n);
    got += (size_t)n;
  }
  return 0;
}

char *lg_read_capped(const char *path, size_t head, size_t tail, size_t *len,
                     unsigned long long *size) {
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    errno = e;
    return NULL;
  }
  unsigned long long total =
      S_ISREG(st.st_mode) ? (unsigned long long)st.st_size : 0;
  lg_buf_t b = {0};
  /* The head, or everything up to head + tail bytes when the file is no
   * larger (or its size is unknown: not a regular file). */
  int split = S_ISREG(st.st_mode) && total > head + tail;
  int bad = lg_read_more(fd, &b, split ? head : head + tail, -1) != 0;
  if (!bad && split) {
    unsigned long long skipped = total - head - tail;
    lg_buf_addf(&b, "\n[leakgate: %llu bytes not read]\n", skipped);
    bad = lg_read_more(fd, &b, tail, (off_t)(total - tail)) != 0;
  }
  close(fd);
  if (!bad && size)
    *size = S_ISREG(st.st_mode) ? total : b.len;
  return lg_buf_result(&b, bad ? EIO : 0, len);
}

char *lg_fmt_size(unsigned long long bytes) {
  if (bytes >= 10ULL * 1000 * 1000)
    return lg_fmt("%llu MB", (bytes + 500000) / 1000000);
  if (bytes >= 10ULL * 1000)
    return lg_fmt("%llu kB", (bytes + 500) / 1000);
  return lg_fmt("%llu bytes", bytes);
}

int lg_write_file(const char *path, const char *data, size_t len) {
  char *tmp = lg_fmt("%s.tmp.%ld", path, (long)getpid());
  FILE *f = fopen(tmp, "wb");
  if (!f) {
    free(tmp);
    return -1;
  }
  int bad = fwrite(data, 1, len, f) != len;
  bad |= fclose(f) != 0;
  if (bad || rename(tmp, path) != 0) {
    int e = errno;
    unlink(tmp);
    free(tmp);
    errno = e;
    return -1;
  }
  free(tmp);
  return 0;
}

int lg_mkdirs(const char *path) {
  char *p = lg_xstrdup(path);
  for (char *s = p + 1; *s; s++) {
    if (*s != '/')
      continue;
    *s = '\0';
    if (mkdir(p, 0777) != 0 && errno != EEXIST) {
      free(p);
      return -1;
    }
    *s = '/';
  }
  int rc = mkdir(p, 0777);
  free(p);
  if (rc != 0 && errno != EEXIST)
    return -1;
  return lg_is_dir(path) ? 0 : -1;
}

static int lg_rm_cb(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw) {
  (void)st;
  (void)flag;
  (void)ftw;
  return remove(path) != 0 && errno != ENOENT ? -1 : 0;
}

int lg_rmtree(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0)
    return errno == ENOENT ? 0 : -1;
  return nftw(path, lg_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

const char *lg_name_problem(const char *name) {
  static const char what[] =
      "a name of 1 to 128 characters from A-Z a-z 0-9 . _ + -, not "
      "\".\" or \"..\"";
  size_t n = name ? strlen(name) : 0;
  if (n == 0 || n > LG_NAME_MAX || strcmp(name, ".") == 0 ||
      strcmp(name, "..") == 0)
    return what;
  for (const char *p = name; *p; p++)
    if (!isalnum((unsigned char)*p) && !strchr("._+-", *p))
      return what;
  return NULL;
}

/* True when path lies strictly under dir (both absolute, normalised). */
static int lg_path_under(const char *path, const char *dir) {
  size_t n = strlen(dir);
  if (n == 1 && dir[0] == '/')
    return path[0] == '/' && path[1] != '\0';
  return strncmp(path, dir, n) == 0 && path[n] == '/' && path[n + 1] != '\0';
}

char *lg_confined_fresh_dir(const char *base, const char *rel, char **err) {
  char *real_base = lg_realpath(base);
  char *cur = NULL, *copy = lg_xstrdup(rel), *parent_real = NULL;
  char *result = NULL;
  if (!real_base || !lg_is_dir(real_base)) {
    *err = lg_fmt("output directory %s: %s", base,
                  real_base ? "not a directory" : strerror(errno));
    goto fail;
  }
  /* Each component must be a valid name; "a@b" is a scenario with a fault. */
  size_t ncomp = 0;
  for (char *save = NULL, *c = strtok_r(copy, "/", &save); c;
       c = strtok_r(NULL, "/", &save)) {
    ncomp++;
    char *at = strchr(c, '@');
    const char *bad = NULL;
    if (at && c + strlen(c) != copy + strlen(rel)) {
      bad = "a name (\"@\" only in the last component)";
    } else if (at) {
      *at = '\0';
      bad = lg_name_problem(c) ? lg_name_problem(c) : lg_name_problem(at + 1);
      *at = '@';
    } else {
      bad = lg_name_problem(c);
    }
    if (bad) {
      *err = lg_fmt("run directory %s/%s: component '%s' is not %s", base, rel,
                    c, bad);
      goto fail;
    }
  }
  if (ncomp == 0 || rel[0] == '/' || strstr(rel, "//")) {
    *err = lg_fmt("run directory '%s': not a relative path of names", rel);
    goto fail;
  }
  /* Walk down, creating what is missing, refusing links and non-dirs. */
  cur = lg_xstrdup(real_base);
  const char *p = rel;
  for (size_t i = 0; i < ncomp; i++) {
    size_t len = strcspn(p, "/");
    char *next = lg_fmt("%s/%.*s", cur, (int)len, p);
    free(cur);
    cur = next;
    p += len + (p[len] == '/');
    struct stat st;
    if (lstat(cur, &st) != 0) {
      if (errno != ENOENT) {
        *err = lg_fmt("run directory %s: %s", cur, strerror(errno));
        goto fail;
      }
      if (i + 1 < ncomp && mkdir(cur, 0777) != 0 && errno != EEXIST) {
        *err = lg_fmt("cannot create %s: %s", cur, strerror(errno));
        goto fail;
      }
      if (i + 1 < ncomp && lstat(cur, &st) != 0) {
        *err = lg_fmt("run directory %s: %s", cur, strerror(errno));
        goto fail;
      }
      if (i + 1 == ncomp)
        continue;
    }
    if (S_ISLNK(st.st_mode)) {
      *err = lg_fmt("run directory %s is a symbolic link: refusing to delete "
                    "or write through it (outside %s?)",
                    cur, real_base);
      goto fail;
    }
    if (!S_ISDIR(st.st_mode)) {
      *err = lg_fmt("run directory %s exists and is not a directory", cur);
      goto fail;
    }
  }
  /* The resolved parent must still be strictly under the resolved base. */
  char *slash = strrchr(cur, '/');
  *slash = '\0';
  parent_real = lg_realpath(cur);
  *slash = '/';
  if (!parent_real ||
      !(strcmp(parent_real, real_base) == 0 ||
        lg_path_under(parent_real, real_base)) ||
      !lg_path_under(cur, real_base)) {
    *err = lg_fmt("run directory %s resolves outside %s: nothing deleted", cur,
                  real_base);
    goto fail;
  }
  if (lg_rmtree(cur) != 0 || mkdir(cur, 0777) != 0) {
    *err = lg_fmt("cannot create run directory %s: %s", cur, strerror(errno));
    goto fail;
  }
  result = cur;
  cur = NULL;
fail:
  free(real_base);
  free(copy);
  free(cur);
  free(parent_real);
  return result;
}

int lg_is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int lg_is_file(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int lg_is_executable(const char *path) {
  return lg_is_file(path) && access(path, X_OK) == 0;
}

char *lg_path_join(const char *a, const char *b) {
  if (!a || !*a || b[0] == '/')
    return lg_xstrdup(b);
  size_t la = strlen(a);
  return lg_fmt("%s%s%s", a, a[la - 1] == '/' ? "" : "/", b);
}

char *lg_realpath(const char *path) {
  char buf[PATH_MAX];
  return realpath(path, buf) ? lg_xstrdup(buf) : NULL;
}

static int lg_cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t lg_list_dir(const char *dir, const char *pattern, char ***names) {
  *names = NULL;
  DIR *d = opendir(dir);
  if (!d)
    return 0;
  size_t n = 0, cap = 0;
  char **v = NULL;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.' || fnmatch(pattern, e->d_name, 0) != 0)
      continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 8;
      v = lg_xrealloc(v, cap * sizeof *v);
    }
    v[n++] = lg_xstrdup(e->d_name);
  }
  closedir(d);
  if (n)
    qsort(v, n, sizeof *v, lg_cmp_str);
  *names = v;
  return n;
}

void lg_strv_free(char **v, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

void lg_free_n(void *const *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(p[i]);
}

double lg_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

const char *lg_signal_name(int sig) {
  static const struct {
    int sig;
    const char *name;
  } names[] = {
      {SIGSEGV, "SIGSEGV"}, {SIGABRT, "SIGABRT"}, {SIGBUS, "SIGBUS"},
      {SIGFPE, "SIGFPE"},   {SIGILL, "SIGILL"},   {SIGKILL, "SIGKILL"},
      {SIGTERM, "SIGTERM"}, {SIGINT, "SIGINT"},   {SIGPIPE, "SIGPIPE"},
      {SIGTRAP, "SIGTRAP"}, {SIGSYS, "SIGSYS"},   {SIGHUP, "SIGHUP"},
      {SIGQUIT, "SIGQUIT"}, {SIGALRM, "SIGALRM"}, {SIGUSR1, "SIGUSR1"},
      {SIGUSR2, "SIGUSR2"}, {SIGXCPU, "SIGXCPU"}, {SIGXFSZ, "SIGXFSZ"}};
  static char other[32];
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (names[i].sig == sig)
      return names[i].name;
  snprintf(other, sizeof other, "SIG%d", sig);
  return other;
}

char *lg_iso_now(void) {
  time_t t = time(NULL);
  struct tm tm;
  char buf[32];
  gmtime_r(&t, &tm);
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return lg_xstrdup(buf);
}

char *lg_trim(const char *s, size_t n) {
  while (n && isspace((unsigned char)*s)) {
    s++;
    n--;
  }
  while (n && isspace((unsigned char)s[n - 1]))
    n--;
  return lg_xstrndup(s, n);
}
