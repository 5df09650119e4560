"""Fictional company and person names, web domains, e-mail addresses and phone numbers."""

from __future__ import annotations

import re

from csops.demo.catalog import Region
from csops.demo.dice import Dice

_FIRST_PARTS = (
    "Blue",
    "North",
    "Silver",
    "Bright",
    "Cedar",
    "Granite",
    "Harbor",
    "Summit",
    "Maple",
    "Iron",
    "Golden",
    "Coastal",
    "Pioneer",
    "Evergreen",
    "Atlas",
    "Orbit",
    "Crescent",
    "Redwood",
    "Falcon",
    "Aurora",
    "Beacon",
    "Cobalt",
    "Delta",
    "Ember",
    "Fjord",
    "Glacier",
    "Horizon",
    "Indigo",
    "Juniper",
    "Keystone",
    "Lumen",
    "Meridian",
    "Nimbus",
    "Oak",
    "Polar",
    "Quarry",
    "Riverstone",
    "Sage",
    "Tidal",
    "Union",
    "Vantage",
    "Willow",
    "Zenith",
    "Alder",
    "Birch",
    "Copper",
    "Driftwood",
    "Elm",
    "Foxglove",
    "Highland",
    "Ivory",
    "Jade",
    "Kestrel",
    "Lakeside",
    "Moss",
    "Northstar",
    "Onyx",
    "Pine",
    "Quartz",
    "Rowan",
    "Saffron",
    "Terra",
    "Upland",
    "Vale",
    "Westwind",
    "Yarrow",
    "Amber",
    "Basalt",
    "Clearwater",
    "Dune",
)
_SECOND_PARTS = (
    "Peak",
    "Bridge",
    "Field",
    "Works",
    "Labs",
    "Point",
    "Line",
    "Path",
    "Gate",
    "Stone",
    "Light",
    "Wave",
    "Forge",
    "Craft",
    "Hub",
    "Link",
    "Mark",
    "Nest",
    "Port",
    "Ridge",
    "Shore",
    "Spring",
    "Stream",
    "Trail",
    "View",
    "Way",
    "Wood",
    "Yard",
    "Crest",
    "Grove",
)
_INDUSTRY_WORDS: dict[str, tuple[str, ...]] = {
    "Software": ("Software", "Systems", "Cloud", "Digital", "Apps"),
    "Financial Services": ("Capital", "Finance", "Partners", "Lending", "Payments"),
    "Healthcare": ("Health", "Care", "Medical", "Clinics", "Diagnostics"),
    "Retail & E-commerce": ("Goods", "Market", "Outfitters", "Supply", "Store"),
    "Manufacturing": ("Industries", "Manufacturing", "Components", "Fabrication", "Metals"),
    "Logistics": ("Logistics", "Freight", "Transport", "Shipping", "Distribution"),
    "Professional Services": ("Consulting", "Advisors", "Group", "Associates", "Solutions"),
    "Education": ("Learning", "Academy", "Education", "Schools", "Institute"),
    "Media & Marketing": ("Media", "Studios", "Creative", "Agency", "Brands"),
    "Real Estate": ("Properties", "Realty", "Estates", "Homes", "Developments"),
    "Energy": ("Energy", "Power", "Solar", "Renewables", "Utilities"),
    "Nonprofit": ("Foundation", "Trust", "Alliance", "Network", "Initiative"),
}
FIRST_NAMES = (
    "James",
    "Mary",
    "Wei",
    "Fatima",
    "Carlos",
    "Aiko",
    "Olivia",
    "Liam",
    "Sofia",
    "Noah",
    "Emma",
    "Mateo",
    "Chloe",
    "Lukas",
    "Amara",
    "Ravi",
    "Ingrid",
    "Pierre",
    "Yuki",
    "Diego",
    "Hannah",
    "Omar",
    "Leila",
    "Jonas",
    "Isabel",
    "Kwame",
    "Anya",
    "Tomás",
    "Mei",
    "Ethan",
    "Zara",
    "Felix",
    "Nadia",
    "Hugo",
    "Priya",
    "Sven",
    "Lucia",
    "Ahmed",
    "Grace",
    "Kai",
    "Elena",
    "Victor",
    "Rosa",
    "Daniel",
    "Ayesha",
    "Marco",
    "Julia",
    "Kenji",
    "Clara",
    "Rahul",
    "Freya",
    "Andre",
    "Camila",
    "Tariq",
    "Lena",
    "Samuel",
    "Ines",
    "Hiro",
    "Maya",
    "Oscar",
    "Sara",
    "Dmitri",
    "Ana",
    "Ben",
    "Chen",
    "Rebecca",
    "Luis",
    "Astrid",
    "Nikhil",
    "Paula",
)
LAST_NAMES = (
    "Smith",
    "Garcia",
    "Chen",
    "Müller",
    "Okafor",
    "Tanaka",
    "Rossi",
    "Nguyen",
    "Silva",
    "Johansson",
    "Kowalski",
    "Patel",
    "Dubois",
    "Kim",
    "Hernández",
    "O'Brien",
    "Novak",
    "Haddad",
    "Schmidt",
    "Sato",
    "Andersen",
    "Costa",
    "Brown",
    "Ivanova",
    "Mensah",
    "Lopez",
    "Fischer",
    "Yamamoto",
    "Martin",
    "Singh",
    "Larsen",
    "Moreau",
    "Wilson",
    "Bianchi",
    "Kaur",
    "Van Dijk",
    "Reyes",
    "Murphy",
    "Ali",
    "Berg",
    "Lindqvist",
    "Ortiz",
    "Park",
    "Wright",
    "Nakamura",
    "Fernandes",
    "Schneider",
    "Rahman",
    "Taylor",
    "Jensen",
    "Santos",
    "Cohen",
    "Popescu",
    "Walker",
    "Ito",
    "Dumont",
    "Khan",
    "Meyer",
    "Alvarez",
    "Hughes",
)

_ASCII = str.maketrans({"ü": "u", "á": "a", "é": "e", "í": "i", "ó": "o", "ñ": "n"})


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower().translate(_ASCII))


def person_email(first: str, last: str, domain: str) -> str:
    return f"{slug(first)}.{slug(last)}@{domain}"


def phone_number(dice: Dice, region: Region) -> str:
    pattern = dice.pick(region.phone_formats)
    return "".join(str(dice.integer(0, 10)) if ch == "#" else ch for ch in pattern)


class NameBook:
    """Hands out company names with unique web domains across the whole run."""

    def __init__(self) -> None:
        self._domains: set[str] = set()

    def company(self, dice: Dice, industry: str, region: Region) -> tuple[str, str]:
        first = dice.pick(_FIRST_PARTS)
        if dice.chance(0.5):
            first += dice.pick(_SECOND_PARTS).lower()
        base = f"{first} {dice.pick(_INDUSTRY_WORDS[industry])}"
        suffix = dice.pick(region.legal_suffixes)
        tld = {"NA": "com", "EMEA": "eu", "APAC": "io", "LATAM": "co"}[region.name]
        if dice.chance(0.6):
            tld = "com"
        return f"{base} {suffix}", self.claim(f"{slug(base)}.{tld}")

    def claim(self, domain: str) -> str:
        """The domain itself if free, else the first free numbered variant."""
        name, _, tld = domain.partition(".")
        candidate, n = domain, 1
        while candidate in self._domains:
            n += 1
            candidate = f"{name}{n}.{tld}"
        self._domains.add(candidate)
        return candidate
