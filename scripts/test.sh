#!/usr/bin/env bash
# One command to install everything the tests need and run the whole suite: Debian packages
# (Chromium, PostgreSQL, poppler, DejaVu and Liberation fonts, LibreOffice Impress, Node)
# when missing, .venv with requirements-dev.txt, the Node test packages, then a throwaway
# PostgreSQL server on loopback (stopped and deleted on exit), the data-file guard, and pytest.
# Usage: bash scripts/test.sh [pytest options and paths]. This is what CI runs (.ci/run).
# Exits non-zero when a test fails, and also when pytest collected no tests (exit code 5).
set -euo pipefail
cd "$(dirname "$0")/.."

# --- Debian packages: apt-get only when something is missing, and then update once. ------
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
[ -d /usr/share/fonts/truetype/dejavu ] || need+=(fonts-dejavu-core)
# LibreOffice renders the meeting pack's PPTX in tests/mapping/test_pack_render.py; Liberation
# Sans has Arial's (and Helvetica's) metrics, which the pack measures its tables with.
command -v soffice >/dev/null || need+=(libreoffice-impress)
[ -d /usr/share/fonts/truetype/liberation ] || need+=(fonts-liberation)
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "Installing Debian packages: ${need[*]} ..." >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${need[@]}" >/dev/null
fi

# --- Python and Node packages. -----------------------------------------------------------
source scripts/venv.sh requirements-dev.txt
if [ -f tests/node/package-lock.json ] && [ ! -d tests/node/node_modules ]; then
  npm ci --prefix tests/node --silent --no-audit --no-fund
fi

# --- A throwaway PostgreSQL server on 127.0.0.1 for the storage tests. -------------------
# PostgreSQL refuses to run as root, so as root the server runs as the postgres user.
pg_bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")
pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/mapping-pg.XXXXXX")
run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
stop_pg() {
  if [ -f "$pg_dir/data/postmaster.pid" ]; then
    run_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$pg_dir"
}
trap stop_pg EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
if [ "$(id -u)" = 0 ]; then chown postgres "$pg_dir"; fi
pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
run_pg "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 --no-locale \
  >/dev/null
if ! run_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w -t 60 \
    -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
then
  echo "The throwaway PostgreSQL server did not start:" >&2
  cat "$pg_dir/log" >&2 || true
  exit 1
fi
export MAPPING_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$pg_port/postgres"

# --- Checks and tests. --------------------------------------------------------------------
bash scripts/check-no-data-files.sh
status=0
.venv/bin/python -m pytest "$@" || status=$?
if [ "$status" = 5 ]; then
  echo "pytest collected no tests: failing" >&2
  exit 1
fi
exit "$status"
