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


# ---- item 4: assets and links --------------------------------------------------------------------

def test_alt_that_is_a_file_name_missing_anchors_and_plain_http(site_copy):
    """The same overlay is in test_check_equals_build's hostile cases (check = build on these codes)."""
    shutil.copytree(HOSTILE / "assets-and-links" / "content", site_copy, dirs_exist_ok=True)
    report, _build = check(site_copy)
    fix = "。请写明图片的内容，如「李明在车床前检查零件」"
    assert report == [
        f"content/stories/assets-and-links.md:7: [image-alt-filename] 图片的替代文字（alt）「cover.jpg」是文件名，读屏软件会把它念给看不见图片的读者：../images/cover.jpg{fix}",
        f"content/stories/assets-and-links.md:16: [image-alt-filename] 图片的替代文字（alt）「IMG_2041」是文件名，读屏软件会把它念给看不见图片的读者：../images/photo.jpg{fix}",
        f"content/stories/assets-and-links.md:18: [image-alt-filename] 图片的替代文字（alt）「photo.jpg」是文件名，读屏软件会把它念给看不见图片的读者：../images/photo.jpg{fix}",
        "content/stories/assets-and-links.md:20: [link-anchor] 链接指向的位置在「车间里的好师傅」的正文里不存在：good-story.md#no-such-heading。请核对 # 后面的小标题或锚点名称",
        "content/stories/assets-and-links.md:20: [link-anchor] 链接指向的位置在这篇正文里不存在：#活动现场。请核对 # 后面的小标题或锚点名称",
        "content/stories/assets-and-links.md:22: [link-http] 警告：链接用的是不加密的 http://：http://example.com/page。读者的浏览器会提示“不安全”，内容也可能在传输中被篡改；对方网站支持时请改为 https://",
    ]


def test_an_anchor_that_exists_in_another_body_is_fine(site_copy):
    write_story(site_copy, "target", body="## Steps {#steps}\n\n正文。")
    write_story(site_copy, "source", body="见[步骤](target.md#steps)与[本文](#here)。\n\n## Here {#here}\n")
    report, _build = check(site_copy)
    assert [line for line in report if "link-anchor" in line] == []


# ---- item 5: report formats, --changed, --links ----------------------------------------------------

def _overlaid(tmp_path: Path) -> Path:
    project = _project(tmp_path)
    shutil.copytree(HOSTILE / "assets-and-links" / "content", project / "content", dirs_exist_ok=True)
    return project


def test_json_and_sarif(tmp_path):
    project = _overlaid(tmp_path)
    data = json.loads(_run(project, "check", "--format", "json").stdout)
    assert (data["errors"], data["warnings"]) == (5, 1)
    assert data["findings"][0] == {"path": "content/stories/assets-and-links.md", "line": 7, "column": None,
                                   "code": "image-alt-filename", "level": "error",
                                   "message": "图片的替代文字（alt）「cover.jpg」是文件名，读屏软件会把它念给看不见图片的读者："
                                              "../images/cover.jpg。请写明图片的内容，如「李明在车床前检查零件」"}
    sarif = json.loads(_run(project, "check", "--format", "sarif").stdout)
    import jsonschema

    # The parts of the SARIF 2.1.0 schema a code-review tool reads (sarif-schema-2.1.0.json).
    schema = {"type": "object", "required": ["version", "runs"], "properties": {
        "version": {"const": "2.1.0"}, "runs": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["tool", "results"], "properties": {
                "tool": {"type": "object", "required": ["driver"], "properties": {"driver": {
                    "type": "object", "required": ["name"], "properties": {"rules": {"type": "array", "items": {
                        "type": "object", "required": ["id"]}}}}}},
                "results": {"type": "array", "items": {"type": "object", "required": ["message"], "properties": {
                    "level": {"enum": ["none", "note", "warning", "error"]},
                    "message": {"type": "object", "required": ["text"]},
                    "locations": {"type": "array", "items": {"type": "object", "properties": {"physicalLocation": {
                        "type": "object", "required": ["artifactLocation"], "properties": {
                            "region": {"type": "object", "properties": {"startLine": {"type": "integer", "minimum": 1},
                                                                         "startColumn": {"type": "integer", "minimum": 1}}}}}}}}}}}}}}}}
    jsonschema.validate(sarif, schema)
    results = sarif["runs"][0]["results"]
    assert [(r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results] == [
        ("image-alt-filename", "error", 7), ("image-alt-filename", "error", 16), ("image-alt-filename", "error", 18),
        ("link-anchor", "error", 20), ("link-anchor", "error", 20), ("link-http", "warning", 22)]
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)


def test_links_are_listed_not_fetched(tmp_path):
    project = _overlaid(tmp_path)
    lines = _run(project, "check", "--links").stdout.splitlines()
    assert lines[:3] == ["外部链接（2 个，只列出，不访问）：", "content/stories/assets-and-links.md:22: http://example.com/page",
                         "content/stories/assets-and-links.md:22: https://example.com/safe"]


def _git(project: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=project, check=True,
                   capture_output=True)


def test_changed_reports_only_the_changed_files_with_the_whole_sites_references(tmp_path):
    project = _project(tmp_path)
    _git(project, "init", "-q", "-b", "main")
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "base")
    shutil.copytree(HOSTILE / "assets-and-links" / "content", project / "content", dirs_exist_ok=True)
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "story")
    _git(project, "checkout", "-q", "-b", "edit")
    write_story(project / "content", "new-one", body="[坏](http://example.net/)")
    whole = _run(project, "check").stdout
    assert "assets-and-links.md" in whole and "new-one.md" in whole
    uncommitted = _run(project, "check", "--changed").stdout.splitlines()
    assert [line.split(": [")[0] for line in uncommitted if ": [" in line] == ["content/stories/new-one.md:12"]
    assert uncommitted[-1] == "共 0 个错误，1 个警告。"
    since_main = _run(project, "check", "--changed", "main").stdout
    assert "new-one.md" in since_main and "assets-and-links.md" not in since_main
    since_base = _run(project, "check", "--changed", "HEAD~1").stdout
    assert "new-one.md" in since_base and "assets-and-links.md" in since_base
    (project / "mkdocs.yml").write_text((project / "mkdocs.yml").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert "assets-and-links.md" in _run(project, "check", "--changed").stdout  # a setting changed: everything
    outside = _run(project, "check", "--changed", env={"GIT_DIR": str(tmp_path / "nowhere")})
    assert outside.returncode == 2 and outside.stderr.startswith("[changed] 无法得到改动的文件：")


# ---- item 6: the editors' report -------------------------------------------------------------------

def test_stats_numbers_against_a_hand_counted_fixture(site_copy):
    """Base: 劳动者之歌 promises 2 a month; good-story (2026-05-01, topic laodongmei, featured 04-15…05-31).
    Added by hand: May 1 more (in the window), June 1 (after it), September 2, October 1, and a story
    in 工会动态; two items in review: one unsigned since 11-01 (待初审, 21 days on 11-22), one with 初审
    signed 11-10 (待复审, 12 days)."""
    from unionpress.pages import editors

    write_story(site_copy, "may", date="2026-05-10 09:00", topics="[laodongmei]")
    write_story(site_copy, "june", date="2026-06-10 09:00", topics="[laodongmei]")
    write_story(site_copy, "sep-a", date="2026-09-03 09:00")
    write_story(site_copy, "sep-b", date="2026-09-20 09:00")
    write_story(site_copy, "oct", date="2026-10-05 09:00")
    write_story(site_copy, "news", date="2026-11-02 09:00", column="gonghui-dongtai")
    write_story(site_copy, "secret-a", title="机密草稿标题甲", date="2026-11-01 09:00", status="review", review=False)
    (site_copy / "stories" / "secret-b.md").write_text(
        "---\ntitle: 待审标题乙\ndate: 2026-11-30 09:00\ncolumn: laodongzhe-zhi-ge\nstatus: review\n"
        "review:\n  first: {by: 甲, date: 2026-11-10}\n---\n\n正文。\n", encoding="utf-8")
    report, build = check(site_copy)
    assert report == []
    import datetime as dt

    data = editors.report(build.public, dt.date(2026, 11, 22))
    (pace,) = data.paces
    assert [(p.label, p.done) for p in pace.periods] == [
        ("2026-05", 2), ("2026-06", 1), ("2026-07", 0), ("2026-08", 0), ("2026-09", 2), ("2026-10", 1), ("2026-11", 0)]
    assert [p.label for p in pace.behind] == ["2026-06", "2026-07", "2026-08", "2026-10"]
    assert (pace.due_now, pace.behind_now) == (1, True)
    assert data.month_rows[0] == ("劳动者之歌", [0, 0, 0, 0, 0, 2, 1, 0, 0, 2, 1, 0], 2)
    assert data.month_rows[1] == ("工会动态", [0] * 11 + [1], None)
    assert [(t.name, t.during, t.total) for t in data.topics] == [("中国梦·劳动美", 2, 3)]
    assert [(s.step, s.count, s.oldest_days) for s in data.queue.steps] == [
        ("待初审", 1, 21), ("待复审", 1, 12), ("待终审", 0, None), ("三审已完成，待发布", 0, None)]
    pages = {page.url: html for page, html in build.renderer.out.files}
    html = pages["stats/"]
    assert '<meta name="robots" content="noindex">' in html
    assert "机密草稿标题甲" not in html and "待审标题乙" not in html and "secret" not in html
    assert "<td>待初审</td>" not in html and '<th scope="row">待初审</th><td>1</td><td>21 天</td>' in html
    assert "2026-06（1/2）、2026-07（0/2）、2026-08（0/2）、2026-10（1/2）" in html
    assert "<svg" in html and "http://www.w3.org/2000/svg" in html and "<script" not in html.split("<svg", 1)[1].split("</svg>")[0]
    assert not any("stats/" in url for _title, url in build.renderer.channels)


def test_stats_page_is_not_in_the_sitemap_or_search(site_copy, tmp_path):
    import dataclasses

    from unionpress import search
    from unionpress.outputs import sitemap

    _report, build = check(site_copy)
    settings = dataclasses.replace(build.settings, site_url="https://example.org/")
    out = tmp_path / "out"
    out.mkdir()
    sitemap.write(build.public, build.public_pages, out, settings, lambda item: build.bodies[id(item)])
    written = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert "https://example.org/models/" in written and "https://example.org/stats/" not in written
    assert "stats/" in {page.url for page in build.public_pages}
    assert not [r for r in search.records(build.public, lambda item: build.bodies[id(item)]) if r.url.startswith("stats/")]


def test_stats_command_prints_the_same_tables(tmp_path):
    project = _project(tmp_path)
    done = _run(project, "stats")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "编辑报表（截至 2026-11-22）"
    assert ("劳动者之歌：每月 2 篇；未达标的月份：2026-05（1/2）、2026-06（0/2）、2026-07（0/2）、2026-08（0/2）、2026-09（0/2）、"
            "2026-10（0/2）；2026-11（进行中）：已有 0 篇，按进度应有 1 篇") in lines
    assert "待初审：0 篇" in lines


def test_check_reminds_of_a_column_behind_its_cadence(tmp_path):
    project = _project(tmp_path)
    done = _run(project, "check")
    assert done.stderr.splitlines() == ["提醒：栏目「劳动者之歌」（columns.yml：laodongzhe-zhi-ge）承诺每月 2 篇，"
                                        "2026-11：按进度到今天应有 1 篇，已发布和排定的只有 0 篇"]
    write_story(project / "content", "later", date="2026-11-28 09:00")  # scheduled in the month: counts
    assert _run(project, "check").stderr == ""


# ---- item 7: the editors' workflow ---------------------------------------------------------------

TEMPLATES = ROOT / "templates"
BIN = str(Path(sys.executable).parent)


def _workflow_env(tmp_path: Path) -> dict:
    from test_check_equals_build import _env

    return {**_env(), "PATH": f"{BIN}:/usr/bin:/bin", "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
            "HOME": str(tmp_path)}


def test_pre_commit_hook_catches_a_wording_error_in_a_staged_file(tmp_path):
    """The template's local hook (no network: repo local, language system) on a temporary repository:
    a clean story passes, a story with 「中国总工会」 stops the commit with the finding."""
    project = _project(tmp_path)
    shutil.copytree(RULES, project / "content" / "rules")
    shutil.copy(TEMPLATES / "pre-commit" / ".pre-commit-config.yaml", project)
    env = _workflow_env(tmp_path)
    _git(project, "init", "-q", "-b", "main")
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "base")

    def run(*files: str) -> subprocess.CompletedProcess:
        return subprocess.run([f"{BIN}/pre-commit", "run", "--files", *files], cwd=project, env=env,
                              capture_output=True, text=True, timeout=300)

    write_story(project / "content", "clean-one", body="中华全国总工会召开会议。")
    _git(project, "add", "-A")
    clean = run("content/stories/clean-one.md")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    write_story(project / "content", "wrong-one", body="中国总工会召开会议。")
    _git(project, "add", "-A")
    wrong = run("content/stories/wrong-one.md")
    assert wrong.returncode == 1, wrong.stdout + wrong.stderr
    assert ("content/stories/wrong-one.md:12:1: [wording-acftu] 「中国总工会」：全国总工会的全称写错了（应为「中华全国总工会」）"
            in wrong.stdout.splitlines())
    assert "clean-one" not in wrong.stdout  # only the files handed to the hook are reported


def _run_commands(workflow: dict) -> list[str]:
    """The `run:` commands of the GitHub Actions job, in order, but the install step (it downloads)."""
    (job,) = workflow["jobs"].values()
    return [step["run"] for step in job["steps"] if "run" in step and step.get("name") != "安装"]


def test_github_actions_workflow_commands_run_as_a_script(tmp_path):
    """The workflow's own commands (check as SARIF, strict check, strict build with its audit, the
    report) run on a fixture project: they pass on good content and the site folder holds the pages;
    a wrong phrase makes the script fail at the check."""
    import yaml

    workflow = yaml.safe_load((TEMPLATES / "ci" / "github-actions.yml").read_text(encoding="utf-8"))
    commands = _run_commands(workflow)
    assert commands == ["unionpress check --format sarif > unionpress.sarif || true", "unionpress check --strict --links",
                        "mkdocs build --strict -d site", "unionpress stats"]
    project = _project(tmp_path)
    shutil.copytree(RULES, project / "content" / "rules")
    script = "set -e\n" + "\n".join(commands) + "\n"
    env = {**_workflow_env(tmp_path), **{k: str(v) for k, v in workflow["env"].items()}}
    done = subprocess.run(["bash", "-c", script], cwd=project, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (project / "site" / "index.html").is_file() and (project / "site" / "stats" / "index.html").is_file()
    assert json.loads((project / "unionpress.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"
    write_story(project / "content", "wrong-one", body="中国总工会召开会议。")
    shutil.rmtree(project / "site")
    failed = subprocess.run(["bash", "-c", script], cwd=project, env=env, capture_output=True, text=True, timeout=600)
    assert failed.returncode == 1 and "[wording-acftu]" in failed.stdout
    assert not (project / "site").exists()  # stopped before the build


def test_every_ci_template_checks_builds_strictly_and_keeps_the_site_folder():
    import yaml

    for name in ("github-actions.yml", "gitlab-ci.yml", "gitee-go.yml"):
        text = (TEMPLATES / "ci" / name).read_text(encoding="utf-8")
        yaml.safe_load(text)
        for command in ("unionpress check --strict", "mkdocs build --strict -d site", "npm ci"):
            assert command in text, (name, command)
    gitlab = yaml.safe_load((TEMPLATES / "ci" / "gitlab-ci.yml").read_text(encoding="utf-8"))
    assert gitlab["build"]["artifacts"]["paths"] == ["site/"]
    gitee = yaml.safe_load((TEMPLATES / "ci" / "gitee-go.yml").read_text(encoding="utf-8"))
    assert gitee["stages"][0]["steps"][0]["artifacts"][0]["path"] == ["./site"]


def test_files_on_the_command_line_limit_the_report_but_a_site_wide_file_reports_all(tmp_path):
    project = _overlaid(tmp_path)
    write_story(project / "content", "other", body="[坏](http://example.net/)")
    one = _run(project, "check", "content/stories/other.md").stdout.splitlines()
    assert [line.split(": [")[0] for line in one if ": [" in line] == ["content/stories/other.md:12"]
    everything = _run(project, "check", "content/stories/other.md", "mkdocs.yml").stdout
    assert "assets-and-links.md:22" in everything and "other.md:12" in everything
    data = json.loads(_run(project, "check", "--format", "json", "content/stories/other.md").stdout)
    assert [(f["path"], f["code"]) for f in data["findings"]] == [("content/stories/other.md", "link-http")]
