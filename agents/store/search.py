"""Hybrid search: full-text, text vectors and CLIP, fused by reciprocal rank fusion."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from agents.store.query import named_speakers, time_window, without_names
from agents.store.text import has_terms
from agents.store.timeutil import as_utc, now


@dataclass(frozen=True)
class SearchOptions:
    """How one search is run.

    ``rrf_k`` is the constant of reciprocal rank fusion (1 / (rrf_k + rank));
    ``recency_weight`` in [0, 1] blends in a decay by age with the given
    half-life (0: time does not matter).
    """

    k: int = 10
    types: Sequence[str] = ()
    since: datetime | None = None
    until: datetime | None = None
    app: str | None = None
    rrf_k: int = 60
    candidates: int = 50
    per_table: int | None = None  # candidates each table gives a retriever (None: candidates)
    recency_weight: float = 0.0
    recency_half_life_days: float = 30.0
    sensitivities: Sequence[str] = ()  # vault entries only at these levels (other types unaffected)
    # A chat turn found near other found turns of its conversation (within the window)
    # gets this share of their scores, fading with the time between them: the answer to
    # a question often sits beside the turn that names its topic.
    neighbour_weight: float = 0.0
    neighbour_window_s: float = 600.0
    # What the question says beyond its words (agents/store/query.py): rankings taken
    # within the time it names count with this share of the main rankings' weights;
    # chat turns of the speakers it names score this share more.
    time_weight: float = 0.0
    speaker_weight: float = 0.0
    # Rankings of the question without the names of the speakers it names (their turns
    # are favoured already; the name no longer drowns what is asked) count this share.
    content_weight: float = 0.0
    # The reference time for what the query says relative to now ("yesterday") and for
    # recency (None: now); ``search --as-of`` sets it.
    as_of: datetime | None = None
    weights: dict[str, float] = field(
        default_factory=lambda: {"fts": 1.0, "vector": 1.0, "clip": 1.0}
    )


@dataclass(frozen=True)
class Probe:
    """One text searched for a query, under its options; its rankings are named
    retriever + ``suffix`` ("fts", "vector:time")."""

    text: str
    suffix: str
    options: SearchOptions


def probes_for(query: str, options: SearchOptions, reference: datetime) -> list[Probe]:
    """What one search runs: the query itself, and the query again within the time it
    names (when ``time_weight`` > 0)."""
    probes = [Probe(query, "", options)]
    if options.time_weight > 0:
        window = time_window(query, reference)
        if window is not None:
            since = max(window.start, as_utc(options.since)) if options.since else window.start
            until = min(window.end, as_utc(options.until)) if options.until else window.end
            if since < until:
                probes.append(Probe(query, ":time", replace(options, since=since, until=until)))
    return probes


def content_probe(
    query: str, options: SearchOptions, rankings: dict[str, list[tuple[str, dict[str, Any]]]]
) -> Probe | None:
    """The query without the names of the speakers (of the turns found) it names, or None
    ("What pets does Nate have?" -> "What pets does have?")."""
    if options.content_weight <= 0:
        return None
    speakers = {
        str(r["speaker"]) for ranking in rankings.values() for _, r in ranking if r.get("speaker")
    }
    named = named_speakers(query, speakers)
    if not named:
        return None
    text = without_names(query, named)
    if text == query or not has_terms(text):
        return None
    return Probe(text, ":content", options)


@dataclass
class Candidate:
    """One row found by one or more retrievers."""

    table: str
    row: dict[str, Any]
    ranks: dict[str, int] = field(default_factory=dict)
    score: float = 0.0


def merge_ranked(
    per_table: Iterable[tuple[str, list[dict[str, Any]]]],
    *,
    key: str,
    descending: bool,
    limit: int,
) -> list[tuple[str, dict[str, Any]]]:
    """Merge the hits of one retriever over several tables into one ranking by raw score.

    Distances of one embedding model, and BM25 scores, are comparable across
    tables, so one list per retriever is fused, rather than one per table (which
    would let the best hit of a nearly empty table outrank everything).
    """
    merged = [(table, row) for table, rows in per_table for row in rows]
    merged.sort(key=lambda item: float(item[1][key]), reverse=descending)
    out: list[tuple[str, dict[str, Any]]] = []
    seen: set[str] = set()
    for table, row in merged:  # a row found twice (a turn by two passages) counts once
        if row["id"] not in seen:
            seen.add(row["id"])
            out.append((table, row))
    return out[:limit]


def ranking_weight(name: str, options: SearchOptions) -> float:
    """The weight of a ranking: "fts", "vector", "clip", or one of them taken within
    the time the question names ("fts:time") or for what it asks without the names of
    the speakers it names ("vector:content")."""
    base, _, probe = name.partition(":")
    weight = options.weights.get(base, 1.0)
    if probe == "time":
        weight *= options.time_weight
    elif probe == "content":
        weight *= options.content_weight
    return weight


def fuse(
    rankings: dict[str, list[tuple[str, dict[str, Any]]]],
    options: SearchOptions,
    *,
    reference_time: datetime | None = None,
    query: str | None = None,
) -> list[Candidate]:
    """Reciprocal rank fusion of several rankings, with optional recency weighting.

    With ``query`` and a ``speaker_weight``, chat turns of the speakers the query
    names (:func:`agents.store.query.named_speakers`) score that much more.
    """
    found: dict[str, Candidate] = {}
    for retriever, ranking in rankings.items():
        weight = ranking_weight(retriever, options)
        for rank, (table, row) in enumerate(ranking, 1):
            cand = found.get(row["id"])
            if cand is None:
                cand = found[row["id"]] = Candidate(table=table, row=row)
            else:
                for name, value in row.items():
                    cand.row.setdefault(name, value)
            cand.ranks[retriever] = rank
            cand.score += weight / (options.rrf_k + rank)
    if options.neighbour_weight > 0:
        spread_to_neighbours(
            list(found.values()), options.neighbour_weight, options.neighbour_window_s
        )
    if options.speaker_weight > 0 and query:
        favour_speakers(list(found.values()), query, options.speaker_weight)
    if options.recency_weight > 0:
        ref = as_utc(reference_time or now())
        for cand in found.values():
            when = cand.row.get("time")
            if not isinstance(when, datetime):
                continue
            age_days = max(0.0, (ref - as_utc(when)).total_seconds() / 86400)
            decay = math.pow(0.5, age_days / max(options.recency_half_life_days, 1e-6))
            cand.score *= 1 - options.recency_weight + options.recency_weight * decay
    return sorted(found.values(), key=lambda c: c.score, reverse=True)


def spread_to_neighbours(cands: Sequence[Candidate], weight: float, window_s: float) -> None:
    """Add to each chat turn a share of the fused scores of found turns near it in time.

    Only candidates with a ``conversation_id`` (chat turns) take part; the share
    falls linearly from ``weight`` at the same moment to 0 at ``window_s`` apart.
    """
    by_conv: dict[str, list[Candidate]] = {}
    for cand in cands:
        conv = cand.row.get("conversation_id")
        if conv and isinstance(cand.row.get("time"), datetime):
            by_conv.setdefault(str(conv), []).append(cand)
    bonus: dict[int, float] = {}
    for group in by_conv.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                gap = abs((as_utc(a.row["time"]) - as_utc(b.row["time"])).total_seconds())
                if gap >= window_s:
                    continue
                share = weight * (1 - gap / window_s)
                bonus[id(a)] = bonus.get(id(a), 0.0) + share * b.score
                bonus[id(b)] = bonus.get(id(b), 0.0) + share * a.score
    for cand in cands:
        cand.score += bonus.get(id(cand), 0.0)


def favour_speakers(cands: Sequence[Candidate], query: str, weight: float) -> None:
    """Raise by ``weight`` (a share of its score) each chat turn whose speaker the query names.

    "What does Ann collect?" is answered by what Ann said far more often than by
    what was said to her.
    """
    speakers = {str(c.row["speaker"]) for c in cands if c.row.get("speaker")}
    named = named_speakers(query, speakers)
    if not named:
        return
    for cand in cands:
        if cand.row.get("speaker") in named:
            cand.score *= 1 + weight
