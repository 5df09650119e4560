-- Subscription lines as csops knew them on day :as_of (point in time).
--
-- Which version of a line: the latest one recorded by the end of :as_of. A line first
-- recorded after :as_of (history loaded later, a back-fill) is taken as first recorded,
-- because csops holds no earlier record of it.
-- What was knowable on :as_of:
--   * a line that starts after :as_of does not exist yet;
--   * an end date after :as_of is not known yet (a cancellation may have been entered
--     later), so such a line is open as far as :as_of knows; renewal timing comes from the
--     term (start + billing period), never from a future end date.
-- end_date is exclusive, as in the data contract.
WITH ranked AS (
    SELECT
        v.*,
        ROW_NUMBER() OVER (
            PARTITION BY v.subscription_id
            ORDER BY
                CASE WHEN v.recorded_from < :as_of_end THEN 0 ELSE 1 END,
                CASE WHEN v.recorded_from < :as_of_end THEN v.version ELSE -v.version END DESC
        ) AS pick
    FROM subscription_versions AS v
)
SELECT
    subscription_id,
    account_id,
    mrr,
    start_date,
    CASE WHEN end_date <= :as_of THEN end_date END AS end_date,
    plan,
    product,
    seats,
    COALESCE(billing_period_months, 1) AS billing_period_months,
    discount,
    currency
FROM ranked
WHERE pick = 1 AND start_date <= :as_of
