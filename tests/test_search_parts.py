"""The search index in two parts on a large site (search.first_part, outputs/search.py, search.js).

A first query downloads the index's page table whole and the chunks of its words, both growing with
the records in the index, so a large site's first query gets the profiles and the newest records
only, and the rest on request, or at once when the first part gives less than a screen of results.
Tested on a small site with `search_first` set small: which record goes in which part (read back
from Pagefind's own fragments), that neither part holds a draft, what the page says and does in
Chromium, and the cache rules of the second part's files.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import shutil
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml

from conftest import BASE, check, golden_project, mkdocs_build, write_story
from test_browser import browser  # noqa: F401  (fixture)
from unionpress import search
from unionpress.outputs import manifest

WORD = "班组创新"
NEW = 12  # stories holding WORD that go in the first part: more than a screen (search.js PAGE_SIZE 10)
OLD = 3  # stories holding WORD that go in the second (with three others: one step of the split, search.first_part)
RARE = "冷僻词汇"  # in one old story only
SHELF = 3  # records per shelf of the second part: its six records go on two shelves (search.shelves)
HOSTILE = '旧<img src=x onerror="hit=1">"一"&amp;'  # that story's title: shown as text, never run


# -- which record goes where (no build) -------------------------------------------------------------

def _record(url: str, date: str = "", pinned: bool = False) -> search.Record:
    return search.Record(url=url, title=url, kind="劳模" if pinned else "报道", text="", date=date, pinned=pinned)


def test_pinned_first_then_newest_and_one_day_is_never_cut():
    found = [_record("s1", "2026-01-01"), _record("m1", pinned=True), _record("s2", "2026-03-01"),
             _record("b1"), _record("s3", "2026-03-01"), _record("s4", "2026-02-01"), _record("m2", pinned=True)]
    parts = search.first_part(found, 3)
    # m1, m2, then s2 (newest); s3 is of s2's day, so it comes too; the registry's order is kept
    assert [r.url for r in parts.first] == ["m1", "s2", "s3", "m2"]
    assert [r.url for r in parts.rest] == ["s1", "b1", "s4"]
    assert parts.since == "2026-03-01"
    parts = search.first_part(found, 6)  # undated records are the oldest; room 4, kept back in steps of 2
    assert [r.url for r in parts.rest] == ["s1", "b1"] and parts.since == "2026-02-01"


def test_the_second_part_stays_the_same_while_new_records_come_in():
    """Its index is kept between builds (outputs/search.py): it changes a step (half the first part's
    room) at a time, and the first part holds between half its room and all of it."""
    old = [_record(f"old{n:03d}", f"2025-{1 + n // 28:02d}-{1 + n % 28:02d}") for n in range(300)]
    models = [_record(f"m{n}", pinned=True) for n in range(5)]
    rests = []
    for new in range(0, 45):
        fresh = [_record(f"new{n:02d}", f"2026-03-{1 + n % 28:02d}" if n < 28 else f"2026-04-{n - 27:02d}")
                 for n in range(new)]
        parts = search.first_part(models + old + fresh, 25)  # room 20, steps of 10
        assert 10 < len(parts.first) - len(models) <= 20 and {r.url for r in models} <= {r.url for r in parts.first}
        assert len(parts.first) + len(parts.rest) == len(models + old + fresh)
        rests.append(tuple(r.url for r in parts.rest))
    assert len(set(rests)) == 6  # it changed at the 1st, 11th, 21st, 31st and 41st new record only
    assert all(later[:len(earlier)] == earlier for earlier, later in zip(rests, rests[1:]))  # it only grows


@pytest.mark.parametrize("size", [0, 7, 100])
def test_a_site_that_fits_or_size_zero_keeps_one_index(size):
    found = [_record(f"s{n}", f"2026-01-0{n}") for n in range(1, 8)]
    parts = search.first_part(found, size)
    assert parts.first == found and parts.rest == [] and parts.since == ""


def test_more_pinned_records_than_the_size_all_stay_first():
    found = [_record("m1", pinned=True), _record("s1", "2026-01-01"), _record("m2", pinned=True)]
    parts = search.first_part(found, 1)
    assert [r.url for r in parts.first] == ["m1", "m2"] and [r.url for r in parts.rest] == ["s1"]
    assert parts.since == ""


def test_shelves_hold_each_record_once_and_keep_it_while_the_site_grows():
    """search.shelves: a power of two of them, the fewest that keep `size` records each on average; a
    record stays on its shelf while records come in (so its shelf's kept index stays valid), and moves
    only when the number of shelves doubles."""
    old = [_record(f"stories/old-{n}/", "2025-01-01") for n in range(64)]
    assert list(search.shelves(old, 0)) == [0] and search.shelves(old, 0)[0] == old
    assert list(search.shelves(old, 64)) == [0]
    assert search.shelves([], 10) == {}
    grown = old + [_record(f"stories/new-{n}/", "2026-01-01") for n in range(16)]
    shelves, more = search.shelves(old, 10), search.shelves(grown, 11)  # 6.4 → 8 shelves; 7.3 → 8 shelves
    assert set(shelves) <= set(range(8)) and len(shelves) > 4
    for shelves_ in (shelves, more):
        held = [r.url for shelf in shelves_.values() for r in shelf]
        assert sorted(held) == sorted({r.url for r in (old if shelves_ is shelves else grown)})  # each once
    place = {r.url: n for n, shelf in shelves.items() for r in shelf}
    assert {r.url: n for n, shelf in more.items() for r in shelf if r.url in place} == place
    assert all(shelf == [r for r in grown if r in shelf] for shelf in more.values())  # the registry's order
    doubled = search.shelves(grown, 5)  # 16 shelves: a record goes to its own shelf or that plus 8
    assert all(n in (place[r.url], place[r.url] + 8) for n, shelf in doubled.items() for r in shelf if r.url in place)


@pytest.mark.parametrize("value", ["-1", "yes", "1.5"])
def test_search_shelf_setting_must_be_a_whole_number(site_copy, value):
    lines, _ = check(site_copy, search_shelf=yaml.safe_load(value))
    assert [line for line in lines if "search_shelf" in line and "应为不小于 0 的整数" in line], lines


@pytest.mark.parametrize("value", ["-3", "yes", "true", "2.5"])
def test_search_first_setting_must_be_a_whole_number(site_copy, value):
    lines, _ = check(site_copy, search_first=yaml.safe_load(value))
    assert [line for line in lines if "search_first" in line and "应为不小于 0 的整数" in line], lines


# -- a built site ----------------------------------------------------------------------------------

def _parted_content(folder: Path) -> tuple[Path, Path, dict]:
    """The base fixture plus NEW + OLD stories holding WORD, one old story holding RARE, one a Latin
    word, and a draft holding both; `search_first` lets the first part take the profile and the NEW
    stories. Returns the content, the mkdocs.yml and the site paths of each group."""
    content = folder / "content"
    shutil.copytree(BASE, content)
    newest = dt.date(2026, 10, 1)
    fresh = [write_story(content, f"xin-{n:02d}", title=f"新稿件{n}", body=f"车间的{WORD}成果第{n}项。",
                         date=f"{newest + dt.timedelta(days=n)} 09:00") for n in range(NEW)]
    aged = [write_story(content, f"jiu-{n:02d}", title=f"旧稿件{n}", body=f"去年的{WORD}经验第{n}条。",
                        date=f"2026-06-0{n + 1} 09:00") for n in range(OLD)]
    rare = write_story(content, "lengpi", title=f"'{HOSTILE}'", body=f"一个{RARE}出现在这里。", date="2026-05-15 09:00",
                       wechat="{title: 旧事一则}")
    latin = write_story(content, "shukong", title="数控车间", body="车间新添了一台 CNC 加工中心。", date="2026-05-20 09:00")
    write_story(content, "caogao", title="草稿不可见", body=f"{WORD}{RARE}草稿正文。", status="draft",
                date="2026-11-01 09:00")
    write_story(content, "dingshi", title="定时未到", body=f"{WORD}{RARE}定时正文。", date="2026-12-30 09:00")
    write_story(content, "weishen", title="未经三审", body=f"{WORD}{RARE}未审正文。", review=False,
                status="review", date="2026-11-02 09:00")
    models = sorted((content / "models").glob("*.md"))
    config = golden_project(folder, content, extra=f"    search_first: {len(models) + NEW}\n    search_shelf: {SHELF}\n")
    urls = {"fresh": {f"stories/{p.stem}/" for p in fresh}, "aged": {f"stories/{p.stem}/" for p in aged},
            "rare": f"stories/{rare.stem}/", "latin": f"stories/{latin.stem}/",
            "models": {f"models/{p.stem}/" for p in models}}
    return content, config, urls


@pytest.fixture(scope="module")
def parted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("parted")
    content, config, urls = _parted_content(folder)
    site = folder / "site"
    result = mkdocs_build(site, content=content, config=config)
    assert result.returncode == 0, result.stderr[-3000:]
    return site, urls


def _fragment_urls(bundle: Path) -> set[str]:
    """The pages an index holds, as Pagefind itself records them (each fragment is gzipped JSON)."""
    urls = set()
    for fragment in (bundle / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(fragment.read_bytes())
        data = data[data.index(b"{"):]  # after Pagefind's signature
        urls.add(json.loads(data)["url"].lstrip("/"))
    return urls


def _shelves(site: Path) -> list[Path]:
    return sorted((site / "pagefind/archive").iterdir(), key=lambda p: int(p.name))


def _rest_urls(site: Path) -> set[str]:
    return set().union(*(_fragment_urls(shelf) for shelf in _shelves(site)))


def test_profiles_and_newest_in_the_first_part_the_rest_in_the_second(parted):
    site, urls = parted
    first, rest = _fragment_urls(site / "pagefind"), _rest_urls(site)
    assert first == urls["models"] | urls["fresh"]
    assert urls["aged"] | {urls["rare"], urls["latin"], "stories/good-story/"} == rest
    hidden = ("caogao", "dingshi", "weishen")  # draft, embargoed, unreviewed: in neither part
    assert not {url for url in first | rest if any(slug in url for slug in hidden)}
    # On two shelves (six records, three a shelf), each record on one of them only
    shelves = _shelves(site)
    assert len(shelves) == 2 and sum(len(_fragment_urls(shelf)) for shelf in shelves) == len(rest)
    setup = json.loads((site / "search/query.json").read_text(encoding="utf-8"))
    oldest_new = min(url for url in urls["fresh"])  # xin-00: 2026-10-01
    assert oldest_new == "stories/xin-00/"
    assert setup["archive"] == {"records": len(rest), "since": "2026-10-01", "pinned": ["劳模"],
                                "shelves": [int(shelf.name) for shelf in shelves]}
    assert not [p for p in (site / "pagefind/archive").iterdir() if not p.is_dir()]
    for shelf in shelves:  # merged into the first index's instance: their scripts and WebAssembly would never load
        assert sorted(p.name for p in shelf.iterdir() if p.is_file())[0] == "pagefind-entry.json"
        assert not list(shelf.glob("*.js")) and not list(shelf.glob("wasm*"))


def test_second_parts_files_keep_the_first_parts_cache_rules(parted):
    site, _ = parted
    made = manifest.make(site, manifest.Roles(), dt.datetime(2026, 11, 22, tzinfo=dt.timezone.utc), None)
    for shelf in _shelves(site):
        folder = f"pagefind/archive/{shelf.name}/"
        chunks = [path for path in made.files if path.startswith(folder) and "/index/" in path]
        assert chunks and {made.files[path].cache for path in chunks} == {manifest.IMMUTABLE}
        entry = made.files[folder + "pagefind-entry.json"]
        assert (entry.cache, entry.stage) == (manifest.SHORT, manifest.LISTINGS)


def test_the_second_parts_index_is_kept_between_builds_and_follows_its_records(tmp_path, monkeypatch):
    """A warm build takes each shelf's index from the cache (a marker put into a kept record shows
    up), writes the same bytes as the build that made it, and an edit of an old story makes its shelf
    again with the edit in it, and only its shelf."""
    content, config, urls = _parted_content(tmp_path)
    monkeypatch.setenv("UNIONPRESS_CACHE", str(tmp_path / "cache/pictures"))
    kept_dir = tmp_path / "cache/search-archive"

    def build(name: str) -> dict[str, bytes]:
        site = tmp_path / name
        result = mkdocs_build(site, content=content, config=config)
        assert result.returncode == 0, result.stderr[-3000:]
        archive, bundle = site / "pagefind/archive", site / "pagefind"
        return {p.relative_to(archive).as_posix(): p.read_bytes() for p in sorted(archive.rglob("*")) if p.is_file()} | {
            "first/" + p.relative_to(bundle).as_posix(): p.read_bytes() for p in sorted(bundle.rglob("*"))
            if p.is_file() and not p.is_relative_to(archive)} | {
            "search/query.json": (site / "search/query.json").read_bytes(),
            "search/pinyin": b"".join(p.read_bytes() for p in sorted((site / "search/pinyin").iterdir()))}

    made = build("cold")
    shelves = sorted({name.split("/")[0] for name in made if not name.startswith(("search/", "first/"))})
    kept = sorted(kept_dir.glob("*.zip"))
    assert len(shelves) == len(kept) == 2
    [first] = kept_dir.glob("first/*.zip")  # the first part's index, kept the same way
    assert any(name.startswith("first/fragment/") for name in made)
    originals = {path: path.read_bytes() for path in [*kept, first]}
    for path in [*kept, first]:
        with zipfile.ZipFile(path, "a") as record:
            record.writestr("marker.txt", path.name)
    marked = build("marked")
    assert {marked[f"{shelf}/marker.txt"] for shelf in shelves} == {path.name.encode() for path in kept}  # not made again
    assert marked["first/marker.txt"] == first.name.encode()  # nor the first part: no Pagefind ran
    for path, data in originals.items():
        path.write_bytes(data)
    assert build("warm") == made  # byte for byte, the pinyin and query tables made from its vocabulary too
    story = content / "stories/lengpi.md"
    story.write_text(story.read_text(encoding="utf-8").replace(RARE, "罕见的新词"), encoding="utf-8")
    edited = build("edited")
    assert len(list(kept_dir.glob("*.zip"))) == 3  # the edited story's shelf, made again; the other kept
    assert list(kept_dir.glob("first/*.zip")) == [first]  # the newest records are as they were
    changed = {name.split("/")[0] for name in set(made) | set(edited)
               if not name.startswith("search/") and made.get(name) != edited.get(name)}
    [shelf] = [shelf for shelf in shelves if f"stories/lengpi/" in _fragment_urls(tmp_path / "edited/pagefind/archive" / shelf)]
    assert changed == {shelf}
    texts = b"".join(gzip.decompress(data) for name, data in edited.items() if name.endswith(".pf_fragment"))
    texts = texts.decode("utf-8").replace("\u200b", "")  # Pagefind marks its word breaks so
    assert "罕见的新词" in texts and RARE not in texts
    # A story newer than all of them changes the first part: its index is made again, the story in it.
    write_story(content, "zuixin", title="最新稿件", body="刚刚发生的新鲜事。", date="2026-11-20 09:00")
    newest = build("newest")
    assert len(list(kept_dir.glob("first/*.zip"))) == 2
    fragments = b"".join(gzip.decompress(data) for name, data in newest.items()
                         if name.startswith("first/fragment/")).decode("utf-8").replace("\u200b", "")
    assert "刚刚发生的新鲜事" in fragments


# -- in the browser --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def page_on(parted, browser):  # noqa: F811
    from unionpress import localsite

    site, urls = parted
    with localsite.served(site) as base:
        page = browser.new_page(viewport={"width": 375, "height": 800})
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        yield page, base, urls, requests
        page.close()


def _open(page, base: str, query: str) -> list[str]:
    page.goto(f"{base}/search/?q={quote(query)}")
    return _shown(page, query)


def _shown(page, query: str) -> list[str]:
    page.wait_for_function("q => { const l = document.getElementById('up-search-results');"
                           " return l.dataset.query === q && l.getAttribute('aria-busy') === 'false'; }", arg=query)
    while page.locator("#up-search-more").is_visible():
        count = page.locator(".up-search-result").count()
        page.locator("#up-search-more").click()
        page.wait_for_function("n => document.querySelectorAll('.up-search-result').length > n", arg=count)
    return [href.split("://", 1)[1].split("/", 1)[1] for href in page.eval_on_selector_all(
        ".up-search-result__title", "links => links.map(a => a.href)")]


def test_a_common_word_searches_the_first_part_then_the_rest_on_request(page_on, parted):
    page, base, urls, requests = page_on
    requests.clear()
    assert set(_open(page, base, WORD)) == urls["fresh"]
    assert not [url for url in requests if "/pagefind/archive/" in url]  # not downloaded
    rest = len(_rest_urls(parted[0]))
    assert page.locator("#up-search-status").inner_text() == \
        f"“{WORD}”在劳模和2026年10月1日以来的内容中找到 {NEW} 条结果，其余 {rest} 条内容还没有搜索"
    button = page.get_by_role("button", name=f"继续搜索其余 {rest} 条内容")
    button.click()
    page.wait_for_function("n => document.getElementById('up-search-archive').hidden"
                           " && document.getElementById('up-search-status').textContent.includes('共找到')", arg=0)
    assert set(_shown(page, WORD)) == urls["fresh"] | urls["aged"]
    assert page.locator("#up-search-status").inner_text() == f"“{WORD}”共找到 {NEW + OLD} 条结果"
    assert page.evaluate("document.activeElement.classList.contains('up-search-result__title')")


def test_a_shelf_that_fails_to_load_is_asked_for_again_and_search_goes_on(parted, browser):  # noqa: F811
    """Weak signal: one shelf's download fails. The reader is told, the first part's results stay, and
    the next request loads every shelf into a fresh index (Pagefind keeps a failed index in its list,
    which fails every later search of that instance)."""
    from unionpress import localsite

    with localsite.served(parted[0]) as base:
        # No service worker: the requests it makes would not pass through the route that fails one.
        context = browser.new_context(viewport={"width": 375, "height": 800}, service_workers="block")
        try:
            _flaky_shelf(context.new_page(), base, parted)
        finally:
            context.close()


def _flaky_shelf(page, base: str, parted) -> None:
    urls = parted[1]
    shelf = _shelves(parted[0])[0].name
    failed: list[str] = []

    def flaky(route):
        if failed:
            route.continue_()
        else:
            failed.append(route.request.url)
            route.abort()

    page.route(f"**/pagefind/archive/{shelf}/**", flaky)
    assert set(_open(page, base, WORD)) == urls["fresh"]
    button = page.get_by_role("button", name=f"继续搜索其余 {len(_rest_urls(parted[0]))} 条内容")
    button.click()
    page.wait_for_function("document.getElementById('up-search-status').textContent.includes('没有下载完整')")
    assert failed and set(_shown(page, WORD)) == urls["fresh"]
    button.click()
    page.wait_for_function("document.getElementById('up-search-archive').hidden"
                           " && document.getElementById('up-search-status').textContent.includes('共找到')")
    assert set(_shown(page, WORD)) == urls["fresh"] | urls["aged"]
    assert page.locator("#up-search-status").inner_text() == f"“{WORD}”共找到 {NEW + OLD} 条结果"


@pytest.mark.parametrize("query, expected", [(RARE, "rare"), ("航天发射", None)])
def test_less_than_a_screen_searches_the_whole_site_at_once(page_on, parted, query, expected):
    page, base, urls, requests = page_on
    requests.clear()
    found = _open(page, base, query)
    for shelf in _shelves(parted[0]):  # every shelf merged
        entry = f"/pagefind/archive/{shelf.name}/pagefind-entry.json"
        assert [url for url in requests if url.endswith(entry) or entry + "?" in url]
    assert page.locator("#up-search-archive").is_hidden()
    if expected:
        assert found == [urls[expected]]
        assert page.locator(".up-search-result__title").inner_text() == HOSTILE  # from the second part, as text
        assert page.locator(".up-search-result img").count() == 0 and page.evaluate("window.hit") is None
        assert page.locator("#up-search-status").inner_text() == f"“{query}”共找到 1 条结果"
    else:  # 没有找到 is said of the whole site, not of its newest part
        assert found == []
        assert page.locator("#up-search-status").inner_text().startswith(f"没有找到与“{query}”相关的内容")


@pytest.mark.parametrize("query, reading, written", [("banzu", ["班组"], False), ("cnc", None, True), ("CNC", None, True)])
def test_a_latin_query_is_searched_as_written_only_where_the_pages_hold_it(page_on, query, reading, written):
    """banzu is read as 班组 and not searched as typed (no page holds it: its index chunk is spared);
    CNC, which a page holds, is searched as typed."""
    page, base, urls, _ = page_on
    found = _open(page, base, query)
    searched = json.loads(page.locator("#up-search-results").get_attribute("data-searched"))
    assert ([query.lower()] in searched) is written, searched
    if reading:
        assert reading in searched and set(found) >= urls["fresh"]
    else:
        assert urls["latin"] in found


def test_serve_keeps_the_second_part_in_place_while_it_is_the_same(tmp_path):
    """`unionpress serve` indexes again after each edit into the same folder: a shelf's files stay
    untouched while its records are the same (deleting and writing 16,000 files took 25 s at 10,000
    stories), and the shelf of an old story that changes is replaced whole, with nothing stale, while
    the other shelf stays untouched."""
    from unionpress import outputs

    content, _, _ = _parted_content(tmp_path)
    models = len(list((content / "models").glob("*.md")))

    def index(site: Path) -> dict[str, tuple[int, bytes]]:
        _, build = check(content, search_first=models + NEW, search_shelf=SHELF)
        public, body_of = outputs._public(build)
        site.mkdir(exist_ok=True)
        outputs.search.write(public, build.public_pages, site, build.settings, body_of)
        archive = site / "pagefind/archive"
        return {p.relative_to(archive).as_posix(): ((p.stat().st_ino, p.stat().st_mtime_ns), p.read_bytes())
                for p in sorted(archive.rglob("*")) if p.is_file()}

    site = tmp_path / "serve"
    first = index(site)
    assert len({name.split("/")[0] for name in first}) == 2
    assert index(site) == first  # the same inodes: not deleted and written again
    [edited] = [shelf.name for shelf in _shelves(site) if "stories/lengpi/" in _fragment_urls(shelf)]
    story = content / "stories/lengpi.md"
    story.write_text(story.read_text(encoding="utf-8").replace(RARE, "罕见的新词"), encoding="utf-8")
    after = index(site)
    fresh = {name: data for name, (_, data) in index(tmp_path / "fresh").items()}
    assert {name: data for name, (_, data) in after.items()} == fresh
    assert {name: stat for name, (stat, _) in after.items() if not name.startswith(edited + "/")} == \
        {name: stat for name, (stat, _) in first.items() if not name.startswith(edited + "/")}  # untouched
    assert {name: data for name, (_, data) in after.items() if name.startswith(edited + "/")} != \
        {name: data for name, (_, data) in first.items() if name.startswith(edited + "/")}
    # Another hand in the folder (a build of other content, a file deleted): the shelf is not trusted.
    [chunk] = [name for name in after if not name.startswith(edited + "/") and name.endswith(".pf_fragment")][:1]
    (site / "pagefind/archive" / chunk).unlink()
    assert {name: data for name, (_, data) in index(site).items()} == fresh


def test_an_indexing_stopped_takes_the_setup_of_the_index_it_replaced_with_it(tmp_path):
    """A run of the outputs that fails after the indexing began (serve: a bad picture in a WeChat
    package) has emptied pagefind/: the earlier setup must not send the search page to shelves gone."""
    from unionpress import outputs

    content, _, _ = _parted_content(tmp_path)
    _, build = check(content, search_first=len(list((content / "models").glob("*.md"))) + NEW, search_shelf=SHELF)
    public, body_of = outputs._public(build)
    site = tmp_path / "site"
    site.mkdir()
    outputs.search.write(public, build.public_pages, site, build.settings, body_of)
    assert (site / "search/query.json").is_file()
    outputs.search.start(public, build.public_pages, site, build.settings, body_of)
    outputs.search.cancel(site)
    assert not (site / "search/query.json").exists()
    assert not list((site / "pagefind").glob("pagefind-entry.json"))


@pytest.mark.parametrize("damage", ["method", "flags", "data"])
def test_a_damaged_kept_index_is_made_again_not_a_crash(tmp_path, damage):
    from unionpress.outputs import search as search_output

    kept = tmp_path / "kept.zip"
    with zipfile.ZipFile(kept, "w", zipfile.ZIP_DEFLATED) as record:
        record.writestr("pagefind.js", "x" * 4000)
        record.writestr(search_output.VOCABULARY, "{}")
    data = bytearray(kept.read_bytes())
    if damage == "method":  # deflate → 99 in the local and central headers: NotImplementedError
        for at in (8, data.index(b"PK\x01\x02") + 10):
            data[at:at + 2] = (99).to_bytes(2, "little")
    elif damage == "flags":  # the encrypted bit: RuntimeError
        for at in (6, data.index(b"PK\x01\x02") + 8):
            data[at] |= 1
    else:  # the deflated bytes: zlib.error or a bad CRC
        data[40:60] = b"\xff" * 20
    kept.write_bytes(bytes(data))
    assert search_output._read_kept(kept) is None
