#!/usr/bin/env bash
# Refuse spreadsheets outside sample_data/ and tests/fixtures/, so real case data can never
# be committed by mistake. Runs in CI (scripts/test.sh, tests/test_repo_hygiene.py) and as a
# pre-commit hook; it checks the index, so a staged file counts. To install the hook:
#   ln -s ../../scripts/check-no-data-files.sh .git/hooks/pre-commit
set -euo pipefail
if ! top=$(git rev-parse --show-toplevel 2>/dev/null); then
  echo "check-no-data-files: not a git work tree, nothing is tracked: skipped" >&2
  exit 0
fi
cd "$top"
bad=()
# -z: names exactly as stored (no C-quoting of non-ASCII names, newlines survive).
while IFS= read -r -d '' path; do
  # Extensions in any case (.CSV too); the allowed folders exactly as spelled.
  lower=${path,,}
  if [[ "$lower" =~ \.(xlsx|xlsm|xlsb|xls|ods|csv|tsv)$ ]] \
      && [[ ! "$path" =~ ^(sample_data|tests/fixtures)/ ]]; then
    bad+=("$path")
  fi
done < <(git ls-files -z --cached)
if [ ${#bad[@]} -gt 0 ]; then
  echo "Spreadsheets may only live in sample_data/ or tests/fixtures/ (fictional data only):" >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
