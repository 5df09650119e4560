"""Support topics about reports and integrations."""

from __future__ import annotations

from csops.demo.texts.topic import Topic

PRODUCT_TOPICS: tuple[Topic, ...] = (
    Topic(
        "csv_export_failing",
        "Reporting",
        7.5,
        "high",
        ("CSV export failing", "Export stuck at 99%", "Can't export report", "Export error"),
        (
            "Exporting the {report} report to CSV fails with '{error}'. It worked last week.",
            "The CSV export spins forever and then times out. The report has about {n} rows.",
            "Our month-end export is broken, the file downloads empty. This is blocking our close.",
            "When I export to CSV the special characters come out garbled in Excel.",
        ),
        (
            "Exports above 100k rows run in the background: you'll get an email with a "
            "download link when the file is ready. If it fails with '{error}', remove unused "
            "columns or split the date range. For Excel, open the CSV via Data → From Text and "
            "choose UTF-8 so accented characters display correctly.",
            "We found a timeout on large exports in your region and have raised the limit. "
            "Please retry the export; if it still fails, schedule it under Export → Schedule "
            "so it runs in the background and is emailed to you.",
        ),
    ),
    Topic(
        "report_timezone",
        "Reporting",
        4.0,
        "normal",
        ("Timezone wrong in reports", "Dates off by one day", "Report shows UTC"),
        (
            "All our reports show times in UTC but we're in {tz}. Dates near midnight land on "
            "the wrong day.",
            "The daily totals in {report} don't match our system, looks like a timezone issue.",
            "Changed my profile timezone but the dashboard still shows the old one.",
        ),
        (
            "Reports use the workspace timezone, not your profile's. An admin can change it "
            "under Settings → Workspace → Timezone; daily buckets are recalculated within an "
            "hour. Individual charts can override it under Chart settings → Time zone.",
        ),
    ),
    Topic(
        "dashboard_slow",
        "Reporting",
        5.0,
        "normal",
        (
            "Dashboard very slow",
            "Dashboards loading forever",
            "Performance issues",
            "Reports take minutes to load",
        ),
        (
            "The {report} dashboard takes more than a minute to load since {when}.",
            "Everything is really slow today, is there an incident?",
            "Our main dashboard with {n} charts times out on {browser}.",
        ),
        (
            "Dashboards with many charts on large date ranges are slow to compute; turning on "
            "'Cache results' (Dashboard settings) serves them instantly and refreshes hourly. "
            "You can check current incidents on status.lumora.io.",
            "We traced the slowness to a data source query scanning the full table. Adding a "
            "date filter on the source (Data → Sources → Filters) brought load time under 5 "
            "seconds in our test.",
        ),
    ),
    Topic(
        "numbers_mismatch",
        "Reporting",
        3.0,
        "high",
        (
            "Numbers don't match",
            "Revenue in dashboard differs from source",
            "Wrong totals in report",
        ),
        (
            "The revenue total in {report} is about {n}% lower than what {integration} shows.",
            "Our {team} numbers in Lumora don't match the source system for {month}.",
            "Totals changed overnight without anyone editing the report.",
        ),
        (
            "Differences like this usually come from sync timing or filters: Lumora syncs "
            "{integration} every hour and excludes deleted records. Check the report's filter "
            "panel and the 'Last synced' time on the source; a manual 'Sync now' lines it up.",
        ),
    ),
    Topic(
        "scheduled_export_missing",
        "Reporting",
        2.5,
        "normal",
        (
            "Scheduled export not received",
            "Weekly report email missing",
            "Scheduled report stopped",
        ),
        (
            "Our weekly scheduled export stopped arriving on {when}.",
            "The scheduled {report} export goes to the wrong recipients.",
        ),
        (
            "Scheduled exports pause automatically after three bounced deliveries. Open Export "
            "→ Schedules, check the recipients and click 'Resume'; you can send a test "
            "delivery right away.",
        ),
        min_tier=2,
    ),
    Topic(
        "report_sharing",
        "Reporting",
        2.0,
        "low",
        ("Share a dashboard externally", "Public link to report", "Embed a dashboard"),
        (
            "Can I share the {report} dashboard with a client who has no Lumora account?",
            "How do we embed a dashboard on our intranet?",
        ),
        (
            "Use Share → 'Create public link' (admins can disable this); links can have a "
            "password and expiry date. For the intranet use Share → Embed and paste the iframe "
            "snippet; embedded views respect the viewer's permissions.",
        ),
    ),
    Topic(
        "pdf_formatting",
        "Reporting",
        1.5,
        "low",
        ("PDF export cuts off charts", "PDF layout broken", "Print to PDF issue"),
        (
            "When I export the dashboard to PDF the right half of the charts is cut off.",
            "PDF exports have huge margins and the tables are split over pages.",
        ),
        (
            "In Export → PDF choose 'Fit to page width' and landscape orientation; tables longer "
            "than a page are continued automatically when 'Repeat headers' is on.",
        ),
    ),
    Topic(
        "api_rate_limits",
        "Integrations & API",
        4.0,
        "normal",
        ("API rate limit", "429 Too Many Requests", "Increase API limit"),
        (
            "Our nightly sync gets '429 Too Many Requests' after about {n} calls.",
            "What are the API rate limits on {plan}? We need to backfill two years of data.",
            "We keep hitting the API limit since we added the {team} integration.",
        ),
        (
            "The API allows 600 requests per minute per workspace; responses include "
            "X-RateLimit-Remaining and Retry-After headers. Use the bulk endpoints (up to 1,000 "
            "records per call) and back off on 429. For one-off backfills we can raise the "
            "limit temporarily.",
        ),
        min_tier=1,
    ),
    Topic(
        "webhook_not_firing",
        "Integrations & API",
        4.0,
        "high",
        ("Webhook not firing", "Webhooks stopped", "No webhook events received"),
        (
            "Our webhook endpoint hasn't received any events since {when}. Nothing changed on "
            "our side.",
            "Webhook deliveries show as failed with status 401 in the log.",
            "We get the 'report.updated' webhook twice for every change.",
        ),
        (
            "Webhooks are disabled after 50 consecutive failed deliveries. Fix the endpoint (a "
            "401 means the signing secret or auth header changed), then re-enable it under "
            "Settings → Webhooks and use 'Redeliver' for missed events. Duplicates are "
            "possible by design: de-duplicate on the event id.",
        ),
        min_tier=1,
    ),
    Topic(
        "salesforce_sync",
        "Integrations & API",
        5.0,
        "high",
        (
            "{integration} sync error",
            "{integration} integration disconnected",
            "Sync failing with {error}",
        ),
        (
            "The {integration} sync fails with '{error}' since {when}.",
            "Our {integration} connection shows 'disconnected' and data is {n} days old.",
            "Fields we added in {integration} don't show up in Lumora.",
        ),
        (
            "The connection's token expired, which happens when the connecting user's password "
            "changes. Reconnect under Settings → Integrations → {integration} with an admin "
            "account; the next sync backfills the gap. New custom fields appear after you click "
            "'Refresh schema'.",
        ),
    ),
    Topic(
        "slack_notifications_delayed",
        "Integrations & API",
        1.0,
        "normal",
        ("Slack notifications delayed", "Alerts arrive late in Slack", "Slack messages hours late"),
        (
            "Since {when} our Slack alerts arrive hours late, sometimes not at all.",
            "Alerts show up in email on time but the Slack ones are delayed by {n} minutes.",
            "Is something wrong with the Slack integration? Our channel got 30 alerts at once.",
        ),
        (
            "We identified a delay in our Slack delivery queue after the latest release and "
            "deployed a fix; delayed messages were delivered in a burst. If you still see "
            "delays, disconnect and reconnect Slack under Settings → Integrations.",
        ),
        emerging_days=24,
    ),
    Topic(
        "data_source_connection",
        "Integrations & API",
        4.0,
        "normal",
        ("Can't connect database", "Data source connection timeout", "{source} connection failing"),
        (
            "Connecting our {source} database times out. We allowlisted your IPs.",
            "The {source} source failed overnight with 'SSL required'.",
            "Which permissions does the database user need for {source}?",
        ),
        (
            "Check that the allowlist contains all four Lumora IP addresses listed under Data → "
            "Sources → Connection help, and enable SSL in the connection form if your server "
            "requires it. The database user needs read-only access to the schemas you sync.",
        ),
    ),
    Topic(
        "api_key_rotation",
        "Integrations & API",
        1.5,
        "normal",
        ("Rotate API key", "API key leaked", "Revoke token"),
        (
            "We accidentally committed an API key to a public repo. Please revoke it.",
            "How do we rotate API keys without downtime?",
        ),
        (
            "Create a second key under Settings → API keys, deploy it, then revoke the old one; "
            "revocation takes effect immediately. I've revoked the exposed key for you.",
        ),
        min_tier=1,
    ),
    Topic(
        "google_sheets_import",
        "Integrations & API",
        2.0,
        "low",
        ("Google Sheets import", "Sheet not updating", "Import from spreadsheet"),
        (
            "Our Google Sheets source stopped updating after we renamed a tab.",
            "Can Lumora import a spreadsheet that several people edit?",
        ),
        (
            "Sheets sources are bound to the tab name; after a rename, edit the source and "
            "pick the new tab. Shared sheets work as long as the connected Google account keeps "
            "view access.",
        ),
    ),
)
