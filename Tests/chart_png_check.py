"""Renders the SVG charts `export chart` writes to PNG and checks that each
picture holds a drawing: not blank, with ink in several places and the
chart's colours, not only the white page and the title.

    bash .ci/python Tests/chart_png_check.py .build/debug/crmql [OUT_DIR]

OUT_DIR (default: a temporary directory) keeps the SVG and PNG files, so
that a person can look at them.
"""
import subprocess
import sys
import tempfile
from pathlib import Path

import cairosvg
from PIL import Image

CHARTS = {
    # kind, query: each kind on the result it suits (section 10 of the language).
    "bar": "select customers group by region",
    "funnel": "select customers group by stage",
    "line": "select retention(orders, every: quarter) show period, retention_rate, churn_rate",
    "heat": "select cohorts(orders, every: year)",
}


def check(png: Path, kind: str) -> list[str]:
    image = Image.open(png).convert("RGB")
    width, height = image.size
    pixels = image.load()
    ink = 0
    colours = set()
    rows_with_ink = set()
    columns_with_ink = set()
    for y in range(height):
        for x in range(width):
            r, g, b = pixels[x, y]
            if (r, g, b) != (255, 255, 255):
                ink += 1
                rows_with_ink.add(y // 20)
                columns_with_ink.add(x // 20)
            # A saturated pixel is the chart's own colour, not text or a grid line.
            if max(r, g, b) - min(r, g, b) > 60:
                colours.add((r // 32, g // 32, b // 32))
    problems = []
    share = ink / (width * height)
    if share < 0.02:
        problems.append(f"only {share:.1%} of the picture is drawn")
    if len(rows_with_ink) < height // 20 // 2 or len(columns_with_ink) < width // 20 // 2:
        problems.append("the drawing covers less than half the picture")
    if not colours:
        problems.append("no chart colour anywhere: bars, lines or cells are missing")
    print(f"{kind}: {width}x{height}, {share:.1%} drawn, {len(colours)} colour shades")
    return problems


def main() -> int:
    crmql = sys.argv[1]
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.mkdtemp(prefix="crmql-charts-"))
    out.mkdir(parents=True, exist_ok=True)
    script = "".join(f'export chart {kind} {query} to "{out / (kind + ".svg")}";\n' for kind, query in CHARTS.items())
    run = subprocess.run([crmql, "--demo", "-c", script], capture_output=True, text=True)
    if run.returncode != 0:
        print(run.stderr, file=sys.stderr)
        return 1
    failures = 0
    for kind in CHARTS:
        svg = out / f"{kind}.svg"
        png = out / f"{kind}.png"
        cairosvg.svg2png(url=str(svg), write_to=str(png))
        for problem in check(png, kind):
            print(f"{png}: {problem}", file=sys.stderr)
            failures += 1
    print(f"charts rendered to PNG in {out}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
