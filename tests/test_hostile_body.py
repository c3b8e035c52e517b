"""Hostile bodies (issue 16, items 3, 4 and 9): an editor cannot forge the engine's internal link form,
every URL a body keeps goes through one resolver, a body cannot borrow the page's classes or ids,
pictures, video and audio come from our own site (or a listed host), and no attachment can run
script on our origin. Each fixture is one case under tests/fixtures/hostile/."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import lxml.html
import pytest
import yaml

from conftest import BASE, FIXTURES, NOW, ROOT, check, mkdocs_build, write_story

HOSTILE = FIXTURES / "hostile"
TEMPLATES = ROOT / "hooks/unionpress/pages/templates"


def _place(content: Path, case: str) -> str:
    """Copy one hostile fixture into the stories folder; returns its path as findings print it."""
    source = HOSTILE / case
    if source.is_dir():
        shutil.copytree(source, content / "stories" / case)
        return f"content/stories/{case}/index.md"
    shutil.copy(source, content / "stories" / case)
    return f"content/stories/{case}"


def _body(build, slug: str):
    return build.bodies[id(next(i for i in build.catalog.items if i.slug == slug))]


def _check_at(content: Path, site_url: str, **extra):
    """conftest.check with a site_url, so absolute addresses of our own site can be told apart."""
    from unionpress import config, engine
    from unionpress.findings import Findings

    findings = Findings()
    extensions = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["markdown_extensions"]
    site = {"site_name": "测试", "site_url": site_url, "extra": {"unionpress": extra},
            "markdown_extensions": extensions}
    settings = config.from_mapping(content.parent, site, findings,
                                   environ={"UNIONPRESS_CONTENT": str(content), "UNIONPRESS_NOW": NOW})
    build = engine.prepare(settings, findings)
    build.render()
    return [f.format() for f in findings.sorted()], build


# -- 1. the engine's marker ---------------------------------------------------------------------------

def _reserved(path: str, line: int, written: str) -> str:
    return (f"{path}:{line}: [link-reserved] 正文里写了「{written}」：这是构建程序内部专用的链接写法（unionpress-site:），"
            "编辑不能使用，它会绕过链接检查。链接站内内容请写网站地址（如 /stories/SLUG/）或内容文件的相对路径（如 ../models/SLUG.md）")


def test_the_engines_link_marker_is_refused_in_every_spelling(site_copy):
    write_story(site_copy, "secret-draft", status="draft", title="秘密草稿")
    p = _place(site_copy, "body-reserved-scheme.md")
    lines, build = check(site_copy)
    assert lines == [
        _reserved(p, 12, "unionpress-site:"),  # a Markdown link
        _reserved(p, 14, "UnionPress-Site:"),  # another case
        _reserved(p, 16, "unionpress-site:"),  # spaces before it
        _reserved(p, 18, "&#117;nionpress-site:"),  # a decimal character reference in raw HTML
        _reserved(p, 20, "&#x55;NIONPRESS&#45;SITE&colon;"),  # hex and named references, upper case
        _reserved(p, 22, "unionpress-site:"),  # a picture
        _reserved(p, 26, "unionpress-site:"),  # any attribute (title)
        _reserved(p, 28, "unionpress-site:"),  # plain text, which a printer would have made a link
        _reserved(p, 30, "unionpress-site:"),  # a reference definition (used on line 24)
    ]
    body = _body(build, "body-reserved-scheme")
    html = body.at("stories/body-reserved-scheme/")
    # Nothing of it became a link to the draft, and no marker is left for a printer to turn into one.
    assert "secret-draft/\"" not in html and "../secret-draft" not in html and "unionpress-site:" not in html.lower()
    assert body.links == () and "media/pictures/0123456789abcdef0123" not in html
    assert "正文文字里 unionpress-site：stories/secret-draft/ 也不行。" in html  # the text stays, defused


def test_the_marker_is_refused_in_a_draft_too_and_found_in_any_spelling(site_copy):
    write_story(site_copy, "draft-forger", status="draft", body="[更多](UNIONPRESS-SITE:stories/good-story/)")
    lines, _ = check(site_copy)
    assert lines == [_reserved("content/stories/draft-forger.md", 12, "UNIONPRESS-SITE:")]
    from unionpress import sanitize

    for spelled in ("unionpress-site:", "UnionPress-Site:", "&#117;nionpress-site:", "&#x55;NIONPRESS&#45;SITE&colon;",
                    "u&#X6E;ionpress-site:", "unionpress\\-site&#58", "union&Tab;press-\nsite:"):
        assert sanitize.MARKER_WRITTEN.search(f"[x]({spelled}stories/a/)"), spelled
    for value in ("unionpress-site:x", " UNIONPRESS-SITE:x", "union\tpress-site:x", "https://a.example/?u=unionpress-site:x"):
        assert sanitize.forged(value), value
    assert not sanitize.forged("unionpress site: 一段说明") and not sanitize.MARKER_WRITTEN.search("unionpress-site：")


# -- 1b. one resolver for every scheme -----------------------------------------------------------------

def test_a_public_story_cannot_reach_a_draft_by_any_address_form(site_copy):
    write_story(site_copy, "secret-draft", status="draft", title="秘密草稿")
    secret = site_copy / "stories/secret-bundle"
    write_story(site_copy, "index", folder="stories/secret-bundle", status="draft", title="草稿包")
    shutil.copy(BASE / "images/photo.jpg", secret / "secret.jpg")
    forms = ["secret-draft.md", "/stories/secret-draft/", "/stories/secret-draft/index.html",
             "https://example.org/stories/secret-draft/", "HTTP://EXAMPLE.ORG:80/stories/secret-draft/#x",
             "//example.org/stories/secret-draft/?a=1", "/stories/secret-draft.md"]
    body = "\n\n".join(f"[{n}]({form})" for n, form in enumerate(forms))
    body += ('\n\n<a href="  /stories/secret-draft/ ">前后空格</a>\n\n<a href="/stories/secret-&#9;draft/">制表符</a>'
             '\n\n![草稿的图](https://example.org/stories/secret-bundle/secret.jpg)'
             '\n\n[邮件](mailto:tougao@example.org) [电话](tel:01012345678) [脚本](javascript:alert(1))')
    write_story(site_copy, "every-form", body=body)
    lines, build = _check_at(site_copy, "https://example.org/")
    p = "content/stories/every-form.md"

    def hidden(line: int, target: str, label: str = "秘密草稿", other: str = "content/stories/secret-draft.md") -> str:
        return (f"{p}:{line}: [link-hidden] 链接或图片指向未公开的内容「{label}」（{other}）：{target}。"
                "草稿、待审、定时发布或未审完的内容不能被已发布的内容引用")

    assert lines == [
        *(hidden(12 + 2 * n, form) for n, form in enumerate(forms)),
        hidden(26, "/stories/secret-draft/"),
        hidden(28, "/stories/secret-draft/"),  # as a browser reads it: the tab goes, and the line is found
        hidden(30, "https://example.org/stories/secret-bundle/secret.jpg", "草稿包", "content/stories/secret-bundle/index.md"),
        f"{p}:32: [html-removed] 警告：正文里的 HTML 已被清理：不允许的链接协议 javascript:（出于安全，发布的页面不含此项）",
    ]
    html = _body(build, "every-form").at("stories/every-form/")
    assert 'href="mailto:tougao@example.org"' in html and 'href="tel:01012345678"' in html


# -- 2. classes and ids ----------------------------------------------------------------------------------

def _removed(path: str, line: int, why: str) -> str:
    return f"{path}:{line}: [html-removed] 警告：正文里的 HTML 已被清理：{why}（出于安全，发布的页面不含此项）"


def test_a_body_cannot_borrow_the_pages_classes_or_ids(site_copy):
    p = _place(site_copy, "body-page-classes-and-ids.md")
    lines, build = check(site_copy)
    assert lines == [
        _removed(p, 13, "不允许的样式类 up-draft-banner（正文只能用编辑手册列出的样式类）"),
        _removed(p, 15, "不允许的样式类 up-lightbox md-banner（正文只能用编辑手册列出的样式类）"),
        _removed(p, 17, "不允许的样式类 up-lightbox（正文只能用编辑手册列出的样式类）"),
    ]
    html = _body(build, "body-page-classes-and-ids").at("stories/body-page-classes-and-ids/")
    assert "up-draft-banner" not in html and "md-banner" not in html
    assert '<div class="footnote">借用灯箱和页面的样式类</div>' in html  # an extension's class stays
    assert html.count("up-lightbox") == 1 and re.search(r'<a href="[^"]+" class="up-lightbox"><picture>', html)
    assert '<a href="https://evil.example/big.jpg">冒充放大图的链接</a>' in html
    # Ids live in the body's namespace, and the links inside the body follow them.
    for kept in ('<p id="body-up-care">', '<h2 id="body-up-main">', 'href="#body-up-main"', 'href="#body-up-care"',
                 '<sup id="body-fnref:1"><a class="footnote-ref" href="#body-fn:1">', '<li id="body-fn:1">',
                 'href="#body-fnref:1"', 'href="#top"', '<a name="body-_Toc1"></a><a href="#body-_Toc1">'):
        assert kept in html, kept
    # On the page itself every id is there once, the landmarks the templates write among them.
    page = dict((p.url, h) for p, h in build.render().files)["stories/body-page-classes-and-ids/"]
    ids = lxml.html.fromstring(page).xpath("//@id")
    assert len(ids) == len(set(ids)) and {"up-main", "up-care"} <= set(ids)


def test_no_page_template_id_is_in_the_bodies_namespace():
    from unionpress import sanitize

    written = {m for t in TEMPLATES.glob("*.html") for m in re.findall(r'\bid="([^"{]+)"', t.read_text(encoding="utf-8"))}
    assert "up-main" in written
    assert not {i for i in written if i.startswith(sanitize.BODY_ID_PREFIX)}


def test_classes_follow_the_configured_extensions_and_table_alignment_stays():
    from unionpress import sanitize

    html = ('<div class="admonition note"><p class="admonition-title">注意</p></div>'
            '<pre><code class="language-python">x</code></pre><table><tr><td style="text-align: right; color: red">1</td></tr></table>')
    plain = sanitize.body_classes(["toc", "tables", "fenced_code", "footnotes"])
    assert sanitize.clean(html, frozenset(), plain) == (
        '<div><p>注意</p></div><pre><code class="language-python">x</code></pre>'
        '<table><tbody><tr><td style="text-align:right">1</td></tr></tbody></table>')
    with_admonitions = sanitize.body_classes(["admonition"])
    assert '<div class="admonition note"><p class="admonition-title">' in sanitize.clean(html, frozenset(), with_admonitions)
    assert sanitize.body_classes(["codehilite"], {"codehilite": {"css_class": "code-box"}}) >= {"code-box", "k", "s2"}
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    assert sanitize.removals(root, frozenset(), plain) == [
        ("admonition", "不允许的样式类 admonition note（正文只能用编辑手册列出的样式类）"),
        ("admonition-title", "不允许的样式类 admonition-title（正文只能用编辑手册列出的样式类）"),
        ("text-align: right; color: red", "不允许的样式 color（表格单元格只保留 text-align 对齐）")]
    # The engine's own class is added after the editor's were checked; the sanitiser keeps it.
    assert sanitize.clean('<a class="up-lightbox" href="x">a</a>', frozenset(), plain) == '<a class="up-lightbox" href="x">a</a>'


# -- 3. pictures, video and audio from another host --------------------------------------------------------

def _outside(path: str, line: int, host: str, src: str) -> str:
    return (f"{path}:{line}: [media-outside] 图片、视频或音频来自外部网站「{host}」：{src}。读者打开页面时会从该网站加载它"
            "（对方能记录读者的访问，文件也可能被换掉或删除）。请把文件放进图文包，用相对路径引用；确需使用的网站须由管理员列入 "
            "extra.unionpress.embed_hosts")


OUTSIDE = [(12, "tracker.example", "http://tracker.example/p.gif"),  # a Markdown picture, plain http
           (14, "cdn.example.com", "https://cdn.example.com/a.jpg"),  # an HTML <img>: not "missing"
           (16, "img.example.com", "//img.example.com/p.jpg"),  # a video's poster, protocol-relative
           (16, "video.example.com", "https://video.example.com/v.mp4"),
           (18, "audio.example.com", "https://audio.example.com/a.mp3"),  # <source> in <audio>
           (20, "subs.example.com", "https://subs.example.com/t.vtt")]  # <track>


def test_pictures_video_and_audio_from_another_host_are_errors_naming_it(site_copy):
    p = _place(site_copy, "body-outside-media.md")
    lines, build = check(site_copy)
    assert lines == [_outside(p, *case) for case in OUTSIDE]  # the link to news.example.com is no finding
    assert 'href="https://news.example.com/x"' in _body(build, "body-outside-media").html


def test_hosts_in_embed_hosts_may_serve_pictures_and_video(site_copy):
    p = _place(site_copy, "body-outside-media.md")
    lines, _ = check(site_copy, embed_hosts=["cdn.example.com", "video.example.com", "img.example.com"])
    assert lines == [_outside(p, *case) for case in OUTSIDE if case[1] not in ("cdn.example.com", "video.example.com",
                                                                                "img.example.com")]


def test_a_draft_may_not_load_outside_pictures_either_and_our_own_address_is_not_outside(site_copy):
    # The picture is the draft's own text: it would go out unchanged on publication, and previews load it.
    write_story(site_copy, "draft-pixel", status="draft", body="![像素](https://tracker.example/p.gif)")
    write_story(site_copy, "own-address", body="![车间](https://example.org/images/photo.jpg)")
    lines, build = _check_at(site_copy, "https://example.org/")
    assert lines == [_outside("content/stories/draft-pixel.md", 12, "tracker.example", "https://tracker.example/p.gif")]
    assert "example.org" not in _body(build, "own-address").at("stories/own-address/")  # resolved to our variants


# -- 4. attachments that would run script on our origin ------------------------------------------------

def _active(path: str, line: int, src: str, what: str, fix: str = "请压缩成 zip 后再链接，或转成 PDF") -> str:
    return (f"{path}:{line}: [attachment-active] 文件 {src}（{what}）在读者的浏览器里打开时，其中的脚本会以本站的名义运行，"
            f"不能直接发布：{fix}")


def test_attachments_that_run_script_are_refused_and_never_published(site_copy):
    p = _place(site_copy, "body-active-attachments")
    lines, build = check(site_copy)
    assert lines == [
        _active(p, 12, "evil.svg", "SVG 图形"),
        _active(p, 14, "page.html", "网页文件"),
        _active(p, 16, "page.XHTML", "网页文件"),  # the suffix in any case
        _active(p, 18, "feed.xml", "XML 文件"),
        _active(p, 20, "app.js", "JavaScript 脚本"),
        _active(p, 22, "readme", "内容是网页代码的文件"),  # no suffix: a host may send no type, the browser sniffs
        _active(p, 24, "evil.svg", "SVG 图形", "请转成 PNG 或 JPG 图片"),  # an SVG picture is not copied as it is
        _active(p, 26, "clip.svg", "SVG 图形", "请改用音视频文件本身（如 MP4、MP3、VTT 字幕）"),
    ]
    published = [output for output, _file in _body(build, "body-active-attachments").assets]
    assert published == ["media/stories/body-active-attachments/notice.pdf",
                         "media/stories/body-active-attachments/notes.txt"]  # passive types go as they are


def test_active_files_are_known_by_name_and_by_their_first_bytes(tmp_path):
    from unionpress import sanitize

    cases = {"a.SVGZ": b"\x1f\x8b", "b.htm": b"", "c.mjs": b"", "d.rss": b"", "e": b"\xef\xbb\xbf  <svg onload=x>",
             "f.dat": "<html>".encode("utf-16"), "g.bin": b"<?xml version='1.0'?>", "h.pdf": b"<html>",
             "i.txt": b"<script>", "j.dat": b"PK\x03\x04", "k": b"plain words <b>"}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    found = {name: sanitize.active_file(tmp_path / name) for name in cases}
    assert found == {"a.SVGZ": "SVG 图形", "b.htm": "网页文件", "c.mjs": "JavaScript 脚本", "d.rss": "XML 文件",
                     "e": "内容是网页代码的文件", "f.dat": "内容是网页代码的文件", "g.bin": "内容是网页代码的文件",
                     "h.pdf": None, "i.txt": None, "j.dat": None, "k": None}


# -- check and build: one set of rules -----------------------------------------------------------------------

CASES = ("body-reserved-scheme.md", "body-page-classes-and-ids.md", "body-outside-media.md", "body-active-attachments")


def test_check_and_build_report_the_same_findings(site_copy, tmp_path):
    write_story(site_copy, "secret-draft", status="draft", title="秘密草稿")
    for case in CASES:
        _place(site_copy, case)
    lines, _ = check(site_copy)
    assert len(lines) == 9 + 3 + len(OUTSIDE) + 8
    result = mkdocs_build(tmp_path / "site", content=site_copy, strict=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    built = sorted({line.split("content/", 1)[1] for line in result.stderr.splitlines()
                    if re.search(r"\.md:\d+: \[", line) and "content/" in line})
    assert built == sorted(line.split("content/", 1)[1] for line in lines)
    assert not (tmp_path / "site/media/stories/body-active-attachments/evil.svg").exists()


def test_fragments_into_another_body_and_a_video_poster_follow_the_rules(site_copy):
    (site_copy / "stories/clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")
    body = ("[小标题](/stories/with-heading/#_1) [页面部件](/stories/good-story/#up-models-title) [栏目](/columns/laodongzhe-zhi-ge/#top)"
            '\n\n<video controls src="clip.mp4" poster="../images/photo.jpg"></video>')
    write_story(site_copy, "with-heading", body="## 小标题\n\n正文。")  # toc gives the heading the id _1
    write_story(site_copy, "fragments", body=body)
    lines, build = check(site_copy)
    assert lines == []
    found = _body(build, "fragments")
    html = found.at("stories/fragments/")
    assert 'href="../with-heading/#body-_1"' in html and 'href="../good-story/#up-models-title"' in html
    assert 'href="../../columns/laodongzhe-zhi-ge/#top"' in html  # a listing has no body ids
    poster = re.search(r'poster="\.\./\.\./(media/pictures/[0-9a-f]{20}-\d+\.(?:jpg|png))"', html)
    assert poster and 'src="../../media/stories/clip.mp4"' in html
    assert [output for output, _file in found.assets] == ["media/stories/clip.mp4", poster.group(1)]  # not the original


def test_a_link_to_a_photo_publishes_the_cleaned_variant_never_the_original(site_copy):
    """「[原图](photo.jpg)」 would publish the camera's file with its EXIF (GPS, owner): the link gets
    the pipeline's largest variant; a photo Pillow cannot read is reported, never published as it is."""
    from PIL import Image

    folder = site_copy / "stories/photo-link"
    folder.mkdir(parents=True)
    exif = Image.Exif()
    exif[0x010E] = "MARKER-GPS-XIAN-34.26N"  # ImageDescription: text a variant must not carry
    Image.new("RGB", (1600, 900), (200, 40, 40)).save(folder / "photo.jpg", exif=exif.tobytes())
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    write_story(site_copy, "photo-link", body="[原图](photo.jpg)\n\n[坏图](broken.jpg)", folder="stories/photo-link")
    (site_copy / "stories/photo-link/photo-link.md").rename(folder / "index.md")
    lines, build = check(site_copy)
    assert lines == ["content/stories/photo-link/index.md:14: [image-broken] 图片文件无法读取"
                     "（已损坏，或不是 JPEG、PNG、WebP、GIF 图片）：broken.jpg"]
    body = _body(build, "photo-link")
    published = [path for _output, path in body.assets]
    assert folder / "photo.jpg" not in published and folder / "broken.jpg" not in published
    assert len(published) == 1 and re.fullmatch(r"media/pictures/[0-9a-f]{20}-\d+\.jpg", body.assets[0][0])
    assert b"MARKER-GPS" not in published[0].read_bytes()
    href = lxml.html.fragment_fromstring(body.at("stories/photo-link/"), create_parent="div").find(".//a").get("href")
    assert href == "../../" + body.assets[0][0]


def test_a_front_matter_picture_on_another_site_is_its_own_error(site_copy):
    """Not 「图片不存在」: the editor wrote another site's address, which the pipeline cannot take and
    every reader's phone would fetch from that site."""
    shutil.copy(HOSTILE / "picture-front-matter-remote.md", site_copy / "stories")
    lines, build = check(site_copy)
    assert lines == ["content/stories/picture-front-matter-remote.md:6: [image-remote] 图片必须是内容文件夹里的文件，"
                     "不能是其他网站（tracker.example.com）的地址：HTTPS://tracker.example.com/pixel.jpg?u=1。"
                     "请把图片下载后放进内容文件夹，用相对路径引用"]


SENTENCE = "工人们在车间里精益求精，[劳模](/models/good-model/)带领大家攻克难关，**技术革新**取得了成果。"


def test_a_paragraph_too_long_for_markdown_is_split_where_the_editor_broke_lines(site_copy):
    """A Word document pasted with single line breaks is one Markdown paragraph, and Python-Markdown's
    inline pass costs the square of a paragraph's length (5 MB: minutes). Split at the line breaks,
    or, in one endless line, after a sentence outside link text; the editor is told at the line."""
    from unionpress.body import PARAGRAPH_LIMIT

    pasted = "\n".join([SENTENCE] * (PARAGRAPH_LIMIT // len(SENTENCE) + 50))
    endless = SENTENCE * (2 * PARAGRAPH_LIMIT // len(SENTENCE))
    table = "| 甲 | 乙 |\n|---|---|\n" + "\n".join(["| 工人们在车间里精益求精 | 带领大家攻克难关 |"] * 1000)
    write_story(site_copy, "pasted", body=f"开头一段。\n\n{pasted}\n\n{table}\n\n{endless}")
    lines, build = check(site_copy)
    # Such a body is also far over WeChat's 20,000 characters (issue 19): an error at the body, pinned, not filtered.
    wechat, *lines = lines
    assert re.fullmatch(r"content/stories/pasted\.md:11: \[wechat-content-long\] 正文转成公众号图文后有 \d{6,} 个字符"
                        r"（\d+ KB），公众号要求少于 20000 字符且小于 1 MB：请删减，或分成几篇发布", wechat), wechat
    assert [line.split(": [", 1)[0] for line in lines] == ["content/stories/pasted.md:14", f"content/stories/pasted.md:{14 + pasted.count(chr(10)) + 1 + 1003 + 1}"]
    assert all("[body-paragraph-long] 警告：正文从这一行起的一段长达" in line for line in lines)
    html = _body(build, "pasted").at("stories/pasted/")
    tree = lxml.html.fragment_fromstring(html, create_parent="div")
    paragraphs = tree.findall("p")
    endless_parts = len(paragraphs) - 1 - (pasted.count("\n") + 1)
    assert pasted.count("\n") + 1 + 1 < len(paragraphs) and 2 <= endless_parts <= 4
    assert len(tree.findall(".//tr")) == 1001  # the table is left whole
    assert len(tree.findall(".//a")) == pasted.count("[劳模]") + endless.count("[劳模]")  # no link cut in two
    assert "".join(p.text_content() for p in paragraphs[-endless_parts:]) == lxml.html.fragment_fromstring(
        __import__("markdown").markdown(endless), create_parent="div").text_content()
