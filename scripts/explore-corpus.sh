#!/usr/bin/env bash
# Explore every corpus flow with `flowsim explore … --json`, run each suite back with
# `flowsim test`, and tabulate percent, time and peak memory (/usr/bin/time -v) per flow:
# OUT_DIR/table.md (docs/explore-corpus.md), table.tsv, and the one-line summary.txt.
# Usage: scripts/explore-corpus.sh [BIN] [FLOWS_DIR] [OUT_DIR]
# BIN defaults to target/release/flowsim (build it with `cargo build --release --bin flowsim`).
set -u
BIN=${1:-target/release/flowsim}
FLOWS=${2:-../shared/corpus/flows}
OUT=${3:-/tmp/explore-corpus}
rm -rf "$OUT"
mkdir -p "$OUT"
TSV="$OUT/table.tsv"
printf 'flow\ttakeable\treached\tpercent\tscripts\tmillis\tpeak_mb\trun_back\n' >"$TSV"
n=0
for f in "$FLOWS"/*.json; do
  n=$((n + 1))
  name=$(basename "$f" .json)
  dir="$OUT/$n"
  /usr/bin/time -v -o "$OUT/$n.time" "$BIN" explore "$f" --flows "$FLOWS" --out "$dir" --json \
    >"$OUT/$n.json" 2>"$OUT/$n.err"
  rc=$?
  kb=$(awk -F': ' '/Maximum resident/ {print $2}' "$OUT/$n.time")
  mb=$(awk -v k="${kb:-0}" 'BEGIN {printf "%.0f", k / 1024}')
  if [ $rc -ne 0 ]; then
    printf '%s\t-\t-\t-\t-\t-\t%s\texplore exit %s\n' "$name" "$mb" "$rc" >>"$TSV"
    continue
  fi
  back=pass
  if ls "$dir"/*.call >/dev/null 2>&1; then
    "$BIN" test "$dir" --flows "$FLOWS" >"$OUT/$n.test" 2>&1 || back=FAIL
  fi
  jq -r --arg name "$name" --arg mb "$mb" --arg back "$back" \
    '[$name, .branches_takeable, .branches_reached, (.percent * 10 | round / 10),
      (.scripts | length), (.millis | round), $mb, $back] | @tsv' "$OUT/$n.json" >>"$TSV"
done
awk -F'\t' 'NR == 1 {next} $4 != "-" {s += $4; k++; if ($6 > t) {t = $6; tf = $1}
  if ($7 > m) {m = $7; mf = $1}} $8 != "pass" {bad++}
  END {printf "flows %d, mean %.1f%%, worst time %d ms (%s), worst peak %d MB (%s), run back failing %d\n",
    k, s / k, t, tf, m, mf, bad}' "$TSV" >"$OUT/summary.txt"
{
  echo '| flow | takeable | reached | % | scripts | ms | peak MB | run back |'
  echo '|---|---:|---:|---:|---:|---:|---:|---|'
  awk -F'\t' 'NR > 1 {printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8}' "$TSV"
} >"$OUT/table.md"
cat "$OUT/summary.txt"
