-- Logo and revenue retention by start cohort: accounts grouped by the month of their
-- first day with MRR, measured at the end of each later month (the first day of the
-- next month). `days` holds the first day of every month to measure on.
--   months_since       0 = the end of the cohort's own month
--   logo_retention     cohort accounts with MRR on measured_on / cohort accounts
--   revenue_retention  cohort MRR on measured_on / cohort MRR at months_since 0
WITH cohort AS (
    SELECT
        account_id,
        CAST(DATE_TRUNC('month', first_paid_date) AS DATE) AS cohort_month
    FROM first_paid
    WHERE first_paid_date <= :as_of
),
cohort_size AS (
    SELECT cohort_month, COUNT(*) AS cohort_accounts
    FROM cohort
    GROUP BY cohort_month
),
measured AS (
    SELECT
        s.cohort_month,
        s.cohort_accounts,
        d.day AS measured_on,
        (EXTRACT(YEAR FROM d.day) - EXTRACT(YEAR FROM s.cohort_month)) * 12
            + EXTRACT(MONTH FROM d.day) - EXTRACT(MONTH FROM s.cohort_month) - 1
            AS months_since
    FROM cohort_size AS s
    JOIN days AS d ON d.day > s.cohort_month AND d.day <= :as_of
),
retained AS (
    SELECT
        m.cohort_month,
        m.months_since,
        COUNT(p.account_id) AS accounts_retained,
        COALESCE(SUM(p.mrr), 0) AS mrr
    FROM measured AS m
    JOIN cohort AS c ON c.cohort_month = m.cohort_month
    LEFT JOIN paid_days AS p ON p.account_id = c.account_id AND p.day = m.measured_on
    GROUP BY m.cohort_month, m.months_since
)
SELECT
    m.cohort_month,
    CAST(m.months_since AS INTEGER) AS months_since,
    m.measured_on,
    m.cohort_accounts,
    r.accounts_retained,
    CAST(r.accounts_retained AS DOUBLE) / CAST(m.cohort_accounts AS DOUBLE) AS logo_retention,
    b.mrr AS start_mrr,
    r.mrr,
    CAST(r.mrr AS DOUBLE) / CAST(NULLIF(b.mrr, 0) AS DOUBLE) AS revenue_retention
FROM measured AS m
JOIN retained AS r ON r.cohort_month = m.cohort_month AND r.months_since = m.months_since
JOIN retained AS b ON b.cohort_month = m.cohort_month AND b.months_since = 0
