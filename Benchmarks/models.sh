#!/usr/bin/env bash
# Times the lifetime value model on generated data: the prelude's
# `purchases` fit (BG/NBD and Gamma-Gamma) and the queries after it.
#
#   bash Benchmarks/models.sh [CUSTOMERS]      (default 1000000)
#
# Builds crmql in release (.build-release), generates the data once into
# Benchmarks/data/N/ with `crmql generate --customers N` (kept out of git),
# then runs, with --timer, in one session:
#   1. model m = bgnbd(orders, unit: week, spend: amount)   the fit itself
#   2. select count customers where p_alive < 0.3            the first use of the prelude's model: its fit
#   3. select customers order by clv desc nulls last limit 10   clv computed for every customer
#   4. the same query again                                    the measure cached
# Each statement's time is printed on standard error as `Time: <ms> ms`.
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$bench_dir/.." && pwd)"
customers="${1:-1000000}"
data="$bench_dir/data/$customers"

(cd "$root" && swift build -c release --product crmql --scratch-path .build-release >&2)
crmql="$root/.build-release/release/crmql"
if [ ! -f "$data/orders.csv" ]; then
    "$crmql" generate --customers "$customers" "$data" >&2
fi

"$crmql" --data "$data" --today 2026-06-30 --timer --format table -c "
model m = bgnbd(orders, unit: week, spend: amount)
describe model m
select count customers where p_alive < 0.3
select customers order by clv desc nulls last limit 10 show id, p_alive, expected_orders_90d, clv
select customers order by clv desc nulls last limit 10 show id, p_alive, expected_orders_90d, clv
"
