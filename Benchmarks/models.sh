#!/usr/bin/env bash
# Times crmql's model fits at a large size beside the reference libraries:
# the prelude's `purchases` model (BG/NBD + Gamma-Gamma) and the CLV query
# after it beside `lifetimes`, `clusters` and a depth-4 `classifier` tree
# beside scikit-learn, and `sequences` over every order line.
#
#   bash Benchmarks/models.sh [--customers N] [--data DIR] [--runs R] [--no-reference]
#
# Builds crmql in release (.build-rel), generates the data once into
# Benchmarks/data/N/ with `crmql generate --customers N` (kept out of git;
# default 1000000) unless --data names a folder with customers.csv,
# orders.csv and interactions.csv, then runs Benchmarks/models.py, which
# prints the table (median of R runs, default 3, wall and processor time).
# The reference fits run in their own environments: `lifetimes` in
# .build/lifetimes-venv (Benchmarks/lifetimes_venv.sh, numpy<2 and pandas<2),
# scikit-learn in the checks' environment (.ci/python).
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$bench_dir/.." && pwd)"
customers=1000000
data=""
passed=()
while [ $# -gt 0 ]; do
    case "$1" in
        --customers) customers="$2"; shift 2 ;;
        --data) data="$2"; shift 2 ;;
        --runs) passed+=(--runs "$2"); shift 2 ;;
        --no-reference) passed+=(--no-reference); shift ;;
        -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "models.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

(cd "$root" && swift build -c release --product crmql --scratch-path .build-rel >&2)
crmql="$root/.build-rel/release/crmql"
if [ -z "$data" ]; then
    data="$bench_dir/data/$customers"
    if [ ! -f "$data/orders.csv" ]; then
        "$crmql" generate --customers "$customers" "$data" >&2
    fi
fi

exec python3 "$bench_dir/models.py" --crmql "$crmql" --data "$data" "${passed[@]}"
