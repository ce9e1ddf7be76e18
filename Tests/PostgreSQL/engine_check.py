"""`crmql --engine postgresql://…` against a real PostgreSQL server (the one
.ci/postgres starts; PG* variables reach it): the same generated CRM data
loaded in memory and, through crmql's `load` (COPY), on the server; every
query of the SQL differential corpus and of engine_queries.crmql run on
both, the results compared byte for byte, in the loading session and in a
fresh one that reads the schema from the server's catalog; then the same
changes (insert, update, delete) on both; then each failure a server
brings (unreachable, wrong login, missing table or column, a type against
the model, a server-side error, a time limit, safe mode) must give its
clear message, exit status 1, in seconds, and never a password.

    bash .ci/python Tests/PostgreSQL/engine_check.py CRMQL
"""
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TODAY = "2026-06-30"
DB = "crmql_engine"
URL = f"postgresql://{os.environ.get('PGUSER', 'postgres')}@/{DB}"
SECRET = "hunter2-secret"
failures = []


def psql(sql, database="postgres"):
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql, database], check=True, capture_output=True)


def fresh_database(name):
    psql(f'DROP DATABASE IF EXISTS "{name}"')
    psql(f'CREATE DATABASE "{name}"')


def crmql(crmql_path, *args, script=None, timeout=600, env=None):
    started = time.monotonic()
    done = subprocess.run([crmql_path, *args], input=script, capture_output=True, text=True, timeout=timeout,
                          env=env or os.environ)
    return done, time.monotonic() - started


def read_queries(path):
    """One query a line or more: as the differential test reads its corpus."""
    queries, current = [], []
    for raw in open(path, encoding="utf-8"):
        line = raw.rstrip("\n")
        if line.strip().startswith("--") or not line.strip():
            if current:
                queries.append(" ".join(current))
                current = []
            continue
        if line.lstrip().lower().startswith(("select", "param", "define", "let")) and current:
            queries.append(" ".join(current))
            current = []
        current.append(line.strip())
    if current:
        queries.append(" ".join(current))
    return queries


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)


def number(cell):
    try:
        return float(cell)
    except ValueError:
        return None


def close(a, b):
    """Two CSV lines alike but for the last digits of numbers: a sum of
    doubles on the server against crmql's exact sum of decimals."""
    import csv
    x, y = next(csv.reader([a])), next(csv.reader([b]))
    if len(x) != len(y):
        return False
    for p, q in zip(x, y):
        if p == q:
            continue
        m, n = number(p), number(q)
        if m is None or n is None or abs(m - n) > 1e-9 * max(1.0, abs(m), abs(n)):
            return False
    return True


def last_place(cell):
    """The unit of a number cell's last written digit (`1,307.16`: 0.01)."""
    text = cell.replace(",", "")
    if "e" in text.lower() or number(text) is None:
        return None
    return 10.0 ** -(len(text) - text.index(".") - 1) if "." in text else 1.0


def table_cells(text):
    return [[c.strip() for c in line.split("│")] for line in text.splitlines() if "│" in line]


def table_alike(a, b):
    """Two tables alike cell by cell, a number allowed to differ by one unit
    of its last written place (a tie rounded the other way, as the server's
    double arithmetic lands a hair to one side of it) or by float noise (a
    relative 1e-9: 5.55112e-17 for crmql's exact 0). A difference in the
    places written (money shown with two) is not alike."""
    x, y = table_cells(a), table_cells(b)
    if len(x) != len(y):
        return False
    for row_a, row_b in zip(x, y):
        if len(row_a) != len(row_b):
            return False
        for p, q in zip(row_a, row_b):
            if p == q:
                continue
            if close(p.replace(",", ""), q.replace(",", "")):
                continue
            unit_p, unit_q = last_place(p), last_place(q)
            if unit_p is None or unit_p != unit_q:
                return False
            if abs(number(p.replace(",", "")) - number(q.replace(",", ""))) > unit_p * 1.000001:
                return False
    return True


def compare(label, queries, memory, server, exact=True):
    """Result by result: byte for byte (`exact`), or line by line alike but
    for the last digits of numbers."""
    mem, pg = memory.split("\n\n"), server.split("\n\n")
    differing, last_digits = [], 0
    for index, (a, b) in enumerate(zip(mem, pg)):
        if a == b:
            continue
        la, lb = a.splitlines(), b.splitlines()
        if not exact and len(la) == len(lb) and all(x == y or close(x, y) for x, y in zip(la, lb)):
            last_digits += 1
            continue
        if exact and table_alike(a, b):
            last_digits += 1
            continue
        differing.append(index)
        query = queries[index] if index < len(queries) else f"result {index + 1}"
        print(f"differs: {query}")
        for x, y in [(x, y) for x, y in zip(la, lb) if x != y][:3]:
            print(f"    memory: {x[:200]}\n    server: {y[:200]}")
    same_count = len(mem) == len(pg)
    what = "a rounded tie or float noise" if exact else "the last digits of floating-point sums"
    note = f" ({last_digits} differ only in {what})" if last_digits else ""
    check(same_count and not differing, f"{label}: {len(mem) - len(differing)} of {len(mem)} results alike{note}")


def expect_error(crmql_path, label, args, needles, script=None, env=None, limit=30):
    done, seconds = crmql(crmql_path, *args, script=script, env=env, timeout=120)
    text = done.stdout + done.stderr
    ok = done.returncode == 1 and all(n in text for n in needles) and SECRET not in text and seconds < limit
    check(ok, f"{label}: {' / '.join(needles)}")
    if not ok:
        print(f"  status {done.returncode} after {seconds:.1f} s; output:\n{text[:2000]}")


def main():
    crmql_path = os.path.abspath(sys.argv[1])
    customers = int(sys.argv[2]) if len(sys.argv) > 2 else 1500
    work = tempfile.mkdtemp(prefix="crmql-engine-")
    data = os.path.join(work, "data")
    subprocess.run([crmql_path, "generate", "--customers", str(customers), data], check=True, capture_output=True)
    queries = read_queries(os.path.join(ROOT, "Tests", "SQL", "differential_queries.crmql"))
    queries += read_queries(os.path.join(HERE, "engine_queries.crmql"))
    script = "\n".join(queries) + "\n"
    common = ["--today", TODAY, "--param", "min_points=2500"]

    fresh_database(DB)
    loading, seconds = crmql(crmql_path, "--engine", URL, "--data", data, *common, "-c", "")
    check(loading.returncode == 0, f"the data loaded on the server through COPY ({seconds:.1f} s)")
    if loading.returncode != 0:
        print(loading.stderr[:2000])
    # Tables as the shell prints them must be identical but for a tie rounded
    # the other way; CSV, which writes every digit, alike but for the last
    # digits of floating-point sums (crmql adds money exactly; the server
    # adds doubles).
    for form, exact in (("table", True), ("csv", False)):
        memory, _ = crmql(crmql_path, "--data", data, *common, "--format", form, script=script)
        check(memory.returncode == 0, f"{len(queries)} queries run in memory ({form})")
        server, seconds = crmql(crmql_path, "--engine", URL, *common, "--format", form, script=script)
        check(server.returncode == 0, f"and on the server, in a session over its catalog ({form}, {seconds:.1f} s)")
        if server.returncode != 0:
            print(server.stderr[:2000])
        compare(f"{form} output", queries, memory.stdout, server.stdout, exact=exact)

    # The same changes on both; messages (standard error) and results must agree.
    changes = open(os.path.join(HERE, "engine_changes.crmql"), encoding="utf-8").read()
    mem_changes, _ = crmql(crmql_path, "--data", data, "--today", TODAY, "--format", "csv", script=changes)
    pg_changes, _ = crmql(crmql_path, "--engine", URL, "--today", TODAY, "--format", "csv", script=changes)
    check(mem_changes.returncode == pg_changes.returncode, f"changes: same exit status ({mem_changes.returncode})")
    compare("changes: results", [], mem_changes.stdout, pg_changes.stdout)
    # The in-memory run's own `loaded …` lines (from --data) aside.
    mem_messages = "".join(line for line in mem_changes.stderr.splitlines(True) if not line.startswith("loaded "))
    check(mem_messages == pg_changes.stderr, "changes: same messages and errors")
    if mem_messages != pg_changes.stderr:
        print(f"--- memory\n{mem_messages}\n--- server\n{pg_changes.stderr}")

    # Changes crmql refuses, each on its own: the same error, at the same
    # place, and nothing changed on the server.
    refusals = [
        'insert into orders (id, customer, placed, amount) values (900003, 999999, 2026-06-03, 1)',
        'insert into customers (id, name) values (1, "Twin")',
        'update customers set id = 2 where id = 1',
        'update orders set customer = 999999 where id = 1',
        'insert into customers (name) values ("Nobody")',
        'update customers set stage = finished where id = 1',
        'delete customers where id = 2',
    ]
    for statement in refusals:
        mem, _ = crmql(crmql_path, "--data", data, "--today", TODAY, "-c", statement)
        pg, _ = crmql(crmql_path, "--engine", URL, "--today", TODAY, "-c", statement)
        mem_error = "".join(line for line in mem.stderr.splitlines(True) if not line.startswith("loaded "))
        ok = mem.returncode == pg.returncode == 1 and mem_error == pg.stderr
        check(ok, f"refused alike: {statement}")
        if not ok:
            print(f"--- memory ({mem.returncode})\n{mem_error}--- server ({pg.returncode})\n{pg.stderr}")
    counted, _ = crmql(crmql_path, "--engine", URL, "-c", "select count orders where id = 900003 or customer = 999999")
    check(counted.stdout == "count()\n0\n", "a refused change leaves the server as it was")

    # Failures, each a clear message.
    expect_error(crmql_path, "unreachable server", ["--engine", f"postgresql://ann:{SECRET}@127.0.0.1:1/crm", "-c", "select customers"],
                 ["cannot connect to postgresql://ann@127.0.0.1:1/crm", "Connection refused"])
    expect_error(crmql_path, "wrong login", ["--engine", f"postgresql://ghost:{SECRET}@/{DB}", "-c", "select customers"],
                 ["cannot connect to postgresql://ghost@/" + DB, 'role "ghost" does not exist'])
    env = dict(os.environ, PGPASSWORD=SECRET)
    expect_error(crmql_path, "wrong login, password from PGPASSWORD", ["--engine", f"postgresql://ghost@/{DB}", "-c", "select customers"],
                 ['role "ghost" does not exist'], env=env)
    expect_error(crmql_path, "missing database", ["--engine", "postgresql://postgres@/no_such_db", "-c", "select customers"],
                 ['database "no_such_db" does not exist'])
    expect_error(crmql_path, "missing table", ["--engine", URL, "-c", "select products"],
                 ["<command line>:1:8: error: unknown entity 'products'"])
    fresh_database("crmql_engine_partial")
    psql('CREATE TABLE customers (id BIGINT PRIMARY KEY, name TEXT, points BIGINT)', "crmql_engine_partial")
    expect_error(crmql_path, "missing column", ["--engine", "postgresql://postgres@/crmql_engine_partial", "-c", "select customers show nme, email"],
                 ["unknown field 'nme'", "did you mean 'name'"])
    fresh_database("crmql_engine_bad")
    psql('CREATE TABLE customers (id BIGINT PRIMARY KEY, name TEXT, points TEXT)', "crmql_engine_bad")
    expect_error(crmql_path, "a type against the model", ["--engine", "postgresql://postgres@/crmql_engine_bad", "-c", "select customers"],
                 ["column customers.points is text on the server, but the CRM model makes points int"])
    expect_error(crmql_path, "server-side error", ["--engine", URL, "-c", "select customers show points * 9223372036854775807 as huge"],
                 ["the server refused the statement: bigint out of range", "^"])
    fresh_database("crmql_engine_slow")
    psql("CREATE TABLE events AS SELECT g::bigint AS id, (random() * 1000000)::bigint AS v FROM generate_series(1, 3000000) AS g",
         "crmql_engine_slow")
    expect_error(crmql_path, "time limit", ["--engine", "postgresql://postgres@/crmql_engine_slow", "--time-limit", "0.05", "-c",
                                            "select events show id, rank(v) as r, percent_rank(v) as p order by p desc limit 3"],
                 ["the statement ran longer than the time limit of 50 ms"], limit=20)
    expect_error(crmql_path, "safe mode", ["--engine", URL, "--safe", "-c", f'load customers from "{data}/customers.csv"'],
                 ["not allowed in safe mode"])

    for name in ("crmql_engine_partial", "crmql_engine_bad", "crmql_engine_slow"):
        psql(f'DROP DATABASE IF EXISTS "{name}"')
    if failures:
        print(f"{len(failures)} check(s) failed")
        sys.exit(1)
    print("every check passed")


if __name__ == "__main__":
    main()
