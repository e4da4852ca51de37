#!/usr/bin/env python3
"""Checks the links of every tracked Markdown file: a relative link must
resolve to a file or directory inside the repository (and a #fragment to a
heading of the Markdown file it names); nothing may point outside the
repository (an absolute path, a path that climbs out of it, or the design
notes that are not part of it); an external link must be one of the public
references listed in EXTERNAL_OK, none of which is needed to understand the
project. Prints every problem as file:line and exits 1 when there is one.

Usage: check_doc_links.py [REPO_ROOT]   (default: this script's repository)
"""
import os
import re
import subprocess
import sys

ROOT = os.path.realpath(sys.argv[1] if len(sys.argv) > 1 else
                        os.path.join(os.path.dirname(__file__), ".."))

# Public references a document may cite; each is background, never needed to
# follow the project's own documentation.
EXTERNAL_OK = {
    # reports/real-addons.md: the upstream fixes and issues of the leaky
    # addon versions it runs leakgate on (the report states each fix itself).
    "https://github.com/xorbit/node-aes-gcm/pull/8",
    "https://github.com/Level/leveldown/issues/790",
    "https://github.com/Level/rocksdb/issues/192",
    "https://github.com/Level/leveldown/pull/804",
    "https://github.com/tree-sitter/node-tree-sitter/pull/147",
}

# Text that names files outside the repository, link or not.
FORBIDDEN = [re.compile(r"\.\./shared\b"), re.compile(r"/work/shared\b"),
             re.compile(r"\bDESIGN\.md\b")]

INLINE = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
REFDEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
# A code span: a run of backticks, then text up to the same run, not across
# a blank line.
CODE_SPAN = re.compile(r"(`+)(?:(?!\1)[^`\n]|`(?!`)|\n(?!\s*\n))+?\1")
# A bare or <angle-bracket> URL outside a [text](target) link.
BARE_URL = re.compile(r"(?<![(\w])<?(https?://[^\s<>()\]]+[^\s<>()\].,;:!?'\"])")


def tracked_markdown():
    """Tracked *.md files (git), else every *.md outside build trees."""
    try:
        out = subprocess.run(["git", "-C", ROOT, "ls-files", "-z", "--", "*.md"],
                             check=True, capture_output=True).stdout
        return sorted(p for p in out.decode().split("\0") if p)
    except (OSError, subprocess.CalledProcessError):
        found = []
        for d, dirs, files in os.walk(ROOT):
            dirs[:] = [x for x in dirs
                       if x not in (".git", "build", "node_modules")]
            found += [os.path.relpath(os.path.join(d, f), ROOT)
                      for f in files if f.endswith(".md")]
        return sorted(found)


def lines_outside_code(text):
    """(line number, line) for every line outside fenced code blocks, with
    inline code spans (which may continue on the next line) blanked out."""
    fence, kept = None, []
    for line in text.split("\n"):
        m = FENCE.match(line)
        if m:
            mark = m.group(1)
            if fence is None:
                fence = mark
                kept.append("")
                continue
            if mark[0] == fence[0] and len(mark) >= len(fence):
                fence = None
                kept.append("")
                continue
        kept.append("" if fence is not None else line)
    body = CODE_SPAN.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)),
                         "\n".join(kept))
    yield from enumerate(body.split("\n"), 1)


def slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped,
    spaces as '-'."""
    h = re.sub(r"`|\*\*|\*|_(?=\w)|(?<=\w)_", "", heading).strip().lower()
    h = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", h)
    h = re.sub(r"[^\w\- ]", "", h)
    return h.replace(" ", "-")


def anchors(path, cache={}):
    if path not in cache:
        seen, out = {}, set()
        with open(path, encoding="utf-8") as f:
            for _, line in lines_outside_code(f.read()):
                m = HEADING.match(line)
                if m:
                    s = slug(m.group(1))
                    n = seen.get(s, 0)
                    seen[s] = n + 1
                    out.add(s if n == 0 else f"{s}-{n}")
        cache[path] = out
    return cache[path]


def check_target(md, target, problems, where):
    if SCHEME.match(target):
        if target.startswith(("http://", "https://")):
            if target not in EXTERNAL_OK:
                problems.append(f"{where}: external link not in EXTERNAL_OK "
                                f"(scripts/check_doc_links.py): {target}")
        else:
            problems.append(f"{where}: link leaves the repository: {target}")
        return
    path, _, frag = target.partition("#")
    if path.startswith("/"):
        problems.append(f"{where}: absolute path leaves the repository: {target}")
        return
    base = os.path.dirname(os.path.join(ROOT, md))
    dest = os.path.realpath(os.path.join(base, path)) if path else \
        os.path.join(ROOT, md)
    if dest != ROOT and not dest.startswith(ROOT + os.sep):
        problems.append(f"{where}: link leaves the repository: {target}")
        return
    if not os.path.exists(dest):
        problems.append(f"{where}: no such file: {target}")
        return
    if frag and dest.endswith(".md") and frag.lower() not in anchors(dest):
        problems.append(f"{where}: no heading #{frag} in "
                        f"{os.path.relpath(dest, ROOT)}")


def main():
    problems, links = [], 0
    for md in tracked_markdown():
        full = os.path.join(ROOT, md)
        if not os.path.exists(full):
            continue
        with open(full, encoding="utf-8") as f:
            text = f.read()
        for no, line in lines_outside_code(text):
            where = f"{md}:{no}"
            for rx in FORBIDDEN:
                if rx.search(line):
                    problems.append(f"{where}: names a file outside the "
                                    f"repository: {rx.pattern}")
            targets = [m.group(1) for m in INLINE.finditer(line)]
            rest = INLINE.sub(" ", line)
            targets += [m.group(1) for m in BARE_URL.finditer(rest)]
            m = REFDEF.match(line)
            if m:
                targets.append(m.group(1))
            for t in targets:
                if t:
                    links += 1
                    check_target(md, t, problems, where)
    for p in problems:
        print(p)
    print(f"check_doc_links: {links} link(s) checked, {len(problems)} "
          f"problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
