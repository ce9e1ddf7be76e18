"""Draws the CDNOW holdout chart of the README (the BG/NBD paper's figure 4).

Fits the model with crmql on weeks 1-39 of the CDNOW sample, asks it for each
customer's expected purchases in weeks 40-78, counts the purchase days each
customer actually made then from the CSV itself, and writes an SVG of both,
averaged over customers grouped by their repeat purchases in weeks 1-39
(7 stands for 7 or more).

    python3 Examples/charts/cdnow_holdout.py .build/debug/crmql Examples/charts/cdnow-holdout.svg

Only the standard library is used.
"""
import collections
import csv
import io
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(HERE, "..", "data", "cdnow", "transactions_sample.csv")
CALIBRATION_END = "1997-09-30"

SCRIPT = f"""
load transactions from "{SAMPLE}"
set today = {CALIBRATION_END}
model cdnow = bgnbd(transactions, who: customer_id, at: date, unit: week, spend: amount)
select cdnow show id, frequency, expected_orders(cdnow, id, 39) as predicted
"""


def predictions(crmql):
    out = subprocess.run([crmql, "--format", "csv", "-c", SCRIPT], check=True, capture_output=True, text=True).stdout
    return [(row["id"], int(row["frequency"]), float(row["predicted"])) for row in csv.DictReader(io.StringIO(out))]


def holdout_days():
    days = collections.defaultdict(set)
    with open(SAMPLE, newline="") as f:
        for row in csv.DictReader(f):
            if row["date"] > CALIBRATION_END:
                days[row["customer_id"]].add(row["date"])
    return {customer: len(d) for customer, d in days.items()}


def bins(crmql):
    actual = holdout_days()
    sums = collections.defaultdict(lambda: [0, 0.0, 0.0])
    for customer, frequency, predicted in predictions(crmql):
        b = sums[min(frequency, 7)]
        b[0] += 1
        b[1] += predicted
        b[2] += actual.get(customer, 0)
    return [(x, n, p / n, a / n) for x, (n, p, a) in sorted(sums.items())]


def svg(rows):
    width, height, left, bottom, top, right = 640, 400, 60, 60, 40, 150
    plot_w, plot_h = width - left - right, height - top - bottom
    ymax = 7.0
    step = plot_w / (len(rows) - 1)

    def point(i, y):
        return left + i * step, top + plot_h * (1 - y / ymax)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
             f'<rect width="{width}" height="{height}" fill="white"/>',
             f'<text x="{left}" y="22" font-size="14">CDNOW: purchases in weeks 40-78, by purchases in weeks 1-39</text>']
    for y in range(0, int(ymax) + 1):
        _, py = point(0, y)
        parts.append(f'<line x1="{left}" y1="{py:.1f}" x2="{left + plot_w}" y2="{py:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 8}" y="{py + 4:.1f}" text-anchor="end">{y}</text>')
    for i, (x, n, _, _) in enumerate(rows):
        px, _ = point(i, 0)
        label = f"{x}+" if x == 7 else str(x)
        parts.append(f'<text x="{px:.1f}" y="{top + plot_h + 18}" text-anchor="middle">{label}</text>')
        parts.append(f'<text x="{px:.1f}" y="{top + plot_h + 32}" text-anchor="middle" fill="#777" font-size="10">n={n}</text>')
    parts.append(f'<text x="{left + plot_w / 2}" y="{height - 8}" text-anchor="middle">repeat purchases in weeks 1-39</text>')
    parts.append(f'<text transform="translate(16 {top + plot_h / 2}) rotate(-90)" text-anchor="middle">mean purchases in weeks 40-78</text>')
    for column, colour, dash, name in ((3, "#222", "", "actual"), (2, "#d62728", ' stroke-dasharray="6 4"', "BG/NBD (crmql)")):
        path = " ".join(f"{'M' if i == 0 else 'L'}{point(i, row[column])[0]:.1f},{point(i, row[column])[1]:.1f}" for i, row in enumerate(rows))
        parts.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
        for i, row in enumerate(rows):
            px, py = point(i, row[column])
            parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"/>')
        ly = top + 20 + (0 if column == 3 else 20)
        parts.append(f'<line x1="{left + plot_w + 15}" y1="{ly}" x2="{left + plot_w + 45}" y2="{ly}" stroke="{colour}" stroke-width="2"{dash}/>')
        parts.append(f'<text x="{left + plot_w + 50}" y="{ly + 4}">{name}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: cdnow_holdout.py CRMQL OUTPUT.svg")
    rows = bins(sys.argv[1])
    for x, n, p, a in rows:
        print(f"{x}: {n} customers, predicted {p:.3f}, actual {a:.3f}")
    with open(sys.argv[2], "w") as f:
        f.write(svg(rows))


if __name__ == "__main__":
    main()
