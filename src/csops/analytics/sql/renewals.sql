-- Contracts up for renewal in the :within_days days after :as_of, from the lines known
-- on :as_of that are active that day.
-- A line's term ends on its known end date, or else at its next term boundary:
-- start_date + k x billing_period_months (k >= 1, the first such day after :as_of; a
-- start on the 31st renews on the last day of shorter months).
-- The lines of an account that end on the same day form one renewal.
-- A renewal conversation is a call, meeting or QBR with the account, or any CRM activity
-- whose summary mentions renewal, from 120 days before the renewal date up to :as_of.
-- `needs_conversation`: inside 90 days and no such conversation logged.
WITH active AS (
    SELECT
        l.*,
        (EXTRACT(YEAR FROM CAST(:as_of AS DATE)) - EXTRACT(YEAR FROM l.start_date)) * 12
            + EXTRACT(MONTH FROM CAST(:as_of AS DATE)) - EXTRACT(MONTH FROM l.start_date)
            AS months_elapsed
    FROM lines_known AS l
    WHERE l.start_date <= :as_of
        AND COALESCE(l.end_date, CAST('9999-12-31' AS DATE)) > :as_of
        AND l.mrr > 0
),
candidates AS (
    SELECT
        a.*,
        EXTRACT(YEAR FROM a.start_date) * 12 + EXTRACT(MONTH FROM a.start_date) - 1
            + GREATEST(FLOOR(a.months_elapsed / a.billing_period_months), 1)
            * a.billing_period_months AS month_index_0,
        EXTRACT(YEAR FROM a.start_date) * 12 + EXTRACT(MONTH FROM a.start_date) - 1
            + (GREATEST(FLOOR(a.months_elapsed / a.billing_period_months), 1) + 1)
            * a.billing_period_months AS month_index_1
    FROM active AS a
),
boundaries AS (
    SELECT
        c.*,
        MAKE_DATE(
            CAST(FLOOR(c.month_index_0 / 12) AS INTEGER),
            CAST(c.month_index_0 - FLOOR(c.month_index_0 / 12) * 12 + 1 AS INTEGER),
            1
        ) AS month_0,
        MAKE_DATE(
            CAST(FLOOR(c.month_index_1 / 12) AS INTEGER),
            CAST(c.month_index_1 - FLOOR(c.month_index_1 / 12) * 12 + 1 AS INTEGER),
            1
        ) AS month_1
    FROM candidates AS c
),
term_ends AS (
    SELECT
        b.*,
        MAKE_DATE(
            CAST(EXTRACT(YEAR FROM b.month_0) AS INTEGER),
            CAST(EXTRACT(MONTH FROM b.month_0) AS INTEGER),
            CAST(LEAST(EXTRACT(DAY FROM b.start_date), EXTRACT(DAY FROM LAST_DAY(b.month_0)))
                AS INTEGER)
        ) AS boundary_0,
        MAKE_DATE(
            CAST(EXTRACT(YEAR FROM b.month_1) AS INTEGER),
            CAST(EXTRACT(MONTH FROM b.month_1) AS INTEGER),
            CAST(LEAST(EXTRACT(DAY FROM b.start_date), EXTRACT(DAY FROM LAST_DAY(b.month_1)))
                AS INTEGER)
        ) AS boundary_1
    FROM boundaries AS b
),
line_renewals AS (
    SELECT
        t.account_id,
        t.subscription_id,
        t.plan,
        t.mrr,
        t.billing_period_months,
        COALESCE(
            t.end_date,
            CASE WHEN t.boundary_0 > :as_of THEN t.boundary_0 ELSE t.boundary_1 END
        ) AS renewal_date,
        t.end_date IS NOT NULL AS end_date_known
    FROM term_ends AS t
),
due AS (
    SELECT
        account_id,
        renewal_date,
        COUNT(*) AS lines,
        SUM(mrr) AS mrr,
        SUM(mrr) * 12 AS arr,
        MIN(plan) AS plan,
        MAX(billing_period_months) AS billing_period_months,
        MAX(CASE WHEN end_date_known THEN 1 ELSE 0 END) AS ends_on_record
    FROM line_renewals
    WHERE renewal_date <= CAST(:as_of AS DATE) + :within_days
    GROUP BY account_id, renewal_date
),
conversations AS (
    SELECT
        d.account_id,
        d.renewal_date,
        MAX(CAST(act.occurred_at AS DATE)) AS last_conversation
    FROM due AS d
    JOIN activities AS act ON act.account_id = d.account_id
    WHERE CAST(act.occurred_at AS DATE) <= :as_of
        AND CAST(act.occurred_at AS DATE) >= d.renewal_date - 120
        AND (act.kind IN ('call', 'meeting', 'qbr') OR LOWER(act.summary) LIKE '%renew%')
    GROUP BY d.account_id, d.renewal_date
)
SELECT
    d.account_id,
    a.name AS account_name,
    a.segment,
    a.owner_email AS owner,
    d.renewal_date,
    CAST(DATE_DIFF('day', CAST(:as_of AS DATE), d.renewal_date) AS INTEGER) AS days_left,
    d.lines,
    d.plan,
    d.billing_period_months,
    d.mrr,
    d.arr,
    d.ends_on_record = 1 AS ends_on_record,
    c.last_conversation,
    DATE_DIFF('day', CAST(:as_of AS DATE), d.renewal_date) <= 90 AND c.last_conversation IS NULL
        AS needs_conversation
FROM due AS d
JOIN accounts AS a ON a.account_id = d.account_id
LEFT JOIN conversations AS c
    ON c.account_id = d.account_id AND c.renewal_date = d.renewal_date
