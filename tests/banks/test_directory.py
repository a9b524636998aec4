"""The bank directory: search, brand groups, stable ids, the demo bank, odd input."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from bot.banks.directory import aliases
from bot.banks.directory.search import DEMO_ID, Directory, Institution, SearchHit, normalize

ID_PATTERN = re.compile(r"[a-z0-9-]+")


@pytest.fixture(scope="module")
def directory() -> Directory:
    return Directory()


@pytest.fixture(scope="module")
def without_demo() -> Directory:
    return Directory(demo_enabled=False)


def names(hits: list[SearchHit]) -> list[str]:
    return [hit.name for hit in hits]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # the queries the connect flow must get right
        ("societe generale", "Société Générale"),
        ("Société Génerale", "Société Générale"),
        ("SG", "Société Générale"),
        ("credit agricol", "Crédit Agricole"),
        ("bnp", "BNP Paribas"),
        ("LCL", "LCL"),
        ("la banque postale", "La Banque Postale"),
        ("bourso", "BoursoBank"),
        ("demo", "Demo Bank"),
        # short names, aliases and brands
        ("caisse depargne", "Caisse d'Épargne"),
        ("Caisse d'Épargne", "Caisse d'Épargne"),
        ("CE", "Caisse d'Épargne"),
        ("banque pop", "Banque Populaire"),
        ("BP", "Banque Populaire"),
        ("credit mutuel", "Crédit Mutuel"),
        ("CM", "Crédit Mutuel"),
        ("CA", "Crédit Agricole"),
        ("CIC", "CIC"),
        ("credit lyonnais", "LCL"),
        ("LBP", "La Banque Postale"),
        ("banque postale", "La Banque Postale"),
        ("boursorama", "BoursoBank"),
        ("BoursoBank", "BoursoBank"),
        ("qonto", "Qonto"),
        ("shine", "Shine"),
        ("hello bank", "Hello bank!"),
        ("fortuneo", "Fortuneo"),
        ("ing", "ING"),
        ("revolut", "Revolut"),
        ("nickel", "Nickel"),
        ("n26", "N26"),
        ("bred", "BRED Banque Populaire"),
        ("BNP PARIBAS", "BNP Paribas"),
        # typos, accents, punctuation, glued words
        ("socete generale", "Société Générale"),
        ("credti agricole", "Crédit Agricole"),
        ("CRÉDIT-AGRICOLE", "Crédit Agricole"),
        ("labanquepostale", "La Banque Postale"),
        ("bnp-paribas!!", "BNP Paribas"),
        ("  la   banque   postale  ", "La Banque Postale"),
        ("démo", "Demo Bank"),
        ("demo bank", "Demo Bank"),
        ("banque démo", "Demo Bank"),
    ],
)
def test_france_finds_the_bank_people_mean(directory: Directory, query: str, expected: str) -> None:
    assert expected in names(directory.search(query, "FR"))[:3]


@pytest.mark.parametrize(
    ("country", "query", "expected"),
    [
        ("GB", "barclays", "Barclays"),
        ("GB", "barclys", "Barclays"),
        ("GB", "hsbc", "HSBC UK"),
        ("GB", "lloyds", "Lloyds Bank"),
        ("GB", "natwest", "NatWest"),
        ("GB", "national westminster", "NatWest"),
        ("GB", "monzo", "Monzo"),
        ("GB", "halifax", "Halifax"),
        ("GB", "starling", "Starling Bank"),
        ("GB", "bank of scotland", "Bank of Scotland"),
        ("DE", "sparkasse", "Sparkasse"),
        ("DE", "sparkase", "Sparkasse"),
        ("DE", "deutsche bank", "Deutsche Bank"),
        ("DE", "commerzbank", "Commerzbank"),
        ("DE", "comdirect", "comdirect"),
        ("DE", "volksbank", "Volksbank Raiffeisenbank"),
        ("DE", "raiffeisenbank", "Volksbank Raiffeisenbank"),
        ("DE", "postbank", "Postbank"),
        ("DE", "dkb", "DKB"),
        ("DE", "sparkasse koln", "Sparkasse KölnBonn"),
        ("NL", "rabo", "Rabobank"),
        ("ES", "caixa", "CaixaBank"),
        ("IT", "intesa", "Intesa Sanpaolo"),
        ("CH", "ubs", "UBS"),
        ("IE", "aib", "AIB"),
        ("PL", "pko", "PKO Bank Polski"),
    ],
)
def test_other_countries(directory: Directory, country: str, query: str, expected: str) -> None:
    assert expected in names(directory.search(query, country))[:3]


@pytest.mark.parametrize("brand", aliases.BRANDS, ids=lambda b: f"{b.country}-{b.key}")
def test_every_brand_of_the_alias_table_is_found_by_its_name(
    directory: Directory, brand: aliases.Brand
) -> None:
    assert brand.name in names(directory.search(brand.name, brand.country))[:3]


def test_credit_agricole_is_one_group_hit_with_its_regions(directory: Directory) -> None:
    hits = directory.search("credit agricole", "FR")
    groups = [h for h in hits if h.is_group]
    assert [g.name for g in groups] == ["Crédit Agricole"]
    group_id = groups[0].id
    assert hits[0].id == group_id
    members = directory.members(group_id)
    assert len(members) >= 10
    assert len({m.id for m in members}) == len(members)
    assert all(m.group == group_id and m.country == "FR" for m in members)
    assert not {m.id for m in members} & {h.id for h in hits}
    assert [m.name for m in members] == sorted((m.name for m in members), key=normalize)
    assert "Crédit Agricole Alpes Provence" in [m.name for m in members]
    assert all(m.bic and m.bic.startswith("AGRI") for m in members)
    assert directory.group_name(group_id) == "Crédit Agricole"


@pytest.mark.parametrize(
    ("country", "query", "group_name"),
    [
        ("FR", "banque populaire", "Banque Populaire"),
        ("FR", "caisse d'epargne", "Caisse d'Épargne"),
        ("FR", "credit mutuel", "Crédit Mutuel"),
        ("DE", "sparkasse", "Sparkasse"),
        ("DE", "volksbank", "Volksbank Raiffeisenbank"),
    ],
)
def test_regional_networks_collapse_into_one_hit(
    directory: Directory, country: str, query: str, group_name: str
) -> None:
    hits = directory.search(query, country)
    group_hits = [h for h in hits if h.name == group_name]
    assert len(group_hits) == 1 and group_hits[0].is_group
    members = directory.members(group_hits[0].id)
    assert len(members) >= 2
    member_ids = {m.id for m in members}
    assert not member_ids & {h.id for h in hits}


def test_every_group_of_the_table_has_regions(directory: Directory) -> None:
    for spec in aliases.GROUPS:
        assert len(directory.members(spec.id)) >= 2, spec.id
        assert directory.group_name(spec.id) == spec.name


def test_a_region_typed_in_full_is_offered_directly(directory: Directory) -> None:
    first = directory.search("credit agricole alpes provence", "FR")[0]
    assert not first.is_group and first.name == "Crédit Agricole Alpes Provence"
    institution = directory.get(first.id)
    assert institution is not None and institution.group == "g-fr-ca"
    assert directory.search("ca alpes provence", "FR")[0].id == first.id
    assert directory.search("caisse depargne normandie", "FR")[0].name == (
        "Caisse d'Épargne Normandie"
    )


def test_registry_rows_of_one_bank_become_one_institution(directory: Directory) -> None:
    hits = directory.search("bnp paribas", "FR")
    assert names(hits).count("BNP Paribas") == 1
    bnp = directory.get(hits[0].id)
    assert bnp is not None and bnp.bic is not None and bnp.bic.startswith("BNPAFRPP")
    assert names(directory.search("la banque postale", "FR")).count("La Banque Postale") == 1
    assert names(directory.search("deutsche bank", "DE")).count("Deutsche Bank") == 1


def test_names_are_nicely_cased(directory: Directory) -> None:
    seen = [
        *names(directory.search("societe", "FR")),
        *names(directory.search("banque", "FR")),
        *(m.name for m in directory.members("g-fr-ce")),
        *names(directory.search("bank", "GB")),
    ]
    assert "Société Générale" in seen
    shouting = [w for n in seen for w in n.split() if w.isupper() and len(w) > 5]
    assert shouting == []


STABILITY_QUERIES = [("FR", "banque"), ("FR", "credit"), ("GB", "bank"), ("DE", "sparkasse köln")]
STABILITY_GROUPS = ["g-fr-ca", "g-fr-ce", "g-de-spk"]
FRESH_PROCESS = """
import dataclasses, json, sys, time
from bot.banks.directory.search import Directory

queries, groups = json.loads(sys.argv[1])
directory = Directory()
directory.preload(["FR", "XX"])
started = time.perf_counter()
first = directory.search("bnp", "FR")
took = time.perf_counter() - started
hits = [[dataclasses.astuple(h) for h in directory.search(q, c)] for c, q in queries]
members = [[dataclasses.astuple(m) for m in directory.members(g)] for g in groups]
print(json.dumps({"first": first[0].name, "took": took, "hits": hits, "members": members}))
"""


def as_lists(values: Iterable[SearchHit | Institution]) -> list[list[object]]:
    """Dataclass values as JSON would bring them back: lists of plain fields."""
    return [list(dataclasses.astuple(v)) for v in values]


@pytest.fixture(scope="module")
def fresh_process() -> dict[str, Any]:
    """A directory built in another process, with another hash seed, as after a restart; it
    preloads France before its first search."""
    argument = json.dumps([STABILITY_QUERIES, STABILITY_GROUPS])
    done = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS, argument],
        env={**os.environ, "PYTHONHASHSEED": "12345"},
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_ids_are_short_stable_and_safe(directory: Directory, fresh_process: dict[str, Any]) -> None:
    ids: list[str] = []
    for (country, query), there in zip(STABILITY_QUERIES, fresh_process["hits"], strict=True):
        here = directory.search(query, country)
        assert as_lists(here) == there
        ids += [h.id for h in here]
    for group_id, there in zip(STABILITY_GROUPS, fresh_process["members"], strict=True):
        members = directory.members(group_id)
        assert as_lists(members) == there
        ids += [m.id for m in members]
    assert len(set(ids)) > 100
    for institution_id in set(ids):
        assert len(institution_id) <= 20 and ID_PATTERN.fullmatch(institution_id), institution_id
    some = {i for i in ids if not i.startswith("g-")}
    assert all(directory.get(i) is not None for i in some)


@pytest.mark.parametrize(
    "query",
    ["zzzzqqq", "!!!", "", "   ", "\n\t", "🏦💶", "a" * 500, "bank " * 100, "'" * 500, "\x00\x01"],
)
def test_garbage_is_harmless_and_quick(directory: Directory, query: str) -> None:
    directory.search("warm", "DE")
    started = time.perf_counter()
    hits = directory.search(query, "DE")
    assert time.perf_counter() - started < 0.5
    assert len(hits) <= 8
    assert all(isinstance(h, SearchHit) for h in hits)


def test_garbage_finds_nothing(directory: Directory) -> None:
    for query in ("zzzzqqq", "!!!", "", "   ", "🏦💶", "x" * 500, "b", "é"):
        assert directory.search(query, "FR") == []


def test_short_aliases_match_exactly_not_fuzzily(directory: Directory) -> None:
    assert "LCL" not in names(directory.search("lc", "FR"))
    assert "LCL" not in names(directory.search("lcx", "FR"))
    assert "Société Générale" not in names(directory.search("sx", "FR"))


@pytest.mark.parametrize("country", ["FR", "GB", "DE", "fr", "XX", "", "*"])
def test_demo_is_found_everywhere(directory: Directory, country: str) -> None:
    hits = directory.search("demo", country)
    assert hits[0].id == DEMO_ID
    assert hits[0].connector == "demo" and not hits[0].is_group


def test_demo_institution(directory: Directory) -> None:
    demo = directory.get(DEMO_ID)
    assert demo is not None
    assert (demo.country, demo.connector, demo.max_history_days) == ("*", "demo", 730)


def test_unknown_country_matches_only_the_demo(directory: Directory) -> None:
    assert directory.search("bnp", "XX") == []
    assert directory.search("sparkasse", "ZZ") == []
    assert [h.id for h in directory.search("banque demo", "XX")] == [DEMO_ID]


def test_countries(directory: Directory) -> None:
    countries = directory.countries()
    assert len(countries) >= 40
    assert countries == sorted(countries)
    assert {"FR", "DE", "GB", "BE", "ES", "IT", "NL", "CH"} <= set(countries)
    assert all(re.fullmatch(r"[A-Z]{2}", c) for c in countries)


def test_limit_is_respected(directory: Directory) -> None:
    assert len(directory.search("banque", "FR")) == 8
    assert len(directory.search("banque", "FR", limit=3)) == 3
    assert directory.search("banque", "FR", limit=3) == directory.search("banque", "FR")[:3]
    assert directory.search("banque", "FR", limit=0) == []
    assert directory.search("banque", "FR", limit=-1) == []


def test_demo_can_be_switched_off(without_demo: Directory) -> None:
    for country in ("FR", "GB", "XX"):
        assert DEMO_ID not in [h.id for h in without_demo.search("demo", country)]
    assert without_demo.get(DEMO_ID) is None
    assert "BNP Paribas" in names(without_demo.search("bnp", "FR"))


def test_lookups_of_unknown_ids(directory: Directory) -> None:
    assert directory.get("fr-doesnotexist") is None
    assert directory.get("") is None
    assert directory.get("g-fr-ca") is None
    assert directory.get("xx-abc") is None
    assert directory.members("g-fr-nope") == []
    assert directory.members("fr-abc") == []
    assert directory.group_name("nope") is None


def test_banks_without_connector_offer_no_history(directory: Directory) -> None:
    for hit in directory.search("banque", "FR"):
        if hit.is_group:
            continue
        institution = directory.get(hit.id)
        assert institution is not None
        if institution.connector is None:
            assert institution.max_history_days == 0
            assert institution.country == "FR"


def test_search_is_fast(directory: Directory) -> None:
    queries = ["societe generale", "credit agricol", "bnp", "bank", "sparkase", "volksbnk mitte"]
    for country in ("FR", "DE", "GB"):
        directory.search("warm", country)
    timings = []
    for country in ("FR", "DE", "GB"):
        for query in queries:
            started = time.perf_counter()
            directory.search(query, country)
            timings.append(time.perf_counter() - started)
    assert statistics.median(timings) < 0.02


def test_preload_builds_indexes_up_front(fresh_process: dict[str, Any]) -> None:
    assert fresh_process["first"] == "BNP Paribas"
    assert fresh_process["took"] < 0.05


def test_every_directory_of_the_process_shares_one_build() -> None:
    Directory().preload(["FR", "GB", "DE"])
    started = time.perf_counter()
    for _ in range(20):
        Directory().preload(["FR", "GB", "DE"])
    assert time.perf_counter() - started < 0.1, "a build takes 0.1 to 0.3 s per country"
    assert DEMO_ID not in [h.id for h in Directory(demo_enabled=False).search("demo", "FR")]
