"""Times crmql's model fits on a large data set beside the reference
libraries' fits of the same inputs, and prints the table.

    python3 Benchmarks/models.py --crmql .build-rel/release/crmql --data Benchmarks/data/1000000 [--runs 3]

Usually run through `bash Benchmarks/models.sh`, which builds crmql first.
Each run is one crmql session (`--timer`): it loads the data, then
  1. `describe model purchases`: the first use of the prelude's BG/NBD and
     Gamma-Gamma model, so its fit;
  2. `select customers order by clv desc nulls last limit 10`, twice (the second reads
     the measure computed by the first);
  3. the inputs of the mining fits computed once (the measures are kept, so
     the fits after it time the fits themselves);
  4. `clusters` (k = 5, three measures), a depth-4 `classifier` tree (four
     inputs), `sequences` (category, support 0.01) over every order line.
The first run also exports what the fits saw: the model's summary per
customer (frequency, recency, T, monetary) and the customers' inputs. The
reference fits run on those files, `runs` times each:
  - `lifetimes` (BetaGeoFitter, then GammaGammaFitter on the repeat buyers),
    in its own environment (Benchmarks/lifetimes_venv.sh);
  - scikit-learn's KMeans(n_clusters=5, n_init=10) on the same standardised
    inputs and DecisionTreeClassifier(max_depth=4) on an 80% split (.ci/python).
Each time is the median of the runs, wall and processor (user + system, all
threads) side by side; the machine may be shared, and processor time is
the steadier measure then.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TODAY = "2026-06-30"

INPUTS = "recency, order_count, revenue, satisfaction, complaints_open"
# (key, statement, what the table calls it, target in seconds or None)
STATEMENTS = [
    ("bgnbd", "describe model purchases", "fit `purchases` (BG/NBD + Gamma-Gamma)", 5.0),
    ("clv_top", "select customers order by clv desc nulls last limit 10 show id, p_alive, expected_orders_90d, clv", "`select customers order by clv desc nulls last limit 10` after the fit", 0.2),
    ("clv_top_again", "select customers order by clv desc nulls last limit 10 show id, p_alive, expected_orders_90d, clv", "the same query again", None),
    ("inputs", "select customers show " + ", ".join(f"sum({name})" for name in INPUTS.split(", ")),
     "the mining inputs computed (five measures)", None),
    ("clusters", "model segs = clusters(customers, k: 5, on: (recency, order_count, revenue))",
     "`clusters` k = 5 on three measures", 5.0),
    ("tree", "model churners = classifier(customers, target: stage = churned, "
             "from: (recency, order_count, satisfaction, complaints_open), method: tree, depth: 4)",
     "`classifier` depth-4 tree on four inputs", 5.0),
    ("sequences", "select count sequences(orders, item: category, support: 0.01)",
     "`sequences(orders, item: category, support: 0.01)`", 10.0),
]
REFERENCE = {
    "bgnbd": ("lifetimes 0.11.3: BetaGeoFitter + GammaGammaFitter", "lifetimes"),
    "clusters": ("scikit-learn KMeans(n_clusters=5, n_init=10)", "kmeans"),
    "tree": ("scikit-learn DecisionTreeClassifier(max_depth=4)", "tree"),
}


def crmql_run(crmql, data, export_dir):
    script = [s for _, s, _, _ in STATEMENTS]
    if export_dir:
        script += [
            f'export select purchases show id, frequency, recency, T, monetary to "{export_dir}/summary.csv"',
            f'export select customers show id, {INPUTS}, stage = churned as churned to "{export_dir}/inputs.csv"',
        ]
    with tempfile.NamedTemporaryFile("w", suffix=".crmql", delete=False) as f:
        f.write("\n".join(script) + "\n")
    try:
        done = subprocess.run([crmql, "--data", data, "--today", TODAY, "--format", "csv", "--timer", f.name],
                              capture_output=True, text=True)
    finally:
        os.unlink(f.name)
    if done.returncode != 0:
        sys.exit(done.stderr)
    # The loads of --data print their own times first.
    times = re.findall(r"Time: ([0-9.]+) ms \(cpu ([0-9.]+) ms\)", done.stderr)[-len(script):]
    if len(times) < len(script):
        sys.exit("crmql printed fewer times than statements:\n" + done.stderr)
    return {key: (float(wall) / 1000, float(cpu) / 1000) for (key, _, _, _), (wall, cpu) in zip(STATEMENTS, times)}, done.stdout


def reference(runner, task, path, runs):
    command = runner + [os.path.join(ROOT, "Benchmarks", "models_reference.py"), task, path, "--runs", str(runs)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        print(f"{task}: the reference fit failed:\n{done.stderr[-2000:]}", file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def median(pairs):
    return statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)


def seconds(value):
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--crmql", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-reference", action="store_true", help="time crmql only")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="crmql-models-")
    measured = {key: [] for key, _, _, _ in STATEMENTS}
    for run in range(args.runs):
        times, output = crmql_run(args.crmql, args.data, work if run == 0 else None)
        for key, pair in times.items():
            measured[key].append(pair)
        print(f"crmql run {run + 1}: " + ", ".join(f"{k} {w:.2f}/{c:.2f} s" for k, (w, c) in times.items()), file=sys.stderr)
    if output:
        print(output, file=sys.stderr)

    references = {}
    if not args.no_reference:
        lifetimes = ["bash", os.path.join(ROOT, "Benchmarks", "lifetimes_venv.sh")]
        sklearn = ["bash", os.path.join(ROOT, ".ci", "python")]
        references["bgnbd"] = reference(lifetimes, "lifetimes", os.path.join(work, "summary.csv"), args.runs)
        references["clusters"] = reference(sklearn, "kmeans", os.path.join(work, "inputs.csv"), args.runs)
        references["tree"] = reference(sklearn, "tree", os.path.join(work, "inputs.csv"), args.runs)

    print(f"crmql: median of {args.runs} runs, wall / processor (user + system); data: {args.data}\n")
    print("| fit or query | crmql wall | crmql cpu | target | reference | reference wall | reference cpu | notes |")
    print("|---|---|---|---|---|---|---|---|")
    for key, _, label, target in STATEMENTS:
        wall, cpu = median(measured[key])
        spread = f"{min(w for w, _ in measured[key]):.2f}–{max(w for w, _ in measured[key]):.2f} s wall"
        row = [label, seconds(wall), seconds(cpu), f"< {seconds(target)}" if target else ""]
        found = references.get(key)
        if key in REFERENCE and found:
            row += [REFERENCE[key][0], seconds(found["wall"]), seconds(found["cpu"]), found.get("note", "") + f"; crmql runs {spread}"]
        else:
            row += ["", "", "", f"crmql runs {spread}"]
        print("| " + " | ".join(row) + " |")
    for key, found in references.items():
        if found:
            print(f"\n{key} reference: {json.dumps(found)}")


if __name__ == "__main__":
    main()
