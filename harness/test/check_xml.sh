#!/bin/sh
# Every junit.xml and report.html the end-to-end tests wrote must be
# well-formed XML (report.html is XHTML-compatible): xmllint --noout, from
# libxml2-utils (scripts/setup). Usage: check_xml.sh DIR MIN_FILES
set -u
dir=$1
min=$2
n=0
bad=0
for f in $(find "$dir" \( -name junit.xml -o -name report.html \) | sort); do
  n=$((n + 1))
  xmllint --noout "$f" || bad=$((bad + 1))
done
echo "check_xml: $n files, $bad not well-formed"
[ "$n" -ge "$min" ] || { echo "FAIL: expected at least $min files" >&2; exit 1; }
[ "$bad" -eq 0 ]
