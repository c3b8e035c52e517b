"""Issue 20, items 3–7: where the wording checks run (list rows, printed settings, docs/ pages),
exemptions per occurrence, assets and links, the report formats, editors' reports and workflow."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BASE, FIXTURES, NOW, ROOT, check, write_item, write_story
from test_check_equals_build import _agree, _project

HOSTILE = FIXTURES / "hostile"
RULES = ROOT / "content" / "rules"


@pytest.fixture
def ruled(site_copy):
    shutil.copytree(RULES, site_copy / "rules")
    return site_copy


def _run(project: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    from test_check_equals_build import _env

    return subprocess.run([sys.executable, "-m", "unionpress", *args], env={**_env(), **(env or {})},
                          capture_output=True, text=True, cwd=project)


# ---- item 3: where the checks run ----------------------------------------------------------------

def test_list_rows_and_per_occurrence_exemptions(site_copy):
    """Topic name and summary at their yaml line:col; a draft topic not read; an exemption with `text`
    silences the occurrence inside that text only; one whose text is not there is reported."""
    shutil.copytree(HOSTILE / "wording-lists-and-exemptions" / "content", site_copy, dirs_exist_ok=True)
    report, _build = check(site_copy)
    assert report == [
        "content/stories/exempt-one-quote.md:8: [allow-text-unused] 警告：豁免「local-slogan」写的文字「中国梦.劳动美大会」"
        "在这份内容里没有找到，或那里没有触发此规则：请按原文核对这段文字，或删去这条豁免",
        "content/stories/exempt-one-quote.md:17:6: [local-acftu] 「中国总工会」：全称写错了（应为「中华全国总工会」）",
        "content/topics.yml:3:9: [local-slogan] 「中国梦•劳动美」：口号的间隔号用「·」（应为「中国梦·劳动美」）",
        "content/topics.yml:4:17: [local-acftu] 「中国总工会」：全称写错了（应为「中华全国总工会」）",
    ]


@pytest.mark.parametrize("file, row", [
    ("columns.yml", "- {key: laodongzhe-zhi-ge, name: 劳动者之歌}\n- {key: gonghui-dongtai, name: 中国总工会动态}\n"),
    ("honors.yml", "- {key: quanguo-laomo, name: 全国劳动模范, level: 国家级, rank: 1}\n"
                   "- {key: shi-laomo, name: 中国总工会劳模, level: 市级, rank: 20}\n"),
    ("library/shelves.yml", "- {key: wenxue, name: 文学}\n- {key: other, name: 中国总工会书架}\n"),
])
def test_each_printed_list_is_read(ruled, file, row):
    (ruled / file).write_text(row, encoding="utf-8")
    report, _build = check(ruled)
    column = row.splitlines()[1].index("中国总工会") + 1
    assert [line for line in report if "[wording-" in line] == [
        f"content/{file}:2:{column}: [wording-acftu] 「中国总工会」：全国总工会的全称写错了（应为「中华全国总工会」）"]


def test_settings_and_docs_pages_are_read_and_check_agrees_with_the_build(tmp_path):
    project = _project(tmp_path, "    footer:\n      host: 中国总工会示例分会\n")
    shutil.copytree(RULES, project / "content" / "rules")
    text = (project / "mkdocs.yml").read_text(encoding="utf-8").replace("site_name: 测试工会", "site_name: 测试工会（再接再励）")
    (project / "mkdocs.yml").write_text(text, encoding="utf-8")
    (project / "docs" / "about.md").write_text("# 关于\n\n我们要再接再励。代码 `再接再励` 不算。\n", encoding="utf-8")
    assert _agree(project) == {
        "mkdocs.yml:2: [wording-zaijiezaili] 「再接再励」：常见错别字（应为「再接再厉」）",
        "mkdocs.yml:27: [wording-acftu] 「中国总工会」：全国总工会的全称写错了（应为「中华全国总工会」）",
        "docs/about.md:3:4: [wording-zaijiezaili] 「再接再励」：常见错别字（应为「再接再厉」）",
    }


def test_an_exemption_without_a_reason_is_an_error(ruled):
    write_story(ruled, "no-why", body="中国总工会", allow="[{rule: wording-acftu}]")
    report, _build = check(ruled)
    assert [line for line in report if "no-why" in line] == [
        "content/stories/no-why.md:6: [field-missing] 缺少必填字段「allow[1].why」（理由）",
        "content/stories/no-why.md:13:1: [wording-acftu] 「中国总工会」：全国总工会的全称写错了（应为「中华全国总工会」）"]


def test_a_text_exemption_works_for_privacy_rules_too(ruled):
    write_story(ruled, "hotline", body="服务热线 13812345678。另一个 13912345678。",
                allow="[{rule: privacy-mobile, text: 服务热线 13812345678, why: 单位热线}]")
    report, _build = check(ruled)
    assert [line.split(": [")[0] + " " + line.split("]")[0].split("[")[1] for line in report if "hotline" in line] == [
        "content/stories/hotline.md:13:22 privacy-mobile"]


def test_exemptions_are_listed_in_the_report(tmp_path):
    project = _project(tmp_path)
    shutil.copytree(HOSTILE / "wording-lists-and-exemptions" / "content", project / "content", dirs_exist_ok=True)
    done = _run(project, "check")
    lines = done.stdout.splitlines()
    at = lines.index("写明的豁免（2 条）：")
    assert lines[at + 1:at + 3] == [
        "content/stories/exempt-one-quote.md:7: 豁免 [local-acftu] 「原文写作“中国总工会”」：引用 1950 年的原文",
        "content/stories/exempt-one-quote.md:8: 豁免 [local-slogan] 「中国梦.劳动美大会」：这段文字不在正文里"]
    assert lines[-1] == "共 3 个错误，1 个警告。"
    assert lines[-6:-1] == ["按规则统计：", "规则编号           错误  警告", "local-acftu           2     0",
                            "allow-text-unused     0     1", "local-slogan          1     0"]
