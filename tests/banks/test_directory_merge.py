"""Provider lists in the directory: matched by BIC or name, entries of their own, which
connector serves a bank two reach, bridges, and lists replaced or emptied."""

from __future__ import annotations

import re

import pytest

from bot.banks.connector import ProviderInstitution
from bot.banks.directory.merging import PREFERENCE, Featured
from bot.banks.directory.search import Directory, Institution, ProviderList, SearchHit
from bot.banks.registry import SIMPLEFIN_BANK

BNP = "fr-4osn6iqzz"
BOURSOBANK = "fr-n87vpwryw"
REVOLUT = "fr-0bq9mdyu3"
CA_ALPES_PROVENCE = "fr-hh63l9xjd"
ID_LIMIT = 32
"""connections.institution_id and bank_accounts.institution_id are String(32)."""


def bank(
    provider_id: str, name: str, bic: str | None = None, days: int = 90
) -> ProviderInstitution:
    return ProviderInstitution(provider_id, name, "FR", bic, days)


def listed(connector: str, *banks: ProviderInstitution, country: str = "FR") -> ProviderList:
    return ProviderList(connector, country, banks)


def first(directory: Directory, query: str, country: str = "FR") -> Institution:
    hits = directory.search(query, country)
    assert hits, f"nothing found for {query!r}"
    found = directory.get(hits[0].id)
    assert found is not None
    return found


def served(hits: list[SearchHit]) -> list[tuple[str, str | None]]:
    return [(hit.name, hit.connector) for hit in hits]


def test_a_provider_bank_with_a_registry_bic_serves_the_registry_entry() -> None:
    directory = Directory()
    directory.serve([listed("enablebanking", bank("FR:BNP Paribas", "BNP Paribas", "BNPAFRPP"))])

    found = first(directory, "BNP")

    assert found.id == BNP
    assert (found.name, found.connector, found.provider_id) == (
        "BNP Paribas",
        "enablebanking",
        "FR:BNP Paribas",
    )
    assert found.at_connector == "FR:BNP Paribas"
    assert directory.search("BNP", "FR")[0].connector == "enablebanking"


def test_a_full_bic_finds_one_region_of_a_group() -> None:
    directory = Directory()
    alpes = bank("CA_813", "Crédit Agricole Alpes Provence", "AGRIFRPP813", 365)
    directory.serve([listed("gocardless", alpes)])

    found = directory.get(CA_ALPES_PROVENCE)

    assert found is not None
    assert (found.connector, found.provider_id, found.max_history_days) == (
        "gocardless",
        "CA_813",
        365,
    )
    assert found in directory.members("g-fr-ca")


def test_a_bank_whose_bic_is_not_the_registrys_is_matched_by_its_very_name() -> None:
    directory = Directory()
    directory.serve([listed("gocardless", bank("REVOLUT_REVOLT21", "Revolut", "REVOLT21"))])

    found = first(directory, "Revolut")

    assert (found.id, found.connector) == (REVOLUT, "gocardless")


def test_a_provider_name_finds_the_registry_entry_it_serves() -> None:
    directory = Directory()
    directory.serve(
        [listed("enablebanking", bank("FR:Boursorama", "Boursorama Banque", "BOUSFRPP"))]
    )

    found = first(directory, "boursorama banque")

    assert (found.id, found.name, found.connector) == (BOURSOBANK, "BoursoBank", "enablebanking")


def test_a_bank_the_registry_lacks_gets_a_short_stable_entry_of_its_own() -> None:
    long_name = "Banque Imaginaire du Grand Sud-Ouest et des Pyrénées Atlantiques"
    provider_id = f"FR:{long_name}"
    one, other = Directory(), Directory()
    for directory in (one, other):
        directory.serve([listed("enablebanking", bank(provider_id, long_name))])

    found = first(one, "imaginaire pyrenees")

    assert len(provider_id) > ID_LIMIT
    assert len(found.id) <= ID_LIMIT and re.fullmatch(r"fr-[a-z0-9]+", found.id)
    assert (found.name, found.connector, found.provider_id) == (
        long_name,
        "enablebanking",
        provider_id,
    )
    assert first(other, "imaginaire pyrenees").id == found.id
    assert one.get(found.id) == found


def test_banks_sharing_a_bic_go_to_the_closest_name_and_the_others_stand_alone() -> None:
    directory = Directory()
    directory.serve(
        [
            listed(
                "gocardless",
                bank("BNP_ENT", "BNP Paribas Entreprises", "BNPAFRPP"),
                bank("BNP_PART", "BNP Paribas", "BNPAFRPPXXX"),
            )
        ]
    )

    assert directory.get(BNP) is not None
    assert directory.get(BNP).provider_id == "BNP_PART"  # type: ignore[union-attr]
    entreprises = first(directory, "BNP Paribas Entreprises")
    assert entreprises.id != BNP
    assert (entreprises.connector, entreprises.provider_id) == ("gocardless", "BNP_ENT")


def test_enable_banking_serves_a_bank_both_aggregators_reach() -> None:
    assert PREFERENCE == ("enablebanking", "gocardless")
    directory = Directory()
    both = "Banque Imaginaire du Lot"
    directory.serve(
        [
            listed(
                "gocardless",
                bank("BNPAFRPP_GC", "BNP Paribas", "BNPAFRPP", 730),
                bank("LOT_GC", both, None, 730),
            ),
            listed(
                "enablebanking",
                bank("FR:BNP Paribas", "BNP Paribas", "BNPAFRPP"),
                bank(f"FR:{both}", both),
            ),
        ]
    )

    bnp = directory.get(BNP)
    assert bnp is not None
    assert (bnp.connector, bnp.provider_id, bnp.max_history_days) == (
        "enablebanking",
        "FR:BNP Paribas",
        90,
    )
    lot = directory.search("imaginaire du lot", "FR")
    assert served(lot) == [(both, "enablebanking")]


def test_a_bank_only_the_second_aggregator_reaches_is_served_by_it() -> None:
    directory = Directory()
    directory.serve(
        [
            listed("enablebanking", bank("FR:BNP Paribas", "BNP Paribas", "BNPAFRPP")),
            listed("gocardless", bank("QONTO_QNTOFRP1", "Qonto", "QNTOFRP1", 400)),
        ]
    )

    qonto = first(directory, "Qonto")

    assert (qonto.connector, qonto.max_history_days) == ("gocardless", 400)


def test_a_bank_no_provider_lists_stays_unserved() -> None:
    directory = Directory()
    directory.serve([listed("enablebanking", bank("FR:BNP Paribas", "BNP Paribas", "BNPAFRPP"))])

    assert first(directory, "Société Générale").connector is None


def test_a_new_list_replaces_the_old_and_an_empty_one_withdraws_it() -> None:
    directory = Directory()
    directory.preload(["FR"])
    directory.serve([listed("enablebanking", bank("FR:Qonto", "Qonto", "QNTOFRP1"))])
    assert first(directory, "Qonto").connector == "enablebanking"

    directory.serve([listed("enablebanking", bank("FR:BNP Paribas", "BNP Paribas", "BNPAFRPP"))])
    assert first(directory, "Qonto").connector is None
    assert first(directory, "BNP").connector == "enablebanking"

    directory.serve([listed("enablebanking")])
    assert first(directory, "BNP").connector is None


def test_other_countries_keep_their_offline_entries() -> None:
    directory = Directory()
    directory.serve([listed("enablebanking", bank("FR:BNP Paribas", "BNP Paribas", "BNPAFRPP"))])

    assert first(directory, "Deutsche Bank", "DE").connector is None


def test_the_offline_directory_is_left_as_it_was() -> None:
    served_one = Directory()
    served_one.serve([listed("enablebanking", bank("FR:BNP Paribas", "BNP Paribas", "BNPAFRPP"))])
    first(served_one, "BNP")

    assert first(Directory(), "BNP").connector is None


@pytest.mark.parametrize("country", ["US", "CA"])
def test_simplefin_is_one_entry_in_the_us_and_canada(country: str) -> None:
    directory = Directory(featured=[Featured(SIMPLEFIN_BANK, frozenset({"US", "CA"}))])

    hits = directory.search("simplefin", country)

    assert served(hits) == [("SimpleFIN Bridge", "simplefin")]
    assert directory.get("simplefin") == SIMPLEFIN_BANK
    assert country in directory.countries()


def test_simplefin_is_not_offered_in_france() -> None:
    directory = Directory(featured=[Featured(SIMPLEFIN_BANK, frozenset({"US", "CA"}))])

    assert all(hit.id != "simplefin" for hit in directory.search("simplefin", "FR"))


def test_without_simplefin_the_us_is_not_a_country_to_choose() -> None:
    assert "US" not in Directory().countries()
