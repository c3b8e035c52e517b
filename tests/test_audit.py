"""The post-build audit: plant each kind of leak in a small output folder and see it reported, exactly."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import marshal
import os
import zipfile

import pytest

from unionpress import audit as audit_module, derived
from unionpress.audit import Leak, Secret, audit

SRC = "content/stories/2026/draft-one.md"
URL = "页面地址 stories/draft-one/"
TITLE = "高温 & 坚守"
TITLE_WHAT = "标题「高温 & 坚守」"
ASSET = "图片或附件（与未发布内容的文件相同）"
PATH = "文件路径"
PHOTO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4  # the draft's own photo
DRAFT = Secret(SRC, "stories/draft-one/", TITLE, frozenset({hashlib.sha256(PHOTO).hexdigest()}))

PUBLIC_PAGE = ('<html><body><a href="../stories/public-one/">公开稿件</a>'
               '<p>高温下的坚守</p><img src="../media/images/logo.png"></body></html>')


def write(root, rel, data):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def zipped(members: dict[str, str | bytes], stored: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def site(tmp_path):
    """A clean output folder: public pages, a sitemap, search index, an image, a download."""
    root = tmp_path / "site"
    write(root, "index.html", PUBLIC_PAGE)
    write(root, "stories/public-one/index.html", PUBLIC_PAGE)
    write(root, "sitemap.xml", "<urlset><url><loc>https://example.org/stories/public-one/</loc></url></urlset>")
    write(root, "sitemap.xml.gz", gzip.compress(b"<urlset><loc>https://example.org/stories/public-one/</loc></urlset>"))
    write(root, "search/search_index.json", json.dumps({"docs": [{"location": "stories/public-one/", "title": "公开稿件"}]}))
    write(root, "media/images/logo.png", b"\x89PNG\r\n\x1a\nlogo")
    write(root, "downloads/all.zip", zipped({"pages/list.html": PUBLIC_PAGE}))
    return root


def leaks(root, *pairs):
    return [Leak(output, SRC, what) for output, what in pairs]


def test_clean_folder_has_no_leaks(site):
    assert audit(site, [DRAFT]) == []
    assert audit(site, []) == []


def test_url_in_an_html_page(site):
    write(site, "index.html", PUBLIC_PAGE + '<a href="../../stories/draft-one/">x</a>')
    write(site, "about/index.html", '<link rel="next" href="https://example.org/stories/draft-one/">')
    assert audit(site, [DRAFT]) == leaks(site, ("about/index.html", URL), ("index.html", URL))


def test_url_in_gzipped_sitemap(site):
    write(site, "sitemap.xml.gz", gzip.compress(b"<loc>https://example.org/stories/draft-one/</loc>"))
    assert audit(site, [DRAFT]) == leaks(site, ("sitemap.xml.gz!", URL))


def test_url_in_zip_epub_and_docx_members(site):
    link = '<a href="../stories/draft-one/">x</a>'
    write(site, "downloads/all.zip", zipped({"pages/list.html": PUBLIC_PAGE + link}))
    write(site, "downloads/book.epub", zipped({"mimetype": "application/epub+zip", "OEBPS/ch1.xhtml": link}, stored=True))
    write(site, "exports/report.docx", zipped({"[Content_Types].xml": "<Types/>",
                                               "word/document.xml": "<w:t>https://example.org/stories/draft-one/</w:t>"}))
    assert audit(site, [DRAFT]) == leaks(site, ("downloads/all.zip!pages/list.html", URL),
                                         ("downloads/book.epub!OEBPS/ch1.xhtml", URL),
                                         ("exports/report.docx!word/document.xml", URL))


def test_url_in_a_zip_inside_a_zip(site):
    inner = zipped({"feed.xml": "<link>https://example.org/stories/draft-one/</link>"})
    write(site, "downloads/bundle.zip", zipped({"readme.txt": "公开", "wechat/inner.zip": inner}))
    assert audit(site, [DRAFT]) == leaks(site, ("downloads/bundle.zip!wechat/inner.zip!feed.xml", URL))


def test_title_plain_html_escaped_and_json_escaped(site):
    write(site, "feed.txt", f"最新：{TITLE}\n")
    write(site, "tags/index.html", "<li>高温 &amp; 坚守</li>")
    write(site, "search/search_index.json", json.dumps({"docs": [{"title": TITLE}]}, ensure_ascii=True))
    assert "\\u9ad8" in (site / "search/search_index.json").read_text()  # really the escaped form
    write(site, "data/items.json", json.dumps({"title": TITLE}, ensure_ascii=False))
    assert audit(site, [DRAFT]) == leaks(site, ("data/items.json", TITLE_WHAT), ("feed.txt", TITLE_WHAT),
                                         ("search/search_index.json", TITLE_WHAT), ("tags/index.html", TITLE_WHAT))


def test_title_with_quotes_in_jinja_escaping(tmp_path):
    secret = Secret(SRC, "", '"工匠" 精神')
    write(tmp_path, "a.html", '<meta content="&#34;工匠&#34; 精神">')
    write(tmp_path, "b.json", json.dumps({"t": '"工匠" 精神'}))
    assert audit(tmp_path, [secret]) == leaks(tmp_path, ("a.html", "标题「\"工匠\" 精神」"),
                                              ("b.json", "标题「\"工匠\" 精神」"))


def test_image_with_the_drafts_bytes_under_another_name(site):
    write(site, "media/images/shared-photo.jpg", PHOTO)
    write(site, "downloads/photos.zip", zipped({"p/1.png": PHOTO}))
    assert audit(site, [DRAFT]) == leaks(site, ("downloads/photos.zip!p/1.png", ASSET),
                                         ("media/images/shared-photo.jpg", ASSET))


def test_slug_in_output_paths(site):
    write(site, "exports/partners/draft-one.zip", zipped({"a.txt": "公开"}))
    write(site, "stories/draft-one/index.html", "<p>正文</p>")
    write(site, "downloads/book.epub", zipped({"OEBPS/draft-one.xhtml": "<p>正文</p>"}))
    assert audit(site, [DRAFT]) == leaks(site, ("downloads/book.epub!OEBPS/draft-one.xhtml", PATH),
                                         ("exports/partners/draft-one.zip", PATH),
                                         ("stories/draft-one/index.html", PATH))


def test_slugs_as_ordinary_words_are_not_leaks(site):
    """A draft slug that is also a tag's pinyin or the pager's word only counts in its own folder."""
    write(site, "tags/gong-jiang/index.html", "<p>工匠</p>")
    write(site, "columns/k/page/2/index.html", "<p>第二页</p>")
    tag_like = Secret("content/stories/gong-jiang.md", "stories/gong-jiang/", "")
    pager_like = Secret("content/stories/page.md", "stories/page/", "")
    assert audit(site, [tag_like, pager_like]) == []
    write(site, "exports/wechat/gong-jiang/article.html", "<p>x</p>")
    assert audit(site, [tag_like]) == [Leak("exports/wechat/gong-jiang/article.html", tag_like.source, PATH)]


def test_near_misses_are_not_leaks(site):
    write(site, "stories/draft-one-more/index.html",
          '<a href="../stories/draft-one-more/">x</a> <a href="../draft-one-more/">y</a> stories/draft-onex '
          'substories/draft-one 5G 网络某处')
    write(site, "exports/draft-ones.zip", zipped({"draft-one-more.txt": "stories/draft-one2"}))
    # Short titles are searched only as names of two or more non-ASCII letters (test_hostile_audit.py)
    ascii_short = Secret("content/stories/2026/short.md", "stories/short/", "5G")
    one_char = Secret("content/stories/2026/one.md", "stories/one/", "某")
    assert audit(site, [DRAFT, ascii_short, one_char]) == []


def test_preview_ignores_pages_and_media_but_not_sitemap_or_search(site):
    write(site, "stories/draft-one/index.html", f"<h1>{TITLE}</h1><a href='../draft-one/'>x</a>")
    write(site, "index.html", '<a href="stories/draft-one/">高温 &amp; 坚守</a>')
    write(site, "media/stories/2026/draft-one/photo.png", PHOTO)
    write(site, "media/images/copy.png", PHOTO)
    write(site, "sitemap.xml", "<loc>https://example.org/stories/draft-one/</loc>")
    write(site, "search/index.json", json.dumps({"location": "stories/draft-one/"}))
    assert audit(site, [DRAFT], pages_may_show=True) == leaks(site, ("search/index.json", URL), ("sitemap.xml", URL))
    # the same folder in production: everything is reported
    production = {(leak.output, leak.what) for leak in audit(site, [DRAFT])}
    assert production == {("index.html", URL), ("index.html", TITLE_WHAT), ("media/images/copy.png", ASSET),
                          ("media/stories/2026/draft-one/photo.png", ASSET),  # by its bytes, not its name
                          ("search/index.json", URL),
                          ("sitemap.xml", URL), ("stories/draft-one/index.html", PATH),
                          ("stories/draft-one/index.html", TITLE_WHAT),
                          ("stories/draft-one/index.html", URL)}  # its link ../draft-one/, resolved


def test_preview_still_checks_exports_in_full(site):
    write(site, "exports/partners/draft-one.zip", zipped({"a.html": TITLE, "img.png": PHOTO}))
    assert audit(site, [DRAFT], pages_may_show=True) == leaks(
        site, ("exports/partners/draft-one.zip", PATH), ("exports/partners/draft-one.zip!a.html", TITLE_WHAT),
        ("exports/partners/draft-one.zip!img.png", ASSET))


def test_corrupt_archives_are_scanned_as_raw_bytes(site):
    write(site, "downloads/broken.zip", b"PK\x03\x04\x14\x00garbage https://example.org/stories/draft-one/ more")
    write(site, "downloads/broken.epub", b"not a zip at all")
    write(site, "sitemap.xml.gz", b"\x1f\x8b\x08\x00broken stories/draft-one/")
    truncated = zipped({"a.txt": "stories/draft-one/" * 100})[:60]
    write(site, "downloads/truncated.zip", truncated)
    assert audit(site, [DRAFT]) == leaks(site, ("downloads/broken.zip", URL), ("sitemap.xml.gz", URL))


def test_oversized_members_are_skipped_but_their_names_checked(site, monkeypatch):
    monkeypatch.setattr(audit_module, "MEMBER_LIMIT", 100)
    write(site, "downloads/big.zip", zipped({"big.txt": "x" * 200 + "stories/draft-one/", "draft-one.txt": "",
                                             "small.txt": "stories/draft-one/"}))
    assert audit(site, [DRAFT]) == leaks(site, ("downloads/big.zip!draft-one.txt", PATH),
                                         ("downloads/big.zip!small.txt", URL))


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 17, 18, 19, 4096])
def test_matches_across_read_chunks(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(audit_module, "CHUNK", chunk)
    text = "……stories/draft-one/ 高温 &amp; 坚守 stories/draft-one-more stories/draft-one"
    write(tmp_path, "a.txt", text)
    write(tmp_path, "b.txt", "xstories/draft-one-")
    write(tmp_path, "c.txt", "stories/draft-one")
    assert audit(tmp_path, [DRAFT]) == leaks(tmp_path, ("a.txt", TITLE_WHAT), ("a.txt", URL), ("c.txt", URL))


def test_order_is_deterministic_and_each_leak_once(tmp_path):
    other = Secret("content/models/a-worker.md", "models/a-worker/", "一位劳动模范")
    write(tmp_path, "z.html", "models/a-worker/ models/a-worker/ stories/draft-one/ 一位劳动模范")
    write(tmp_path, "a.html", "stories/draft-one/ stories/draft-one/")
    assert audit(tmp_path, [other, DRAFT]) == [
        Leak("a.html", SRC, URL),
        Leak("z.html", "content/models/a-worker.md", "标题「一位劳动模范」"),
        Leak("z.html", "content/models/a-worker.md", "页面地址 models/a-worker/"),
        Leak("z.html", SRC, URL),
    ]


def test_match_at_the_start_of_a_kept_tail_keeps_its_left_neighbour(tmp_path, monkeypatch):
    # The longest marker of a URL-only secret is "stories\/draft-one" (18); the kept tail is 19 bytes,
    # so after the first 20-byte read it starts exactly at "stories/…", whose left neighbour "x" is gone.
    monkeypatch.setattr(audit_module, "CHUNK", 20)
    url_only = Secret(SRC, "stories/draft-one/", "")
    write(tmp_path, "a.txt", "xstories/draft-one/.more")
    assert audit(tmp_path, [url_only]) == []
    write(tmp_path, "b.txt", "/stories/draft-one/.more")
    assert audit(tmp_path, [url_only]) == leaks(tmp_path, ("b.txt", URL))


def test_zip_recognised_by_its_bytes_whatever_the_suffix(site):
    # OFD (the Chinese e-document format) and many others are zip files under another name.
    write(site, "exports/notice.ofd", zipped({"Doc_0/Content.xml": "<t>stories/draft-one/</t>"}))
    write(site, "downloads/bundle.zip", zipped({"inner.bin": zipped({"a.txt": "stories/draft-one/"})}))
    assert audit(site, [DRAFT]) == leaks(site, ("downloads/bundle.zip!inner.bin!a.txt", URL),
                                         ("exports/notice.ofd!Doc_0/Content.xml", URL))


def test_the_same_bytes_in_every_place_and_role_are_each_reported(site):
    # Identical bytes are read once (audit._Auditor.hits): each copy is still named, and bytes read
    # as a picture (where a two-character name is chance) are read again as text, where it is not.
    # No URLs: links are not read, so only the role tells the picture from the text.
    person = Secret("content/models/wang-fang.md", "", "王芳", noun="姓名")
    draft = Secret(SRC, "", TITLE)
    styles = f"<w:styles>{TITLE}</w:styles> 王芳".encode()
    for name in ("a", "b"):
        write(site, f"exports/partners/{name}.zip", zipped({"story.docx": zipped({"word/styles.xml": styles})}))
    write(site, "downloads/same.zip", zipped({"p/1.jpg": styles, "p/2.txt": styles, "p/3.jpg": styles}))
    found = [(leak.output, leak.what) for leak in audit(site, [draft, person])]
    assert found == [("downloads/same.zip!p/1.jpg", TITLE_WHAT), ("downloads/same.zip!p/2.txt", "姓名「王芳」"),
                     ("downloads/same.zip!p/2.txt", TITLE_WHAT), ("downloads/same.zip!p/3.jpg", TITLE_WHAT),
                     ("exports/partners/a.zip!story.docx!word/styles.xml", "姓名「王芳」"),
                     ("exports/partners/a.zip!story.docx!word/styles.xml", TITLE_WHAT),
                     ("exports/partners/b.zip!story.docx!word/styles.xml", "姓名「王芳」"),
                     ("exports/partners/b.zip!story.docx!word/styles.xml", TITLE_WHAT)]


def test_members_stored_alike_are_each_reported_and_an_archive_inside_is_still_opened(site):
    # A member is known by its stored bytes (audit._Auditor._member_key), read once: every copy is named,
    # and a member that is itself an archive is still opened in each place (its title is deflated away).
    text = f"稿件：{TITLE}"
    inner = zipped({"x.txt": text})
    write(site, "downloads/one.zip", zipped({"a/inner.zip": inner, "b/same.txt": text, "c/same.txt": text}))
    write(site, "downloads/two.zip", zipped({"a/inner.zip": inner, "b/same.txt": text}))
    assert audit(site, [DRAFT]) == leaks(site, ("downloads/one.zip!a/inner.zip!x.txt", TITLE_WHAT),
                                         ("downloads/one.zip!b/same.txt", TITLE_WHAT),
                                         ("downloads/one.zip!c/same.txt", TITLE_WHAT),
                                         ("downloads/two.zip!a/inner.zip!x.txt", TITLE_WHAT),
                                         ("downloads/two.zip!b/same.txt", TITLE_WHAT))


def test_a_member_known_by_its_stored_bytes_still_spends_the_archive_budget(site, monkeypatch):
    # Unpacked or remembered, a member counts against its archive's budget alike: the third and fourth
    # copies do not fit in two and a half.
    text = f"稿件：{TITLE}".encode() * 50
    monkeypatch.setattr(audit_module, "ARCHIVE_BUDGET", len(text) * 5 // 2)
    write(site, "downloads/four.zip", zipped({f"{n}.txt": text for n in range(1, 5)}))
    assert audit(site, [DRAFT]) == leaks(site, ("downloads/four.zip!1.txt", TITLE_WHAT),
                                         ("downloads/four.zip!2.txt", TITLE_WHAT))


def test_a_member_is_read_as_the_name_the_site_spells_it_even_when_stored_alike(site):
    # "a\\.jpg" is the member "a/.jpg" (a dot file, text) wherever it is read, though the same bytes as
    # the picture x.jpg come first: a two-character name is found in it, not in the picture.
    person = Secret("content/models/wang-fang.md", "", "王芳", noun="姓名")
    data = "车间里的王芳".encode()
    write(site, "downloads/names.zip", zipped({"x.jpg": data, "a\\.jpg": data}))
    assert [(leak.output, leak.what) for leak in audit(site, [person])] == [("downloads/names.zip!a/.jpg", "姓名「王芳」")]


def _planted(site):
    write(site, "stories/other/index.html", '<a href="../draft-one/">x</a>')
    write(site, "feed.txt", f"最新：{TITLE}\n")
    write(site, "downloads/photos.zip", zipped({"p/1.png": PHOTO}))
    write(site, "exports/partners/draft-one.zip", zipped({"a.txt": "公开"}))
    return audit(site, [DRAFT], processes=1)


def test_two_processes_find_what_one_finds_and_share_the_files(site, monkeypatch):
    alone = _planted(site)
    assert len(alone) == 4  # the four planted, each in its own file
    here = []
    audit_files = audit_module._audit_files
    monkeypatch.setattr(audit_module, "_audit_files", lambda *task: here.extend(task[4]) or audit_files(*task))
    assert audit(site, [DRAFT], processes=2) == alone
    files = sorted(audit_module._walk(site))
    assert here == [rel for rel, _path in files[0::2]]  # the rest were read by the other process


def test_a_helper_that_cannot_start_leaves_its_files_to_this_process(site, monkeypatch):
    alone = _planted(site)
    monkeypatch.setattr(audit_module.sys, "executable", str(site / "no-such-python"))
    assert audit(site, [DRAFT], processes=3) == alone


def test_a_page_is_read_for_its_own_folder_even_when_another_has_its_bytes(site):
    # Relative links depend on the page's folder: a page's bytes are never taken as another's.
    link = '<a href="../draft-one/">x</a>'
    write(site, "about/x/index.html", link)  # about/draft-one/: nothing hidden
    write(site, "stories/other/index.html", link)  # stories/draft-one/
    assert audit(site, [DRAFT]) == leaks(site, ("stories/other/index.html", URL))


@pytest.mark.parametrize("helper", ["import sys; sys.exit(3)", "import sys; sys.stdout.buffer.write(b'not a pickle')",
                                    "import pickle, sys; pickle.dump(set(), sys.stdout.buffer)",
                                    "import pickle, sys; pickle.dump({}, sys.stdout.buffer)"])
def test_a_helper_that_fails_or_answers_nonsense_is_not_believed(site, tmp_path, monkeypatch, helper):
    alone = _planted(site)
    stub = tmp_path / "stub/unionpress"
    stub.mkdir(parents=True)
    (stub / "__init__.py").write_text("")
    (stub / "audit.py").write_text(helper)
    monkeypatch.setattr(audit_module.sitefiles, "package_path", lambda: str(stub.parent))
    found = audit(site, [DRAFT], processes=2)
    if "{}" in helper:  # a well-formed answer is taken as it is: the half it was given, nothing found
        assert found != alone and set(found) < set(alone)
    else:
        assert found == alone


# -- the memo of the last audit (audit._Memo) -----------------------------------------------------------

OTHER = Secret("content/stories/2026/other-draft.md", "stories/other-draft/", "井下八百米的夜班", line=1)


def _reading(monkeypatch) -> list[str]:
    """The files the audit reads, in this process (one process: processes=1)."""
    read: list[str] = []
    file = audit_module._Auditor.file
    monkeypatch.setattr(audit_module._Auditor, "file",
                        lambda self, rel, path, data=None: read.append(rel) or file(self, rel, path, data))
    return read


def test_an_unchanged_file_is_not_read_again_and_keeps_its_traces(site, tmp_path, monkeypatch):
    memo = tmp_path / "memo"
    write(site, "exports/wechat/a/article.html", f"<p>{TITLE}</p>")
    write(site, "exports/partners/b.zip", zipped({"b.txt": f"井下八百米的夜班 <a href='/stories/draft-one/'>x</a>"}))
    first = audit(site, [DRAFT, OTHER], processes=1, memo=memo)
    assert [(leak.output, leak.source) for leak in first] == [
        ("exports/partners/b.zip!b.txt", SRC), ("exports/partners/b.zip!b.txt", OTHER.source),
        ("exports/wechat/a/article.html", SRC)]
    read = _reading(monkeypatch)
    assert audit(site, [DRAFT, OTHER], processes=1, memo=memo) == first and read == []
    # A file written again is read again: its new text is what counts.
    write(site, "exports/wechat/a/article.html", "<p>公开的文字</p>")
    again = audit(site, [DRAFT, OTHER], processes=1, memo=memo)
    assert read == ["exports/wechat/a/article.html"]
    assert again == [leak for leak in first if leak.output != "exports/wechat/a/article.html"]


def test_a_secret_no_longer_hidden_is_dropped_and_the_rest_kept_in_any_order(site, tmp_path, monkeypatch):
    memo = tmp_path / "memo"
    write(site, "exports/wechat/a/article.html", f"<p>{TITLE}</p><p>井下八百米的夜班</p>")
    moved = Secret(OTHER.source, OTHER.url, OTHER.title, line=7)  # the same secret, another line: another secret
    reordered = audit(site, [OTHER, DRAFT], processes=1)
    audit(site, [DRAFT, OTHER], processes=1, memo=memo)
    read = _reading(monkeypatch)
    assert audit(site, [OTHER, DRAFT], processes=1, memo=memo) == reordered and read == []
    assert audit(site, [OTHER], processes=1, memo=memo) == [
        Leak("exports/wechat/a/article.html", OTHER.source, "标题「井下八百米的夜班」")] and read == []
    assert [leak.line for leak in audit(site, [moved], processes=1, memo=memo)] == [7]
    assert read  # read again: a secret nobody looked for


def test_a_new_secret_or_other_rules_read_every_file_again(site, tmp_path, monkeypatch):
    memo = tmp_path / "memo"
    write(site, "exports/wechat/a/article.html", "<p>井下八百米的夜班</p>")
    assert audit(site, [DRAFT], processes=1, memo=memo) == []
    read = _reading(monkeypatch)
    files = sorted(rel for rel, _path in audit_module._walk(site))
    # The new draft's title was in an unchanged file all along: found.
    assert [leak.source for leak in audit(site, [DRAFT, OTHER], processes=1, memo=memo)] == [OTHER.source]
    assert read == files
    read.clear()
    audit(site, [DRAFT, OTHER], processes=1, memo=memo, site_url="https://example.org/")
    assert read == files
    read.clear()
    audit(site, [DRAFT, OTHER], processes=1, memo=memo, pages_may_show=True)
    assert read == files
    for broken in ("", "[]", '{"rules": 1}', "不是 JSON"):
        memo.write_text(broken, encoding="utf-8")
        read.clear()
        assert [leak.source for leak in audit(site, [DRAFT, OTHER], processes=1, memo=memo)] == [OTHER.source]
        assert read == files


def test_a_file_the_system_would_not_let_it_read_is_read_again_next_time(site, tmp_path, monkeypatch):
    # Its stat can stay the same when its permissions are mended: an empty verdict is not remembered.
    memo = tmp_path / "memo"
    leaking = write(site, "exports/wechat/a/article.html", f"<p>{TITLE}</p>")
    real_open = open

    def refusing(path, *args, **kwargs):
        if str(path) == str(leaking):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(audit_module, "open", refusing, raising=False)
    assert audit(site, [DRAFT], processes=1, memo=memo) == []
    monkeypatch.undo()
    assert [leak.output for leak in audit(site, [DRAFT], processes=1, memo=memo)] == ["exports/wechat/a/article.html"]


def test_a_file_written_again_with_the_same_bytes_keeps_its_traces_unread(site, tmp_path, monkeypatch):
    # A page rendered again alike, an EPUB made again from the same chapters: a new file each build,
    # known by the sha256 of its bytes at its path. Other bytes, or the same bytes elsewhere, are read.
    memo = tmp_path / "memo"
    page = f"<p>{TITLE}</p><a href='../draft-one/'>x</a>"
    write(site, "stories/a/index.html", page)
    write(site, "downloads/book.zip", zipped({"c.xhtml": f"<p>{TITLE}</p>"}))
    first = audit(site, [DRAFT], processes=1, memo=memo)
    assert {leak.output for leak in first} == {"stories/a/index.html", "downloads/book.zip!c.xhtml"}
    for rel in ("stories/a/index.html", "downloads/book.zip"):
        written = site / rel
        data = written.read_bytes()
        written.unlink()
        written.write_bytes(data)  # a new file: another inode and time
    read = _reading(monkeypatch)
    assert audit(site, [DRAFT], processes=1, memo=memo) == first and read == []
    write(site, "stories/b/index.html", page)  # the same bytes at another path: read
    write(site, "stories/a/index.html", "<p>公开的文字</p>")  # other bytes at the same path: read
    again = audit(site, [DRAFT], processes=1, memo=memo)
    assert sorted(read) == ["stories/a/index.html", "stories/b/index.html"]
    assert {leak.output for leak in again} == {"stories/b/index.html", "downloads/book.zip!c.xhtml"}
    read.clear()
    write(site, "stories/a/index.html", page)  # its first bytes again, the sha256 of the last audit differs
    found = audit(site, [DRAFT], processes=1, memo=memo)
    assert {leak.output for leak in found} == {leak.output for leak in first} | {"stories/b/index.html"}
    assert read == ["stories/a/index.html"]


@pytest.mark.parametrize("bad", [{"hits": ((("x",), 0, "y"),)}, {"hits": (("x", 5, "y"),)}, {"hits": (("x", 0),)},
                                 {"hits": [["x", 0, "y"]]}, {"stat": "1 2 3"}, {"secrets": [1]}])
def test_a_memo_of_the_right_shape_but_wrong_values_is_not_believed(site, tmp_path, monkeypatch, bad):
    memo = tmp_path / "memo"
    write(site, "exports/wechat/a/article.html", f"<p>{TITLE}</p>")
    first = audit(site, [DRAFT], processes=1, memo=memo)
    assert [leak.output for leak in first] == ["exports/wechat/a/article.html"]
    rules, written = marshal.loads(derived.read_sealed(memo))
    stat, hits, sha = written["files"]["exports/wechat/a/article.html"]  # as on disk: it would be believed
    written["files"]["exports/wechat/a/article.html"] = (bad.get("stat", stat), bad.get("hits", hits), sha)
    written["secrets"] = bad.get("secrets", written["secrets"])
    derived.write_sealed(memo, marshal.dumps((rules, written)))  # sealed again: only its values are wrong
    read = _reading(monkeypatch)
    assert audit(site, [DRAFT], processes=1, memo=memo) == first  # its leak found all the same
    # Rows that cannot be believed: the memo is not, and the file is audited again. Another stat: its
    # bytes are read and, being the same bytes, keep the traces they had (no audit needed).
    assert ("exports/wechat/a/article.html" in read) == ("stat" not in bad)


def test_a_damaged_memo_is_not_believed(site, tmp_path, monkeypatch):
    memo = tmp_path / "memo"
    write(site, "exports/wechat/a/article.html", f"<p>{TITLE}</p>")
    first = audit(site, [DRAFT], processes=1, memo=memo)
    assert [leak.output for leak in first] == ["exports/wechat/a/article.html"]
    data = bytearray(memo.read_bytes())
    data[-5] ^= 1  # one bit of the rows changed on the disk: its seal no longer matches
    memo.write_bytes(bytes(data))
    read = _reading(monkeypatch)
    assert audit(site, [DRAFT], processes=1, memo=memo) == first
    assert read == sorted(rel for rel, _path in audit_module._walk(site))


def test_the_walk_lists_what_os_walk_lists_with_each_files_stat(site, tmp_path):
    write(site, "a/b/c/deep.txt", "x")
    (site / "linked-folder").symlink_to(site / "a", target_is_directory=True)  # listed, never walked into
    (site / "linked-file.txt").symlink_to(site / "a/b/c/deep.txt")
    (site / "broken-link.txt").symlink_to(site / "nowhere.txt")
    walked = sorted(os.path.relpath(os.path.join(here, name), site).replace(os.sep, "/")
                    for here, _folders, names in os.walk(site) for name in names)
    tree = audit_module._tree(str(site))
    assert sorted(tree) == walked and "a/b/c/deep.txt" in tree and "linked-folder" not in tree
    assert all(tree[rel] == derived.file_stat(site / rel) for rel in walked)
    assert tree["broken-link.txt"] == () and tree["linked-file.txt"] == derived.file_stat(site / "a/b/c/deep.txt")
