"""The catalog: every item read, typed and frozen, and every list — the validate phase's result.

It holds everything whatever its status, for the checks and the audit; outputs never see it, they
take the public view that `publish` builds from it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import Settings
from .findings import Findings
from .items import Item
from .kinds import ITEM_KINDS, LIST_KINDS
from .validate import Fields, check_review, read_common, read_rows


@dataclass(frozen=True)
class Catalog:
    """Every item that was read (whatever its status) and every list: for checks, never for output."""

    items: tuple[Item, ...]
    lists: dict  # list kind → {key: object}


def read_catalog(raw, settings: Settings, findings: Findings):
    """Raw files → the Catalog: every item typed and frozen, every list read."""
    lists = {name: {} for name in LIST_KINDS}
    for name, kind in LIST_KINDS.items():
        if name in raw.lists:
            found = raw.lists[name]
            if kind.rows:
                lists[name] = kind.rows(found.rows, found.source, findings)
                continue
            rows = read_rows(found.rows, found.source, found.path.parent, settings, findings, kind.read)
            lists[name] = {row.key: row for row in rows}
    items = []
    for item_raw in raw.items:
        kind = ITEM_KINDS[item_raw.kind]
        f = Fields(item_raw.meta, item_raw.source, findings, settings, folder=item_raw.folder)
        common = read_common(f, kind.date_required)
        own = kind.read(item_raw, f, settings)
        f.finish(also_known=kind.also_known)
        images = [own.get(key) for key in ("cover", "photo")]
        images += [work.image for work in own.get("works", ())]
        item = kind.cls(kind=item_raw.kind, slug=item_raw.slug, source=item_raw.source, path=item_raw.path,
                        folder=item_raw.folder, bundle=item_raw.bundle, lines=dict(item_raw.meta.lines),
                        body=item_raw.body, body_line=item_raw.body_line, parent=item_raw.parent,
                        images=tuple(image for image in images if image), **common, **own)
        check_review(item, settings, findings)
        if kind.check:
            kind.check(item, findings)
        items.append(item)
    return Catalog(tuple(items), lists)
