"""The e-reading room (电子职工书屋): /library/, shelves, books, reading shares; ISBN-13 checksum and
hyphenation; what the reading room gives search, the homepage, the channel bar and the feeds; and that
nothing of a draft book or share reaches any of them.

Most tests read one fixture site built in-process once for the module (engine.prepare + render, with
a page size of 2 so that pagination shows); the leak tests build the shipped sample with MkDocs."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path

import feedparser
import pytest
import yaml

from conftest import BASE, NOW, ROOT, check, write_item

from unionpress import isbn
from unionpress.kinds import ITEM_KINDS, book as book_kind, share as share_kind
from unionpress.validate import isbn_problem

# -- ISBN ----------------------------------------------------------------------------------------------


def with_check_digit(first12: str) -> str:
    """An ISBN-13 with its check digit, worked out here independently of the engine (weights 1, 3)."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


@pytest.mark.parametrize("first12, shown", [
    # China's publisher-prefix ranges (978-7), each at both ends: 00–09, 100–499, 5000–7999, 80000–89999,
    # 900000–999999 (International ISBN Agency, RangeMessage.xml).
    ("978700123456", "978-7-00-123456-"), ("978709999999", "978-7-09-999999-"),
    ("978710000000", "978-7-100-00000-"), ("978749999999", "978-7-499-99999-"),
    ("978750083712", "978-7-5008-3712-"), ("978750000000", "978-7-5000-0000-"), ("978779999999", "978-7-7999-9999-"),
    ("978780000000", "978-7-80000-000-"), ("978789999999", "978-7-89999-999-"),
    ("978790000000", "978-7-900000-00-"), ("978799999999", "978-7-999999-99-"),
    ("978711172345", "978-7-111-72345-"), ("978702013975", "978-7-02-013975-"),
])
def test_isbn_of_a_chinese_publisher_is_hyphenated_by_the_agency_ranges(first12, shown):
    number = with_check_digit(first12)
    assert isbn_problem(number) is None
    assert isbn.hyphenated(number) == shown + number[-1]
    assert isbn.hyphenated(shown + number[-1]) == shown + number[-1]  # already hyphenated: unchanged


def test_isbn_ranges_cover_every_publisher_prefix_of_the_group_once():
    """Every start of the eight digits after 978-7 falls in exactly one range (the longest prefix has
    six digits): no number is left ungrouped, none matches two prefix lengths."""
    ranges = isbn.RANGES[("978", "7")]
    for head in range(0, 1_000_000, 7):  # every seventh six-digit start, and each range's ends below
        six = f"{head:06d}"
        assert sum(1 for low, high in ranges if low <= six[: len(low)] <= high) == 1, six
    for low, high in ranges:
        for end in (low, high):
            six = end.ljust(6, "0")
            assert sum(1 for lo, hi in ranges if lo <= six[: len(lo)] <= hi) == 1, six


def test_isbn_written_oddly_is_shown_as_the_ranges_say():
    assert isbn.hyphenated("97-875008-37121") == "978-7-5008-3712-1"  # the editor's hyphens are not trusted
    assert isbn.hyphenated("978 7500 837121") == "978-7-5008-3712-1"
    assert isbn.hyphenated("９７８７５００８３７１２１") == "978-7-5008-3712-1"  # full-width digits (Chinese input)
    assert isbn.digits("978-7-5008-3712-1") == "9787500837121"


def test_isbn_of_another_group_is_shown_as_its_digits_never_with_guessed_hyphens():
    assert isbn.hyphenated("978-0-306-40615-7") == "9780306406157"
    assert isbn.hyphenated("9789629370198") == "9789629370198"  # Hong Kong (962): not in the ranges
    assert isbn.hyphenated("12345") == "12345"  # not an ISBN: as written


def test_isbn_check_messages():
    assert isbn_problem("9787500837121") is None
    assert isbn_problem("9787500837122") == "校验位不对，请核对书上的条码号"
    assert isbn_problem("978750083712") == "应为 13 位数字（ISBN-13，可含连字符）"
    assert isbn_problem(with_check_digit("690123456789")) == "ISBN-13 以 978 或 979 开头，请核对书上的条码号"  # a grocery EAN
    assert isbn_problem(with_check_digit("979101234567")) is None


def test_an_invalid_isbn_is_a_located_finding_and_never_printed(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(BASE, content)
    write_item(content, "library/books/bad.md", title="坏书号", author="甲", shelf="wenxue",
               isbn="9787500837122", status="published")
    write_item(content, "library/books/ean.md", title="商品码", author="甲", shelf="wenxue",
               isbn=with_check_digit("690123456789"), status="published")
    lines, build = check(content)
    assert any(line.endswith("content/library/books/bad.md:5: [isbn-invalid] ISBN「9787500837122」无效："
                             "校验位不对，请核对书上的条码号") for line in lines), lines
    assert any(line.endswith("content/library/books/ean.md:5: [isbn-invalid] ISBN「6901234567892」无效："
                             "ISBN-13 以 978 或 979 开头，请核对书上的条码号") for line in lines), lines
    html = build.renderer.out.text_of("library/books/bad/")
    assert "9787500837122" not in html and "ISBN</dt>" not in html


def test_every_sample_book_has_a_valid_isbn_of_a_chinese_publisher():
    books = list((ROOT / "content/library/books").glob("*.md"))
    assert len(books) >= 12
    for path in books:
        meta = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
        number = str(meta["isbn"])
        assert isbn_problem(number) is None, path.name
        assert isbn.hyphenated(number).startswith("978-7-") and isbn.hyphenated(number).count("-") == 4, path.name


# -- a fixture reading room ----------------------------------------------------------------------------

SHELVES = """\
- {key: wenxue, name: 文学, description: 小说和散文}
- {key: dangshi, name: 党史学习}
- {key: jineng, name: 技能提升}
- {key: kong, name: 只有草稿的书架}
- {key: caogao, name: 未公开书架, status: draft}
"""
HOSTILE = "</script><b>危险&书</b>"


def _book(content: Path, slug: str, shelf: str, status: str = "published", **fields) -> None:
    fields = {"title": f"书{slug}", "author": "林涛 著", "shelf": shelf, "status": status, **fields}
    write_item(content, f"library/books/{slug}.md", f"推荐语{slug}。", review=status == "published", **fields)


def _share(content: Path, slug: str, book: str, date: str, status: str = "published", **fields) -> None:
    fields = {"title": f"分享{slug}", "book": book, "author": "韩洁", "unit": "示例重工", "date": date,
              "status": status, **fields}
    write_item(content, f"library/shares/{slug}.md", f"分享正文{slug}。", review=status == "published", **fields)


def reading_room(content: Path) -> None:
    (content / "library/shelves.yml").write_text(SHELVES, encoding="utf-8")
    with (content / "topics.yml").open("a", encoding="utf-8") as topics:  # a topic only books are in
        topics.write("- {key: shuxiang, name: 书香工匠}\n")
    shutil.copy(BASE / "images/cover.jpg", content / "library/cover.jpg")
    for n in range(1, 6):  # five dated books and one undated: three pages of two, newest first
        _book(content, f"w{n}", "wenxue", date=f"2026-05-0{n}")  # after the fixture's reviews (2026-04-30)
    _book(content, "w0", "wenxue")
    _book(content, "d1", "dangshi", title="百年工运简明读本", author="示例市总工会 编", publisher="示例工人出版社",
          year=2021, isbn="9787500837121", cover="../cover.jpg", date="2026-05-10",
          summary="讲给班组听的工运史。", topics="[shuxiang]")
    _book(content, "k-topic", "kong", status="draft", title="草稿书目DB3", topics="[shuxiang]")
    _book(content, "d2", "dangshi", title=f"'{HOSTILE}'", author="王振东 主编", isbn="978-7-111-72345-5",
          date="2026-05-12")
    _book(content, "j1", "jineng", date="2026-05-11")
    _book(content, "j-later", "jineng", title="定时上架的书QB1", date="2026-12-01")  # embargoed
    _book(content, "k-draft", "kong", status="draft", title="草稿书目DB1")
    _book(content, "c-draft", "caogao", status="draft", title="草稿书架上的书DB2")
    _share(content, "s1", "d1", "2026-06-01 09:00")
    _share(content, "s2", "d1", "2026-07-01 09:00", author="赵红梅", unit="示例公交集团")
    _share(content, "s3", "w5", "2026-06-15 09:00")
    _share(content, "s-draft", "d1", "2026-06-20 09:00", status="draft", title="草稿分享DS1", author="钟未晞")
    _share(content, "s-later", "d1", "2026-12-01 09:00", title="定时分享QS1")
    _share(content, "s-orphan", "c-draft", "2026-05-20 09:00", title="分享未上架的书")
    write_item(content, "contests/zhengwen/index.md", "征文启事。", title="读书征文正在征集", theme="书香",
               opens="2026-11-01", closes="2026-12-31", status="published")
    write_item(content, "contests/guoqi/index.md", "往期。", title="往期征文已截止", opens="2026-01-01",
               closes="2026-02-01", status="published")
    write_item(content, "stories/du-shu.md", "读 [这本书](../library/books/d1.md)、[这篇分享](/library/shares/s1/)，"
               "逛 [文学书架](/library/shelves/wenxue/) 和 [书屋](/library/)。", title="读书的故事",
               date="2026-06-02 09:00", column="laodongzhe-zhi-ge", status="published")


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    content = tmp_path_factory.mktemp("room") / "content"
    shutil.copytree(BASE, content)
    reading_room(content)
    lines, build = check(content, page_size=2)
    return lines, build


def page(room, url: str) -> str:
    return room[1].renderer.out.text_of(url)


def urls(room) -> set[str]:
    return {p.url for p in room[1].pages}


def titles_in_order(html: str, names) -> list[str]:
    return sorted((name for name in names if name in html), key=html.index)


def test_the_fixture_builds_without_findings(room):
    assert room[0] == []


def test_library_shows_shelves_in_file_order_and_only_those_with_a_public_book(room):
    html = page(room, "library/")
    headings = re.findall(r'<h2 id="up-shelf-[^"]+"><a href="shelves/([^/]+)/">', html)
    assert headings == ["wenxue", "dangshi", "jineng"]  # shelves.yml order, not A→Z
    assert "只有草稿的书架" not in html and "未公开书架" not in html
    assert {"library/shelves/kong/", "library/shelves/caogao/"}.isdisjoint(urls(room))
    strip = html[html.index('id="shelf-wenxue"'):html.index('id="shelf-dangshi"')]
    assert titles_in_order(strip, [f"书w{n}" for n in range(6)]) == ["书w5", "书w4", "书w3", "书w2", "书w1", "书w0"]
    assert "全部 6 本" in strip


def test_library_lists_the_newest_shares_and_the_contests_open_now(room):
    html = page(room, "library/")
    shares = html[html.index('id="up-library-shares"'):]
    assert titles_in_order(shares, ["分享s1", "分享s2", "分享s3", "分享未上架的书"]) == ["分享s2", "分享s3", "分享s1", "分享未上架的书"]
    assert "草稿分享DS1" not in html and "定时分享QS1" not in html
    assert "读书征文正在征集" in html and 'href="../contests/zhengwen/"' in html
    assert "往期征文已截止" not in html  # closed on 2026-02-01


def test_shelf_pages_are_paginated_newest_first(room):
    first, second, third = (page(room, url) for url in
                            ("library/shelves/wenxue/", "library/shelves/wenxue/page/2/", "library/shelves/wenxue/page/3/"))
    names = [f"书w{n}" for n in range(6)]
    assert (titles_in_order(first, names), titles_in_order(second, names), titles_in_order(third, names)) == (
        ["书w5", "书w4"], ["书w3", "书w2"], ["书w1", "书w0"])
    assert "library/shelves/wenxue/page/4/" not in urls(room)
    assert 'rel="next" href="page/2/"' in first and 'rel="prev" href="../../"' in second
    assert "共 6 本" in first and "<h1>文学" in first


def test_book_page_shows_everything_and_its_public_shares_newest_first(room):
    html = page(room, "library/books/d1/")
    for text in ["<h1>百年工运简明读本</h1>", "示例市总工会 编", "示例工人出版社", "2021 年",
                 '<dd class="up-isbn">978-7-5008-3712-1</dd>', "讲给班组听的工运史。", "推荐语d1。",
                 'alt="《百年工运简明读本》封面"', 'href="../../shelves/dangshi/"']:
        assert text in html, text
    shares = html[html.index('id="up-book-shares"'):]
    assert titles_in_order(shares, ["分享s1", "分享s2"]) == ["分享s2", "分享s1"]
    assert "草稿分享DS1" not in html and "定时分享QS1" not in html
    assert ITEM_KINDS["book"].url is not None and {"library/books/k-draft/", "library/books/c-draft/",
                                                   "library/books/j-later/"}.isdisjoint(urls(room))


def test_share_page_links_its_book_and_steps_among_shares(room):
    html = page(room, "library/shares/s1/")
    for text in ["<h1>分享s1</h1>", "韩洁（示例重工）", "2026年6月1日", "分享正文s1。",
                 'href="../../books/d1/"', "《百年工运简明读本》"]:
        assert text in html, text
    # newest first over every share of the view: s2, s3, s1, s-orphan (drafts and embargoed never)
    assert re.search(r'上一篇</span><a rel="prev" href="../s3/">分享s3</a>', html)
    assert re.search(r'下一篇</span><a rel="next" href="../s-orphan/">分享未上架的书</a>', html)
    newest, oldest = page(room, "library/shares/s2/"), page(room, "library/shares/s-orphan/")
    assert "上一篇</span>" not in newest and 'rel="next" href="../s3/"' in newest
    assert "下一篇</span>" not in oldest and 'rel="prev" href="../s1/"' in oldest
    assert "library/shares/s-draft/" not in urls(room) and "library/shares/s-later/" not in urls(room)


def test_a_share_about_a_book_not_on_the_shelf_names_no_book(room):
    html = page(room, "library/shares/s-orphan/")
    assert "分享正文s-orphan。" in html
    assert "DB2" not in html and "c-draft" not in html and "up-sharebook" not in html


def test_all_shares_page_is_paginated(room):
    first, second = page(room, "library/shares/"), page(room, "library/shares/page/2/")
    names = ["分享s1", "分享s2", "分享s3", "分享未上架的书"]
    assert titles_in_order(first, names) == ["分享s2", "分享s3"]
    assert titles_in_order(second, names) == ["分享s1", "分享未上架的书"]
    assert "共 4 篇" in first


def _ld(html: str) -> dict:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def test_structured_data_book_with_isbn_and_share_as_a_review_of_it(room):
    book = _ld(page(room, "library/books/d1/"))
    assert (book["@type"], book["name"], book["isbn"]) == ("Book", "百年工运简明读本", "9787500837121")
    assert book["author"] == {"@type": "Organization", "name": "示例市总工会"}  # 编 is a role, not the name
    assert book["publisher"]["name"] == "示例工人出版社" and book["datePublished"] == "2021"
    review = _ld(page(room, "library/shares/s1/"))
    assert review["@type"] == "Review" and review["author"]["name"] == "韩洁"
    assert review["author"]["affiliation"]["name"] == "示例重工"
    assert review["itemReviewed"]["isbn"] == "9787500837121" and review["datePublished"].startswith("2026-06-01")
    assert "itemReviewed" not in _ld(page(room, "library/shares/s-orphan/"))


def test_every_metadata_value_is_escaped(room):
    html = page(room, "library/books/d2/")
    assert HOSTILE not in html and "&lt;/script&gt;&lt;b&gt;危险&amp;书&lt;/b&gt;" in html
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "\\u003c/script\\u003e" in script and json.loads(script)["name"] == HOSTILE
    assert _ld(html)["author"] == {"@type": "Person", "name": "王振东"} and "978-7-111-72345-5" in html
    shelf = page(room, "library/shelves/dangshi/")
    assert HOSTILE not in shelf and HOSTILE not in page(room, "library/")


def test_a_topic_lists_its_books_and_a_book_its_topics(room):
    """A topic holding nothing but a book has a page (books are topic members), listing the public ones."""
    html = page(room, "topics/shuxiang/")
    assert "相关书目" in html and 'href="../../library/books/d1/"' in html and "DB3" not in html
    assert ITEM_KINDS["book"].topic(room[1].public, room[1].public.lists["topic"]["shuxiang"]) == (
        room[1].public.get("book", "d1"),)
    assert '专题：<a href="../../../topics/shuxiang/">书香工匠</a>' in page(room, "library/books/d1/")


def test_a_story_links_to_a_book_a_share_a_shelf_and_the_library(room):
    html = page(room, "stories/du-shu/")
    for target in ['href="../../library/books/d1/"', 'href="../../library/shares/s1/"',
                   'href="../../library/shelves/wenxue/"', 'href="../../library/"']:
        assert target in html, target
    assert {"library/books/d1/", "library/shares/s1/", "library/shelves/wenxue/", "library/"} <= urls(room)


def test_search_records_hold_public_books_and_shares_only(room):
    build = room[1]
    body_of = lambda item: build.bodies[id(item)]  # noqa: E731
    books = book_kind.records(build.public, body_of)
    shares = share_kind.records(build.public, body_of)
    public_books = {f"library/books/{s}/" for s in ["w0", "w1", "w2", "w3", "w4", "w5", "d1", "d2", "j1"]}
    assert {r.url for r in books} == public_books and {r.kind for r in books} == {"图书"}
    assert {r.url for r in shares} == {f"library/shares/{s}/" for s in ["s1", "s2", "s3", "s-orphan"]}
    assert {r.kind for r in shares} == {"读书分享"}
    d1 = next(r for r in books if r.url == "library/books/d1/")
    assert "978-7-5008-3712-1" in d1.words and "9787500837121" in d1.words and "推荐语d1。" in d1.text
    s2 = next(r for r in shares if r.url == "library/shares/s2/")
    assert "《百年工运简明读本》" in s2.words and "zhaohongmei" in s2.names
    everything = " ".join(r.words for r in books + shares)
    for marker in ["DB1", "DB2", "DS1", "QS1", "QB1", "钟未晞"]:
        assert marker not in everything


def test_shares_feed_holds_only_public_shares(room):
    build = room[1]
    (feed,) = ITEM_KINDS["share"].feeds(build.public, build.settings)
    assert (feed.stem, feed.page, feed.kind_of_items) == ("feeds/shares", "library/", "share")
    assert [share.slug for share in feed.items(build.public)] == ["s2", "s3", "s1", "s-orphan"]
    assert page(room, "library/").count('type="application/rss+xml" title="读书分享') == 1


def test_homepage_block_and_channel_entry(room):
    build = room[1]
    block = ITEM_KINDS["book"].home(build.public, build.settings)
    assert (block.template, block.url) == ("_home_library.html", "library/")
    assert [b.slug for b in block.context["books"]] == ["d2", "j1", "d1", "w5", "w4", "w3"]
    assert [s.slug for s in block.context["shares"]] == ["s2", "s3", "s1"]
    assert ITEM_KINDS["book"].channel(build.public) == [("职工书屋", "library/")]
    draft = next(item for item in build.catalog.items if item.slug == "k-draft")
    assert ITEM_KINDS["book"].markers(draft) == [("标题", "草稿书目DB1"), ("作者", "林涛")]


def test_without_books_the_reading_room_has_no_page_box_entry_or_feed(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(BASE, content)
    _book(content, "only-draft", "wenxue", status="draft")
    lines, build = check(content)
    assert lines == []
    assert not [p.url for p in build.pages if p.url.startswith("library/")]
    assert ITEM_KINDS["book"].home(build.public, build.settings) is None
    assert ITEM_KINDS["book"].channel(build.public) == [] and ITEM_KINDS["share"].feeds(build.public, build.settings) == []


def test_preview_shows_the_draft_only_shelf_and_draft_book_with_banners(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(BASE, content)
    reading_room(content)
    lines, build = _preview(content)
    assert lines == []
    shelf = build.renderer.out.text_of("library/shelves/kong/")
    assert "草稿·未发布（还没有公开的书目）" in shelf and "草稿书目DB1" in shelf
    held = build.renderer.out.text_of("library/shelves/caogao/")
    assert "草稿·未发布（草稿）" in held
    assert "草稿·未发布（草稿；未完成三审：缺初审、复审、终审）" in build.renderer.out.text_of("library/books/k-draft/")
    assert {p.url for p in build.public_pages}.isdisjoint({"library/shelves/kong/", "library/books/k-draft/"})


def _preview(content: Path):
    from unionpress import config, engine
    from unionpress.findings import Findings

    findings = Findings()
    extensions = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["markdown_extensions"]
    settings = config.from_mapping(content.parent, {"site_name": "测试", "markdown_extensions": extensions}, findings,
                                   environ={"UNIONPRESS_CONTENT": str(content), "UNIONPRESS_NOW": NOW,
                                            "UNIONPRESS_PREVIEW": "1"})
    build = engine.prepare(settings, findings)
    build.render()
    return [f.format() for f in findings.sorted()], build


# -- the shipped sample: nothing of its draft book or draft share anywhere --------------------------------

# The sample's draft book (content/library/books/weiquan-baiwen-caogao.md), alone on the 法律维权 shelf,
# and its draft share (content/library/shares/yeban-dushu-biji-caogao.md), which links the draft book.
DRAFT_BOOK = ["LB7", "职工维权百问", "weiquan-baiwen-caogao", "许望舒", "978-7-5197-6305-3", "9787519763053",
              "falv-weiquan"]
DRAFT_SHARE = ["SR5", "夜班间隙读", "yeban-dushu-biji-caogao", "钟未晞"]


def _texts(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8", errors="replace")
            for p in sorted(site.rglob("*")) if p.is_file() and p.suffix in {".html", ".xml", ".json", ".txt", ".js"}}


def test_sample_drafts_leave_no_trace_in_pages_feeds_sitemap_or_search(sample_site):
    texts = _texts(sample_site)
    assert "library/index.html" in texts and "feeds/shares.xml" in texts  # the places looked at exist
    assert [f"{name}: {marker}" for name, text in texts.items() for marker in DRAFT_BOOK + DRAFT_SHARE
            if marker in text] == []
    assert not (sample_site / "library/shelves/falv-weiquan").exists()  # a shelf holding only a draft


def test_sample_search_records_hold_no_draft():
    from sample_facts import sample

    build = sample()
    from unionpress import search

    records = search.records(build.public, lambda item: build.bodies[id(item)])
    text = " ".join(f"{r.url} {r.words} {' '.join(r.names)}" for r in records)
    assert {r.kind for r in records} >= {"图书", "读书分享"}
    assert [m for m in DRAFT_BOOK + DRAFT_SHARE if m in text] == []


def test_sample_sitemap_lists_the_reading_room(sample_site):
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = {u.findtext("s:loc", namespaces=ns) for u in ET.parse(sample_site / "sitemap.xml").getroot()}
    from sample_facts import sample

    public = sample().public
    expected = {"https://example.org/library/", "https://example.org/library/shares/"}
    expected |= {f"https://example.org/library/books/{b.slug}/" for b in public.all("book")}
    expected |= {f"https://example.org/library/shares/{s.slug}/" for s in public.all("share")}
    expected |= {f"https://example.org/library/shelves/{row.key}/" for row in public.occupied("shelf")}
    assert {loc for loc in locs if "/library/" in loc} == expected


def test_sample_shares_feed_parses_and_holds_the_public_shares_newest_first(sample_site):
    from sample_facts import sample

    public = sample().public
    expected = [f"https://example.org/library/shares/{s.slug}/" for s in public.latest("share")]
    for name in ("shares.xml", "shares.atom.xml"):
        parsed = feedparser.parse((sample_site / "feeds" / name).read_bytes())
        assert parsed.bozo == 0, name
        assert [entry.link for entry in parsed.entries] == expected[: len(parsed.entries)] and parsed.entries
    document = json.loads((sample_site / "feeds/shares.json").read_text(encoding="utf-8"))
    assert [item["url"] for item in document["items"]] == expected[: len(document["items"])]


def test_sample_library_page_shows_every_public_shelf_in_file_order(sample_site):
    from sample_facts import sample

    public = sample().public
    html = (sample_site / "library/index.html").read_text(encoding="utf-8")
    order = [row.key for row in public.lists["shelf"].values() if public.backrefs(row, "book", "shelf")]
    assert re.findall(r'<section class="up-shelf" id="shelf-([^"]+)"', html) == order
    assert len(order) >= 3 and len(public.all("book")) >= 12 and len(public.all("share")) >= 8
    book = public.get("book", "gongjiang-jingshen")
    text = unescape((sample_site / "library/books/gongjiang-jingshen/index.html").read_text(encoding="utf-8"))
    assert isbn.hyphenated(book.isbn) in text and "978-7-5008-4011-4" in text


def test_build_log_says_which_shelves_get_no_page(tmp_path, caplog):
    import logging

    content = tmp_path / "content"
    shutil.copytree(BASE, content)
    reading_room(content)
    with caplog.at_level(logging.INFO, logger="mkdocs.hooks.unionpress"):
        lines, _ = check(content)
    assert lines == []
    said = [r.getMessage() for r in caplog.records if "书架" in r.getMessage()]
    assert said == ["书架「未公开书架」（library/shelves.yml：caogao）未公开（草稿）：正式构建不生成它的页面，职工书屋里也不列出",
                    "书架「只有草稿的书架」（library/shelves.yml：kong）还没有公开的书目：正式构建不生成它的页面，职工书屋里也不列出"]
