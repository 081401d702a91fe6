# Sourced by run-app.sh and test.sh (from the repository root): make .venv if it is missing
# and pip install REQUIREMENTS (the first argument) only when the requirements files changed
# since the last install, judged by a hash stamp kept inside .venv.
requirements="$1"
if [ ! -x .venv/bin/python ]; then
  echo "Creating .venv ..." >&2
  python3 -m venv .venv
fi
stamp=".venv/.installed-$(basename "$requirements")"
# requirements-dev.txt includes requirements.txt, so hash every requirements file.
digest=$(cat requirements*.txt | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
  echo "Installing $requirements into .venv (first run or requirements changed) ..." >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
  echo "$digest" > "$stamp"
fi
