"""The pinyin of the site's words, names, tags and awards (pypinyin), remembered between builds.

pypinyin holds its phrase dictionary in memory from its import on: 57 MiB resident and 0.25 s of
start-up, where a plain Material build of 10,000 stories peaks at 292 MiB. Its answers never change
for one version of it, so a build keeps those it asked for in its cache folder and the next build
imports pypinyin only for a text it has not seen: a warm build of unchanged content never does.
The memo is sealed (derived.keep_memo: a damaged one is not believed) and names pypinyin's version
and the forms asked; it holds what the last build asked for, not everything ever asked.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

# How a text is asked for, each as pypinyin answers it (lazy_pinyin, tone marks dropped):
WORDS = "words"  # a run of other characters kept as one piece (the default)
INITIALS = "initials"  # the first letter of each syllable (Style.FIRST_LETTER)
READABLE = "readable"  # characters without a reading dropped (errors="ignore")
KEPT = "kept"  # a run of other characters kept, as one piece (errors: [chars])

_MEMO = "pinyin.marshal"
_asked: dict[tuple[str, str], tuple[str, ...]] = {}  # what this process asked for, and the answers
_known: dict[tuple[str, str], tuple[str, ...]] = {}  # the last build's answers (its memo)
_memo: list[tuple[Path, Path]] = []  # (cache folder, its memo), once an engine run has named the folder
_new = [False]  # whether anything was asked that the memo did not hold


def syllables(text: str, form: str = WORDS) -> tuple[str, ...]:
    key = (form, text)
    found = _asked.get(key)
    if found is None:
        found = _known.get(key)
        if found is None:
            found = _pypinyin(text, form)
            _new[0] = True
        _asked[key] = found
    return found


def _pypinyin(text: str, form: str) -> tuple[str, ...]:
    from pypinyin import Style, lazy_pinyin  # here: only for a text no earlier build asked for

    if form == INITIALS:
        return tuple(lazy_pinyin(text, style=Style.FIRST_LETTER))
    if form == READABLE:
        return tuple(lazy_pinyin(text, errors="ignore"))
    if form == KEPT:
        return tuple(lazy_pinyin(text, errors=lambda chars: [chars]))
    if form == WORDS:
        return tuple(lazy_pinyin(text))
    raise ValueError(form)


def _version() -> str:
    return f"pypinyin {metadata.version('pypinyin')}"


def remember_in(cache_dir: Path) -> None:
    """Read the memo of this cache folder (engine.prepare), once per process and folder."""
    from . import derived

    if derived.fresh():  # UNIONPRESS_FRESH: no memo read or kept
        _memo.clear()
        _known.clear()
        return
    if _memo and _memo[0][0] == cache_dir:  # serve: every edit's run, one folder
        return
    path = derived.records_folder(cache_dir) / _MEMO
    _memo[:] = [(cache_dir, path)]
    _known.clear()
    # What was asked for another folder's build is not this one's: its memo holds what its builds ask.
    _asked.clear()
    _new[0] = False
    rows = derived.read_memo(path, _version())
    if isinstance(rows, dict):
        _known.update(rows)


def keep() -> None:
    """Keep what this process asked for, when it asked for something the memo did not hold (after the
    outputs, the last to ask): texts no longer on the site leave the memo then."""
    if not _memo or not _new[0]:
        return
    from . import derived

    derived.keep_memo(_memo[0][1], _version(), _asked)
    _known.update(_asked)
    _new[0] = False
