#!/bin/sh
# Fill fuzz/corpus/<target>/ with seed inputs: the small files in fuzz/seeds/, the
# repo's flows and .call scripts, and ../shared's seed flow and corpus when present.
# Usage: fuzz/seed.sh   (from anywhere; idempotent)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
shared="$repo/../shared"
add() { # target file...
    t=$1; shift
    mkdir -p "$here/corpus/$t"
    for f in "$@"; do
        [ -f "$f" ] && cp "$f" "$here/corpus/$t/$(basename "$(dirname "$f")")_$(basename "$f")"
    done
    return 0
}
for t in flow_parse call_parse ssml_render refs_resolve lambda_response; do
    add "$t" "$here"/seeds/"$t"/*
done
add flow_parse "$repo"/contactflow/*.json "$shared"/seed/*.json
if [ -d "$shared/corpus" ]; then
    find "$shared/corpus" -name '*.json' -size -256k | while read -r f; do add flow_parse "$f"; done
fi
add call_parse "$repo"/recordings/*.call "$repo"/contactflow/tests/*.call
echo "seeded: $(for t in "$here"/corpus/*; do printf '%s=%s ' "$(basename "$t")" "$(ls "$t" | wc -l)"; done)"
