"""A synthetic corpus of short, single-sentence customer queries with many fine-grained
intents, in the style of public intent benchmarks (BANKING77, CLINC150): one sentence per
query, intents of one family sharing most of their vocabulary ("card", "transfer",
"top up"), and phrasings of one intent that share few words with each other.

Written by hand for the tests (nothing can be downloaded). `short_queries()` draws a
labelled sample: a phrasing, sometimes a carrier ("hi, ...", "... please"), casing and a
letter swap now and then, the way people type into a chat box.
"""

from __future__ import annotations

import numpy as np

INTENTS: dict[str, tuple[str, ...]] = {
    "card_arrival": (
        "my card still hasn't arrived",
        "when will my new card be delivered",
        "how long does it take for the card to come in the post",
        "I ordered a card two weeks ago and nothing came",
        "is there a way to track the delivery of my card",
        "still waiting on my card, it's been ages",
    ),
    "card_activation": (
        "how do I activate my new card",
        "the card I received won't activate",
        "where in the app can I turn on my card",
        "activation of my card keeps failing",
        "what are the steps to start using the card I just got",
        "card activation code not accepted",
    ),
    "card_lost_stolen": (
        "I lost my card",
        "my wallet was stolen with my card in it",
        "someone took my card, please block it",
        "can't find my card anywhere, what should I do",
        "I think my card was stolen at the bar last night",
        "how do I freeze a card I misplaced",
    ),
    "card_declined": (
        "why was my card declined at the supermarket",
        "card payment got rejected in the shop",
        "the terminal keeps refusing my card",
        "my card doesn't work when I try to pay",
        "payment failed at the checkout with my card",
        "declined transaction even though I have money",
    ),
    "card_payment_fee": (
        "why was I charged an extra fee on a card purchase",
        "there's a fee on my card payment I didn't expect",
        "do you charge for paying by card abroad",
        "a small charge was added to my card transaction",
        "what is this commission on my card payment",
        "card payment cost more than the price shown",
    ),
    "pin_change": (
        "how can I change my PIN",
        "I'd like to set a new PIN for my card",
        "forgot my PIN, can I reset it",
        "where do I see my PIN in the app",
        "can I pick my own PIN number",
        "need to update the PIN code",
    ),
    "pin_blocked": (
        "my PIN is blocked",
        "I entered the wrong PIN three times and now it's locked",
        "how do I unblock my PIN",
        "PIN got locked at the ATM",
        "too many wrong PIN attempts, card blocked",
        "unlock my PIN please",
    ),
    "contactless": (
        "contactless isn't working",
        "tap to pay doesn't work on my card",
        "why can't I pay by tapping my card",
        "the contactless payment limit keeps asking for my PIN",
        "my card won't tap at the reader",
        "is contactless turned off on my card",
    ),
    "card_expiring": (
        "my card expires next month, will I get a new one",
        "what happens when my card expiry date passes",
        "do I need to order a replacement for an expiring card",
        "card is about to run out, is a new one sent automatically",
        "expiry date on my card is soon",
        "renewal of my expired card",
    ),
    "virtual_card": (
        "how do I get a virtual card",
        "can I create a disposable card for online shopping",
        "where is the option for a virtual card",
        "is there a fee for virtual cards",
        "make a single use card for one purchase",
        "generate a digital card number",
    ),
    "transfer_pending": (
        "my transfer is still pending",
        "why hasn't my bank transfer gone through yet",
        "the money I sent is stuck in processing",
        "how long does a transfer take to complete",
        "transfer shows pending for three days",
        "sent money yesterday but it hasn't left my account",
    ),
    "transfer_failed": (
        "my transfer failed",
        "the bank transfer was rejected with an error",
        "why did my payment to a friend not go through",
        "transfer bounced back to my account",
        "I got a message that the transfer couldn't be completed",
        "outgoing transfer returned",
    ),
    "transfer_fee": (
        "is there a charge for sending money",
        "why was I charged for a transfer",
        "how much does an international transfer cost",
        "fee taken from my transfer",
        "do transfers between accounts cost anything",
        "what are your transfer fees",
    ),
    "transfer_cancel": (
        "can I cancel a transfer I just made",
        "how do I stop a payment I sent by mistake",
        "undo the transfer please",
        "I want to reverse a transfer",
        "is it possible to call back money I sent",
        "cancel my outgoing payment",
    ),
    "transfer_wrong_recipient": (
        "I sent money to the wrong account",
        "transferred to the wrong person by mistake",
        "typed the wrong account number on a transfer",
        "my payment went to someone else",
        "how do I get back money sent to the wrong beneficiary",
        "paid the wrong recipient",
    ),
    "add_beneficiary": (
        "how do I add a new payee",
        "add a beneficiary to my account",
        "where can I save a new recipient",
        "set up a new person to send money to",
        "adding payee details fails",
        "can't add a new beneficiary",
    ),
    "topup_failed": (
        "my top up failed",
        "adding money to my account didn't work",
        "top-up was declined",
        "why can't I top up with my debit card",
        "the top up shows as failed",
        "tried to load money but got an error",
    ),
    "topup_pending": (
        "my top up is still pending",
        "how long does a top-up take to show",
        "added money but the balance hasn't changed",
        "top up stuck in pending",
        "money I loaded isn't in my balance yet",
        "when will my top up go through",
    ),
    "topup_methods": (
        "what ways can I top up my account",
        "can I add money by bank transfer",
        "is it possible to top up with cash",
        "which cards can I use to add funds",
        "top up using apple pay",
        "how do I put money into my account",
    ),
    "atm_wrong_amount": (
        "the ATM gave me less cash than I asked for",
        "cash machine didn't dispense all my money",
        "withdrew money but got the wrong amount",
        "ATM took the money from my account but gave me nothing",
        "I was short changed at the cash point",
        "withdrawal amount is wrong",
    ),
    "atm_fee": (
        "why was I charged for taking out cash",
        "is there a fee for ATM withdrawals",
        "cash withdrawal fee on my statement",
        "how many free withdrawals do I get",
        "charged for using the cash machine abroad",
        "ATM charge I didn't expect",
    ),
    "atm_swallowed_card": (
        "the ATM kept my card",
        "cash machine swallowed my card",
        "my card got stuck in the ATM",
        "ATM retained my card, what now",
        "machine ate my card",
        "card not returned by the cash machine",
    ),
    "change_address": (
        "how do I change my address",
        "I moved house, where do I update my details",
        "update my postal address",
        "my address is wrong in my profile",
        "new home address",
        "change where my mail is sent",
    ),
    "close_account": (
        "I want to close my account",
        "how do I delete my account",
        "please shut down my account",
        "cancel my account permanently",
        "terminate my membership and close everything",
        "steps to close the account",
    ),
    "verify_identity": (
        "why do I need to verify my identity",
        "what documents do you accept for verification",
        "how do I prove who I am",
        "identity check keeps failing",
        "my ID verification was rejected",
        "upload my passport for verification",
    ),
    "passcode_forgot": (
        "I forgot my passcode",
        "how do I reset the app passcode",
        "can't remember my login code for the app",
        "locked out because I forgot the passcode",
        "change my passcode",
        "reset passcode on new phone",
    ),
    "sms_code_missing": (
        "I'm not receiving the SMS code",
        "verification text never arrives",
        "no code sent to my phone when I log in",
        "the one time code doesn't come through",
        "two factor text message missing",
        "didn't get the security code by SMS",
    ),
    "exchange_rate": (
        "what exchange rate do you use",
        "the conversion rate on my purchase was bad",
        "why is the currency exchange rate different from google",
        "how are foreign currency rates calculated",
        "exchange rate applied seems wrong",
        "do you add a margin to exchange rates",
    ),
    "supported_currencies": (
        "which currencies can I hold",
        "do you support Japanese yen",
        "can I have an account in dollars",
        "list of currencies available",
        "can I exchange to Swiss francs",
        "what currencies do you offer",
    ),
    "refund_not_showing": (
        "my refund hasn't shown up",
        "the shop says they refunded me but I don't see it",
        "where is my refund from the merchant",
        "how long until a refund appears",
        "refund missing from my account",
        "merchant refund not received",
    ),
    "direct_debit": (
        "there's a direct debit I don't recognise",
        "how do I cancel a direct debit",
        "set up a direct debit for my rent",
        "direct debit was taken twice",
        "stop a direct debit payment",
        "unknown direct debit on my statement",
    ),
    "unrecognised_transaction": (
        "there's a payment I didn't make",
        "I don't recognise a transaction on my account",
        "someone used my account without permission",
        "strange purchase I never made",
        "fraudulent charge on my statement",
        "unknown transaction from a shop I've never been to",
    ),
    "duplicate_charge": (
        "I was charged twice for the same thing",
        "the same payment appears two times",
        "duplicate transaction on my card",
        "double charged at the restaurant",
        "paid once but charged twice",
        "the merchant took the money twice",
    ),
    "savings_interest": (
        "what interest rate do savings accounts pay",
        "how much interest will I earn",
        "when is interest paid into savings",
        "interest on my savings vault",
        "is the savings rate fixed",
        "how is interest calculated",
    ),
    "statement_download": (
        "how do I download my statement",
        "I need a bank statement for my mortgage",
        "where can I get a PDF statement",
        "export my account statement",
        "get statements for last year",
        "print a monthly statement",
    ),
    "apple_pay": (
        "how do I add my card to Apple Pay",
        "Apple Pay isn't accepting my card",
        "can I use Google Pay",
        "my card won't add to my phone wallet",
        "set up mobile wallet payments",
        "is Google Pay supported",
    ),
    "salary_missing": (
        "my salary hasn't arrived",
        "where is my wage deposit",
        "employer paid me but I don't see it",
        "incoming payment from work missing",
        "payroll money not in my account",
        "my paycheck didn't come through",
    ),
    "account_frozen": (
        "why is my account frozen",
        "my account has been suspended",
        "I can't access my money, account restricted",
        "account blocked without explanation",
        "how do I unfreeze my account",
        "account on hold",
    ),
    "overdraft": (
        "can I get an overdraft",
        "apply for an overdraft",
        "how much is the overdraft fee",
        "increase my overdraft limit",
        "I went overdrawn, what happens",
        "overdraft interest charges",
    ),
    "reset_password": (
        "I forgot my password",
        "password reset email never arrives",
        "the reset link says it expired",
        "can't sign in, need a new password",
        "how do I change my password",
        "reset my login password",
    ),
    "export_csv": (
        "how do I export a report to CSV",
        "the CSV download is empty",
        "exported file has garbled characters in Excel",
        "export to spreadsheet keeps failing",
        "download my data as a CSV file",
        "CSV export times out",
    ),
    "invite_user": (
        "how do I invite a colleague",
        "add a new user to our workspace",
        "the invitation email didn't arrive for my teammate",
        "invite link expired for a new member",
        "give a coworker access",
        "send an invite to join the team",
    ),
    "remove_user": (
        "remove a user who left the company",
        "how do I deactivate a team member",
        "delete someone from our workspace",
        "revoke access for a former employee",
        "take away a seat from an old user",
        "offboard a user",
    ),
    "upgrade_plan": (
        "how do I upgrade to the business plan",
        "what's the difference between the plans",
        "move us to a higher tier",
        "pricing for the enterprise plan",
        "can we switch plans mid contract",
        "upgrade our subscription",
    ),
    "cancel_subscription": (
        "cancel my subscription",
        "I don't want to renew",
        "stop the automatic renewal",
        "how do I end our contract",
        "turn off auto renew",
        "we'd like to cancel at the end of the term",
    ),
    "invoice_copy": (
        "can I get a copy of my invoice",
        "where do I download invoices",
        "need last month's invoice for accounting",
        "send me a receipt for the payment",
        "invoice with our VAT number please",
        "billing history download",
    ),
    "api_key": (
        "where do I find my API key",
        "how do I rotate the API token",
        "API key stopped working",
        "generate a new access token for the API",
        "revoke an old API key",
        "API authentication error 401",
    ),
    "api_rate_limit": (
        "we're hitting the API rate limit",
        "getting 429 too many requests",
        "what is the request limit per minute",
        "can you raise our API quota",
        "throttled by the API",
        "rate limiting errors on API calls",
    ),
    "sso_setup": (
        "how do I set up single sign-on",
        "SSO with Okta isn't working",
        "configure SAML login",
        "login loop after enabling SSO",
        "Azure AD single sign on setup",
        "SSO certificate expired",
    ),
    "dashboard_slow": (
        "the dashboard is very slow",
        "reports take minutes to load",
        "charts keep spinning and never load",
        "performance is terrible today",
        "page loading forever",
        "why is everything so slow",
    ),
    "timezone_wrong": (
        "dates in reports are in the wrong timezone",
        "times show in UTC instead of local time",
        "daily totals are off by one day",
        "change the timezone of the workspace",
        "timestamps are shifted by hours",
        "timezone setting not applied",
    ),
    "webhook": (
        "our webhook isn't firing",
        "webhook deliveries fail with a timeout",
        "no events sent to our endpoint",
        "how do I set up a webhook",
        "webhook signature doesn't verify",
        "retry failed webhook events",
    ),
    "delete_data": (
        "please delete all our personal data",
        "GDPR erasure request",
        "remove my data from your systems",
        "right to be forgotten request",
        "how long do you keep our data",
        "purge customer records from the account",
    ),
    "mobile_app_crash": (
        "the app crashes when I open it",
        "iPhone app closes immediately",
        "android app keeps crashing",
        "mobile app freezes on the login screen",
        "app stopped working after the update",
        "application crashes on startup",
    ),
    "notification_settings": (
        "I get too many email notifications",
        "how do I turn off alerts",
        "stop sending me daily digest emails",
        "change my notification preferences",
        "mute notifications for one project",
        "unsubscribe from product emails",
    ),
    "language_change": (
        "how do I change the language",
        "can I use the app in French",
        "interface is in the wrong language",
        "switch language to Spanish",
        "is German supported",
        "set my preferred language",
    ),
    "support_hours": (
        "what are your support hours",
        "when is customer service open",
        "are you available on weekends",
        "what time can I call you",
        "is support open 24/7",
        "opening hours of the help desk",
    ),
    "talk_to_human": (
        "I want to speak to a real person",
        "can I talk to an agent",
        "get me a human please",
        "connect me with someone from support",
        "is there a phone number to call",
        "stop the bot, I need an actual person",
    ),
    "data_import": (
        "how do I import data from a spreadsheet",
        "bulk import of contacts fails",
        "upload a file with our records",
        "import from Google Sheets",
        "the import skipped half the rows",
        "migrate our data from another tool",
    ),
    "duplicate_records": (
        "we have duplicate records after the sync",
        "every contact appears twice",
        "how do I merge duplicates",
        "duplicated entries in the database",
        "the same customer shows up two times",
        "clean up duplicate rows",
    ),
    "integration_salesforce": (
        "Salesforce sync stopped",
        "connect our Salesforce account",
        "fields are not mapping from Salesforce",
        "CRM integration failing",
        "HubSpot sync is missing deals",
        "reconnect the CRM integration",
    ),
}

_PREFIXES = (
    "",
    "",
    "",
    "",
    "hi, ",
    "hello, ",
    "quick question: ",
    "help! ",
    "hey ",
    "please help, ",
    "good morning, ",
)
_SUFFIXES = ("", "", "", "", "?", ".", " please", " asap", " thanks", " - urgent", "!!")


def _typo(text: str, rng: np.random.Generator) -> str:
    """Swap two neighbouring letters inside one longer word."""
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long:
        return text
    i = int(rng.choice(long))
    w = words[i]
    j = int(rng.integers(1, len(w) - 2))
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    return " ".join(words)


def short_queries(
    per_intent: int = 40, seed: int = 0, intents: int | None = None, skew: bool = False
) -> tuple[list[str], list[str]]:
    """`per_intent` queries per intent (with `skew`, between a quarter and twice that),
    and each query's intent."""
    rng = np.random.default_rng(seed)
    names = list(INTENTS)[:intents]
    texts: list[str] = []
    truth: list[str] = []
    for name in names:
        count = int(per_intent * rng.uniform(0.25, 2.0)) if skew else per_intent
        for _ in range(count):
            text = str(rng.choice(INTENTS[name]))
            if rng.random() < 0.15:
                text = _typo(text, rng)
            if rng.random() < 0.3:
                text = text.lower()
            elif rng.random() < 0.5:
                text = text[0].upper() + text[1:]
            texts.append(str(rng.choice(_PREFIXES)) + text + str(rng.choice(_SUFFIXES)))
            truth.append(name)
    return texts, truth
