"""CRMQL on Spark: a query compiled by crmql to Spark SQL, run by Spark.

    import crmql.spark
    frame = crmql.spark.sql(spark, "select customers where rfm_segment = champions show name, revenue")

The query is compiled against a crmql session whose entities mirror the
Spark tables (temporary views included): by default one made from a sample
of each table, loaded the way crmql loads a CSV file, so the standard
model's fields take their types and enums and other columns are inferred.
Pass `connection=` a `crmql.Connection` holding the entities (a snapshot,
or the same files) to choose the schema yourself.
"""

import csv
import os
import tempfile

from .connection import Connection, connect

__all__ = ["sql", "compile", "schema_connection"]

# TUNING: rows read from each table to infer its schema: enough for every
# symbol of an enum column to appear in practice, small enough to collect.
SAMPLE_ROWS = 100_000


def schema_connection(spark, tables=None, today=None, sample_rows=SAMPLE_ROWS) -> Connection:
    """A crmql session with one entity per Spark table, loaded from a sample
    of its rows (referenced tables first, so `customer` becomes a ref)."""
    names = tables or [t.name for t in spark.catalog.listTables()]
    singular = {n[:-1] if n.endswith("s") else n: n for n in names}

    def parents(name):
        columns = spark.table(name).columns
        return [singular[c] for c in columns if c in singular and singular[c] != name]

    ordered, seen = [], set()

    def visit(name, depth=0):
        if name in seen or depth > len(names):
            return
        seen.add(name)
        for parent in parents(name):
            visit(parent, depth + 1)
        ordered.append(name)

    for name in names:
        visit(name)
    connection = connect(today=today)
    folder = tempfile.mkdtemp(prefix="crmql-spark-")
    for name in ordered:
        frame = spark.table(name).limit(sample_rows)
        path = os.path.join(folder, name + ".csv")
        with open(path, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(frame.columns)
            for row in frame.toLocalIterator():
                writer.writerow(["" if v is None else _text(v) for v in row])
        # A sampled child may name a parent outside the parent's sample.
        quoted = path.replace("\\", "\\\\").replace('"', '\\"')
        connection.run(f'load `{name}` from "{quoted}" with (skip_bad = true)')
    return connection


def _text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def compile(query, connection, dialect="spark"):
    """The SQL statement `query` compiles to (`explain sql`) in `connection`."""
    return connection.query(f"explain sql {dialect} {query}").rows()[0][0]


def sql(spark, query, connection=None, today=None):
    """A Spark DataFrame of the query's rows, computed by Spark from the
    statement crmql compiles the query to (`explain sql spark`)."""
    owned = connection is None
    session = connection or schema_connection(spark, today=today)
    try:
        statement = compile(query, session)
    finally:
        if owned:
            session.close()
    return spark.sql(statement)
