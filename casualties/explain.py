"""The derivation of the figures of one text, stage by stage, for `casualties explain`."""
from __future__ import annotations

from datetime import date

from .attribution import attribute
from .figures import StorySides, match_figures
from .gazetteer import load_gazetteers
from .langpack import load_pack
from .numbers import find_quantities
from .periods import resolve_periods


def explain(text: str, lang: str, published: date | None = None, publisher: str | None = None) -> list[str]:
    """Lines describing: canonical text, every amount and its kind, every rule match with its
    slots, claimant and period. Latent figures are shown and marked."""
    pack = load_pack(lang)
    gz = load_gazetteers()
    norm = pack.normalise(text)
    canonical = norm.canonical
    lines = [f"canonical: {canonical}"]
    quantities = find_quantities(canonical, pack)
    for q in quantities:
        a, b = norm.to_original(q.start, q.end)
        lines.append(f"amount [{a}, {b}) {text[a:b]!r}: kind={q.kind} low={q.low} high={q.high} "
                     f"qualifier={q.qualifier} rule={q.rule}")
    actors = gz.resolve_actor_mentions(canonical, pack, published)
    for start, end, actor_id, via in actors:
        a, b = norm.to_original(start, end)
        lines.append(f"actor {text[a:b]!r} -> {actor_id}{' (anaphora)' if via else ''}")
    sides = StorySides(gz.actor_kinds(), lambda: gz.country_mentions(canonical, pack))
    matches = match_figures(canonical, pack, quantities, actors, sides)
    spans = [(m.quantity.start, m.quantity.end) for m in matches]
    publisher_id = gz.source_id_for_publisher(publisher) if publisher else None
    claims = attribute(canonical, pack, gz, spans, publisher_id, norm.original_slice, day=published) if matches else []
    periods = resolve_periods(canonical, pack, published, spans) if matches else []
    if not matches:
        lines.append("no figure")
    for m, claim, period in zip(matches, claims, periods):
        a, b = norm.to_original(m.quantity.start, m.quantity.end)
        lines.append(
            f"figure {text[a:b]!r}{' LATENT (left out of the table)' if m.latent else ''}: rule={m.rule} "
            f"population={m.population} actor={m.actor} subgroup={m.subgroup} outcome={m.outcome} "
            f"unit={m.unit} subset_of={'#' + str(m.parent) if m.parent is not None else '-'}")
        lines.append(f"  claimed_by={claim.claimed_by} ({claim.attribution}, {claim.text!r}, rule={claim.rule})")
        lines.append(f"  period={period.start}..{period.end} ({period.evidence!r}, rule={period.rule})")
    return lines
