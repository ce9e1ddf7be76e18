"""The reference libraries' fits of the inputs crmql's fits saw, for
Benchmarks/models.py: prints one JSON line with the median wall and
processor (user + system, every thread) seconds of `runs` fits.

    bash Benchmarks/lifetimes_venv.sh Benchmarks/models_reference.py lifetimes SUMMARY.csv [--runs 3]
    bash .ci/python Benchmarks/models_reference.py kmeans|tree INPUTS.csv [--runs 3]

SUMMARY.csv is `select purchases show id, frequency, recency, T, monetary`
exported; INPUTS.csv the customers' recency, order_count, revenue,
satisfaction, complaints_open and churned. Only the fits are timed, not
reading the files.
"""
import argparse
import json
import statistics
import time


def timed(fit, runs):
    walls, cpus, result = [], [], None
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fit()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return {"wall": statistics.median(walls), "cpu": statistics.median(cpus), "walls": walls, "cpus": cpus}, result


def lifetimes_fit(path, runs):
    import pandas as pd
    from lifetimes import BetaGeoFitter, GammaGammaFitter

    summary = pd.read_csv(path)
    repeat = summary[(summary.frequency > 0) & (summary.monetary > 0)]

    from lifetimes.utils import ConvergenceError

    def fit():
        # lifetimes refuses a BG/NBD fit whose optimiser (BFGS) stops short
        # of its tolerance; the time of the attempt still counts, and the
        # Gamma-Gamma fit runs either way.
        try:
            bg = BetaGeoFitter().fit(summary.frequency, summary.recency, summary["T"])
        except ConvergenceError:
            bg = None
        gg = GammaGammaFitter().fit(repeat.frequency, repeat.monetary)
        return bg, gg

    times, (bg, gg) = timed(fit, runs)
    times["params"] = {k: float(v) for k, v in gg.params_.items()}
    if bg is not None:
        times["params"].update({k: float(v) for k, v in bg.params_.items()})
    times["note"] = (f"{len(summary):,} customers, {len(repeat):,} repeat buyers"
                     + ("" if bg is not None else "; BetaGeoFitter raised ConvergenceError (did not converge)"))
    return times


def mining_inputs(path, columns, target=None):
    import pandas as pd

    frame = pd.read_csv(path)
    used = frame[columns + ([target] if target else [])].dropna()
    return used


def kmeans_fit(path, runs):
    from sklearn.cluster import KMeans

    used = mining_inputs(path, ["recency", "order_count", "revenue"])
    x = used.to_numpy(dtype=float)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    times, model = timed(lambda: KMeans(n_clusters=5, n_init=10, random_state=1).fit(x), runs)
    times["inertia"] = float(model.inertia_)
    times["note"] = f"{len(x):,} rows, inertia {model.inertia_:.6g}"
    return times


def tree_fit(path, runs):
    from sklearn.model_selection import train_test_split
    from sklearn.tree import DecisionTreeClassifier

    used = mining_inputs(path, ["recency", "order_count", "satisfaction", "complaints_open"], "churned")
    x = used[["recency", "order_count", "satisfaction", "complaints_open"]].to_numpy(dtype=float)
    y = used["churned"].astype(str).str.lower().isin(["true", "1"]).to_numpy()
    train_x, _, train_y, _ = train_test_split(x, y, test_size=0.2, random_state=1)
    times, _ = timed(lambda: DecisionTreeClassifier(max_depth=4, random_state=1).fit(train_x, train_y), runs)
    times["note"] = f"{len(train_x):,} training rows"
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("task", choices=["lifetimes", "kmeans", "tree"])
    parser.add_argument("path")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    fit = {"lifetimes": lifetimes_fit, "kmeans": kmeans_fit, "tree": tree_fit}[args.task]
    print(json.dumps(fit(args.path, args.runs)))


if __name__ == "__main__":
    main()
