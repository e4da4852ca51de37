/* `leakgate init`: a starting point for any addon. Writes, into a directory,
 * a manifest that uses leakgate's variant presets (release, asan; valgrind
 * not by default), a control scenario that only loads the addon, and a
 * scenario skeleton to fill in, which as written passes on a clean addon. */
#ifndef LG_INIT_H
#define LG_INIT_H

/* addon: a .node file, or a package directory holding package.json (node
 * requires the directory). dir: created when missing. Never overwrites: if
 * any file it would write exists, nothing is written. Returns 0 and sets
 * *written to a description of what was written (caller frees), or -1 with
 * *err (caller frees; the addon is not usable, or a file exists, or a write
 * failed, in which case the files written before it are removed). Not
 * thread-safe (it resolves paths relative to the working directory). */
int lg_init(const char *addon, const char *dir, char **written, char **err);

#endif
