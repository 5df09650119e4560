-- The group each account is reported under when a metric is split by :group_by
-- (segment, region, owner, plan; anything else puts every account in 'all').
-- segment, region and owner come from the account as it is now (accounts are not
-- versioned); plan is the plan of the account's latest line known on :as_of (the
-- largest one when several start the same day).
WITH latest_line AS (
    SELECT
        account_id,
        plan,
        ROW_NUMBER() OVER (
            PARTITION BY account_id
            ORDER BY start_date DESC, mrr DESC, subscription_id
        ) AS pick
    FROM lines_known
    WHERE :group_by = 'plan'  -- only plan needs the lines: skip the window otherwise
)
SELECT
    a.account_id,
    COALESCE(
        CASE :group_by
            WHEN 'segment' THEN a.segment
            WHEN 'region' THEN a.region
            WHEN 'owner' THEN a.owner_email
            WHEN 'plan' THEN l.plan
            ELSE 'all'
        END,
        '(none)'
    ) AS grp
FROM accounts AS a
LEFT JOIN latest_line AS l ON l.account_id = a.account_id AND l.pick = 1
