#!/usr/bin/env python3
"""Times the CRMQL workload in crmql, SQLite and DuckDB on the same CSV files.

    bench.py --sizes 10000,100000 --data-dir Benchmarks/data --bin-dir .build-bench/release

Each engine runs in its own process (so its peak memory is its own): crmql
through `crmql-bench` (the public `Database` API, in process), SQLite through
Python's sqlite3 module and DuckDB through its Python package, both in memory.
Every engine loads the three CSV files (timed, indexes included), then runs
each query once to warm up and at least --min-runs more times; the median is
reported. Answers are compared across engines; a mismatch is printed loudly
and makes the exit status 1.

With --workload broad it runs the broad workload of broad.py instead (more
than fifty queries and statements, prelude measures cold and warm) against
three peers: SQLite, DuckDB on one thread and DuckDB on all its threads.

Writes results.md, results.json and chart.png to --results-dir.
Run through Benchmarks/run.sh, which prepares the data, the build and the
virtual environment.
"""
import argparse
import csv
import datetime as dt
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

TODAY = dt.date(2026, 6, 30)
# `placed in last 90 days` is today-89 .. today, both ends included.
RECENT_FROM = TODAY - dt.timedelta(days=89)
ENGINES = ["crmql", "sqlite", "duckdb"]
PEERS = ["sqlite", "duckdb"]
LABELS = {"crmql": "crmql", "sqlite": "SQLite", "duckdb": "DuckDB", "duckdb_mt": "DuckDB (all threads)",
          "baseline": "crmql (baseline build)"}
# Which workload runs: "standard" (the ten queries below) or "broad" (broad.py).
WORKLOAD_NAME = "standard"


def point_id(customers):
    """An id that exists at every size (ids run 1..N)."""
    return max(1, customers * 37 // 100)


# name, CRMQL text, SQL (with {sqlite|duckdb} dialect pieces), whether the
# query fixes the row order (otherwise rows are compared as a multiset).
# The SQL says exactly what the CRMQL says: `contains` ignores case (ASCII
# case folding suffices for "acme"; SQLite's LIKE folds ASCII, DuckDB has
# ILIKE), `order by` ties fall back to insertion order (id), three-valued
# logic and aggregates that skip nulls are the same in all three.
WORKLOAD = [
    ("card_filter",
     "select count customers where loyalty > 0.8 and stage = mature",
     "SELECT count(*) FROM customers WHERE loyalty > 0.8 AND stage = 'mature'",
     False),
    ("point_lookup",
     "select customers where id = {pid} show id, name, stage",
     "SELECT id, name, stage FROM customers WHERE id = {pid}",
     False),
    ("range",
     "select count customers where points between 1000 and 1100",
     "SELECT count(*) FROM customers WHERE points BETWEEN 1000 AND 1100",
     False),
    ("group2",
     "select customers group by region, stage show region, stage, count(), avg(loyalty)",
     "SELECT region, stage, count(*), avg(loyalty) FROM customers GROUP BY region, stage",
     False),
    ("topk",
     "select customers order by points desc limit 10 show id, name, points",
     "SELECT id, name, points FROM customers ORDER BY points DESC, id LIMIT 10",
     True),
    ("text",
     'select count customers where name contains "acme"',
     "SELECT count(*) FROM customers WHERE {text_match}",
     False),
    ("recent_orders",
     "select orders where placed in last 90 days group by category show category, count(), sum(amount)",
     "SELECT category, count(*), sum(amount) FROM orders WHERE placed BETWEEN {recent_from} AND {today} GROUP BY category",
     False),
    ("relation_sum",
     "select customers where sum(orders.amount) > 5000 show id, name, sum(orders.amount) as spend order by spend desc limit 20",
     "SELECT c.id, c.name, s.spend FROM customers c JOIN "
     "(SELECT customer, sum(amount) AS spend FROM orders GROUP BY customer HAVING sum(amount) > 5000) s "
     "ON s.customer = c.id ORDER BY s.spend DESC, c.id LIMIT 20",
     True),
    ("anti_join",
     "select count customers where stage = mature and not exists(interactions where kind = complaint and outcome = open)",
     "SELECT count(*) FROM customers c WHERE c.stage = 'mature' AND NOT EXISTS "
     "(SELECT 1 FROM interactions i WHERE i.customer = c.id AND i.kind = 'complaint' AND i.outcome = 'open')",
     False),
    ("parent_nav",
     "select orders where customer.region = north and amount > 500 group by channel show channel, count()",
     "SELECT o.channel, count(*) FROM orders o JOIN customers c ON c.id = o.customer "
     "WHERE c.region = 'north' AND o.amount > 500 GROUP BY o.channel",
     False),
]
QUERY_NAMES = [w[0] for w in WORKLOAD]

DIALECT = {
    "sqlite": {"text_match": "name LIKE '%acme%'",
               "recent_from": "'%s'" % RECENT_FROM.isoformat(), "today": "'%s'" % TODAY.isoformat()},
    "duckdb": {"text_match": "name ILIKE '%acme%'",
               "recent_from": "DATE '%s'" % RECENT_FROM.isoformat(), "today": "DATE '%s'" % TODAY.isoformat()},
}

# Indexes a careful user creates for this workload. crmql indexes keys,
# refs and enum fields by itself, so it needs only the rest.
CRMQL_SETUP = [
    "create index on customers(points)",
    "create index on customers(loyalty)",
    "create index on orders(placed)",
]

SCHEMA = {
    "customers": [("id", "BIGINT"), ("name", "VARCHAR"), ("email", "VARCHAR"), ("region", "VARCHAR"),
                  ("industry", "VARCHAR"), ("kind", "VARCHAR"), ("stage", "VARCHAR"), ("tier", "VARCHAR"),
                  ("loyalty", "DOUBLE"), ("expected", "DOUBLE"), ("perceived", "DOUBLE"), ("signup", "DATE"),
                  ("owner", "VARCHAR"), ("points", "BIGINT"), ("service_cost", "DOUBLE")],
    "orders": [("id", "BIGINT"), ("customer", "BIGINT"), ("placed", "DATE"), ("basket", "BIGINT"),
               ("product", "VARCHAR"), ("category", "VARCHAR"), ("quantity", "BIGINT"), ("amount", "DOUBLE"),
               ("cost", "DOUBLE"), ("channel", "VARCHAR")],
    "interactions": [("id", "BIGINT"), ("customer", "BIGINT"), ("at", "DATE"), ("kind", "VARCHAR"),
                     ("outcome", "VARCHAR"), ("score", "BIGINT"), ("agent", "VARCHAR")],
}
SQLITE_TYPE = {"BIGINT": "INTEGER", "DOUBLE": "REAL", "VARCHAR": "TEXT", "DATE": "TEXT"}
SQLITE_INDEXES = [
    "CREATE INDEX customers_stage ON customers(stage)",
    "CREATE INDEX customers_loyalty ON customers(loyalty)",
    "CREATE INDEX customers_points ON customers(points)",
    "CREATE INDEX orders_customer ON orders(customer)",
    "CREATE INDEX orders_placed ON orders(placed)",
    "CREATE INDEX interactions_customer ON interactions(customer, kind, outcome)",
]
TABLES = ["customers", "orders", "interactions"]

# The tables each query reads, for its growth curve: "linear" means linear
# in the rows a query has to read. An outside generator need not keep the
# tables in proportion (gen-crm-data.py writes about 7.0 order lines per
# customer at 10,000 customers and 9.8 at 1,000,000), and counting customers
# alone would then call a query over orders super-linear when it is not.
READS = {
    "card_filter": ["customers"],
    "point_lookup": ["customers"],
    "range": ["customers"],
    "group2": ["customers"],
    "topk": ["customers"],
    "text": ["customers"],
    "recent_orders": ["orders"],
    "relation_sum": ["customers", "orders"],
    "anti_join": ["customers", "interactions"],
    "parent_nav": ["orders", "customers"],
}


# The workload as entries (dicts): name, crmql, sql, ordered, kind ("query",
# "cold" or "statement"), action (for statements) and reads. The standard
# workload's ten queries are all of kind "query".
ENTRIES = [{"name": n, "crmql": c, "sql": q, "ordered": o, "kind": "query", "reads": READS[n]}
           for n, c, q, o in WORKLOAD]


def use_broad_workload(peers=None, name="broad", skip_cold=False):
    """Switches every table and report to the broad workload and its peers
    (by default SQLite, DuckDB on one thread and on all threads); with name
    "timeline", to its customers-over-time entries alone."""
    global WORKLOAD_NAME, ENTRIES, QUERY_NAMES, READS, PEERS, ENGINES
    import broad
    WORKLOAD_NAME = name
    ENTRIES = broad.workload() if name == "broad" else broad.timeline_workload()
    if skip_cold:
        # Each cold entry loads the data again: at ten million customers,
        # fifteen loads of 9 GB would take longer than the rest of the run.
        ENTRIES = [e for e in ENTRIES if e["kind"] != "cold"]
    QUERY_NAMES = [e["name"] for e in ENTRIES]
    READS = {e["name"]: e["reads"] for e in ENTRIES}
    PEERS = ["sqlite", "duckdb", "duckdb_mt"]
    if peers:
        chosen = [p.strip() for p in peers.split(",") if p.strip()]
        unknown = [p for p in chosen if p not in PEERS]
        if unknown or not chosen:
            sys.exit("bench.py: --peers takes some of %s, not %s" % (",".join(PEERS), peers))
        PEERS = [p for p in PEERS if p in chosen]
    ENGINES = ["crmql"] + PEERS


def sql_for(engine, template, customers):
    if WORKLOAD_NAME != "standard":
        import broad
        return broad.sqlite_sql(template) if engine == "sqlite" else broad.duckdb_sql(template)
    return template.format(pid=point_id(customers), **DIALECT[engine])


def crmql_for(template, customers, out_dir=""):
    if WORKLOAD_NAME != "standard":
        return template.replace("{out}", out_dir)
    return template.format(pid=point_id(customers))


# ---------------------------------------------------------------- workers

def memory_kb(field):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def emit(obj):
    print(json.dumps(obj), flush=True)


def plain(value):
    """Result cells as JSON-friendly values, the way crmql-bench writes them."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    try:
        return float(value)  # Decimal
    except (TypeError, ValueError):
        return str(value)


def time_queries(run, engine, customers, args, actions=None):
    """Warm-up run (reported as cold_ms), then at least min_runs timed runs,
    more while the budget lasts; the same policy as crmql-bench. A
    statement's run is its action (update, export, save, open) from `actions`."""
    for entry in ENTRIES:
        name = entry["name"]
        if entry["kind"] == "cold":
            continue  # the same SQL as the warm entry: run_size copies its times
        sql = sql_for(engine, entry["sql"], customers) if entry["sql"] else None
        if entry.get("action"):
            action = actions[entry["action"]]
            run_one = lambda sql=sql, action=action: action(sql)  # noqa: E731
        else:
            run_one = lambda sql=sql: run(sql)  # noqa: E731
        try:
            start = time.perf_counter()
            columns, rows = run_one()
            cold = (time.perf_counter() - start) * 1000
            samples = []
            spent = 0.0
            # A query whose first run took longer than --slow-ms runs once
            # more only: five runs of a minute each would tell no more.
            least = args.min_runs if cold < args.slow_ms else 1
            while len(samples) < least or (len(samples) < args.max_runs and spent < args.budget_ms):
                start = time.perf_counter()
                run_one()
                elapsed = (time.perf_counter() - start) * 1000
                samples.append(elapsed)
                spent += elapsed
            emit({"event": "query", "name": name, "median_ms": statistics.median(samples),
                  "min_ms": min(samples), "cold_ms": cold, "runs": len(samples), "columns": columns,
                  "rows": [[plain(v) for v in row] for row in rows]})
        except Exception as error:  # noqa: BLE001 - reported, the run goes on
            emit({"event": "error", "name": name, "message": repr(error)})


def sqlite_worker(data_dir, customers, args):
    import sqlite3
    rss_before = memory_kb("VmRSS")
    steps = []
    start = time.perf_counter()
    con = sqlite3.connect(":memory:")
    for table in TABLES:
        columns = ", ".join("%s %s%s" % (name, SQLITE_TYPE[kind], " PRIMARY KEY" if name == "id" else "")
                            for name, kind in SCHEMA[table])
        con.execute("CREATE TABLE %s (%s)" % (table, columns))
    for table in TABLES:
        step = time.perf_counter()
        with open(os.path.join(data_dir, table + ".csv"), newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = next(reader)
            insert = "INSERT INTO %s (%s) VALUES (%s)" % (table, ", ".join(header), ", ".join("?" * len(header)))
            # Column affinity turns numeric text into INTEGER/REAL; an empty
            # cell is null, as in the other engines.
            con.executemany(insert, ([cell or None for cell in row] for row in reader))
        con.commit()
        steps.append({"name": "load " + table, "ms": (time.perf_counter() - step) * 1000})
    step = time.perf_counter()
    for statement in SQLITE_INDEXES:
        con.execute(statement)
    con.execute("ANALYZE")
    steps.append({"name": "indexes + ANALYZE", "ms": (time.perf_counter() - step) * 1000})
    load_ms = (time.perf_counter() - start) * 1000
    emit({"event": "load", "ms": load_ms, "steps": steps, "rss_before_kb": rss_before,
          "rss_after_load_kb": memory_kb("VmRSS"), "hwm_after_load_kb": memory_kb("VmHWM"),
          "version": sqlite3.sqlite_version})

    # `matches` as SQLite users get it: the module's regexp function.
    con.create_function("regexp", 2, lambda pattern, text: text is not None and re.search(pattern, text) is not None,
                        deterministic=True)

    def run(sql):
        cursor = con.execute(sql)
        rows = cursor.fetchall()
        return [d[0] for d in cursor.description], rows

    out = args.out_dir or "."

    def update(sql):
        cursor = con.execute(sql)
        con.commit()
        return ["changed"], [[cursor.rowcount]]

    def export(sql):
        cursor = con.execute(sql)
        with open(os.path.join(out, "customers_export.csv"), "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow([d[0] for d in cursor.description])
            writer.writerows(cursor)
        return ["file"], []

    def save(_):
        path = os.path.join(out, "store.sqlite")
        if os.path.exists(path):
            os.remove(path)
        target = sqlite3.connect(path)
        con.backup(target)
        target.close()
        return ["file"], []

    def open_(_):
        source = sqlite3.connect(os.path.join(out, "store.sqlite"))
        source.backup(con)
        source.close()
        return run("SELECT count(*) FROM customers")

    time_queries(run, "sqlite", customers, args, {"update": update, "export": export, "save": save, "open": open_})
    emit({"event": "done", "hwm_kb": memory_kb("VmHWM")})


def duckdb_worker(data_dir, customers, args, all_threads=False):
    import duckdb
    rss_before = memory_kb("VmRSS")
    steps = []
    start = time.perf_counter()
    con = duckdb.connect(":memory:")
    if not all_threads:
        con.execute("SET threads = 1")
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    for table in TABLES:
        step = time.perf_counter()
        path = os.path.join(data_dir, table + ".csv").replace("'", "''")
        columns = ", ".join("'%s': '%s'" % (name, kind) for name, kind in SCHEMA[table])
        con.execute("CREATE TABLE %s AS SELECT * FROM read_csv('%s', header = true, columns = {%s})"
                    % (table, path, columns))
        steps.append({"name": "load " + table, "ms": (time.perf_counter() - step) * 1000})
    load_ms = (time.perf_counter() - start) * 1000
    emit({"event": "load", "ms": load_ms, "steps": steps, "rss_before_kb": rss_before,
          "rss_after_load_kb": memory_kb("VmRSS"), "hwm_after_load_kb": memory_kb("VmHWM"),
          "version": duckdb.__version__, "threads": threads})

    def run(sql):
        cursor = con.execute(sql)
        rows = cursor.fetchall()
        return [d[0] for d in cursor.description], rows

    out = (args.out_dir or ".").replace("'", "''")

    def export(sql):
        con.execute("COPY (%s) TO '%s/customers_export.csv' (HEADER, DELIMITER ',')" % (sql, out))
        return ["file"], []

    def save(_):
        path = os.path.join(args.out_dir or ".", "store.duckdb")
        for leftover in (path, path + ".wal"):
            if os.path.exists(leftover):
                os.remove(leftover)
        con.execute("ATTACH '%s/store.duckdb' AS snapshot" % out)
        con.execute("COPY FROM DATABASE memory TO snapshot")
        con.execute("DETACH snapshot")
        return ["file"], []

    def open_(_):
        con.execute("ATTACH '%s/store.duckdb' AS snapshot (READ_ONLY)" % out)
        for table in TABLES:
            con.execute("CREATE OR REPLACE TABLE memory.main.%s AS SELECT * FROM snapshot.main.%s" % (table, table))
        con.execute("DETACH snapshot")
        return run("SELECT count(*) FROM customers")

    time_queries(run, "duckdb", customers, args, {"update": run, "export": export, "save": save, "open": open_})
    emit({"event": "done", "hwm_kb": memory_kb("VmHWM")})


# ---------------------------------------------------------------- driver

def read_events(command, stdin_text, label):
    """Runs one engine's process and gathers its JSON lines."""
    # Another busy process on a two-core machine skews every number.
    load_average = os.getloadavg()[0]
    print("  %-7s running (load average %.2f) ..." % (LABELS[label], load_average), end="", flush=True)
    started = time.perf_counter()
    proc = subprocess.run(command, input=stdin_text, capture_output=True, text=True)
    result = {"load": None, "queries": {}, "errors": {}, "done": None, "load_average": load_average}
    for line in proc.stdout.splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        kind = event.get("event")
        if kind == "load":
            result["load"] = event
        elif kind == "query":
            result["queries"][event["name"]] = event
        elif kind == "error":
            result["errors"][event.get("name", "?")] = event.get("message", "")
        elif kind == "done":
            result["done"] = event
    print(" %.1f s" % (time.perf_counter() - started), flush=True)
    if proc.returncode != 0:
        result["errors"]["process"] = "exit status %d: %s" % (proc.returncode, proc.stderr.strip()[-2000:])
    for name, message in result["errors"].items():
        print("  !! %s %s: %s" % (LABELS[label], name, message))
    return result


def data_lines(path):
    """Lines after the header; the generator quotes no line breaks."""
    count = 0
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            count += block.count(b"\n")
    return max(0, count - 1)


def input_size(size, name):
    """What a query's time should grow with: the rows of the tables it reads
    (the CSV bytes for the load). Results from before rows were recorded
    fall back to the customer count."""
    if name == "load":
        return size["csv_bytes"]
    if "rows" not in size:
        return size["customers"]
    return sum(size["rows"][t] for t in READS[name])


def growth_exponent(sizes, engine, name):
    """log(time growth) / log(input growth) from the first size to the last."""
    a, b = median_ms(sizes[0], engine, name), median_ms(sizes[-1], engine, name)
    growth = input_size(sizes[-1], name) / input_size(sizes[0], name)
    if not a or not b or growth <= 1:
        return None, growth
    return math.log(b / a) / math.log(growth), growth


def run_size(customers, args):
    data_dir = os.path.join(args.data_dir, str(customers))
    csv_bytes = sum(os.path.getsize(os.path.join(data_dir, t + ".csv")) for t in TABLES)
    rows = {t: data_lines(os.path.join(data_dir, t + ".csv")) for t in TABLES}
    print("\n%d customers (%s, %.1f MB of CSV)" % (customers, data_dir, csv_bytes / 1e6), flush=True)
    timing = ["--min-runs", str(args.min_runs), "--max-runs", str(args.max_runs), "--budget-ms", str(args.budget_ms)]
    # What the statements of the broad workload write goes to a folder of
    # each engine's own, emptied first.
    scratch = os.path.join(args.results_dir, "scratch", str(customers))
    out_dirs = {}
    for engine in ENGINES + (["baseline"] if args.baseline_bin_dir else []):
        out_dirs[engine] = os.path.abspath(os.path.join(scratch, engine))
        shutil.rmtree(out_dirs[engine], ignore_errors=True)
        os.makedirs(out_dirs[engine])

    def workload_lines(engine):
        lines = ["setup\t%s\t%s" % (s.replace("create index on ", "index "), s) for s in CRMQL_SETUP]
        lines += ["%s\t%s\t%s" % (e["kind"], e["name"], crmql_for(e["crmql"], customers, out_dirs[engine]))
                  for e in ENTRIES]
        return "\n".join(lines) + "\n"

    # Options older crmql-bench builds (a --baseline) do not know, so only
    # for the broad workload, which needs this build's crmql-bench anyway.
    cold_runs = ["--cold-runs", str(args.cold_runs), "--slow-ms", str(args.slow_ms)] if WORKLOAD_NAME != "standard" else []
    engines = {}
    engines["crmql"] = read_events([os.path.join(args.bin_dir, "crmql-bench"), data_dir,
                                    "--today", TODAY.isoformat()] + timing + cold_runs,
                                   workload_lines("crmql"), "crmql")
    settle_answers(engines["crmql"], out_dirs["crmql"], crmql=True)
    if args.baseline_bin_dir:
        # Another build of crmql in the same run, for a change's before and after.
        engines["baseline"] = read_events([os.path.join(args.baseline_bin_dir, "crmql-bench"), data_dir,
                                           "--today", TODAY.isoformat()] + timing + cold_runs,
                                          workload_lines("baseline"), "baseline")
        settle_answers(engines["baseline"], out_dirs["baseline"], crmql=True)
    for peer in PEERS:
        engines[peer] = read_events([sys.executable, os.path.abspath(__file__), "--worker", peer,
                                     "--workload", WORKLOAD_NAME, "--out-dir", out_dirs[peer],
                                     "--customers", str(customers), "--data-dir", data_dir,
                                     "--slow-ms", str(args.slow_ms)] + timing,
                                    "", peer)
        settle_answers(engines[peer], out_dirs[peer], crmql=False)
        # SQLite and DuckDB keep no results between runs: a cold entry is
        # its warm entry, timed once rather than twice.
        for entry in ENTRIES:
            warm = engines[peer]["queries"].get(entry["name"][len("cold_"):])
            if entry["kind"] == "cold" and warm is not None:
                engines[peer]["queries"][entry["name"]] = dict(warm, name=entry["name"])
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        os.rmdir(os.path.dirname(scratch))  # only when no other size's folder is left
    except OSError:
        pass
    return {"customers": customers, "csv_bytes": csv_bytes, "rows": rows, "engines": engines,
            "mismatches": compare_answers(engines)}


def settle_answers(result, out_dir, crmql):
    """A statement's answer, the same for every engine: the rows an update
    changed (crmql says it in its message), the data rows of the file an
    export wrote, whether a save wrote a file."""
    for entry in ENTRIES:
        query = result["queries"].get(entry["name"])
        action = entry.get("action")
        if query is None or action not in ("update", "export", "save"):
            continue
        if action == "update" and crmql:
            numbers = re.findall(r"\d+", " ".join(str(r[0]) for r in query["rows"]))
            query["rows"] = [[int(numbers[0])]] if numbers else []
        elif action == "export":
            files = [f for f in os.listdir(out_dir) if f.endswith(".csv")]
            query["rows"] = [[data_lines(os.path.join(out_dir, files[0]))]] if len(files) == 1 else []
        elif action == "save":
            sizes = [os.path.getsize(os.path.join(out_dir, f)) for f in os.listdir(out_dir)
                     if f.startswith("store.") and not f.endswith(".wal")]
            query["rows"] = [[bool(sizes) and min(sizes) > 0]]


def same_value(a, b):
    if a is None or b is None:
        return a is None and b is None
    numeric = (int, float)
    if isinstance(a, numeric) and isinstance(b, numeric) and not isinstance(a, bool) and not isinstance(b, bool):
        return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)
    return str(a) == str(b)


def row_key(row):
    # Floats (sums, averages) differ in the last bits between engines, so
    # unordered rows are matched up by their other cells.
    return tuple("" if isinstance(v, float) else str(v) for v in row)


def same_rows(rows_a, rows_b, ordered):
    if len(rows_a) != len(rows_b):
        return False
    if not ordered:
        rows_a, rows_b = sorted(rows_a, key=row_key), sorted(rows_b, key=row_key)
    for row_a, row_b in zip(rows_a, rows_b):
        if len(row_a) != len(row_b) or not all(same_value(x, y) for x, y in zip(row_a, row_b)):
            return False
    return True


def compare_answers(engines):
    mismatches = []
    ordered = {e["name"]: e["ordered"] for e in ENTRIES}
    for name in QUERY_NAMES:
        reference = engines["crmql"]["queries"].get(name)
        for peer in PEERS:
            other = engines[peer]["queries"].get(name)
            if reference is None or other is None:
                mismatches.append((name, peer, "missing answer"))
            elif not same_rows(reference["rows"], other["rows"], ordered[name]):
                mismatches.append((name, peer, "crmql %s vs %s %s" % (
                    json.dumps(reference["rows"][:5]), LABELS[peer], json.dumps(other["rows"][:5]))))
    if "baseline" in engines:
        for name in QUERY_NAMES:
            reference = engines["crmql"]["queries"].get(name)
            other = engines["baseline"]["queries"].get(name)
            if reference is None or other is None or not same_rows(reference["rows"], other["rows"], ordered[name]):
                mismatches.append((name, "baseline", "this build and the baseline build differ"))
    for name, peer, detail in mismatches:
        print("  !! ANSWER MISMATCH %s (crmql vs %s): %s" % (name, LABELS[peer], detail))
    if not mismatches:
        print("  answers: all %d engines agree on all %d queries" % (len(ENGINES), len(QUERY_NAMES)))
    return mismatches


def median_ms(size, engine, name):
    result = size["engines"][engine]
    if name == "load":
        return result["load"]["ms"] if result["load"] else None
    query = result["queries"].get(name)
    return query["median_ms"] if query else None


def ratio(size, name):
    ours = median_ms(size, "crmql", name)
    peers = [median_ms(size, p, name) for p in PEERS]
    peers = [p for p in peers if p is not None]
    if ours is None or not peers:
        return None
    return ours / min(peers)


def geomean(values):
    values = [v for v in values if v is not None and v > 0]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def fmt_ms(value):
    if value is None:
        return "—"
    if value < 1:
        return "%.3f" % value
    if value < 100:
        return "%.2f" % value
    return "%.0f" % value


def fmt_ratio(value):
    return "—" if value is None else "%.2f" % value


def markdown_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" if i else "---" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def size_table(size):
    rows = []
    mismatched = {name for name, _, _ in size["mismatches"]}
    for name in QUERY_NAMES + ["load"]:
        cold = size["engines"]["crmql"]["queries"].get(name, {}).get("cold_ms") if name != "load" else None
        rows.append([name] + [fmt_ms(median_ms(size, e, name)) for e in ENGINES]
                    + [fmt_ratio(ratio(size, name)), fmt_ms(cold),
                       "MISMATCH" if name in mismatched else ("ok" if name != "load" else "")])
    rows.append(["**geometric mean** (queries)"] + [""] * len(ENGINES)
                + [fmt_ratio(geomean([ratio(size, n) for n in QUERY_NAMES])), "", ""])
    return markdown_table(["query"] + ["%s ms" % LABELS[e] for e in ENGINES]
                          + ["crmql / best peer", "crmql first run ms", "answer"], rows)


def memory_table(size):
    rows = []
    for engine in ENGINES:
        load = size["engines"][engine]["load"] or {}
        hwm = load.get("hwm_after_load_kb")
        base = load.get("rss_before_kb")
        after = load.get("rss_after_load_kb")
        rows.append([LABELS[engine], "%.0f" % (hwm / 1024) if hwm else "—",
                     "%.0f" % (after / 1024) if after else "—",
                     "%.0f" % (base / 1024) if base else "—",
                     "%.2f" % (hwm * 1024 / size["csv_bytes"]) if hwm else "—"])
    return markdown_table(["engine", "peak RSS after load (MiB)", "RSS after load (MiB)", "RSS before load (MiB)", "peak / CSV bytes"], rows)


def scaling_table(sizes, engine):
    rows = []
    for name in QUERY_NAMES + ["load"]:
        times = [median_ms(s, engine, name) for s in sizes]
        exponent, growth = growth_exponent(sizes, engine, name)
        time_growth = times[-1] / times[0] if times[0] and times[-1] else None
        rows.append([name] + [fmt_ms(t) for t in times] + [
            "—" if time_growth is None else "%.1f x" % time_growth,
            "%.1f x" % growth,
            "—" if exponent is None else "%.2f" % exponent])
    header = ["query"] + ["%s ms @ %s" % (LABELS[engine], "{:,}".format(s["customers"])) for s in sizes]
    return markdown_table(header + ["time grew", "input grew", "growth exponent (1 = linear)"], rows)


def startup_times(bin_dir, runs):
    """Wall time from spawn to exit of the CLI, median of `runs` after a warm-up."""
    crmql = os.path.join(bin_dir, "crmql")
    cases = [("crmql -c 'show entities' (empty store)", [crmql, "-c", "show entities"]),
             ("crmql -c 'select count customers' (empty store: fails, exit 1)", [crmql, "-c", "select count customers"]),
             ("crmql --demo -c 'select count customers'", [crmql, "--demo", "-c", "select count customers"])]
    results = []
    for label, command in cases:
        samples = []
        status = None
        for attempt in range(runs + 1):
            start = time.perf_counter()
            proc = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            elapsed = (time.perf_counter() - start) * 1000
            status = proc.returncode
            if attempt:
                samples.append(elapsed)
        results.append({"command": label, "median_ms": statistics.median(samples), "min_ms": min(samples),
                        "exit_status": status})
    return results


def machine_description():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo") as f:
            memory = "%.0f GiB" % (int(f.readline().split()[1]) / 1024 / 1024)
    except (OSError, ValueError, IndexError):
        pass
    return "%s, %d cores, %s RAM, %s %s" % (cpu, os.cpu_count() or 0, memory, platform.system(), platform.release())


def draw_chart(sizes, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is missing: no chart")
        return False
    names = QUERY_NAMES + ["load"]
    colors = {"crmql": "#d62728", "sqlite": "#1f77b4", "duckdb": "#ff7f0e", "duckdb_mt": "#2ca02c"}
    wide = max(12, 0.32 * len(names))
    fig, axes = plt.subplots(len(sizes) + 1, 1, figsize=(wide, 3.6 * (len(sizes) + 1)), squeeze=False)
    width = 0.8 / len(ENGINES)
    for axis, size in zip(axes[:-1, 0], sizes):
        for offset, engine in enumerate(ENGINES):
            xs, ys = [], []
            for i, name in enumerate(names):
                value = median_ms(size, engine, name)
                if value:
                    xs.append(i + (offset - (len(ENGINES) - 1) / 2) * width)
                    ys.append(value)
            axis.bar(xs, ys, width, label=LABELS[engine], color=colors[engine])
        axis.set_yscale("log")
        axis.set_xticks(range(len(names)))
        axis.set_xticklabels(names, rotation=20, ha="right", fontsize=8)
        axis.set_ylabel("ms (log)")
        axis.set_title("{:,} customers".format(size["customers"]), fontsize=10)
        axis.grid(axis="y", which="major", alpha=0.3)
        axis.legend(fontsize=8, loc="upper left")
    # Last panel: the ratio per query at each size, against the line at 1.
    axis = axes[-1, 0]
    shades = ["#f4a582", "#d6604d", "#67001f", "#40004b"]
    group = 0.8 / len(sizes)
    for k, size in enumerate(sizes):
        xs, ys = [], []
        for i, name in enumerate(names):
            value = ratio(size, name)
            if value:
                xs.append(i - 0.4 + group * (k + 0.5))
                ys.append(value)
        axis.bar(xs, ys, group, label="{:,}".format(size["customers"]), color=shades[k % len(shades)])
    axis.axhline(1.0, color="black", linewidth=0.8)
    axis.set_yscale("log")
    axis.set_xticks(range(len(names)))
    axis.set_xticklabels(names, rotation=20, ha="right", fontsize=8)
    axis.set_ylabel("crmql / best peer (log)")
    axis.set_title("crmql / best peer (below 1: crmql faster)", fontsize=10)
    axis.grid(axis="y", which="major", alpha=0.3)
    axis.legend(fontsize=8, loc="upper left", title="customers", title_fontsize=8)
    fig.suptitle("crmql vs %s (in memory): median ms per query, %s workload" % (
        ", ".join(LABELS[p] for p in PEERS), WORKLOAD_NAME), fontsize=11)
    fig.tight_layout(rect=(0, 0, 1, 0.98))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def report(sizes, startup, args):
    out = []
    out.append("# crmql benchmark results%s\n" % {"standard": "", "broad": ": the broad workload",
                                                   "timeline": ": customers over time"}[WORKLOAD_NAME])
    if WORKLOAD_NAME != "standard":
        out.append("Queries named `cold_…` are the first query after a load that needs a prelude measure: crmql "
                   "loads the data afresh before each of their runs (untimed); SQLite and DuckDB keep no results "
                   "between runs, so theirs are timed like any query. DuckDB (all threads) runs with %s threads; "
                   "crmql splits its big loops over one thread per processor (%d here).\n" % (
                       (sizes[0]["engines"].get("duckdb_mt", {}).get("load") or {}).get("threads", "?"), os.cpu_count() or 1))
    out.append("Machine: %s. Swift release build; SQLite %s (Python sqlite3); DuckDB %s (`threads = 1`). "
               "`today` = %s. Median of at least %d runs after a warm-up; the first run is shown apart "
               "(crmql builds a few structures on first use, such as the case-folded text a `contains` scans and the counts of hundredths a sum of money adds)." % (
                   machine_description(),
                   ((sizes[0]["engines"].get("sqlite") or {}).get("load") or {}).get("version", "?"),
                   ((sizes[0]["engines"].get("duckdb") or {}).get("load") or {}).get("version", "?"),
                   TODAY.isoformat(), args.min_runs))
    out.append("\nReproduce: `bash Benchmarks/run.sh --sizes %s%s`\n" % (
        ",".join(str(s["customers"]) for s in sizes), "" if WORKLOAD_NAME == "standard" else " --workload " + WORKLOAD_NAME))
    busiest = max(e["load_average"] for s in sizes for e in s["engines"].values())
    if busiest > 1.0:
        out.append("Note: the machine was busy during this run (1-minute load average up to %.2f on %d cores); "
                   "timings are noisier than on an idle machine.\n" % (busiest, os.cpu_count() or 0))
    out.append("Indexes: SQLite gets %s and `ANALYZE`; crmql gets `%s` (it indexes keys, refs and enum fields "
               "itself when the data arrives); DuckDB gets none. All of it counts as load time. crmql's load converts cells on "
               "two threads, and its queries split big loops over one thread per processor; SQLite and DuckDB "
               "(`threads = 1`) use one. SQLite's load "
               "is Python's csv module feeding `executemany`, so most of it is Python.\n" % (
                   ", ".join(i.split(" ON ")[1] for i in SQLITE_INDEXES), "`, `".join(CRMQL_SETUP)))
    for size in sizes:
        out.append("\n## {:,} customers ({:.1f} MB of CSV)\n".format(size["customers"], size["csv_bytes"] / 1e6))
        out.append(size_table(size))
        out.append("\nMemory:\n")
        out.append(memory_table(size))
        if "baseline" in size["engines"]:
            out.append("\nThis build against the baseline build (`--baseline-bin-dir`), timed in the same run:\n")
            out.append(baseline_table(size))
        if size["mismatches"]:
            out.append("\n**Answer mismatches:**\n")
            out += ["- %s vs %s: %s" % (n, LABELS[p], d) for n, p, d in size["mismatches"]]
    if len(sizes) > 1:
        out.append("\n## Scaling\n")
        out.append("Each query's time against the rows of the tables it reads (the CSV bytes for the load): "
                   "an exponent of 1 is linear, log(time grew) / log(input grew) from the smallest size "
                   "to the largest. Rows read: " + "; ".join(
                       "%s: %s" % (n, " + ".join(READS[n])) for n in QUERY_NAMES) + ".\n")
        for engine in ENGINES:
            out.append("\n### %s\n" % LABELS[engine])
            out.append(scaling_table(sizes, engine))
    out.append("\n## Targets\n")
    out += targets(sizes)
    if startup:
        out.append("\n## Start-up (spawn to exit, median of %d)\n" % args.startup_runs)
        out.append(markdown_table(["command", "median ms", "min ms", "exit status"],
                                  [[s["command"], "%.1f" % s["median_ms"], "%.1f" % s["min_ms"], str(s["exit_status"])]
                                   for s in startup]))
    return "\n".join(out) + "\n"


def targets(sizes):
    lines = []
    by_size = {s["customers"]: s for s in sizes}
    big = by_size.get(1000000)
    if big:
        ratios = [ratio(big, n) for n in QUERY_NAMES]
        over = [n for n, r in zip(QUERY_NAMES, ratios) if r is None or r > 1.0]
        gm = geomean(ratios)
        load = median_ms(big, "crmql", "load")
        duck = median_ms(big, "duckdb", "load")
        hwm = (big["engines"]["crmql"]["load"] or {}).get("hwm_after_load_kb")
        lines.append("- 1M: ratio <= 1.0 per query: %s" % ("yes" if not over else "no (" + ", ".join(over) + ")"))
        lines.append("- 1M: geometric mean <= 0.3: %s (%s)" % ("yes" if gm is not None and gm <= 0.3 else "no", fmt_ratio(gm)))
        if load and duck:
            lines.append("- 1M: load no slower than DuckDB: %s (%.0f ms vs %.0f ms)" % ("yes" if load <= duck else "no", load, duck))
        if hwm:
            limit = 2 * big["csv_bytes"]
            lines.append("- 1M: peak memory after load < 2x CSV bytes: %s (%.0f MiB vs limit %.0f MiB)" % (
                "yes" if hwm * 1024 < limit else "no", hwm / 1024, limit / 2**20))
    else:
        lines.append("- 1M: not measured in this run")
    small = by_size.get(10000)
    if small:
        slow = [n for n in QUERY_NAMES if (median_ms(small, "crmql", n) or math.inf) >= 1.0]
        lines.append("- 10K: every query under 1 ms: %s" % ("yes" if not slow else "no (" + ", ".join(slow) + ")"))
    if len(sizes) > 1:
        # Within a tenth of linear: a factor of 1.1 over a hundredfold input
        # is an exponent of about 1.02, below what the noise of one run moves.
        steep = []
        for n in QUERY_NAMES:
            exponent, growth = growth_exponent(sizes, "crmql", n)
            a, b = median_ms(sizes[0], "crmql", n), median_ms(sizes[-1], "crmql", n)
            if exponent is not None and b / a > growth * 1.1:
                steep.append("%s %.2f" % (n, exponent))
        lines.append("- scaling %s -> %s: no query grows faster than linearly in the rows it reads: %s" % (
            "{:,}".format(sizes[0]["customers"]), "{:,}".format(sizes[-1]["customers"]),
            "yes" if not steep else "no (" + ", ".join(steep) + ")"))
    return lines


def baseline_table(size):
    """This build against the baseline build, per query: medians and their ratio."""
    rows = []
    ratios = []
    for name in ["load"] + QUERY_NAMES:
        after = median_ms(size, "crmql", name)
        before = median_ms(size, "baseline", name)
        r = after / before if after and before else None
        if name != "load":
            ratios.append(r)
        rows.append([name, fmt_ms(before), fmt_ms(after), fmt_ratio(r)])
    rows.append(["geometric mean (queries)", "", "", fmt_ratio(geomean(ratios))])
    return markdown_table(["query", "baseline ms", "this build ms", "this / baseline"], rows)


def print_console(sizes, startup):
    for size in sizes:
        print("\n== {:,} customers: median ms ==".format(size["customers"]))
        print(size_table(size))
        print()
        print(memory_table(size))
        print("CSV bytes: %d" % size["csv_bytes"])
        if "baseline" in size["engines"]:
            print("\n== {:,} customers: this build against the baseline build ==".format(size["customers"]))
            print(baseline_table(size))
    if len(sizes) > 1:
        print("\n== scaling curve ==")
        for engine in ENGINES:
            print(scaling_table(sizes, engine))
            print()
    print("== targets ==")
    print("\n".join(targets(sizes)))
    if startup:
        print("\n== start-up (spawn to exit) ==")
        for s in startup:
            print("  %-62s median %6.1f ms  min %6.1f ms  exit %s" % (s["command"], s["median_ms"], s["min_ms"], s["exit_status"]))


def warm_memory(customers, data_dir):
    """Touches, once, as much memory as the largest load will use.

    A fresh virtual machine backs its memory on first touch, and that
    costs far more than an ordinary page fault: on such a machine the
    engine that happens to load the largest size first measured a load up
    to 1.5 x slower than on a rerun. Touching the memory beforehand gives
    every engine the same machine, as a rerun would."""
    directory = os.path.join(data_dir, str(customers))
    try:
        csv_bytes = sum(os.path.getsize(os.path.join(directory, f)) for f in os.listdir(directory))
    except OSError:
        return
    available = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    available = int(line.split()[1]) * 1024
    except OSError:
        pass
    size = 2 * csv_bytes
    if available is not None:
        size = min(size, available // 2)
    if size <= 0:
        return
    print("warming %d MB of memory (a fresh machine backs it on first touch) ..." % (size >> 20), flush=True)
    block = bytearray(size)
    view = memoryview(block)
    page = 4096
    view[::page] = bytes(len(range(0, size, page)))
    del view, block


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--data-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "data"))
    ap.add_argument("--bin-dir", help="folder holding the release crmql and crmql-bench")
    default_results = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
    ap.add_argument("--results-dir", default=default_results,
                    help="where the results go (default Benchmarks/results, or its broad/ for --workload broad)")
    ap.add_argument("--min-runs", type=int, default=5)
    ap.add_argument("--max-runs", type=int, default=50)
    ap.add_argument("--budget-ms", type=float, default=300.0, help="keep timing a query while under this total")
    ap.add_argument("--peers", help="broad workload: the peers to run, of sqlite,duckdb,duckdb_mt (default all)")
    ap.add_argument("--slow-ms", type=float, default=1000.0,
                    help="a query whose first run takes longer is timed once more only")
    ap.add_argument("--startup-runs", type=int, default=20)
    ap.add_argument("--no-startup", action="store_true")
    ap.add_argument("--baseline-bin-dir", help="folder holding another build's crmql-bench, timed in the same run "
                    "(run.sh --baseline REV builds one from a git revision)")
    ap.add_argument("--workload", choices=["standard", "broad", "timeline"], default="standard",
                    help="the ten queries (standard), the broad workload of broad.py, or its customers-over-time "
                         "entries alone (timeline)")
    ap.add_argument("--skip-cold", action="store_true",
                    help="broad workload: leave out the cold_… entries (each loads the data again)")
    ap.add_argument("--cold-runs", type=int, default=3,
                    help="broad workload: loads before each cold run of a crmql measure query")
    ap.add_argument("--worker", choices=["sqlite", "duckdb", "duckdb_mt"], help=argparse.SUPPRESS)
    ap.add_argument("--out-dir", help=argparse.SUPPRESS)
    ap.add_argument("--customers", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.min_runs = max(args.min_runs, 5)
    if args.workload != "standard":
        use_broad_workload(args.peers, args.workload, skip_cold=args.skip_cold)
        if args.results_dir == default_results:
            args.results_dir = os.path.join(default_results, args.workload)

    if args.worker:
        if args.worker == "sqlite":
            sqlite_worker(args.data_dir, args.customers, args)
        else:
            duckdb_worker(args.data_dir, args.customers, args, all_threads=args.worker == "duckdb_mt")
        return 0
    if not args.bin_dir:
        ap.error("--bin-dir is required")

    size_list = [int(text) for text in args.sizes.split(",")]
    warm_memory(max(size_list), args.data_dir)
    sizes = []
    for customers in size_list:
        sizes.append(run_size(customers, args))
    sizes.sort(key=lambda s: s["customers"])
    startup = None if args.no_startup else startup_times(args.bin_dir, args.startup_runs)

    print_console(sizes, startup)
    os.makedirs(args.results_dir, exist_ok=True)
    with open(os.path.join(args.results_dir, "results.md"), "w") as f:
        f.write(report(sizes, startup, args))
    with open(os.path.join(args.results_dir, "results.json"), "w") as f:
        json.dump({"machine": machine_description(), "today": TODAY.isoformat(), "sizes": sizes,
                   "startup": startup}, f, separators=(",", ":"))
    chart = os.path.join(args.results_dir, "chart.png")
    if draw_chart(sizes, chart):
        print("\nwrote %s" % chart)
    print("wrote %s" % os.path.join(args.results_dir, "results.md"))
    if any(s["mismatches"] for s in sizes):
        print("\n!! SOME ANSWERS DIFFER BETWEEN ENGINES (see above)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
