#!/usr/bin/env bash
# Install (first run, or when requirements change) and start the app on the fictional
# sample world. Usage: bash scripts/run-app.sh [extra streamlit options]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh requirements.txt
exec .venv/bin/python -m streamlit run app.py --server.headless true "$@"
