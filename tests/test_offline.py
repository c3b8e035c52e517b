"""Offline reading (outputs/offline.py, outputs/sw.js, pages/static/offline.js) in a real Chromium.

A small fixture site (a column of three stories with a picture, one shelf with a book) built with
MkDocs and served over http://127.0.0.1 (a service worker needs a secure origin; file:// has none)
from a folder the test can switch to a second build. The reader visits the reading room and two
stories, goes offline, reloads them (they show), opens a story never visited (the offline page, listing
the two saved ones); then a new build withdraws one story, and the next online visit drops it from the
phone. Waits are on the worker's own events (ready, the controller, the page's saved mark), never
sleeps. Plus what needs no browser: what sw.js precaches and keeps, its version, a preview writes no
worker, and the audit reads the worker and its list (a hidden story's URL planted there is caught)."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from conftest import BASE, mkdocs_build, write_item, write_story
from unionpress import localsite

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu"]
STORIES = ("first-read", "second-read", "never-read")
HIDDEN = ("hidden-draft", "草稿稿件HD7")


def make_content(root: Path) -> Path:
    content = root / "content"
    shutil.copytree(BASE, content)
    for number, slug in enumerate(STORIES, start=1):
        write_story(content, slug, f"第{number}篇的正文。\n\n![车间一角](../images/photo.jpg)", title=f"第{number}篇报道",
                    date=f"2026-06-0{number} 09:00")
    write_story(content, HIDDEN[0], "草稿。", title=HIDDEN[1], status="draft")
    write_item(content, "library/books/b1.md", "推荐语。", title="书屋第一本", author="林涛 著", shelf="wenxue",
               status="published", date="2026-05-02")
    return content


def swap(link: Path, target: Path) -> None:
    """Serve `target` from now on: the server reads the folder through this link at each request."""
    fresh = link.with_name(link.name + ".new")
    fresh.unlink(missing_ok=True)
    fresh.symlink_to(target, target_is_directory=True)
    os.replace(fresh, link)


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    root = tmp_path_factory.mktemp("offline")
    content = make_content(root)
    first = root / "first"
    result = mkdocs_build(first, content)
    assert result.returncode == 0, result.stderr
    # The next build: the second story withdrawn (back to draft).
    text = (content / "stories/second-read.md").read_text(encoding="utf-8")
    (content / "stories/second-read.md").write_text(text.replace("status: published", "status: draft"), encoding="utf-8")
    second = root / "second"
    result = mkdocs_build(second, content)
    assert result.returncode == 0, result.stderr
    return root, content, first, second


def config_of(site: Path) -> dict:
    text = (site / "sw.js").read_text(encoding="utf-8")
    return json.loads(re.search(r"^const CONFIG = (.*);$", text, re.M).group(1))


# -- what the build writes ------------------------------------------------------------------------------------

def test_the_worker_precaches_the_shell_and_the_reading_room_and_lists_the_pages_to_keep(sites):
    _root, _content, first, _second = sites
    config = config_of(first)
    precache = config["precache"]
    assert {"assets/unionpress/care.js", "assets/unionpress/offline.js", "assets/unionpress/search.js", "search/",
            "offline/", "offline/pages.json", "library/", "library/shelves/wenxue/"} <= set(precache)
    assert [path for path in precache if path.endswith(".css")], precache  # the stylesheets
    assert not [path for path in precache if path.startswith("stories/")]  # pages read are kept, not precached
    for path in precache:
        assert (first / (path + "index.html" if path.endswith("/") else path)).is_file(), path
    kept = json.loads((first / "offline/pages.json").read_text(encoding="utf-8"))
    assert {f"stories/{slug}/" for slug in STORIES} <= set(kept) and "library/books/b1/" in kept
    assert not [url for url in kept if HIDDEN[0] in url]
    assert config["budget"] == 50 * 2**20 and config["offline"] == "offline/"
    assert "second-read" not in (second := sites[3] / "offline/pages.json").read_text(encoding="utf-8"), second


def test_the_version_is_the_builds_content_hash(sites, tmp_path):
    _root, content, first, second = sites
    assert config_of(first)["version"] != config_of(second)["version"]  # a story withdrawn: a new worker
    again = tmp_path / "again"
    assert mkdocs_build(again, content).returncode == 0
    assert (again / "sw.js").read_bytes() == (second / "sw.js").read_bytes()  # the same site: the same worker


def test_the_offline_page_is_chinese_noindex_absolute_and_not_in_the_sitemap(sites):
    _root, _content, first, _second = sites
    page = (first / "offline/index.html").read_text(encoding="utf-8")
    assert "<h1>离线阅读</h1>" in page and "这部手机上已保存的内容" in page
    assert '<meta name="robots" content="noindex">' in page
    assert 'href="/library/"' in page and 'href="/downloads/"' in page  # served at any address: root-absolute
    assert "offline/" not in (first / "sitemap.xml").read_text(encoding="utf-8")


def test_the_save_button_is_on_pages_worth_keeping_and_hidden_until_a_worker_runs(sites):
    _root, _content, first, _second = sites
    story = (first / "stories/first-read/index.html").read_text(encoding="utf-8")
    assert '<p class="up-offline__save" data-up-save hidden><button type="button" class="up-offline__button">保存以便离线阅读</button>' in story
    assert "data-up-save" not in (first / "columns/laodongzhe-zhi-ge/index.html").read_text(encoding="utf-8")
    room = (first / "library/index.html").read_text(encoding="utf-8")
    assert 'data-up-nosw hidden>这个浏览器不能把网页保存到手机上' in room and 'href="../downloads/"' in room


def test_a_preview_registers_no_worker_and_writes_none(sites, tmp_path):
    _root, content, _first, _second = sites
    preview = tmp_path / "preview"
    result = mkdocs_build(preview, content, preview=True)
    assert result.returncode == 0, result.stderr
    assert not (preview / "sw.js").exists() and not (preview / "offline").exists()
    assert "offline.js" not in (preview / "stories/first-read/index.html").read_text(encoding="utf-8")
    assert "data-up-save" not in (preview / "stories/first-read/index.html").read_text(encoding="utf-8")


def test_the_audit_reads_the_worker_and_its_list(sites, tmp_path):
    from test_exhibitions import build as in_process
    from unionpress import audit as up_audit

    _root, content, _first, second = sites
    _lines, made = in_process(content)  # the content as the second build read it
    secrets = up_audit.secrets(made)
    for planted, how in (("sw.js", lambda t: t.replace('"precache":[', f'"precache":["stories/{HIDDEN[0]}/",', 1)),
                         ("offline/pages.json", lambda t: t.replace("]", f',"stories/{HIDDEN[0]}/"]'))):
        site = tmp_path / planted.replace("/", "-")
        shutil.copytree(second, site, symlinks=True)
        assert up_audit.audit(site, secrets, site_url="https://example.org/") == []
        text = (site / planted).read_text(encoding="utf-8")
        (site / planted).write_text(how(text), encoding="utf-8")
        assert HIDDEN[0] in (site / planted).read_text(encoding="utf-8")
        leaks = up_audit.audit(site, secrets, site_url="https://example.org/")
        assert leaks and {leak.output for leak in leaks} == {planted}, leaks


# -- in Chromium ----------------------------------------------------------------------------------------------

SAVED = "document.documentElement.dataset.offlinePage === 'saved'"
IN_CACHE = "async (url) => !!(await (await caches.open('up-pages')).match(new URL(url, location.href).href))"


def open_and_wait(page, url: str, saved: bool) -> None:
    page.goto(url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    if saved:
        page.wait_for_function(SAVED)


def test_read_offline_then_a_withdrawn_story_leaves_the_phone(sites, tmp_path):
    root, _content, first, second = sites
    link = tmp_path / "served"
    swap(link, first)
    with localsite.served(link) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 375, "height": 740})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        open_and_wait(page, f"{base}/library/", saved=False)  # installs the worker: shell and reading room
        for slug in STORIES[:2]:
            open_and_wait(page, f"{base}/stories/{slug}/", saved=True)
            assert page.locator("[data-up-save]").is_visible()  # a worker runs: the button shows
            assert page.evaluate(IN_CACHE, f"/stories/{slug}/")
        assert page.evaluate("navigator.serviceWorker.controller.scriptURL") == f"{base}/sw.js"
        picture = page.evaluate("document.querySelector('article img').currentSrc")
        assert page.evaluate(IN_CACHE, picture)  # the picture at the size the page used

        context.set_offline(True)
        for slug, title in zip(STORIES[:2], ("第1篇报道", "第2篇报道")):
            page.goto(f"{base}/stories/{slug}/")
            assert page.locator("article h1").inner_text() == title
            assert page.evaluate("document.querySelector('article img').complete && document.querySelector('article img').naturalWidth > 0")
        page.goto(f"{base}/library/")
        assert page.locator("article h1").inner_text() == "电子职工书屋"
        page.goto(f"{base}/stories/{STORIES[2]}/")  # never opened: the offline page, with what is saved
        assert page.locator("article h1").inner_text() == "离线阅读"
        page.wait_for_function("document.documentElement.dataset.offlineSaved === '2'")
        assert page.locator("[data-up-saved-list] a").all_inner_texts() == ["第2篇报道", "第1篇报道"]  # last read first
        assert page.locator("[data-up-saved-none]").is_hidden()

        # A new build withdraws the second story: the next visit online installs its worker, which drops it.
        swap(link, second)
        context.set_offline(False)
        version = config_of(second)["version"]
        page.goto(f"{base}/stories/{STORIES[0]}/")
        page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update()).then(() => true)")
        # the new worker controls the page once its activate step (which drops the withdrawn) has finished
        page.wait_for_function(f"(c => !!c && c.state === 'activated' && c.scriptURL.endsWith('/sw.js'))"
                               f"(navigator.serviceWorker.controller) && document.documentElement.dataset.offlineWorker === '{version}'")
        page.wait_for_function("navigator.serviceWorker.getRegistration().then(r => !r.installing && !r.waiting)")
        assert not page.evaluate(IN_CACHE, f"/stories/{STORIES[1]}/")
        assert page.evaluate(IN_CACHE, f"/stories/{STORIES[0]}/")
        shells = page.evaluate("caches.keys()")
        assert sorted(shells) == sorted(["up-pages", f"up-shell-{version}"])  # the old shell is gone
        assert errors == []
        browser.close()


def test_without_a_worker_the_pages_work_the_button_hides_and_the_reading_room_suggests_the_epub(sites):
    _root, _content, first, _second = sites
    with localsite.served(first) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(service_workers="block")  # as WeChat's browser on iOS: no service worker
        page = context.new_page()
        page.add_init_script("delete Navigator.prototype.serviceWorker")
        page.goto(f"{base}/stories/{STORIES[0]}/")
        assert page.locator("article h1").inner_text() == "第1篇报道"
        assert page.locator("[data-up-save]").is_hidden()
        page.goto(f"{base}/library/")
        page.wait_for_selector("[data-up-nosw]:not([hidden])")
        assert page.locator("[data-up-nosw] a").get_attribute("href") == "../downloads/"
        browser.close()


@pytest.mark.parametrize("missing", ["the worker", "a file it precaches"])
def test_a_worker_that_fails_to_start_gives_back_the_buttons_room(sites, tmp_path, missing):
    """The browser has service workers, so the page keeps the button's room from its first paint; a
    half-uploaded site has no worker, or one whose install fails (a precached file missing), so the
    room is given back and the note shown."""
    _root, _content, first, _second = sites
    site = tmp_path / "half-uploaded"
    shutil.copytree(first, site, copy_function=os.link)
    gone = "sw.js" if missing == "the worker" else next(path for path in config_of(first)["precache"]
                                                       if path.endswith(".css"))
    (site / gone).unlink()
    with localsite.served(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context(viewport={"width": 375, "height": 740}).new_page()
        page.goto(f"{base}/stories/{STORIES[0]}/")
        page.wait_for_function("!document.documentElement.classList.contains('up-sw')")
        assert page.evaluate("document.querySelector('[data-up-save]').getBoundingClientRect().height") == 0
        page.goto(f"{base}/library/")
        page.wait_for_selector("[data-up-nosw]:not([hidden])")
        browser.close()
