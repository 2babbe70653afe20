"""Tables for people, tab-separated lines for pipes: an id is never cut short."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table


def print_rows(
    console: Console, headers: Sequence[str], rows: Sequence[Sequence[str]], *, ids: int = 1
) -> None:
    """On a terminal a table whose first ``ids`` columns never wrap or truncate (the
    other columns fold); otherwise a header line and one tab-separated line per row."""
    if not console.is_terminal:
        print("\t".join(headers))
        for row in rows:
            print("\t".join(row))
        return
    table = Table()
    for i, header in enumerate(headers):
        if i < ids:
            table.add_column(header, no_wrap=True, min_width=len(rows[0][i]) if rows else None)
        else:
            table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(*row)
    console.print(table)
