#!/usr/bin/env bash
# What a database file costs: single-row commit times (with fsync), a
# whole-table update in a file against memory, and the time to open a
# checkpointed database. Builds a release crmql in .build-bench, then runs
# Benchmarks/durability.py, which prints a Markdown table.
#
#   bash Benchmarks/durability.sh                      # 1M customers, 10M orders
#   bash Benchmarks/durability.sh --customers 100000   # smaller
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
swift build -c release --product crmql --package-path "$root" --scratch-path "$root/.build-bench" >&2
binary="$(swift build -c release --package-path "$root" --scratch-path "$root/.build-bench" --show-bin-path)/crmql"
python3 "$root/Benchmarks/durability.py" --binary "$binary" "$@"
