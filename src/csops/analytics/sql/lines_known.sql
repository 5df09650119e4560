-- Subscription lines as csops knew them on day :as_of (point in time).
--
-- Which version of a line: the latest one recorded by the end of :as_of. A line first
-- recorded after :as_of (history loaded later, a back-fill) is taken as first recorded,
-- because csops holds no earlier record of it.
-- What was knowable on :as_of:
--   * a line that starts after :as_of does not exist yet;
--   * an end date after :as_of is known only when the version carrying it was recorded by
--     then (a contract entered with its end date); otherwise (a back-fill) it is hidden, as
--     the cancellation may have been entered later, and the line is open as far as :as_of
--     knows. Renewal timing then comes from the term (start + billing period).
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
    CASE WHEN end_date <= :as_of OR recorded_from < :as_of_end THEN end_date END AS end_date,
    plan,
    product,
    seats,
    COALESCE(billing_period_months, 1) AS billing_period_months,
    discount,
    currency
FROM ranked
WHERE pick = 1 AND start_date <= :as_of
