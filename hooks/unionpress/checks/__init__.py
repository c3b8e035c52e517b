"""Editorial checks beyond the schema, run on every item that is or will be published.

Each check module gives the rules it may raise (`RULES`, the codes an `allow` exemption may name) and
a `scan(text, today)` that yields (line, col, code, fields) for the item's whole source file, front
matter and body alike, so every finding points at the exact character an editor has to change.
An exemption (`allow: [{rule: CODE, why: …}]`) silences that rule for that item only, and an
exemption that names no known rule, or that nothing needed, is reported too.
"""

from __future__ import annotations

import datetime as dt

from ..findings import Findings, did_you_mean
from . import privacy

CHECKS = (privacy,)
RULES = frozenset(code for check in CHECKS for code in check.RULES)


def _source_text(item) -> str | None:
    # Read again rather than kept from loading: only published items are scanned, and the loader
    # already reported a file it could not decode (then there is nothing to scan).
    try:
        return item.path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


def run(items, findings: Findings, today: dt.date) -> None:
    """Scan every published item (embargoed ones too: they will go out at their time without another look)."""
    for item in items:
        if item.status != "published":
            continue
        allowed = {exemption.rule for exemption in item.allow}
        for rule in sorted(allowed - RULES):
            close = did_you_mean(rule, RULES)
            findings.add(item.source, item.line_of("allow"), "allow-unknown", rule=rule,
                         hint=f"，是否想写「{close}」？" if close else "", known="、".join(sorted(RULES)))
        text = _source_text(item)
        if text is None:
            continue
        used = set()
        for check in CHECKS:
            for line, col, code, fields in check.scan(text, today):
                if code in allowed:
                    used.add(code)
                else:
                    findings.add(item.source, line, code, col=col, **fields)
        for rule in sorted((allowed & RULES) - used):
            findings.add(item.source, item.line_of("allow"), "allow-unused", rule=rule)
