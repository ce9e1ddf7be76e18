/// The text of `help` and `help <topic>`.
enum Help {
    static let topics: [(String, String)] = [
        ("select", """
        select <source> [as of <date>] [where <condition>] [group by <expr> [as name], ...] [having <condition>]
               [show <expr> [as name], ...] [order by <expr> [asc|desc] [nulls first|last], ...]
               [limit <n> [offset <m>]]
        Clauses may come in any order; they take effect in the order above.
        select count <source> [where ...] counts rows. as of: see help time.
          select customers where loyalty > 0.8 and stage = mature
          select customers group by value_class show value_class, count(), sum(value)
        """),
        ("functions", """
        aggregates: count() count(x) count(distinct x) sum avg min max median percentile(x, p) stddev
        over a relation: count(orders), sum(orders.amount where channel = web), exists(interactions where kind = complaint)
        population (over the whole entity, before where; by: ranks within each group):
          ntile(x, k) quintile(x) percent_rank(x) rank(x) share(x) share_above(x), e.g. rank(value, by: owner) <= 3
        running (up to and including each row in the order, ties by key):
          running_sum(x, order: o [, by: g]) running_count([x,] order: o [, by: g]) running_avg(x, order: o [, by: g])
        scalar: abs round floor ceil sqrt ln exp pow min max coalesce lower upper length trim substr if
        dates: year quarter month day weekday date days_between fiscal_year fiscal_quarter trunc format
        """),
        ("dates", """
        today, date ± 30 days (months clamp: 2026-01-31 + 1 month = 2026-02-28), date − date (days)
        x in last 30 days      today−29 .. today (today counts)
        x in next 7 days       today .. today+6
        x in this|last|next week|month|quarter|year    that whole period; weeks start on Monday
        x in last 12 months    the 12 whole months BEFORE this one; the current month is left out (as SOQL)
        x in last 12 months including this             this month and the 11 before it
        x in next 2 quarters [including this]          the 2 after this one [this one and the next]
        set fiscal_year_start = 4    x in this fiscal quarter, last 2 fiscal years, fiscal_year(x), fiscal_quarter(x)
        trunc(x, week|month|quarter|year|fiscal quarter|fiscal year)
          the first day of x's period, a date: group by trunc(placed, month). Tables show the period
          (2026-06, 2026-Q2, 2026, FY2026-Q1, FY2026; a week as its Monday); csv and json the date.
        format(x, "YYYY-MM")   YYYY year  YY 2-digit year  Q quarter  MM 01-12  M 1-12  MMM Jun  MMMM June
                               DD 01-31  D 1-31  EEE Mon  EEEE Monday  HH hour  mm minute  ss second
                               'text in single quotes' is kept; other letters are an error
        """),
        ("measures", """
        customers: revenue order_count first_order last_order recency satisfaction value
                   r_score f_score m_score rfm rfm_segment value_class complaints_open churn_risk
                   p_alive expected_orders_90d clv (from the model purchases: see help models)
        describe customers shows each definition; define customers.<name> = <expr> redefines one.
        """),
        ("statements", """
        let name = <query>            param $name = <literal>       set today = 2026-06-30
        set fiscal_year_start = 4     set number_format = readable|plain
        define entity.field = <expr>  create entity name (field type [key], ...)
        load entity from "file.csv" [with (header = true, delimiter = ",", skip_bad = false)]
        insert into entity (f, ...) values (v, ...)   update entity set f = v [where ...]
        delete entity [where ...] [cascade]           create index on entity(field)
        export <query> to "file.csv"   save "file"   open "file"   explain [analyze] <query>
        export chart bar|line|funnel|heat <query> to "file.svg"
        explain sql [postgresql|duckdb|spark] <query>   the query as one SQL statement
        describe entity   show entities   show indexes   help [topic]
        model name = bgnbd(...)   show models   describe model name   drop model name   (help models)
        set fast_paths = off          plans of general operators only (same answers, slower)
        set threads = 2               threads for big scans, groupings and measures (same answers)
        """),
        ("rules", """
        select rules(orders, item: product, by: basket [, support: 0.01] [, confidence: 0.3])
        columns: antecedent consequent support confidence lift count
        select sequences(orders, item: product [, who: customer] [, at: placed] [, support: 0.01] [, confidence: 0.1] [, length: 3])
          what customers buy on a later day: antecedent (a > b) consequent support confidence lift count
        """),
        ("time", """
        select retention(orders [where ...] [, who: customer] [, at: placed] [, every: month] [, from: d] [, to: d])
          one row per period: period active new active_prev retained lost returning
          retention_rate = retained/active_prev  churn_rate = lost/active_prev
          growth_rate = new/active_prev  net_growth = active/active_prev - 1
        select cohorts(orders, every: quarter)   cohort period customers active rate (= active/customers)
          every: week|month|quarter|year|fiscal quarter|fiscal year; active = an event in the period,
          new = the period of the customer's first event; who:/at: default to the only ref / date field
        select customers as of 2025-12-31 ...   today is that date; later child rows are invisible
        select transitions(customers, of: rfm_segment, from: 2025-12-31, to: 2026-06-30)
          from_state to_state count share (each from_state's shares sum to 1; null is a state)
        """),
        ("models", """
        model buyers = bgnbd(orders [where ...] [, who: customer] [, at: placed] [, unit: week|day] [, spend: amount])
          the BG/NBD model of repeat buying (and with spend:, the Gamma-Gamma model of spend), fitted
          now by maximum likelihood on the events up to today; kept in the session and in snapshots
        show models   describe model buyers (parameter, value)   drop model buyers
        select buyers   one row per customer: id frequency recency T monetary p_alive expected_spend
        p_alive(buyers, id)             the probability the customer is still active
        expected_orders(buyers, id, t)  repeat purchases expected in the next t weeks (days)
        expected_spend(buyers, id)      the expected spend of a purchase
        clv(buyers, id, months [, discount])  expected spend month by month, discounted (0.01 a month)
        The prelude's model purchases is fitted at first use: customers.p_alive, expected_orders_90d, clv.
        model segs = clusters(customers, k: 4, on: (recency, order_count, revenue) [, seed: 1])
          k-means on standardised inputs, best of 10 starts; cluster(segs, id); select segs: centres
        model churners = classifier(customers, target: stage = churned, from: (recency, satisfaction)
                                    [, method: tree|logistic] [, depth: 4] [, holdout: 0.2] [, seed: 1])
          describe model: accuracy precision recall auc on held-out rows, the tree's rules
          probability(churners, id)  predict(churners, id)  select churners: each row's split
        """),
    ]

    static func text(topic: String?) -> String {
        guard let topic = topic?.lowercased(), !topic.isEmpty else {
            return "CRMQL: customer analytics queries.\nTopics: " + topics.map(\.0).joined(separator: ", ")
                + "\nType 'help <topic>', e.g. 'help select'."
        }
        if let match = topics.first(where: { $0.0 == topic }) { return match.1 }
        if let suggestion = Suggestion.closest(to: topic, among: topics.map(\.0)) {
            return "no help on '\(topic)'; did you mean '\(suggestion)'?"
        }
        return "no help on '\(topic)'. Topics: " + topics.map(\.0).joined(separator: ", ")
    }
}

import CRMQLCore
