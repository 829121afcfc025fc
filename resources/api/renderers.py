"""Formats besides JSON: CSV for every list, BibTeX for papers (and books), iCalendar for deadlines.

The BibTeX and iCalendar renderers receive model instances (the views skip the serializer for
them), because ``resources.bibtex`` and ``resources.exports`` build their text from the models.
Each renderer also has ``stream()``, which writes a whole list as an iterator of bytes for a
StreamingHttpResponse: the views' downloads (a list without ``page`` or ``page_size``).
"""

import csv
import io
import json
from collections.abc import Iterable, Iterator

from rest_framework.renderers import BaseRenderer

# A cell a spreadsheet would run as a formula (CSV injection); prefixed with an apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        text = "; ".join("" if v is None else str(v) for v in value)
    elif isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    else:
        text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _flatten(row: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = _cell(value)
    return flat


class CSVRenderer(BaseRenderer):
    """One row per item, one column per field: lists of names joined by "; ", nested objects
    as dotted columns, lists of objects (a conference's editions) as JSON in one cell."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        rows = data.get("results", [data]) if isinstance(data, dict) else data
        return b"".join(self.stream(rows, self._columns_of_view(renderer_context)))

    def stream(
        self, rows: Iterable[dict], empty_columns: list[str], *, rows_per_chunk: int = 200
    ) -> Iterator[bytes]:
        """The CSV of ``rows`` (serialized items), a chunk of rows at a time; columns from the
        first row, or ``empty_columns`` when there is none."""
        flat_rows = (_flatten(row) for row in rows)
        first = next(flat_rows, None)
        buffer = io.StringIO()
        columns = list(first) if first is not None else empty_columns
        writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
        writer.writeheader()
        if first is not None:
            writer.writerow(first)
        for number, row in enumerate(flat_rows, start=1):
            writer.writerow(row)
            if number % rows_per_chunk == 0:
                yield buffer.getvalue().encode(self.charset)
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode(self.charset)

    @staticmethod
    def _columns_of_view(renderer_context) -> list[str]:
        view = (renderer_context or {}).get("view")
        if view is None or not hasattr(view, "get_serializer"):
            return []
        return list(view.get_serializer().fields)


class BibTeXRenderer(BaseRenderer):
    media_type = "application/x-bibtex"
    format = "bibtex"
    charset = "utf-8"
    #: BibTeX ignores text outside entries; an empty body would lose its Content-Type in DRF.
    EMPTY = "% No paper matches this request.\n"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        from resources.bibtex import entries_to_bibtex, item_to_bibtex

        if data is None:
            return b""
        # Papers and books alike: a book is written as @book.
        text = entries_to_bibtex(data) if isinstance(data, list) else item_to_bibtex(data)
        return (text or self.EMPTY).encode(self.charset)

    def stream(self, queryset) -> Iterator[bytes]:
        """Every paper (or book) of ``queryset`` as BibTeX, written as the rows are read."""
        from resources.bibtex import stream_bibtex

        empty = True
        for entry in stream_bibtex(queryset):
            empty = False
            yield entry.encode(self.charset)
        if empty:
            yield self.EMPTY.encode(self.charset)


class ICalendarRenderer(BaseRenderer):
    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        from resources.exports import deadlines_to_ical

        if data is None:
            return b""
        deadlines = data if isinstance(data, list) else [data]
        view = (renderer_context or {}).get("view")
        return deadlines_to_ical(deadlines, name=getattr(view, "calendar_name", "Deadlines"))

    def stream(self, queryset, *, name: str) -> Iterator[bytes]:
        """Every deadline of ``queryset`` as one calendar, written as the rows are read."""
        from resources.exports import iter_ical

        return iter_ical(queryset, name=name)


INSTANCE_FORMATS = frozenset({BibTeXRenderer.format, ICalendarRenderer.format})
TEXT_FORMATS = frozenset({CSVRenderer.format, *INSTANCE_FORMATS})
