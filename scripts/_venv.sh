# Shared by scripts/serve and scripts/test: choose a supported Python, make the venv, install the project.
# Usage: source scripts/_venv.sh EXTRAS   (EXTRAS e.g. "postgres" or "dev")
# MITROO_PYTHON chooses the interpreter (see scripts/_python.sh); MITROO_VENV the venv (default .venv).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/_python.sh
VENV="${MITROO_VENV:-.venv}"
if [ -e "$VENV" ] && [ ! -f "$VENV/pyvenv.cfg" ]; then
    echo "error: $VENV exists and is not a venv (no pyvenv.cfg); move it away or set MITROO_VENV to another path." >&2
    exit 1
fi
have="$(python_version "$VENV/bin/python")" || have=""
if [ -z "$have" ] || ! is_supported "$have"; then
    PYTHON="$(pick_python)"
    if [ -e "$VENV" ]; then
        echo "recreating $VENV with $PYTHON: its Python (${have:-none that runs}) is not one of $SUPPORTED_PYTHONS"
    else
        echo "creating $VENV with $PYTHON"
    fi
    "$PYTHON" -m venv --clear "$VENV"
elif [ -n "${MITROO_PYTHON:-}" ]; then
    PYTHON="$(pick_python)"
    if [ "$(python_version "$PYTHON")" != "$have" ]; then
        echo "recreating $VENV with $PYTHON (MITROO_PYTHON): it was made with Python $have"
        "$PYTHON" -m venv --clear "$VENV"
    fi
else
    newest="$(pick_python 2>/dev/null)" && newest="$(python_version "$newest")" || newest="$have"
    if [ "${newest#3.}" -gt "${have#3.}" ]; then
        echo "note: $VENV runs Python $have; Python $newest is on the PATH (MITROO_PYTHON=python$newest moves $VENV to it)"
    fi
fi
STAMP="$VENV/.installed-$1"
if [ ! -f "$STAMP" ] || [ setup.cfg -nt "$STAMP" ]; then
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -e ".[$1]"
    touch "$STAMP"
fi
