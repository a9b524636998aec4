"""The providers' institution lists merged into a country's offline index.

A provider's bank is matched to the offline registry's institution by BIC (the whole BIC,
else its first 8 characters), or failing that by the very same name: that institution then
says which connector serves it, its id at the connector and its history. A bank the registry
lacks becomes an entry of its own, with a short id made from its country and name (the
provider's own id can be long: Enable Banking's are "FR:<bank name>"). When several connectors
serve one bank, the first in PREFERENCE serves it. Bridges (SimpleFIN) are one entry each, in
the countries they serve.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from rapidfuzz import fuzz

from bot.banks.connector import ProviderInstitution
from bot.banks.directory.building import full_bic, stable_id
from bot.banks.directory.institution import Institution, SearchHit
from bot.banks.directory.names import clean, display_name, match_key, normalize, strip_parens
from bot.banks.directory.ranking import TIER_EXACT, TIER_PREFIX, Index

PREFERENCE: Final = ("enablebanking", "gocardless")
"""Which connector serves a bank several of them reach; others come after, by name."""
OWN_BOOST: Final = 0.6
"""Ranks a provider's own entry like a registry bank with a few rows."""
NAME_CUTOFF: Final = 75.0
"""How alike names must be (rapidfuzz ratio) to pick one of several banks sharing a BIC."""


@dataclass(frozen=True, slots=True)
class ProviderList:
    """One connector's banks in one country, as last fetched."""

    connector: str
    country: str
    institutions: tuple[ProviderInstitution, ...]


@dataclass(frozen=True, slots=True)
class Featured:
    """An entry offered as it is in some countries (a bridge reaching every bank there)."""

    institution: Institution
    countries: frozenset[str]
    aliases: tuple[str, ...] = ()


def preference(connector: str) -> tuple[int, str]:
    rank = PREFERENCE.index(connector) if connector in PREFERENCE else len(PREFERENCE)
    return rank, connector


def merged(
    base: Index, country: str, lists: Iterable[ProviderList], featured: Iterable[Featured]
) -> Index:
    """A new index: `base` (left as it is) with the lists and the featured entries added."""
    index = base.copy()
    positions = index.positions()
    taken: set[str] = set()
    for bank in featured:
        if country in bank.countries:
            docs = [(text, TIER_EXACT) for text in (bank.institution.name, *bank.aliases)]
            _add(index, bank.institution, 0.0, docs)
    matcher = _Matcher(index)
    served: set[str] = set()
    for found in sorted(lists, key=lambda found: preference(found.connector)):
        claims, unmatched = matcher.claims(found.institutions)
        for institution_id, offer in claims.items():
            if institution_id in served:
                continue
            served.add(institution_id)
            known = _serve(index, positions, institution_id, found.connector, offer)
            taken.update((match_key(offer.name), match_key(known.name)))
        for offer in unmatched:
            key = match_key(offer.name)
            if not key or key in taken:
                continue
            taken.add(key)
            own = _own(index, country, found.connector, offer, key)
            _add(index, own, OWN_BOOST, _own_docs(offer.name, own.name))
    _regroup(index, positions)
    index.finish()
    return index


class _Matcher:
    """Finds the offline institution a provider's bank is, by BIC then by name."""

    def __init__(self, index: Index) -> None:
        self._index = index
        self._by_bic8: dict[str, set[str]] = {}
        for bic, ids in index.by_bic.items():
            self._by_bic8.setdefault(bic[:8], set()).update(ids)
        self._by_name: dict[str, list[str]] = {}
        for institution in index.institutions.values():
            if institution.connector is None:
                self._by_name.setdefault(match_key(institution.name), []).append(institution.id)

    def claims(
        self, offers: Sequence[ProviderInstitution]
    ) -> tuple[dict[str, ProviderInstitution], list[ProviderInstitution]]:
        """Offline id → the connector's bank that is it; the banks left over. When several
        of one connector's banks are the same institution (BNP Paribas and BNP Paribas
        Entreprises share a BIC), the closest name has it and the others stand alone."""
        best: dict[str, tuple[float, ProviderInstitution]] = {}
        unmatched: list[ProviderInstitution] = []
        for offer in offers:
            found = self.match(offer)
            if found is None:
                unmatched.append(offer)
                continue
            score = self._likeness(offer.name, found)
            held = best.get(found)
            if held is None or score > held[0]:
                if held is not None:
                    unmatched.append(held[1])
                best[found] = (score, offer)
            else:
                unmatched.append(offer)
        return {key: offer for key, (_, offer) in best.items()}, unmatched

    def match(self, offer: ProviderInstitution) -> str | None:
        bic = full_bic(offer.bic)
        if bic is not None:
            pool = set(self._index.by_bic.get(bic, ())) or self._by_bic8.get(bic[:8], set())
            if len(pool) == 1:
                return next(iter(pool))
            if pool:
                return self._closest(offer.name, pool)
        same = self._by_name.get(match_key(offer.name), [])
        return same[0] if len(same) == 1 else None

    def _closest(self, name: str, pool: set[str]) -> str | None:
        score, found = max((self._likeness(name, i), i) for i in pool)
        return found if score >= NAME_CUTOFF else None

    def _likeness(self, name: str, institution_id: str) -> float:
        known = self._index.institutions[institution_id].name
        return float(fuzz.ratio(normalize(name), normalize(known)))


def _serve(
    index: Index,
    positions: dict[str, int],
    institution_id: str,
    connector: str,
    offer: ProviderInstitution,
) -> Institution:
    known = index.institutions[institution_id]
    served = dataclasses.replace(
        known,
        connector=connector,
        provider_id=offer.id,
        max_history_days=offer.max_history_days,
    )
    index.institutions[institution_id] = served
    position = positions[institution_id]
    index.replace_hit(position, dataclasses.replace(index.hit(position), connector=connector))
    index.add_docs(position, [(offer.name, TIER_EXACT)])
    if known.group is not None and known.group in index.groups:
        group = index.groups[known.group]
        group.members = [served if m.id == institution_id else m for m in group.members]
    return known


def _own(
    index: Index, country: str, connector: str, offer: ProviderInstitution, key: str
) -> Institution:
    """The provider's bank as an entry of its own; its id depends on the bank, not on the
    connector, so a connection keeps finding it when another connector serves it."""
    institution_id = stable_id(country, f"p:{key}")
    while institution_id in index.institutions:
        key += "+"
        institution_id = stable_id(country, f"p:{key}")
    name = " ".join(offer.name.split())
    if not any(c.islower() for c in name):
        name = display_name(name, country)
    return Institution(
        id=institution_id,
        name=name,
        country=country,
        bic=offer.bic,
        connector=connector,
        max_history_days=offer.max_history_days,
        group=None,
        provider_id=offer.id,
    )


def _own_docs(raw: str, shown: str) -> list[tuple[str, int]]:
    return [(shown, TIER_EXACT), (raw, TIER_EXACT), (strip_parens(clean(raw)), TIER_PREFIX)]


def _add(index: Index, institution: Institution, boost: float, docs: list[tuple[str, int]]) -> None:
    index.institutions[institution.id] = institution
    hit = SearchHit(institution.id, institution.name, False, institution.connector)
    index.add_entry(hit, boost, None, docs)


def _regroup(index: Index, positions: dict[str, int]) -> None:
    """A group says which connector serves it when all its regions have the same one."""
    for group_id, group in index.groups.items():
        connectors = {member.connector for member in group.members}
        connector = connectors.pop() if len(connectors) == 1 else None
        position = positions.get(group_id)
        if position is None:
            continue
        hit = index.hit(position)
        if hit.connector != connector:
            index.replace_hit(position, dataclasses.replace(hit, connector=connector))
