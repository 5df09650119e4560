-- The first day each account had MRR > 0 (tells new business from reactivation).
-- With every line's mrr >= 0, an account has MRR on a day exactly when one of its paid
-- lines is active, so this is the earliest start of a paid line that is active at all.
SELECT
    account_id,
    MIN(start_date) AS first_paid_date
FROM lines_known
WHERE mrr > 0 AND (end_date IS NULL OR end_date > start_date)
GROUP BY account_id
