"""The Jupyter kernel, driven headless through jupyter_client: start,
execute, complete, inspect, interrupt, bad cells, and the install command."""

import json
import os
import subprocess
import sys
import time

import pytest

jupyter_client = pytest.importorskip("jupyter_client")
from jupyter_client.manager import KernelManager  # noqa: E402

import crmql.kernel  # noqa: E402


@pytest.fixture(scope="module")
def kernel_home(tmp_path_factory):
    """A Jupyter data directory holding only the CRMQL kernel spec."""
    prefix = tmp_path_factory.mktemp("jupyter")
    crmql.kernel.install(prefix=str(prefix))
    old = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(prefix / "share" / "jupyter")
    yield prefix
    if old is None:
        os.environ.pop("JUPYTER_PATH", None)
    else:
        os.environ["JUPYTER_PATH"] = old


@pytest.fixture(scope="module")
def kernel(kernel_home):
    manager = KernelManager(kernel_name="crmql")
    started = time.monotonic()
    manager.start_kernel()
    client = manager.client()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    print("kernel ready after %.2f s" % (time.monotonic() - started))
    yield manager, client
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def run(client, code, timeout=60):
    """Executes code; returns the reply's content and the iopub messages of it."""
    msg_id = client.execute(code)
    outputs = []
    while True:
        message = client.get_iopub_msg(timeout=timeout)
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
            break
        outputs.append(message)
    reply = client.get_shell_msg(timeout=timeout)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = client.get_shell_msg(timeout=timeout)
    return reply["content"], outputs


def test_kernel_spec_installed(kernel_home):
    spec = json.loads((kernel_home / "share" / "jupyter" / "kernels" / "crmql" / "kernel.json").read_text())
    assert spec["display_name"] == "CRMQL" and spec["argv"][1:3] == ["-m", "crmql.kernel"]


def test_install_command(tmp_path):
    done = subprocess.run([sys.executable, "-m", "crmql.kernel", "install", "--prefix", str(tmp_path)],
                          capture_output=True, text=True, check=True)
    assert "installed the CRMQL kernel" in done.stdout
    assert (tmp_path / "share" / "jupyter" / "kernels" / "crmql" / "kernel.json").exists()


def test_results_display_as_html_and_text(kernel):
    _, client = kernel
    reply, outputs = run(client, "select customers order by id show id, name, tier limit 3")
    assert reply["status"] == "ok"
    displays = [m["content"]["data"] for m in outputs if m["msg_type"] == "display_data"]
    assert len(displays) == 1
    assert "<table" in displays[0]["text/html"] and "<th>tier</th>" in displays[0]["text/html"]
    assert displays[0]["text/plain"].splitlines()[0].split() == ["id", "name", "tier"]
    assert "(3 rows)" in displays[0]["text/plain"]


def test_a_cell_of_several_statements_keeps_definitions(kernel):
    _, client = kernel
    reply, outputs = run(client, "define customers.vip = points > 5000\nlet vips = select customers where vip\n"
                                 "select vips show count() as n\nselect customers where vip show count() as m")
    assert reply["status"] == "ok"
    displays = [m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "display_data"]
    assert len(displays) == 2
    reply, _ = run(client, "select customers where vip show count()")
    assert reply["status"] == "ok"


def test_bad_cell_shows_caret_and_kernel_lives_on(kernel):
    _, client = kernel
    reply, outputs = run(client, "select customers limit 1\nselect customers where regoin = 'EU'")
    assert reply["status"] == "error"
    errors = [m["content"] for m in outputs if m["msg_type"] == "error"]
    assert errors and "^" in errors[0]["evalue"] and "region" in errors[0]["evalue"]
    # The error names the cell's own line 2.
    assert "cell:2:" in errors[0]["evalue"]
    reply, _ = run(client, "select customers show count()")
    assert reply["status"] == "ok"


def test_bad_kernel_commands(kernel):
    _, client = kernel
    reply, _ = run(client, ".chrat")
    assert reply["status"] == "error" and "did you mean '.chart'" in reply["evalue"]
    reply, _ = run(client, "select customers order by id show name, points limit 5\n.chart line")
    assert reply["status"] == "error"
    assert "cannot draw this result as a line chart" in reply["evalue"] and "'name'" in reply["evalue"]
    reply, _ = run(client, ".chart pie")
    assert "unknown chart kind 'pie'" in reply["evalue"]
    reply, _ = run(client, ".chart fnnel")
    assert "did you mean 'funnel'?" in reply["evalue"]
    reply, _ = run(client, ".help")
    assert reply["status"] == "ok"


def test_chart_shows_svg_with_a_text_twin(kernel):
    _, client = kernel
    reply, outputs = run(client, "select customers group by stage show stage, count() as customers\n.chart funnel")
    assert reply["status"] == "ok"
    charts = [m["content"]["data"] for m in outputs
              if m["msg_type"] == "display_data" and "image/svg+xml" in m["content"]["data"]]
    assert len(charts) == 1
    assert "<svg" in charts[0]["image/svg+xml"] and "prospect" in charts[0]["image/svg+xml"]
    assert "prospect" in charts[0]["text/plain"]
    # Without a kind the engine picks one: line along the periods of retention(...).
    reply, outputs = run(client, "select retention(orders, every: quarter, from: 2025-01-01) show period, churn_rate\n.chart")
    assert reply["status"] == "ok"


def test_completion(kernel):
    _, client = kernel
    code = "select customers where st"
    client.complete(code, len(code))
    reply = client.get_shell_msg(timeout=30)["content"]
    assert "stage" in reply["matches"]
    assert reply["cursor_start"] == len("select customers where ")
    code = "select customers\n.chart b"
    client.complete(code, len(code))
    reply = client.get_shell_msg(timeout=30)["content"]
    assert reply["matches"] == ["bar"]


def test_inspection_shows_a_measure_definition(kernel):
    _, client = kernel
    code = "select customers show churn_risk"
    client.inspect(code, len(code) - 3)
    reply = client.get_shell_msg(timeout=30)["content"]
    assert reply["found"]
    assert reply["data"]["text/plain"].startswith("define customers.churn_risk = ")


def test_interrupt_stops_a_long_statement(kernel, slow_load):
    manager, client = kernel
    msg_id = client.execute(slow_load)
    time.sleep(1.0)
    manager.interrupt_kernel()
    reply = client.get_shell_msg(timeout=60)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = client.get_shell_msg(timeout=60)
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "InterruptedError"
    reply, _ = run(client, "select customers show count()")
    assert reply["status"] == "ok"


def test_kernel_starts_quickly(kernel_home):
    manager = KernelManager(kernel_name="crmql")
    started = time.monotonic()
    manager.start_kernel()
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        ready = time.monotonic() - started
        reply, outputs = run(client, "select customers show count()")
        answered = time.monotonic() - started
        assert reply["status"] == "ok"
        print("kernel ready after %.2f s, first demo result after %.2f s" % (ready, answered))
        # TUNING: the bounds allow for a busy shared test machine; an idle
        # one is ready in well under a second (the README's figure).
        assert ready < 10.0 and answered < 20.0
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
