# Which Python runs the project; sourced by scripts/_venv.sh (and by its test), defines functions only.
# The supported versions, newest first; setup.cfg and provider/__init__.py say the same (a test checks).
SUPPORTED_PYTHONS="3.13 3.12 3.11"

# The "major.minor" of the interpreter command $1, or nothing (and failure) if it does not run.
python_version() {
    "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null
}

is_supported() {
    case " $SUPPORTED_PYTHONS " in *" $1 "*) return 0 ;; esac
    return 1
}

# Prints the interpreter to use: MITROO_PYTHON if set (refused unless supported), else the newest
# supported python3.X on the PATH, else python3 if it is a supported version. Refuses with the
# versions that work and what was found.
pick_python() {
    local candidate version found=""
    local wanted="Python ${SUPPORTED_PYTHONS// /, }"
    if [ -n "${MITROO_PYTHON:-}" ]; then
        version="$(python_version "$MITROO_PYTHON")" || version=""
        if [ -n "$version" ] && is_supported "$version"; then
            echo "$MITROO_PYTHON"
            return 0
        fi
        if [ -n "$version" ]; then
            echo "error: MITROO_PYTHON=$MITROO_PYTHON is Python $version; mitroo-provider runs on $wanted." >&2
        else
            echo "error: MITROO_PYTHON=$MITROO_PYTHON does not run; mitroo-provider runs on $wanted. It said:" >&2
            "$MITROO_PYTHON" -c pass 2>&1 | while IFS= read -r line; do echo "       $line"; done >&2
        fi
        return 1
    fi
    for candidate in $(printf 'python%s ' $SUPPORTED_PYTHONS) python3; do
        version="$(python_version "$candidate")" || continue
        if is_supported "$version"; then
            echo "$candidate"
            return 0
        fi
        found="$found $candidate ($version)"
    done
    echo "error: no supported Python on the PATH${found:+ (found:$found)}; mitroo-provider runs on $wanted." >&2
    echo "       Install one of them, or point MITROO_PYTHON at one (MITROO_PYTHON=/path/to/python3.13)." >&2
    return 1
}
