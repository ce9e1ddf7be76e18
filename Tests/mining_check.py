#!/usr/bin/env python3
"""Checks crmql's data mining against the reference library and brute force.

    bash .ci/python Tests/mining_check.py [path/to/crmql]

On data generated here with a fixed seed:
- clusters: k-means inertia within 1% of scikit-learn's KMeans(n_init=10) on
  the same standardised inputs (StandardScaler: population deviation), for
  k = 2..6;
- classifier: the held-out AUC of the tree and of the logistic regression
  within 0.02 of DecisionTreeClassifier(max_depth=...) and
  LogisticRegression() (C = 1) fitted on the same training rows (the split
  is read from crmql: `select <model>` lists each row's held_out), and
  crmql's own AUC equal to roc_auc_score of its probabilities;
- sequences: every pattern and every count equal to a brute-force count in
  Python on a small data set, for several thresholds and lengths.
`.ci/run` runs it through `.ci/python`, whose environment holds scikit-learn.
"""
import csv
import io
import itertools
import os
import random
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_crmql(binary, script):
    """The result sets of a script, each a list of dicts of strings."""
    run = subprocess.run([binary, "--format", "csv", "-c", script], capture_output=True, text=True, check=False)
    if run.returncode != 0:
        sys.exit("crmql failed:\n" + run.stderr + "\nscript:\n" + script[:2000])
    # A result set starts at its header line (a statement's message between
    # two of them goes to standard error and leaves no empty line).
    blocks, current = [], None
    for line in run.stdout.splitlines():
        if line in HEADERS:
            current = [line]
            blocks.append(current)
        elif line.strip() and current is not None:
            current.append(line)
    return [list(csv.DictReader(io.StringIO("\n".join(b)))) for b in blocks]


HEADERS = {"parameter,value", "id,probability,predicted,actual,held_out",
           "antecedent,consequent,support,confidence,lift,count"}


def described(rows):
    return {r["parameter"]: (float(r["value"]) if r["value"] != "" else None) for r in rows}


def make_points(path, n, seed):
    """Three blobs of customers in (a, b, c) of different scales, and a
    target that depends on them with noise."""
    import numpy as np

    rng = np.random.default_rng(seed)
    centres = np.array([[30, 2, 500], [200, 8, 3000], [90, 15, 12000]], dtype=float)
    spread = np.array([20, 1.5, 400], dtype=float)
    blob = rng.integers(0, 3, n)
    x = centres[blob] + rng.normal(0, 1, (n, 3)) * spread
    x[:, 1] = np.round(np.abs(x[:, 1]))
    z = 0.02 * (x[:, 0] - 100) - 0.3 * (x[:, 1] - 8) + rng.normal(0, 1, n)
    y = z > 0.5
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "a", "b", "c", "y"])
        for i in range(n):
            w.writerow([i + 1, repr(float(x[i, 0])), int(x[i, 1]), repr(float(x[i, 2])), "true" if y[i] else "false"])
    return x, y


def check_clusters(binary, path, x, failures):
    from sklearn.cluster import KMeans
    from sklearn.preprocessing import StandardScaler

    scaled = StandardScaler().fit_transform(x)
    script = 'create entity pts (id int key, a number, b int, c number, y bool)\nload pts from "%s"\n' % path
    ks = [2, 3, 4, 5, 6]
    for k in ks:
        script += "model m%d = clusters(pts, k: %d, on: (a, b, c))\ndescribe model m%d\n" % (k, k, k)
    results = run_crmql(binary, script)
    for k, rows in zip(ks, results):
        ours = described(rows)["inertia"]
        theirs = KMeans(n_clusters=k, n_init=10, random_state=0).fit(scaled).inertia_
        ratio = ours / theirs
        print("clusters k=%d: inertia %.4f, scikit-learn %.4f (ratio %.5f)" % (k, ours, theirs, ratio))
        if ratio > 1.01:
            failures.append("k-means k=%d inertia %.6f is more than 1%% above scikit-learn's %.6f" % (k, ours, theirs))
        if ratio < 0.99:
            # Lower is better, but so far below means the two did not fit the same inertia.
            failures.append("k-means k=%d inertia %.6f differs by more than 1%% from scikit-learn's %.6f" % (k, ours, theirs))


def check_classifier(binary, path, x, y, failures):
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier

    cases = [("tree", 4), ("tree", 2), ("logistic", None)]
    script = 'create entity pts (id int key, a number, b int, c number, y bool)\nload pts from "%s"\n' % path
    for index, (method, depth) in enumerate(cases):
        extra = ", depth: %d" % depth if depth else ""
        script += "model c%d = classifier(pts, target: y, from: (a, b, c), method: %s%s, seed: %d)\n" % (index, method, extra, index + 3)
        script += "describe model c%d\nselect c%d order by id\n" % (index, index)
    results = run_crmql(binary, script)
    for index, (method, depth) in enumerate(cases):
        params = described(results[2 * index])
        table = results[2 * index + 1]
        ids = np.array([int(r["id"]) for r in table]) - 1
        held = np.array([r["held_out"] == "true" for r in table])
        probability = np.array([float(r["probability"]) for r in table])
        actual = np.array([r["actual"] == "true" for r in table])
        if not (actual == y[ids]).all():
            failures.append("classifier %s: the actual column differs from the data" % method)
        train, test = ids[~held], ids[held]
        if method == "tree":
            model = DecisionTreeClassifier(max_depth=depth, random_state=0).fit(x[train], y[train])
            theirs = roc_auc_score(y[test], model.predict_proba(x[test])[:, 1])
        else:
            scaler = StandardScaler().fit(x[train])
            model = LogisticRegression(C=1.0, max_iter=10000, tol=1e-10).fit(scaler.transform(x[train]), y[train])
            theirs = roc_auc_score(y[test], model.predict_proba(scaler.transform(x[test]))[:, 1])
        ours = params["auc"]
        own = roc_auc_score(actual[held], probability[held])
        print("classifier %s%s: held-out AUC %.4f, scikit-learn %.4f (%d training rows, %d held out)"
              % (method, " depth %d" % depth if depth else "", ours, theirs, len(train), len(test)))
        if abs(ours - own) > 1e-12:
            failures.append("classifier %s: describe model's AUC %.12f is not the AUC of its probabilities %.12f" % (method, ours, own))
        if abs(ours - theirs) > 0.02:
            failures.append("classifier %s: held-out AUC %.4f is more than 0.02 from scikit-learn's %.4f" % (method, ours, theirs))
        accuracy = ((probability[held] >= 0.5) == actual[held]).mean()
        if abs(params["accuracy"] - accuracy) > 1e-12:
            failures.append("classifier %s: accuracy %.6f, recomputed %.6f" % (method, params["accuracy"], accuracy))


def check_sequences(binary, directory, failures):
    rng = random.Random(20261207)
    items = ["phone", "case", "charger", "cable", "screen"]
    rows = []
    histories = {}
    customers = ["c%02d" % i for i in range(60)]
    for c in customers:
        histories[c] = {}
        if rng.random() < 0.1:
            continue  # a customer with no dated events still counts
        for _ in range(rng.randint(1, 9)):
            day = rng.randint(1, 12)
            item = rng.choice(items)
            rows.append((c, "2026-01-%02d" % day, item))
            histories[c].setdefault(day, set()).add(item)
    # Customers without events appear with a null date.
    for c in customers:
        if not histories[c]:
            rows.append((c, "", rng.choice(items)))
    path = os.path.join(directory, "ev.csv")
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "who", "day", "item"])
        for i, (c, day, item) in enumerate(rows):
            w.writerow([i + 1, c, day, item])

    def contains(history, pattern):
        k = 0
        for day in sorted(history):
            if k < len(pattern) and pattern[k] in history[day]:
                k += 1
        return k == len(pattern)

    def count(pattern):
        return sum(1 for c in customers if contains(histories[c], pattern))

    n = len(customers)
    cases = [("0.05", "0", 3), ("0.1", "0.3", 2), ("0.02", "0", 4), ("0.2", "0.5", 3)]
    script = 'create entity ev (id int key, who text, day date, item text)\nload ev from "%s"\n' % path
    for support, confidence, length in cases:
        script += "select sequences(ev, item: item, who: who, at: day, support: %s, confidence: %s, length: %d)\n" % (support, confidence, length)
    results = run_crmql(binary, script)
    results += [[]] * (len(cases) - len(results))
    for (support, confidence, length), got in zip(cases, results):
        expected = {}
        for size in range(2, length + 1):
            for pattern in itertools.product(items, repeat=size):
                c = count(pattern)
                a = count(pattern[:-1])
                # Thresholds inclusive on exact counts: c/n >= s and c/a >= conf, in integers.
                s_num, s_den = int(support.replace(".", "")), 10 ** len(support.split(".")[1]) if "." in support else 1
                c_num, c_den = (int(confidence.replace(".", "")), 10 ** len(confidence.split(".")[1])) if "." in confidence else (int(confidence), 1)
                if c > 0 and c * s_den >= s_num * n and c * c_den >= c_num * a:
                    lift = (c / a) / (count(pattern[-1:]) / n)
                    expected[(" > ".join(pattern[:-1]), pattern[-1])] = (c, c / n, c / a, lift)
        actual = {(r["antecedent"], r["consequent"]): (int(r["count"]), float(r["support"]), float(r["confidence"]), float(r["lift"]))
                  for r in got}
        print("sequences support %s confidence %s length %d: %d patterns, brute force %d"
              % (support, confidence, length, len(actual), len(expected)))
        if set(actual) != set(expected):
            failures.append("sequences support %s: patterns differ: missing %s, extra %s"
                            % (support, sorted(set(expected) - set(actual))[:5], sorted(set(actual) - set(expected))[:5]))
            continue
        for key, (c, s, conf, lift) in expected.items():
            got_c, got_s, got_conf, got_lift = actual[key]
            if got_c != c or abs(got_s - s) > 1e-12 or abs(got_conf - conf) > 1e-12 or abs(got_lift - lift) > 1e-9:
                failures.append("sequences %s -> %s: %s, brute force %s" % (key[0], key[1], actual[key], (c, s, conf, lift)))
        # Ordered like rules: lift descending, then antecedent, then consequent.
        keys = [(-float(r["lift"]), r["antecedent"], r["consequent"]) for r in got]
        if keys != sorted(keys):
            failures.append("sequences support %s: rows not ordered by lift, antecedent, consequent" % support)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build", "debug", "crmql")
    if not os.path.exists(binary):
        sys.exit("no crmql binary at %s: build it first (swift build)" % binary)
    failures = []
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "pts.csv")
        x, y = make_points(path, 3000, 7)
        check_clusters(binary, path, x, failures)
        check_classifier(binary, path, x, y, failures)
        check_sequences(binary, directory, failures)
    if failures:
        print("\n".join(["FAILED:"] + failures))
        sys.exit(1)
    print("mining check: k-means, tree, logistic regression and sequences agree with scikit-learn and brute force")


if __name__ == "__main__":
    main()
