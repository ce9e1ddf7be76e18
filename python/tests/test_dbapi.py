"""The DB-API surface: connect, cursors, parameters, description, errors."""

import datetime
import threading
import time

import pytest

import crmql


def test_module_globals():
    assert crmql.apilevel == "2.0"
    assert crmql.paramstyle == "named"
    assert crmql.library_version().count(".") == 2


def test_type_objects_compare_with_description(db):
    cur = db.execute("select orders order by id show id, customer, placed, product, amount limit 1")
    types = [d[1] for d in cur.description]
    assert types[0] == crmql.NUMBER and types[1] == crmql.ROWID and types[2] == crmql.DATETIME
    assert types[3] == crmql.STRING and types[4] == crmql.NUMBER and types[3] != crmql.NUMBER
    assert crmql.Date(2026, 1, 2) == datetime.date(2026, 1, 2)


def test_execute_with_parameters_and_fetch(db):
    cur = db.cursor()
    cur.execute("select customers where points >= $min show name, points order by points desc, name", {"min": 5000})
    rows = cur.fetchall()
    assert rows, "some demo customers have 5000 points or more"
    assert all(points >= 5000 for _, points in rows)
    assert [points for _, points in rows] == sorted((p for _, p in rows), reverse=True)
    assert cur.rowcount == len(rows)
    assert [d[0] for d in cur.description] == ["name", "points"]
    assert cur.description[1][1] == "int"
    # A higher bound returns a subset, from the same prepared text.
    cur.execute("select customers where points >= $min show name, points order by points desc, name", {"min": 8000})
    assert set(cur.fetchall()) <= set(rows)


def test_fetchone_and_fetchmany(db):
    cur = db.execute("select customers order by id show id limit 5")
    assert cur.fetchone() == (1,)
    assert cur.fetchmany(2) == [(2,), (3,)]
    assert cur.fetchall() == [(4,), (5,)]
    assert cur.fetchone() is None


def test_python_types_of_cells(db):
    cur = db.execute("select customers where id = 1 show id, name, signup, tier, loyalty, points > 0 as has_points")
    (row,) = cur.fetchall()
    identifier, name, signup, tier, loyalty, has_points = row
    assert identifier == 1 and isinstance(name, str)
    assert isinstance(signup, datetime.date)
    assert tier in ("bronze", "silver", "gold", "platinum")
    assert isinstance(loyalty, float)
    assert isinstance(has_points, bool)
    assert cur.description[3][1] == "enum(bronze, silver, gold, platinum)"


def test_nulls_are_none(db):
    cur = db.execute("select customers order by id show id, recency limit 200")
    values = [recency for _, recency in cur.fetchall()]
    assert None in values, "some demo customers have no orders, so no recency"


def test_script_with_definitions_then_query(db):
    cur = db.execute("define customers.big = points > 5000\nselect customers where big show count()")
    (count,) = cur.fetchone()
    assert count == db.execute("select customers where points > 5000 show count()").fetchone()[0]


def test_run_gives_every_output(db):
    outputs = db.run("param $n = 3\nselect customers order by id show id limit $n\nexplain select customers")
    results = [o.result for o in outputs if o.result is not None]
    assert len(results) == 1 and len(results[0]) == 3
    assert any(o.text for o in outputs), "explain writes its plan as text"


def test_error_carries_caret_phase_and_offset(db):
    with pytest.raises(crmql.ProgrammingError) as caught:
        db.execute("select customers where regoin = 'EU'")
    error = caught.value
    assert error.phase == "semantic"
    assert "error:" in error.message and "^" in error.message
    assert "region" in error.message, "a did-you-mean names the field"
    assert error.offset == len("select customers where ")


def test_syntax_error(db):
    with pytest.raises(crmql.ProgrammingError) as caught:
        db.execute("select customers where")
    assert caught.value.phase == "syntax"


def test_closed_connection(db):
    db.close()
    db.close()
    with pytest.raises(crmql.InterfaceError, match="connection is closed"):
        db.execute("select customers show count()")
    with pytest.raises(crmql.InterfaceError, match="connection is closed"):
        db.cursor()


def test_wrong_parameter_type_in_python(db):
    with pytest.raises(crmql.InterfaceError, match=r"parameter \$min: cannot bind a value of type list"):
        db.execute("select customers where points >= $min show count()", {"min": [1, 2]})


def test_wrong_parameter_type_for_the_statement(db):
    with pytest.raises(crmql.Error) as caught:
        db.execute("select customers where points >= $min show count()", {"min": "many"})
    assert "^" in caught.value.message
    assert "many" not in caught.value.message, "bound values never appear in messages"


def test_unknown_parameter_name(db):
    with pytest.raises(crmql.InterfaceError, match="did you mean 'min'"):
        db.execute("select customers where points >= $min show count()", {"mni": 3})


def test_integer_too_large(db):
    with pytest.raises(crmql.InterfaceError, match="does not fit"):
        db.execute("select customers where points >= $min show count()", {"min": 2**70})


def test_dates_and_bools_bind(db):
    since = datetime.date(2025, 1, 1)
    (count,) = db.execute("select customers where signup >= $since show count()", {"since": since}).fetchone()
    (expected,) = db.execute("select customers where signup >= 2025-01-01 show count()").fetchone()
    assert count == expected


def test_result_too_large_for_the_limit():
    db = crmql.connect(demo=True, max_rows=10)
    with pytest.raises(crmql.LimitError) as caught:
        db.execute("select customers show id")
    assert caught.value.phase == "limit"
    assert len(db.query("select customers order by id show id limit 10")) == 10
    db.close()


def test_interrupt_from_another_thread(slow_load):
    db = crmql.connect(demo=True)
    try:
        timer = threading.Timer(0.3, db.interrupt)
        timer.start()
        started = time.monotonic()
        with pytest.raises(crmql.InterruptedError) as caught:
            db.execute(slow_load)
        print("interrupted after %.2f s" % (time.monotonic() - started))
        assert caught.value.phase == "interrupted"
        # The interrupted load changed nothing, and the connection goes on working.
        with pytest.raises(crmql.ProgrammingError, match="unknown entity 'big'"):
            db.execute("select big show count()")
        assert db.execute("select customers show count()").fetchone()[0] > 0
    finally:
        db.close()


def test_connect_to_a_data_directory(tmp_path):
    (tmp_path / "customers.csv").write_text("id,name\n1,Ada\n2,Grace\n")
    (tmp_path / "orders.csv").write_text("id,customer,placed,amount\n10,1,2026-01-02,5.5\n11,2,2026-01-03,7\n")
    db = crmql.connect(data=tmp_path, today="2026-06-30")
    assert db.execute("select orders order by id show customer.name").fetchall() == [("Ada",), ("Grace",)]
    db.close()


def test_snapshot_round_trip(tmp_path, db):
    path = tmp_path / "s.crmqlsnap"
    db.run('define customers.big = points > 5000\nsave "%s"' % path)
    again = crmql.connect(snapshot=path)
    assert again.execute("select customers where big show count()").fetchone() == \
        db.execute("select customers where big show count()").fetchone()
    again.close()


def test_completion_and_inspection(db):
    start, words = db.complete("select customers where st")
    assert start == len("select customers where ")
    assert "stage" in words
    _, symbols = db.complete("select customers where tier = ")
    assert symbols[:4] == ["bronze", "silver", "gold", "platinum"]
    text = db.inspect("select customers show revenue", len("select customers show rev"))
    assert text.startswith("define customers.revenue = ")
    assert "sum(orders.amount)" in text
    assert db.inspect("select customers show nothing_here") is None
