"""Building a country's index from schwifty's offline bank registry and the alias tables.

Registry rows are clustered into institutions (a brand, one region of a group, or one name),
each given an id made from its country and name, so it is the same in every process.
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
from collections import Counter
from dataclasses import dataclass, field

from schwifty import registry
from schwifty.domain import Bank

from bot.banks.directory import aliases
from bot.banks.directory.aliases import Brand, GroupSpec
from bot.banks.directory.institution import Institution, SearchHit
from bot.banks.directory.names import (
    ascii_upper,
    clean,
    display_name,
    match_key,
    normalize,
    recase,
    strip_legal,
    strip_parens,
)
from bot.banks.directory.ranking import TIER_EXACT, TIER_PREFIX, Group, Index

DEMO_ALIASES = ("demo", "demo bank", "banque demo", "bank demo", "demo banque", "pointage demo")

_SHORT_NAME_COUNTRIES = frozenset({"UA"})
_OLD_ENTRY = re.compile(r"-alt-\s*$", re.IGNORECASE)
_REGION_WORDS = re.compile(
    r"(?<![A-Z0-9])("
    + "|".join(re.escape(k) for k in sorted(aliases.REGION_WORDS, key=len, reverse=True))
    + r")(?![A-Z0-9])"
)


def _stable_id(country: str, key: str) -> str:
    digest = int.from_bytes(hashlib.sha256(f"{country}|{key}".encode()).digest()[:8], "big")
    chars = []
    for _ in range(9):
        digest, rest = divmod(digest, 36)
        chars.append("0123456789abcdefghijklmnopqrstuvwxyz"[rest])
    return f"{country.lower()}-{''.join(chars)}"


def stable_id(country: str, key: str) -> str:
    """An institution id made from its country and a key: the same in every process."""
    return _stable_id(country, key)


def full_bic(bic: str | None) -> str | None:
    """A BIC on 11 characters (XXX for the head office), upper case; None when it is not one."""
    if not bic:
        return None
    bic = "".join(bic.split()).upper()
    if len(bic) == 8:
        bic += "XXX"
    return bic if len(bic) == 11 and bic.isalnum() else None


def _pick_bic(bics: Counter[str]) -> str | None:
    """The most frequent BIC, preferring a head office (8 letters or branch XXX) on ties."""
    if not bics:
        return None
    return min(bics, key=lambda b: (-bics[b], len(b) == 11 and not b.endswith("XXX"), b))


@dataclass(slots=True)
class _Cluster:
    key: str
    label: str | None
    brand: Brand | None
    group: str | None
    region: str | None = None
    banks: list[Bank] = field(default_factory=list)
    names: Counter[str] = field(default_factory=Counter)


def _source_name(bank: Bank, country: str) -> str:
    if country in _SHORT_NAME_COUNTRIES and bank.short_name:
        return bank.short_name
    return bank.name or bank.short_name or ""


def _brand_for(
    brands: list[tuple[Brand, list[re.Pattern[str]]]], keys: tuple[str, ...], bic: str
) -> Brand | None:
    for brand, _ in brands:
        if bic and any(bic.startswith(prefix) for prefix in brand.bics):
            return brand
    for brand, patterns in brands:
        if any(p.fullmatch(key) for p in patterns for key in keys):
            return brand
    return None


def _group_for(
    groups: list[tuple[GroupSpec, list[re.Pattern[str]], list[re.Pattern[str]]]], key: str, bic: str
) -> GroupSpec | None:
    for spec, patterns, excludes in groups:
        hit = (bic and any(bic.startswith(p) for p in spec.bics)) or any(
            p.search(key) for p in patterns
        )
        if hit and not any(p.search(key) for p in excludes):
            return spec
    return None


def _region(spec: GroupSpec, raw: str) -> str | None:
    """What is left of a member's registry name once the group's own words are removed."""
    if spec.region_strip is None:
        return None
    upper = ascii_upper(strip_parens(clean(raw)))
    found = re.match(spec.region_strip, upper)
    if found is None or found.end() == 0:
        return None
    rest = upper[found.end() :].strip(" ,;-–")
    return _REGION_WORDS.sub(lambda m: aliases.REGION_WORDS[m.group(1)], rest)


def _member_label(spec: GroupSpec, raw: str, bic: str, country: str) -> tuple[str, str | None]:
    region = _region(spec, raw)
    if region is None or spec.member_prefix is None:
        return display_name(raw, country), None
    if not region:
        known = aliases.REGION_BY_BIC.get(bic[:8])
        if known:
            return f"{spec.member_prefix} {known}", known
        return (f"{spec.member_prefix} ({bic})" if bic else spec.member_prefix), None
    nice = recase(region, french=True, capitalize_first=False)
    return f"{spec.member_prefix} {nice}", nice


def _expand_short_name(short: str) -> str:
    words = clean(short).replace(",", " ").split()
    return " ".join(aliases.SHORT_NAME_WORDS.get(w.lower().rstrip("."), w) for w in words)


def _split_generic(cluster: _Cluster, country: str) -> list[_Cluster]:
    """Split a member whose registry name is generic ("Volksbank") into the banks behind it.

    The Bundesbank file names many distinct cooperative banks just "Volksbank" and tells them
    apart only in the short name ("Volksbank Seesen") or, failing that, by bank code.
    """
    bics = {(b.bic or "")[:8] + ((b.bic or "")[8:] or "XXX") for b in cluster.banks}
    label = cluster.label or ""
    shorts = {normalize(_expand_short_name(b.short_name or "")) for b in cluster.banks}
    if len(bics) < 2 or len(shorts) < 2:
        return [cluster]
    base = normalize(label)
    parts: dict[str, _Cluster] = {}
    for bank in cluster.banks:
        short = _expand_short_name(bank.short_name or "")
        if normalize(short) not in ("", base):
            new_label = display_name(short, country)
        else:
            new_label = f"{label} (BLZ {bank.bank_code})"
        key = f"{cluster.key}:{normalize(new_label)}"
        part = parts.setdefault(key, _Cluster(key, new_label, None, cluster.group))
        part.banks.append(bank)
        part.names[bank.name] += 1
    return list(parts.values())


def _size_boost(rows: int) -> float:
    """Banks with many registry rows (bank codes, branches) are the big ones people use."""
    return min(3.0, 1.2 * math.log10(max(rows, 1)))


_built_lock = threading.Lock()
_built: dict[tuple[str, Institution | None], Index] = {}


def is_built(country: str, demo: Institution | None) -> bool:
    return (country, demo) in _built


def shared_index(country: str, demo: Institution | None) -> Index:
    """One build per process: an index is never changed once built, and the registry it is
    built from is fixed, so every Directory of the process shares it."""
    key = (country, demo)
    index = _built.get(key)
    if index is None:
        with _built_lock:
            index = _built.get(key)
            if index is None:
                index = _build_index(country, demo)
                _built[key] = index
    return index


def _build_index(country: str, demo: Institution | None) -> Index:
    index = Index()
    if demo is not None:
        index.institutions[demo.id] = demo
        hit = SearchHit(demo.id, demo.name, False, demo.connector)
        index.add_entry(hit, 0.0, None, [(a, TIER_EXACT) for a in (demo.name, *DEMO_ALIASES)])
    banks = registry.get_banks_by_country(country) if country in known_countries() else []
    specs = [g for g in aliases.GROUPS if g.country == country]
    group_rules = [
        (g, [re.compile(p) for p in g.match], [re.compile(p) for p in g.exclude]) for g in specs
    ]
    brand_list = [b for b in aliases.BRANDS if b.country == country]
    brand_rules = [(b, [re.compile(p) for p in b.match]) for b in brand_list]
    spec_by_id = {g.id: g for g in specs}

    clusters: dict[str, _Cluster] = {}
    for bank in banks:
        raw = _source_name(bank, country)
        if not raw or _OLD_ENTRY.search(raw):
            continue
        key = match_key(raw)
        if len(key.replace(" ", "")) < 2:
            continue
        bic = (bank.bic or "").upper()
        brand = _brand_for(brand_rules, (key, normalize(raw)), bic)
        spec = spec_by_id.get(brand.group or "") if brand else _group_for(group_rules, key, bic)
        region: str | None = None
        if brand is not None:
            cluster_key, label = f"b:{brand.key}", brand.name
        elif spec is not None:
            label, region = _member_label(spec, raw, bic, country)
            cluster_key = f"m:{spec.id}:{normalize(label)}"
        else:
            cluster_key, label = f"n:{key}", None
        cluster = clusters.get(cluster_key)
        if cluster is None:
            cluster = _Cluster(cluster_key, label, brand, spec.id if spec else None, region)
            clusters[cluster_key] = cluster
        cluster.banks.append(bank)
        cluster.names[raw] += 1

    final: list[_Cluster] = []
    for cluster in clusters.values():
        spec = spec_by_id.get(cluster.group or "")
        if cluster.brand is None and spec is not None and spec.region_strip is None:
            final.extend(_split_generic(cluster, country))
        else:
            final.append(cluster)
    for brand in brand_list:
        if brand.bic and f"b:{brand.key}" not in clusters:
            final.append(_Cluster(f"b:{brand.key}", brand.name, brand, brand.group))

    member_count = Counter(c.group for c in final if c.group)
    live_groups = {g for g, n in member_count.items() if n >= 2}
    for spec in specs:
        if spec.id in live_groups:
            index.groups[spec.id] = Group(spec)

    used_ids: set[str] = set()
    pending_members: dict[str, list[tuple[Institution, _Cluster, float]]] = {}
    for cluster in final:
        group_id = cluster.group if cluster.group in live_groups else None
        institution = _make_institution(country, cluster, group_id, used_ids)
        index.institutions[institution.id] = institution
        _record_bics(index, institution, cluster)
        rows = len(cluster.banks)
        boost = (cluster.brand.popularity / 10.0 if cluster.brand else 0.0) + _size_boost(rows)
        if group_id is not None:
            pending_members.setdefault(group_id, []).append((institution, cluster, boost))
            continue
        hit = SearchHit(institution.id, institution.name, False, institution.connector)
        index.add_entry(hit, boost, None, _institution_docs(institution, cluster, None))

    for group_id, group in index.groups.items():
        spec = group.spec
        members = pending_members.get(group_id, [])
        group.members = sorted((m for m, _, _ in members), key=lambda i: normalize(i.name))
        connectors = {m.connector for m in group.members}
        connector = connectors.pop() if len(connectors) == 1 else None
        rows = sum(len(c.banks) for _, c, _ in members)
        group.entry = index.add_entry(
            SearchHit(group_id, spec.name, True, connector),
            spec.popularity / 10.0 + _size_boost(rows),
            None,
            [(text, TIER_EXACT) for text in (spec.name, *spec.aliases)],
        )
        for institution, cluster, boost in members:
            hit = SearchHit(institution.id, institution.name, False, institution.connector)
            index.add_entry(hit, boost, group_id, _institution_docs(institution, cluster, spec))
    index.finish()
    return index


def _make_institution(
    country: str, cluster: _Cluster, group_id: str | None, used_ids: set[str]
) -> Institution:
    key = cluster.key
    institution_id = _stable_id(country, key)
    while institution_id in used_ids:
        key += "+"
        institution_id = _stable_id(country, key)
    used_ids.add(institution_id)
    raw = cluster.names.most_common(1)[0][0] if cluster.names else ""
    name = cluster.label or display_name(raw, country)
    bics = Counter((b.bic or "").upper() for b in cluster.banks if b.bic)
    bic = _pick_bic(bics) or (cluster.brand.bic if cluster.brand else None)
    return Institution(institution_id, name, country, bic, None, 0, group_id)


def _record_bics(index: Index, institution: Institution, cluster: _Cluster) -> None:
    bics = {full_bic(bank.bic) for bank in cluster.banks}
    bics.add(full_bic(institution.bic))
    for bic in bics:
        if bic is not None:
            index.by_bic.setdefault(bic, []).append(institution.id)


def _institution_docs(
    institution: Institution, cluster: _Cluster, spec: GroupSpec | None
) -> list[tuple[str, int]]:
    docs: list[tuple[str, int]] = [(institution.name, TIER_EXACT)]
    # A brand found by BIC alone (Halifax) shares its registry name with another brand
    # (Bank of Scotland): that name must not count as an exact match for it.
    raw_tier = TIER_PREFIX if cluster.brand and not cluster.brand.match else TIER_EXACT
    for raw in cluster.names:
        docs.append((raw, raw_tier))
        docs.append((strip_legal(strip_parens(clean(raw))), raw_tier))
    for bank in cluster.banks:
        if bank.short_name:
            docs.append((bank.short_name, TIER_PREFIX))
    if cluster.brand is not None:
        docs.extend((alias, TIER_EXACT) for alias in cluster.brand.aliases)
    if spec is not None and cluster.region:
        docs.extend(
            (f"{alias} {cluster.region}", TIER_EXACT) for alias in spec.aliases if len(alias) <= 5
        )
    return docs


_countries_lock = threading.Lock()
_countries: frozenset[str] | None = None


def known_countries() -> frozenset[str]:
    global _countries
    with _countries_lock:
        if _countries is None:
            _countries = frozenset(c.upper() for c in registry.get_countries())
        return _countries
