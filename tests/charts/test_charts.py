"""Chart-of-accounts templates: codes, kinds, the glossary's labels and bank numbering."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.charts import (
    DATA,
    TEMPLATES,
    AccountKind,
    ChartAccount,
    ChartError,
    ChartTemplate,
    load_chart,
    template_for_language,
)

FR_PCG, EN_GENERIC = TEMPLATES["fr_pcg"], TEMPLATES["en_generic"]

# shared/GLOSSARY.md: "French PCG labels to show with codes", verbatim.
GLOSSARY_FR_LABELS = {
    "512": "Banque",
    "580": "Virements internes",
    "471": "Compte d'attente",
    "108": "Compte de l'exploitant",
    "401": "Fournisseurs",
    "411": "Clients",
    "44566": "TVA déductible",
    "44571": "TVA collectée",
    "6061": "Fournitures non stockables (eau, énergie)",
    "6063": "Fournitures d'entretien et petit équipement",
    "6064": "Fournitures administratives",
    "607": "Achats de marchandises",
    "6132": "Locations immobilières",
    "6135": "Locations mobilières",
    "616": "Primes d'assurance",
    "6226": "Honoraires",
    "6251": "Voyages et déplacements",
    "6256": "Missions",
    "6257": "Réceptions",
    "626": "Frais postaux et de télécommunications",
    "627": "Services bancaires",
    "641": "Rémunérations du personnel",
    "645": "Charges de sécurité sociale",
    "646": "Cotisations sociales personnelles de l'exploitant",
    "706": "Prestations de services",
    "707": "Ventes de marchandises",
}


def test_templates_are_registered_under_their_keys() -> None:
    assert sorted(TEMPLATES) == ["en_generic", "fr_pcg"]
    assert all(template.key == key for key, template in TEMPLATES.items())
    assert sorted(path.stem for path in DATA.glob("*.toml")) == sorted(TEMPLATES)


def test_both_templates_have_unique_codes() -> None:
    for template in TEMPLATES.values():
        codes = [account.code for account in template.accounts]
        assert len(codes) == len(set(codes)), template.key


def test_every_code_is_digits_and_every_name_is_clean() -> None:
    for template in TEMPLATES.values():
        for account in template.accounts:
            assert account.code.isdigit(), account
            assert account.name == account.name.strip() and account.name, account
            assert isinstance(account.kind, AccountKind)


def test_special_codes_point_at_the_one_account_of_their_kind() -> None:
    for template in TEMPLATES.values():
        special = {
            template.owner_code: AccountKind.OWNER,
            template.suspense_code: AccountKind.SUSPENSE,
            template.transfer_code: AccountKind.TRANSFER,
            template.opening_code: AccountKind.OPENING,
            template.bank_code: AccountKind.BANK,
        }
        for code, kind in special.items():
            account = template.account(code)
            assert account is not None and account.kind is kind, (template.key, code)
            of_kind = [a.code for a in template.accounts if a.kind is kind]
            assert of_kind == [code], (template.key, kind)


def test_french_chart_uses_the_pcg_codes_for_its_special_accounts() -> None:
    assert (
        FR_PCG.bank_code,
        FR_PCG.owner_code,
        FR_PCG.suspense_code,
        FR_PCG.transfer_code,
        FR_PCG.opening_code,
    ) == ("512", "108", "471", "580", "890")
    assert FR_PCG.account("890") == ChartAccount("890", "Bilan d'ouverture", AccountKind.OPENING)


def test_english_chart_special_accounts() -> None:
    assert (
        EN_GENERIC.bank_code,
        EN_GENERIC.owner_code,
        EN_GENERIC.suspense_code,
        EN_GENERIC.transfer_code,
        EN_GENERIC.opening_code,
    ) == ("1200", "3100", "9900", "1290", "3900")
    assert EN_GENERIC.account("3100") == ChartAccount("3100", "Owner's draw", AccountKind.OWNER)
    assert EN_GENERIC.account("3900") == ChartAccount(
        "3900", "Opening balance equity", AccountKind.OPENING
    )


def test_french_chart_shows_the_glossary_labels_exactly() -> None:
    for code, label in GLOSSARY_FR_LABELS.items():
        account = FR_PCG.account(code)
        assert account is not None, code
        assert account.name == label, code


def test_french_chart_kinds_follow_the_pcg_classes() -> None:
    kinds = {account.code: account.kind for account in FR_PCG.accounts}
    assert kinds["401"] is AccountKind.PAYABLE
    assert kinds["411"] is AccountKind.RECEIVABLE
    assert kinds["530"] is AccountKind.CASH
    for code in ("44551", "44566", "44567", "44571"):
        assert kinds[code] is AccountKind.VAT
    for code, kind in kinds.items():
        if code.startswith("6"):
            assert kind is AccountKind.EXPENSE, code
        if code.startswith("7"):
            assert kind is AccountKind.INCOME, code


def test_templates_have_a_useful_number_of_categories() -> None:
    for template, low, high in ((FR_PCG, 40, 55), (EN_GENERIC, 30, 45)):
        assert low <= len(template.accounts) <= high, template.key
        kinds = {account.kind for account in template.accounts}
        assert {AccountKind.EXPENSE, AccountKind.INCOME, AccountKind.VAT} <= kinds


def test_english_chart_has_savings_credit_card_and_common_expenses() -> None:
    names = {account.name: account.kind for account in EN_GENERIC.accounts}
    assert names["Savings"] is AccountKind.SAVINGS
    assert names["Credit card"] is AccountKind.CREDIT_CARD
    for name in ("Bank fees", "Rent", "Software & subscriptions", "Travel", "Payroll taxes"):
        assert names[name] is AccountKind.EXPENSE, name
    assert names["Interest income"] is AccountKind.INCOME


def test_account_lookup_returns_none_for_an_unknown_code() -> None:
    assert FR_PCG.account("999") is None
    assert EN_GENERIC.account("512") is None


def test_french_bank_codes_append_a_digit_to_512() -> None:
    assert FR_PCG.next_bank_code(set()) == "5121"
    assert FR_PCG.next_bank_code({"512", "5121"}) == "5122"
    assert FR_PCG.next_bank_code({"512", "5121", "5123"}) == "5122"
    assert FR_PCG.next_bank_code({"5122"}) == "5121"


def test_french_bank_codes_go_to_five_digits_once_5121_to_5129_are_taken() -> None:
    taken = {f"512{digit}" for digit in range(1, 10)}
    assert FR_PCG.next_bank_code(taken) == "51210"
    assert FR_PCG.next_bank_code(taken | {"51210"}) == "51211"


def test_english_bank_codes_count_up_from_1200_skipping_the_charts_own_codes() -> None:
    assert EN_GENERIC.next_bank_code(set()) == "1201"
    assert EN_GENERIC.next_bank_code({"1200", "1201"}) == "1202"
    taken = {str(code) for code in range(1201, 1210)}
    assert EN_GENERIC.next_bank_code(taken) == "1211"  # 1210 is Savings


def test_english_bank_codes_never_repeat_when_the_block_is_full() -> None:
    taken = {str(code) for code in range(1200, 1300)}
    first = EN_GENERIC.next_bank_code(taken)
    assert first not in taken and first.startswith("1200")
    assert EN_GENERIC.next_bank_code(taken | {first}) != first


def test_template_for_language_picks_french_for_any_french_tag() -> None:
    for language in ("fr", "fr-FR", "fr_CA", "FR", "fr-be"):
        assert template_for_language(language) is FR_PCG, language


def test_template_for_language_picks_english_for_everything_else() -> None:
    for language in ("en", "en-GB", "de", "es", "", "frr", "pt-br"):
        assert template_for_language(language) is EN_GENERIC, language


def test_a_template_with_a_special_code_of_the_wrong_kind_is_refused() -> None:
    accounts = (
        ChartAccount("512", "Banque", AccountKind.BANK),
        ChartAccount("108", "Compte de l'exploitant", AccountKind.EQUITY),
        ChartAccount("471", "Compte d'attente", AccountKind.SUSPENSE),
        ChartAccount("580", "Virements internes", AccountKind.TRANSFER),
        ChartAccount("890", "Bilan d'ouverture", AccountKind.OPENING),
    )
    with pytest.raises(ValueError, match="owner_code 108 must be an account of kind owner"):
        ChartTemplate("broken", accounts, "512", "108", "471", "580", "890")


def test_a_template_with_a_repeated_code_is_refused() -> None:
    accounts = (
        ChartAccount("512", "Banque", AccountKind.BANK),
        ChartAccount("512", "Banque bis", AccountKind.BANK),
    )
    with pytest.raises(ValueError, match="code 512 appears twice"):
        ChartTemplate("broken", accounts, "512", "108", "471", "580", "890")


@pytest.mark.parametrize(
    ("chart", "typed", "codes"),
    [
        ("fr_pcg", "resto", {"6257", "6256"}),
        ("fr_pcg", "tel", {"626"}),
        ("en_generic", "meals", {"6050"}),
        ("en_generic", "phone", {"6120"}),
        ("en_generic", "resto", set()),  # French words mean nothing in the English chart
    ],
)
def test_each_chart_knows_the_words_its_users_type(chart: str, typed: str, codes: set[str]) -> None:
    assert TEMPLATES[chart].preferred([typed]) == codes


def test_each_chart_numbers_the_categories_users_name_after_its_own_bases() -> None:
    assert (FR_PCG.new_expense_base, FR_PCG.new_income_base) == ("6588", "7588")
    assert (EN_GENERIC.new_expense_base, EN_GENERIC.new_income_base) == ("6990", "4890")


def chart_file(tmp_path: Path, change: tuple[str, str]) -> Path:
    text = (DATA / "en_generic.toml").read_text(encoding="utf-8")
    assert change[0] in text
    path = tmp_path / "xx_chart.toml"
    path.write_text(text.replace(*change, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (('meals = ["6050"]', 'meals = ["6051"]'), "synonym 'meals'"),
        (('kind = "cash"', 'kind = "gold"'), "gold"),
        (('code = "1000"', 'code = "10A0"'), "digits"),
        (('owner_code = "3100"', 'owner_code = "3000"'), "owner_code"),
        (('new_income_base = "4890"', "colour = 1"), "colour"),
        (('name = "Bank"', 'name = ""'), "name is text"),
        (("accounts = [", "accounts = [["), "xx_chart.toml"),
    ],
)
def test_a_chart_file_off_the_schema_is_refused_with_its_name(
    tmp_path: Path, change: tuple[str, str], complaint: str
) -> None:
    with pytest.raises(ChartError) as refused:
        load_chart(chart_file(tmp_path, change))
    assert "xx_chart.toml" in str(refused.value) and complaint in str(refused.value)


def test_the_chart_files_load_to_the_templates() -> None:
    assert {path.stem: load_chart(path) for path in DATA.glob("*.toml")} == TEMPLATES
