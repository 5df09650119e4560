-- MRR per account on each day of the input table `days` (column `day`), from the
-- subscription lines known on :as_of (DESIGN.md "Metric definitions"):
--   MRR on day d = sum of mrr over lines with start_date <= d and (no end_date or end_date > d).
-- Only accounts with MRR > 0 that day appear: a free line alone gives an account no MRR.
SELECT
    d.day,
    l.account_id,
    SUM(l.mrr) AS mrr
FROM days AS d
JOIN lines_known AS l
    ON l.start_date <= d.day
    AND COALESCE(l.end_date, CAST('9999-12-31' AS DATE)) > d.day
GROUP BY d.day, l.account_id
HAVING SUM(l.mrr) > 0
