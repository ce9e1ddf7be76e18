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


def compare(label, queries, memory, server):
    mem, pg = memory.split("\n\n"), server.split("\n\n")
    if mem == pg:
        check(True, f"{label}: {len(mem)} results identical")
        return
    for index, (a, b) in enumerate(zip(mem, pg)):
        if a != b:
            print(f"first difference, result {index + 1}:\n--- memory\n{a[:1500]}\n--- server\n{b[:1500]}")
            break
    check(False, f"{label}: results differ ({len(mem)} in memory, {len(pg)} on the server)")


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
    common = ["--today", TODAY, "--format", "csv", "--param", "min_points=2500"]

    fresh_database(DB)
    memory, _ = crmql(crmql_path, "--data", data, *common, script=script)
    check(memory.returncode == 0, f"{len(queries)} queries run in memory")
    if memory.returncode != 0:
        print(memory.stderr[:2000])
    loading, seconds = crmql(crmql_path, "--engine", URL, "--data", data, *common, script=script)
    check(loading.returncode == 0, f"the data loaded on the server through COPY and the queries ran ({seconds:.1f} s)")
    if loading.returncode != 0:
        print(loading.stderr[:2000])
    compare("loading session", queries, memory.stdout, loading.stdout)
    catalog, seconds = crmql(crmql_path, "--engine", URL, *common, script=script)
    check(catalog.returncode == 0, f"a fresh session over the server's catalog ran them ({seconds:.1f} s)")
    if catalog.returncode != 0:
        print(catalog.stderr[:2000])
    compare("session from the catalog", queries, memory.stdout, catalog.stdout)

    # The same changes on both; messages (standard error) and results must agree.
    changes = open(os.path.join(HERE, "engine_changes.crmql"), encoding="utf-8").read()
    mem_changes, _ = crmql(crmql_path, "--data", data, "--today", TODAY, "--format", "csv", script=changes)
    pg_changes, _ = crmql(crmql_path, "--engine", URL, "--today", TODAY, "--format", "csv", script=changes)
    check(mem_changes.returncode == pg_changes.returncode, f"changes: same exit status ({mem_changes.returncode})")
    compare("changes: results", [], mem_changes.stdout, pg_changes.stdout)
    check(mem_changes.stderr == pg_changes.stderr, "changes: same messages and errors")
    if mem_changes.stderr != pg_changes.stderr:
        print(f"--- memory\n{mem_changes.stderr}\n--- server\n{pg_changes.stderr}")

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
