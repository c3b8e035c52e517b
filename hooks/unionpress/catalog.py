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


def read_catalog(raw, settings: Settings, findings: Findings, keep=None):
    """Raw files → the Catalog: every item typed and frozen, every list read. `keep(stage, raw item,
    findings, compute)`, when given (`unionpress serve`), gives an item read from an unchanged file as
    the last run read it: reading one item looks at its file, the settings and the files beside it
    (pictures), never at another item."""
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
        if keep is None:
            item = read_item(item_raw, settings, findings)
            check_review(item, settings, findings)
        else:
            item = keep("item", item_raw, findings, lambda found, item_raw=item_raw: read_item(item_raw, settings, found))
            # The review reads the clock to the minute only to tell whether the item is out yet.
            scheduled = item.date is not None and item.date > settings.now
            keep("review", item, findings, lambda found, item=item: check_review(item, settings, found),
                 b"scheduled" if scheduled else b"out")
        items.append(item)
    check_homes(items, lists, settings, findings)
    return Catalog(tuple(items), lists)


def read_item(item_raw, settings: Settings, findings: Findings) -> Item:
    """One item typed and frozen, from its raw file alone (and the settings' date, not their time)."""
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
    if kind.check:
        kind.check(item, findings)
    return item


def check_homes(items, lists: dict, settings: Settings, findings: Findings) -> None:
    """A published story needs its column, a published book its shelf (ListKind.home): without it the
    item has no place on the site. So a published item whose home row is a draft, or opens after the
    item's own date, is an error at its reference. It is judged on the dates the files hold, not on
    today's: an item and its row that disagree are reported as soon as they are written, and a build
    nobody changed never starts failing when the item's date comes. Only an undated item (out now)
    is held to today, and that finding can only go away as time passes. Hiding such an item instead
    would drop a story its editor marked published without a word. A topic or an honor is no home: a
    story in a held-back topic stays public, only the topic is not shown with it."""
    homes = {(kind_name, field): name for name, kind in LIST_KINDS.items() if kind.home for kind_name, field in kind.members}
    for item in items:
        if item.status != "published":
            continue
        for ref in ITEM_KINDS[item.kind].refs:
            name = homes.get((item.kind, ref.field))
            if name is None:
                continue
            for key in ref.keys(item):
                row = lists.get(name, {}).get(key)
                if row is None or row.unreadable:  # unknown-ref, field-choice, date-invalid: reported already
                    continue
                kind, own = LIST_KINDS[name], ITEM_KINDS[item.kind].label
                if row.status != "published":
                    why = "还是草稿" if row.status == "draft" else "还在待审"
                    fix = f"请先把{kind.label}改为 status: published，或把本{own}改回草稿"
                elif row.date is not None and item.date is not None and item.date < row.date:
                    why = f"定时在 {row.date:%Y-%m-%d %H:%M} 公开，晚于本{own}的发布时间 {item.date:%Y-%m-%d %H:%M}"
                    fix = f"请把{kind.label}的 date 提前，或把本{own}的 date 推后"
                elif row.date is not None and item.date is None and row.date > settings.now:
                    why = f"定时在 {row.date:%Y-%m-%d %H:%M} 公开，而本{own}没有写 date，现在就会公开"
                    fix = f"请给本{own}写上不早于此时的 date，或把{kind.label}的 date 提前"
                else:
                    continue
                findings.add(item.source, item.line_of(ref.field), "row-hidden", field=ref.field, what=kind.label,
                             name=row.name, key=key, why=why, item=own, fix=fix)
