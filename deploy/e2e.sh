#!/usr/bin/env bash
# End to end, offline: the template's queue, DLQ and table on a local moto_server
# (127.0.0.1 only), the Lambdas served by `cargo lambda watch`, the seed flow run through
# flowsim against them. See deploy/e2e.py for the steps.
#
# Needs python3 with moto[server] (boto3, PyYAML) and cargo-lambda:
#   pip install 'moto[server]' cargo-lambda
# Without them it is skipped with a message (exit 0), unless E2E_REQUIRED=1 (CI).
set -euo pipefail
cd "$(dirname "$0")/.."

skip() {
  if [ "${E2E_REQUIRED:-0}" = 1 ]; then
    echo "deploy/e2e.sh: FAILED: $* (E2E_REQUIRED=1)" >&2
    exit 1
  fi
  echo "deploy/e2e.sh: skipped: $*" >&2
  exit 0
}

command -v python3 >/dev/null 2>&1 || skip "python3 is missing"
python3 -c 'import boto3, yaml' 2>/dev/null || skip "python3 lacks boto3/PyYAML (pip install 'moto[server]')"
command -v moto_server >/dev/null 2>&1 || skip "moto_server is missing (pip install 'moto[server]')"
cargo lambda --help >/dev/null 2>&1 || skip "cargo-lambda is missing (pip install cargo-lambda)"

python3 deploy/template.py
exec python3 deploy/e2e.py "$@"
