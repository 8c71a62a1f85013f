# Shared by scripts/serve and scripts/test: find Python 3.11, create .venv, install the project.
# Usage: source scripts/_venv.sh EXTRAS   (EXTRAS e.g. "postgres" or "dev")
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
find_python() {
    for candidate in "${MITROO_PYTHON:-}" python3.11 python3; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    echo "error: Python 3.11 is required (spyne 2.14.0, the SOAP engine, does not import on 3.12+)." >&2
    echo "       Install python3.11 or point MITROO_PYTHON at one." >&2
    return 1
}
if [ ! -x .venv/bin/python ]; then
    PYTHON="$(find_python)"
    echo "creating .venv with $PYTHON"
    "$PYTHON" -m venv .venv
fi
if ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    echo "error: .venv is not Python 3.11; remove it (rm -rf .venv) and run again." >&2
    exit 1
fi
STAMP=".venv/.installed-$1"
if [ ! -f "$STAMP" ] || [ setup.cfg -nt "$STAMP" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".[$1]"
    touch "$STAMP"
fi
