"""A kind plugs in through one module (issue 17 item 5): search, the channel bar, the homepage, topic
pages, the feeds, JSON-LD and the audit's markers all come from the kinds' hooks in the registry, in
registry order. Tested with the real kinds on one small site that has every kind, public and draft."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil

import feedparser
import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from conftest import BASE, check, write_item, write_story
from unionpress import audit as audit_module, outputs, search
from unionpress.feedsets import FeedSet, feed_sets
from unionpress.kinds import ITEM_KINDS
from unionpress.pages import channels, home
from unionpress.pages.jsonld import complete, script_text

DRAFT_WORK, DRAFT_AUTHOR = "秘藏长卷XQ5", "隐名画师"  # only in the draft exhibition
DRAFT_SHARE_AUTHOR = "匿名读者"  # only in the draft share
DRAFT_ENTRY_AUTHOR = "未署名者"  # only in the draft entry
LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def _work(title: str, author: str, award: str = "") -> str:
    return f"  - {{title: {title}, author: {author}, image: photo.jpg{', award: ' + award if award else ''}}}\n"


def _exhibition(content, slug: str, title: str, works: str, status: str = "published", **fields) -> None:
    write_item(content, f"exhibitions/{slug}/index.md", body=f"{title}的前言。", title=title, opens="2026-11-01",
               closes="2026-12-31", organizer="市总工会", status=status, **fields)
    path = content / f"exhibitions/{slug}/index.md"
    text = path.read_text(encoding="utf-8").replace("---\n\n", f"works:\n{works}---\n\n", 1)
    path.write_text(text, encoding="utf-8")
    shutil.copy(BASE / "images/photo.jpg", content / f"exhibitions/{slug}/photo.jpg")


@pytest.fixture(scope="module")
def every_kind(tmp_path_factory):
    """The base fixture with a public exhibition, book, share, contest and entry, each in the topic
    laodongmei where the kind names topics; a topic held only by an exhibition; and a draft of each."""
    content = tmp_path_factory.mktemp("registry") / "content"
    shutil.copytree(BASE, content)
    with (content / "topics.yml").open("a", encoding="utf-8") as topics:
        topics.write("- key: shufa-zhan\n  name: 书法展专题\n  summary: 只有展览的专题\n")
    _exhibition(content, "zhigong-shuhua", "职工书画展", _work("咏梅", "张三", "一等奖") + _work("春晓", "李四"),
                topics="[laodongmei]")
    _exhibition(content, "shufa-only", "书法小展", _work("静心", "王五"), topics="[shufa-zhan]")
    _exhibition(content, "caogao-zhan", "草稿展览XQ5", _work(DRAFT_WORK, DRAFT_AUTHOR) + _work("梅影", "张三"), status="draft",
                topics="[laodongmei]")
    write_item(content, "library/books/gongjiang.md", body="一本写工匠的书。", title="大国工匠", author="某作者",
               shelf="wenxue", status="published", date="2026-05-02 09:00")
    write_item(content, "library/shares/du-gongjiang.md", body="读后很受触动。", title="读《大国工匠》有感",
               book="gongjiang", author="赵六", date="2026-05-03 09:00", status="published")
    write_item(content, "library/shares/zao-yi-pian.md", body="更早的一篇。", title="更早的读书分享",
               book="gongjiang", author="钱七", date="2026-05-01 08:00", status="published")
    write_item(content, "library/shares/caogao-fenxiang.md", body="草稿分享。", title="草稿分享XQ5",
               book="gongjiang", author=DRAFT_SHARE_AUTHOR, date="2026-05-04 09:00", status="draft")
    write_item(content, "contests/laodong-zhengwen/index.md", body="征文启事。", title="劳动征文", opens="2026-10-01",
               closes="2026-12-31", topics="[laodongmei]", status="published")
    write_item(content, "contests/laodong-zhengwen/entries/di-yi-pian.md", body="参赛作品正文。", title="我的师傅",
               author="孙八", date="2026-10-05 09:00", status="published")
    write_item(content, "contests/laodong-zhengwen/entries/caogao-gao.md", body="未完成的稿子。", title="草稿征文XQ5",
               author=DRAFT_ENTRY_AUTHOR, date="2026-10-06 09:00", status="draft")
    lines, build = check(content)
    assert lines == []
    return content, build


def _html(build, url: str) -> str:
    return build.renderer.out.text_of(url)


def _body_of(build):
    return lambda item: build.bodies[id(item)]


# -- the registry itself ---------------------------------------------------------------------------------

def test_every_kind_with_a_page_is_searchable_under_its_own_label():
    """A kind that gives its items pages must also give them search records and a label to filter by:
    a reader must find every page type."""
    for kind in ITEM_KINDS.values():
        if kind.url:
            assert kind.records is not None and kind.search_label, kind.name
    assert not hasattr(search, "KIND_LABELS")  # no hand list of kinds beside the registry


# -- search ------------------------------------------------------------------------------------------------

def test_records_are_every_kinds_own_in_registry_order(every_kind):
    _, build = every_kind
    records = search.records(build.public, _body_of(build))
    labels = list(dict.fromkeys(record.kind for record in records))
    assert labels == ["报道", "劳模", "展览", "作品", "图书", "读书分享", "征文"]
    # The filter offers exactly the labels that have records, in that order (never a hand list).
    assert search.facets(records)["kind"] == labels
    by_url = {record.url: record for record in records}
    assert by_url["exhibitions/zhigong-shuhua/"].kind == "展览"
    works = [record for record in records if record.kind == "作品"]
    assert all(any(work in record.title for record in works) for work in ("咏梅", "春晓", "静心"))
    assert all(record.url.startswith("exhibitions/") and "#work-" in record.url for record in works)
    assert by_url["library/shares/du-gongjiang/"].kind == "读书分享"
    dumped = json.dumps([record.pagefind() for record in records], ensure_ascii=False)
    for secret in ("XQ5", DRAFT_WORK, DRAFT_AUTHOR, DRAFT_SHARE_AUTHOR, DRAFT_ENTRY_AUTHOR, "caogao"):
        assert secret not in dumped


def test_a_kind_without_public_items_has_no_search_label(site_copy):
    _, build = check(site_copy)
    assert search.facets(search.records(build.public, _body_of(build)))["kind"] == ["报道", "劳模"]


# -- channel bar -------------------------------------------------------------------------------------------

def test_channel_bar_is_home_columns_each_kind_topics_tags_pages(every_kind):
    _, build = every_kind
    bar = channels(build.public, build.settings)
    assert bar == [("首页", ""), ("劳动者之歌", "columns/laodongzhe-zhi-ge/"), ("劳模风采", "models/"),
                   ("线上展览", "exhibitions/"), ("职工书屋", "library/"), ("征文比赛", "contests/"),
                   ("专题", "topics/"), ("标签", "tags/")]
    # Every page shows that bar, in that order.
    nav = _html(build, "search/").split('<nav class="up-channels"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'<a href="[^"]*"[^>]*>([^<]+)</a>', nav) == [label for label, _url in bar]


def test_a_kind_is_in_the_bar_only_while_its_view_holds_one(site_copy):
    (site_copy / "models/good-model.md").write_text(
        (site_copy / "models/good-model.md").read_text(encoding="utf-8").replace("status: published", "status: draft"),
        encoding="utf-8")
    _, build = check(site_copy)
    assert [url for _label, url in channels(build.public, build.settings)] == ["", "columns/laodongzhe-zhi-ge/",
                                                                            "topics/", "tags/"]
    from unionpress.publish import PreviewSite

    shown = PreviewSite(build.catalog, build.settings, build.public)
    assert ("劳模风采", "models/") in channels(shown, build.settings)  # a preview shows the draft profile


# -- homepage ----------------------------------------------------------------------------------------------

def test_homepage_renders_each_kinds_block_by_order(every_kind):
    _, build = every_kind
    blocks = home.blocks(build.public, build.settings)
    kinds = {block.template for block in blocks}
    assert {"_home_model.html", "_home_exhibition.html", "_home_library.html", "_home_contest.html"} <= kinds
    assert [block.order for block in blocks] == sorted(block.order for block in blocks)
    page = _html(build, "")
    # Each box's heading links its "more" page, in order (the `home` setting's default: 劳模风采, 线上展览,
    # 职工书屋, 征文比赛), after the boxes of stories.
    latest = page.index("up-home__cell--lead")  # the channel bar links the same pages before it
    places = [page.index(f'<a href="{block.url}">{block.title}</a>', latest) for block in blocks]
    assert places == sorted(places)
    assert "星光大道" in page


def test_homepage_order_is_the_blocks_not_the_registrys(every_kind, monkeypatch):
    _, build = every_kind
    model = ITEM_KINDS["model"]
    later = lambda site, settings: dataclasses.replace(model.home(site, settings), order=1000)  # noqa: E731
    monkeypatch.setitem(ITEM_KINDS, "model", dataclasses.replace(model, home=later))
    blocks = home.blocks(build.public, build.settings)
    assert blocks[-1].template == "_home_model.html" and blocks[0].template == "_home_exhibition.html"


def test_homepage_without_public_models_has_no_star_strip(site_copy):
    path = site_copy / "models/good-model.md"
    path.write_text(path.read_text(encoding="utf-8").replace("status: published", "status: draft"), encoding="utf-8")
    _, build = check(site_copy)
    assert home.blocks(build.public, build.settings) == []
    page = _html(build, "")
    assert "星光大道" not in page and "up-home-models" not in page and "up-home-lead" in page


# -- topic pages -------------------------------------------------------------------------------------------

def test_topic_page_lists_each_kinds_members(every_kind):
    _, build = every_kind
    page = _html(build, "topics/laodongmei/")
    headings = re.findall(r'<h2 id="up-topic-(\w+)">([^<]+)</h2>', page)
    assert headings == [("model", "相关劳模"), ("exhibition", "相关展览"), ("contest", "相关征文比赛")]
    for url in ("models/good-model/", "exhibitions/zhigong-shuhua/", "contests/laodong-zhengwen/",
                "stories/good-story/"):
        assert f'href="../../{url}"' in page, url
    assert "草稿展览XQ5" not in page and "caogao-zhan" not in page


def test_a_topic_holding_only_an_exhibition_has_a_page(every_kind):
    _, build = every_kind
    page = _html(build, "topics/shufa-zhan/")
    assert 'href="../../exhibitions/shufa-only/"' in page and "暂无稿件" in page
    assert 'href="shufa-zhan/"' in _html(build, "topics/")
    # /topics/ says what each topic holds by kind, not a story count (「0 篇」 for this one)
    counts = dict(re.findall(r'href="([\w-]+)/"><strong>[^<]+</strong></a>(?:<span>[^<]*</span>)?<span class="up-count">([^<]+)</span>',
                             _html(build, "topics/")))
    assert counts["shufa-zhan"] == "展览 1"
    assert counts["laodongmei"] == "稿件 1 · 劳模 1 · 展览 1 · 征文比赛 1"
    assert ("专题", "topics/") in channels(build.public, build.settings)


# -- feeds -------------------------------------------------------------------------------------------------

def test_kinds_feeds_come_after_the_site_feed_and_before_columns_topics_partners(every_kind):
    _, build = every_kind
    partner = {"name": "ribao", "columns": ["laodongzhe-zhi-ge"]}
    settings = dataclasses.replace(build.settings, partners=(partner,))
    kinds = [feed.kind for feed in feed_sets(build.public, settings)]
    assert kinds == ["site", "share", "column", "topic", "topic", "partner"]


def test_the_shares_feed_holds_public_shares_newest_first(every_kind, tmp_path):
    _, build = every_kind
    settings = dataclasses.replace(build.settings, site_url="https://example.org/")
    written = outputs.feeds.write(build.public, build.public_pages, tmp_path, settings, _body_of(build))
    share_feed = next(feed for feed in feed_sets(build.public, settings) if feed.kind_of_items == "share")
    assert share_feed.url("rss") in written
    parsed = feedparser.parse((tmp_path / share_feed.url("rss")).read_bytes())
    assert [entry.link for entry in parsed.entries] == ["https://example.org/library/shares/du-gongjiang/",
                                                       "https://example.org/library/shares/zao-yi-pian/"]
    assert parsed.entries[0].title == "读《大国工匠》有感" and "读后很受触动" in parsed.entries[0].content[0].value
    for name in written:
        text = (tmp_path / name).read_text(encoding="utf-8")
        for secret in ("XQ5", DRAFT_SHARE_AUTHOR, "caogao-fenxiang"):
            assert secret not in text, name
    # The story feeds still hold stories only.
    site = feedparser.parse((tmp_path / "feeds/rss.xml").read_bytes())
    assert [entry.link for entry in site.entries] == ["https://example.org/stories/good-story/"]
    # /feeds/ lists it under its own heading.
    assert "<h2>读书分享</h2>" in _html(build, "feeds/")


def test_a_feed_never_takes_a_hidden_item_even_when_its_selection_offers_one(every_kind):
    from unionpress.outputs.feeds import _entries

    _, build = every_kind
    draft = next(item for item in build.catalog.items if item.slug == "caogao-fenxiang")
    careless = FeedSet("feeds/x", "x", "x", "", kind="share", kind_of_items="share",
                       select=lambda public: (draft, *public.latest("share")))
    assert draft not in _entries(build.public, careless, 10) and len(_entries(build.public, careless, 10)) == 2


# -- JSON-LD -----------------------------------------------------------------------------------------------

@hypothesis_settings(max_examples=200, deadline=None)
@given(st.text())
def test_json_ld_text_cannot_end_its_script_and_reads_back_the_same(text):
    data = {"@type": "Thing", "name": text, "list": [text, {"x": text}]}
    out = str(script_text(data))
    assert "<" not in out and ">" not in out and "&" not in out
    assert json.loads(out) == data


def test_json_ld_is_completed_with_the_pages_url_and_picture():
    data = complete({"@type": "Book", "name": "书"}, "https://example.org/b/", "https://example.org/b.jpg")
    assert data == {"@context": "https://schema.org", "@type": "Book", "name": "书", "url": "https://example.org/b/",
                    "image": "https://example.org/b.jpg"}
    own = complete([{"@type": "A", "url": "u"}, {"@type": "B"}], "https://example.org/", "")
    assert own == [{"@context": "https://schema.org", "@type": "A", "url": "u"},
                   {"@context": "https://schema.org", "@type": "B"}]
    assert complete(None, "x", "y") is None


def test_story_and_profile_pages_carry_their_json_ld(site_copy):
    write_story(site_copy, "biaoti", title='"</script><!--&amp;"', authors="[甲记者]", tags="[工匠]")
    path = site_copy / "models/good-model.md"
    path.write_text(path.read_text(encoding="utf-8").replace("employer:", "gender: 女\nethnicity: 回族\nemployer:"),
                    encoding="utf-8")
    _, build = check(site_copy)
    page = _html(build, "stories/biaoti/")
    found = LD.findall(page)
    assert len(found) == 1 and "</script" not in found[0] and "<!--" not in found[0]
    article = json.loads(found[0])
    assert article["@type"] == "NewsArticle" and article["headline"] == "</script><!--&amp;"
    assert article["author"] == [{"@type": "Person", "name": "甲记者"}] and article["keywords"] == ["工匠"]
    assert article["articleSection"] == "劳动者之歌" and article["datePublished"] == "2026-05-01T09:00:00+08:00"
    person = json.loads(LD.findall(_html(build, "models/good-model/"))[0])
    assert person["@type"] == "Person" and person["name"] == "李明" and person["jobTitle"] == "高级技师"
    assert person["award"] == ["2020年全国劳动模范"] and person["worksFor"]["name"] == "示例机床厂"
    assert "女" not in json.dumps(person, ensure_ascii=False) and "回族" not in json.dumps(person, ensure_ascii=False)


def test_every_item_page_has_json_ld_that_parses(every_kind):
    _, build = every_kind
    seen = set()
    for page, text in build.renderer.out.files:
        if page.item is None:
            continue
        found = LD.findall(text)
        assert len(found) == 1, page.url
        data = json.loads(found[0])
        assert all(obj["@context"] == "https://schema.org" for obj in (data if isinstance(data, list) else [data]))
        seen.add(page.item.kind)
    assert seen >= {"story", "model", "exhibition", "book", "share", "contest", "entry"}


# -- settings ----------------------------------------------------------------------------------------------

def test_settings_cannot_change_once_built(site_copy):
    _, build = check(site_copy, footer={"host": "某市总工会"},
                     partners=[{"name": "ribao", "columns": ["laodongzhe-zhi-ge"]}])
    settings = build.settings
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.page_size = 1
    with pytest.raises(TypeError):
        settings.footer["host"] = "别的"
    with pytest.raises(TypeError):
        settings.partners[0]["name"] = "x"
    with pytest.raises(AttributeError):
        settings.partners[0]["columns"].append("gonghui-dongtai")
    other = dataclasses.replace(settings, stylesheets=("a.css",))
    assert other.stylesheets == ("a.css",) and settings.stylesheets == () and other.footer == {"host": "某市总工会"}


# -- the audit's markers -----------------------------------------------------------------------------------

def test_audit_knows_a_hidden_items_markers(every_kind, tmp_path):
    _, build = every_kind
    secrets = audit_module.secrets(build)
    known = {(secret.noun, secret.title) for secret in secrets}
    assert {("作品", DRAFT_WORK), ("作者", DRAFT_AUTHOR), ("作者", DRAFT_SHARE_AUTHOR), ("作者", DRAFT_ENTRY_AUTHOR)} <= known
    # A name public pages show anyway (张三 has a public work too) is no evidence of a leak.
    assert ("作者", "张三") not in known and ("作品", "梅影") in known
    (tmp_path / "page.html").write_text(f"<p>{DRAFT_WORK}</p><p>{DRAFT_SHARE_AUTHOR}写的</p>", encoding="utf-8")
    whats = {leak.what for leak in audit_module.audit(tmp_path, secrets)}
    assert whats == {f"作品「{DRAFT_WORK}」", f"作者「{DRAFT_SHARE_AUTHOR}」"}
