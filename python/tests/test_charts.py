"""Results drawn by the engine's chart renderer, from Python: SVG that
renders to a picture that is not blank, terminal text, and clear refusals."""

import io

import pytest

import crmql


def test_svg_renders_to_a_picture(db, tmp_path):
    cairosvg = pytest.importorskip("cairosvg")
    image = pytest.importorskip("PIL.Image")
    result = db.query("select customers group by tier show tier, round(avg(revenue), 2) as avg_revenue")
    svg = result.svg("bar", title="average revenue by tier")
    assert svg.lstrip().startswith(("<svg", "<?xml")) and "average revenue by tier" in svg
    png = cairosvg.svg2png(bytestring=svg.encode())
    (tmp_path / "chart.png").write_bytes(png)
    picture = image.open(io.BytesIO(png)).convert("L")
    low, high = picture.getextrema()
    assert high - low > 100, "the chart draws something on its white page"


def test_text_chart_fits_the_width(db):
    result = db.query("select customers group by stage show stage, count() as n")
    text = result.chart("funnel", width=60, unicode=False)
    assert "prospect" in text
    assert max(len(line) for line in text.splitlines()) <= 60
    assert all(ord(ch) < 128 for ch in text)


def test_default_kind_and_refusals(db):
    assert db.query("select cohorts(orders, every: quarter, from: 2025-01-01)").chart_kind == "heat"
    assert db.query("select customers group by tier show tier, count()").chart_kind == "bar"
    labels = db.query("select customers order by id show name, points limit 5")
    with pytest.raises(crmql.ProgrammingError, match="cannot draw this result as a line chart"):
        labels.svg("line")
    with pytest.raises(crmql.ProgrammingError, match="did you mean 'heat'"):
        labels.svg("hat")
