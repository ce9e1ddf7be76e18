#!/usr/bin/env bash
# Benchmarks crmql against SQLite and DuckDB on generated CRM data.
#
#   bash Benchmarks/run.sh [--sizes 10000,100000,1000000] [--workload standard|broad|timeline] [--seed S]
#                          [--generator PATH] [--baseline REV] [bench.py options]
#
# Prepares what the benchmark needs, then runs Benchmarks/bench.py:
# - a virtual environment in Benchmarks/.venv with duckdb, matplotlib and
#   numpy, made when missing;
# - the system packages the build needs (.ci/setup) and release builds of
#   crmql and crmql-bench in .build-bench;
# - the data in Benchmarks/data/N/ for each size N, generated once by
#   `crmql generate --customers N --seed S` (the demo's seed unless --seed
#   says otherwise) and kept out of git; --generator PATH uses an outside
#   generator instead (a script taking OUT_DIR --customers N, such as
#   gen-crm-data.py), as a cross-check on data crmql did not make;
# - with --baseline REV, a release build of crmql-bench at git revision REV
#   (in .build-baseline), timed in the same run so a change's before and
#   after are measured side by side.
# Results go to Benchmarks/results/ (results.md, results.json, chart.png),
# those of --workload broad (or timeline: retention, cohorts, transitions) to
# Benchmarks/results/broad/ (timeline/). Options bench.py
# knows (--workload, --cold-runs, --skip-cold, --min-runs, --max-runs, --budget-ms,
# --startup-runs, --no-startup, --results-dir) are passed on.
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$bench_dir/.." && pwd)"
sizes="10000,100000,1000000"
generator=""
seed=""
baseline=""
passed=()

usage() {
    sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
    case "$1" in
        --sizes) [ $# -ge 2 ] || { usage >&2; exit 2; }; sizes="$2"; shift 2 ;;
        --sizes=*) sizes="${1#--sizes=}"; shift ;;
        --generator) [ $# -ge 2 ] || { usage >&2; exit 2; }; generator="$2"; shift 2 ;;
        --generator=*) generator="${1#--generator=}"; shift ;;
        --seed) [ $# -ge 2 ] || { usage >&2; exit 2; }; seed="$2"; shift 2 ;;
        --seed=*) seed="${1#--seed=}"; shift ;;
        --baseline) [ $# -ge 2 ] || { usage >&2; exit 2; }; baseline="$2"; shift 2 ;;
        --baseline=*) baseline="${1#--baseline=}"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) passed+=("$1"); shift ;;
    esac
done

if ! [[ "$sizes" =~ ^[0-9]+(,[0-9]+)*$ ]]; then
    echo "run.sh: --sizes takes customer counts separated by commas, e.g. 10000,100000" >&2
    exit 2
fi

# 1. Python environment.
venv="$bench_dir/.venv"
python="$venv/bin/python"
if ! [ -x "$python" ] || ! "$python" -c 'import duckdb, matplotlib, numpy' 2>/dev/null; then
    echo "== preparing $venv (duckdb, matplotlib, numpy)"
    if ! [ -x "$python" ]; then
        python3 -m venv "$venv" || {
            echo "run.sh: 'python3 -m venv' failed; on Debian: apt-get install python3-venv" >&2
            exit 1
        }
    fi
    "$python" -m pip install --quiet --upgrade pip
    "$python" -m pip install --quiet duckdb matplotlib numpy
fi

# 2. Release builds, after the system packages the build needs (libedit's
# headers), which a fresh machine lacks; .ci/setup installs them once.
echo "== building crmql and crmql-bench (release)"
cd "$root"
bash "$root/.ci/setup"
swift build -c release --scratch-path "$root/.build-bench" --product crmql
swift build -c release --scratch-path "$root/.build-bench" --product crmql-bench
bin_dir="$(swift build -c release --scratch-path "$root/.build-bench" --show-bin-path)"
if [ -n "$baseline" ]; then
    echo "== building crmql-bench at $baseline (release, the baseline)"
    source_dir="$root/.build-baseline/source"
    rm -rf "$source_dir"
    mkdir -p "$source_dir"
    git -C "$root" archive "$baseline" | tar -x -C "$source_dir"
    swift build -c release --package-path "$source_dir" --scratch-path "$root/.build-baseline/build" --product crmql-bench
    passed+=(--baseline-bin-dir "$(swift build -c release --package-path "$source_dir" --scratch-path "$root/.build-baseline/build" --show-bin-path)")
fi

# 3. Data, generated once per size. A marker names what made the files, so
# data from another generator or seed is made again rather than reused.
if [ -n "$seed" ] && ! [[ "$seed" =~ ^[0-9]+$ ]]; then
    echo "run.sh: --seed takes a non-negative integer" >&2
    exit 2
fi
if [ -n "$generator" ]; then
    if ! [ -f "$generator" ]; then
        echo "run.sh: the data generator is missing: $generator" >&2
        exit 1
    fi
    source_mark="generator $(basename "$generator")${seed:+ --seed $seed}"
else
    source_mark="crmql generate${seed:+ --seed $seed}"
fi
IFS=',' read -r -a size_list <<< "$sizes"
for n in "${size_list[@]}"; do
    target="$bench_dir/data/$n"
    if [ -f "$target/interactions.csv" ] && [ -f "$target/orders.csv" ] && [ -f "$target/customers.csv" ] \
        && [ "$(cat "$target/SOURCE" 2>/dev/null)" = "$source_mark" ]; then
        continue
    fi
    echo "== generating $n customers into $target ($source_mark)"
    rm -rf "$target.partial"
    if [ -n "$generator" ]; then
        "$python" "$generator" "$target.partial" --customers "$n" ${seed:+--seed "$seed"}
    else
        "$bin_dir/crmql" generate --customers "$n" ${seed:+--seed "$seed"} "$target.partial"
    fi
    echo "$source_mark" > "$target.partial/SOURCE"
    # Renamed only once complete, so an interrupted run never leaves a
    # truncated data set that a later run would take for finished.
    rm -rf "$target"
    mv "$target.partial" "$target"
done

# 4. The benchmark.
exec "$python" "$bench_dir/bench.py" --sizes "$sizes" --data-dir "$bench_dir/data" --bin-dir "$bin_dir" ${passed[@]+"${passed[@]}"}
