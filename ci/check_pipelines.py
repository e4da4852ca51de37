#!/usr/bin/env python3
"""Validates the pipeline definitions: every YAML file parses, has the
structure its CI system needs, and every script it references exists and is
executable in this checkout."""
import os
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FILES = [".github/workflows/leakgate.yml", "ci/gitlab-ci.yml", ".gitlab-ci.yml",
         "action.yml", "ci/leakgate-addon.gitlab-ci.yml"]
SCRIPT = re.compile(r"(?:^|\s)((?:ci|scripts)/[\w./-]+)")


def commands(node):
    """Yields every shell command string in a parsed pipeline."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("run", "script", "before_script", "after_script"):
                if isinstance(value, str):
                    yield value
                elif isinstance(value, list):
                    yield from (v for v in value if isinstance(v, str))
            else:
                yield from commands(value)
    elif isinstance(node, list):
        for item in node:
            yield from commands(item)


def main():
    errors, referenced = [], set()
    docs = {}
    for rel in FILES:
        try:
            with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
                docs[rel] = yaml.safe_load(f)
        except (OSError, yaml.YAMLError) as e:
            errors.append(f"{rel}: {e}")
            continue
        for cmd in commands(docs[rel]):
            referenced.update(SCRIPT.findall(cmd))
    gh = docs.get(".github/workflows/leakgate.yml") or {}
    if not isinstance(gh.get("jobs"), dict) or "shard" not in gh["jobs"]:
        errors.append("GitHub workflow: no 'shard' job")
    else:
        matrix = gh["jobs"]["shard"].get("strategy", {}).get("matrix", {})
        if not matrix.get("variant") or not matrix.get("shard"):
            errors.append("GitHub workflow: shard job has no variant x shard matrix")
    gl = docs.get("ci/gitlab-ci.yml") or {}
    for job in ("shard", "gate"):
        if not isinstance(gl.get(job), dict) or "script" not in gl[job]:
            errors.append(f"GitLab pipeline: job '{job}' missing or has no script")
    include = (docs.get(".gitlab-ci.yml") or {}).get("include", [])
    if not any(isinstance(i, dict) and i.get("local") == "ci/gitlab-ci.yml" for i in include):
        errors.append(".gitlab-ci.yml does not include ci/gitlab-ci.yml")
    # The templates for other repositories: both run ci/addon-gate.sh (the
    # action from its own path, GitLab from a clone of leakgate).
    action = docs.get("action.yml") or {}
    runs = action.get("runs") or {}
    if runs.get("using") != "composite" or "manifest" not in (action.get("inputs") or {}):
        errors.append("action.yml: not a composite action with a 'manifest' input")
    elif not any("ci/addon-gate.sh" in c for c in commands(runs)):
        errors.append("action.yml: does not run ci/addon-gate.sh")
    tmpl = (docs.get("ci/leakgate-addon.gitlab-ci.yml") or {}).get("leakgate")
    if not isinstance(tmpl, dict) or not any("ci/addon-gate.sh" in c for c in commands(tmpl)):
        errors.append("ci/leakgate-addon.gitlab-ci.yml: job 'leakgate' does not run ci/addon-gate.sh")
    referenced.add("ci/addon-gate.sh")  # run through a path prefix above
    if not referenced:
        errors.append("no script referenced at all")
    for rel in sorted(referenced):
        path = os.path.join(ROOT, rel)
        if not os.path.isfile(path):
            errors.append(f"referenced script {rel} does not exist")
        elif not os.access(path, os.X_OK):
            errors.append(f"referenced script {rel} is not executable")
    for e in errors:
        print("check_pipelines:", e, file=sys.stderr)
    if not errors:
        print(f"check_pipelines: {len(FILES)} files parse; scripts referenced: {', '.join(sorted(referenced))}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
