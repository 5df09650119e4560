"""The small talk around a ticket: greetings, sign-offs, follow-ups, notes, slot values."""

from __future__ import annotations

GREETINGS = (
    "Hi team,",
    "Hello,",
    "Hi there,",
    "Hi Lumora support,",
    "Hey,",
    "Good morning,",
    "Dear support team,",
    "Hi all,",
    "Hello support,",
    "",
)
CLOSINGS = (
    "Thanks,",
    "Thanks in advance,",
    "Best,",
    "Kind regards,",
    "Cheers,",
    "Thank you!",
    "Many thanks,",
    "Regards,",
    "Appreciate the help,",
    "",
)
URGENCY = (
    "This is blocking our month-end close.",
    "Our CEO needs this for tomorrow's board deck.",
    "Several people are affected.",
    "We have a client demo this afternoon.",
    "Not urgent, but would be good to fix this week.",
)
CONTEXT = (
    "We're on the {plan} plan with {seats} seats.",
    "It started {when}.",
    "Tried it in {browser} and got the same result.",
    "A colleague ({colleague}) sees the same thing.",
    "Nothing changed on our side as far as I know.",
    "Screenshot attached.",
)
PII_LINES = (
    "You can reach me on {phone} if a call is easier.",
    "Please also keep {colleague_email} in the loop.",
    "My direct line is {phone}.",
    "Best to call me at {phone} between 9 and 5.",
    "For reference our customer {customer_email} reported it first.",
)
SIGNATURES = (
    "{first}",
    "{first} {last}",
    "{first} {last}\n{title}, {company}",
    "{first}\n{title} | {company}\n{phone}",
    "– {first}",
    "{first} {last}\n{company}",
)
TITLES = (
    "Operations Manager",
    "Head of Finance",
    "Data Analyst",
    "IT Administrator",
    "Revenue Operations Lead",
    "Marketing Manager",
    "Controller",
    "BI Developer",
    "Customer Success Lead",
    "VP Sales",
)
QUOTE_HEADER = "On {weekday}, {quoted_date} at {quoted_time}, {agent} (Lumora Support) wrote:"

AGENT_OPENERS = (
    "Thanks for reaching out.",
    "Thanks for the details.",
    "Sorry for the trouble here.",
    "Thanks for flagging this.",
    "Happy to help with this.",
    "Thanks for your patience.",
)
AGENT_ACKS = (
    "I'm looking into this now and will update you shortly.",
    "I've reproduced the issue and passed it to our specialists.",
    "Could you send a screenshot and the exact time it happened?",
    "Could you tell me which report and user this concerns?",
    "I'm checking the logs for your workspace and will get back to you today.",
)
AGENT_CLOSERS = (
    "Let me know if anything is unclear.",
    "I'll keep the ticket open until you confirm.",
    "Hope that helps!",
    "Feel free to reply if it happens again.",
    "",
)
CUSTOMER_FOLLOWUPS = (
    "Thanks, here is the screenshot.",
    "It happened again this morning around 9.",
    "Any update on this?",
    "I tried that but still see the same error.",
    "It's the {report} report, user {colleague_email}.",
    "Following up, this is still open.",
)
CUSTOMER_THANKS = (
    "That worked, thanks!",
    "Perfect, all good now.",
    "Thanks, resolved.",
    "Great, thank you for the quick help.",
    "Confirmed fixed on our side.",
)
INTERNAL_NOTES = (
    "Account on {plan}, {seats} seats. Checked logs, matches the known issue.",
    "Reproduced in staging. Linking to ENG-{n}.",
    "Escalated to engineering as ENG-{n}; customer is impatient.",
    "Renewal coming up for this account, loop in the CSM ({csm}).",
    "Asked Tier 2 to take a look at the connector logs.",
    "Customer has had several tickets about this, flag for the CSM.",
    "Waiting on the fix in release {release}.",
)
SYSTEM_COMMENTS = {
    "created": "Ticket created via {channel}.",
    "assigned": "Assigned to group {group}.",
    "priority": "Priority changed from {old} to {new}.",
    "escalated": "Ticket escalated to {group}.",
    "closed": "Ticket closed automatically 4 days after being solved.",
    "csat": "Satisfaction survey sent to requester.",
    "breach": "SLA warning: first reply target missed.",
}

SLOT_VALUES: dict[str, tuple[str, ...]] = {
    "idp": ("Okta", "Azure AD", "Google Workspace", "OneLogin", "JumpCloud"),
    "browser": ("Chrome", "Firefox", "Safari", "Edge"),
    "error": (
        "EXPORT_TIMEOUT",
        "Error 500",
        "invalid_grant",
        "ERR_CONNECTION_RESET",
        "Request entity too large",
        "INVALID_SESSION_ID",
        "unexpected end of file",
    ),
    "report": (
        "Pipeline",
        "Monthly revenue",
        "Churn overview",
        "Inventory",
        "Ops weekly",
        "Board KPIs",
        "Cash flow",
        "Support backlog",
        "Marketing funnel",
        "Headcount",
    ),
    "integration": (
        "Salesforce",
        "HubSpot",
        "Snowflake",
        "BigQuery",
        "Zendesk",
        "Jira",
        "NetSuite",
    ),
    "tz": ("CET", "Pacific time", "Sydney time", "São Paulo time", "Eastern time", "IST"),
    "feature": (
        "scheduled exports",
        "AI insights",
        "audit logs",
        "workflows",
        "SSO",
        "API access",
        "custom roles",
    ),
    "device": ("iPhone 15", "Pixel 8", "Galaxy S23", "iPad Air", "iPhone 13"),
    "when": (
        "yesterday",
        "this morning",
        "Monday",
        "the last update",
        "last week",
        "two days ago",
        "the weekend",
    ),
    "team": ("finance", "sales", "marketing", "operations", "product", "HR", "support"),
    "source": ("PostgreSQL", "MySQL", "SQL Server", "Snowflake", "Redshift"),
    "release": ("5.12.1", "5.13", "2024.11", "hotfix-219"),
}
