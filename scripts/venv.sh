# Sourced by run-demo.sh and run-tests.sh: make .venv with Hafen installed, once, and again
# whenever pyproject.toml changes. Usage: source scripts/venv.sh [dev]
extras="${1:-}"
python_bin="${HAFEN_PYTHON:-}"
if [ -z "$python_bin" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1; then python_bin="$candidate"; break; fi
  done
fi
if [ -z "$python_bin" ] || ! "$python_bin" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "Hafen needs Python 3.11 (set HAFEN_PYTHON to its path)." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$python_bin" -m venv .venv
fi
spec="."
[ "$extras" = "dev" ] && spec=".[dev]"
stamp=".venv/.hafen-installed-${extras:-run}"
wanted="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  echo "Installing Hafen and its pinned dependencies into .venv ..."
  .venv/bin/python -m pip install --quiet --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --quiet --disable-pip-version-check -e "$spec"
  echo "$wanted" > "$stamp"
fi
