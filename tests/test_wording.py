"""规范表述 rules and the sensitive-word list (checks/wording.py, content/rules/)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import NOW, ROOT, check, write_item
from unionpress.checks import wording
from unionpress.findings import Findings

FIXTURE = Path(__file__).parent / "fixtures" / "wording"
RULES = ROOT / "content" / "rules"


@pytest.fixture(scope="module")
def book():
    findings = Findings()
    loaded = wording.load(ROOT / "content", lambda path: path.relative_to(ROOT).as_posix(), findings)
    assert findings.items == []
    return loaded


def lines(book, text: str, kind: str = "story") -> list[str]:
    return [f"{line}:{col}: [{code}] {'警告：' if level == 'warning' else ''}{message}"
            for line, col, code, level, message in wording.scan_text(book, text, kind)]


def test_starter_set_is_large_and_every_rule_has_a_wrong_line(book):
    assert len(book.rules) >= 40
    assert {rule.kind for rule in book.rules} == set(wording.KINDS)
    found = {line.split("[", 1)[1].split("]", 1)[0] for line in lines(book, (FIXTURE / "bad.md").read_text(encoding="utf-8"))}
    assert found == {rule.code for rule in book.rules} | {"sensitive-word"}


def test_good_union_prose_raises_nothing(book):
    assert lines(book, (FIXTURE / "good.md").read_text(encoding="utf-8")) == []


def test_each_wrong_phrase_raises_exactly_one_finding(book):
    bad = (FIXTURE / "bad.md").read_text(encoding="utf-8")
    got = lines(book, bad)
    assert got == (FIXTURE / "bad.expected").read_text(encoding="utf-8").splitlines()
    assert [int(line.split(":")[0]) for line in got] == list(range(1, len(bad.splitlines()) + 1))


def test_pinned_messages(book):
    assert lines(book, "大会主题：中国梦・劳动美。") == [
        "1:6: [wording-zgm-ldm] 「中国梦・劳动美」：主题口号的间隔号只能用「·」（U+00B7）（应为「中国梦·劳动美」）"]
    assert lines(book, "弘扬劳动精神、劳模精神和工匠精神") == [
        "1:3: [wording-three-spirits] 「劳动精神、劳模精神」：三种精神的顺序是固定的（应为「劳模精神、劳动精神」）"]


@pytest.mark.parametrize("path", sorted([*(ROOT / "content").rglob("*.md"), ROOT / "HANDBOOK.md", *(ROOT / "docs").rglob("*.md")]),
                         ids=lambda path: path.relative_to(ROOT).as_posix())
def test_shipped_text_has_no_false_alarm(book, path):
    assert lines(book, path.read_text(encoding="utf-8")) == []


def test_code_urls_and_attributes_are_not_prose_but_alt_and_title_are(book):
    body = ("正文`中国总工会`与\n\n```\n中国总工会\n```\n"
            "见 https://example.cn/中国总工会 和 [链接](/中国总工会/) 与 <a href=\"/中国总工会\" title=\"中国总工会\">x</a>\n"
            "![图](a.jpg) <img src=\"a.jpg\" alt=\"卫计委&amp;x\">\n"
            "**中国梦**·劳动美 与 中国梦&middot;劳动美 与 <span>中国梦•劳动美</span>\n")
    assert lines(book, body) == [
        "6:70: [wording-acftu] 「中国总工会」：全国总工会的全称写错了（应为「中华全国总工会」）",
        "7:35: [wording-health-commission] 警告：「卫计委」：机构名称已改（2018 年机构改革）（应为「卫生健康委员会」）",
        "8:38: [wording-zgm-ldm] 「中国梦•劳动美」：主题口号的间隔号只能用「·」（U+00B7）（应为「中国梦·劳动美」）",
    ]


def test_front_matter_text_fields_at_their_place_and_other_fields_not(book):
    text = ("---\ntitle: 再接再励\nsource: 中国总工会\nworks:\n  - title: \"工人先峰号\"\n    image: 北朝鲜.jpg\n"
            "allow:\n  - {rule: wording-zgm-ldm, why: 引用中国梦.劳动美的错误写法}\n---\n\n正文。\n")
    assert lines(book, text) == [
        "2:8: [wording-zaijiezaili] 「再接再励」：常见错别字（应为「再接再厉」）",
        "5:13: [wording-pioneer] 「工人先峰号」：荣誉称号写错了字（应为「工人先锋号」）",
    ]


def test_first_full_counts_the_title_before_the_body(book):
    text = "---\ntitle: 中华全国总工会召开会议\n---\n\n全总强调。\n"
    assert lines(book, text) == []
    assert lines(book, "全总强调。中华全国总工会指出，全总……") == [
        "1:1: [wording-acftu-first] 警告：「全总」：首次出现须用全称，之后可用简称（应为「中华全国总工会」）"]


def test_right_form_shields_the_wrong_form_inside_it(book):
    assert lines(book, "人力资源和社会保障局与劳动人事争议仲裁委员会") == []


def test_sensitive_words_survive_evasions(book):
    for written in ("测试敏感词甲", "测 试 敏 感 词 甲", "测·试-敏，感词甲", "測試敏感詞甲", "测试敏感词甲"):
        got = lines(book, f"前文{written}后文")
        assert got == [f"1:3: [sensitive-word] 「{written}」含敏感词表（content/rules/sensitive.yml）里的词「测试敏感词甲」："
                       "公开的内容不得出现，请删改"], written
    full_width = wording.load(ROOT / "content", str, Findings())
    assert full_width.sensitive == ("测试敏感词甲", "示例禁用语乙")


def test_sensitive_word_with_latin_letters_survives_full_width_and_case(tmp_path):
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "sensitive.yml").write_text("level: warning\nwords: [AbC测试]\n", encoding="utf-8")
    loaded = wording.load(tmp_path, lambda path: path.name, Findings())
    assert [hit[:3] for hit in wording.scan_text(loaded, "x ａｂｃ 测试")] == [(1, 3, "sensitive-word")]
    assert wording.scan_text(loaded, "x ａｂｃ 测试")[0][3] == "warning"


def test_fields_and_kinds_limit_a_rule(tmp_path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "wording.yml").write_text(
        "- {code: local-title, level: warning, kind: banned, message: 标题不用, wrong: [简讯], fields: [title]}\n"
        "- {code: local-model, level: error, kind: banned, message: 劳模页不用, wrong: [能人], kinds: [model]}\n",
        encoding="utf-8")
    loaded = wording.load(tmp_path, lambda path: path.name, Findings())
    text = "---\ntitle: 简讯\nsummary: 简讯\n---\n\n简讯，能人。\n"
    assert [hit[:3] for hit in wording.scan_text(loaded, text, "story")] == [(2, 8, "local-title")]
    assert [hit[:3] for hit in wording.scan_text(loaded, text, "model")] == [(2, 8, "local-title"), (6, 4, "local-model")]


@pytest.mark.parametrize("written, expected", [
    ("- {code: a-b, level: error, kind: variant, message: m, wrong: [x]\n",
     "wording.yml:2:1: [rules-yaml] 规则文件的 YAML 语法错误：did not find expected ',' or '}'。整个文件的规则都没有生效"),
    ("- {code: a-b, level: error, kind: varient, message: m, wrong: [x], right: y}\n",
     "wording.yml:1: [rules-kind] 规则「a-b」的类型「varient」不存在，是否想写「variant」？（可用的类型：variant、series、first-full、banned、pattern）"),
    ("- {code: a-b, level: error, kind: variant, message: m, wrong: [x]}\n",
     "wording.yml:1: [rules-field] 规则「a-b」的字段「right」有误：variant 类规则必须写"),
    ("- {code: a-b, kind: banned, message: m, wrong: [x]}\n",
     "wording.yml:1: [rules-field] 规则「a-b」的字段「level」有误：每条规则都要写"),
    ("- {code: AB, level: error, kind: banned, message: m, wrong: [x]}\n",
     "wording.yml:1: [rules-code] 规则编号「AB」不能用：只能用小写英文字母、数字和连字符，且至少有一个连字符，如 wording-acftu"),
    ("- {code: a-b, level: error, kind: banned, message: m, wrong: [x]}\n- {code: a-b, level: error, kind: banned, message: m, wrong: [y]}\n",
     "wording.yml:2: [rules-code] 规则编号「a-b」不能用：第 1 行已有同一编号"),
    ("- {code: a-b, level: fatal, kind: banned, message: m, wrong: [x]}\n",
     "wording.yml:1: [rules-level] 规则「a-b」的级别「fatal」只能是 error（错误）或 warning（警告）"),
    ("- {code: a-b, level: error, kind: pattern, message: m, pattern: '(x', right: y}\n",
     "wording.yml:1: [rules-pattern] 规则「a-b」的正则表达式写错了：missing ), unterminated subpattern at position 0"),
    ("- {code: a-b, level: error, kind: banned, message: m, wrong: [x], feilds: [title]}\n",
     "wording.yml:1: [rules-unknown] 警告：规则「a-b」里有未知字段「feilds」，将被忽略，是否想写「fields」？"),
    ("- {code: a-b, level: error, kind: banned, message: m, wrong: [x], fields: [tittle]}\n",
     "wording.yml:1: [rules-limit] 规则「a-b」的 fields 写了「tittle」，它不存在（可写：alt、body、caption、cover_alt、description、digest、name、photo_alt、quote、summary、theme、title）"),
    ("code: a-b\n", "wording.yml:1: [rules-shape] 规则文件应当是规则的列表（每条以 - 开头）"),
])
def test_rule_file_problems_are_located(tmp_path, written, expected):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "wording.yml").write_text(written, encoding="utf-8")
    findings = Findings()
    wording.load(tmp_path, lambda path: path.name, findings)
    assert [finding.format() for finding in findings.sorted()] == [expected]


def test_a_bad_rule_does_not_stop_the_good_ones(tmp_path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "wording.yml").write_text(
        "- {code: a-b, level: error, kind: nope, message: m}\n- {code: c-d, level: error, kind: banned, message: 不用, wrong: [某词]}\n",
        encoding="utf-8")
    loaded = wording.load(tmp_path, lambda path: path.name, Findings())
    assert [rule.code for rule in loaded.rules] == ["c-d"]


@pytest.fixture
def ruled(site_copy):
    shutil.copytree(RULES, site_copy / "rules")
    return site_copy


def test_check_reports_published_and_scheduled_items_not_drafts(ruled):
    write_item(ruled, "stories/wording-live.md", body="弘扬劳动精神、劳模精神、工匠精神。", title="再接再励",
               date="2026-05-01", column="gonghui-dongtai", status="published")
    write_item(ruled, "stories/wording-later.md", body="中国总工会", title="预告", date="2026-12-01",
               column="gonghui-dongtai", status="published")
    write_item(ruled, "stories/wording-draft.md", body="中国总工会", title="草稿", date="2026-05-01",
               column="gonghui-dongtai", status="draft", review=False)
    report, _build = check(ruled)
    mine = [line for line in report if "[wording-" in line]
    assert mine == [
        "content/stories/wording-later.md:12:1: [wording-acftu] 「中国总工会」：全国总工会的全称写错了（应为「中华全国总工会」）",
        "content/stories/wording-live.md:2:8: [wording-zaijiezaili] 「再接再励」：常见错别字（应为「再接再厉」）",
        "content/stories/wording-live.md:12:3: [wording-three-spirits] 「劳动精神、劳模精神、工匠精神」：三种精神的顺序是固定的（应为「劳模精神、劳动精神、工匠精神」）",
    ]


def test_exemption_silences_a_rule_and_an_unneeded_one_is_reported(ruled):
    write_item(ruled, "stories/wording-allowed.md", body="引用原文：中国总工会。", title="引文", date="2026-05-01",
               column="gonghui-dongtai", status="published", allow="[{rule: wording-acftu, why: 引用原文}, {rule: wording-covid, why: 多余}]")
    report, _build = check(ruled)
    mine = [line for line in report if "wording-allowed" in line]
    assert mine == ["content/stories/wording-allowed.md:6: [allow-unused] 警告：豁免「wording-covid」没有用到：这份内容里没有触发此规则的文字，请删去这条豁免"]


def test_sample_site_check_has_no_wording_findings():
    report, _build = check(ROOT / "content")
    assert [line for line in report if "[wording-" in line or "[sensitive-" in line or "[rules-" in line] == []


def test_check_drafts_opts_drafts_in(ruled):
    import subprocess
    import sys

    write_item(ruled, "stories/wording-draft.md", body="中国总工会", title="草稿", date="2026-05-01",
               column="gonghui-dongtai", status="draft", review=False)
    env = {"UNIONPRESS_CONTENT": str(ruled), "UNIONPRESS_NOW": "2026-11-22", "PATH": "/usr/bin:/bin"}
    plain = subprocess.run([sys.executable, "-m", "unionpress", "check"], env=env, capture_output=True, text=True, cwd=ROOT)
    assert (plain.returncode, plain.stdout.strip()) == (0, "共 0 个错误，0 个警告。")
    drafts = subprocess.run([sys.executable, "-m", "unionpress", "check", "--drafts"], env=env, capture_output=True,
                            text=True, cwd=ROOT)
    assert drafts.returncode == 1
    assert drafts.stdout.strip().splitlines() == [
        f"{ruled}/stories/wording-draft.md:8:1: [wording-acftu] 「中国总工会」：全国总工会的全称写错了（应为「中华全国总工会」）",
        "按规则统计：", "规则编号       错误  警告", "wording-acftu     1     0", "共 1 个错误，0 个警告。"]


def test_a_broken_rule_file_is_a_located_finding_of_check(ruled):
    (ruled / "rules" / "wording.yml").write_text("- code: a-b\n  kind: [x\n", encoding="utf-8")
    report, _build = check(ruled)
    assert [line for line in report if "rules-" in line] == [
        "content/rules/wording.yml:3:1: [rules-yaml] 规则文件的 YAML 语法错误：did not find expected ',' or ']'。整个文件的规则都没有生效"]


HOSTILE_CASE = Path(__file__).parent / "fixtures" / "hostile" / "wording-rules-and-phrases" / "content"


def test_each_kind_and_a_broken_rule_file_through_check(site_copy):
    """One rule of each kind, three broken rules, a sensitive word behind evasions, a field limit
    (打工仔 in the title is not read, in the body it is), first-full across title and body; the same
    overlay is in test_check_equals_build's hostile cases, so check and build agree on these codes."""
    shutil.copytree(HOSTILE_CASE, site_copy, dirs_exist_ok=True)
    report, _build = check(site_copy)
    assert report == [
        "content/rules/wording.yml:7: [rules-kind] 规则「local-nokind」的类型「varient」不存在，是否想写「variant」？（可用的类型：variant、series、first-full、banned、pattern）",
        "content/rules/wording.yml:8: [rules-field] 规则「local-noright」的字段「right」有误：variant 类规则必须写",
        "content/rules/wording.yml:9: [rules-pattern] 规则「local-badre」的正则表达式写错了：missing ), unterminated subpattern at position 0",
        "content/stories/wording-phrases.md:2:8: [local-first] 警告：「全总」：首次用全称（应为「中华全国总工会」）",
        "content/stories/wording-phrases.md:8:12: [local-slogan] 「中国梦.劳动美」：口号的间隔号用「·」（应为「中国梦·劳动美」）",
        "content/stories/wording-phrases.md:16:10: [local-banned] 警告：「打工仔」：不用此称呼（应为「职工」）",
        "content/stories/wording-phrases.md:16:15: [local-spirits] 警告：「劳动精神、劳模精神、工匠精神」：顺序固定（应为「劳模精神、劳动精神、工匠精神」）",
        "content/stories/wording-phrases.md:16:30: [local-year] 警告：「24年」：年份写全（应为「2024年」）",
        "content/stories/wording-phrases.md:18:62: [sensitive-word] 警告：「测 试·敏感詞甲」含敏感词表（content/rules/sensitive.yml）里的词「测试敏感词甲」：公开的内容不得出现，请删改",
    ]


@pytest.mark.parametrize("written, expected", [
    ("level: fatal\nwords: [某词]\n", "sensitive.yml:1: [rules-level] 规则「sensitive-word」的级别「fatal」只能是 error（错误）或 warning（警告）"),
    ("level: error\nwords: {某词: 1}\n", "sensitive.yml:2: [rules-field] 规则「sensitive-word」的字段「words」有误：应为词的列表（每个词以 - 开头）"),
    ("- 某词\n", "sensitive.yml:1: [rules-shape] 敏感词表应当是映射：level: error 与 words: 词的列表"),
])
def test_sensitive_list_problems_are_located(tmp_path, written, expected):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "sensitive.yml").write_text(written, encoding="utf-8")
    findings = Findings()
    wording.load(tmp_path, lambda path: path.name, findings)
    assert [finding.format() for finding in findings.sorted()] == [expected]


def test_a_rule_file_not_in_utf8_is_reported_not_raised(tmp_path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "wording.yml").write_bytes("- {code: a-b, message: 中国}\n".encode("gbk"))
    findings = Findings()
    loaded = wording.load(tmp_path, lambda path: path.name, findings)
    assert loaded.rules == ()
    assert [(f.path, f.line, f.code) for f in findings.sorted()] == [("wording.yml", 1, "encoding")]


def test_a_build_remembers_each_items_findings_while_nothing_they_read_changed(tmp_path, monkeypatch):
    """checks.Remembered: an item's findings come from the last build's memo while its file, the rule
    files, the day and the engine are the same; anything else scans it again, and what a scan finds
    is what the memo gives."""
    from conftest import BASE, write_story
    from unionpress import checks

    content = tmp_path / "content"
    shutil.copytree(BASE, content)
    shutil.copytree(RULES, content / "rules", dirs_exist_ok=True)
    write_story(content, "hanqiang", "弘扬劳动精神、劳模精神和工匠精神。", title="焊枪")
    write_story(content, "shouhou", "井下的坚守。", title="坚守")
    scanned: list[str] = []
    scan = checks._item
    monkeypatch.setattr(checks, "_item", lambda item, *rest: scanned.append(item.slug) or scan(item, *rest))
    first, _ = check(content)
    assert any("hanqiang.md" in line and "[wording-three-spirits]" in line for line in first)
    every = sorted(scanned)
    assert {"hanqiang", "shouhou"} <= set(every)
    scanned.clear()
    assert check(content)[0] == first and scanned == []
    check(content, drafts=True)  # `unionpress check --drafts` in between keeps a memo of its own
    scanned.clear()
    assert check(content)[0] == first and scanned == []
    story = content / "stories/shouhou.md"
    story.write_text(story.read_text(encoding="utf-8").replace("井下的坚守。", "井下的坚守，弘扬劳动精神、劳模精神。"),
                     encoding="utf-8")
    edited, _ = check(content)
    assert scanned == ["shouhou"]
    assert [line for line in edited if line not in first] == [
        line for line in edited if "shouhou.md" in line and "[wording-three-spirits]" in line] != []
    for change in ("rules", "day", "memo", "types"):
        if change == "rules":
            rules = content / "rules/wording.yml"
            rules.write_text(rules.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        if change == "memo":
            for memo in (tmp_path / ".cache").rglob("checked/*.json"):
                memo.write_text('{"x": [[1]], "y": 3}', encoding="utf-8")
        if change == "types":  # this build's own keys, with rows of the right length and wrong types
            for memo in (tmp_path / ".cache").rglob("checked/*.json"):
                keys = json.loads(memo.read_text(encoding="utf-8"))
                memo.write_text(json.dumps({key: [["a", "1", 0, "c", "m", "l"]] for key in keys}), encoding="utf-8")
        scanned.clear()
        found, _ = check(content, now="2026-07-02T09:00:00+08:00" if change == "day" else NOW)
        assert sorted(scanned) == every, change
        assert found == edited, change
