"""Differential test of `explain sql`: the same generated CRM data loaded
into crmql and into SQL engines, every query of a corpus run in memory and,
compiled by `explain sql <dialect>`, on each engine; every answer must agree
row for row (numbers to a relative 1e-9, since crmql adds money exactly).

    bash .ci/python Tests/SQL/sql_differential.py CRMQL [--engines duckdb,postgresql]
           [--customers N] [--queries FILE]

PostgreSQL is reached through `psql` with the PG* environment variables
(.ci/postgres sets them); DuckDB through its Python package; Spark (local
mode) through pyspark and crmql's own Python package (`crmql.spark.sql`),
which calls the compiler through the C library.
"""
import argparse
import datetime
import decimal
import json
import math
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TODAY = "2026-06-30"


def read_queries(path):
    """One query a statement: lines are joined until a blank line or a line
    starting with `select`; `--` comments are dropped."""
    queries, current = [], []
    for raw in open(path, encoding="utf-8"):
        line = raw.rstrip("\n")
        if line.strip().startswith("--") or not line.strip():
            if current:
                queries.append(" ".join(current))
                current = []
            continue
        if line.lstrip().lower().startswith("select") and current:
            queries.append(" ".join(current))
            current = []
        current.append(line.strip())
    if current:
        queries.append(" ".join(current))
    return queries


def run_crmql(crmql, data, script):
    with tempfile.NamedTemporaryFile("w", suffix=".crmql", delete=False, encoding="utf-8") as f:
        f.write(script)
        path = f.name
    try:
        done = subprocess.run([crmql, "--data", data, "--today", TODAY, "--format", "json", path],
                              capture_output=True, text=True)
    finally:
        os.unlink(path)
    return done


def results_of(stdout):
    return [json.loads(chunk) for chunk in stdout.split("\n\n") if chunk.strip()]


def schema(crmql, data, entity):
    done = run_crmql(crmql, data, f"describe {entity}\n")
    rows = results_of(done.stdout)[0]
    return [(r["field"], r["type"]) for r in rows if r["kind"] in ("key", "stored")]


def sql_type(crmql_type, dialect):
    if crmql_type == "int" or crmql_type.startswith("ref "):
        return "BIGINT"
    if crmql_type == "number":
        return "DOUBLE PRECISION" if dialect == "postgresql" else "DOUBLE"
    if dialect == "spark" and crmql_type not in ("date", "datetime", "bool"):
        return "STRING"
    if crmql_type == "date":
        return "DATE"
    if crmql_type == "datetime":
        return "TIMESTAMP"
    if crmql_type == "bool":
        return "BOOLEAN"
    return "TEXT"


def normalise(value):
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def same(a, b):
    a, b = normalise(a), normalise(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and not isinstance(b, bool):
        if math.isnan(float(a)) or math.isnan(float(b)):
            return math.isnan(float(a)) and math.isnan(float(b))
        return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)), abs(float(b)))
    return a == b


class DuckDB:
    name = "duckdb"

    def __init__(self, data, schemas):
        import duckdb
        self.db = duckdb.connect()
        for entity, fields in schemas.items():
            columns = ", ".join(f'"{n}" {sql_type(t, "duckdb")}' for n, t in fields)
            self.db.execute(f'CREATE TABLE "{entity}" ({columns})')
            types = "{" + ", ".join(f"'{n}': '{sql_type(t, 'duckdb')}'" for n, t in fields) + "}"
            path = os.path.join(data, entity + ".csv")
            self.db.execute(f"INSERT INTO \"{entity}\" SELECT * FROM read_csv('{path}', header=true, columns={types})")

    def run(self, sql):
        cursor = self.db.execute(sql)
        names = [d[0] for d in cursor.description]
        return names, [list(row) for row in cursor.fetchall()]


class PostgreSQL:
    """Through psql: tables made from the schema and filled by COPY, each
    query's answer read back as JSON so types survive."""
    name = "postgresql"

    def __init__(self, data, schemas):
        self.db = os.environ.get("PGDATABASE", "crmql_test")
        script = []
        for entity, fields in schemas.items():
            columns = ", ".join(f'"{n}" {sql_type(t, "postgresql")}' for n, t in fields)
            path = os.path.join(data, entity + ".csv")
            script.append(f'DROP TABLE IF EXISTS "{entity}" CASCADE;')
            script.append(f'CREATE TABLE "{entity}" ({columns});')
            script.append(f"\\copy \"{entity}\" FROM '{path}' WITH (FORMAT csv, HEADER true)")
        self.psql("\n".join(script))

    def psql(self, script):
        done = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-d", self.db],
                              input=script, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(done.stderr.strip())
        return done.stdout

    def run(self, sql):
        # Column names in order, then the rows as JSON arrays.
        names_sql = f"SELECT * FROM ({sql}) AS q LIMIT 0"
        out = self.psql(f"\\pset format unaligned\n\\pset tuples_only off\n{names_sql};")
        names = out.splitlines()[0].split("|") if out else []
        wrapped = f"SELECT json_agg(json_build_array({', '.join(f'q.{quote_pg(n)}' for n in names)})) FROM ({sql}) AS q"
        out = self.psql(wrapped + ";").strip()
        rows = json.loads(out) if out else []
        return names, rows or []


class Spark:
    """Spark in local mode on two cores: the CSV files read with the
    entities' schema, each a temporary view of the entity's name, and each
    query run through the Python package, `crmql.spark.sql(spark, query)`,
    against a crmql session made from the Spark tables themselves."""
    name = "spark"
    through_python = True

    def __init__(self, data, schemas):
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "python"))
        import crmql.spark
        from pyspark.sql import SparkSession
        self.crmql_spark = crmql.spark
        self.spark = (SparkSession.builder.master("local[2]").appName("crmql-sql-differential")
                      .config("spark.sql.session.timeZone", "UTC")
                      .config("spark.sql.shuffle.partitions", "2")
                      .config("spark.ui.enabled", "false")
                      .config("spark.ui.showConsoleProgress", "false")
                      .getOrCreate())
        self.spark.sparkContext.setLogLevel("ERROR")
        for entity, fields in schemas.items():
            ddl = ", ".join(f"`{n}` {sql_type(t, 'spark')}" for n, t in fields)
            frame = self.spark.read.csv(os.path.join(data, entity + ".csv"), header=True, schema=ddl,
                                        escape='"', multiLine=True)
            frame.cache().createOrReplaceTempView(entity)
        self.schema = crmql.spark.schema_connection(self.spark, tables=list(schemas), today=TODAY)

    def run(self, query):
        frame = self.crmql_spark.sql(self.spark, query, connection=self.schema)
        return list(frame.columns), [list(row) for row in frame.collect()]


class SparkTables(Spark):
    """Spark running statements compiled beforehand (`explain sql spark`)."""
    through_python = False

    def run(self, sql):
        frame = self.spark.sql(sql)
        return list(frame.columns), [list(row) for row in frame.collect()]


def quote_pg(name):
    return '"' + name.replace('"', '""') + '"'


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("crmql")
    parser.add_argument("--engines", default="duckdb")
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--queries", default=os.path.join(HERE, "differential_queries.crmql"))
    args = parser.parse_args()
    queries = read_queries(args.queries)
    work = tempfile.mkdtemp(prefix="crmql-sql-")
    data = os.path.join(work, "crm")
    subprocess.run([args.crmql, "generate", "--customers", str(args.customers), data], check=True, capture_output=True)
    schemas = {e: schema(args.crmql, data, e) for e in ("customers", "orders", "interactions")}
    engines = []
    for name in args.engines.split(","):
        engines.append({"duckdb": DuckDB, "postgresql": PostgreSQL, "spark": Spark}[name](data, schemas))

    # One crmql run: each query, then its SQL for every engine.
    script = []
    for q in queries:
        script.append(q + ";")
        for engine in engines:
            if not getattr(engine, "through_python", False):
                script.append(f"explain sql {engine.name} {q};")
    done = run_crmql(args.crmql, data, "\n".join(script) + "\n")
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        sys.exit("crmql failed on the corpus")
    results = results_of(done.stdout)
    compiled = [e for e in engines if not getattr(e, "through_python", False)]
    per_query = 1 + len(compiled)
    assert len(results) == per_query * len(queries), (len(results), len(queries))
    failures = 0
    compared = 0
    for i, q in enumerate(queries):
        expected = results[i * per_query]
        for engine in engines:
            problem = None
            try:
                if getattr(engine, "through_python", False):
                    names, rows = engine.run(q)
                else:
                    sql = results[i * per_query + 1 + compiled.index(engine)][0]["sql"]
                    names, rows = engine.run(sql)
            except Exception as error:  # noqa: BLE001 - any engine error is a failure to report
                problem = f"engine error: {str(error).splitlines()[0] if str(error) else error!r}"
            if problem is None:
                expected_names = list(expected[0].keys()) if expected else names
                if names != expected_names:
                    problem = f"columns {names} != {expected_names}"
                elif len(rows) != len(expected):
                    problem = f"{len(rows)} rows != {len(expected)}"
                else:
                    for r, (got, want) in enumerate(zip(rows, expected)):
                        wanted = [want[n] for n in names]
                        bad = [k for k in range(len(names)) if not same(got[k], wanted[k])]
                        if bad:
                            k = bad[0]
                            problem = f"row {r + 1} column {names[k]}: {normalise(got[k])!r} != {wanted[k]!r}"
                            break
            compared += 1
            if problem:
                failures += 1
                print(f"FAIL [{engine.name}] {q}\n    {problem}")
    print(f"{compared - failures} of {compared} answers agree ({len(queries)} queries, engines: {args.engines})")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
