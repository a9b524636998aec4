"""Bank-label normalisation: "CB CARREFOUR 12/03" → "CARREFOUR", the payee people recognise."""

from __future__ import annotations

import functools
import re
from typing import Final

from bot.domain.text import squeeze

__all__ = ["label_details", "label_words", "normalize_payee", "squeeze"]


def label_words(text: str) -> tuple[str, ...]:
    """The alphanumeric words of a text, squeezed: what label patterns are matched against."""
    return tuple(re.findall(r"[A-Z0-9]+", squeeze(text)))


_CASH: Final = "RETRAIT DAB"
_CASH_EN: Final = "CASH WITHDRAWAL"

# How banks open a label, longest first within each kind. The kind decides what else is cut.
_PREFIXES: Final[tuple[tuple[str, str], ...]] = (
    # card payments (French banks)
    (r"PAIEMENT PAR CARTE", "card"),
    (r"PAIEMENT (?:CB|CARTE)", "card"),
    (r"FACTURE CARTE(?: DU)?", "card"),
    (r"ACHAT (?:CB|CARTE)", "card"),
    (r"(?:AVOIR|REMBOURSEMENT|REMB|ANNULATION) (?:CB|CARTE)", "card"),
    (r"CARTE", "card"),
    (r"CB", "card"),
    # card payments (English-speaking banks)
    (r"CARD PAYMENT TO", "card"),
    (r"CARD PAYMENT", "card"),
    (r"CONTACTLESS PAYMENT(?: TO)?", "card"),
    (r"DEBIT CARD (?:PURCHASE|PAYMENT)(?: AT| TO)?", "card"),
    (r"(?:VISA|CARD) PURCHASE(?: AT)?", "card"),
    (r"CARD REFUND(?: FROM)?", "card"),
    (r"POS(?: PURCHASE)?", "card"),
    # cash
    (r"(?:RETRAIT|RET) (?:DAB|GAB|CB|DISTRIBUTEUR)", "cash"),
    (r"RETRAIT", "cash"),
    (r"(?:CASH|ATM) WITHDRAWAL", "cash_en"),
    # direct debits
    (r"PRELEVEMENT (?:SEPA|EUROPEEN)(?: RECU)?", "debit"),
    (r"PRLV (?:SEPA|EUROPEEN)", "debit"),
    (r"PRELEVEMENT", "debit"),
    (r"PRLV", "debit"),
    (r"DIRECT DEBIT(?: PAYMENT)?(?: TO)?", "debit"),
    (r"DD", "debit"),
    # transfers
    (r"VIREMENT (?:SEPA |INSTANTANE |INST )?(?:RECU|EMIS)(?: DE| VERS| A| POUR)?", "transfer"),
    (r"VIREMENT EN VOTRE FAVEUR(?: DE)?", "transfer"),
    (r"VIREMENT (?:SEPA|INSTANTANE|PERMANENT|INTERNE)(?: DE| VERS| A| POUR)?", "transfer"),
    (r"VIREMENT(?: DE| VERS| A| POUR)?", "transfer"),
    (r"VIR\.? ?(?:SEPA|INST|INSTANTANE|PERMANENT|PERM|INTERNE)? ?(?:RECU|EMIS)?", "transfer"),
    (r"FASTER PAYMENTS?(?: RECEIVED| SENT| IN| OUT)?(?: FROM| TO)?", "transfer"),
    (r"(?:FPI|FPO|BGC|BACS(?: CREDIT)?|CREDIT TRANSFER|INWARD PAYMENT)(?: FROM)?", "transfer"),
    (r"(?:TRANSFER|TFR|WIRE TRANSFER|WIRE)(?: FROM| TO)?", "transfer"),
    (r"(?:STANDING ORDER|BILL PAYMENT)(?: TO)?", "transfer"),
)
_PREFIX_RE: Final = [(re.compile(rf"^(?:{p})(?=[\s/*:]|$)[\s:]*"), kind) for p, kind in _PREFIXES]

# A slash-field naming the other party: "/DE ACME SAS /MOTIF …", "/VERS JEAN DUPONT".
_PARTY_FIELD: Final = re.compile(r"(?:^|\s)/\s*(?:DE|VERS|FRM|FROM|TO|BEN|BENEF|POUR|A)\s+([^/]+)")
# Colon style: "DE: ACME SAS MOTIF: …", "BENEFICIAIRE: …".
_PARTY_COLON: Final = re.compile(
    r"\b(?:DE|POUR|A|FROM|TO|BENEFICIAIRE|EMETTEUR|DONNEUR D ORDRE)\s*:\s*(.+?)(?=\s+[A-Z/]+\s*:|$)"
)
# Where the purpose of a payment starts; what follows is not the payee.
_TAIL_MARKERS: Final = (
    "/MOTIF",
    "MOTIF",
    "/REF",
    "REF",
    "REFERENCE",
    "/RUM",
    "RUM",
    "/ICS",
    "ICS",
    "MDT",
    "MANDAT",
    "ID EMETTEUR",
    "ID CREANCIER",
    "/ID",
    "/LIB",
    "LIBELLE",
    "/INF",
    "ECH",
    "ECHEANCE",
    "ECHEANCIER",
    "FACT",
    "FACTURE",
    "CONTRAT",
    "NUM",
    "CLIENT",
    "IMPOT",
    "IMPOTS",
    "PERIODE",
    "DATE",
    "INVOICE",
    "INV",
)
_TAIL_RE: Final = re.compile(
    r"(?:^|\s)(?:" + "|".join(re.escape(m) for m in _TAIL_MARKERS) + r")(?=[\s/:.]|$)"
)
_LEADING_JOINERS: Final = frozenset({"DE", "DU", "VERS", "A", "POUR", "FROM", "TO", "AT", "RECU"})
_TRAILING_JOINERS: Final = frozenset(
    {"AU", "DU", "DE", "DES", "LE", "LA", "ON", "AT", "A", "ET", "EN", "THE", "OF"}
)
_LEGAL_FORMS: Final = frozenset(
    {"SA", "SAS", "SASU", "SARL", "EURL", "SNC", "SCI", "SCP", "SCM", "SELARL", "SELAS", "EI"}
    | {"EIRL", "GIE", "LTD", "LIMITED", "PLC", "LLP", "LLC", "INC", "GMBH", "AG", "BV", "NV"}
)
_COUNTRY_CODES: Final = frozenset(
    {"FR", "FRA", "GB", "GBR", "UK", "IE", "IRL", "LU", "LUX", "NL", "NLD", "BE", "BEL"}
    | {"ES", "ESP", "IT", "ITA", "US", "USA", "CH", "CHE", "DEU"}
)
_PAYMENT_FACILITATORS: Final = frozenset(
    {"SUMUP", "SQ", "ZETTLE", "IZ", "IZETTLE", "TST", "PAYPAL"}
)
_MONTHS: Final = (
    "JAN|JANV|JANVIER|FEB|FEV|FEVR|FEVRIER|MAR|MARS|APR|AVR|AVRIL|MAY|MAI|JUN|JUIN|JUL|JUIL"
    "|JUILLET|AUG|AOU|AOUT|SEP|SEPT|SEPTEMBRE|OCT|OCTOBRE|NOV|NOVEMBRE|DEC|DECEMBRE|JANUARY"
    "|FEBRUARY|MARCH|APRIL|JUNE|JULY|AUGUST|SEPTEMBER|OCTOBER|NOVEMBER|DECEMBER"
)
_DATE_RE: Final = re.compile(
    r"(?<![\w/])(?:"
    r"\d{4}-\d{2}-\d{2}"  # ISO
    r"|\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?"  # 12/03, 12/03/24, 12.03.2024
    r"|\d{1,2}[/.-]\d{4}"  # a period: 03/2025
    rf"|(?:ON\s+)?\d{{1,2}}\s?(?:{_MONTHS})(?:\s?\d{{2,4}})?"  # 12 MAR, ON 12 MAR 24, 12MAR24
    r"|\d{1,2}[H:]\d{2}"  # a time: 14H32
    r")(?![\w/])"
)
_CARD_NUMBER_RE: Final = re.compile(
    r"(?<!\w)(?:X+\d{3,4}|\d{4,6}X{2,}\d{0,4}|\*+\d{4}|CARD ENDING \d{4}"
    r"|CARTE (?:NUMERO |NO |N )?\d{3,})(?!\w)"
)

# Places banks append to a card merchant; cut from the place to the end of the label.
_PLACES: Final = frozenset(
    {
        "PARIS",
        "LYON",
        "MARSEILLE",
        "TOULOUSE",
        "NICE",
        "NANTES",
        "MONTPELLIER",
        "STRASBOURG",
        "BORDEAUX",
        "LILLE",
        "RENNES",
        "REIMS",
        "TOULON",
        "GRENOBLE",
        "DIJON",
        "ANGERS",
        "NIMES",
        "CLERMONT FERRAND",
        "LE MANS",
        "AIX EN PROVENCE",
        "BREST",
        "TOURS",
        "AMIENS",
        "LIMOGES",
        "ANNECY",
        "PERPIGNAN",
        "METZ",
        "BESANCON",
        "ORLEANS",
        "ROUEN",
        "MULHOUSE",
        "CAEN",
        "NANCY",
        "AVIGNON",
        "LA ROCHELLE",
        "BIARRITZ",
        "BAYONNE",
        "PAU",
        "POITIERS",
        "VERSAILLES",
        "VINCENNES",
        "MONTREUIL",
        "ST OUEN",
        "SAINT OUEN",
        "ST DENIS",
        "SAINT DENIS",
        "ST GERMAIN EN LAYE",
        "BOULOGNE",
        "BOULOGNE BILLANCOURT",
        "NEUILLY",
        "NEUILLY SUR SEINE",
        "LEVALLOIS",
        "LEVALLOIS PERRET",
        "ISSY LES MOULINEAUX",
        "NANTERRE",
        "LA DEFENSE",
        "PUTEAUX",
        "COURBEVOIE",
        "CRETEIL",
        "ROISSY",
        "ORLY",
        "MASSY",
        "NEMOURS",
        "LONDON",
        "MANCHESTER",
        "BIRMINGHAM",
        "LEEDS",
        "GLASGOW",
        "EDINBURGH",
        "BRISTOL",
        "LIVERPOOL",
        "CARDIFF",
        "BELFAST",
        "DUBLIN",
        "BRUXELLES",
        "BRUSSELS",
        "GENEVE",
        "GENEVA",
        "LAUSANNE",
        "LUXEMBOURG",
        "AMSTERDAM",
        "BERLIN",
        "MUNICH",
        "MADRID",
        "BARCELONA",
        "MILANO",
        "MILAN",
        "ROMA",
        "NEW YORK",
    }
)
_PLACE_SPLIT: Final = tuple(tuple(place.split()) for place in _PLACES)
_PLACES_BY_FIRST: Final[dict[str, tuple[tuple[str, ...], ...]]] = {
    first: tuple(place for place in _PLACE_SPLIT if place[0] == first)
    for first in {place[0] for place in _PLACE_SPLIT}
}
"""The places by their first word, in their order: a label's word is compared with the few
places it can start, not with all of them (every card line is read this way)."""
_PLACE_WORDS: Final = frozenset(
    word for place in _PLACE_SPLIT for word in place if len(word) > 2
) | {"CENTRE", "AIRE", "GARE", "AEROPORT", "AIRPORT"}
_NOT_BEFORE_PLACE: Final = frozenset({"DE", "DU", "DES", "D", "OF", "LA", "LE", "ST", "SAINT"})
_SERVICE_AREA_RE: Final = re.compile(r"\s(?:AIRE|AIRE DE SERVICE|SERVICE AREA|SERVICES)\s.*$")
_ROAD_RE: Final = re.compile(r"^[AMN]\d{1,3}$")
_POSTCODE_RE: Final = re.compile(r"^(?:\d{5}|\d{1,2}(?:E|EME|ER))$")

_REFERENCE_RE: Final = re.compile(r"^(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9-]{6,}$")


def normalize_payee(label: str) -> str:
    """The payee a person would name for a bank label: upper case, no accents, no references.

    Card lines give the merchant (store numbers, towns and country codes cut); transfers the
    other party named after /DE, /VERS, DE: …; direct debits the creditor, before its mandate
    and reference. A label we cannot read keeps its words minus dates and numbers.
    """
    text = squeeze(label)
    kind, rest = _strip_prefix(text)
    if kind == "cash":
        return _CASH
    if kind == "cash_en":
        return _CASH_EN
    if kind in ("transfer", "debit"):
        rest = _party(rest)
    rest = _CARD_NUMBER_RE.sub(" ", rest)
    rest = _DATE_RE.sub(" ", rest)
    if kind == "card":
        rest = _strip_facilitator(rest)
    words = _clean_words(rest)
    if kind == "card":
        words = _strip_place(words)
    elif kind in ("transfer", "debit"):
        words = _cut_after_legal_form(words)
    words = _trim(words)
    if not words:
        fallback = _trim(_clean_words(_DATE_RE.sub(" ", _CARD_NUMBER_RE.sub(" ", text))))
        return " ".join(fallback) or text
    return " ".join(words)


@functools.lru_cache(maxsize=4096)
def label_details(label: str, payee: str) -> frozenset[str]:
    """Words of a label beyond its payee, its dates and references: "TVA", "LOYER", "AVOIR"…

    They tell apart lines of one payee filed differently (a tax office's VAT and its CFE).
    """
    own = set(label_words(payee))
    text = squeeze(label)
    kind, rest = _strip_prefix(text)
    if kind == "card":
        # what follows a card merchant is where the shop is, not what was bought
        text = text[: len(text) - len(rest)]
    text = _CARD_NUMBER_RE.sub(" ", _DATE_RE.sub(" ", text))
    kept = " ".join(token for token in text.split() if not any(c.isdigit() for c in token))
    return frozenset(
        word
        for word in label_words(kept)
        if len(word) >= 2
        and word not in own
        and word not in _BOILERPLATE
        and word not in _PLACE_WORDS
        and word not in _COUNTRY_CODES
    )


_BOILERPLATE: Final = frozenset(
    {
        "CB",
        "CARTE",
        "PAIEMENT",
        "PAR",
        "ACHAT",
        "FACTURE",
        "FACT",
        "VIR",
        "VIREMENT",
        "SEPA",
        "RECU",
        "EMIS",
        "INST",
        "INSTANTANE",
        "PERMANENT",
        "PRLV",
        "PRELEVEMENT",
        "EUROPEEN",
        "DE",
        "DU",
        "DES",
        "LA",
        "LE",
        "LES",
        "AU",
        "AUX",
        "EN",
        "ET",
        "VERS",
        "POUR",
        "MOTIF",
        "REF",
        "REFERENCE",
        "RUM",
        "ICS",
        "MDT",
        "ID",
        "ON",
        "TO",
        "FROM",
        "AT",
        "THE",
        "CARD",
        "PAYMENT",
        "PAYMENTS",
        "DIRECT",
        "DD",
        "FASTER",
        "POS",
        "CONTACTLESS",
        "PURCHASE",
        "VISA",
        "DEBIT",
        "NO",
        "NUM",
        *_MONTHS.split("|"),
    }
)


def _strip_prefix(text: str) -> tuple[str, str]:
    for pattern, kind in _PREFIX_RE:
        match = pattern.match(text)
        if match:
            rest = text[match.end() :]
            if kind in ("cash", "cash_en") or rest.strip():
                return kind, rest
    return "other", text


def _party(rest: str) -> str:
    """The other party of a transfer or a direct debit, before the purpose of the payment."""
    field = _PARTY_FIELD.search(rest)
    if field:
        return field.group(1)
    colon = _PARTY_COLON.search(rest)
    if colon:
        return colon.group(1)
    words = rest.split()
    while words and words[0].strip("/:") in _LEADING_JOINERS:
        words.pop(0)
    rest = " ".join(words)
    cut = _TAIL_RE.search(rest)
    if cut and _has_name(rest[: cut.start()]):
        rest = rest[: cut.start()]
    return rest.split(" /", 1)[0]


def _has_name(text: str) -> bool:
    return any(sum(c.isalpha() for c in word) >= 2 for word in text.split())


def _strip_facilitator(rest: str) -> str:
    """ "SUMUP *LE CAFE" is the café: the payment provider is not the payee."""
    head, star, tail = rest.partition("*")
    if star and head.strip() in _PAYMENT_FACILITATORS and tail.strip():
        return tail
    return rest


def _clean_words(text: str) -> list[str]:
    words: list[str] = []
    for raw in text.replace("*", " ").replace("/", " ").split():
        word = raw.strip(".,;:-_#'\"()[]")
        if not word or not any(c.isalnum() for c in word):
            continue
        if _REFERENCE_RE.match(word):
            continue
        if word.isdigit():
            continue
        words.append(word)
    return words


def _strip_place(words: list[str]) -> list[str]:
    text = " ".join(words)
    area = _SERVICE_AREA_RE.search(text)
    if area:
        words = text[: area.start()].split()
    for index in range(1, len(words)):
        if words[index - 1] in _NOT_BEFORE_PLACE:
            continue
        if _POSTCODE_RE.match(words[index]) and index >= 1:
            return words[:index]
        for place in _PLACES_BY_FIRST.get(words[index], ()):
            if tuple(words[index : index + len(place)]) == place:
                return words[:index]
    return words


def _cut_after_legal_form(words: list[str]) -> list[str]:
    """ "ORANGE SA LIVEBOX PRO" is Orange: a legal form after the name ends it."""
    for index in range(1, len(words) - 1):
        if words[index] in _LEGAL_FORMS:
            return words[: index + 1]
    return words


def _trim(words: list[str]) -> list[str]:
    words = list(words)
    while words and (
        words[-1] in _TRAILING_JOINERS
        or words[-1].isdigit()
        or _ROAD_RE.match(words[-1])
        or (words[-1] in _COUNTRY_CODES and len(words) > 1)
    ):
        words.pop()
    while words and words[0] in _LEADING_JOINERS and len(words) > 1:
        words.pop(0)
    return words
