"""The same CRMQL workload in memory and, compiled by `explain sql`, on
PostgreSQL 15 and on Spark (local mode, two cores): load time and each
query's time, best of three runs, every answer checked against crmql's.

    bash .ci/postgres start && eval "$(bash .ci/postgres env)"
    CRMQL_LIBRARY=.build/release/libcrmql_c.so \\
      bash .ci/python Benchmarks/sql_engines.py .build/release/crmql --customers 1000000

Writes Benchmarks/results/sql_engines.md. Not part of the test suite.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "Tests", "SQL"))
import sql_differential as harness  # noqa: E402  (the loaders and comparison of the differential test)

WORKLOAD = [
    ("card_filter", "select count customers where loyalty > 0.8 and stage = mature"),
    ("group2", "select customers group by region, stage show region, stage, count(), avg(loyalty)"),
    ("topk", "select customers order by points desc limit 10 show id, name, points"),
    ("recent_orders", "select orders where placed in last 90 days group by category show category, count(), sum(amount)"),
    ("relation_sum", "select customers where sum(orders.amount) > 5000 show id, name, sum(orders.amount) as spend order by spend desc limit 20"),
    ("anti_join", "select count customers where stage = mature and not exists(interactions where kind = complaint and outcome = open)"),
    ("parent_nav", "select orders where customer.region = north and amount > 500 group by channel show channel, count()"),
    ("rfm_segments", "select customers group by rfm_segment show rfm_segment, count(), avg(revenue)"),
    ("value_class", "select customers group by value_class show value_class, count(), sum(value)"),
    ("top_by_owner", "select customers where rank(value, by: owner) <= 1 order by owner show owner, id, value"),
]


def crmql_times(crmql, data, runs):
    """Load and every query `runs` times in one session, timed by --timer."""
    script = "\n".join(q + ";" for _ in range(runs) for _, q in WORKLOAD)
    script += "\n" + "\n".join(f"explain sql {{dialect}} {q};" for _, q in WORKLOAD)
    out = {}
    for dialect in ("postgresql", "spark"):
        with tempfile.NamedTemporaryFile("w", suffix=".crmql", delete=False) as f:
            f.write(script.replace("{dialect}", dialect))
        started = time.perf_counter()
        done = subprocess.run([crmql, "--data", data, "--today", harness.TODAY, "--format", "json", "--timer", f.name],
                              capture_output=True, text=True)
        os.unlink(f.name)
        if done.returncode != 0:
            sys.exit(done.stderr)
        times = [float(t) for t in re.findall(r"Time: ([0-9.]+) ms", done.stderr)]
        results = harness.results_of(done.stdout)
        n = len(WORKLOAD)
        queries = times[-(n * runs + n):-n] if len(times) >= n * runs + n else times
        out[dialect] = {
            "elapsed": time.perf_counter() - started,
            "query_ms": [min(queries[i + r * n] for r in range(runs)) for i in range(n)],
            "answers": results[:n],
            "sql": [r[0]["sql"] for r in results[n * runs:]],
        }
    return out


def engine_times(engine, statements, runs):
    best, answers = [], []
    for sql in statements:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            if isinstance(engine, harness.PostgreSQL):
                times.append(server_ms(engine, sql))
            else:
                engine.run(sql)
                times.append((time.perf_counter() - started) * 1000)
        best.append(min(times))
        answers.append(engine.run(sql))
    return best, answers


def server_ms(engine, sql):
    """The query's time as psql's `\\timing` reports it: on the server and
    its answer's transfer, without starting a client."""
    out = engine.psql(f"\\timing on\n\\o /dev/null\n{sql};\n")
    return float(re.findall(r"Time: ([0-9.]+) ms", out)[-1])


def agrees(expected, got):
    names, rows = got
    return len(rows) == len(expected) and all(
        all(harness.same(row[k], want[n]) for k, n in enumerate(names)) for row, want in zip(rows, expected))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("crmql")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--engines", default="postgresql,spark")
    args = parser.parse_args()
    data = os.path.join(ROOT, "Benchmarks", "data", f"sql-{args.customers}")
    if not os.path.exists(os.path.join(data, "customers.csv")):
        subprocess.run([args.crmql, "generate", "--customers", str(args.customers), data], check=True)
    memory = crmql_times(args.crmql, data, args.runs)
    schemas = {e: harness.schema(args.crmql, data, e) for e in ("customers", "orders", "interactions")}
    columns = [("crmql (memory)", memory["postgresql"]["query_ms"], [True] * len(WORKLOAD))]
    loads = []
    for name in args.engines.split(","):
        started = time.perf_counter()
        engine = {"postgresql": harness.PostgreSQL, "spark": harness.SparkTables}[name](data, schemas)
        loads.append(f"{name}: {time.perf_counter() - started:.1f} s")
        best, answers = engine_times(engine, memory[name]["sql"], args.runs)
        columns.append((name, best, [agrees(e, a) for e, a in zip(memory["postgresql"]["answers"], answers)]))
    lines = [f"# crmql in memory, on PostgreSQL 15 and on Spark: {args.customers:,} customers", "",
             f"Best of {args.runs} runs, milliseconds; loads: " + "; ".join(loads) +
             f"; crmql's whole session (load and {args.runs} rounds): {memory['postgresql']['elapsed']:.1f} s.", "",
             "| query | " + " | ".join(c[0] for c in columns) + " |", "|---|" + "---:|" * len(columns)]
    for i, (label, _) in enumerate(WORKLOAD):
        cells = [f"{c[1][i]:.1f}" + ("" if c[2][i] else " (differs!)") for c in columns]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    os.makedirs(os.path.join(ROOT, "Benchmarks", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "Benchmarks", "results", "sql_engines.md"), "w") as out:
        out.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
