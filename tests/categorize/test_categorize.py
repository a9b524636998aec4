"""The suggestion cascade: rules, memory, built-in knowledge, suspense."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.categorize import knowledge
from bot.categorize.cascade import (
    AUTO_ACCEPT_THRESHOLD,
    LineFacts,
    Memory,
    RuleSpec,
    Source,
    Suggestion,
    suggest,
)
from bot.categorize.payees import normalize_payee
from bot.charts import TEMPLATES, ChartTemplate
from bot.domain.money import Money

FR = TEMPLATES["fr_pcg"]
EN = TEMPLATES["en_generic"]
DAY = date(2025, 3, 12)


def facts(
    label: str, minor: int = -4_250, day: date = DAY, bank_account_id: int | None = None
) -> LineFacts:
    return LineFacts(label, normalize_payee(label), Money(minor, "EUR"), day, bank_account_id)


def remembered(*lines: tuple[str, int, str]) -> Memory:
    """A memory that learned (label, amount, account) lines, one a week."""
    return Memory.of(
        (facts(label, minor, DAY - timedelta(weeks=len(lines) - n)), code)
        for n, (label, minor, code) in enumerate(lines)
    )


def cascade(
    line: LineFacts,
    *,
    rules: tuple[RuleSpec, ...] = (),
    memory: Memory | None = None,
    chart: ChartTemplate = FR,
    codes: set[str] | None = None,
) -> Suggestion:
    return suggest(line, rules=rules, memory=memory or Memory(), chart=chart, codes=codes)


ORANGE = "PRLV SEPA ORANGE SA LIVEBOX PRO 03/2025"


# --- the cascade's order ----------------------------------------------------------------------


def test_a_rule_beats_memory_and_knowledge() -> None:
    memory = remembered(*[(ORANGE, -6_000, "6135")] * 5)
    rule = RuleSpec(id=7, account_code="6156", payee="ORANGE SA")
    suggestion = cascade(facts(ORANGE, -6_000), rules=(rule,), memory=memory)
    assert suggestion == Suggestion("6156", Source.RULE, 1.0, rule_id=7)


def test_memory_beats_knowledge() -> None:
    memory = remembered((ORANGE, -6_000, "6135"))
    suggestion = cascade(facts(ORANGE, -6_000), memory=memory)
    assert (suggestion.account_code, suggestion.source) == ("6135", Source.MEMORY)


def test_knowledge_beats_suspense() -> None:
    suggestion = cascade(facts(ORANGE, -6_000))
    assert (suggestion.account_code, suggestion.source) == ("626", Source.KNOWN)
    assert 0 < suggestion.confidence < AUTO_ACCEPT_THRESHOLD


def test_nothing_known_goes_to_suspense_with_no_confidence() -> None:
    for chart in (FR, EN):
        suggestion = cascade(facts("VIR SEPA EMIS /VERS ZXQW HOLDING"), chart=chart)
        assert suggestion == Suggestion(chart.suspense_code, Source.NONE, 0.0)


def test_rules_apply_in_order_and_only_the_first_match_counts() -> None:
    rules = (
        RuleSpec(id=1, account_code="6064", payee="AMAZON PAYMENTS", max_minor=5_000),
        RuleSpec(id=2, account_code="6063", payee="AMAZON PAYMENTS"),
    )
    small = cascade(facts("CB AMAZON PAYMENTS 12/03", -2_999), rules=rules)
    large = cascade(facts("CB AMAZON PAYMENTS 12/03", -12_999), rules=rules)
    assert (small.account_code, small.rule_id) == ("6064", 1)
    assert (large.account_code, large.rule_id) == ("6063", 2)


def test_only_an_auto_accept_rule_sets_auto_accept() -> None:
    plain = RuleSpec(id=1, account_code="626", payee="ORANGE SA")
    auto = RuleSpec(id=2, account_code="626", payee="ORANGE SA", auto_accept=True)
    assert not cascade(facts(ORANGE), rules=(plain,)).auto_accept
    assert cascade(facts(ORANGE), rules=(auto,)).auto_accept
    memory = remembered(*[(ORANGE, -4_250, "626")] * 10)
    assert not cascade(facts(ORANGE), memory=memory).auto_accept


# --- rule conditions -----------------------------------------------------------------------------


def test_rule_payee_and_label_ignore_case_and_accents() -> None:
    line = facts("CB Café de la Gare 12/03")
    assert RuleSpec(id=1, account_code="6257", payee="café de la gare").matches(line)
    assert RuleSpec(id=1, account_code="6257", label_contains="de la GARE").matches(line)
    assert not RuleSpec(id=1, account_code="6257", payee="CAFE").matches(line)
    assert not RuleSpec(id=1, account_code="6257", label_contains="GARE DU NORD").matches(line)


def test_rule_amount_range_bounds_the_size_both_ends_included() -> None:
    rule = RuleSpec(id=1, account_code="6064", min_minor=1_000, max_minor=5_000)
    assert rule.matches(facts("CB X", -1_000))
    assert rule.matches(facts("CB X", -5_000))
    assert rule.matches(facts("CB X", 3_000))
    assert not rule.matches(facts("CB X", -999))
    assert not rule.matches(facts("CB X", -5_001))


def test_rule_direction() -> None:
    incoming = RuleSpec(id=1, account_code="706", direction="in")
    outgoing = RuleSpec(id=2, account_code="6226", direction="out")
    assert incoming.matches(facts("VIR ACME", 10_000))
    assert not incoming.matches(facts("VIR ACME", -10_000))
    assert outgoing.matches(facts("VIR ACME", -10_000))
    with pytest.raises(ValueError, match="direction"):
        RuleSpec(id=3, account_code="706", direction="sideways")


def test_rule_bank_account() -> None:
    rule = RuleSpec(id=1, account_code="580", bank_account_id=2)
    assert rule.matches(facts("VIR X", bank_account_id=2))
    assert not rule.matches(facts("VIR X", bank_account_id=3))
    assert not rule.matches(facts("VIR X"))


def test_every_condition_must_hold() -> None:
    rule = RuleSpec(id=1, account_code="6063", payee="AMAZON PAYMENTS", min_minor=8_000)
    assert rule.matches(facts("CB AMAZON PAYMENTS 12/03", -9_000))
    assert not rule.matches(facts("CB AMAZON PAYMENTS 12/03", -7_000))
    assert not rule.matches(facts("CB FNAC 12/03", -9_000))


def test_a_rule_to_an_account_the_book_lacks_is_skipped() -> None:
    rule = RuleSpec(id=1, account_code="6999", payee="ORANGE SA")
    suggestion = cascade(facts(ORANGE), rules=(rule,))
    assert suggestion.source is Source.KNOWN


# --- memory ---------------------------------------------------------------------------------------

SUPPLIER = "VIR SEPA EMIS /VERS JEAN MARTIN /MOTIF PRESTATION"


def test_memory_knows_nothing_of_a_payee_never_seen() -> None:
    assert Memory().suggest(facts(SUPPLIER, -50_000)) is None


def test_a_first_sighting_is_remembered_but_not_trusted() -> None:
    memory = remembered((SUPPLIER, -50_000, "611"))
    suggestion = memory.suggest(facts(SUPPLIER, -50_000))
    assert suggestion is not None
    assert suggestion.account_code == "611"
    assert suggestion.confidence < AUTO_ACCEPT_THRESHOLD


def test_confidence_grows_with_consistent_history() -> None:
    confidences = []
    lines: list[tuple[str, int, str]] = []
    for n in range(8):
        lines.append((SUPPLIER, -50_000 - 1_000 * n, "611"))
        found = remembered(*lines).suggest(facts(SUPPLIER, -52_000))
        assert found is not None and found.account_code == "611"
        confidences.append(found.confidence)
    assert confidences == sorted(confidences)
    assert confidences[-1] >= AUTO_ACCEPT_THRESHOLD


def test_a_history_that_disagrees_with_itself_gives_low_confidence() -> None:
    memory = remembered(*[("CB BOUTIQUE ZED 12/03", -3_000, code) for code in ("6064", "6063") * 3])
    suggestion = memory.suggest(facts("CB BOUTIQUE ZED 12/03", -3_000))
    assert suggestion is not None
    assert suggestion.confidence < 0.5


def test_a_payee_filed_by_amount_is_told_apart_and_unsure_in_between() -> None:
    lines = []
    for n in range(10):
        lines.append(("CB AMAZON PAYMENTS 12/03", -2_000 - 100 * n, "6064"))
        lines.append(("CB AMAZON PAYMENTS 12/03", -20_000 - 1_000 * n, "6063"))
    memory = remembered(*lines)

    def at(minor: int) -> Suggestion:
        found = memory.suggest(facts("CB AMAZON PAYMENTS 12/03", minor))
        assert found is not None
        return found

    assert at(-2_500).account_code == "6064"
    assert at(-2_500).confidence >= AUTO_ACCEPT_THRESHOLD
    assert at(-25_000).account_code == "6063"
    assert at(-25_000).confidence >= AUTO_ACCEPT_THRESHOLD
    assert at(-8_000).confidence < 0.5


def test_label_words_tell_one_payees_lines_apart() -> None:
    vat = "PRLV SEPA DGFIP IMPOT TVA CA3 {:02d}/2025"
    cfe = "PRLV SEPA DGFIP IMPOT CFE 2025"
    memory = remembered(*[(vat.format(month), -200_000, "44551") for month in range(1, 9)])
    memory.learn(facts(cfe, -50_000, date(2025, 12, 15)), "63511")
    for month in range(9, 12):
        memory.learn(facts(vat.format(month), -200_000, date(2025, 12, 19)), "44551")
    assert cascade(facts(vat.format(12), -210_000), memory=memory).account_code == "44551"
    assert cascade(facts(cfe, -52_000), memory=memory).account_code == "63511"


def test_new_label_words_let_knowledge_speak() -> None:
    memory = remembered(
        *[(f"PRLV SEPA DGFIP IMPOT TVA CA3 0{m}/2025", -200_000, "44551") for m in range(1, 6)]
    )
    suggestion = cascade(facts("PRLV SEPA DGFIP IMPOT IS ACOMPTE 06/2025", -90_000), memory=memory)
    assert (suggestion.account_code, suggestion.source) == ("444", Source.KNOWN)


def test_a_payees_habit_outweighs_knowledge_that_did_not_read_the_new_words() -> None:
    client = "VIR SEPA RECU /DE ZXQW SAS /MOTIF {}"
    memory = remembered((client.format("PROJET ALPHA"), 90_000, "7088"))
    codes = set(FR.codes) | {"7088"}
    suggestion = cascade(facts(client.format("LOCATION SALLE"), 90_000), memory=memory, codes=codes)
    assert (suggestion.account_code, suggestion.source) == ("7088", Source.MEMORY)
    assert suggestion.confidence < 0.5
    orange = remembered(*[(ORANGE, -6_000, "6135")] * 6)
    other = cascade(facts("PRLV SEPA ORANGE SA MOBILE PRO 03/2025", -2_000), memory=orange)
    assert (other.account_code, other.source) == ("6135", Source.MEMORY)
    assert other.confidence < AUTO_ACCEPT_THRESHOLD


def test_direction_matters_to_memory() -> None:
    owner = "VIR SEPA {} /{} CLAIRE DUPONT /MOTIF {}"
    memory = remembered(
        *[(owner.format("EMIS", "VERS", "REMUNERATION"), -300_000, "108")] * 4,
        *[(owner.format("RECU", "DE", "REMBOURSEMENT"), 40_000, "6251")] * 4,
    )
    outgoing = cascade(facts(owner.format("EMIS", "VERS", "REMUNERATION"), -310_000), memory=memory)
    incoming = cascade(facts(owner.format("RECU", "DE", "REMBOURSEMENT"), 41_000), memory=memory)
    assert outgoing.account_code == "108"
    assert incoming.account_code == "6251"


def test_money_back_from_a_payee_seen_only_paid_is_filed_alike_but_unsure() -> None:
    memory = remembered(*[("CB BOUTIQUE ZED 12/03", -3_000, "6064")] * 6)
    suggestion = memory.suggest(facts("AVOIR CB BOUTIQUE ZED 12/03", 3_000))
    assert suggestion is not None
    assert suggestion.account_code == "6064"
    assert suggestion.confidence <= 0.5


def test_an_amount_unlike_any_seen_lowers_confidence() -> None:
    memory = remembered(*[(SUPPLIER, -50_000, "611")] * 8)
    usual = memory.suggest(facts(SUPPLIER, -50_000))
    unusual = memory.suggest(facts(SUPPLIER, -500_000))
    assert usual is not None and unusual is not None
    assert unusual.account_code == "611"
    assert unusual.confidence < AUTO_ACCEPT_THRESHOLD <= usual.confidence


def test_recent_corrections_win_over_an_old_habit() -> None:
    label = "CB MONOP 12/03"
    memory = remembered(*[(label, -2_000, "6063")] * 10, *[(label, -2_000, "108")] * 3)
    suggestion = memory.suggest(facts(label, -2_000))
    assert suggestion is not None
    assert suggestion.account_code == "108"
    assert suggestion.confidence < AUTO_ACCEPT_THRESHOLD


def test_memory_and_knowledge_agreeing_are_surer_than_either() -> None:
    memory = remembered((ORANGE, -6_000, "626"))
    alone = memory.suggest(facts(ORANGE, -6_000))
    known = cascade(facts(ORANGE, -6_000))
    both = cascade(facts(ORANGE, -6_000), memory=memory)
    assert alone is not None
    assert both.confidence > max(alone.confidence, known.confidence)


def test_another_payee_of_the_same_brand_is_a_weak_hint() -> None:
    memory = remembered(*[("CB ZEDLINE STORE 12/03", -3_000, "6064")] * 5)
    suggestion = cascade(facts("CB ZEDLINE OUTLET 12/03", -3_000), memory=memory)
    assert (suggestion.account_code, suggestion.source) == ("6064", Source.MEMORY)
    assert suggestion.confidence < 0.5


# --- built-in knowledge ----------------------------------------------------------------------

KNOWN: list[tuple[str, int, str, str]] = [
    ("PRLV SEPA URSSAF ILE DE FRANCE ECHEANCE 03/2025", -120_000, "646", "3100"),
    ("PRLV SEPA URSSAF DSN 03/2025", -120_000, "645", "6210"),
    ("PRLV SEPA DGFIP IMPOT TVA CA3 02/2025", -230_000, "44551", "2200"),
    ("PRLV SEPA DGFIP IMPOT CFE 2025", -50_000, "63511", "6300"),
    ("PRLV SEPA DGFIP IMPOT IS ACOMPTE 03/2025", -90_000, "444", "2300"),
    ("PRLV SEPA DGFIP IMPOT PAS IR 03/2025", -40_000, "108", "3100"),
    ("PRLV SEPA EDF", -6_000, "6061", "6150"),
    ("PRLV SEPA ENGIE", -6_000, "6061", "6150"),
    (ORANGE, -6_000, "626", "6120"),
    ("PRLV SEPA SFR", -3_000, "626", "6120"),
    ("PRLV SEPA FREE MOBILE", -2_000, "626", "6120"),
    ("PRLV SEPA BOUYGUES TELECOM", -3_000, "626", "6120"),
    ("CB SNCF INTERNET 12/03", -9_000, "6251", "6130"),
    ("CARTE X1234 12/03 AIR FRANCE", -29_000, "6251", "6130"),
    ("CB UBER *TRIP 12/03", -1_500, "6251", "6130"),
    ("CB TOTALENERGIES ST OUEN 12/03", -6_000, "6061", "6140"),
    ("CB SHELL PARIS 12/03", -6_000, "6061", "6140"),
    ("CB ESSO EXPRESS 12/03", -6_000, "6061", "6140"),
    ("PRLV SEPA OVH SAS", -2_000, "6135", "6110"),
    ("CB GOOGLE *WORKSPACE 01/03", -1_500, "6135", "6110"),
    ("CB MICROSOFT*365 12/03", -1_200, "6135", "6110"),
    ("CARTE X7730 14/03 ADOBE *CREATIVE CLD", -7_000, "6135", "6110"),
    ("CB LA POSTE 12/03", -800, "626", "6070"),
    ("FRAIS TENUE DE COMPTE", -1_200, "627", "6010"),
    ("COTISATION CARTE BUSINESS", -15_000, "627", "6010"),
    ("COMMISSION INTERVENTION", -800, "627", "6010"),
    ("VIR SEPA RECU /DE ACME SAS /MOTIF FACT 2024-12", 600_000, "706", "4100"),
    ("INTERETS CREDITEURS AU 31/03/25", 9_000, "768", "4900"),
    ("CB LE PETIT BISTROT 12/03", -3_000, "6257", "6050"),
    ("PRLV SEPA MMA IARD", -5_000, "616", "6030"),
    ("PRLV SEPA AXA FRANCE IARD", -5_000, "616", "6030"),
    ("VIR PERMANENT /VERS SCI LES TILLEULS /MOTIF LOYER BUREAU", -65_000, "6132", "6090"),
    ("CB AMAZON PAYMENTS 12/03", -3_000, "6064", "6060"),
    ("CARTE X4821 12/03 HOTEL IBIS LYON PART DIEU", -12_000, "6256", "6130"),
    ("DEBIT MENSUEL CARTE X7730 AU 31/03", -150_000, "580", "1290"),
    ("REGLEMENT DEBIT MENSUEL AU 31/03", 150_000, "580", "1290"),
    ("VIR INTERNE /VERS LIVRET PRO", -20_000, "580", "1290"),
    ("VIR SEPA RECU /DE CLAIRE DUPONT /MOTIF APPORT EN COMPTE COURANT", 500_000, "108", "3100"),
    ("VIR SEPA RECU /DE DRFIP ILE DE FRANCE /MOTIF MANDAT 1 FACT 2025-039", 180_000, "706", "4100"),
    ("VIR SEPA EMIS /VERS PAUL MARTIN /MOTIF SALAIRE MARS", -210_000, "641", "6200"),
    ("CARD PAYMENT TO TESCO STORES 1234 ON 12 MAR", -2_000, "6063", "6060"),
    ("CARD PAYMENT TO PRET A MANGER ON 12 MAR", -800, "6257", "6050"),
    ("DIRECT DEBIT HMRC VAT", -300_000, "44551", "2200"),
    ("DIRECT DEBIT HMRC PAYE", -300_000, "645", "6210"),
    ("DIRECT DEBIT BRITISH GAS", -8_000, "6061", "6150"),
    ("DIRECT DEBIT VODAFONE LTD", -3_000, "626", "6120"),
    ("FASTER PAYMENT RECEIVED FROM ACME LTD REF INV 123", 100_000, "706", "4100"),
    ("MONTHLY ACCOUNT FEE", -500, "627", "6010"),
    ("INTEREST PAID", 300, "768", "4900"),
    ("STANDING ORDER TO LANDLORD LTD RENT", -100_000, "6132", "6090"),
    ("CARD PAYMENT TO TFL TRAVEL CH ON 12 MAR", -300, "6251", "6130"),
]


@pytest.mark.parametrize(("label", "minor", "fr", "en"), KNOWN)
def test_known_payees_and_words_for_both_charts(label: str, minor: int, fr: str, en: str) -> None:
    for chart, code in ((FR, fr), (EN, en)):
        suggestion = cascade(facts(label, minor), chart=chart)
        assert (suggestion.account_code, suggestion.source) == (code, Source.KNOWN), chart.key
        assert 0 < suggestion.confidence < AUTO_ACCEPT_THRESHOLD


def test_the_knowledge_table_is_large_enough() -> None:
    assert len(KNOWN) >= 30
    assert len({entry.phrase for entry in knowledge.ENTRIES}) >= 200


def test_urssaf_is_the_employers_charges_once_the_book_pays_salaries() -> None:
    urssaf = facts("PRLV SEPA URSSAF ILE DE FRANCE ECHEANCE 03/2025", -120_000)
    assert cascade(urssaf).account_code == "646"
    memory = remembered(("VIR SEPA EMIS /VERS PAUL MARTIN /MOTIF SALAIRE", -210_000, "641"))
    assert cascade(urssaf, memory=memory).account_code == "645"


def test_direction_decides_between_income_and_a_refund() -> None:
    client = "VIR SEPA RECU /DE ZXQW SAS /MOTIF FACTURE 12"
    assert cascade(facts(client, 50_000)).account_code == "706"
    assert cascade(facts("VIR SEPA EMIS /VERS ZXQW SAS /MOTIF FACTURE 12", -50_000)).source is (
        Source.NONE
    )
    refund = cascade(facts("AVOIR CB FNAC 12/03", 2_999))
    paid = cascade(facts("CB FNAC 12/03", -2_999))
    assert refund.account_code == paid.account_code == "6063"
    assert refund.confidence < paid.confidence
    assert cascade(facts("INTERETS DEBITEURS", -1_234)).account_code == "661"


# --- only the book's accounts -------------------------------------------------------------------


def test_only_codes_the_book_has_are_suggested() -> None:
    codes = set(FR.codes) - {"626"}
    suggestion = cascade(facts(ORANGE), codes=codes)
    assert suggestion.account_code in codes
    assert suggestion.source is Source.NONE
    memory = remembered(*[(ORANGE, -4_250, "6999")] * 5)
    assert cascade(facts(ORANGE), memory=memory).account_code == "626"


def test_extra_book_accounts_can_be_suggested() -> None:
    shell = facts("CB SHELL PARIS 12/03", -6_000)
    assert cascade(shell).account_code == "6061"
    assert cascade(shell, codes=set(FR.codes) | {"60614"}).account_code == "60614"
    memory = remembered(*[(ORANGE, -4_250, "6999")] * 5)
    assert cascade(facts(ORANGE), memory=memory, codes=set(FR.codes) | {"6999"}).account_code == (
        "6999"
    )


def test_every_knowledge_code_exists_in_its_chart_or_has_a_parent_there() -> None:
    optional = {"63512"}
    for entry in knowledge.ENTRIES:
        for chart, codes in (
            (FR, entry.fr + entry.employer_fr),
            (EN, entry.en + entry.employer_en),
        ):
            for code in codes:
                if code.startswith("@") or code in optional:
                    continue
                parents = {code[:end] for end in range(3, len(code) + 1)}
                assert parents & chart.codes, (entry.phrase, chart.key, code)


def test_suggestions_are_always_chart_codes() -> None:
    labels = [label for label, *_ in KNOWN] + ["CB ZXQW 12/03", "VIR SEPA RECU /DE ZXQW"]
    for chart in (FR, EN):
        for label in labels:
            for minor in (-1_000, 1_000):
                assert cascade(facts(label, minor), chart=chart).account_code in chart.codes


def test_auto_accept_threshold_is_a_probability() -> None:
    assert 0 < AUTO_ACCEPT_THRESHOLD <= 1
