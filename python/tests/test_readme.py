"""The README's Python blocks run, so they cannot rot."""

import re

from conftest import ROOT


# The README's Spark block (```py) needs a Spark session; the SQL
# differential test (.ci/sql-differential) makes the same call on every query.
def test_readme_python_blocks_run(capsys):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "the README shows Python"
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
    printed = capsys.readouterr().out
    assert "['bronze', 'silver', 'gold', 'platinum']" in printed
