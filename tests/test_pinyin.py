"""pinyin.syllables: pypinyin's answers, remembered between builds so that a warm build never loads its
57 MiB phrase dictionary."""

from __future__ import annotations

import subprocess
import sys

import pytest

from unionpress import derived, pinyin

# Polyphones decided by the phrase (重庆, 银行, 长江), a surname, Latin and digits in a run, a mark
# without a reading, and a character outside the basic plane.
TEXTS = ["重庆银行行长", "单雄信", "5G基站", "劳模AI创新", "“云上课堂”", "𠮷野家", "ü女", ""]


@pytest.mark.parametrize("text", TEXTS)
def test_every_form_answers_as_pypinyin_does(text):
    from pypinyin import Style, lazy_pinyin

    assert pinyin.syllables(text) == tuple(lazy_pinyin(text))
    assert pinyin.syllables(text, pinyin.INITIALS) == tuple(lazy_pinyin(text, style=Style.FIRST_LETTER))
    assert pinyin.syllables(text, pinyin.READABLE) == tuple(lazy_pinyin(text, errors="ignore"))
    assert pinyin.syllables(text, pinyin.KEPT) == tuple(lazy_pinyin(text, errors=lambda chars: [chars]))


_RUN = """
import sys
from pathlib import Path
from unionpress import pinyin
pinyin.remember_in(Path(sys.argv[1]))
answers = [pinyin.syllables(text, form) for text, form in zip(sys.argv[2::2], sys.argv[3::2])]
pinyin.keep()
print(repr(answers), "pypinyin" in sys.modules)
"""


def _ask(cache, *asked: str) -> tuple[list, bool]:
    out = subprocess.run([sys.executable, "-c", _RUN, str(cache), *asked], capture_output=True, text=True, check=True)
    answers, imported = out.stdout.rsplit(" ", 1)
    return eval(answers), imported.strip() == "True"  # noqa: S307 — our own repr of tuples of str


def test_what_a_build_asked_is_answered_next_time_without_pypinyin(tmp_path):
    cache = tmp_path / "pictures"
    first = _ask(cache, "重庆", pinyin.WORDS, "劳模", pinyin.INITIALS)
    assert first == ([("chong", "qing"), ("l", "m")], True)
    assert _ask(cache, "重庆", pinyin.WORDS, "劳模", pinyin.INITIALS) == (first[0], False)
    # A text not asked before loads pypinyin; the memo then holds what that build asked, not the rest.
    assert _ask(cache, "银行", pinyin.WORDS) == ([("yin", "hang")], True)
    assert _ask(cache, "重庆", pinyin.WORDS) == ([("chong", "qing")], True)


def test_a_damaged_memo_or_one_of_another_pypinyin_is_not_believed(tmp_path):
    cache = tmp_path / "pictures"
    _ask(cache, "重庆", pinyin.WORDS)
    memo = derived.records_folder(cache) / "pinyin.marshal"
    data = bytearray(memo.read_bytes())
    data[-3] ^= 1
    memo.write_bytes(bytes(data))
    assert _ask(cache, "重庆", pinyin.WORDS) == ([("chong", "qing")], True)
    # Another version of pypinyin may read 重庆 otherwise: its answers are not this one's.
    derived.keep_memo(memo, "pypinyin 0.1", {(pinyin.WORDS, "重庆"): ("zhong", "qing")})
    assert _ask(cache, "重庆", pinyin.WORDS) == ([("chong", "qing")], True)


_TWO_FOLDERS = """
import marshal, sys
from pathlib import Path
from unionpress import derived, pinyin
for cache in sys.argv[1:]:
    pinyin.remember_in(Path(cache))
    if cache == sys.argv[1]:
        pinyin.syllables("重庆")
    pinyin.syllables("劳模")
    pinyin.keep()
    print(sorted(text for _form, text in marshal.loads(derived.read_sealed(derived.records_folder(Path(cache)) / "pinyin.marshal"))[1]))
"""


def test_one_process_building_two_cache_folders_keeps_each_folders_own_asking(tmp_path):
    """A process that builds two sites (tests, scripts): the second folder's memo is written although
    劳模 was answered for the first, and it holds only what the second build asked."""
    out = subprocess.run([sys.executable, "-c", _TWO_FOLDERS, str(tmp_path / "a/pictures"),
                          str(tmp_path / "b/pictures")], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["['劳模', '重庆']", "['劳模']"]
