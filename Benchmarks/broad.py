"""The broad workload: what analysts ask of a CRM, beside the ten queries.

    bench.py --workload broad ...   (run.sh --workload broad)

Each entry gives a name, the CRMQL, the same question in DuckDB's SQL
(`sqlite_sql` turns it into SQLite's), whether the answer's row order is
part of it, its kind and the tables it reads:

- "query": a warm-up run, then timed runs (the median is reported);
- "cold": the first query after a load. crmql loads the data afresh before
  each run (untimed), so the prelude measures it needs are computed inside
  the timed run; SQLite and DuckDB keep no results between runs, so their
  cold entries are timed like any query;
- "statement": update, export or save, whose answer is a count: the rows
  changed, the rows in the file written, the customers in the snapshot.

The SQL says what the CRMQL says. Money is summed in whole cents where a
ranking or a threshold depends on it (crmql adds money exactly), `today` is
2026-06-30, text search ignores case as `contains`/`starts with`/`ends
with` do, and `order by` ties fall back to insertion order (id).
"""
import re

TODAY = "DATE '2026-06-30'"

# Per-customer order totals, the base of every prelude measure.
ORDER_TOTALS = """ol AS (
  SELECT customer, sum(amount) AS revenue, sum(CAST(round(amount * 100) AS BIGINT)) AS revenue_c,
         sum(CAST(round(cost * 100) AS BIGINT)) AS cost_c, count(DISTINCT basket) AS order_count,
         min(placed) AS first_order, max(placed) AS last_order
  FROM orders GROUP BY customer)"""

# Customers with the stored measures of the prelude (no population ones).
BASE = """base AS (
  SELECT c.*, coalesce(ol.revenue, 0) AS revenue, coalesce(ol.revenue_c, 0) AS revenue_c,
         coalesce(ol.order_count, 0) AS order_count, ol.first_order, ol.last_order,
         DAYS(""" + TODAY + """, ol.last_order) AS recency,
         coalesce(ol.revenue_c, 0) - coalesce(ol.cost_c, 0) - coalesce(CAST(round(c.service_cost * 100) AS BIGINT), 0) AS value_c
  FROM customers c LEFT JOIN ol ON ol.customer = c.id)"""

# quintile(x) over the customers with orders: 1 + floor(5 * below(x) / n),
# below(x) = rank - 1 among them.
def quintile(order_by):
    return ("CASE WHEN order_count > 0 THEN 1 + (5 * (rank() OVER (PARTITION BY order_count > 0 ORDER BY %s) - 1)) "
            "// count(*) OVER (PARTITION BY order_count > 0) END" % order_by)


SCORES = """scores AS (
  SELECT base.*, %s AS r_score, %s AS f_score, %s AS m_score FROM base)""" % (
    quintile("last_order"), quintile("order_count"), quintile("revenue_c"))

SEGMENT = """CASE
    WHEN r_score >= 4 AND f_score >= 4 AND m_score >= 4 THEN 'champions'
    WHEN f_score >= 4 THEN 'loyal'
    WHEN r_score <= 2 AND f_score >= 3 THEN 'at_risk'
    WHEN r_score <= 2 AND f_score <= 2 THEN 'hibernating'
    WHEN r_score >= 4 AND f_score <= 1 THEN 'new'
    WHEN r_score >= 3 AND f_score <= 2 THEN 'promising'
    WHEN r_score IS NOT NULL THEN 'needs_attention' END"""

# share_above(value): the positive value ranked above (value desc, ties by
# id), against all positive value; in cents, so no rounding decides.
VALUE_CLASS = """classes AS (
  SELECT base.*,
    coalesce(sum(CASE WHEN value_c > 0 THEN value_c ELSE 0 END)
             OVER (ORDER BY value_c DESC, id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS above_c,
    sum(CASE WHEN value_c > 0 THEN value_c ELSE 0 END) OVER () AS total_c
  FROM base)"""
VALUE_CLASS_CASE = """CASE WHEN value_c <= 0 THEN 'small' WHEN above_c < 0.8 * total_c THEN 'key'
    WHEN above_c < 0.95 * total_c THEN 'ordinary' ELSE 'small' END"""

COMPLAINTS = """io AS (SELECT customer, count(*) AS complaints_open FROM interactions
  WHERE kind = 'complaint' AND outcome = 'open' GROUP BY customer)"""

CHURN = """CASE WHEN order_count < 2 OR last_order = first_order THEN NULL
    WHEN coalesce(io.complaints_open, 0) > 0
      THEN greatest(0.5, 1 - exp(-recency / (2 * (DAYS(last_order, first_order) / (order_count - 1.0)))))
    ELSE 1 - exp(-recency / (2 * (DAYS(last_order, first_order) / (order_count - 1.0)))) END"""


def with_(*parts):
    return "WITH " + ",\n".join(parts) + "\n"


RFM = with_(ORDER_TOTALS, BASE, SCORES)

# The prelude measures: each is timed cold (the first query after a load)
# and warm. (name, CRMQL, SQL, ordered)
MEASURES = [
    ("revenue",
     "select customers group by tier show tier, sum(revenue), avg(revenue)",
     with_(ORDER_TOTALS, BASE) + "SELECT tier, sum(revenue), avg(revenue) FROM base GROUP BY tier",
     False),
    ("order_count",
     "select customers group by stage show stage, avg(order_count), max(order_count)",
     with_(ORDER_TOTALS, BASE) + "SELECT stage, avg(order_count), max(order_count) FROM base GROUP BY stage",
     False),
    ("first_order",
     "select customers where first_order >= 2026-01-01 group by region show region, count()",
     with_(ORDER_TOTALS, BASE) + "SELECT region, count(*) FROM base WHERE first_order >= DATE '2026-01-01' GROUP BY region",
     False),
    ("last_order",
     "select customers group by year(last_order) as y show y, count()",
     with_(ORDER_TOTALS, BASE) + "SELECT YEAR(last_order) AS y, count(*) FROM base GROUP BY YEAR(last_order)",
     False),
    ("recency",
     "select count customers where recency <= 30",
     with_(ORDER_TOTALS, BASE) + "SELECT count(*) FROM base WHERE recency <= 30",
     False),
    ("satisfaction",
     "select customers group by region show region, avg(satisfaction)",
     "SELECT region, avg(perceived / expected) FROM customers GROUP BY region",
     False),
    ("value",
     "select customers order by value desc limit 10 show id, value",
     with_(ORDER_TOTALS, BASE) + "SELECT id, value_c / 100.0 FROM base ORDER BY value_c DESC, id LIMIT 10",
     True),
    ("r_score",
     "select customers group by r_score show r_score, count()",
     RFM + "SELECT r_score, count(*) FROM scores GROUP BY r_score",
     False),
    ("f_score",
     "select customers group by f_score show f_score, count()",
     RFM + "SELECT f_score, count(*) FROM scores GROUP BY f_score",
     False),
    ("m_score",
     "select customers group by m_score show m_score, count()",
     RFM + "SELECT m_score, count(*) FROM scores GROUP BY m_score",
     False),
    ("rfm",
     "select customers group by rfm show rfm, count() as n order by n desc, rfm limit 10",
     RFM + "SELECT CAST(r_score AS VARCHAR) || CAST(f_score AS VARCHAR) || CAST(m_score AS VARCHAR) AS rfm, count(*) AS n "
           "FROM scores GROUP BY rfm ORDER BY n DESC, rfm NULLS LAST LIMIT 10",
     True),
    ("rfm_segment",
     "select customers group by rfm_segment show rfm_segment, count()",
     RFM + "SELECT " + SEGMENT + " AS segment, count(*) FROM scores GROUP BY segment",
     False),
    ("value_class",
     "select customers group by value_class show value_class, count(), sum(value)",
     with_(ORDER_TOTALS, BASE, VALUE_CLASS) + "SELECT " + VALUE_CLASS_CASE + " AS class, count(*), sum(value_c) / 100.0 "
     "FROM classes GROUP BY class",
     False),
    ("complaints_open",
     "select count customers where complaints_open > 0",
     "SELECT count(DISTINCT customer) FROM interactions WHERE kind = 'complaint' AND outcome = 'open'",
     False),
    ("churn_risk",
     "select customers where churn_risk is not null group by stage show stage, count(), avg(churn_risk)",
     with_(ORDER_TOTALS, BASE, COMPLAINTS) + "SELECT stage, count(*), avg(risk) FROM (SELECT stage, " + CHURN +
     " AS risk FROM base LEFT JOIN io ON io.customer = base.id) WHERE risk IS NOT NULL GROUP BY stage",
     False),
]

# Customers over time. A month is numbered year * 12 + month - 1
# (MONTHIDX), so both engines count months in integers and step through
# them with a recursive CTE; MONTHDATE turns a number back into the
# month's first day. Empty months are rows, as `retention` gives them.
EVENT_MONTHS = """RECURSIVE ev AS (SELECT DISTINCT customer, MONTHIDX(placed) AS m FROM orders),
  firsts AS (SELECT customer, min(m) AS fm FROM ev GROUP BY customer)"""

RETENTION_MONTH = "WITH " + EVENT_MONTHS + """,
  ks(k) AS (SELECT min(m) FROM ev UNION ALL SELECT k + 1 FROM ks WHERE k < (SELECT max(m) FROM ev)),
  act AS (SELECT m, count(*) AS active FROM ev GROUP BY m),
  nw AS (SELECT fm AS m, count(*) AS new FROM firsts GROUP BY fm),
  ret AS (SELECT a.m, count(*) AS retained FROM ev a JOIN ev b ON b.customer = a.customer AND b.m = a.m - 1 GROUP BY a.m),
  t AS (SELECT k, coalesce(act.active, 0) AS active, coalesce(nw.new, 0) AS new, coalesce(p.active, 0) AS active_prev,
               coalesce(ret.retained, 0) AS retained
        FROM ks LEFT JOIN act ON act.m = k LEFT JOIN act p ON p.m = k - 1 LEFT JOIN nw ON nw.m = k LEFT JOIN ret ON ret.m = k)
SELECT MONTHDATE(k) AS period, active, new, active_prev, retained, active_prev - retained AS lost,
       active - new - retained AS "returning",
       CASE WHEN active_prev > 0 THEN retained * 1.0 / active_prev END AS retention_rate,
       CASE WHEN active_prev > 0 THEN (active_prev - retained) * 1.0 / active_prev END AS churn_rate,
       CASE WHEN active_prev > 0 THEN new * 1.0 / active_prev END AS growth_rate,
       CASE WHEN active_prev > 0 THEN active * 1.0 / active_prev - 1 END AS net_growth
FROM t ORDER BY k"""

COHORTS_MONTH = "WITH " + EVENT_MONTHS + """,
  cs AS (SELECT fm AS cohort, count(*) AS customers FROM firsts GROUP BY fm),
  grid(cohort, customers, k) AS (SELECT cohort, customers, 0 FROM cs
        UNION ALL SELECT cohort, customers, k + 1 FROM grid WHERE cohort + k < (SELECT max(m) FROM ev)),
  act AS (SELECT f.fm AS cohort, e.m - f.fm AS k, count(*) AS active FROM ev e JOIN firsts f ON f.customer = e.customer
          GROUP BY f.fm, e.m - f.fm)
SELECT MONTHDATE(grid.cohort) AS cohort, grid.k AS period, grid.customers, coalesce(act.active, 0) AS active,
       coalesce(act.active, 0) * 1.0 / grid.customers AS rate
FROM grid LEFT JOIN act ON act.cohort = grid.cohort AND act.k = grid.k ORDER BY grid.cohort, grid.k"""


def rfm_states(day, tag):
    """Each customer's rfm_segment as of `day`: orders after it unseen,
    `today` that day (recency orders as last_order does)."""
    return """ol_%(t)s AS (SELECT customer, sum(CAST(round(amount * 100) AS BIGINT)) AS revenue_c,
         count(DISTINCT basket) AS order_count, max(placed) AS last_order
  FROM orders WHERE placed <= DATE '%(d)s' GROUP BY customer),
  b_%(t)s AS (SELECT c.id, coalesce(o.order_count, 0) AS order_count, o.last_order, coalesce(o.revenue_c, 0) AS revenue_c
  FROM customers c LEFT JOIN ol_%(t)s o ON o.customer = c.id),
  s_%(t)s AS (SELECT id, %(r)s AS r_score, %(f)s AS f_score, %(m)s AS m_score FROM b_%(t)s),
  st_%(t)s AS (SELECT id, %(seg)s AS state FROM s_%(t)s)""" % {
        "t": tag, "d": day, "r": quintile("last_order"), "f": quintile("order_count"), "m": quintile("revenue_c"),
        "seg": SEGMENT}


TRANSITIONS_RFM = "WITH " + rfm_states("2025-12-31", "a") + ",\n  " + rfm_states("2026-06-30", "b") + """
SELECT a.state AS from_state, b.state AS to_state, count(*) AS count,
       count(*) * 1.0 / sum(count(*)) OVER (PARTITION BY a.state) AS share
FROM st_a a JOIN st_b b ON b.id = a.id GROUP BY a.state, b.state"""

TIMELINE = [
    ("retention_month", "select retention(orders, every: month)", RETENTION_MONTH, True),
    ("cohorts_month", "select cohorts(orders, every: month)", COHORTS_MONTH, True),
    ("transitions_rfm", "select transitions(customers, of: rfm_segment, from: 2025-12-31, to: 2026-06-30)",
     TRANSITIONS_RFM, False),
]

# Everything else an analyst asks. (name, CRMQL, SQL, ordered)
QUERIES = [
    # Population functions.
    ("pop_ntile",
     "select count customers where ntile(points, 10) = 10",
     "SELECT count(*) FROM (SELECT 1 + (10 * (rank() OVER (ORDER BY points) - 1)) // count(*) OVER () AS decile "
     "FROM customers WHERE points IS NOT NULL) WHERE decile = 10",
     False),
    ("pop_rank_by",
     "select customers where rank(points, by: region) <= 3 show region, id, points order by region, points desc",
     "SELECT region, id, points FROM (SELECT region, id, points, rank() OVER (PARTITION BY region ORDER BY points DESC) AS r "
     "FROM customers WHERE points IS NOT NULL) WHERE r <= 3 ORDER BY region, points DESC, id",
     True),
    ("pop_share",
     "select customers group by region show region, sum(share(points))",
     "SELECT region, sum(points) * 1.0 / (SELECT sum(points) FROM customers) FROM customers GROUP BY region",
     False),
    ("pop_percent_rank",
     "select customers where percent_rank(service_cost) >= 0.9 group by kind show kind, count()",
     "SELECT kind, count(*) FROM (SELECT kind, percent_rank() OVER (ORDER BY service_cost) AS p FROM customers "
     "WHERE service_cost IS NOT NULL) WHERE p >= 0.9 GROUP BY kind",
     False),
    ("pop_running_sum",
     "select orders where customer <= 20 show id, customer, placed, amount, running_sum(amount, order: placed, by: customer)",
     "SELECT id, customer, placed, amount, running FROM (SELECT id, customer, placed, amount, "
     "sum(amount) OVER (PARTITION BY customer ORDER BY placed, id ROWS UNBOUNDED PRECEDING) AS running FROM orders) "
     "WHERE customer <= 20 ORDER BY id",
     True),
    # count(distinct).
    ("distinct_by_group",
     "select orders group by category show category, count(distinct customer)",
     "SELECT category, count(DISTINCT customer) FROM orders GROUP BY category",
     False),
    ("distinct_whole",
     "select orders show count(distinct product), count(distinct basket), count(distinct customer)",
     "SELECT count(DISTINCT product), count(DISTINCT basket), count(DISTINCT customer) FROM orders",
     False),
    # Sorts and top-k on fields without an index.
    ("topk_unindexed",
     "select customers order by service_cost desc nulls last limit 10 show id, name, service_cost",
     "SELECT id, name, service_cost FROM customers ORDER BY service_cost DESC NULLS LAST, id LIMIT 10",
     True),
    ("topk_order_lines",
     "select orders order by amount desc limit 100 show id, customer, amount",
     "SELECT id, customer, amount FROM orders ORDER BY amount DESC, id LIMIT 100",
     True),
    ("topk_filtered_lines",
     "select orders where category = laptops and placed >= 2026-01-01 order by amount desc limit 100 show id, amount",
     "SELECT id, amount FROM orders WHERE category = 'laptops' AND placed >= DATE '2026-01-01' "
     "ORDER BY amount DESC, id LIMIT 100",
     True),
    ("sort_two_keys",
     "select customers order by expected desc, loyalty limit 20 show id, expected, loyalty",
     "SELECT id, expected, loyalty FROM customers ORDER BY expected DESC NULLS FIRST, loyalty NULLS LAST, id LIMIT 20",
     True),
    ("sort_text_offset",
     "select customers where kind = business order by name limit 20 offset 100 show id, name",
     "SELECT id, name FROM customers WHERE kind = 'business' ORDER BY name, id LIMIT 20 OFFSET 100",
     True),
    # Text search.
    ("text_starts",
     'select count customers where name starts with "acme"',
     "SELECT count(*) FROM customers WHERE name ILIKE 'acme%'",
     False),
    ("text_ends",
     'select customers where email ends with ".org" group by region show region, count()',
     "SELECT region, count(*) FROM customers WHERE email ILIKE '%.org' GROUP BY region",
     False),
    ("text_contains_email",
     'select count customers where email contains "garcia"',
     "SELECT count(*) FROM customers WHERE email ILIKE '%garcia%'",
     False),
    ("text_matches",
     'select count customers where name matches "^[A-Z][a-z]+ (Smith|Lee)$"',
     "SELECT count(*) FROM customers WHERE regexp_matches(name, '^[A-Z][a-z]+ (Smith|Lee)$')",
     False),
    ("text_enum_contains",
     'select orders where product contains "phone" group by product show product, count()',
     "SELECT product, count(*) FROM orders WHERE product ILIKE '%phone%' GROUP BY product",
     False),
    # Child aggregates with filters.
    ("child_count_filtered",
     "select count customers where count(orders where channel = web and amount > 100) >= 3",
     "SELECT count(*) FROM (SELECT customer FROM orders WHERE channel = 'web' AND amount > 100 "
     "GROUP BY customer HAVING count(*) >= 3)",
     False),
    ("child_sum_filtered_top",
     "select customers where stage = mature show id, sum(orders.amount where category = phones) as phones "
     "order by phones desc nulls last limit 10",
     "SELECT c.id, s.phones FROM customers c LEFT JOIN (SELECT customer, sum(amount) AS phones FROM orders "
     "WHERE category = 'phones' GROUP BY customer) s ON s.customer = c.id WHERE c.stage = 'mature' "
     "ORDER BY s.phones DESC NULLS LAST, c.id LIMIT 10",
     True),
    ("child_max_grouped",
     "select customers where max(interactions.score) = 5 group by tier show tier, count()",
     "SELECT c.tier, count(*) FROM customers c JOIN (SELECT customer, max(score) AS top FROM interactions "
     "GROUP BY customer) i ON i.customer = c.id WHERE i.top = 5 GROUP BY c.tier",
     False),
    ("child_exists_recent",
     "select count customers where exists(orders where category = laptops and placed in last 365 days)",
     "SELECT count(*) FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer = c.id "
     "AND o.category = 'laptops' AND o.placed BETWEEN DATE '2025-07-01' AND " + TODAY + ")",
     False),
    ("child_show_many",
     "select customers where region = overseas and kind = business show id, count(orders), max(orders.placed), "
     "avg(interactions.score) order by id limit 50",
     "SELECT c.id, coalesce(o.n, 0), o.last, i.score FROM customers c "
     "LEFT JOIN (SELECT customer, count(*) AS n, max(placed) AS last FROM orders GROUP BY customer) o ON o.customer = c.id "
     "LEFT JOIN (SELECT customer, avg(score) AS score FROM interactions GROUP BY customer) i ON i.customer = c.id "
     "WHERE c.region = 'overseas' AND c.kind = 'business' ORDER BY c.id LIMIT 50",
     True),
    # Parent navigation.
    ("parent_two_fields",
     "select orders where customer.stage = churned and customer.kind = business group by category "
     "show category, count(), sum(amount)",
     "SELECT o.category, count(*), sum(o.amount) FROM orders o JOIN customers c ON c.id = o.customer "
     "WHERE c.stage = 'churned' AND c.kind = 'business' GROUP BY o.category",
     False),
    ("parent_group_key",
     "select interactions where customer.tier = platinum and kind = complaint group by customer.region as region "
     "show region, count()",
     "SELECT c.region, count(*) FROM interactions i JOIN customers c ON c.id = i.customer "
     "WHERE c.tier = 'platinum' AND i.kind = 'complaint' GROUP BY c.region",
     False),
    ("parent_measure",
     'select orders where customer.value_class = "key" group by channel show channel, count(), sum(amount)',
     with_(ORDER_TOTALS, BASE, VALUE_CLASS) + "SELECT o.channel, count(*), sum(o.amount) FROM orders o JOIN classes k "
     "ON k.id = o.customer WHERE (" + VALUE_CLASS_CASE + ") = 'key' GROUP BY o.channel",
     False),
    # Association rules on baskets.
    ("rules_baskets",
     "select rules(orders, item: product, by: basket, support: 0.02, confidence: 0.3)",
     "RULES",
     False),
    # let chains.
    ("let_chain",
     "let big = select customers where revenue > 2000; let big_north = select big where region = north; "
     "select big_north group by tier show tier, count(), avg(loyalty)",
     with_(ORDER_TOTALS, BASE) + "SELECT tier, count(*), avg(loyalty) FROM base WHERE revenue_c > 200000 "
     "AND region = 'north' GROUP BY tier",
     False),
    ("let_reshape",
     "let spend = select orders group by customer show customer, sum(amount) as spend; "
     "select spend where spend > 10000 show count(), avg(spend)",
     "SELECT count(*), avg(spend) FROM (SELECT customer, sum(amount) AS spend FROM orders GROUP BY customer) "
     "WHERE spend > 10000",
     False),
    # Grouping by dates, statistics, having, case.
    ("trend_quarter",
     "select orders where placed >= 2024-01-01 group by year(placed) as y, quarter(placed) as q show y, q, count(), sum(amount)",
     "SELECT YEAR(placed) AS y, QUARTER(placed) AS q, count(*), sum(amount) FROM orders "
     "WHERE placed >= DATE '2024-01-01' GROUP BY y, q",
     False),
    ("last_quarter",
     "select orders where placed in last quarter group by category show category, sum(amount), avg(quantity)",
     "SELECT category, sum(amount), avg(quantity) FROM orders WHERE placed BETWEEN DATE '2026-01-01' AND DATE '2026-03-31' "
     "GROUP BY category",
     False),
    ("weekday",
     "select orders group by weekday(placed) as wd show wd, count()",
     "SELECT WEEKDAY(placed) AS wd, count(*) FROM orders GROUP BY wd",
     False),
    ("median_percentile",
     "select orders group by channel show channel, median(amount), percentile(amount, 0.9)",
     "PERCENTILES",
     False),
    ("stddev",
     "select customers group by stage show stage, stddev(loyalty), avg(loyalty)",
     "SELECT stage, stddev_samp(loyalty), avg(loyalty) FROM customers GROUP BY stage",
     False),
    ("having_top",
     "select orders group by customer show customer, count() as lines having count() > 40 order by lines desc limit 20",
     "SELECT customer, count(*) AS lines FROM orders GROUP BY customer HAVING count(*) > 40 "
     "ORDER BY lines DESC, customer LIMIT 20",
     True),
    ("case_bands",
     'select customers group by case when points >= 5000 then "high" when points >= 1000 then "mid" else "low" end as band '
     "show band, count(), avg(loyalty)",
     "SELECT CASE WHEN points >= 5000 THEN 'high' WHEN points >= 1000 THEN 'mid' ELSE 'low' END AS band, count(*), "
     "avg(loyalty) FROM customers GROUP BY band",
     False),
    ("in_between_dates",
     "select count orders where channel in (web, store) and placed between 2025-01-01 and 2025-06-30 and quantity >= 2",
     "SELECT count(*) FROM orders WHERE channel IN ('web', 'store') AND placed BETWEEN DATE '2025-01-01' "
     "AND DATE '2025-06-30' AND quantity >= 2",
     False),
    ("recent_interactions",
     "select interactions where at in last 30 days group by kind, outcome show kind, outcome, count()",
     "SELECT kind, outcome, count(*) FROM interactions WHERE \"at\" BETWEEN DATE '2026-06-01' AND " + TODAY +
     " GROUP BY kind, outcome",
     False),
    ("margin_by_product",
     "select orders group by product show product, sum(amount - cost) as margin, avg(quantity) order by margin desc limit 10",
     "SELECT product, sum(amount - cost) AS margin, avg(quantity) FROM orders GROUP BY product "
     "ORDER BY margin DESC LIMIT 10",
     True),
]

# Statements that change or write, run last in this order: each engine's
# answer is a count. `{out}` is a folder of the engine's own.
STATEMENTS = [
    ("update_tenth",
     "update customers set points = points + 1 where id % 10 = 0",
     "UPDATE customers SET points = points + 1 WHERE id % 10 = 0",
     "update"),
    ("export_customers",
     'export select customers show id, name, region, points, loyalty to "{out}/customers_export.csv"',
     "SELECT id, name, region, points, loyalty FROM customers ORDER BY id",
     "export"),
    ("save",
     'save "{out}/store.snapshot"',
     None,
     "save"),
    ("open",
     'open "{out}/store.snapshot"; select count customers',
     None,
     "open"),
]

READS = {
    "retention_month": ["orders"], "cohorts_month": ["orders"], "transitions_rfm": ["customers", "orders"],
    "revenue": ["customers", "orders"], "order_count": ["customers", "orders"],
    "first_order": ["customers", "orders"], "last_order": ["customers", "orders"],
    "recency": ["customers", "orders"], "satisfaction": ["customers"], "value": ["customers", "orders"],
    "r_score": ["customers", "orders"], "f_score": ["customers", "orders"], "m_score": ["customers", "orders"],
    "rfm": ["customers", "orders"], "rfm_segment": ["customers", "orders"], "value_class": ["customers", "orders"],
    "complaints_open": ["customers", "interactions"], "churn_risk": ["customers", "orders", "interactions"],
    "pop_ntile": ["customers"], "pop_rank_by": ["customers"], "pop_share": ["customers"],
    "pop_percent_rank": ["customers"], "pop_running_sum": ["orders"],
    "distinct_by_group": ["orders"], "distinct_whole": ["orders"],
    "topk_unindexed": ["customers"], "topk_order_lines": ["orders"], "topk_filtered_lines": ["orders"],
    "sort_two_keys": ["customers"], "sort_text_offset": ["customers"],
    "text_starts": ["customers"], "text_ends": ["customers"], "text_contains_email": ["customers"],
    "text_matches": ["customers"], "text_enum_contains": ["orders"],
    "child_count_filtered": ["customers", "orders"], "child_sum_filtered_top": ["customers", "orders"],
    "child_max_grouped": ["customers", "interactions"], "child_exists_recent": ["customers", "orders"],
    "child_show_many": ["customers", "orders", "interactions"],
    "parent_two_fields": ["orders", "customers"], "parent_group_key": ["interactions", "customers"],
    "parent_measure": ["orders", "customers"], "rules_baskets": ["orders"],
    "let_chain": ["customers", "orders"], "let_reshape": ["orders"],
    "trend_quarter": ["orders"], "last_quarter": ["orders"], "weekday": ["orders"],
    "median_percentile": ["orders"], "stddev": ["customers"], "having_top": ["orders"],
    "case_bands": ["customers"], "in_between_dates": ["orders"], "recent_interactions": ["interactions"],
    "margin_by_product": ["orders"],
    "update_tenth": ["customers"], "export_customers": ["customers"], "save": ["customers", "orders", "interactions"],
    "open": ["customers", "orders", "interactions"],
}


def rules_sql(support, confidence):
    """Association rules with one or two items on the left, as `rules(...)`
    computes them: support over distinct baskets, thresholds on exact counts."""
    return """WITH items AS (SELECT DISTINCT basket, product FROM orders),
  n AS (SELECT count(DISTINCT basket) AS baskets FROM orders),
  one AS (SELECT product AS a, count(*) AS c FROM items GROUP BY product HAVING count(*) >= %(s)s * (SELECT baskets FROM n)),
  two AS (SELECT x.product AS a, y.product AS b, count(*) AS c FROM items x JOIN items y
          ON x.basket = y.basket AND x.product < y.product
          WHERE x.product IN (SELECT a FROM one) AND y.product IN (SELECT a FROM one)
          GROUP BY x.product, y.product HAVING count(*) >= %(s)s * (SELECT baskets FROM n)),
  three AS (SELECT x.product AS a, y.product AS b, z.product AS d, count(*) AS c FROM items x
          JOIN items y ON x.basket = y.basket AND x.product < y.product
          JOIN items z ON x.basket = z.basket AND y.product < z.product
          JOIN two p ON p.a = x.product AND p.b = y.product
          JOIN two q ON q.a = y.product AND q.b = z.product
          JOIN two r ON r.a = x.product AND r.b = z.product
          GROUP BY x.product, y.product, z.product HAVING count(*) >= %(s)s * (SELECT baskets FROM n)),
  pairs AS (SELECT a AS lhs, b AS rhs, c FROM two UNION ALL SELECT b, a, c FROM two),
  triples AS (SELECT a || ', ' || b AS lhs, a AS l1, b AS l2, d AS rhs, c FROM three
              UNION ALL SELECT a || ', ' || d, a, d, b, c FROM three
              UNION ALL SELECT b || ', ' || d, b, d, a, c FROM three),
  rules AS (
    SELECT p.lhs AS antecedent, p.rhs AS consequent, p.c AS c, l.c AS lc, r.c AS rc FROM pairs p
      JOIN one l ON l.a = p.lhs JOIN one r ON r.a = p.rhs
    UNION ALL
    SELECT t.lhs, t.rhs, t.c, w.c, r.c FROM triples t JOIN two w ON w.a = t.l1 AND w.b = t.l2 JOIN one r ON r.a = t.rhs)
SELECT antecedent, consequent, c * 1.0 / (SELECT baskets FROM n) AS support, c * 1.0 / lc AS confidence,
       (c * 1.0 / lc) / (rc * 1.0 / (SELECT baskets FROM n)) AS lift, c AS count
FROM rules WHERE c >= %(c)s * lc""" % {"s": support, "c": confidence}


def percentile_sql():
    """median and percentile(…, 0.9) by linear interpolation between the
    closest ranks, with window functions both engines have."""
    def at(p):
        return ("(SELECT channel, sum(CASE WHEN k = lo THEN amount * (1 - (pos - lo)) ELSE 0 END + "
                "CASE WHEN k = lo + 1 THEN amount * (pos - lo) ELSE 0 END) AS v FROM ("
                "SELECT channel, amount, k, pos, CAST(floor(pos) AS BIGINT) AS lo FROM ("
                "SELECT channel, amount, row_number() OVER (PARTITION BY channel ORDER BY amount) - 1 AS k, "
                "%s * (count(*) OVER (PARTITION BY channel) - 1) AS pos FROM orders WHERE amount IS NOT NULL)) "
                "GROUP BY channel)" % p)
    return "SELECT m.channel, m.v, p.v FROM %s m JOIN %s p ON p.channel = m.channel" % (at(0.5), at(0.9))


def sql_text(sql):
    if sql == "RULES":
        return rules_sql(0.02, 0.3)
    if sql == "PERCENTILES":
        return percentile_sql()
    return sql


def duckdb_sql(sql):
    """The DuckDB text: the few macros spelled out."""
    sql = sql_text(sql)
    sql = re.sub(r"DAYS\(([^,()]+(?:\([^()]*\))?), ([^,()]+)\)", r"(\1 - \2)", sql)
    sql = re.sub(r"\bYEAR\(", "year(", sql)
    sql = re.sub(r"\bQUARTER\(", "quarter(", sql)
    sql = re.sub(r"\bWEEKDAY\(([^()]+)\)", r"isodow(\1)", sql)
    sql = re.sub(r"\bMONTHIDX\(([^()]+)\)", r"(year(\1) * 12 + month(\1) - 1)", sql)
    sql = re.sub(r"\bMONTHDATE\(([^()]+)\)", r"make_date(CAST(\1 // 12 AS INTEGER), CAST(\1 % 12 + 1 AS INTEGER), 1)", sql)
    return sql


def sqlite_sql(sql):
    """The SQLite text: dates are ISO text, `LIKE` ignores ASCII case, `/` of
    integers is integer division, `regexp` is the module's function."""
    sql = sql_text(sql)
    sql = re.sub(r"DAYS\(([^,()]+(?:\([^()]*\))?), ([^,()]+)\)", r"CAST(julianday(\1) - julianday(\2) AS INTEGER)", sql)
    sql = re.sub(r"DATE '(\d{4}-\d\d-\d\d)'", r"'\1'", sql)
    sql = re.sub(r"\bMONTHIDX\(([^()]+)\)",
                 r"(CAST(strftime('%Y', \1) AS INTEGER) * 12 + CAST(strftime('%m', \1) AS INTEGER) - 1)", sql)
    sql = re.sub(r"\bMONTHDATE\(([^()]+)\)", r"printf('%04d-%02d-01', \1 / 12, \1 % 12 + 1)", sql)
    sql = re.sub(r"\bYEAR\(([^()]+)\)", r"CAST(strftime('%Y', \1) AS INTEGER)", sql)
    sql = re.sub(r"\bQUARTER\(([^()]+)\)", r"((CAST(strftime('%m', \1) AS INTEGER) + 2) / 3)", sql)
    sql = re.sub(r"\bWEEKDAY\(([^()]+)\)", r"((CAST(strftime('%w', \1) AS INTEGER) + 6) % 7 + 1)", sql)
    sql = sql.replace(" // ", " / ").replace("ILIKE", "LIKE").replace("greatest(", "max(")
    sql = sql.replace("AS VARCHAR", "AS TEXT")
    sql = re.sub(r"stddev_samp\((\w+)\)", r"sqrt((sum(\1 * \1) - sum(\1) * sum(\1) / count(\1)) / (count(\1) - 1))", sql)
    sql = re.sub(r"regexp_matches\((\w+), ('[^']*')\)", r"\1 REGEXP \2", sql)
    return sql


def timeline_workload():
    """The customers-over-time entries alone: retention, cohorts and
    transitions beside the same questions in SQL."""
    return [{"name": name, "crmql": crmql, "sql": sql, "ordered": ordered, "kind": "query", "reads": READS[name]}
            for name, crmql, sql, ordered in TIMELINE]


def workload():
    """Entries in run order: cold measures, warm measures, the other
    queries, then the statements."""
    entries = []
    for name, crmql, sql, ordered in MEASURES:
        entries.append({"name": "cold_" + name, "crmql": crmql, "sql": sql, "ordered": ordered, "kind": "cold",
                        "reads": READS[name]})
    for name, crmql, sql, ordered in MEASURES + QUERIES + TIMELINE:
        entries.append({"name": name, "crmql": crmql, "sql": sql, "ordered": ordered, "kind": "query",
                        "reads": READS[name]})
    for name, crmql, sql, action in STATEMENTS:
        entries.append({"name": name, "crmql": crmql, "sql": sql, "ordered": False,
                        "kind": "query" if action == "open" else "statement", "action": action,
                        "reads": READS[name]})
    return entries
