"""Link: the catalog of everything, its reference checks, and views of the site with their indexes.

A `View` is a set of items linked only among themselves: references to anything outside the view
are simply absent, and backlinks list only members. Views never change the items they index, so the
public view and a preview view of one build cannot disturb each other. `publish` decides which
items a view holds; this module only knows how to index them.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Iterable

from .catalog import Catalog
from .chars import fold
from .findings import Findings, did_you_mean
from .items import Item
from .kinds import ITEM_KINDS, LIST_KINDS


def _hint(key: str, known) -> str:
    twin = next((name for name in known if fold(name) == fold(key)), None)
    if twin is not None and twin != key:
        # 「laodongzhe-zhi-ge」 with a zero-width joiner pasted in: the suggestion would look the same
        # as what was written, so say what differs, in a form the editor can see.
        hidden = "、".join(f"U+{ord(c):04X}" for c in key if c not in twin) or "大小写或全角"
        return f"：其中有看不见或不同写法的字符（{hidden}），请删去后重打为「{twin}」"
    close = did_you_mean(key, known)
    return f"，是否想写「{close}」？" if close else ""


def check(catalog: Catalog, findings: Findings) -> None:
    """Duplicate slugs and references to things that do not exist, over everything read."""
    tables: dict[str, dict] = {name: {} for name in ITEM_KINDS}
    for item in catalog.items:
        table = tables[item.kind]
        if item.key in table:
            findings.add(item.source, 1, "duplicate-slug", what=ITEM_KINDS[item.kind].label, slug=item.slug,
                         other=table[item.key].source)
            continue
        table[item.key] = item
    tables.update(catalog.lists)
    labels = {**{k: v.label for k, v in ITEM_KINDS.items()}, **{k: v.label for k, v in LIST_KINDS.items()}}
    for item in catalog.items:
        for ref in ITEM_KINDS[item.kind].refs:
            for key in ref.keys(item):
                if key in tables[ref.target]:
                    continue
                if ref.required_public:  # an entry whose folder is not inside a contest
                    findings.add(item.source, 1, "unknown-ref", field=ref.field, what=labels[ref.target], key=key,
                                 hint="（比赛目录下缺少 index.md）")
                else:
                    findings.add(item.source, item.line_of(ref.field), "unknown-ref", field=ref.field,
                                 what=labels[ref.target], key=key, hint=_hint(key, tables[ref.target]))


def row_urls(lists) -> set[str]:
    """The page URL of every list row, whether or not this build makes its page: a draft may link to
    a column or topic that has no public page yet (a public item may not: its links are checked
    against the public plan)."""
    return {kind.url(row) for name, rows in lists.items() if (kind := LIST_KINDS[name]).url for row in rows.values()}


class View:
    """Items linked among themselves, with forward references and backlinks; read-only."""

    def __init__(self, items: Iterable[Item], lists: dict, settings) -> None:
        self.settings = settings
        self.lists = MappingProxyType({name: MappingProxyType(dict(rows)) for name, rows in lists.items()})
        tables: dict[str, dict[str, Item]] = {name: {} for name in ITEM_KINDS}
        for item in items:
            tables[item.kind].setdefault(item.key, item)  # a duplicate is reported by check(); first one wins
        self._tables = MappingProxyType({name: MappingProxyType(table) for name, table in tables.items()})
        self._members = frozenset(id(item) for table in tables.values() for item in table.values())
        forward: dict[tuple[int, str], tuple] = {}
        backward: dict[tuple[int, str, str], list] = {}
        for name, table in tables.items():
            refs = [(ref.field, ref.keys, self._tables[ref.target].get if ref.target in self._tables
                     else self.lists.get(ref.target, {}).get) for ref in ITEM_KINDS[name].refs]
            if not refs:
                continue
            # The items in the order their backlinks list them (the kind's own, newest first, else by
            # key), so each backlink list is made in order: one sort per kind, not one per list.
            order = ITEM_KINDS[name].sort
            members = (sorted(table.values(), key=order, reverse=True) if order
                       else sorted(table.values(), key=lambda item: item.key))
            for item in members:
                at = id(item)
                for field, keys, lookup in refs:
                    targets: list = []
                    for key in keys(item):
                        target = lookup(key)
                        if target is not None and target not in targets:  # a repeated key counts once
                            targets.append(target)
                    forward[(at, field)] = tuple(targets)
                    for target in targets:
                        backward.setdefault((id(target), name, field), []).append(item)
        self._forward = forward
        self._backward = {key: tuple(value) for key, value in backward.items()}
        self._sorted: dict[str, tuple] = {}

    # -- membership and lookup ----------------------------------------------------------------------
    def __contains__(self, item: object) -> bool:
        return id(item) in self._members

    def get(self, kind: str, key: str):
        table = self._tables.get(kind)
        if table is None:
            return self.lists.get(kind, {}).get(key)
        return table.get(key)

    def all(self, kind: str) -> tuple:
        """Every member of a kind, in key order."""
        if kind not in self._sorted:
            self._sorted[kind] = tuple(self._tables[kind][key] for key in sorted(self._tables[kind]))
        return self._sorted[kind]

    def latest(self, kind: str) -> tuple:
        """Members newest first (the kind's own order)."""
        order = ITEM_KINDS[kind].sort
        name = f"latest:{kind}"
        if name not in self._sorted:
            self._sorted[name] = tuple(sorted(self.all(kind), key=order, reverse=True)) if order else self.all(kind)
        return self._sorted[name]

    def items(self) -> tuple[Item, ...]:
        return tuple(item for kind in ITEM_KINDS for item in self.all(kind))

    # -- references -----------------------------------------------------------------------------------
    def refs(self, item: Item, field: str) -> tuple:
        """What `item` refers to in `field`, limited to this view."""
        return self._forward.get((id(item), field), ())

    def first(self, item: Item, field: str):
        found = self.refs(item, field)
        return found[0] if found else None

    def backrefs(self, target: object, kind: str, field: str) -> tuple:
        """Members of `kind` whose `field` names `target`, in that kind's order."""
        return self._backward.get((id(target), kind, field), ())

    # -- list rows ------------------------------------------------------------------------------------
    def members(self, name: str, row: object) -> tuple:
        """The members of this view a list row holds (a column's stories; a topic's stories, then its
        profiles), each in its kind's order."""
        return tuple(item for kind, field in LIST_KINDS[name].members for item in self.backrefs(row, kind, field))

    def occupied(self, name: str) -> tuple:
        """The rows of list kind `name` that hold at least one member of this view, in file order: the
        rows that have a page, a feed and a place in the channel bar here. An empty column or topic
        would be a page of nothing, and a feed that never says anything."""
        key = f"occupied:{name}"
        if key not in self._sorted:
            self._sorted[key] = tuple(row for row in self.lists.get(name, {}).values()
                                      if any(self.backrefs(row, kind, field) for kind, field in LIST_KINDS[name].members))
        return self._sorted[key]

    def url(self, obj: object) -> str | None:
        """The page URL of an item or list entry in this view (None: no page, or not a member)."""
        if isinstance(obj, Item):
            kind = ITEM_KINDS[obj.kind]
            return kind.url(obj) if kind.url and obj in self else None
        for kind in LIST_KINDS.values():
            if kind.url and self.lists.get(kind.name, {}).get(getattr(obj, "key", None)) is obj:
                return kind.url(obj)
        return None
