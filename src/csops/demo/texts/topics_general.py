"""Support topics about workflows, data, bugs, feedback and how-to questions."""

from __future__ import annotations

from csops.demo.texts.topic import Topic

GENERAL_TOPICS: tuple[Topic, ...] = (
    Topic(
        "workflow_stuck",
        "Workflows & alerts",
        3.0,
        "high",
        ("Workflow stuck", "Automation not running", "Workflow failed silently"),
        (
            "Our '{report} refresh' workflow has been stuck in 'running' since {when}.",
            "A workflow that emails the {team} team didn't run this morning and shows no error.",
            "Workflows run twice since we changed the schedule.",
        ),
        (
            "A workflow waiting on a disconnected source stays 'running' until the source "
            "times out. Cancel the run under Workflows → History, reconnect the source and "
            "re-run. Double runs come from two overlapping schedules; keep one trigger.",
        ),
        min_tier=1,
    ),
    Topic(
        "alert_emails",
        "Workflows & alerts",
        3.0,
        "normal",
        ("Alert emails not received", "Not getting notifications", "Too many alert emails"),
        (
            "I set up an alert on {report} but never get the email.",
            "Half of our team stopped receiving alert notifications.",
            "How do I stop getting an alert email for every small change?",
        ),
        (
            "Alert emails come from alerts@lumora.io; ask IT to allowlist it. Each user can "
            "choose instant or daily digest delivery under Profile → Notifications, which also "
            "stops an email per change.",
        ),
    ),
    Topic(
        "duplicate_records",
        "Data",
        2.0,
        "normal",
        ("Duplicate records", "Rows imported twice", "Duplicates after sync"),
        (
            "After the last import every record appears twice in {report}.",
            "We see duplicate customers since connecting {integration}.",
        ),
        (
            "Duplicates appear when the same data arrives through two sources. Set a unique "
            "key on the source (Data → Sources → Keys) and run 'Re-sync'; existing duplicates "
            "are merged on the next sync.",
        ),
    ),
    Topic(
        "bulk_import",
        "Data",
        2.0,
        "normal",
        ("Bulk import users", "Import CSV of records", "Upload file fails"),
        (
            "We want to import {n} users from a CSV instead of inviting them one by one.",
            "Uploading our CSV fails with '{error}'.",
        ),
        (
            "Admins can bulk-invite under Settings → Users → Import (CSV with an email column, "
            "up to 5,000 rows). File uploads fail when the file isn't UTF-8 or exceeds 200 MB; "
            "split large files.",
        ),
    ),
    Topic(
        "mobile_app_crash",
        "Bug",
        1.0,
        "high",
        ("Mobile app crashes", "iOS app crashing on launch", "App closes after update"),
        (
            "Since updating the app {when}, it crashes as soon as I open it on {device}.",
            "The mobile app closes immediately after login. Reinstalling didn't help.",
            "Several people on our {team} team report the Android app crashing.",
        ),
        (
            "Version 5.12 of the mobile app had a crash on start-up for some devices; 5.12.1 "
            "fixes it and is rolling out now. Update from the app store, or sign in on the web "
            "until the update reaches you.",
        ),
        emerging_days=30,
    ),
    Topic(
        "outage_errors",
        "Bug",
        1.8,
        "urgent",
        ("500 errors everywhere", "Lumora is down", "Can't load anything", "Service unavailable"),
        (
            "Every page gives a 500 error right now. Is Lumora down?",
            "URGENT: nobody in our company can load dashboards, we get 'service unavailable'.",
            "We're getting intermittent 502s on the API since {when}.",
        ),
        (
            "We had a partial outage affecting dashboard loading in your region; it's resolved "
            "and the post-mortem will be on status.lumora.io. Subscribe there for live updates.",
        ),
    ),
    Topic(
        "feature_request",
        "Feedback",
        4.0,
        "low",
        ("Feature request", "Suggestion: {feature}", "Would love to see this"),
        (
            "It would be great if {feature} could also do this for our {team} team.",
            "Any plans to support dark mode? Our analysts work late.",
            "Feature request: let us schedule exports to SharePoint.",
        ),
        (
            "Thanks for the suggestion, I've added it to our feedback board with your use case; "
            "the product team reviews it monthly and you'll be notified when it ships.",
        ),
    ),
    Topic(
        "how_to_filter",
        "How-to",
        3.5,
        "low",
        ("How to filter a report", "Calculated field question", "Group by week?"),
        (
            "How do I filter the {report} report to only show the {team} team?",
            "Can I create a calculated field that divides revenue by seats?",
            "Is there a way to group by week instead of day?",
        ),
        (
            "Add a filter from the report's filter bar (or pin it to the dashboard so viewers "
            "can change it). Calculated fields are under Fields → New calculated field, and "
            "the date grouping is set in the chart's X-axis menu (day, week, month).",
        ),
    ),
    Topic(
        "training_request",
        "How-to",
        2.0,
        "low",
        ("Training for new team", "Onboarding session", "Looking for tutorials"),
        (
            "We have {n} new people joining, can you run a training session?",
            "Is there a getting-started course for analysts new to Lumora?",
        ),
        (
            "Our Academy at academy.lumora.io has a 45-minute getting-started course and live "
            "webinars every Tuesday. I've also asked your CSM to schedule a session for your "
            "team.",
        ),
    ),
)
