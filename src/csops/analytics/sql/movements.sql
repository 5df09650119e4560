-- How each account's MRR moved in each period of the input table `periods`
-- (period, period_start, period_end): m0 = MRR on period_start, m1 = MRR on period_end.
-- `days` must hold every period_start and period_end.
--   new          m0 = 0, m1 > 0, no MRR on any day before period_start
--   reactivation m0 = 0, m1 > 0, MRR on some day before period_start
--   churn        m0 > 0, m1 = 0          (amount m0)
--   contraction  0 < m1 < m0             (amount m0 - m1)
--   expansion    m1 > m0 > 0             (amount m1 - m0)
--   flat         m1 = m0 > 0
-- Days between the two ends are not looked at: an account that leaves and comes back
-- inside one period shows only its net change.
WITH ends AS (
    SELECT p.period, d.account_id, d.mrr AS m0, 0 AS m1
    FROM periods AS p
    JOIN paid_days AS d ON d.day = p.period_start
    UNION ALL
    SELECT p.period, d.account_id, 0 AS m0, d.mrr AS m1
    FROM periods AS p
    JOIN paid_days AS d ON d.day = p.period_end
),
pairs AS (
    SELECT period, account_id, SUM(m0) AS m0, SUM(m1) AS m1
    FROM ends
    GROUP BY period, account_id
)
SELECT
    pairs.period,
    p.period_start,
    p.period_end,
    pairs.account_id,
    pairs.m0,
    pairs.m1,
    CASE
        WHEN pairs.m0 = 0 AND f.first_paid_date >= p.period_start THEN 'new'
        WHEN pairs.m0 = 0 THEN 'reactivation'
        WHEN pairs.m1 = 0 THEN 'churn'
        WHEN pairs.m1 > pairs.m0 THEN 'expansion'
        WHEN pairs.m1 < pairs.m0 THEN 'contraction'
        ELSE 'flat'
    END AS movement
FROM pairs
JOIN periods AS p ON p.period = pairs.period
JOIN first_paid AS f ON f.account_id = pairs.account_id
