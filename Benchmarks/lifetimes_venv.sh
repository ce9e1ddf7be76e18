#!/usr/bin/env bash
# Makes the virtual environment of the `lifetimes` reference fit
# (.build/lifetimes-venv) when missing and runs python3 in it.
#
#     bash Benchmarks/lifetimes_venv.sh SCRIPT ARGS...
#
# `lifetimes` 0.11.3 (2020, the last release) uses NumPy and pandas APIs that
# their 2.x releases removed, so it gets an environment of its own with
# numpy<2 and pandas<2 rather than the checks' environment (.ci/python).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="$ROOT/.build/lifetimes-venv"
REQS="lifetimes==0.11.3 numpy<2 pandas<2 scipy<1.14"
STAMP="$VENV/.requirements"
if [ ! -x "$VENV/bin/python3" ]; then
    echo "making the lifetimes environment in .build/lifetimes-venv…" >&2
    mkdir -p "$ROOT/.build"
    python3 -m venv "$VENV"
fi
if [ "$(cat "$STAMP" 2>/dev/null)" != "$REQS" ]; then
    echo "installing $REQS…" >&2
    # shellcheck disable=SC2086
    "$VENV/bin/python3" -m pip install --quiet --disable-pip-version-check $REQS
    echo "$REQS" > "$STAMP"
fi
exec "$VENV/bin/python3" "$@"
