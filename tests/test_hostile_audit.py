"""The audit sees every link and every name (issue 16): each form a hidden profile's, story's or list
row's trace can take in an output is planted (tests/fixtures/hostile/audit-*: output-folder trees)
and must be reported exactly; near misses must not. Then the same on real builds: what `secrets()`
knows of held-back rows and which short names public text makes no evidence of, a sibling link in a
real site, a crashing output that must not skip the audit, and duplicate-output naming the page."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES, MKDOCS, NOW, ROOT, check, mkdocs_build, write_item, write_story
from unionpress.audit import Leak, Secret, audit, secrets

HOSTILE = FIXTURES / "hostile"
SITE_URL = "https://example.org/"

MODEL = Secret("content/models/sun-weimin-caogao.md", "models/sun-weimin-caogao/", "孙卫民", noun="姓名")
LINA = Secret("content/models/li-na-caogao.md", "models/li-na-caogao/", "李娜", noun="姓名")  # two characters
TOPIC_FEEDS = ("feeds/topics/kanghong-2027.xml", "feeds/topics/kanghong-2027.atom.xml",
               "feeds/topics/kanghong-2027.json")
TOPIC = Secret("content/topics.yml", "topics/kanghong-2027/", "抗洪", line=9, paths=TOPIC_FEEDS, noun="名称")
HIDDEN = [MODEL, LINA, TOPIC]

MODEL_URL = "页面地址 models/sun-weimin-caogao/"
MODEL_NAME = "姓名「孙卫民」"
LINA_NAME = "姓名「李娜」"


def _page(body: str) -> str:
    return f'<!doctype html>\n<html lang="zh-CN"><body>{body}</body></html>\n'


# A clean output folder of a small union site: public profiles linking each other as siblings, public
# names of two and three characters, topics, feeds, a sitemap. Nothing in it is hidden.
CLEAN = {
    "index.html": _page('<a href="models/li-ming/">李明</a> <a href="topics/laodongmei/">中国梦·劳动美</a>'),
    "models/index.html": _page('<a href="li-ming/">李明</a> <a href="zhang-haitao/">张海涛</a>'),
    "models/li-ming/index.html": _page('<a href="../zhang-haitao/">张海涛</a><img alt="李明的肖像" '
                                       'srcset="../../media/pictures/a-320.webp 320w">'),
    "models/zhang-haitao/index.html": _page('<a href="../li-ming/">李明</a>'),
    "topics/index.html": _page('<a href="laodongmei/">中国梦·劳动美</a>'),
    "feeds/topics/laodongmei.xml": "<rss><channel><link>https://example.org/topics/laodongmei/</link></channel></rss>",
    "sitemap.xml": "<urlset><url><loc>https://example.org/models/li-ming/</loc></url></urlset>",
    "models/gallery.json": json.dumps({"models": [{"name": "李明", "url": "li-ming/"}]}, ensure_ascii=False),
}


def _site(tmp_path: Path, *cases: str) -> Path:
    root = tmp_path / "site"
    for rel, text in CLEAN.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    for case in cases:
        shutil.copytree(HOSTILE / case, root, dirs_exist_ok=True)
    return root


def _leaks(*found: tuple[str, Secret, str]) -> list[Leak]:
    return sorted(Leak(output, secret.source, what, secret.line) for output, secret, what in found)


def test_clean_site_has_no_leaks(tmp_path):
    assert audit(_site(tmp_path), HIDDEN, site_url=SITE_URL) == []


# Each case: the planted files, and exactly what the audit must say about them. Before issue 16 the
# audit matched `models/SLUG` as text only, so every one of these passed unreported.
CASES = {
    "audit-sibling-link": [("models/li-ming/card.svg", MODEL, MODEL_URL),
                           ("models/li-ming/index.html", MODEL, MODEL_URL)],
    "audit-relative-forms": [("models/index.html", MODEL, MODEL_URL),  # bare "sun-weimin-caogao"
                             ("models/page/2/index.html", MODEL, MODEL_URL),  # ?query#fragment
                             ("models/region/bei/index.html", MODEL, MODEL_URL),  # ./ and index.html
                             ("models/year/2011/index.html", MODEL, MODEL_URL),  # upper case
                             ("stories/some/index.html", MODEL, MODEL_URL)],  # backslashes
    "audit-root-relative": [("about/index.html", MODEL, MODEL_URL), ("help/index.html", MODEL, MODEL_URL)],
    "audit-absolute": [("contribute/index.html", MODEL, MODEL_URL), ("index.html", MODEL, MODEL_URL)],
    "audit-escaped": [("models/chen/index.html", MODEL, MODEL_URL),  # split by &#10; (a browser drops it)
                      ("models/li-ming/index.html", MODEL, MODEL_URL),  # %73
                      ("models/wang/index.html", MODEL, MODEL_URL),  # &#x73 without ;
                      ("models/zhang/index.html", MODEL, MODEL_URL),  # &#115;
                      ("models/zhao/index.html", MODEL, MODEL_URL)],  # split by a line break
    "audit-attribute-forms": [("index.html", MODEL, MODEL_URL),  # data-src
                              ("models/li-ming/index.html", MODEL, MODEL_URL),  # srcset, second candidate
                              ("models/old/index.html", MODEL, MODEL_URL),  # refresh
                              ("stories/some/index.html", MODEL, MODEL_URL),  # CSS url()
                              ("tags/index.html", MODEL, MODEL_URL)],  # in a comment: still published
    "audit-json": [("feeds/feed.json", MODEL, MODEL_URL),  # markup inside content_html
                   ("models/gallery.json", MODEL, MODEL_URL),  # "url" relative to models/
                   ("pagefind/fragment/zh_1.pf_fragment!", MODEL, MODEL_URL),  # gzip JSON
                   ("search/index.html", MODEL, MODEL_URL),  # JSON in a <script>
                   ("search/more.json", MODEL, MODEL_URL),  # split by a JSON \n
                   ("search/records.json", MODEL, MODEL_URL)],  # "\/" escaped slashes
    "audit-xml": [("feeds/atom.xml", MODEL, MODEL_URL), ("feeds/rss.xml", MODEL, MODEL_URL),  # escaped markup
                  ("sitemap.xml", MODEL, MODEL_URL), ("sitemap.xml.gz!", MODEL, MODEL_URL)],
    "audit-archive-member": [("downloads/book.epub!OEBPS/ch1.xhtml", MODEL, MODEL_URL)],
    "audit-short-names": [("about/index.html", MODEL, MODEL_NAME),  # three characters, in text
                          ("models/li-ming/card.svg", LINA, LINA_NAME),  # two, in an SVG's text
                          ("models/li-ming/index.html", LINA, LINA_NAME),  # two, in an alt attribute
                          ("search/query.json", LINA, LINA_NAME)],  # two, \u-escaped in JSON
    "audit-held-back-topic": [("columns/x/index.html", TOPIC, "名称「抗洪」"),
                              ("feeds/topics/kanghong-2027.json", TOPIC, "文件路径"),
                              ("index.html", TOPIC, "页面地址 feeds/topics/kanghong-2027.atom.xml"),
                              ("index.html", TOPIC, "页面地址 topics/kanghong-2027/"),  # its text holds that too
                              ("topics/index.html", TOPIC, "页面地址 topics/kanghong-2027/")],
    # A longer slug, another host, mailto:, a slug as a word, relative links inside an archive (they point
    # inside it), a two-character name's bytes inside a picture: none is a leak.
    "audit-near-misses": [],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_planted_trace_is_reported_exactly(tmp_path, case):
    site = _site(tmp_path, case)
    assert audit(site, HIDDEN, site_url=SITE_URL) == _leaks(*CASES[case])


def test_a_link_read_inside_an_archive_first_is_still_a_leak_on_a_page(tmp_path):
    # downloads/pages.zip!b.html (where a root-relative link reaches nothing) sorts before help/index.html,
    # which holds the very same link: resolving it once must not decide for both.
    site = _site(tmp_path, "audit-near-misses", "audit-root-relative")
    assert audit(site, HIDDEN, site_url=SITE_URL) == _leaks(*CASES["audit-root-relative"])


def test_every_fixture_is_a_case():
    assert sorted(p.name for p in HOSTILE.glob("audit-*")) == sorted(CASES)


def test_absolute_links_count_only_on_the_sites_own_host(tmp_path):
    site = _site(tmp_path, "audit-absolute")
    # Without site_url no host is ours: the two absolute forms (whose text is not models/SLUG) pass …
    assert audit(site, HIDDEN) == []
    # … and under a site in a sub-folder, /union/ is stripped before matching; an address on our host
    # outside the sub-folder (//example.org/models/…) is read from the site's root all the same.
    (site / "index.html").write_text('<a href="https://example.org/union/models/x/../sun-weimin-caogao/">x</a>')
    assert audit(site, HIDDEN, site_url="https://example.org/union/") == _leaks(
        ("contribute/index.html", MODEL, MODEL_URL), ("index.html", MODEL, MODEL_URL))
    (site / "index.html").write_text('<a href="https://example.org/union/x/../sun-weimin-caogao/">x</a>')
    assert audit(site, HIDDEN, site_url="https://example.org/union/") == _leaks(
        ("contribute/index.html", MODEL, MODEL_URL))


def test_preview_keeps_checking_links_outside_pages(tmp_path):
    site = _site(tmp_path, "audit-json")
    assert audit(site, HIDDEN, site_url=SITE_URL, pages_may_show=True) == _leaks(
        ("feeds/feed.json", MODEL, MODEL_URL), ("models/gallery.json", MODEL, MODEL_URL),
        ("pagefind/fragment/zh_1.pf_fragment!", MODEL, MODEL_URL), ("search/more.json", MODEL, MODEL_URL),
        ("search/records.json", MODEL, MODEL_URL))


# -- what secrets() knows, from real fixture builds ---------------------------------------------------------


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_held_back_rows_are_secrets_with_their_line_and_paths(site_copy):
    from PIL import Image as Picture

    Picture.new("RGB", (64, 48), (200, 30, 30)).save(site_copy / "images/flood.png")  # only the held-back topic's
    _append(site_copy / "topics.yml", "- key: kanghong-2027\n  name: 抗洪\n  status: draft\n"
                                      "  cover: images/flood.png\n  cover_alt: 抗洪一线\n")
    _append(site_copy / "columns.yml", "- key: zhuanlan-2027\n  name: 新专栏\n  date: 2027-01-01\n")
    _append(site_copy / "honors.yml", "- {key: xin-rongyu, name: 新设荣誉, level: 省部级, date: 2027-01-01}\n")
    lines, build = check(site_copy)
    assert [line for line in lines if "[row-" in line] == []
    found = {s.url or s.paths[0]: s for s in secrets(build) if s.source.endswith(".yml")}
    cover = found["topics/kanghong-2027/"].digests  # its picture and the variants published for it
    assert hashlib.sha256((site_copy / "images/flood.png").read_bytes()).hexdigest() in cover and len(cover) > 1
    found = {url: dataclasses.replace(secret, digests=frozenset()) for url, secret in found.items()}
    assert found == {
        "topics/kanghong-2027/": Secret("content/topics.yml", "topics/kanghong-2027/", "抗洪", line=5,
                                        paths=TOPIC_FEEDS, noun="名称"),
        "columns/zhuanlan-2027/": Secret("content/columns.yml", "columns/zhuanlan-2027/", "新专栏", line=7,
                                         paths=("feeds/columns/zhuanlan-2027.xml", "feeds/columns/zhuanlan-2027.atom.xml",
                                                "feeds/columns/zhuanlan-2027.json"), noun="名称"),
        "models/honor/xin-rongyu/": Secret("content/honors.yml", "", "新设荣誉", line=3,
                                           paths=("models/honor/xin-rongyu/",), noun="名称"),
    }


def test_short_names_that_public_text_holds_are_no_evidence(site_copy):
    from unionpress import search

    # Two characters that stand side by side in the search's traditional→simplified table (a file the
    # site publishes) are no person's name there.
    table = next(part["to"] for part in search.traditional_parts() if len(part["to"]) > 2)
    pair = next(table[i:i + 2] for i in range(len(table) - 1) if table[i].isalpha() and table[i + 1].isalpha())
    write_story(site_copy, "banzu", body="班组里的**王**芳和同事们。")  # as rendered: 王芳
    for slug, name in (("li-ming-caogao", "李明"), ("wang-fang", "王芳"), ("table-pair", pair),
                       ("sun-weimin-caogao", "孙卫民"), ("a-q", "阿Q")):
        write_item(site_copy, f"models/{slug}.md", f"{name}的资料。", name=name, photo="../images/photo.jpg",
                   employer="示例厂", honors="[{honor: quanguo-laomo, year: 2020}]", status="draft")
    _lines, build = check(site_copy)
    titles = {s.url: s.title for s in secrets(build) if s.url.startswith("models/")}
    assert titles == {
        "models/li-ming-caogao/": "",  # the public profile good-model is 李明
        "models/wang-fang/": "",  # a public story shows 王芳 once Markdown is rendered
        "models/table-pair/": "",
        "models/sun-weimin-caogao/": "孙卫民",  # nowhere public: searched
        "models/a-q/": "阿Q",  # kept, but one non-ASCII letter is too little to search (test below)
    }


def test_hand_written_pages_excuse_short_names_but_not_titles(site_copy):
    (site_copy.parent / "docs").mkdir()
    (site_copy.parent / "docs/about.md").write_text("# 关于\n\n联系人：孙卫民。预告：表彰大会特别报道即将推出。\n",
                                                    encoding="utf-8")
    write_item(site_copy, "models/sun-weimin-caogao.md", "资料。", name="孙卫民", photo="../images/photo.jpg",
               employer="示例厂", honors="[{honor: quanguo-laomo, year: 2020}]", status="draft")
    write_story(site_copy, "tebie-baodao", title="表彰大会特别报道", status="draft")
    _lines, build = check(site_copy)
    titles = {s.url: s.title for s in secrets(build) if not s.source.endswith(".yml")}
    assert titles == {"models/sun-weimin-caogao/": "", "stories/tebie-baodao/": "表彰大会特别报道"}


def test_a_name_the_themes_script_holds_fails_no_build(site_copy, tmp_path):
    """Material's search comes with a Japanese word segmenter (tinyseg.js) full of Han characters. A
    draft profile whose two-character name stands in it, and in no other public text, must not fail
    the build. The theme's scripts are not published at all (no page loads them), so the name is in
    no file of the site."""
    import re

    from unionpress import search
    from unionpress.pages.base import STATIC

    tinyseg = next(Path(folder) for folder in __import__("material").__path__) / "templates/assets/javascripts/lunr/tinyseg.js"
    elsewhere = "".join(_strings_of(search.traditional_parts()))
    elsewhere += "".join(p.read_text(encoding="utf-8") for folder in (STATIC, STATIC.parent / "templates")
                         for p in sorted(folder.iterdir()))
    name = next(pair for run in re.findall(r"[\u4e00-\u9fff]{2,}", tinyseg.read_text(encoding="utf-8"))
                for pair in (run[i:i + 2] for i in range(len(run) - 1)) if pair not in elsewhere)
    write_item(site_copy, "models/seg-name.md", "资料。", name=name, photo="../images/photo.jpg", employer="示例厂",
               honors="[{honor: quanguo-laomo, year: 2020}]", status="draft")
    site = tmp_path / "site"
    result = mkdocs_build(site, content=site_copy)
    assert result.returncode == 0, result.stderr
    assert not (site / "assets/javascripts").exists()  # not published: nothing of the theme's scripts
    assert not [p for p in site.rglob("*") if p.is_file() and name.encode() in p.read_bytes()]


def _strings_of(value):
    from unionpress.audit import _strings

    return _strings(value)


def test_which_short_titles_are_searched(tmp_path):
    (tmp_path / "a.html").write_text("阿Q正传 5G 某 王芳", encoding="utf-8")
    hidden = [Secret(f"content/models/{i}.md", "", title) for i, title in enumerate(["阿Q", "5G", "某", "王芳"])]
    assert audit(tmp_path, hidden) == [Leak("a.html", "content/models/3.md", "标题「王芳」")]


# -- real builds -------------------------------------------------------------------------------------------


def _project(tmp_path: Path) -> Path:
    """The project's settings, hooks and hand-written pages with the sample content (a draft profile
    sun-weimin-caogao, 孙卫民, among them)."""
    project = tmp_path / "project"
    shutil.copytree(ROOT / "docs", project / "docs")
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    (project / "mkdocs.yml").write_text(text.replace("  - hooks/build.py", f"  - {ROOT}/hooks/build.py").replace(
        "    content_dir: content", f"    content_dir: {ROOT}/content"), encoding="utf-8")
    return project


def _build(project: Path, **env: str) -> subprocess.CompletedProcess:
    environ = dict(os.environ, UNIONPRESS_NOW=NOW, NO_MKDOCS_2_WARNING="1", **env)
    environ.pop("UNIONPRESS_PREVIEW", None)
    environ.pop("UNIONPRESS_CONTENT", None)
    return subprocess.run([*MKDOCS, "build", "-q", "--strict"], env=environ, capture_output=True, text=True,
                          cwd=project)


# The content folder is outside the project here, so the report names it by its full path.
SIBLING = (f"{ROOT.as_posix()}/content/models/sun-weimin-caogao.md:1: [leak] 发布检查（audit）：输出文件 "
           "models/jieshao/index.html 中出现了未公开内容的页面地址 models/sun-weimin-caogao/")


def _plant_sibling(project: Path) -> None:
    # A hand-written page among the profiles links the draft profile as the site links siblings. Its
    # three-character name there is no finding (a short name in docs/ is too ambiguous); the link is.
    (project / "docs/models").mkdir()
    (project / "docs/models/jieshao.md").write_text(
        '# 劳模介绍\n\n<a href="../sun-weimin-caogao/">孙卫民</a>\n', encoding="utf-8")


def test_sibling_link_in_a_real_build_fails_it(tmp_path):
    project = _project(tmp_path)
    _plant_sibling(project)
    result = _build(project)
    assert result.returncode == 1
    assert "UnionPress 发布检查未通过：\n" + SIBLING + "\n共 1 处泄露；已删除 1 个输出文件，请勿发布此次构建。" in result.stderr
    assert not (project / "site/models/jieshao/index.html").exists()
    assert (project / "site/models/li-xiuying/index.html").exists() and "Traceback" not in result.stderr


def test_output_that_fails_does_not_skip_the_audit(tmp_path):
    """A real failure, not a simulated one: no Node.js on PATH, so the search output fails. The pages
    and the outputs before it are written; the audit still reads them and removes the leak."""
    project = _project(tmp_path)
    _plant_sibling(project)
    empty = tmp_path / "no-programs"
    empty.mkdir()
    result = _build(project, PATH=str(empty))
    assert result.returncode == 1
    assert ("UnionPress 输出「search」生成失败：未找到 Node.js：搜索索引需要它，请安装 nodejs 后运行 bash scripts/setup\n"
            "已写出的文件中发现泄露（见下），已删除；此次构建不完整，请勿发布。\nUnionPress 发布检查未通过：\n"
            + SIBLING + "\n共 1 处泄露；已删除 1 个输出文件，请勿发布此次构建。") in result.stderr
    site = project / "site"
    assert not (site / "models/jieshao/index.html").exists()
    assert (site / "sitemap.xml").exists() and not (site / "models/gallery.json").exists()  # before / after search
    assert "Traceback" not in result.stderr


def _build_in_process(tmp_path, monkeypatch, caplog, project):
    """An engine fault cannot be provoked through content: the test plants it in-process, builds, and
    returns the hook's error lines once the fault's own exception came through."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    monkeypatch.setenv("UNIONPRESS_NOW", NOW)
    monkeypatch.delenv("UNIONPRESS_PREVIEW", raising=False)
    monkeypatch.delenv("UNIONPRESS_CONTENT", raising=False)
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    with caplog.at_level(logging.ERROR, logger="mkdocs.hooks.unionpress"):
        with pytest.raises(RuntimeError, match="模拟的程序错误"):
            build(config)
    return [r.getMessage() for r in caplog.records if r.name == "mkdocs.hooks.unionpress" and r.levelno == logging.ERROR]


def test_engine_fault_in_an_output_is_audited_then_raised(tmp_path, monkeypatch, caplog):
    """Our own output is replaced by one that writes a leaking file and then fails. The audit must run
    and remove that file; then the original exception is raised with its traceback, not hidden."""
    from unionpress import outputs

    def broken(public, pages, site_dir, settings, body_of):
        (site_dir / "models/half.json").write_text('{"url": "sun-weimin-caogao/"}', encoding="utf-8")
        raise RuntimeError("模拟的程序错误")

    monkeypatch.setitem(outputs.OUTPUTS, "gallery", broken)
    errors = _build_in_process(tmp_path, monkeypatch, caplog, _project(tmp_path))
    assert errors[0] == ("UnionPress 输出「gallery」生成时程序出错（RuntimeError: 模拟的程序错误）。已写出的文件中发现泄露（见下），"
                         "已删除；此次构建不完整，请勿发布，并把下面的错误信息告诉维护人员。")
    assert errors[1] == ("UnionPress 发布检查未通过：\n" + SIBLING.replace("models/jieshao/index.html", "models/half.json")
                         + "\n共 1 处泄露；已删除 1 个输出文件，请勿发布此次构建。")
    assert not (tmp_path / "site/models/half.json").exists()


# -- duplicate-output names the generated page --------------------------------------------------------------


def test_profile_slug_colliding_with_a_generated_page_names_that_page(site_copy):
    shutil.copy(site_copy / "models/good-model.md", site_copy / "models/stats.md")
    lines, _build = check(site_copy)
    assert [line for line in lines if "duplicate-output" in line] == [
        "content/models/stats.md:1: [duplicate-output] 输出路径 /models/stats/ 冲突：自动生成的「荣誉统计」页面 也会生成同一页面"]


def test_hand_written_file_colliding_with_a_generated_page_names_both(tmp_path):
    """A file of docs/ that MkDocs copies as it is (not a Markdown page) is found in on_files: the finding
    is on that file and names the generated page, not the file twice."""
    project = _project(tmp_path)
    (project / "docs/tags").mkdir()
    (project / "docs/tags/index.html").write_text("<p>手写的标签页</p>", encoding="utf-8")
    result = _build(project)
    assert result.returncode == 1
    assert ("docs/tags/index.html:1: [duplicate-output] 输出路径 /tags/ 冲突：自动生成的「标签」页面 也会生成同一页面"
            in result.stderr)


def test_a_hidden_items_picture_deleted_during_a_rebuild_does_not_crash_the_audit(site_copy):
    """`mkdocs serve`: an editor deletes a draft's picture between the read and the audit. Nothing can
    have copied a file that is not there, so it is no evidence; the rest of the draft's traces stay."""
    from unionpress import audit

    bundle = site_copy / "stories/draft-pic"
    bundle.mkdir(parents=True)
    shutil.copy(site_copy / "images/cover.jpg", bundle / "own.jpg")
    (bundle / "index.md").write_text("---\ntitle: 删图的草稿稿件\ndate: 2026-05-01\ncolumn: laodongzhe-zhi-ge\n"
                                     "status: draft\n---\n\n![图](own.jpg)\n", encoding="utf-8")
    _lines, build = check(site_copy)
    (bundle / "own.jpg").unlink()
    found = {secret.source: secret for secret in audit.secrets(build)}
    secret = found["content/stories/draft-pic/index.md"]
    assert secret.url == "stories/draft-pic/" and secret.title == "删图的草稿稿件"
