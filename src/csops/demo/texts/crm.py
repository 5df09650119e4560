"""Survey comments and CSM activity summaries."""

from __future__ import annotations

NPS_COMMENTS: dict[str, tuple[str, ...]] = {
    "promoter": (
        "Lumora has become the place where our whole team starts the day.",
        "Great product and the support team is fast.",
        "Dashboards save us hours every week. Would recommend.",
        "Easy to set up, and the {integration} integration just works.",
        "Our CSM is fantastic, always proactive.",
        "Love the scheduled exports, finance is finally self-serve.",
    ),
    "passive": (
        "Good tool, but it gets slow with big reports.",
        "Does what we need. Pricing is a bit high for what we use.",
        "Solid, though some features are hard to find.",
        "Fine overall. Would like better mobile support.",
        "Works well once set up, onboarding took a while.",
    ),
    "detractor": (
        "Too many bugs lately, exports keep failing.",
        "Support takes days to answer and the issue is still not fixed.",
        "We barely use it since our main user left.",
        "Too expensive for the value we get.",
        "The {integration} sync breaks every other week.",
        "Hard to get adoption beyond the {team} team.",
        "Reporting numbers don't match our source systems, people stopped trusting it.",
    ),
}
CES_COMMENTS = (
    "Setup was straightforward.",
    "Took a few tries to connect our data.",
    "Documentation helped.",
    "Had to contact support to finish.",
    "",
)

# Activity summaries per kind; {fields} are filled from the account's story.
ACTIVITY_SUMMARIES: dict[str, tuple[str, ...]] = {
    "kickoff": (
        "Kickoff call with {contact}: agreed success criteria, connect {integration} in week 1, "
        "first dashboards for the {team} team.",
        "Onboarding kickoff. {contact} is project lead; target go-live in {weeks} weeks.",
    ),
    "call": (
        "Check-in call with {contact}. Usage steady, asked about {feature}.",
        "Call with {contact} about adoption in the {team} team.",
        "Quick sync with {contact}: no blockers, will share best-practice guide.",
        "Call with {contact}: concerns about report performance, looping in support.",
        "Call with {contact} to plan the next phase; wants {feature} for the {team} team.",
        "Intro call with {contact}; walked through admin settings and permissions.",
    ),
    "meeting": (
        "Workshop with {contact} and the {team} team on dashboard design.",
        "Met {contact} on site; discussed roll-out to more teams.",
        "Roadmap session with {contact}, interested in {feature}.",
        "Training session for the {team} team, organised by {contact}.",
    ),
    "email": (
        "Sent {contact} the monthly usage summary.",
        "Shared webinar invite and best-practice guide with {contact}.",
        "Followed up with {contact} on open support tickets.",
        "Sent release notes highlighting {feature}.",
        "Emailed {contact} a how-to on connecting {integration}.",
        "Asked {contact} for a case study; no reply yet.",
        "Checked in with {contact} after the {integration} sync issue.",
    ),
    "note": (
        "Account stable. Main users in {team}.",
        "{contact} mentioned budget review next quarter.",
        "Usage concentrated on few users, adoption risk.",
        "Good relationship with {contact}; potential reference customer.",
        "{team} team onboarding more users next month according to {contact}.",
        "Internal: discussed account plan with AE, no open opportunities.",
    ),
    "qbr": (
        "QBR with {contact}: reviewed adoption ({users} active users), goals for next "
        "quarter, {feature} roadmap.",
        "Quarterly business review: ROI review with {contact}, agreed next steps on "
        "expansion to the {team} team.",
    ),
    "renewal": (
        "Renewal call with {contact}: {plan} term ends {renewal_date}, discussed renewal "
        "terms and seat count ({seats} seats).",
        "Sent renewal quote to {contact} for the term ending {renewal_date}.",
        "Renewal prep: reviewed usage before renewal on {renewal_date}; {contact} to confirm "
        "budget.",
    ),
    "risk": (
        "Escalation: {contact} unhappy about open tickets, agreed a fix plan.",
        "Health dropped; usage down. Scheduled call with {contact}.",
        "Save call with {contact}: concerns about value, offered training.",
    ),
    "payment": (
        "Emailed billing contact {contact} about the failed payment.",
        "Payment failed; asked {contact} to update the card on file.",
    ),
    "champion": (
        "{old_contact} has left {company}. New main contact: {contact}.",
        "Champion change: introduced myself to {contact} after {old_contact} left.",
    ),
    "churn": (
        "Customer confirmed cancellation. Reason given: {reason}.",
        "Exit call with {contact}: not renewing ({reason}).",
    ),
    "expansion": (
        "Expansion: {contact} signed for {detail}.",
        "Closed expansion with {contact}: {detail}.",
    ),
}
CHURN_REASONS = (
    "budget cuts",
    "moved to a competitor",
    "low adoption",
    "company acquired",
    "project ended",
    "price",
    "missing features",
)
