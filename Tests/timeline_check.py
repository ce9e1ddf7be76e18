#!/usr/bin/env python3
"""Checks crmql's retention and cohort figures on the real CDNOW data against
an independent pandas computation.

    bash .ci/python Tests/timeline_check.py [path/to/crmql]

Runs the queries of Examples/cdnow-retention.crmql (without rounding) through
the crmql binary (default .build/debug/crmql) with CSV output, computes the
same figures from Examples/data/cdnow/transactions_master.csv with pandas,
and fails on any difference. `.ci/run` runs it through `.ci/python`, whose
virtual environment holds pandas.
"""
import csv
import io
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "Examples", "data", "cdnow", "transactions_master.csv")


def crmql_rows(binary, query):
    """A query's rows as dicts of strings, from crmql's CSV output."""
    script = 'load purchases from "%s"\n%s\n' % (DATA, query)
    run = subprocess.run([binary, "--format", "csv", "-c", script], capture_output=True, text=True, check=False)
    if run.returncode != 0:
        sys.exit("crmql failed:\n" + run.stderr)
    return list(csv.DictReader(io.StringIO(run.stdout)))


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-12 * max(1.0, abs(a), abs(b))


def number(text):
    return None if text == "" else float(text)


def main():
    import pandas as pd

    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build", "debug", "crmql")
    if not os.path.exists(binary):
        sys.exit("no crmql binary at %s: build it first (swift build)" % binary)

    tx = pd.read_csv(DATA, parse_dates=["date"])
    failures = []

    # Quarterly retention: a customer is active in a quarter with a purchase in it.
    tx["q"] = tx["date"].dt.year * 4 + (tx["date"].dt.month - 1) // 3
    active = tx.groupby("q")["customer_id"].apply(lambda s: set(s.unique()))
    first = tx.groupby("customer_id")["q"].min()
    expected = []
    for q in range(active.index.min(), active.index.max() + 1):
        now = active.get(q, set())
        before = active.get(q - 1, set())
        new = int((first == q).sum())
        retained = len(now & before)
        prev = len(before)
        expected.append({
            "period": "%d-%02d-01" % (q // 4, (q % 4) * 3 + 1),
            "active": len(now), "new": new, "active_prev": prev, "retained": retained,
            "lost": prev - retained, "returning": len(now) - new - retained,
            "retention_rate": retained / prev if prev else None,
            "churn_rate": (prev - retained) / prev if prev else None,
            "growth_rate": new / prev if prev else None,
            "net_growth": len(now) / prev - 1 if prev else None,
        })
    got = crmql_rows(binary, "select retention(purchases, who: customer_id, at: date, every: quarter)")
    if len(got) != len(expected):
        failures.append("retention: %d rows, pandas %d" % (len(got), len(expected)))
    for row, want in zip(got, expected):
        # CSV writes a period as its first day.
        label = row["period"]
        if label != want["period"]:
            failures.append("retention: period %s, pandas %s" % (label, want["period"]))
        for key in ["active", "new", "active_prev", "retained", "lost", "returning"]:
            if int(row[key]) != want[key]:
                failures.append("retention %s %s: crmql %s, pandas %s" % (label, key, row[key], want[key]))
        for key in ["retention_rate", "churn_rate", "growth_rate", "net_growth"]:
            if not close(number(row[key]), want[key]):
                failures.append("retention %s %s: crmql %s, pandas %s" % (label, key, row[key], want[key]))

    # The monthly cohort table: customers by the month of their first purchase.
    tx["m"] = tx["date"].dt.year * 12 + tx["date"].dt.month - 1
    cohort = tx.groupby("customer_id")["m"].min().rename("cohort")
    tx = tx.join(cohort, on="customer_id")
    tx["k"] = tx["m"] - tx["cohort"]
    sizes = cohort.value_counts()
    actives = tx.drop_duplicates(["customer_id", "m"]).groupby(["cohort", "k"]).size()
    last = int(tx["m"].max())
    expected = []
    for c in range(int(cohort.min()), last + 1):
        size = int(sizes.get(c, 0))
        if size == 0:
            continue
        for k in range(0, last - c + 1):
            n = int(actives.get((c, k), 0))
            expected.append(("%d-%02d-01" % (c // 12, c % 12 + 1), k, size, n, n / size))
    got = crmql_rows(binary, "select cohorts(purchases, who: customer_id, at: date, every: month) where customers > 0")
    if len(got) != len(expected):
        failures.append("cohorts: %d rows, pandas %d" % (len(got), len(expected)))
    for row, want in zip(got, expected):
        mine = (row["cohort"], int(row["period"]), int(row["customers"]), int(row["active"]))
        if mine != want[:4] or not close(number(row["rate"]), want[4]):
            failures.append("cohorts: crmql %s, pandas %s" % (row, want))

    if failures:
        print("\n".join(failures[:40]), file=sys.stderr)
        sys.exit("%d differences between crmql and pandas on CDNOW" % len(failures))
    print("CDNOW retention and cohorts: crmql agrees with pandas (%d quarters, %d cohort cells)" % (len(active), len(expected)))


if __name__ == "__main__":
    main()
