"""Searchable directory of institutions: the demo bank plus schwifty's offline bank registry."""

from __future__ import annotations

import bisect
import functools
import hashlib
import math
import re
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from schwifty import registry
from schwifty.domain import Bank

from bot.banks.directory import aliases
from bot.banks.directory.aliases import Brand, GroupSpec
from bot.domain.text import strip_accents

DEMO_ID = "demo"
DEMO_CONNECTOR = "demo"
DEMO_NAME = "Demo Bank"
DEMO_HISTORY_DAYS = 730
DEMO_ALIASES = ("demo", "demo bank", "banque demo", "bank demo", "demo banque", "pointage demo")

MAX_QUERY_CHARS = 100
MAX_QUERY_TOKENS = 8
FUZZY_CUTOFF = 78.0
COMPACT_FUZZY_CUTOFF = 85.0
EXACT, PREFIX = 100.0, 95.0
FUZZY_WEIGHT = 0.9

# Tiers rank matches before scores: a whole-name or alias match, then every word found
# exactly or as a prefix, then anything involving a typo.
TIER_EXACT, TIER_PREFIX, TIER_FUZZY = 3, 2, 1

_FRENCH_COUNTRIES = frozenset({"FR", "MC", "BE", "LU"})
_SHORT_NAME_COUNTRIES = frozenset({"UA"})
_STOP_WORDS = aliases.words(
    "de du des la le les et d l of the and und der die das y el e i di del van"
)

_SPECIAL_LETTERS = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "ø": "o",
        "Ø": "O",
        "œ": "oe",
        "Œ": "OE",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ı": "i",
        "þ": "th",
        "Þ": "TH",
    }
)
_APOSTROPHES = re.compile(r"['’‘`´ʼ]")
_NON_WORD = re.compile(r"[\W_]+")
_QUOTES = re.compile(r"[\"“”«»„]")
_PARENS = re.compile(r"\s*\([^)]*(?:\)|$)")
_SPACES = re.compile(r"\s+")
_NOISE = re.compile(r"\s+(?:GS nur für GAA|Gf|GF)\b.*$")
_OLD_ENTRY = re.compile(r"-alt-\s*$", re.IGNORECASE)
_LEGAL_SUFFIX = re.compile(r"[\s,–-]+(?:" + "|".join(aliases.LEGAL_FORMS) + r")\s*$", re.IGNORECASE)
_LEGAL_PREFIX = re.compile(r"^(?:" + "|".join(aliases.LEGAL_PREFIXES) + r")\s+", re.IGNORECASE)
_VOWELS = frozenset("AEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜÅÆØŒ")
_WORD_PARTS = re.compile(r"([^\w]+|\d+)")
_REGION_WORDS = re.compile(
    r"(?<![A-Z0-9])("
    + "|".join(re.escape(k) for k in sorted(aliases.REGION_WORDS, key=len, reverse=True))
    + r")(?![A-Z0-9])"
)
_INSTITUTION_ID = re.compile(r"([a-z]{2})-[a-z0-9]+")
_GROUP_ID = re.compile(r"g-([a-z]{2})-[a-z0-9-]+")


@dataclass(frozen=True, slots=True)
class Institution:
    """A bank a user can pick; `group` is set when it is one region of a brand group."""

    id: str
    name: str
    country: str
    bic: str | None
    connector: str | None
    max_history_days: int
    group: str | None


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One search result: an institution, or a group whose regions `Directory.members` lists."""

    id: str
    name: str
    is_group: bool
    connector: str | None


@functools.lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """Lower case, no accents, elisions glued ("d'Épargne" → "depargne"), words split by spaces."""
    if not text.isascii():
        text = strip_accents(text.translate(_SPECIAL_LETTERS))
    text = _APOSTROPHES.sub("", text.casefold())
    return " ".join(_NON_WORD.sub(" ", text).split())


def _variants(text: str) -> set[str]:
    """Both spellings of an elision, so "caisse depargne" and "caisse d epargne" both match."""
    return {v for v in (normalize(text), normalize(_APOSTROPHES.sub(" ", text))) if v}


def _clean(raw: str) -> str:
    text = _SPACES.sub(" ", _QUOTES.sub("", raw)).strip(" ,;-–")
    if text.startswith("'"):
        text = text[1:-1] if text.endswith("'") else text[1:]
        text = text.strip()
    return _NOISE.sub("", text)


def _strip_parens(text: str) -> str:
    stripped = _PARENS.sub("", text).strip(" ,;-–")
    return stripped or text


@functools.lru_cache(maxsize=65536)
def _strip_legal(text: str) -> str:
    while True:
        shorter = _LEGAL_PREFIX.sub("", _LEGAL_SUFFIX.sub("", text)).strip(" ,;-–")
        if shorter == text or len(shorter) < 2:
            return text
        text = shorter


def _match_key(raw: str) -> str:
    return normalize(_strip_legal(_strip_parens(_clean(raw))))


def _ascii_upper(text: str) -> str:
    return " ".join(strip_accents(text.translate(_SPECIAL_LETTERS)).upper().split())


def _recase(text: str, french: bool, capitalize_first: bool = True) -> str:
    """Registry names are often ALL CAPS: give them the casing people write."""
    all_caps = not any(c.islower() for c in text)
    out: list[str] = []
    first = capitalize_first
    for word in text.split(" "):
        parts = _WORD_PARTS.split(word)
        cased: list[str] = []
        for i, part in enumerate(parts):
            if part == word and not first and part.lower() in aliases.SMALL_WORDS:
                cased.append(part.lower())
                continue
            if not part or not part.isalpha() or any(c.islower() for c in part):
                cased.append(part)
                continue
            elided = i + 1 < len(parts) and parts[i + 1] in ("'", "’") and len(part) == 1
            if len(part) == 1 and i > 0 and parts[i - 1] in ("'", "’") and all_caps:
                cased.append(part.lower())
            elif part in aliases.WORD_CASING:
                cased.append(aliases.WORD_CASING[part])
            elif (
                (part in aliases.ACRONYMS and not elided)
                or (not all_caps and len(part) <= 3)
                or (len(part) > 1 and not _VOWELS & set(part))
            ):
                cased.append(part)
            else:
                nice = aliases.FRENCH_WORDS.get(part, part.capitalize()) if french else None
                nice = nice or part.capitalize()
                if not first and elided:
                    nice = nice.lower()
                cased.append(nice)
            first = False
        first = False
        out.append("".join(cased))
    return " ".join(out)


def _display(raw: str, country: str) -> str:
    text = _strip_legal(_strip_parens(_clean(raw)))
    return _recase(text, country in _FRENCH_COUNTRIES)


def _stable_id(country: str, key: str) -> str:
    digest = int.from_bytes(hashlib.sha256(f"{country}|{key}".encode()).digest()[:8], "big")
    chars = []
    for _ in range(9):
        digest, rest = divmod(digest, 36)
        chars.append("0123456789abcdefghijklmnopqrstuvwxyz"[rest])
    return f"{country.lower()}-{''.join(chars)}"


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


@dataclass(slots=True)
class _Doc:
    text: str
    compact: str
    tokens: tuple[str, ...]
    content_tokens: int
    entry: int
    exact_tier: int


@dataclass(slots=True)
class _Entry:
    hit: SearchHit
    boost: float
    group: str | None
    sort_name: str


@dataclass(slots=True)
class _Group:
    spec: GroupSpec
    entry: int = -1
    tokens: frozenset[str] = frozenset()
    members: list[Institution] = field(default_factory=list)


class _Index:
    """One country's institutions, their search texts and the token index over them."""

    def __init__(self) -> None:
        self.entries: list[_Entry] = []
        self.docs: list[_Doc] = []
        self.institutions: dict[str, Institution] = {}
        self.groups: dict[str, _Group] = {}
        self.vocab: list[str] = []
        self.fuzzy_vocab: list[str] = []
        self.postings: dict[str, list[int]] = {}
        self.compact_sorted: list[tuple[str, int]] = []
        self.compact_texts: list[str] = []

    def add_entry(
        self, hit: SearchHit, boost: float, group: str | None, docs: Iterable[tuple[str, int]]
    ) -> int:
        index = len(self.entries)
        self.entries.append(_Entry(hit, boost, group, normalize(hit.name)))
        best: dict[str, int] = {}
        for text, tier in docs:
            for variant in _variants(text):
                best[variant] = max(tier, best.get(variant, 0))
        for text, tier in best.items():
            tokens = tuple(text.split())
            content = sum(1 for t in tokens if t not in _STOP_WORDS) or len(tokens)
            self.docs.append(_Doc(text, text.replace(" ", ""), tokens, content, index, tier))
        return index

    def finish(self) -> None:
        postings: dict[str, list[int]] = {}
        for d, doc in enumerate(self.docs):
            for token in set(doc.tokens):
                postings.setdefault(token, []).append(d)
        self.postings = postings
        self.vocab = sorted(postings)
        self.fuzzy_vocab = [t for t in self.vocab if len(t) >= 4]
        self.compact_sorted = sorted((doc.compact, d) for d, doc in enumerate(self.docs))
        self.compact_texts = [doc.compact for doc in self.docs]
        for group in self.groups.values():
            if group.entry >= 0:
                group.tokens = frozenset(
                    t for doc in self.docs if doc.entry == group.entry for t in doc.tokens
                )

    def _token_matches(self, token: str, min_prefix: int) -> dict[str, float]:
        """Vocabulary words matching one query word, scored exact > prefix > fuzzy."""
        found: dict[str, float] = {}
        if len(token) >= min_prefix:
            start = bisect.bisect_left(self.vocab, token)
            for word in self.vocab[start : start + 500]:
                if not word.startswith(token):
                    break
                if len(word) > 3:
                    found[word] = PREFIX
        if len(token) >= 4:
            for word, score, _ in process.extract(
                token, self.fuzzy_vocab, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=None
            ):
                found.setdefault(word, score * FUZZY_WEIGHT)
        if token in self.postings:
            found[token] = EXACT
        return found

    def search(self, query: str, limit: int) -> list[SearchHit]:
        tokens = query.split()[:MAX_QUERY_TOKENS]
        query = " ".join(tokens)
        required = [i for i, t in enumerate(tokens) if t not in _STOP_WORDS] or list(
            range(len(tokens))
        )
        min_prefix = 3 if len(tokens) == 1 else 2
        matches = [self._token_matches(t, min_prefix) for t in tokens]
        best: dict[int, tuple[int, float]] = {}

        def offer(entry: int, tier: int, score: float) -> None:
            if (tier, score) > best.get(entry, (0, 0.0)):
                best[entry] = (tier, score)

        if all(matches[i] for i in required):
            rarest = min(required, key=lambda i: sum(len(self.postings[w]) for w in matches[i]))
            candidates: set[int] = set()
            for word in matches[rarest]:
                candidates.update(self.postings[word])
            required_set = set(required)
            for d in candidates:
                scored = self._score_doc(self.docs[d], query, matches, required_set)
                if scored is not None:
                    offer(self.docs[d].entry, *scored)

        compact = query.replace(" ", "")
        if len(compact) >= 4:
            start = bisect.bisect_left(self.compact_sorted, (compact, -1))
            for text, d in self.compact_sorted[start : start + 200]:
                if not text.startswith(compact):
                    break
                doc = self.docs[d]
                if text == compact:
                    offer(doc.entry, doc.exact_tier, EXACT)
                else:
                    offer(doc.entry, TIER_PREFIX, 85.0 + 10.0 * len(compact) / len(text))
        if len(compact) >= 5:
            for _, score, d in process.extract(
                compact,
                self.compact_texts,
                scorer=fuzz.ratio,
                score_cutoff=COMPACT_FUZZY_CUTOFF,
                limit=20,
            ):
                offer(self.docs[d].entry, TIER_FUZZY, score * FUZZY_WEIGHT)

        for entry_index, result in list(best.items()):
            group_id = self.entries[entry_index].group
            if group_id is None:
                continue
            group = self.groups[group_id]
            if self._covered(group.tokens, matches, required):
                del best[entry_index]
                offer(group.entry, *result)

        ranked = sorted(
            best.items(),
            key=lambda item: (
                -item[1][0],
                -(item[1][1] + self.entries[item[0]].boost),
                self.entries[item[0]].sort_name,
            ),
        )
        return [self.entries[e].hit for e, _ in ranked[:limit]]

    @staticmethod
    def _score_doc(
        doc: _Doc, query: str, matches: list[dict[str, float]], required: set[int]
    ) -> tuple[int, float] | None:
        if doc.text == query:
            return doc.exact_tier, EXACT
        total, counted, strong = 0.0, 0, True
        used: set[str] = set()
        for i, found in enumerate(matches):
            score, word = 0.0, ""
            for token in doc.tokens:
                s = found.get(token, 0.0)
                if s > score:
                    score, word = s, token
            if score == 0.0:
                if i in required:
                    return None
                continue
            total += score
            counted += 1
            used.add(word)
            strong = strong and score >= PREFIX
        coverage = min(1.0, sum(1 for t in used if t not in _STOP_WORDS) / doc.content_tokens)
        score = 0.85 * total / counted + 15.0 * coverage
        if not strong:
            return TIER_FUZZY, score
        return TIER_PREFIX, score + (2.0 if doc.text.startswith(query) else 0.0)

    @staticmethod
    def _covered(
        group_tokens: frozenset[str], matches: list[dict[str, float]], required: list[int]
    ) -> bool:
        """True when every word of the query belongs to the group's own name or aliases."""
        return all(any(w in group_tokens for w in matches[i]) for i in required)


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
    upper = _ascii_upper(_strip_parens(_clean(raw)))
    found = re.match(spec.region_strip, upper)
    if found is None or found.end() == 0:
        return None
    rest = upper[found.end() :].strip(" ,;-–")
    return _REGION_WORDS.sub(lambda m: aliases.REGION_WORDS[m.group(1)], rest)


def _member_label(spec: GroupSpec, raw: str, bic: str, country: str) -> tuple[str, str | None]:
    region = _region(spec, raw)
    if region is None or spec.member_prefix is None:
        return _display(raw, country), None
    if not region:
        known = aliases.REGION_BY_BIC.get(bic[:8])
        if known:
            return f"{spec.member_prefix} {known}", known
        return (f"{spec.member_prefix} ({bic})" if bic else spec.member_prefix), None
    nice = _recase(region, french=True, capitalize_first=False)
    return f"{spec.member_prefix} {nice}", nice


def _expand_short_name(short: str) -> str:
    words = _clean(short).replace(",", " ").split()
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
            new_label = _display(short, country)
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
_built: dict[tuple[str, Institution | None], _Index] = {}


def _shared_index(country: str, demo: Institution | None) -> _Index:
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


def _build_index(country: str, demo: Institution | None) -> _Index:
    index = _Index()
    if demo is not None:
        index.institutions[demo.id] = demo
        hit = SearchHit(demo.id, demo.name, False, demo.connector)
        index.add_entry(hit, 0.0, None, [(a, TIER_EXACT) for a in (demo.name, *DEMO_ALIASES)])
    banks = registry.get_banks_by_country(country) if country in _known_countries() else []
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
        key = _match_key(raw)
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
            index.groups[spec.id] = _Group(spec)

    used_ids: set[str] = set()
    pending_members: dict[str, list[tuple[Institution, _Cluster, float]]] = {}
    for cluster in final:
        group_id = cluster.group if cluster.group in live_groups else None
        institution = _make_institution(country, cluster, group_id, used_ids)
        index.institutions[institution.id] = institution
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
    name = cluster.label or _display(raw, country)
    bics = Counter((b.bic or "").upper() for b in cluster.banks if b.bic)
    bic = _pick_bic(bics) or (cluster.brand.bic if cluster.brand else None)
    return Institution(institution_id, name, country, bic, None, 0, group_id)


def _institution_docs(
    institution: Institution, cluster: _Cluster, spec: GroupSpec | None
) -> list[tuple[str, int]]:
    docs: list[tuple[str, int]] = [(institution.name, TIER_EXACT)]
    # A brand found by BIC alone (Halifax) shares its registry name with another brand
    # (Bank of Scotland): that name must not count as an exact match for it.
    raw_tier = TIER_PREFIX if cluster.brand and not cluster.brand.match else TIER_EXACT
    for raw in cluster.names:
        docs.append((raw, raw_tier))
        docs.append((_strip_legal(_strip_parens(_clean(raw))), raw_tier))
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


def _known_countries() -> frozenset[str]:
    global _countries
    with _countries_lock:
        if _countries is None:
            _countries = frozenset(c.upper() for c in registry.get_countries())
        return _countries


class Directory:
    """All institutions a user can pick, searchable per country.

    A country's index is built on its first use in the process (from a few milliseconds up
    to about 0.2 s for Germany or the United Kingdom), so creating a Directory costs nothing
    and a bot serving French users never loads the other 46 registries.
    """

    def __init__(self, demo_enabled: bool = True) -> None:
        self._demo = (
            Institution(DEMO_ID, DEMO_NAME, "*", None, DEMO_CONNECTOR, DEMO_HISTORY_DAYS, None)
            if demo_enabled
            else None
        )
        self._countries = sorted(_known_countries())
        self._elsewhere = _shared_index("", self._demo)

    def countries(self) -> list[str]:
        return list(self._countries)

    def preload(self, countries: Iterable[str] | None = None) -> None:
        """Build country indexes now (all by default) rather than on their first search."""
        for country in self._countries if countries is None else countries:
            self._index(country)

    def search(self, query: str, country: str, limit: int = 8) -> list[SearchHit]:
        if limit <= 0 or not isinstance(query, str):
            return []
        normalized = normalize(query[:MAX_QUERY_CHARS])
        if len(normalized) < 2:
            return []
        return self._index(country).search(normalized, limit)

    def members(self, group_id: str) -> list[Institution]:
        group = self._group(group_id)
        return list(group.members) if group else []

    def get(self, institution_id: str) -> Institution | None:
        if self._demo is not None and institution_id == DEMO_ID:
            return self._demo
        found = _INSTITUTION_ID.fullmatch(institution_id)
        if found is None:
            return None
        return self._index(found.group(1)).institutions.get(institution_id)

    def group_name(self, group_id: str) -> str | None:
        group = self._group(group_id)
        return group.spec.name if group else None

    def _group(self, group_id: str) -> _Group | None:
        found = _GROUP_ID.fullmatch(group_id)
        if found is None:
            return None
        return self._index(found.group(1)).groups.get(group_id)

    def _index(self, country: str) -> _Index:
        code = country.strip().upper() if isinstance(country, str) else ""
        if code not in _known_countries():
            return self._elsewhere
        return _shared_index(code, self._demo)
