"""Stage 6: the figure table. This module owns the column list and the data dictionary."""
from __future__ import annotations

import dataclasses
import functools
from datetime import date

from .model import Figure

# (column, type, meaning). The README's data dictionary is generated from this list.
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("figure_id", "text", "Stable id: hash of doc_id, normalised quote, outcome, population and actor."),
    ("doc_id", "text", "Article id (file stem, or the `id` column of a table input)."),
    ("publisher", "text", "Outlet that published the article (manifest), empty when unknown."),
    ("published", "date", "Publication date (manifest, else the article's dateline), ISO 8601."),
    ("language", "text", "Language pack used: `ar`, `en`."),
    ("claimed_by", "text", "Canonical id of who claims the figure (sources gazetteer); the publisher's id for the outlet's own voice; a name as written for claimants not in the gazetteer."),
    ("claimed_by_text", "text", "Words in the text that name the claimant, as written; empty for the outlet's own voice."),
    ("attribution", "text", "`explicit` (an attribution cue) or `own` (the outlet's own voice)."),
    ("population", "text", "`civilians`, `combatants`, `mixed` (fighters with families) or `unknown`."),
    ("actor", "text", "Canonical id of the armed group counted (actors gazetteer); empty for civilians."),
    ("subgroup", "text", "`children`, `women`, `officers`, ... when named."),
    ("subset_of", "text", "figure_id of the figure this one is part of (`among them ...`)."),
    ("outcome", "text", "`killed`, `wounded`, `missing`, `executed`, `detained`, `evacuated`, `displaced`, `present`, `killed_or_wounded`, `wounded_or_missing`."),
    ("unit", "text", "`people`, `buses` or `convoys`."),
    ("low", "integer", "Lowest value the amount allows (docs/CONVENTIONS.md); empty when open."),
    ("high", "integer", "Highest value the amount allows; empty when open."),
    ("qualifier", "text", "`exact`, `about`, `at_least`, `more_than`, `less_than`, `at_most`, `range`, `vague`."),
    ("period_start", "date", "First day the figure covers, ISO 8601; empty when unknown."),
    ("period_end", "date", "Last day the figure covers, ISO 8601; empty when unknown."),
    ("number_text", "text", "The amount as written; equals the article text sliced at [start, end)."),
    ("start", "integer", "Half-open start offset of number_text in the original article text."),
    ("end", "integer", "Half-open end offset of number_text in the original article text."),
    ("quote", "text", "The sentence or clause that carries the figure, as written."),
    ("rule", "text", "Id of the rule that produced the figure."),
    ("stance", "text", "`asserted`, or `denied` when the claimant denies the event (a count of 0)."),
)
COLUMN_NAMES: tuple[str, ...] = tuple(name for name, _, _ in COLUMNS)
# Text columns whose values repeat from figure to figure (a few outcomes and qualifiers,
# hundreds of claimants, thousands of days, one id per article). Inside a run they are held as
# pandas categoricals (compact_text): each distinct text once, a small code per figure. At two
# million figures that is half a gigabyte less than a text per figure.
REPEATED_TEXT_COLUMNS = (
    "doc_id", "publisher", "published", "language", "claimed_by", "claimed_by_text", "attribution",
    "population", "actor", "subgroup", "outcome", "unit", "qualifier", "period_start", "period_end",
    "rule", "stance",
)


def figure_row(figure: Figure) -> dict:
    """One figure as a plain dict in column order, dates as ISO strings."""
    row = {}
    for name in COLUMN_NAMES:  # getattr, not dataclasses.asdict: asdict deep-copies every figure
        value = getattr(figure, name)
        row[name] = value.isoformat() if isinstance(value, date) else value
    return row


def figures_frame(figures):
    """The figure table as a pandas DataFrame with the documented columns, in order."""
    import pandas as pd

    frame = pd.DataFrame([figure_row(f) for f in figures], columns=list(COLUMN_NAMES))
    for name in ("low", "high", "start", "end"):
        frame[name] = frame[name].astype("Int64")
    return frame


@functools.lru_cache(maxsize=1)
def text_dtype():
    """pandas' own text type: Arrow-backed `str` with pandas 3, object before."""
    import pandas as pd

    return pd.Series(["text"]).dtype


def compact_text(frame):
    """`frame` with its REPEATED_TEXT_COLUMNS of text held as categoricals, in place, a column
    at a time (each text column is let go as its categorical replaces it). Their categories
    are sorted, so that sorting or grouping by codes orders as the texts do. A column without
    any value (object) is left as it is."""
    text = text_dtype()
    if text == object:  # pandas before 3 keeps text in Python objects, which expand_text could not tell
        return frame
    for name in REPEATED_TEXT_COLUMNS:
        if name in frame.columns and frame[name].dtype == text:
            frame[name] = frame[name].astype("category")  # pandas sorts the categories it finds
    return frame


def expand_text(frame):
    """A copy of `frame` with its categorical columns back as text (what compact_text undid)."""
    import pandas as pd

    compacted = [name for name in frame.columns if isinstance(frame[name].dtype, pd.CategoricalDtype)]
    return frame.assign(**{name: as_text(frame[name]) for name in compacted}) if compacted else frame


def as_text(column):
    """A categorical column (compact_text) as text; any other column as it is."""
    import pandas as pd

    return column.astype(column.cat.categories.dtype) if isinstance(column.dtype, pd.CategoricalDtype) else column


def holds_only_text(column) -> bool:
    """An object column whose values are all strings or blanks (the comparison's claimant
    columns): text, though pandas does not type it so."""
    import pandas as pd

    return column.dtype == object and pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty")


def text_with_blanks(column):
    """A text column with its blanks as "". A categorical (compact_text) stays one, "" among
    its categories, which stay sorted so that grouping and sorting by codes order as texts do."""
    import pandas as pd

    if isinstance(column.dtype, pd.CategoricalDtype):
        if not column.hasnans:
            return column
        categories = column.cat.categories
        if "" not in categories:
            column = column.cat.set_categories(pd.Index(sorted(["", *categories]), dtype=categories.dtype))
        return column.fillna("")
    if column.dtype == text_dtype() != object:
        # Text already: only the blanks to fill. Without blanks the column itself (filling
        # copies it: the quotes of two million figures are a quarter of a gigabyte).
        return column.fillna("") if column.hasnans else column
    return column.astype(object).where(column.notna(), "").astype(str)


def data_dictionary_markdown(columns: tuple[tuple[str, str, str], ...] = COLUMNS) -> str:
    """A Markdown table of (column, type, meaning) rows: the figure table's by default."""
    lines = ["| column | type | meaning |", "|---|---|---|"]
    lines += [f"| `{name}` | {kind} | {meaning} |" for name, kind, meaning in columns]
    return "\n".join(lines)
