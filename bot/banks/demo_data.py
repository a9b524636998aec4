"""What the demo bank's customer, a small Paris consultancy, sells, buys and pays each month."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

OWNER = "CLAIRE DUPONT"
DEBIT_CARD = "X4821"
BUSINESS_CARD = "X7730"
BANK_CODE = "99999"
"""Not allotted to any French bank, so a demo IBAN never looks like a real bank's."""
BRANCH_CODE = "00042"


@dataclass(frozen=True, slots=True)
class Merchant:
    """A card acceptor as statements print it; amounts in cents, drawn uniformly in [low, high]."""

    name: str
    low: int
    high: int
    weight: int = 1
    weekend: bool = True


@dataclass(frozen=True, slots=True)
class Subscription:
    """A card payment on the same day every month, its price changing once a year."""

    merchant: str
    day: int
    low: int
    high: int


@dataclass(frozen=True, slots=True)
class Bill:
    """A bill paid every month (or only in `months`) on a fixed day moved to a business day.

    `label` may use {period} (03/2025) and {year} (2025).
    """

    key: str
    label: str
    day: int
    low: int
    high: int
    varies: Literal["month", "year"] = "year"
    months: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Counterparty:
    """Someone paying or paid by transfer: in a month, once with `chance`, between two days.

    The amount is `unit` times a whole number drawn in `units`; `label` may use {invoice},
    {period}, {year} and {ref}.
    """

    label: str
    chance: float
    days: tuple[int, int]
    unit: int
    units: tuple[int, int]


@dataclass(frozen=True, slots=True)
class City:
    """A destination of business trips, paid with the business card."""

    name: str
    by_air: bool
    hotels: tuple[str, ...]
    restaurants: tuple[str, ...]


DAILY_MERCHANTS: tuple[Merchant, ...] = (
    Merchant("CARREFOUR CITY", 320, 4_590, 10),
    Merchant("MONOPRIX", 480, 6_250, 6),
    Merchant("FRANPRIX", 290, 2_980, 4),
    Merchant("BOULANGERIE PAUL", 310, 1_490, 6),
    Merchant("LE PETIT BISTROT", 1_450, 4_800, 7, weekend=False),
    Merchant("BRASSERIE DU MARCHE", 1_800, 6_500, 4),
    Merchant("SUSHI SHOP", 1_590, 3_990, 3),
    Merchant("PRET A MANGER", 690, 1_590, 5, weekend=False),
    Merchant("STARBUCKS", 390, 890, 3),
    Merchant("TOTALENERGIES ST OUEN", 4_500, 9_500, 3),
    Merchant("SHELL PARIS BERCY", 4_000, 9_000, 2),
    Merchant("ESSO EXPRESS VINCENNES", 3_800, 8_500, 2),
    Merchant("SNCF INTERNET", 2_500, 14_000, 3),
    Merchant("UBER *TRIP", 900, 4_500, 4),
    Merchant("AMAZON PAYMENTS", 1_199, 15_990, 4),
    Merchant("AMZN MKTP FR", 899, 8_990, 3),
    Merchant("LA POSTE", 139, 2_450, 3, weekend=False),
    Merchant("BUREAU VALLEE", 790, 7_900, 2, weekend=False),
    Merchant("FNAC", 1_999, 24_999, 1),
    Merchant("INDIGO PARKING", 400, 2_500, 2),
    Merchant("RATP", 215, 2_000, 2),
)

BUSINESS_CARD_MERCHANTS: tuple[Merchant, ...] = (
    Merchant("SANEF", 520, 3_140, 3),
    Merchant("VINCI AUTOROUTES", 610, 4_020, 3),
    Merchant("SHELL A6 AIRE DE NEMOURS", 5_000, 9_800, 2),
    Merchant("AMAZON EU SARL", 1_499, 19_990, 3),
    Merchant("CHEZ GEORGES", 2_800, 9_500, 2, weekend=False),
    Merchant("LA POSTE", 495, 3_200, 1, weekend=False),
    Merchant("APPLE STORE OPERA", 1_900, 14_900, 1),
)

DAILY_SUBSCRIPTIONS: tuple[Subscription, ...] = (
    Subscription("GOOGLE *WORKSPACE", 1, 1_360, 1_620),
    Subscription("MICROSOFT*365", 12, 1_050, 1_260),
)

BUSINESS_CARD_SUBSCRIPTIONS: tuple[Subscription, ...] = (
    Subscription("ADOBE *CREATIVE CLD", 14, 6_599, 7_139),
    Subscription("ZOOM.US", 21, 1_399, 1_599),
)

BILLS: tuple[Bill, ...] = (
    Bill(
        "rent",
        "VIR PERMANENT /VERS SCI LES TILLEULS /MOTIF LOYER BUREAU {period}",
        1,
        62_000,
        68_000,
    ),
    Bill("fees", "FRAIS TENUE DE COMPTE", 1, 1_200, 1_450),
    Bill("ovh", "PRLV SEPA OVH SAS", 3, 1_319, 2_639, varies="month"),
    Bill("orange", "PRLV SEPA ORANGE SA LIVEBOX PRO {period}", 4, 5_999, 7_490, varies="month"),
    Bill("urssaf", "PRLV SEPA URSSAF ILE DE FRANCE ECHEANCE {period}", 5, 98_000, 165_000),
    Bill("free", "PRLV SEPA FREE MOBILE", 6, 1_999, 2_399, varies="month"),
    Bill("edf", "PRLV SEPA EDF", 8, 4_200, 8_600),
    Bill("mma", "PRLV SEPA MMA IARD", 10, 3_800, 6_200),
    Bill("accountant", "PRLV SEPA CABINET BERTIN EXPERTISE", 12, 15_000, 24_000),
    Bill(
        "is", "PRLV SEPA DGFIP IMPOT IS ACOMPTE {period}", 15, 90_000, 240_000, months=(3, 6, 9, 12)
    ),
    Bill("cfe", "PRLV SEPA DGFIP IMPOT CFE {year}", 15, 28_000, 65_000, months=(12,)),
    Bill("card-fee", "COTISATION CARTE BUSINESS", 3, 14_400, 16_800, months=(9,)),
)

VAT_DAY = 19
VAT_LABEL = "PRLV SEPA DGFIP IMPOT TVA CA3 {period}"
VAT_DEDUCTIBLE = (12_000, 48_000)

CLIENTS: tuple[Counterparty, ...] = (
    Counterparty(
        label="VIR SEPA RECU /DE ACME SAS /MOTIF FACT {invoice}",
        chance=0.92,
        days=(8, 14),
        unit=600_000,
        units=(1, 1),
    ),
    Counterparty(
        label="VIR SEPA RECU /DE NEXADIS SAS /MOTIF REGLEMENT FACTURE {invoice}",
        chance=0.75,
        days=(15, 28),
        unit=90_000,
        units=(5, 10),
    ),
    Counterparty(
        label="VIR SEPA RECU /DE VALMONT INDUSTRIES SA /MOTIF FACTURE {invoice} /REF VI{ref}",
        chance=0.35,
        days=(20, 28),
        unit=96_000,
        units=(5, 10),
    ),
    Counterparty(
        label="VIR SEPA RECU /DE LUMEN CONSEIL /MOTIF FACT N {invoice}",
        chance=0.5,
        days=(1, 28),
        unit=6_000,
        units=(20, 56),
    ),
    Counterparty(
        label="VIR SEPA RECU /DE SARL ATELIERS DURAND /MOTIF {invoice}",
        chance=0.3,
        days=(1, 28),
        unit=6_000,
        units=(15, 30),
    ),
    Counterparty(
        label="VIR SEPA RECU /DE DRFIP ILE DE FRANCE ET PARIS /MOTIF MANDAT {ref} FACT {invoice}",
        chance=0.12,
        days=(5, 25),
        unit=60_000,
        units=(3, 6),
    ),
)

SUPPLIERS: tuple[Counterparty, ...] = (
    Counterparty(
        label="VIR INST EMIS /VERS THOMAS LEROY EI /MOTIF FACTURE TL-{year}-{ref}",
        chance=0.5,
        days=(2, 26),
        unit=50_000,
        units=(1, 5),
    ),
    Counterparty(
        label="VIR INST EMIS /VERS STUDIO KAPLA /MOTIF FACTURE K{ref}",
        chance=0.2,
        days=(2, 26),
        unit=1,
        units=(45_000, 180_000),
    ),
    Counterparty(
        label=f"VIR INST EMIS /VERS {OWNER} /MOTIF NOTE DE FRAIS {{period}}",
        chance=0.4,
        days=(2, 26),
        unit=1,
        units=(3_500, 26_000),
    ),
)

OWNER_PAY_LABEL = f"VIR SEPA EMIS /VERS {OWNER} /MOTIF REMUNERATION {{period}}"
OWNER_TOP_UP_LABEL = f"VIR SEPA RECU /DE {OWNER} /MOTIF APPORT EN COMPTE COURANT"

CASH_LABEL = "RETRAIT DAB {day} PARIS 11E"
REFUND_LABEL = "AVOIR CB AMAZON PAYMENTS {day}"
INTERVENTION_LABEL = "COMMISSION INTERVENTION"

SAVINGS_STANDING_ORDER = 20_000
SAVINGS_STANDING_DAY = 5
SAVINGS_ADJUSTMENT_DAYS = (10, 20)
CC_TO_SAVINGS = "VIR PERMANENT /VERS LIVRET PRO"
SAVINGS_FROM_CC = "VIR PERMANENT /DE COMPTE COURANT PRO"
CC_SWEEP_OUT = "VIR INTERNE /VERS LIVRET PRO"
SAVINGS_SWEEP_IN = "VIR INTERNE /DE COMPTE COURANT PRO"
SAVINGS_SWEEP_OUT = "VIR INTERNE /VERS COMPTE COURANT PRO"
CC_SWEEP_IN = "VIR INTERNE /DE LIVRET PRO"
INTEREST_LABEL = "INTERETS CREDITEURS AU {date}"
INTEREST_RANGE = (6_000, 14_000)

CARD_STATEMENT_CC = f"DEBIT MENSUEL CARTE {BUSINESS_CARD} AU {{day}}"
CARD_STATEMENT_CARD = "REGLEMENT DEBIT MENSUEL AU {day}"

CITIES: tuple[City, ...] = (
    City(
        "LYON",
        False,
        ("HOTEL IBIS LYON PART DIEU", "NOVOTEL LYON CONFLUENCE"),
        ("LE BOUCHON DES CORDELIERS", "BRASSERIE GEORGES"),
    ),
    City("LILLE", False, ("MERCURE LILLE CENTRE GRAND PLACE",), ("AU BRASSEUR", "MEERT")),
    City(
        "BORDEAUX",
        False,
        ("HOTEL MERCURE BORDEAUX CHARTRONS",),
        ("LE BISTROT DU SOMMELIER", "CAFE DU THEATRE"),
    ),
    City("NANTES", False, ("OKKO HOTELS NANTES",), ("LA CIGALE", "CREPERIE HEB KEN")),
    City("STRASBOURG", False, ("HOTEL HANNONG",), ("MAISON KAMMERZELL",)),
    City("TOULOUSE", True, ("CAMPANILE TOULOUSE CENTRE",), ("LE BIBENT", "CHEZ EMILE")),
    City("NICE", True, ("HOTEL WEST END NICE",), ("LA PETITE MAISON", "CHEZ PIPO")),
)
TRAIN = Merchant("SNCF CONNECT", 4_500, 13_000)
FLIGHT = Merchant("AIR FRANCE", 8_900, 26_000)
TAXIS: tuple[Merchant, ...] = (
    Merchant("UBER *TRIP", 900, 5_500),
    Merchant("G7 TAXI", 1_500, 6_000),
)
NIGHT = (8_900, 16_900)
MEAL = (1_600, 7_800)
