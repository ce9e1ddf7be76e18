#!/usr/bin/env python3
"""Counts the instructions each query of the standard workload executes,
for this build and, when given, another build, under valgrind's callgrind.

    python3 Benchmarks/instructions.py --bin-dir DIR [--baseline-bin-dir DIR2]
                                       [--size 100000] [--runs 200]

Timings on a shared machine move with whatever else runs; the instructions
a query executes do not. Each query is run `--runs` times by crmql-bench on
the benchmark's data of `--size` customers (Benchmarks/data/SIZE, made by
run.sh), with callgrind counting only inside `Database.query`: the count per
run is what parsing, planning and executing the query cost, with no load,
process start or output. The same indexes as the timed benchmark are made
first. Instructions are not time (a cache miss costs hundreds of cycles and
counts one), so this is a check that a change did not add work, beside the
timed benchmark, not instead of it.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

SETUP = [
    "create index on customers(points)",
    "create index on customers(loyalty)",
    "create index on orders(placed)",
]
# The public entry every query of crmql-bench goes through.
TOGGLE = "$s5CRMQL8DatabaseC5query_*"


def build_options(binary):
    """Under valgrind a cold run can pass the slow-query cut-off, which would
    stop the repetitions the count subtracts; and callgrind counts only the
    thread that entered `Database.query`, so a build that splits loops over
    threads runs on one to be counted whole. An older build (a baseline)
    has neither option."""
    with open(binary, "rb") as f:
        image = f.read()
    options = ["--slow-ms", "1e12"] if b"--slow-ms" in image else []
    if b"--threads" in image:
        options += ["--threads", "1"]
    return options


def count(binary, data_dir, text, runs):
    """Instructions of one run of `text`, from two callgrind runs that
    differ only in the number of timed runs (so warm-up and first-use work
    cancel out)."""
    totals = []
    for n in (1, 1 + runs):
        with tempfile.TemporaryDirectory() as tmp:
            workload = os.path.join(tmp, "workload.tsv")
            with open(workload, "w") as f:
                for i, statement in enumerate(SETUP):
                    f.write("setup\ti%d\t%s\n" % (i, statement))
                f.write("query\tq\t%s\n" % text)
            out = os.path.join(tmp, "callgrind.out")
            with open(workload) as stdin:
                run = subprocess.run(["valgrind", "--tool=callgrind", "--collect-atstart=no",
                                      "--toggle-collect=" + TOGGLE, "--callgrind-out-file=" + out,
                                      binary, data_dir, "--min-runs", str(n), "--max-runs", str(n), "--budget-ms", "0"]
                                     + build_options(binary),
                                     stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            found = re.search(r"Collected : (\d+)", run.stderr)
            if run.returncode != 0 or not found:
                sys.exit("callgrind failed for %s:\n%s" % (binary, run.stderr[-2000:]))
            totals.append(int(found.group(1)))
    return (totals[1] - totals[0]) / runs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin-dir", required=True, help="folder holding this build's crmql-bench")
    ap.add_argument("--baseline-bin-dir", help="folder holding another build's crmql-bench")
    ap.add_argument("--size", type=int, default=100000)
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--queries", help="comma-separated names of the queries to count (default: all)")
    ap.add_argument("--data-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "data"))
    args = ap.parse_args()
    data_dir = os.path.join(args.data_dir, str(args.size))
    if not os.path.isdir(data_dir):
        sys.exit("no data in %s: run Benchmarks/run.sh --sizes %d first" % (data_dir, args.size))
    builds = [("this build", os.path.join(args.bin_dir, "crmql-bench"))]
    if args.baseline_bin_dir:
        builds.append(("baseline", os.path.join(args.baseline_bin_dir, "crmql-bench")))
    header = "| query | " + " | ".join("%s instructions" % name for name, _ in builds)
    header += " | this / baseline |" if len(builds) == 2 else " |"
    print("Instructions per run of each query, %d customers, %d runs counted:\n" % (args.size, args.runs))
    print(header)
    print("|---|" + "---:|" * (len(builds) + (1 if len(builds) == 2 else 0)))
    ratios = []
    wanted = set(args.queries.split(",")) if args.queries else None
    for name, crmql, _sql, _ordered in bench.WORKLOAD:
        if wanted is not None and name not in wanted:
            continue
        text = crmql.format(pid=bench.point_id(args.size))
        counts = [count(binary, data_dir, text, args.runs) for _, binary in builds]
        cells = ["{:,.0f}".format(c) for c in counts]
        if len(counts) == 2 and counts[1] > 0:
            ratios.append(counts[0] / counts[1])
            cells.append("%.2f" % ratios[-1])
        print("| %s | %s |" % (name, " | ".join(cells)))
        sys.stdout.flush()
    if ratios:
        geomean = 1.0
        for r in ratios:
            geomean *= r
        print("| geometric mean |%s %.2f |" % (" |" * len(builds), geomean ** (1 / len(ratios))))


if __name__ == "__main__":
    main()
