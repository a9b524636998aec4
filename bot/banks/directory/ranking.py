"""One country's search index and how it ranks institutions against a query.

An index is filled once (building.py), then only read: searches may run in many threads at once.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from bot.banks.directory.aliases import GroupSpec
from bot.banks.directory.institution import Institution, SearchHit
from bot.banks.directory.names import STOP_WORDS, normalize, variants

MAX_QUERY_TOKENS = 8
FUZZY_CUTOFF = 78.0
COMPACT_FUZZY_CUTOFF = 85.0
EXACT, PREFIX = 100.0, 95.0
FUZZY_WEIGHT = 0.9

# Tiers rank matches before scores: a whole-name or alias match, then every word found
# exactly or as a prefix, then anything involving a typo.
TIER_EXACT, TIER_PREFIX, TIER_FUZZY = 3, 2, 1


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
class Group:
    spec: GroupSpec
    entry: int = -1
    tokens: frozenset[str] = frozenset()
    members: list[Institution] = field(default_factory=list)


class Index:
    """One country's institutions, their search texts and the token index over them."""

    def __init__(self) -> None:
        self.entries: list[_Entry] = []
        self.docs: list[_Doc] = []
        self.institutions: dict[str, Institution] = {}
        self.groups: dict[str, Group] = {}
        self.vocab: list[str] = []
        self.fuzzy_vocab: list[str] = []
        self.postings: dict[str, list[int]] = {}
        self.compact_sorted: list[tuple[str, int]] = []
        self.compact_texts: list[str] = []
        self.by_bic: dict[str, list[str]] = {}
        """Institution ids by every BIC of their registry rows (11 characters, XXX for the
        head office): what provider lists are matched on."""

    def copy(self) -> Index:
        """A new index to extend, then finish(): its lists and maps are its own, the entries
        and docs in them are shared, so neither index may change one in place."""
        other = Index()
        other.entries = list(self.entries)
        other.docs = list(self.docs)
        other.institutions = dict(self.institutions)
        other.groups = {
            group_id: Group(group.spec, group.entry, group.tokens, list(group.members))
            for group_id, group in self.groups.items()
        }
        other.by_bic = self.by_bic
        return other

    def add_entry(
        self, hit: SearchHit, boost: float, group: str | None, docs: Iterable[tuple[str, int]]
    ) -> int:
        index = len(self.entries)
        self.entries.append(_Entry(hit, boost, group, normalize(hit.name)))
        self.add_docs(index, docs)
        return index

    def positions(self) -> dict[str, int]:
        """Where the entry of each institution and group is, by its id."""
        return {entry.hit.id: position for position, entry in enumerate(self.entries)}

    def hit(self, position: int) -> SearchHit:
        return self.entries[position].hit

    def replace_hit(self, position: int, hit: SearchHit) -> None:
        """Show another hit for an entry (the same bank, now served by a connector)."""
        entry = self.entries[position]
        self.entries[position] = _Entry(hit, entry.boost, entry.group, entry.sort_name)

    def add_docs(self, entry: int, docs: Iterable[tuple[str, int]]) -> None:
        """More texts an entry is found by (before finish())."""
        best: dict[str, int] = {}
        for text, tier in docs:
            for variant in variants(text):
                best[variant] = max(tier, best.get(variant, 0))
        for text, tier in best.items():
            tokens = tuple(text.split())
            content = sum(1 for t in tokens if t not in STOP_WORDS) or len(tokens)
            self.docs.append(_Doc(text, text.replace(" ", ""), tokens, content, entry, tier))

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
        required = [i for i, t in enumerate(tokens) if t not in STOP_WORDS] or list(
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
        coverage = min(1.0, sum(1 for t in used if t not in STOP_WORDS) / doc.content_tokens)
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
