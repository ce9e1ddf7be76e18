"""Shared fixtures: a demo connection per test, and the repository's paths."""

from pathlib import Path

import pytest

import crmql

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db():
    connection = crmql.connect(demo=True)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def slow_load(tmp_path_factory):
    """A `load` statement that runs for seconds even in a release build
    (three million rows), for tests that interrupt it a fraction of a second
    after it starts."""
    path = tmp_path_factory.mktemp("slow") / "big.csv"
    with open(path, "w") as handle:
        handle.write("id,label,amount\n")
        handle.writelines("%d,n%d,%d.5\n" % (i, i % 1000, i % 977) for i in range(3_000_000))
    return 'load big from "%s"' % path
