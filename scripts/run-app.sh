#!/usr/bin/env bash
# One command to install and run the app: makes .venv on the first run, installs
# requirements.txt when it changed, then starts Streamlit without opening a browser.
# Usage: bash scripts/run-app.sh [extra streamlit options, e.g. --server.port 8502]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh requirements.txt
exec .venv/bin/python -m streamlit run app.py --server.headless true "$@"
