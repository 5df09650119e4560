-- MRR, ARR and paying accounts on day :day, per group (see account_groups).
-- ARR = 12 x MRR. When split by plan, each line counts under its own plan, so an account
-- with lines on two plans is a paying account of both.
WITH line_mrr AS (
    SELECT
        l.account_id,
        CASE WHEN :group_by = 'plan' THEN COALESCE(l.plan, '(none)') ELSE g.grp END AS grp,
        l.mrr
    FROM lines_known AS l
    JOIN account_groups AS g ON g.account_id = l.account_id
    WHERE l.start_date <= :day AND COALESCE(l.end_date, CAST('9999-12-31' AS DATE)) > :day
),
account_mrr AS (
    SELECT grp, account_id, SUM(mrr) AS mrr
    FROM line_mrr
    GROUP BY grp, account_id
    HAVING SUM(mrr) > 0
)
SELECT
    grp,
    SUM(mrr) AS mrr,
    SUM(mrr) * 12 AS arr,
    COUNT(*) AS paying_accounts
FROM account_mrr
GROUP BY grp
