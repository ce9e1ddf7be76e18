"""The example notebooks of Examples/ run from top to bottom (nbclient),
and the %%crmql cell magic returns DataFrames."""

import os

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

import crmql  # noqa: E402
import crmql.kernel  # noqa: E402
from crmql.magic import run_cell  # noqa: E402

from conftest import ROOT  # noqa: E402


@pytest.fixture(scope="module")
def jupyter_path(tmp_path_factory):
    prefix = tmp_path_factory.mktemp("jupyter")
    crmql.kernel.install(prefix=str(prefix))
    old = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(prefix / "share" / "jupyter")
    yield
    if old is None:
        os.environ.pop("JUPYTER_PATH", None)
    else:
        os.environ["JUPYTER_PATH"] = old


def execute(name):
    notebook = nbformat.read(str(ROOT / "Examples" / name), as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=300, resources={"metadata": {"path": str(ROOT)}})
    client.execute()
    return notebook


def test_the_crmql_kernel_notebook_runs(jupyter_path):
    notebook = execute("crmql-notebook.ipynb")
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code and all(c.outputs for c in code)
    assert any("text/html" in o.get("data", {}) for c in code for o in c.outputs)
    assert sum("image/svg+xml" in o.get("data", {}) for c in code for o in c.outputs) == 3
    assert not any(o.output_type == "error" for c in code for o in c.outputs)


def test_the_python_notebook_runs(jupyter_path):
    notebook = execute("crmql-pandas.ipynb")
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert not any(o.output_type == "error" for c in code for o in c.outputs)
    assert any("text/html" in o.get("data", {}) for c in code for o in c.outputs)


def test_cell_magic_returns_a_dataframe():
    namespace = {"min": 5000}
    frame = run_cell("--out big", "select customers where points >= $min show name, tier", namespace)
    assert len(frame) > 0 and list(frame.columns) == ["name", "tier"]
    assert namespace["big"] is frame
    assert list(frame["tier"].dtype.categories) == ["bronze", "silver", "gold", "platinum"]


def test_cell_magic_on_a_given_connection():
    db = crmql.connect(demo=True)
    db.run("define customers.vip = points > 5000")
    frame = run_cell("db", "select customers where vip show count() as n", {"db": db})
    assert frame["n"].iloc[0] > 0
    with pytest.raises(crmql.Error, match="no crmql.Connection"):
        run_cell("nothing", "select customers show count()", {})

