"""Support topics about access, users and billing."""

from __future__ import annotations

from csops.demo.texts.topic import Topic

ACCOUNT_TOPICS: tuple[Topic, ...] = (
    Topic(
        "password_reset",
        "Access & login",
        9.0,
        "normal",
        (
            "Can't log in",
            "Password reset not working",
            "Reset link expired",
            "Locked out of Lumora",
            "Login problem",
        ),
        (
            "I can't log in to Lumora since {when}. I clicked 'Forgot password' but the reset "
            "email never arrives.",
            "The password reset link says it has expired even though I clicked it right away. "
            "Can you send a new one?",
            "One of our users ({colleague_email}) can't get into her account, the reset email "
            "isn't showing up, not even in spam.",
            "Trying to reset my password and I keep getting 'invalid token'. Tried {browser} and "
            "an incognito window.",
        ),
        (
            "I've sent a fresh reset link that is valid for 60 minutes. Reset emails come from "
            "no-reply@lumora.io, so if it doesn't arrive please check spam or ask IT to allow "
            "that sender. After resetting, sign out of other sessions and log in again.",
            "Reset links expire after 60 minutes and only the newest link works, so older "
            "emails show 'invalid token'. Request one new link, open it in the same browser, "
            "and if your company uses SSO sign in with the 'Continue with SSO' button instead.",
        ),
    ),
    Topic(
        "sso_setup",
        "Access & login",
        3.5,
        "high",
        (
            "SAML SSO setup",
            "Help configuring SSO with {idp}",
            "SSO login loop",
            "Enforcing SSO for our workspace",
        ),
        (
            "We're rolling out SSO with {idp}. Where do I find the ACS URL and entity ID for "
            "Lumora?",
            "After enabling SAML with {idp} users get stuck in a redirect loop between {idp} and "
            "Lumora.",
            "Our IT team wants to enforce SSO for everyone on {domain}. What happens to users "
            "who currently log in with a password?",
            "SSO test connection fails with 'audience mismatch'. Screenshot of the {idp} config "
            "attached.",
        ),
        (
            "In Settings → Security → Single sign-on you'll find the ACS URL and entity ID. "
            "Create a SAML app in {idp} with those values, map the email attribute to NameID, "
            "upload the {idp} metadata XML in Lumora and use 'Test connection' before enforcing.",
            "A redirect loop or 'audience mismatch' means the entity ID in {idp} doesn't match "
            "Lumora's. Copy the entity ID from Settings → Security exactly (no trailing slash), "
            "save, and test again. Password users keep access until you switch 'Enforce SSO' on.",
        ),
        min_tier=2,
    ),
    Topic(
        "two_factor_lost",
        "Access & login",
        2.5,
        "normal",
        ("Lost my 2FA device", "Two-factor code not accepted", "New phone, can't log in"),
        (
            "I got a new phone and my authenticator codes are gone, so I can't log in anymore.",
            "My two-factor codes are always rejected. The time on my phone is correct.",
            "Our admin left and nobody can approve 2FA resets for {colleague_email}.",
        ),
        (
            "For security we need an admin of your workspace to reset 2FA: Settings → Users → "
            "select the user → 'Reset two-factor'. If no admin is available, reply from the "
            "account owner's address and we'll verify you by phone.",
            "Use one of the backup codes you saved when enabling 2FA, then re-enrol your new "
            "device under Profile → Security. Codes are rejected when the phone's clock drifts, "
            "so turn on automatic time.",
        ),
    ),
    Topic(
        "account_locked",
        "Access & login",
        2.0,
        "high",
        ("Account locked", "Too many login attempts", "User locked out"),
        (
            "My account is locked after too many attempts and I have a board meeting in an hour.",
            "Several of our users got 'account locked' this morning at the same time.",
        ),
        (
            "Accounts unlock automatically after 30 minutes; I've unlocked yours now. If many "
            "users are locked at once, a password manager or script is usually retrying old "
            "credentials, please ask them to update saved passwords.",
        ),
    ),
    Topic(
        "user_permissions",
        "Users & permissions",
        4.0,
        "normal",
        (
            "Permissions for a colleague",
            "How do I make someone an admin?",
            "User can't see dashboards",
            "Role question",
        ),
        (
            "How do I give {colleague} edit access to the {report} report without making them an "
            "admin?",
            "A new user on our team can log in but sees no dashboards at all.",
            "Can we have viewers who can't export data? Asking for our {team} team.",
            "I need to transfer ownership of our workspace to {colleague_email}.",
        ),
        (
            "Open the report, click Share and choose 'Can edit' for the user; admin rights are "
            "only needed for workspace settings. Viewers can be blocked from exporting under "
            "Settings → Roles → Viewer → uncheck 'Export'.",
            "New users see only what is shared with them. Add them to a team under Settings → "
            "Teams, and dashboards shared with that team appear straight away. Ownership can "
            "be transferred by the current owner in Settings → Workspace.",
        ),
    ),
    Topic(
        "remove_user",
        "Users & permissions",
        3.0,
        "low",
        ("Deactivate a user", "Employee left the company", "Free up a seat"),
        (
            "{colleague} has left the company. Please deactivate their account and move their "
            "reports to me.",
            "How do I remove a user so the seat becomes free for someone new?",
        ),
        (
            "Go to Settings → Users, open the user and click 'Deactivate'. You'll be asked who "
            "should inherit their reports and dashboards. The seat is freed immediately and "
            "you can invite someone else.",
        ),
    ),
    Topic(
        "add_seats",
        "Billing",
        5.5,
        "normal",
        ("Adding seats", "Need more licenses", "Seat limit reached", "Upgrade seat count"),
        (
            "We've hit our seat limit and need to add {n} more users this week. What's the "
            "process?",
            "Getting 'no seats available' when I invite {colleague_email}. We're on {plan} with "
            "{seats} seats.",
            "Our {team} team is joining, roughly {n} people. Can we add seats mid-term and how "
            "is that billed?",
        ),
        (
            "Admins can add seats under Settings → Billing → Seats; the change applies "
            "immediately and the difference is prorated on your next invoice. For annual plans "
            "added seats are co-termed to your renewal date.",
            "I've flagged this to your account manager, who can add the seats and align them "
            "with your current term. In the meantime you can free seats by deactivating users "
            "who no longer need access.",
        ),
    ),
    Topic(
        "invoice_copy",
        "Billing",
        6.0,
        "low",
        ("Invoice copy", "Need invoice for {month}", "Receipt request", "Missing invoice"),
        (
            "Could you send me a copy of the invoice for {month}? Our accounting needs it.",
            "Please send the invoice {invoice} as PDF to our AP mailbox ap@{domain}.",
            "Where can I download past invoices? I need all of last year's for the audit.",
            "We didn't receive the invoice for {month}, can you resend?",
        ),
        (
            "All invoices are available under Settings → Billing → Invoices, where you can "
            "download PDFs. I've also attached the invoice you asked for. To have invoices "
            "emailed to accounting automatically, add their address as billing contact.",
            "I've resent the invoice to the billing contact on file. You can change who "
            "receives invoices under Settings → Billing → Billing contacts.",
        ),
        billing=True,
    ),
    Topic(
        "payment_failed",
        "Billing",
        2.5,
        "high",
        (
            "Payment failed",
            "Card declined",
            "Why was our payment declined?",
            "Account suspended warning",
        ),
        (
            "We got an email that our payment failed. The card is valid, can you retry?",
            "Our card was declined for invoice {invoice}. We have a new company card, how do we "
            "update it?",
            "We received a notice our workspace will be suspended for non-payment. Please don't "
            "suspend us, we're sorting it out with finance.",
        ),
        (
            "You can update the card under Settings → Billing → Payment method; we retry the "
            "charge automatically within 24 hours. If your bank blocks the charge, ask them to "
            "allow payments to 'LUMORA IO'. Your workspace stays active during the retry period.",
            "I've paused the dunning emails for 7 days so finance can pay by bank transfer; the "
            "bank details are on the invoice PDF. Once payment lands the warning disappears.",
        ),
        billing=True,
    ),
    Topic(
        "billing_contact",
        "Billing",
        2.0,
        "low",
        ("Change billing contact", "Update billing email", "New finance contact"),
        (
            "Please change our billing contact to {colleague_email}.",
            "Invoices are still going to someone who left. How do I change that?",
        ),
        (
            "Admins can change billing contacts under Settings → Billing → Billing contacts. "
            "I've updated it for you this time; future invoices go to the new address.",
        ),
        billing=True,
    ),
    Topic(
        "vat_tax",
        "Billing",
        2.0,
        "low",
        ("VAT number on invoice", "Tax exemption", "Wrong company address on invoice"),
        (
            "Our VAT ID is missing from the invoices, can you add it and reissue {invoice}?",
            "We're a tax-exempt organisation, where do I send the certificate?",
            "The invoice shows our old address. We moved in {month}.",
        ),
        (
            "Add your VAT ID and billing address under Settings → Billing → Company details. "
            "Future invoices will show them; I've reissued the invoice you mentioned with the "
            "corrected details.",
        ),
        billing=True,
    ),
    Topic(
        "plan_question",
        "Billing",
        3.0,
        "low",
        ("Difference between plans", "Is {feature} included in our plan?", "Pricing question"),
        (
            "What is the difference between Team and Business? We mainly need {feature}.",
            "Is {feature} included in {plan} or do we need to upgrade?",
            "We're evaluating the Enterprise plan, mostly for SSO and audit logs. Who can we talk "
            "to?",
        ),
        (
            "{feature} is part of the Business plan and above; the full comparison is on our "
            "pricing page. Your account manager can set up a 14-day trial of the higher plan so "
            "your team can try it before deciding.",
        ),
    ),
    Topic(
        "cancel_subscription",
        "Billing",
        1.8,
        "normal",
        ("Cancel subscription", "Cancellation request", "Not renewing"),
        (
            "We'd like to cancel our subscription at the end of the term.",
            "Budget got cut and we have to cancel. What do we need to do?",
            "Please don't auto-renew our plan. We're moving to another tool.",
        ),
        (
            "I'm sorry to hear that. I've noted that you don't want to renew; your workspace "
            "stays available until the end of the current term and you can export all data "
            "under Settings → Data export. Your account manager will reach out in case there's "
            "anything we can do.",
        ),
        billing=True,
    ),
    Topic(
        "refund_request",
        "Billing",
        1.2,
        "normal",
        ("Refund request", "Charged twice", "Overcharged this month"),
        (
            "It looks like we were charged twice in {month}. Can you refund the duplicate?",
            "We reduced seats but were still charged the old amount.",
        ),
        (
            "I checked and the second charge was an authorisation hold that has been released; "
            "it disappears from your statement within 5 business days. Where a charge was "
            "actually duplicated we refund it to the original card.",
        ),
        billing=True,
    ),
    Topic(
        "data_deletion",
        "Security & compliance",
        1.2,
        "normal",
        ("GDPR deletion request", "Delete personal data", "Data retention question"),
        (
            "A customer asked us to delete their data. How do we remove a person's records from "
            "Lumora?",
            "What is your data retention policy after we delete a data source?",
        ),
        (
            "Use Settings → Privacy → 'Delete person' with the email address; records are "
            "removed within 30 days including backups. Deleted data sources are purged after "
            "30 days. Our DPA is available on the trust page.",
        ),
    ),
    Topic(
        "security_questionnaire",
        "Security & compliance",
        1.0,
        "normal",
        ("Security questionnaire", "SOC 2 report request", "Pen test results"),
        (
            "Our procurement needs a completed security questionnaire before renewal.",
            "Can you share your SOC 2 Type II report and the latest pen test summary?",
        ),
        (
            "Our SOC 2 Type II report and pen-test summary are available under NDA from the "
            "trust portal; I've sent you an invitation. Most questionnaire answers are covered "
            "by the standard CAIQ on the same page.",
        ),
        min_tier=2,
    ),
    Topic(
        "audit_log",
        "Security & compliance",
        0.8,
        "low",
        ("Audit log access", "Who deleted this report?", "Export audit log"),
        (
            "Someone deleted the {report} dashboard. Can we see who did it?",
            "How do we export the audit log for our quarterly access review?",
        ),
        (
            "Admins can open Settings → Security → Audit log, filter by event 'report.deleted' "
            "and export to CSV. Deleted reports can be restored from the trash for 30 days.",
        ),
        min_tier=3,
    ),
    Topic(
        "workspace_rename",
        "Users & permissions",
        0.9,
        "low",
        ("Rename workspace", "Change our company name", "Merge two workspaces"),
        (
            "We rebranded, can we rename the workspace and change the URL?",
            "We have two workspaces after an acquisition, can they be merged?",
        ),
        (
            "Owners can rename the workspace under Settings → Workspace; the old URL keeps "
            "redirecting for 90 days. Merging workspaces is done by our team, I've opened a "
            "request and we'll schedule it with you.",
        ),
    ),
)
