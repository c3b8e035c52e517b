"""The registry of content kinds: one module per kind, listed here once.

The order is the order of pages in the build and of findings about references; lists come first
because items refer to them.
"""

from __future__ import annotations

from .base import Kind, ListKind, Ref
from . import book, column, contest, exhibition, honor, model, share, shelf, story, synonym, topic

ITEM_KINDS: dict[str, Kind] = {k.name: k for k in (story.KIND, model.KIND, exhibition.KIND, book.KIND, share.KIND,
                                                   contest.KIND, contest.ENTRY)}
LIST_KINDS: dict[str, ListKind] = {k.name: k for k in (column.KIND, topic.KIND, honor.KIND, shelf.KIND,
                                                        synonym.KIND)}

__all__ = ["ITEM_KINDS", "LIST_KINDS", "Kind", "ListKind", "Ref"]
