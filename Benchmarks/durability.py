#!/usr/bin/env python3
"""What a database file costs, measured through the crmql command line.

    bash Benchmarks/durability.sh [--customers 1000000] [--orders-per-customer 10]

(durability.sh builds a release crmql and runs this with --binary.) Three
measurements, each printed as a line of a Markdown table:

1. single-row commits: 300 `insert`s and 300 `update`s of one row, each its
   own statement, timed by `--timer` (which includes the log append and its
   fsync), in a database file and in memory;
2. a whole-table `update` of every customer (the 20% budget), in memory and
   in a database file, three times each;
3. opening a checkpointed database of the customers and their orders: the
   wall time of `crmql --db FILE -c "select count customers"` less that of
   the same program without the file (its start-up), three runs each.

Data is synthetic and made here (Python's standard library only), in a
temporary folder that is removed afterwards. Times depend on the disk's
fsync: on a disk whose fsync takes 4 ms, no commit can take less.
"""
import argparse
import os
import random
import shutil
import statistics
import subprocess
import tempfile
import time


def timed_statements(binary, arguments, script):
    """Runs a script with --timer; returns each statement's milliseconds."""
    result = subprocess.run([binary, *arguments, "--timer", "--format", "csv", "-c", script],
                            capture_output=True, text=True, check=True)
    return [float(line.split()[1]) for line in result.stderr.splitlines() if line.startswith("Time: ")]


def wall(binary, arguments, runs=3):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([binary, *arguments], capture_output=True, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--orders-per-customer", type=int, default=10)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="crmql-durability-")
    try:
        run(args, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(args, folder):
    binary = args.binary
    random.seed(1)
    customers_csv = os.path.join(folder, "customers.csv")
    orders_csv = os.path.join(folder, "orders.csv")
    with open(customers_csv, "w") as out:
        out.write("id,name,region,points,loyalty\n")
        regions = ["north", "south", "east", "west"]
        for number in range(1, args.customers + 1):
            out.write(f"{number},customer {number},{regions[number % 4]},{random.randrange(10000)},{random.random():.3f}\n")
    with open(orders_csv, "w") as out:
        out.write("id,customer,placed,amount\n")
        for number in range(1, args.customers * args.orders_per_customer + 1):
            out.write(f"{number},{random.randrange(1, args.customers + 1)},2026-0{random.randrange(1, 7)}-1{random.randrange(10)},"
                      f"{random.randrange(100000) / 100}\n")

    print("| measurement | in memory | database file |")
    print("|---|---|---|")

    # 1. Single-row commits.
    setup = "create entity items (id int key, qty int)\n"
    inserts = "".join(f"insert into items (id, qty) values ({n}, {n})\n" for n in range(1, 301))
    updates = "".join(f"update items set qty = qty + 1 where id = {n}\n" for n in range(1, 301))
    memory = timed_statements(binary, [], setup + inserts + updates)[1:]
    database = os.path.join(folder, "commits.crmdb")
    durable = timed_statements(binary, ["--db", database], setup + inserts + updates)[1:]
    for name, part in (("insert", slice(0, 300)), ("update", slice(300, 600))):
        print(f"| single-row {name}, median (p95) | {statistics.median(memory[part]):.3f} ms ({percentile(memory[part], 0.95):.3f}) "
              f"| {statistics.median(durable[part]):.3f} ms ({percentile(durable[part], 0.95):.3f}) |")

    # 2. A whole-table update.
    load = f'load customers from "{customers_csv}"\n'
    update = "update customers set points = points + 1\n"
    memory = timed_statements(binary, [], load + update * 3)[1:]
    database = os.path.join(folder, "update.crmdb")
    durable = timed_statements(binary, ["--db", database], load + update * 3)[1:]
    print(f"| update of {args.customers:,} rows, median of 3 | {statistics.median(memory):.1f} ms | {statistics.median(durable):.1f} ms "
          f"(+{(statistics.median(durable) / statistics.median(memory) - 1) * 100:.0f}%) |")

    # 3. Opening a checkpointed database.
    database = os.path.join(folder, "shop.crmdb")
    subprocess.run([binary, "--db", database, "-c",
                    f'load customers from "{customers_csv}"; '
                    'create entity orders (id int key, customer ref customers, placed date, amount number); '
                    f'load orders from "{orders_csv}"'], capture_output=True, check=True)
    size = os.path.getsize(database) / 1e6
    startup = wall(binary, ["-c", "show entities"])
    opened = wall(binary, ["--db", database, "--readonly", "-c", "select count customers"])
    print(f"| open a checkpointed database ({args.customers:,} customers, "
          f"{args.customers * args.orders_per_customer:,} orders, {size:.0f} MB), median of 3 | — | {opened - startup:.0f} ms |")


if __name__ == "__main__":
    main()
