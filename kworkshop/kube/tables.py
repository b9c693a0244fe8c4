"""Tables as kubectl prints them: text in a terminal, HTML in Jupyter, a DataFrame on request.

``kw.get`` asks the API server for a server-side Table (the same columns and cells kubectl shows,
Age included), so nothing here knows about any kind.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from ..i18n import _


@dataclass(frozen=True)
class Table:
    """Rows of cells under column names, like ``kubectl get`` output."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    title: str = ""

    def __str__(self) -> str:
        if not self.rows:
            if self.title:
                return _("No resources found ({where}).").format(where=self.title)
            return _("No resources found.")
        header = tuple(c.upper() for c in self.columns)
        widths = [max(len(str(r[i])) for r in (header, *self.rows)) for i in range(len(header))]
        lines = ["   ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
                 for row in (header, *self.rows)]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        if not self.rows:
            return f"<p>{html.escape(str(self))}</p>"
        head = "".join(f"<th style='text-align:left'>{html.escape(c.upper())}</th>" for c in self.columns)
        body = "".join("<tr>" + "".join(f"<td style='text-align:left'>{html.escape(str(c))}</td>" for c in row)
                       + "</tr>" for row in self.rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def column(self, name: str) -> list[str]:
        """Every cell of one column (case-insensitive name)."""
        index = [c.lower() for c in self.columns].index(name.lower())
        return [row[index] for row in self.rows]

    def to_dataframe(self):  # -> pandas.DataFrame
        """The table as a pandas DataFrame."""
        try:
            import pandas as pd
        except ImportError as exc:
            raise ImportError(_("to_dataframe needs pandas: pip install 'pandas>=2'")) from exc
        return pd.DataFrame(list(self.rows), columns=list(self.columns))


def from_server_table(body: dict[str, Any], wide: bool = False, title: str = "") -> Table:
    """A Table from a ``meta.k8s.io/v1 Table`` response (priority > 0 columns only when ``wide``)."""
    definitions = body.get("columnDefinitions") or []
    keep = [i for i, d in enumerate(definitions) if wide or d.get("priority", 0) == 0]
    columns = tuple(definitions[i]["name"] for i in keep)
    rows = tuple(tuple(_cell(row["cells"][i]) for i in keep) for row in body.get("rows") or [])
    return Table(columns, rows, title)


def _cell(value: Any) -> str:
    if value is None:
        return "<none>"
    if isinstance(value, list):
        return ",".join(map(str, value)) or "<none>"
    return str(value)
