"""What the demo company sells and who works there: plans, segments, regions, staff.

The vendor is "Lumora", a B2B analytics SaaS. Numbers here are the knobs that make the
business believable (prices, churn levels, seat sizes); the simulation reads them and
never hard-codes its own.
"""

from __future__ import annotations

from dataclasses import dataclass

VENDOR_DOMAIN = "lumora.io"
CURRENCY = "USD"

CORE_PRODUCT = "Core platform"
ADDON_PRODUCT = "Analytics add-on"
SANDBOX_PRODUCT = "Sandbox"


@dataclass(frozen=True, slots=True)
class Plan:
    """A price list entry: a seat price with a minimum of `included_seats` billed."""

    name: str
    tier: int
    price_per_seat: float
    included_seats: int

    def list_mrr(self, seats: int) -> float:
        return self.price_per_seat * max(seats, self.included_seats)


PLANS: tuple[Plan, ...] = (
    Plan("Starter", 0, 19.0, 3),
    Plan("Team", 1, 39.0, 5),
    Plan("Business", 2, 69.0, 10),
    Plan("Enterprise", 3, 109.0, 25),
)
TOP_TIER = len(PLANS) - 1
ADDON_PLAN = Plan("Analytics", -1, 9.0, 5)
SANDBOX_PLAN = Plan("Sandbox", -1, 0.0, 0)


@dataclass(frozen=True, slots=True)
class Segment:
    """Everything that differs between SMB, Mid-Market and Enterprise customers."""

    name: str
    share: float
    seats_median: float
    seats_sigma: float
    seats_range: tuple[int, int]
    employees_range: tuple[int, int]
    plan_weights: tuple[float, float, float, float]
    annual_share: float
    max_discount: float
    health_mean: float
    health_drift: float
    growth_mean: float
    monthly_churn_logit: float  # per monthly anniversary, for an account at health 0
    annual_churn_logit: float  # per annual term end
    winback_share: float
    user_activity: float  # chance a seat holder uses the product on a weekday
    events_per_session: float  # extra events after a login
    tickets_per_user: float  # monthly tickets ~ this * users ** 0.6
    touches: tuple[float, float, float, float]  # monthly calls, meetings, emails, notes
    qbr: bool
    contacts_range: tuple[int, int]
    onboarding_days: float  # median time to first value when it goes well


SMB = Segment(
    name="SMB",
    share=0.64,
    seats_median=6,
    seats_sigma=0.6,
    seats_range=(1, 40),
    employees_range=(8, 200),
    plan_weights=(0.52, 0.38, 0.10, 0.0),
    annual_share=0.3,
    max_discount=0.2,
    health_mean=0.0,
    health_drift=-0.01,
    growth_mean=0.02,
    monthly_churn_logit=-4.3,
    annual_churn_logit=-2.0,
    winback_share=0.2,
    user_activity=0.1,
    events_per_session=1.6,
    tickets_per_user=0.12,
    touches=(0.04, 0.01, 0.2, 0.05),
    qbr=False,
    contacts_range=(1, 3),
    onboarding_days=9,
)
MID_MARKET = Segment(
    name="Mid-Market",
    share=0.27,
    seats_median=32,
    seats_sigma=0.55,
    seats_range=(8, 250),
    employees_range=(150, 2_000),
    plan_weights=(0.04, 0.40, 0.50, 0.06),
    annual_share=0.72,
    max_discount=0.25,
    health_mean=0.15,
    health_drift=-0.005,
    growth_mean=0.025,
    monthly_churn_logit=-4.6,
    annual_churn_logit=-2.3,
    winback_share=0.15,
    user_activity=0.065,
    events_per_session=1.8,
    tickets_per_user=0.08,
    touches=(0.5, 0.3, 0.9, 0.4),
    qbr=True,
    contacts_range=(3, 6),
    onboarding_days=20,
)
ENTERPRISE = Segment(
    name="Enterprise",
    share=0.09,
    seats_median=140,
    seats_sigma=0.6,
    seats_range=(50, 1_200),
    employees_range=(2_000, 60_000),
    plan_weights=(0.0, 0.0, 0.35, 0.65),
    annual_share=0.96,
    max_discount=0.3,
    health_mean=0.3,
    health_drift=0.0,
    growth_mean=0.025,
    monthly_churn_logit=-5.0,
    annual_churn_logit=-2.7,
    winback_share=0.08,
    user_activity=0.035,
    events_per_session=2.0,
    tickets_per_user=0.05,
    touches=(1.2, 0.8, 1.8, 0.9),
    qbr=True,
    contacts_range=(5, 10),
    onboarding_days=40,
)
SEGMENTS: tuple[Segment, ...] = (SMB, MID_MARKET, ENTERPRISE)


@dataclass(frozen=True, slots=True)
class Region:
    name: str
    share: float
    utc_offset: int  # hours; where most of the region's customers sit
    countries: tuple[str, ...]
    legal_suffixes: tuple[str, ...]
    phone_formats: tuple[str, ...]  # `#` = a random digit


REGIONS: tuple[Region, ...] = (
    Region(
        "NA",
        0.48,
        -6,
        ("US", "US", "US", "CA"),
        ("Inc", "LLC", "Corp", "Inc"),
        ("+1 415-555-01##", "+1 212-555-01##", "+1 (312) 555-01##", "+1 604-555-01##"),
    ),
    Region(
        "EMEA",
        0.31,
        1,
        ("GB", "DE", "FR", "NL", "SE", "ES", "IE"),
        ("Ltd", "GmbH", "SAS", "BV", "AB", "S.L.", "Ltd"),
        ("+44 20 7946 0###", "+49 30 901820##", "+33 1 99 00 ## ##", "+31 20 794 ####"),
    ),
    Region(
        "APAC",
        0.14,
        9,
        ("AU", "SG", "JP", "IN", "NZ"),
        ("Pty Ltd", "Pte Ltd", "K.K.", "Ltd"),
        ("+61 2 9876 5###", "+65 6123 ####", "+81 3-1234-####", "+91 22 5555 ####"),
    ),
    Region(
        "LATAM",
        0.07,
        -4,
        ("BR", "MX", "CO", "AR", "CL"),
        ("S.A.", "Ltda", "S.A. de C.V."),
        ("+55 11 9####-####", "+52 55 5555 ####", "+57 1 555 ####"),
    ),
)

INDUSTRIES: tuple[tuple[str, float], ...] = (
    ("Software", 0.16),
    ("Financial Services", 0.11),
    ("Healthcare", 0.09),
    ("Retail & E-commerce", 0.1),
    ("Manufacturing", 0.09),
    ("Logistics", 0.07),
    ("Professional Services", 0.1),
    ("Education", 0.06),
    ("Media & Marketing", 0.08),
    ("Real Estate", 0.05),
    ("Energy", 0.04),
    ("Nonprofit", 0.05),
)

# CSM books: (email, segment name, share of that segment's accounts). Enterprise CSMs carry
# few large accounts each; SMB is mostly a pooled "digital" book.
CSMS: tuple[tuple[str, str, float], ...] = (
    ("maya.okafor@lumora.io", "Enterprise", 0.4),
    ("daniel.weiss@lumora.io", "Enterprise", 0.35),
    ("sofia.marin@lumora.io", "Enterprise", 0.25),
    ("arjun.mehta@lumora.io", "Mid-Market", 0.32),
    ("hannah.berg@lumora.io", "Mid-Market", 0.28),
    ("lucas.moreau@lumora.io", "Mid-Market", 0.22),
    ("grace.kim@lumora.io", "Mid-Market", 0.18),
    ("tom.reilly@lumora.io", "SMB", 0.22),
    ("nina.alvarez@lumora.io", "SMB", 0.13),
    ("scale-team@lumora.io", "SMB", 0.65),
)

SUPPORT_AGENTS: tuple[tuple[str, str], ...] = (
    ("Priya", "priya.n@lumora.io"),
    ("Marcus", "marcus.t@lumora.io"),
    ("Elena", "elena.v@lumora.io"),
    ("Jonas", "jonas.k@lumora.io"),
    ("Aisha", "aisha.b@lumora.io"),
    ("Kenji", "kenji.s@lumora.io"),
    ("Laura", "laura.p@lumora.io"),
    ("Omar", "omar.h@lumora.io"),
    ("Chloe", "chloe.d@lumora.io"),
    ("Rafael", "rafael.g@lumora.io"),
    ("Ingrid", "ingrid.l@lumora.io"),
    ("Sam", "sam.w@lumora.io"),
)
SUPPORT_GROUPS: tuple[str, ...] = ("Tier 1", "Tier 2", "Billing", "Integrations", "Engineering")

# First-reply targets in hours per priority, and whether the clock runs in business hours.
FIRST_REPLY_HOURS: dict[str, tuple[float, bool]] = {
    "urgent": (1.0, False),
    "high": (4.0, False),
    "normal": (8.0, True),
    "low": (24.0, True),
}
PRIORITIES: tuple[str, ...] = ("low", "normal", "high", "urgent")
CHANNELS: tuple[tuple[str, float], ...] = (
    ("email", 0.45),
    ("web", 0.25),
    ("chat", 0.22),
    ("phone", 0.08),
)
