"""Front matter remembered between builds (frontmatter.Remembered): what comes back is what parsing
gives, to the line of every key, and nothing but what a parse makes is ever read back."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import shutil

import pytest

from conftest import BASE, check, write_story
from unionpress import frontmatter

TEXTS = [
    "title: 车间里的好师傅\ndate: 2026-05-01 09:00\ntags: [劳模精神, 工匠]\n",
    "when: 2026-05-01T09:00:00+08:00\nday: 2026-02-30\nversion: 3.10\ncount: 12\nok: true\nnone: ~\n",
    "review:\n  first: {by: 甲, date: 2026-04-30}\n  second: &sig {by: 乙, date: 2026-04-30}\n  final:\n    <<: *sig\n    by: 丙\n",
    "title: 一\ntitle: 二\nnote: \"带\\f控制符\"\nworks:\n  - {title: 作品, year: 2020}\n  - - 嵌套\n    - 列表\n",
    "!!set {a, b}: 1\nbinary: !!binary aGk=\nwhen: 12:30:00\n",
]


def _same(a, b) -> bool:
    """Equal in value, type and every line a parse remembers (Map.lines, Seq.lines, WrittenFloat.written)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, frontmatter.Map):
        return (a.line, a.lines) == (b.line, b.lines) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, frontmatter.Seq):
        return (a.line, a.lines) == (b.line, b.lines) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, frontmatter.WrittenFloat):
        return a == b and a.written == b.written
    if isinstance(a, dt.datetime):
        return a == b and a.utcoffset() == b.utcoffset()
    return a == b


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_what_comes_back_is_what_parsing_gives(tmp_path, text):
    memo = tmp_path / "parsed.pickle"
    try:
        parsed = frontmatter.parse_yaml(text, 3)
    except frontmatter.YamlError:
        pytest.skip("not front matter this PyYAML reads")
    first = frontmatter.Remembered(memo)
    assert _same(first.parse(text, 3), parsed)
    first.save()
    again = frontmatter.Remembered(memo)
    one, two = again.parse(text, 3), again.parse(text, 3)
    assert _same(one, parsed) and _same(two, parsed)
    assert one[0] is not two[0]  # each parse its own value: no two items share one
    assert _same(again.parse(text, 1), frontmatter.parse_yaml(text, 1))  # the line offset is part of the key


def test_text_that_does_not_parse_is_reported_every_time(tmp_path):
    memo = tmp_path / "parsed.pickle"
    for _ in range(2):
        remembered = frontmatter.Remembered(memo)
        with pytest.raises(frontmatter.YamlError):
            remembered.parse("title: [未闭合\n")
        remembered.save()


class _Planted:
    def __reduce__(self):
        return (os.system, ("touch planted",))


def test_a_memo_naming_anything_else_is_refused_never_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    memo = tmp_path / "parsed.pickle"
    remembered = frontmatter.Remembered(memo)
    text = TEXTS[0]
    remembered.parse(text)
    remembered.save()
    ours = pickle.loads(memo.read_bytes())
    planted = pickle.dumps(_Planted())
    memo.write_bytes(pickle.dumps({key: hashlib.sha256(planted).digest() + planted for key in ours}))  # one entry
    assert _same(frontmatter.Remembered(memo).parse(text), frontmatter.parse_yaml(text))
    memo.write_bytes(pickle.dumps(_Planted()))  # the whole file
    assert _same(frontmatter.Remembered(memo).parse(text), frontmatter.parse_yaml(text))
    memo.write_bytes(b"\x80\x05not a pickle")
    assert _same(frontmatter.Remembered(memo).parse(text), frontmatter.parse_yaml(text))
    assert not (tmp_path / "planted").exists()


def test_a_build_parses_only_the_front_matter_it_has_not_seen(tmp_path, monkeypatch):
    content = tmp_path / "content"
    shutil.copytree(BASE, content)
    write_story(content, "hanqiang", "焊枪。", title="焊枪")
    parsed: list[str] = []
    parse = frontmatter.parse_yaml
    monkeypatch.setattr(frontmatter, "parse_yaml", lambda text, offset=0: parsed.append(text) or parse(text, offset))
    first, build = check(content)
    assert len(parsed) > len(build.catalog.items) >= 2  # the items and the list files
    parsed.clear()
    again, rebuilt = check(content)
    assert parsed == [] and again == first
    assert [item.label for item in rebuilt.catalog.items] == [item.label for item in build.catalog.items]
    story = content / "stories/hanqiang.md"
    story.write_text(story.read_text(encoding="utf-8").replace("title: 焊枪", "title: 焊枪与匠心"), encoding="utf-8")
    _, edited = check(content)
    assert len(parsed) == 1 and "焊枪与匠心" in parsed[0]
    assert "焊枪与匠心" in [item.label for item in edited.catalog.items]


def test_an_entry_changed_on_disk_is_parsed_again(tmp_path):
    # A damaged disk that turns one date into another must not move an embargo.
    memo = tmp_path / "parsed.pickle"
    text = "date: 2026-12-28 10:00\ntitle: 定时\n"
    first = frontmatter.Remembered(memo)
    first.parse(text)
    first.save()
    entries = pickle.loads(memo.read_bytes())
    [(key, kept)] = entries.items()
    changed = kept.replace(b"2026-12-28", b"2026-01-28")  # the date as the pickle holds it, a month early
    assert changed != kept
    memo.write_bytes(pickle.dumps({key: changed}))
    value = frontmatter.Remembered(memo).parse(text)[0]
    assert value["date"] == "2026-12-28 10:00"
