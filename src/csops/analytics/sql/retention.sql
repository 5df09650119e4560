-- Revenue retention per period and group: the movements summed, and the rates.
-- (DESIGN.md "Metric definitions"; every rate is for the period as given, not annualised.)
--   GRR  = (start_mrr - churn - contraction) / start_mrr
--   NRR  = end MRR of the accounts that had MRR at the start / start_mrr
--        = (start_mrr - churn - contraction + expansion) / start_mrr
--   logo churn rate = accounts_churned / accounts_start
-- The movements reconcile: start + new + reactivation + expansion - contraction - churn = end.
SELECT
    m.period,
    m.period_start,
    m.period_end,
    g.grp,
    SUM(m.m0) AS start_mrr,
    SUM(m.m1) AS end_mrr,
    SUM(CASE WHEN m.movement = 'new' THEN m.m1 ELSE 0 END) AS new_mrr,
    SUM(CASE WHEN m.movement = 'reactivation' THEN m.m1 ELSE 0 END) AS reactivation_mrr,
    SUM(CASE WHEN m.movement = 'expansion' THEN m.m1 - m.m0 ELSE 0 END) AS expansion_mrr,
    SUM(CASE WHEN m.movement = 'contraction' THEN m.m0 - m.m1 ELSE 0 END) AS contraction_mrr,
    SUM(CASE WHEN m.movement = 'churn' THEN m.m0 ELSE 0 END) AS churn_mrr,
    COUNT(CASE WHEN m.movement = 'new' THEN 1 END) AS new_accounts,
    COUNT(CASE WHEN m.movement = 'reactivation' THEN 1 END) AS reactivation_accounts,
    COUNT(CASE WHEN m.movement = 'expansion' THEN 1 END) AS expansion_accounts,
    COUNT(CASE WHEN m.movement = 'contraction' THEN 1 END) AS contraction_accounts,
    COUNT(CASE WHEN m.movement = 'churn' THEN 1 END) AS churn_accounts,
    COUNT(CASE WHEN m.m0 > 0 THEN 1 END) AS accounts_start,
    COUNT(CASE WHEN m.m1 > 0 THEN 1 END) AS accounts_end,
    COUNT(CASE WHEN m.movement = 'churn' THEN 1 END) AS accounts_churned,
    CAST(SUM(CASE WHEN m.m0 > 0 THEN m.m1 ELSE 0 END) AS DOUBLE)
        / CAST(NULLIF(SUM(m.m0), 0) AS DOUBLE) AS nrr,
    CAST(
        SUM(m.m0)
        - SUM(CASE WHEN m.movement = 'churn' THEN m.m0 ELSE 0 END)
        - SUM(CASE WHEN m.movement = 'contraction' THEN m.m0 - m.m1 ELSE 0 END)
        AS DOUBLE
    ) / CAST(NULLIF(SUM(m.m0), 0) AS DOUBLE) AS grr,
    CAST(COUNT(CASE WHEN m.movement = 'churn' THEN 1 END) AS DOUBLE)
        / CAST(NULLIF(COUNT(CASE WHEN m.m0 > 0 THEN 1 END), 0) AS DOUBLE) AS logo_churn_rate
FROM movements AS m
JOIN account_groups AS g ON g.account_id = m.account_id
GROUP BY m.period, m.period_start, m.period_end, g.grp
