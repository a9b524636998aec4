"""Hand-kept facts about banks: brands, the names people use for them, groups of regional banks."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Brand:
    """A bank as people know it, mapped onto one or more rows of the offline registry.

    `match` holds regular expressions that must match the whole normalized registry name
    (lower case, no accents, punctuation as spaces, legal form removed); `bics` holds BIC
    prefixes, checked first. `bic` is set only for a brand the registry lacks: the directory
    then creates it from this entry.
    """

    country: str
    key: str
    name: str
    match: tuple[str, ...] = ()
    bics: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    popularity: int = 50
    group: str | None = None
    bic: str | None = None


@dataclass(frozen=True, slots=True)
class GroupSpec:
    """A brand made of regional banks, offered as one search hit and then a choice of region.

    Members are registry rows whose BIC starts with one of `bics` or whose normalized name
    contains a match of one of `match`, minus those matching `exclude`. When `region_strip`
    removes the group's own words from the upper-case registry name, the member is shown as
    `member_prefix` followed by what remains (its region).
    """

    id: str
    country: str
    name: str
    aliases: tuple[str, ...] = ()
    popularity: int = 50
    bics: tuple[str, ...] = ()
    match: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    member_prefix: str | None = None
    region_strip: str | None = None


GROUPS: tuple[GroupSpec, ...] = (
    GroupSpec(
        id="g-fr-ca",
        country="FR",
        name="Crédit Agricole",
        aliases=(
            "ca",
            "credit agricole",
            "credit agri",
            "crcam",
            "credit agricole mutuel",
            "caisse regionale de credit agricole",
        ),
        popularity=95,
        bics=("AGRIFRPP8", "AGRIMQMX", "AGRIRERX", "AGRIGPGX"),
        member_prefix="Crédit Agricole",
        region_strip=(
            r"^(?:(?:CAISSE|CAISS|CR|CRCAM)\s+)?(?:(?:REGIONALE|REGION|REGIO|REG)\s+)?"
            r"(?:DE\s+)?(?:(?:CREDIT|CREDI|CRED)\s+)?(?:(?:AGRICOLE|AGRICOL|AGRIC|AGRI|AGR)\b\s*)?"
            r"(?:(?:MUTUEL|MUT)\b\s*)?"
        ),
    ),
    GroupSpec(
        id="g-fr-bp",
        country="FR",
        name="Banque Populaire",
        aliases=("bp", "banque populaire", "banque pop", "bpop"),
        popularity=85,
        bics=("CCBPFRPP", "BREDFRPP"),
        member_prefix="Banque Populaire",
        region_strip=r"^BANQUE\s+POPULAIRE\b\s*",
    ),
    GroupSpec(
        id="g-fr-ce",
        country="FR",
        name="Caisse d'Épargne",
        aliases=("ce", "caisse d epargne", "caisse depargne", "caisse epargne", "ecureuil"),
        popularity=85,
        bics=("CEPAFRPP",),
        member_prefix="Caisse d'Épargne",
        region_strip=(
            r"^CAISSE\s+(?:D\s*'?\s*)?EPARGNE\s+(?:ET\s+DE\s+)?(?:(?:PREVOYANCE|PREVO)\b\s*)?"
            r"(?:DE\s+(?!LA\b))?"
        ),
    ),
    GroupSpec(
        id="g-fr-cm",
        country="FR",
        name="Crédit Mutuel",
        aliases=("cm", "credit mutuel", "cmut"),
        popularity=85,
        bics=("CMBRFR2B",),
        match=(r"^credit mutuel\b", r"^banque federative du credit mutuel\b"),
        exclude=(r"\bfactoring\b",),
    ),
    GroupSpec(
        id="g-de-spk",
        country="DE",
        name="Sparkasse",
        aliases=("sparkasse", "sparkassen", "spk", "ksk", "kreissparkasse", "stadtsparkasse"),
        popularity=95,
        match=(r"sparkasse",),
        exclude=(r"bausparkasse", r"^lbs\b", r"versicherung"),
    ),
    GroupSpec(
        id="g-de-vr",
        country="DE",
        name="Volksbank Raiffeisenbank",
        aliases=(
            "volksbank",
            "volksbanken",
            "raiffeisenbank",
            "raiffeisenbanken",
            "vr bank",
            "vrbank",
            "voba",
            "raiba",
            "genossenschaftsbank",
        ),
        popularity=90,
        match=(
            r"volksbank",
            r"raiffeisen",
            r"\bvr\b",
            r"\bvrbank",
            r"genossenschaftsbank",
            r"darlehnskasse",
            r"darlehenskasse",
            r"\bvolks\b",
        ),
        exclude=(r"^dz bank\b", r"zentral", r"\bdzbank\b"),
    ),
    GroupSpec(
        id="g-de-sparda",
        country="DE",
        name="Sparda-Bank",
        aliases=("sparda", "sparda bank"),
        popularity=60,
        match=(r"^sparda bank\b",),
    ),
    GroupSpec(
        id="g-at-rb",
        country="AT",
        name="Raiffeisen",
        aliases=("raiffeisen", "raiffeisenbank", "raiba", "rlb"),
        popularity=90,
        match=(r"raiffeisen",),
        exclude=(r"raiffeisen bank international", r"bausparkasse"),
    ),
    GroupSpec(
        id="g-at-vb",
        country="AT",
        name="Volksbank",
        aliases=("volksbank", "voba"),
        popularity=70,
        match=(r"^volksbank\b",),
    ),
    GroupSpec(
        id="g-at-spk",
        country="AT",
        name="Sparkasse",
        aliases=("sparkasse", "sparkassen"),
        popularity=70,
        match=(r"sparkasse",),
        exclude=(r"bausparkasse", r"postsparkasse", r"^erste\b"),
    ),
    GroupSpec(
        id="g-ch-raif",
        country="CH",
        name="Raiffeisen",
        aliases=("raiffeisen", "raiffeisenbank", "banque raiffeisen", "banca raiffeisen"),
        popularity=85,
        match=(r"raiffeisen",),
    ),
    GroupSpec(
        id="g-it-bcc",
        country="IT",
        name="Credito Cooperativo (BCC)",
        aliases=("bcc", "credito cooperativo", "banca di credito cooperativo", "cassa rurale"),
        popularity=60,
        match=(r"credito cooperativo", r"cassa rurale", r"casse rurali", r"\bbcc\b"),
    ),
    GroupSpec(
        id="g-pl-bs",
        country="PL",
        name="Bank Spółdzielczy",
        aliases=("bs", "bank spoldzielczy", "banki spoldzielcze"),
        popularity=60,
        match=(r"spoldzielcz",),
        exclude=(r"spoldzielczosci",),
    ),
    GroupSpec(
        id="g-es-cr",
        country="ES",
        name="Caja Rural",
        aliases=("caja rural", "cajas rurales"),
        popularity=60,
        match=(r"\bcaja rural\b", r"^c r\b", r"^caja r\b"),
    ),
)


BRANDS: tuple[Brand, ...] = (
    # France
    Brand(
        "FR",
        "bnp-paribas",
        "BNP Paribas",
        match=(r"bnp paribas",),
        aliases=("bnp", "bnpp", "banque nationale de paris"),
        popularity=95,
    ),
    Brand(
        "FR",
        "hello-bank",
        "Hello bank!",
        aliases=("hello bank", "hellobank", "hello"),
        popularity=55,
        bic="BNPAFRPPXXX",
    ),
    Brand(
        "FR",
        "societe-generale",
        "Société Générale",
        match=(r"societe generale",),
        aliases=("sg", "socgen", "societe generale", "la generale"),
        popularity=95,
    ),
    Brand(
        "FR",
        "credit-agricole-sa",
        "Crédit Agricole S.A.",
        match=(r"credit agricole",),
        aliases=("casa",),
        popularity=10,
    ),
    Brand(
        "FR",
        "lcl",
        "LCL",
        match=(r"credit lyonnais",),
        aliases=("lcl", "le credit lyonnais", "credit lyonnais"),
        popularity=90,
    ),
    Brand(
        "FR",
        "la-banque-postale",
        "La Banque Postale",
        match=(r"la banque postale",),
        aliases=("lbp", "banque postale", "la poste", "postale"),
        popularity=90,
    ),
    Brand(
        "FR",
        "boursobank",
        "BoursoBank",
        match=(r"boursobank", r"boursorama.*"),
        aliases=("bourso", "boursorama", "boursorama banque", "bourso bank"),
        popularity=85,
    ),
    Brand(
        "FR",
        "cic",
        "CIC",
        match=(r"credit industriel et commercial",),
        aliases=("cic", "credit industriel"),
        popularity=80,
    ),
    Brand(
        "FR",
        "credit-du-nord",
        "Crédit du Nord",
        match=(r"credit du nord",),
        aliases=("cdn",),
        popularity=45,
    ),
    Brand(
        "FR",
        "hsbc-france",
        "HSBC France",
        match=(r"hsbc france",),
        aliases=("hsbc",),
        popularity=60,
    ),
    Brand("FR", "ccf", "CCF", match=(r"ccf",), aliases=("ccf",), popularity=50),
    Brand(
        "FR",
        "ing",
        "ING",
        match=(r"ing bank france.*", r"ing direct.*"),
        aliases=("ing", "ing direct"),
        popularity=55,
    ),
    Brand(
        "FR",
        "fortuneo",
        "Fortuneo",
        match=(r"arkea direct bank",),
        aliases=("fortuneo", "arkea direct bank"),
        popularity=70,
    ),
    Brand(
        "FR",
        "qonto",
        "Qonto",
        match=(r"olinda",),
        bics=("QNTOFR",),
        aliases=("qonto", "olinda"),
        popularity=80,
    ),
    Brand("FR", "shine", "Shine", match=(r"shine",), aliases=("shine",), popularity=70),
    Brand("FR", "revolut", "Revolut", match=(r"revolut.*",), aliases=("revolut",), popularity=75),
    Brand("FR", "n26", "N26", match=(r"n26\b.*",), aliases=("n26",), popularity=65),
    Brand("FR", "bunq", "bunq", match=(r"bunq.*",), aliases=("bunq",), popularity=40),
    Brand(
        "FR",
        "nickel",
        "Nickel",
        match=(r"financiere des paiements electroniques",),
        aliases=("nickel", "compte nickel"),
        popularity=60,
    ),
    Brand(
        "FR",
        "lydia",
        "Lydia (Sumeria)",
        match=(r"lydia.*",),
        aliases=("lydia", "sumeria"),
        popularity=40,
    ),
    Brand("FR", "orange-bank", "Orange Bank", match=(r"orange bank",), popularity=40),
    Brand(
        "FR", "bforbank", "BforBank", match=(r"bforbank",), aliases=("bfor bank",), popularity=40
    ),
    Brand(
        "FR",
        "bred",
        "BRED Banque Populaire",
        match=(r"bred banque populaire",),
        aliases=("bred", "bred banque populaire"),
        popularity=55,
        group="g-fr-bp",
    ),
    Brand(
        "FR",
        "cm-arkea",
        "Crédit Mutuel Arkéa",
        match=(r"credit mutuel arkea",),
        aliases=("arkea", "credit mutuel de bretagne", "cmb"),
        popularity=45,
        group="g-fr-cm",
    ),
    Brand(
        "FR",
        "credit-cooperatif",
        "Crédit Coopératif",
        match=(r"credit cooperatif",),
        aliases=("credit coop",),
        popularity=40,
    ),
    Brand("FR", "ma-french-bank", "Ma French Bank", match=(r"ma french bank",), popularity=30),
    Brand(
        "FR", "axa-banque", "AXA Banque", match=(r"axa banque",), aliases=("axa",), popularity=35
    ),
    Brand("FR", "memo-bank", "Memo Bank", match=(r"memo bank",), popularity=30),
    Brand("FR", "anytime", "Anytime", match=(r"pps eu",), aliases=("anytime",), popularity=30),
    Brand("FR", "banque-courtois", "Banque Courtois", match=(r"banque courtois.*",), popularity=20),
    Brand(
        "FR", "carrefour-banque", "Carrefour Banque", match=(r"carrefour banque",), popularity=30
    ),
    Brand(
        "FR",
        "banque-palatine",
        "Banque Palatine",
        match=(r"banque palatine",),
        aliases=("palatine",),
        popularity=30,
    ),
    # United Kingdom
    Brand(
        "GB",
        "barclays",
        "Barclays",
        match=(r"barclays bank( uk)?",),
        aliases=("barclays",),
        popularity=95,
    ),
    Brand(
        "GB",
        "hsbc-uk",
        "HSBC UK",
        match=(r"hsbc uk bank", r"hsbc bank"),
        aliases=("hsbc", "hsbc uk"),
        popularity=90,
    ),
    Brand(
        "GB",
        "lloyds",
        "Lloyds Bank",
        match=(r"lloyds bank",),
        aliases=("lloyds", "lloyds tsb"),
        popularity=90,
    ),
    Brand(
        "GB",
        "natwest",
        "NatWest",
        match=(r"national westminster bank",),
        aliases=("natwest", "nat west", "national westminster"),
        popularity=90,
    ),
    Brand("GB", "halifax", "Halifax", bics=("HLFXGB",), aliases=("halifax",), popularity=85),
    Brand(
        "GB",
        "santander-uk",
        "Santander UK",
        match=(r"santander uk",),
        aliases=("santander",),
        popularity=85,
    ),
    Brand(
        "GB",
        "nationwide",
        "Nationwide",
        match=(r"nationwide building society",),
        aliases=("nationwide",),
        popularity=80,
    ),
    Brand(
        "GB",
        "rbs",
        "Royal Bank of Scotland",
        match=(r"(the )?royal bank of scotland",),
        aliases=("rbs", "royal bank of scotland"),
        popularity=75,
    ),
    Brand("GB", "monzo", "Monzo", match=(r"monzo bank",), aliases=("monzo",), popularity=80),
    Brand(
        "GB",
        "starling",
        "Starling Bank",
        match=(r"starling bank",),
        aliases=("starling",),
        popularity=75,
    ),
    Brand("GB", "tide", "Tide", match=(r"tide platform",), aliases=("tide",), popularity=70),
    Brand(
        "GB",
        "wise",
        "Wise",
        match=(r"wise payments", r"transferwise"),
        aliases=("wise", "transferwise"),
        popularity=70,
    ),
    Brand(
        "GB",
        "revolut",
        "Revolut",
        match=(r"revolut( bank uk)?",),
        aliases=("revolut",),
        popularity=75,
    ),
    Brand(
        "GB",
        "bank-of-scotland",
        "Bank of Scotland",
        match=(r"bank of scotland",),
        aliases=("bos",),
        popularity=60,
    ),
    Brand("GB", "tsb", "TSB", match=(r"tsb bank",), aliases=("tsb",), popularity=60),
    Brand("GB", "metro-bank", "Metro Bank", match=(r"metro bank",), popularity=50),
    Brand(
        "GB",
        "virgin-money",
        "Virgin Money",
        match=(r"virgin money",),
        aliases=("virgin",),
        popularity=50,
    ),
    Brand(
        "GB",
        "co-op-bank",
        "The Co-operative Bank",
        match=(r"the co operative bank",),
        aliases=("co op bank", "coop bank", "co operative bank"),
        popularity=45,
    ),
    # Germany
    Brand(
        "DE",
        "deutsche-bank",
        "Deutsche Bank",
        match=(r"deutsche bank\b.*",),
        aliases=("db",),
        popularity=95,
    ),
    Brand(
        "DE", "postbank", "Postbank", match=(r"postbank\b.*",), aliases=("postbank",), popularity=90
    ),
    Brand(
        "DE",
        "comdirect",
        "comdirect",
        match=(r".*\bcomdirect\b.*",),
        aliases=("comdirect",),
        popularity=65,
    ),
    Brand(
        "DE",
        "commerzbank",
        "Commerzbank",
        match=(r"commerzbank\b.*",),
        aliases=("coba",),
        popularity=90,
    ),
    Brand(
        "DE",
        "ing",
        "ING",
        match=(r"ing diba", r"ing bank"),
        aliases=("ing", "ing diba"),
        popularity=85,
    ),
    Brand(
        "DE",
        "dkb",
        "DKB",
        match=(r"deutsche kreditbank\b.*",),
        aliases=("dkb", "deutsche kreditbank"),
        popularity=75,
    ),
    Brand(
        "DE",
        "hvb",
        "HypoVereinsbank",
        match=(r"unicredit bank hypovereinsbank",),
        aliases=("hvb", "hypovereinsbank", "unicredit"),
        popularity=70,
    ),
    Brand("DE", "n26", "N26", match=(r"n26 bank",), aliases=("n26",), popularity=70),
    Brand("DE", "targobank", "TARGOBANK", match=(r"targobank",), aliases=("targo",), popularity=50),
    Brand("DE", "norisbank", "norisbank", match=(r"norisbank",), popularity=40),
    Brand("DE", "qonto", "Qonto", bics=("QNTODE",), aliases=("qonto",), popularity=50),
    Brand("DE", "revolut", "Revolut", bics=("REVODE",), aliases=("revolut",), popularity=50),
    # Belgium, the Netherlands, Spain, Italy, Switzerland, Austria
    Brand(
        "BE",
        "bnp-fortis",
        "BNP Paribas Fortis",
        match=(r"bnp paribas fortis",),
        aliases=("fortis", "bnp"),
        popularity=90,
    ),
    Brand("BE", "kbc", "KBC", match=(r"kbc bank",), aliases=("kbc",), popularity=85),
    Brand("BE", "ing", "ING Belgique", match=(r"ing belgie",), aliases=("ing",), popularity=85),
    Brand(
        "BE", "belfius", "Belfius", match=(r"belfius bank",), aliases=("belfius",), popularity=85
    ),
    Brand(
        "BE",
        "argenta",
        "Argenta",
        match=(r"argenta spaarbank",),
        aliases=("argenta",),
        popularity=60,
    ),
    Brand("NL", "ing", "ING", match=(r"ing",), aliases=("ing",), popularity=90),
    Brand("NL", "rabobank", "Rabobank", match=(r"rabobank",), aliases=("rabo",), popularity=90),
    Brand(
        "NL",
        "abn-amro",
        "ABN AMRO",
        match=(r"abn amro bank",),
        aliases=("abn", "abn amro"),
        popularity=90,
    ),
    Brand(
        "ES",
        "santander",
        "Banco Santander",
        match=(r"banco santander",),
        aliases=("santander",),
        popularity=90,
    ),
    Brand(
        "ES",
        "bbva",
        "BBVA",
        match=(r"banco bilbao vizcaya argentaria",),
        aliases=("bbva",),
        popularity=90,
    ),
    Brand(
        "ES",
        "caixabank",
        "CaixaBank",
        match=(r"caixabank",),
        aliases=("caixa", "la caixa"),
        popularity=90,
    ),
    Brand(
        "ES",
        "sabadell",
        "Banco Sabadell",
        match=(r"banco de sabadell",),
        aliases=("sabadell",),
        popularity=80,
    ),
    Brand("ES", "bankinter", "Bankinter", match=(r"bankinter",), popularity=70),
    Brand(
        "IT",
        "intesa",
        "Intesa Sanpaolo",
        match=(r"intesa sanpaolo",),
        aliases=("intesa", "isp"),
        popularity=90,
    ),
    Brand(
        "IT",
        "unicredit",
        "UniCredit",
        match=(r"unicredit societa per azioni", r"unicredit"),
        aliases=("unicredit",),
        popularity=90,
    ),
    Brand("IT", "bper", "BPER Banca", match=(r"bper banca",), aliases=("bper",), popularity=70),
    Brand(
        "IT",
        "mps",
        "Monte dei Paschi di Siena",
        match=(r"banca monte dei paschi di siena",),
        aliases=("mps", "monte dei paschi"),
        popularity=70,
    ),
    Brand(
        "IT",
        "banco-bpm",
        "Banco BPM",
        match=(r"banco bpm( societa per azioni)?",),
        aliases=("bpm",),
        popularity=70,
    ),
    Brand(
        "IT",
        "poste",
        "Poste Italiane",
        match=(r"poste italiane",),
        aliases=("poste", "bancoposta"),
        popularity=70,
    ),
    Brand(
        "CH", "ubs", "UBS", match=(r"ubs switzerland\b.*", r"ubs"), aliases=("ubs",), popularity=90
    ),
    Brand("CH", "postfinance", "PostFinance", match=(r"postfinance",), popularity=85),
    Brand(
        "CH",
        "zkb",
        "Zürcher Kantonalbank",
        match=(r"zurcher kantonalbank",),
        aliases=("zkb",),
        popularity=70,
    ),
    Brand(
        "AT",
        "erste",
        "Erste Bank",
        match=(r"erste bank der oesterreichischen sparkassen",),
        aliases=("erste",),
        popularity=85,
    ),
    Brand(
        "AT",
        "bawag",
        "BAWAG P.S.K.",
        match=(r"bawag p s k\b.*",),
        aliases=("bawag", "psk"),
        popularity=80,
    ),
    Brand(
        "AT",
        "bank-austria",
        "Bank Austria",
        match=(r"unicredit bank austria",),
        aliases=("bank austria",),
        popularity=80,
    ),
    # Ireland, Portugal, Poland
    Brand("IE", "aib", "AIB", match=(r"allied irish banks",), aliases=("aib",), popularity=90),
    Brand(
        "IE",
        "bank-of-ireland",
        "Bank of Ireland",
        match=(r"bank of ireland",),
        aliases=("boi",),
        popularity=90,
    ),
    Brand(
        "IE",
        "ptsb",
        "PTSB",
        match=(r"permanent tsb.*",),
        aliases=("ptsb", "permanent tsb"),
        popularity=60,
    ),
    Brand(
        "PT",
        "millennium-bcp",
        "Millennium bcp",
        match=(r"banco comercial portugues",),
        aliases=("millennium", "bcp"),
        popularity=85,
    ),
    Brand(
        "PT",
        "cgd",
        "Caixa Geral de Depósitos",
        match=(r"caixa geral de depositos",),
        aliases=("cgd", "caixa geral", "caixa"),
        popularity=85,
    ),
    Brand("PT", "novo-banco", "Novo Banco", match=(r"novo banco",), popularity=70),
    Brand(
        "PT",
        "santander-totta",
        "Santander Totta",
        match=(r"banco santander totta",),
        aliases=("santander",),
        popularity=75,
    ),
    Brand("PT", "bpi", "BPI", match=(r"banco bpi",), aliases=("bpi",), popularity=70),
    Brand(
        "PL",
        "pko-bp",
        "PKO Bank Polski",
        match=(r"powszechna kasa oszczednosci bank polski",),
        aliases=("pko", "pko bp", "pko bank"),
        popularity=95,
    ),
    Brand(
        "PL",
        "pekao",
        "Bank Pekao",
        match=(r"bank polska kasa opieki",),
        aliases=("pekao", "pekao sa"),
        popularity=90,
    ),
    Brand("PL", "mbank", "mBank", match=(r"mbank",), aliases=("mbank",), popularity=85),
    Brand(
        "PL",
        "ing",
        "ING Bank Śląski",
        match=(r"ing bank slaski",),
        aliases=("ing",),
        popularity=85,
    ),
    Brand(
        "PL",
        "millennium",
        "Bank Millennium",
        match=(r"bank millennium",),
        aliases=("millennium",),
        popularity=70,
    ),
    Brand("PL", "alior", "Alior Bank", match=(r"alior bank",), aliases=("alior",), popularity=65),
)


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Upper-case registry words given back their accents, for French-speaking countries.
FRENCH_WORDS: dict[str, str] = {
    word.upper().translate(str.maketrans("ÉÈÊÎÔÂÛÇ", "EEEIOAUC")): word
    for word in words(
        """Crédit Crédits Société Générale Générales Épargne Prévoyance Fédérative Française
        Français Coopératif Coopérative Rhône Méditerranée Île Côte Côtes Finistère Réunion
        Dépôts Calédonienne Polynésie Pyrénées Drôme Ardèche Comté Vendée Sèvres Périgord
        Régionale Bâtiment Trésor Frères Électroniques Financière Arkéa Télécommunications
        Océan Hérault Isère Léman Privée Européenne Sécurité Intérêt Mutualité"""
    )
}

# Brand spellings that title case would get wrong.
WORD_CASING: dict[str, str] = {
    word.upper(): word
    for word in words(
        """NatWest UniCredit BoursoBank BforBank CaixaBank PayPal JPMorgan HypoVereinsbank
        BinckBank iBanFirst MoneyGram AmEx OpenPayd ClearBank CreditPlus TeamBank apoBank
        KölnBonn"""
    )
}

# Abbreviations of the French registry, written out in region names.
REGION_WORDS: dict[str, str] = {
    "CTRE": "CENTRE",
    "CENT": "CENTRE",
    "HTE": "HAUTE",
    "LOIR": "LOIRE",
    "MAIN": "MAINE",
    "TOURAIN": "TOURAINE",
    "VEN": "VENDEE",
    "MEDIT": "MEDITERRANEE",
    "BOURGOG": "BOURGOGNE",
    "LORRAIN": "LORRAINE",
    "IDF": "ILE-DE-FRANCE",
    "SUDRA": "SUD RHONE ALPES",
    "17-79": "CHARENTE-MARITIME DEUX-SEVRES",
    "VAL FRANCE": "VAL DE FRANCE",
}

# Regions the registry leaves out of a member's name, by BIC.
REGION_BY_BIC: dict[str, str] = {
    "AGRIGPGX": "Guadeloupe",
}

# German short-name abbreviations of the Bundesbank file, written out.
SHORT_NAME_WORDS: dict[str, str] = {
    "raiffbk": "Raiffeisenbank",
    "spk": "Sparkasse",
    "volksbk": "Volksbank",
    "vb": "Volksbank",
    "rb": "Raiffeisenbank",
    "bk": "Bank",
    "st": "Stadt",
}

# Upper-case words kept upper case when a registry name is recased.
ACRONYMS: frozenset[str] = words(
    """BNP HSBC CIC LCL BRED ING KBC DNB UBS ABN AMRO BBVA NLB OTP SEB BCP BPE CCF UK USA BFCM
    CEPAC IDF AXA PSA RCI CIB BPI BPCE TSB RBS DZ VR HVB DKB PSD GLS LBS KD BCEE BGL BIL BCV
    BCGE BCN BKB SGKB LUKB ZKB EFG CBH MPS BPER BPM BNL UBI IW BHW ANZ DBS OCBC PKO BOS BNY JP
    NA SA AG BV NV PLC CR BCC SNS ASN DSK CEC BRD BT UAB JSC LHV TBC MBH MKB NBG ATE BOI AIB
    PTSB EBS KBL BDL BOV APS BOC CA CE CM SG BP LBP CDC BFCOI BFC BNPP FS MBNA KEB ICBC"""
)

# Words written in lower case inside a name ("Banque de France", "Bank of Scotland").
SMALL_WORDS: frozenset[str] = words(
    """de du des la le les et en d l of and the for y e i di del della delle dei degli van von
    der den und für im am zu auf an och og af för på w z"""
)

# Legal forms dropped from the end of a name (regular expressions, matched ignoring case).
LEGAL_FORMS: tuple[str, ...] = (
    r"public limited company", r"p\.?l\.?c\.?", r"limited", r"ltd\.?", r"s\.?a\.?s\.?",
    r"s\.?a\.?", r"s\.?p\.?a\.?", r"a\.?g\.?", r"gmbh", r"n\.?v\.?", r"b\.?v\.?", r"a/s",
    r"asa", r"ab", r"as", r"a\. ?s\.?", r"d\.?d\.?", r"d\.?o\.?o\.?", r"snc", r"e\.?g\.?",
    r"egen", r"aktiengesellschaft", r"spółka akcyjna", r"s\.?c\.?c\.?(?:v\.?)?", r"uab",
    r"se", r"zrt\.?", r"nyrt\.?", r"kft\.?", r"sarl", r"s\.?l\.?", r"abp", r"oyj", r"inc\.?",
    r"t\.?a\.?o\.?", r"a\.?ş\.?", r"pjsc", r"jsc", r"ad", r"sa/nv", r"nv/sa", r"kgaa",
    r"società per azioni", r"societa' per azioni", r"societa' cooperativa(?: per azioni)?",
    r"società cooperativa(?: per azioni)?", r"sc", r"scrl", r"scarl", r"eg", r"a\.s\.",
    r"s\.e\.", r"s\.c\.", r"soc\. ?coop\.?", r"e\. ?gen\.?",
    r"societa' cooperativa a responsabilita' limitata",
    r"registrierte genossenschaft mit beschränkter haftung", r"llp", r"b\.?s\.?c\.?",
)  # fmt: skip

# Legal forms dropped from the start of a name (the Ukrainian registry puts them first);
# one "jsс" ends in a Cyrillic "с", as the registry spells it.
LEGAL_PREFIXES: tuple[str, ...] = (
    r"pjsc", r"pujsc", r"jsc", r"jsс", r"jsb", r"cb", r"public joint stock company",
    r"joint stock company",
)  # fmt: skip
