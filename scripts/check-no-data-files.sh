#!/usr/bin/env bash
# Refuse spreadsheets outside sample_data/ and tests/fixtures/, so real case data can never
# be committed by mistake. Runs in CI (scripts/test.sh) and as a pre-commit hook.
set -euo pipefail
cd "$(dirname "$0")/.."
bad=$(git ls-files | grep -iE '\.(xlsx|xlsm|xls|csv|tsv)$' | grep -vE '^(sample_data|tests/fixtures)/' || true)
if [ -n "$bad" ]; then
  echo "Spreadsheets may only live in sample_data/ or tests/fixtures/:" >&2
  echo "$bad" >&2
  exit 1
fi
