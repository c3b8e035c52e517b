"""Preview builds go to their own folder with noindex everywhere; the post-build audit fails a build
that lets anything of a non-public item out, wherever it hides."""

from __future__ import annotations

import gzip

import io
import os
import subprocess
import zipfile
from pathlib import Path

from conftest import MKDOCS, NOW, ROOT
from sample_facts import feed_files
from test_build import HIDDEN


def _project(tmp_path: Path) -> Path:
    """A copy of the project's settings and hand-written pages, using the real hooks and sample content."""
    project = tmp_path / "project"
    (project / "docs").mkdir(parents=True)
    for page in ("about.md", "contribute.md", "help.md"):
        (project / "docs" / page).write_text((ROOT / "docs" / page).read_text(encoding="utf-8"), encoding="utf-8")
    (project / "docs/images").mkdir()
    (project / "docs/images/logo.svg").write_text((ROOT / "docs/images/logo.svg").read_text(encoding="utf-8"))
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    (project / "mkdocs.yml").write_text(text.replace("  - hooks/build.py", f"  - {ROOT}/hooks/build.py").replace(
        "    content_dir: content", f"    content_dir: {ROOT}/content"), encoding="utf-8")
    return project


def _run(project: Path, preview: bool) -> subprocess.CompletedProcess:
    env = dict(os.environ, UNIONPRESS_NOW=NOW, NO_MKDOCS_2_WARNING="1")
    env.pop("UNIONPRESS_PREVIEW", None)
    if preview:
        env["UNIONPRESS_PREVIEW"] = "1"
    return subprocess.run([*MKDOCS, "build", "-q", "--strict"], env=env, capture_output=True, text=True, cwd=project)


def _prepared(project: Path, preview: bool):
    """The engine's view of the project, as the hooks prepare it for this build."""
    from unionpress import config, engine

    environ = {"UNIONPRESS_NOW": NOW, **({"UNIONPRESS_PREVIEW": "1"} if preview else {})}
    settings, findings = config.load(project, environ=environ)
    return engine.prepare(settings, findings)


def test_preview_goes_to_its_own_folder_with_noindex(tmp_path):
    from unionpress.kinds import ITEM_KINDS

    project = _project(tmp_path)
    result = _run(project, preview=True)
    assert result.returncode == 0, result.stderr
    assert not (project / "site").exists()
    site = project / "site-preview"
    build = _prepared(project, preview=True)
    # Exactly the preview's planned pages and the hand-written ones, every one with noindex.
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    planned = {page.output for page in build.pages} | {url + "index.html" for url in build.settings.doc_pages}
    # The outputs write the WeChat packages (issue 19) in a preview too, from the public view only: exactly
    # the public stories' packages, never a draft's. Their article.html is a fragment to paste (no <head>, not
    # a page); their preview.html is a page and carries the noindex like every other.
    from unionpress.outputs import wechat

    packages = {f"{wechat.FOLDER}{story.slug}/{name}" for story in wechat.stories(build.public)
                for name in ("preview.html", *(() if wechat.is_newspic(story) else ("article.html",)))}
    assert {name for name in pages if name.startswith("exports/")} == packages != set()
    assert [name for name in pages if not name.startswith("exports/")] == sorted(planned)
    missing = [name for name in pages if not name.endswith("/article.html")
               and '<meta name="robots" content="noindex, nofollow">' not in (site / name).read_text(encoding="utf-8")]
    assert missing == []
    assert (site / "robots.txt").read_text() == "User-agent: *\nDisallow: /\n"
    # Every item with a page has it in the preview; exactly the non-public ones carry the banner.
    hidden = [item for item in build.catalog.items if item not in build.public]
    bannered = {item.source for item in build.catalog.items if ITEM_KINDS[item.kind].url
                and "草稿·未发布" in (site / ITEM_KINDS[item.kind].url(item) / "index.html").read_text(encoding="utf-8")}
    assert bannered == {item.source for item in hidden if ITEM_KINDS[item.kind].url} != set()
    column = (site / "columns/laodongzhe-zhi-ge/index.html").read_text(encoding="utf-8")
    assert "高温下的坚守" in column  # the preview lists drafts where editors look for them …
    # … but no hidden item reaches a file meant for the outside: exactly the sitemaps, robots.txt, the
    # public view's feeds and WeChat packages, none holding a hidden story's markers.
    outside = {"sitemap.xml", "sitemap.xml.gz", "robots.txt"}
    outside |= {p.relative_to(site).as_posix() for p in (site / "exports/wechat").rglob("*")
                if p.suffix in (".html", ".json", ".txt")}  # the WeChat packages: for the official account
    feeds = {p.relative_to(site).as_posix() for p in (site / "feeds").rglob("*") if p.is_file() and p.suffix != ".html"}
    assert feeds == feed_files(build)
    markers = [m.encode() for values in HIDDEN.values() for m in values]
    for name in sorted(outside | feeds):
        assert [m for m in markers if m in (site / name).read_bytes()] == [], name
    # nor the search index: one fragment per search record of the public view (a page, or a work at
    # its anchor), the title of every public page a reader can search for in them; its fragments are
    # gzip, its Chinese split by U+200B
    from unionpress import search

    records = search.records(build.public, lambda item: build.bodies[id(item)])
    searchable = [page for page in build.public_pages if page.searchable]
    assert {page.url for page in searchable} <= {record.url.split("#", 1)[0] for record in records}
    fragments = sorted((site / "pagefind").rglob("*.pf_fragment"))
    assert len(fragments) == len(records)
    text = b"".join(gzip.decompress(p.read_bytes()) for p in fragments).replace("\u200b".encode(), b"")
    assert [page.title for page in searchable if page.title.encode() not in text] == []
    assert [m for m in markers if m in text] == []
    # the production build of the same project lands in site/, without noindex
    assert _run(project, preview=False).returncode == 0
    home = (project / "site/index.html").read_text(encoding="utf-8")
    assert "noindex" not in home and "高温下的坚守" not in home


def test_planted_leaks_fail_the_build_and_are_removed(tmp_path):
    project = _project(tmp_path)
    (project / "docs/leak.md").write_text("# 泄露\n\n见 [链接](https://example.org/stories/gaowen-zuoye-caogao/)。\n",
                                          encoding="utf-8")
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("word/document.xml", "<w:t>全国劳模表彰大会特别报道</w:t>")
    (project / "docs/files").mkdir()
    (project / "docs/files/manuscript.docx").write_bytes(packed.getvalue())
    result = _run(project, preview=False)
    assert result.returncode == 1
    assert ("content/stories/2026/gaowen-zuoye-caogao.md:1: [leak] 发布检查（audit）：输出文件 leak/index.html "
            "中出现了未公开内容的页面地址 stories/gaowen-zuoye-caogao/") in result.stderr
    assert ("content/stories/2026/quanguo-laomo-dahui-tebie-baodao.md:1: [leak] 发布检查（audit）：输出文件 "
            "files/manuscript.docx!word/document.xml 中出现了未公开内容的标题「全国劳模表彰大会特别报道」") in result.stderr
    assert "共 2 处泄露；已删除 2 个输出文件，请勿发布此次构建。" in result.stderr
    assert not (project / "site/leak/index.html").exists() and not (project / "site/files/manuscript.docx").exists()
    assert "Traceback" not in result.stderr


def test_sample_production_build_passes_the_audit(sample_site):
    from unionpress.audit import audit, secrets
    from unionpress import config, engine
    from unionpress.findings import Findings

    settings = config.from_mapping(ROOT, {"site_url": "https://example.org/", "extra": {"unionpress": {}}}, Findings(),
                                   environ={"UNIONPRESS_CONTENT": str(ROOT / "content"), "UNIONPRESS_NOW": NOW})
    build = engine.prepare(settings)
    hidden = secrets(build)
    # Secrets of exactly the items the gate holds back and the lists with held-back rows, each held item's
    # page address among them; the sample's planted ones included.
    from unionpress.kinds import ITEM_KINDS, LIST_KINDS

    items = [item for item in build.catalog.items if item not in build.public]
    lists = {settings.display(settings.content_dir / LIST_KINDS[name].file) for name, rows in build.catalog.lists.items()
             if set(rows) - set(build.public.lists.get(name, {}))}
    assert {s.source for s in hidden} == {item.source for item in items} | lists
    assert {ITEM_KINDS[item.kind].url(item) for item in items if ITEM_KINDS[item.kind].url} <= {s.url for s in hidden}
    planted = {"models/sun-weimin-caogao/", "stories/dai-shen-gaojian/", "stories/gaowen-zuoye-caogao/",
               "stories/quanguo-laomo-dahui-tebie-baodao/"}  # test_build.HIDDEN's items
    assert planted <= {s.url for s in hidden}
    assert audit(sample_site, hidden) == []


def test_hand_written_page_metadata_is_escaped(tmp_path):
    project = _project(tmp_path)
    (project / "docs/evil.md").write_text("---\ntitle: '<script>X9</script> & \"X9\"'\ndescription: '<b>Y9</b>\"'\n---\n\n正文。\n",
                                          encoding="utf-8")
    result = _run(project, preview=False)
    assert result.returncode == 0, result.stderr
    html = (project / "site/evil/index.html").read_text(encoding="utf-8")
    assert "<script>X9" not in html and "<b>Y9" not in html
    assert "<title>&lt;script&gt;X9&lt;/script&gt; &amp; &#34;X9&#34; - 示例市总工会 · 劳动者之家</title>" in html
    assert '<meta name="description" content="&lt;b&gt;Y9&lt;/b&gt;&#34;">' in html
