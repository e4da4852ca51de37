#!/usr/bin/env bash
# npm packaging: stages the package with this build's evstore.node as its
# prebuilt, runs `npm pack`, installs the tarball into a fresh project
# (offline: the package has no dependencies) and uses it from there, where
# only the prebuilt can be found.
# usage: npm-pack.sh ADDON_SOURCE_DIR BUILT_EVSTORE_NODE
set -euo pipefail
src=$1
node_bin=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/pkg" "$tmp/app"
cp -r "$src/package.json" "$src/lib" "$src/src" "$src/index.d.ts" \
  "$src/CMakeLists.txt" "$src/README.md" "$tmp/pkg/"
cp "$node_bin" "$tmp/pkg/evstore.node"
tarball=$(cd "$tmp/pkg" && npm pack --silent 2>/dev/null | tail -1)
[ -f "$tmp/pkg/$tarball" ] || { echo "npm pack produced no tarball" >&2; exit 1; }
contents=$(tar -tzf "$tmp/pkg/$tarball")
grep -qx 'package/evstore.node' <<<"$contents" ||
  { echo "tarball lacks evstore.node" >&2; exit 1; }
cd "$tmp/app"
echo '{"name":"app","version":"1.0.0","private":true}' >package.json
npm install --offline --no-audit --no-fund --silent "$tmp/pkg/$tarball"
env -u EVSTORE_VARIANT -u EVSTORE_ADDON node -e '
  const { Store, nativeStats } = require("evstore");
  const s = new Store();
  s.set("/pkg/ok", { installed: true });
  const v = s.get("/pkg/ok");
  s.close();
  if (!v || v.installed !== true) { console.error("round trip failed", v); process.exitCode = 1; }
  else if (nativeStats().stores !== 0) { console.error("store not released"); process.exitCode = 1; }
  else console.log("npm pack: " + process.argv[1] + " installs and loads");
' "$tarball"
