"""crmql's broad workload with one thread against more, in interleaved runs.

    python3 Benchmarks/threads.py DATA_DIR [--bin-dir .build-rel/release] [--threads 1,2] [--rounds 3]
                                  [--cold cold_revenue,...]

Runs crmql-bench over the broad workload once per thread count, round after
round (1, 2, 1, 2, ...), so that another process loading the machine weighs
on every count alike; reports each query's median over the rounds per count,
the speed-up of the last count over the first, the geometric mean of the
speed-ups, and the load average before each run. Answers are compared
between the counts (they must be the same). Needs only the standard library.
"""
import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import broad  # noqa: E402



def entries(cold):
    """The broad workload, its cold entries (each a load of its own) cut to
    those named in `cold`."""
    return [e for e in broad.workload() if e["kind"] != "cold" or e["name"] in cold]


def workload(out_dir, cold):
    import bench
    lines = ["setup\t%s\t%s" % (s.replace("create index on ", "index "), s) for s in bench.CRMQL_SETUP]
    lines += ["%s\t%s\t%s" % (e["kind"], e["name"], e["crmql"].replace("{out}", out_dir)) for e in entries(cold)]
    return "\n".join(lines) + "\n"


def run(binary, data_dir, threads, args):
    out_dir = tempfile.mkdtemp(prefix="crmql-threads-")
    try:
        command = [binary, data_dir, "--threads", str(threads), "--min-runs", str(args.min_runs),
                   "--max-runs", str(args.max_runs), "--budget-ms", str(args.budget_ms),
                   "--cold-runs", str(args.cold_runs)]
        load = os.getloadavg()[0]
        proc = subprocess.run(command, input=workload(out_dir, args.cold.split(",")), capture_output=True, text=True)
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
    if proc.returncode != 0:
        sys.exit("crmql-bench failed: %s" % proc.stderr[-2000:])
    queries = {}
    for line in proc.stdout.splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        if event.get("event") == "query":
            queries[event["name"]] = event
        elif event.get("event") == "error":
            print("  !! %s: %s" % (event.get("name"), event.get("message")), file=sys.stderr)
    print("  threads %d: load average %.2f before the run" % (threads, load), flush=True)
    return queries, load


def report(counts, samples, answers, loads, cold):
    names = [e["name"] for e in entries(cold) if all(e["name"] in samples[t] for t in counts)]
    first, last = counts[0], counts[-1]
    print("\n| query | " + " | ".join("%d thread%s ms" % (t, "" if t == 1 else "s") for t in counts) + " | speed-up |")
    print("|---|" + "---:|" * (len(counts) + 1))
    ratios = []
    for name in names:
        medians = [statistics.median(samples[t][name]) for t in counts]
        ratio = medians[0] / medians[-1] if medians[-1] > 0 else float("nan")
        ratios.append(ratio)
        print("| %s | %s | %.2f× |" % (name, " | ".join("%.3f" % m for m in medians), ratio))
    if ratios:
        geo = math.exp(sum(math.log(r) for r in ratios if r > 0) / len(ratios))
        print("\ngeometric mean speed-up of %d threads over %d: %.2f×" % (last, first, geo))
    print("load average before the runs: min %.2f, max %.2f" % (min(loads), max(loads)), flush=True)
    return [n for n in names if answers[first].get(n) != answers[last].get(n)]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data_dir")
    parser.add_argument("--bin-dir", default=".build-rel/release")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--min-runs", type=int, default=3)
    parser.add_argument("--max-runs", type=int, default=10)
    parser.add_argument("--budget-ms", type=float, default=300)
    parser.add_argument("--cold-runs", type=int, default=1)
    parser.add_argument("--cold", default="cold_revenue,cold_order_count,cold_rfm_segment,cold_value_class",
                        help="the cold entries to run (each loads the data again)")
    args = parser.parse_args()
    counts = [int(t) for t in args.threads.split(",")]
    binary = os.path.join(args.bin_dir, "crmql-bench")
    samples = {t: {} for t in counts}
    answers = {t: {} for t in counts}
    loads = []
    for round_ in range(args.rounds):
        print("round %d" % (round_ + 1), flush=True)
        for t in counts:
            queries, load = run(binary, args.data_dir, t, args)
            loads.append(load)
            for name, event in queries.items():
                samples[t].setdefault(name, []).append(event["median_ms"])
                answers[t].setdefault(name, event.get("rows"))
        if round_ + 1 < args.rounds:
            report(counts, samples, answers, loads, args.cold.split(","))
    differing = report(counts, samples, answers, loads, args.cold.split(","))
    if differing:
        print("answers differ between thread counts: %s" % ", ".join(differing))
        sys.exit(1)


if __name__ == "__main__":
    main()
