"""Editorial checks beyond the schema, run on everything that is or will be published.

Each check module gives the rules it may raise (`RULES`, the codes an `allow` exemption may name) and
a `scan(text, today)` that yields (line, col, code, fields) for the item's whole source file, front
matter and body alike, so every finding points at the exact character an editor has to change.
An exemption (`allow: [{rule: CODE, why: …}]`) silences that rule for that item only, and an
exemption that names no known rule, or that nothing needed, is reported too.

List files and the printed settings are public too (a topic's summary is on its page and in its
feed, the footer on every page): they are scanned as well, with no exemptions (see privacy.py).
"""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from pathlib import Path
from typing import Mapping

import yaml

from ..findings import Finding, Findings, did_you_mean
from ..kinds import LIST_KINDS
from . import privacy, wording
from .reading import Places, read_source

CHECKS = (privacy,)
RULES = frozenset(code for check in CHECKS for code in check.RULES)
CONFIG_FILE = "mkdocs.yml"
# The settings a reader sees, as paths in mkdocs.yml; the footer's phone may be a mobile (privacy.py).
PRINTED_SETTINGS = (("site_name",), ("site_description",), ("copyright",))
OWN_NUMBER = ("extra", "unionpress", "footer", "phone")


def run(catalog, settings, findings: Findings, keep=None) -> None:
    """Scan every published item (embargoed ones too: they will go out at their time without another
    look), every list row that is published, and the printed settings. `keep(stage, item, findings,
    compute)`, when given (`unionpress serve`), gives an unchanged item's findings as the last run found
    them: an item's rules read its file, the rule files and the date, never another item."""
    today = settings.now.date()
    book = wording.load(settings.content_dir, settings.display, findings)
    known = RULES | book.codes

    def scan(item, found: Findings) -> None:
        _item(item, found, today, known, book, settings.check_drafts)

    for item in catalog.items:
        if item.status != "published" and not (settings.check_drafts and (book.rules or book.sensitive)):
            continue  # nothing to say of it: not asked to keep it either
        if keep is None:
            scan(item, findings)
        else:
            keep("checks", item, findings, lambda found, item=item: scan(item, found))
    _lists(catalog.lists, settings, findings, today)
    _settings(settings, findings, today)
    _wording_elsewhere(catalog.lists, settings, book, findings)


class Remembered:
    """For a build in a process of its own (`mkdocs build`, `unionpress check`): each item's findings of
    these checks as the last build found them, when nothing they read has changed: the item's file
    (its bytes, its place and kind), the rule files, the day (an ID number's birth date may not be
    after it) and --drafts, with the engine's code. The rules were 3.4 of 80 seconds at 10,000
    stories. Kept in the cache like the engine's other records: a memo that cannot be read or written
    costs time only. `unionpress serve` keeps its own, in memory (preview.Cache.keep)."""

    def __init__(self, settings) -> None:
        from .. import derived

        self._derived = derived
        folder = settings.content_dir / wording.RULES_FOLDER
        rules = [settings.check_drafts, [derived.file_digest(folder / name)
                                         for name in (wording.WORDING_FILE, wording.SENSITIVE_FILE)]]
        self.salt = derived._digest([derived._engine().hex(), settings.now.date().isoformat(), rules])
        # A memo per set of rules and --drafts: `unionpress check --drafts` between two builds (or CI
        # checking with other rule files) would otherwise leave the next build none of its own (8.6 s of
        # a rebuild at 10,000 stories). The day is not in the name: the next day's replaces it.
        self.path = derived.memo_file(settings.cache_dir, "checked", settings.content_dir,
                                      f"-{derived._digest(rules)[:12]}.json")
        try:
            self.earlier = json.loads(self.path.read_bytes())
            if not isinstance(self.earlier, dict):
                self.earlier = {}
        except (OSError, ValueError):
            self.earlier = {}
        self.now: dict[str, list] = {}

    def __call__(self, stage: str, item, findings: Findings, compute) -> None:
        content = self._derived.file_digest(item.path)
        if not content:
            compute(findings)  # unreadable now: nothing to know it by
            return
        key = self._derived._digest([self.salt, stage, item.kind, item.source, str(item.path), content])
        found = self.earlier.get(key)
        kept = [Finding(*row) for row in found] if isinstance(found, list) and all(map(_finding_row, found)) else None
        if kept is None:
            own = Findings()
            compute(own)
            kept = own.items
        findings.items.extend(kept)
        self.now[key] = [[f.path, f.line, f.col, f.code, f.message, f.level] for f in kept]

    def save(self) -> None:
        """Keep this build's findings (only these: an item edited leaves no stale entry behind)."""
        if self.now == self.earlier:
            return
        from ..responsive import _write_atomically

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _write_atomically(self.path, json.dumps(self.now, ensure_ascii=False).encode("utf-8"))
        except OSError:
            pass


def _finding_row(row) -> bool:
    """A finding as Remembered writes it (path, line, col, code, message, level), else not one to believe."""
    return (isinstance(row, list) and len(row) == 6 and isinstance(row[0], str) and type(row[1]) is int
            and type(row[2]) is int and all(isinstance(field, str) for field in row[3:]))


def _item(item, findings: Findings, today: dt.date, known: frozenset, book: "wording.Book", drafts: bool) -> None:
    """One item's privacy rules and exemptions, then its wording rules and sensitive words, from one
    reading of its file."""
    read = lru_cache(maxsize=None)(read_source)
    _items((item,), findings, today, known, read)
    wording.run((item,), book, findings, drafts=drafts, read=read)


def _items(items, findings: Findings, today: dt.date, known: frozenset = RULES, read=read_source) -> None:
    for item in items:
        if item.status != "published":
            continue
        allowed = {exemption.rule for exemption in item.allow}
        for rule in sorted(allowed - known):
            close = did_you_mean(rule, known)
            findings.add(item.source, item.line_of("allow"), "allow-unknown", rule=rule,
                         hint=f"，是否想写「{close}」？" if close else "", known="、".join(sorted(known)))
        text = read(item.path)
        if text is None:
            continue
        exempt = wording.Exemptions(item, text)
        places = Places(privacy.as_read(text)) if exempt.spans else None  # offsets only for text exemptions
        for check in CHECKS:
            for line, col, code, fields in check.scan(text, today):
                if not exempt.covers(code, places.offset(line) + col - 1 if places else -1):
                    findings.add(item.source, line, code, col=col, **fields)
        wording.report_unused(findings, item, exempt, RULES)


def _row_shown(rows: Mapping):
    """Whether a row (a YAML node of a list file) is published: the gate's reading of it (kinds.base.Row)
    when the list has it by its key; a row the list could not read is scanned all the same (it is
    reported already, and scanning it can only say more)."""
    def shown(node) -> bool:
        if not isinstance(node, yaml.MappingNode):
            return True
        key = next((value.value for name, value in node.value
                    if getattr(name, "value", None) == "key" and isinstance(value, yaml.ScalarNode)), None)
        row = rows.get(str(key).strip()) if key is not None else None
        if row is None:
            return True
        return getattr(row, "status", "published") == "published" and not getattr(row, "unreadable", False)
    return shown


def _lists(lists: Mapping, settings, findings: Findings, today: dt.date) -> None:
    for name, kind in LIST_KINDS.items():
        path = settings.content_dir / kind.file
        text = read_source(path) if path.is_file() else None
        if text is None:
            continue
        shown = settings.display(path)
        for line, col, code, fields in privacy.scan_list(text, today, _row_shown(lists.get(name, {}))):
            findings.add(shown, line, code, col=col, **fields)


def _texts(value, path: tuple) -> list[tuple[tuple, str]]:
    """(path, text) of every text inside a setting's value (a footer mapping, a partners list)."""
    if isinstance(value, Mapping):
        return [found for key, inner in value.items() for found in _texts(inner, (*path, str(key)))]
    if isinstance(value, (list, tuple)):
        return [found for index, inner in enumerate(value) for found in _texts(inner, (*path, index))]
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return [(path, str(value))]
    return []


def _setting_line(lines: Mapping[str, int], path: tuple) -> int:
    """The line of a setting in mkdocs.yml (config.setting_lines: "/extra/unionpress/footer/phone"), or
    of the nearest setting around it; 1 when unknown (settings given as a mapping, as in the tests)."""
    for end in range(len(path), 0, -1):
        found = lines.get("/" + "/".join(map(str, path[:end])))
        if found:
            return found
    return lines.get(str(path[2]), 1) if len(path) > 2 and path[:2] == ("extra", "unionpress") else 1


def _settings(settings, findings: Findings, today: dt.date) -> None:
    texts = [(path, getattr(settings, path[0], "") or "") for path in PRINTED_SETTINGS]
    texts += _texts(dict(settings.footer), ("extra", "unionpress", "footer"))
    texts += _texts(list(settings.partners), ("extra", "unionpress", "partners"))
    lines = settings.setting_lines
    for path, text in texts:
        for _offset, code, fields in privacy.scan_value(text, today):
            if path == OWN_NUMBER and code == "privacy-mobile":
                continue  # the union's own contact number: its field says so
            findings.add(CONFIG_FILE, _setting_line(lines, path), code, **fields)


def _wording_elsewhere(lists: Mapping, settings, book: "wording.Book", findings: Findings) -> None:
    """The wording rules and sensitive words where the privacy rules also look, and on the hand-written
    pages of docs/: the printed rows of the list files (at their yaml line:column), the printed settings
    (at their line in mkdocs.yml), and each page's text as rendered. None of them takes exemptions:
    a name or a footer is never a quotation, and a page of docs/ quotes a wrong form in `code`."""
    if not book.rules and not book.sensitive:
        return
    for name in wording.PRINTED_LISTS:
        path = settings.content_dir / LIST_KINDS[name].file
        text = read_source(path) if path.is_file() else None
        if text is None:
            continue
        shown = settings.display(path)
        for line, col, code, level, message in wording.scan_list(book, text, _row_shown(lists.get(name, {})), name):
            wording.report(findings, shown, line, col, code, level, message)
    texts = [(path, getattr(settings, path[0], "") or "") for path in PRINTED_SETTINGS]
    texts += _texts(dict(settings.footer), ("extra", "unionpress", "footer"))
    for path, text in texts:
        for _offset, code, level, message in wording.scan_value(book, str(path[-1]), str(text)):
            wording.report(findings, CONFIG_FILE, _setting_line(settings.setting_lines, path), 0, code, level, message)
    for shown in settings.doc_pages.values():
        path = settings.root / shown
        text = read_source(path) if path.is_file() else None
        if text is None:
            continue
        for line, col, code, level, message in wording.scan_text(book, text, "page"):
            wording.report(findings, shown, line, col, code, level, message)
