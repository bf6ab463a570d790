#!/bin/sh
# Per-rule counts of `flowsim check` over the corpus of real exports, so a new false
# alarm shows up in review. Usage: scripts/corpus-check-summary.sh [flowsim binary] [dir]
# (defaults: target/release/flowsim, ../shared/corpus/flows). Needs python3.
set -eu
bin=${1:-target/release/flowsim}
dir=${2:-../shared/corpus/flows}
"$bin" check --format json "$dir"/*.json | python3 -c '
import json, sys, collections
count = collections.Counter(); files = collections.defaultdict(set)
for line in sys.stdin:
    f = json.loads(line)
    key = (f["rule"], f["name"], f["severity"])
    count[key] += 1
    files[key].add(f["file"])
for (code, name, sev), n in sorted(count.items()):
    print(f"{code} {name:34} {sev:8} {n:5} in {len(files[(code, name, sev)])} files")
bad = [k for k in count if k[0] in ("FS111", "FS112")]
sys.exit(1 if bad else 0)
'
