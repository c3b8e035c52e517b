"""The reader's side of every page type, in Chromium: accessibility (axe-core), the 适老化 toolbar,
nothing loaded from another host, and the page-weight budgets of a phone on weak signal.

One page of every page type the engine plans (and a hand-written page) is checked, so a page type
added later is checked without touching this file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import NOW, ROOT
from test_browser import browser, served  # noqa: F401  (fixtures)

AXE = ROOT / "node_modules/axe-core/axe.min.js"
CARE = "unionpress-care"
# What the reader can set: normal, the two high-contrast schemes, the largest text size.
MODES = {"normal": {}, "white": {"contrast": "white"}, "yellow": {"contrast": "yellow"}, "largest": {"size": "5"}}


def page_types() -> dict[str, str]:
    """Each page type of the sample site (Build.page_types), the search page with results on it."""
    import os

    from unionpress import config, engine

    os.environ.setdefault("UNIONPRESS_NOW", NOW)
    settings, findings = config.load(ROOT)
    found = engine.prepare(settings, findings).page_types()
    found["search"] = "search/?q=%E5%8A%B3%E6%A8%A1"  # with results on it
    return found


PAGE_TYPES = page_types()


def _open(browser, served, url: str, width: int, care: dict | None = None):  # noqa: F811
    page = browser.new_page(viewport={"width": width, "height": 900})
    if care:
        page.add_init_script(f"localStorage.setItem({CARE!r}, {json.dumps(json.dumps(care))})")
    page.goto(f"{served}/{url}")
    if url.startswith("search/"):
        page.wait_for_function("document.getElementById('up-search-results').getAttribute('aria-busy') === 'false'")
    # What a page does by itself after load, waited for by what it shows, not by networkidle's quiet
    # half second (0.6 s on each of this file's 330 page loads): search's results (above), and the
    # offline script's save button, shown once the service worker has kept the page (offline.js),
    # with the list of saved pages on the offline page. The gallery fetches only on a reader's choice.
    page.wait_for_function("""() => (!document.querySelector('script[src$="unionpress/offline.js"]')
                                      || document.documentElement.dataset.offlinePage)
                                    && (!document.querySelector('[data-up-saved-list]')
                                        || document.documentElement.dataset.offlineSaved)""")
    return page


def test_every_page_type_is_checked():
    # The plan's templates, so a new page type joins this list by itself; these exist today.
    assert {"home", "story", "listing", "model", "models", "tags", "feeds", "404", "search", "handwritten"} <= set(PAGE_TYPES)


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_no_serious_accessibility_problem(browser, served, kind, width):  # noqa: F811
    """Every mode on one loaded page, chosen as a reader does, with the toolbar's buttons (care.js); the
    settings a page starts with are the head script's, tested below. A page load per mode was 0.7 s of
    every 1.2 s this test spent on one."""
    page = _open(browser, served, PAGE_TYPES[kind], width)
    page.add_script_tag(path=str(AXE))
    found = {}
    for mode, settings in MODES.items():
        page.evaluate("""settings => { const panel = document.getElementById('up-care');
            panel.querySelector('[data-care-action=reset]').click();
            for (const [name, value] of Object.entries(settings))
                panel.querySelector(`[data-care="${name}"][data-value="${value}"]`).click(); }""", settings)
        attributes = page.evaluate("[...document.documentElement.attributes].map(a => a.name).filter(n => n.startsWith('data-up-'))")
        assert sorted(attributes) == sorted(f"data-up-{name}" for name in settings)  # the setting took effect
        found[mode] = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`)""")
    page.close()
    assert found == {mode: [] for mode in MODES}


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_headings_language_and_skip_link(browser, served, kind):  # noqa: F811
    page = _open(browser, served, PAGE_TYPES[kind], 375)
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert page.locator("h1").count() == 1
    levels = page.evaluate("[...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1])")
    assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:])), levels  # no level skipped
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到正文"
    page.keyboard.press("Enter")
    target = page.evaluate("location.hash.slice(1)")
    assert target and page.locator(f"#{target}").count() == 1
    page.close()


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_largest_text_has_no_sideways_scroll_on_a_phone(browser, served, kind):  # noqa: F811
    page = _open(browser, served, PAGE_TYPES[kind], 375, {"size": "5"})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    body = page.evaluate("parseFloat(getComputedStyle(document.querySelector('article p, article li')).fontSize)")
    assert body >= 24  # 18 pt
    page.close()


# -- the toolbar ------------------------------------------------------------------------------------

STORY = "stories/han-jie-hanqiang/"  # a story with a cover and a picture in its body


def _care(page) -> dict:
    return json.loads(page.evaluate(f"localStorage.getItem({CARE!r}) || '{{}}'"))


def test_toolbar_opens_by_keyboard_and_every_setting_persists(browser, served):  # noqa: F811
    page = _open(browser, served, STORY, 375)
    toggle = page.get_by_role("button", name="无障碍")
    assert toggle.get_attribute("aria-expanded") == "false" and toggle.get_attribute("aria-keyshortcuts") == "Alt+Shift+A"
    page.keyboard.press("Alt+Shift+A")
    assert toggle.get_attribute("aria-expanded") == "true"
    region = page.get_by_role("region", name=re.compile("无障碍与适老化工具"))
    assert region.is_visible()
    assert page.evaluate("document.activeElement.textContent") == "标准"  # focus moved into the toolbar
    base = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.up-body p')).fontSize)")
    # Keyboard: Tab to a button, Enter presses it.
    for name, expected in [("特大", {"size": "4"}), ("黑底黄字", {"contrast": "yellow"}), ("阅读线", {"ruler": "on"}),
                           ("大鼠标", {"cursor": "on"}), ("纯文本", {"textonly": "on"}), ("指读", {"point": "on"}),
                           ("快速", {"rate": "1.3"})]:
        button = region.get_by_role("button", name=name, exact=True)
        button.focus()
        page.keyboard.press("Enter")
        assert button.get_attribute("aria-pressed") == "true", name
        assert expected.items() <= _care(page).items(), name
    # Announced: the words are set on the next animation frame (a fresh text node is read again).
    page.get_by_role("status").filter(has_text="语速：快速").wait_for(state="attached", timeout=5000)
    html = page.evaluate("Object.fromEntries([...document.documentElement.attributes].map(a => [a.name, a.value]))")
    assert {"data-up-size": "4", "data-up-contrast": "yellow", "data-up-ruler": "on", "data-up-cursor": "on",
            "data-up-textonly": "on"}.items() <= html.items()
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.up-body p')).fontSize)")
    assert size == pytest.approx(base * 1.75)
    colours = page.evaluate("[getComputedStyle(document.body).backgroundColor, getComputedStyle(document.querySelector('.up-body p')).color]")
    assert colours == ["rgb(0, 0, 0)", "rgb(255, 255, 0)"]
    assert page.locator(".up-ruler").count() == 1
    assert page.locator(".up-body img").first.is_hidden() and page.locator(".up-alt").first.is_visible()
    assert "url(" in page.evaluate("getComputedStyle(document.body).cursor")
    # Another page: every setting still applies, before any click.
    page.goto(f"{served}/")
    assert page.evaluate("document.documentElement.dataset.upContrast") == "yellow"
    assert page.evaluate("document.documentElement.dataset.upSize") == "4"
    assert page.locator(".up-ruler").count() == 1
    # Reset by mouse, then Escape closes the toolbar and gives the focus back.
    page.get_by_role("button", name="无障碍").click()
    page.get_by_role("button", name="全部重置").click()
    assert _care(page) == {} and page.evaluate(
        "[...document.documentElement.attributes].filter(a => a.name.startsWith('data-up')).length") == 0
    assert page.locator(".up-ruler").count() == 0
    page.keyboard.press("Escape")
    assert page.get_by_role("region", name=re.compile("无障碍与适老化工具")).is_hidden()
    assert page.evaluate("document.activeElement.id") == "up-care-toggle"
    page.close()


def test_mouse_clicks_set_text_size_and_scheme(browser, served):  # noqa: F811
    page = _open(browser, served, STORY, 1280)
    page.get_by_role("button", name="无障碍").click()
    page.get_by_role("button", name="超大").click()
    page.get_by_role("button", name="白底黑字").click()
    assert _care(page) == {"size": "5", "contrast": "white"}
    assert page.evaluate("getComputedStyle(document.querySelector('.up-masthead')).backgroundColor") == "rgb(255, 255, 255)"
    page.get_by_role("button", name="标准").click()
    page.get_by_role("button", name="默认").click()
    assert _care(page) == {}
    page.close()


SPEECH_STUB = """
window.__spoken = [];
// Only the speech engine is replaced: the page's own code, and SpeechSynthesisUtterance, are real.
Object.defineProperty(window, 'speechSynthesis', {value: {
  speak(u) { window.__spoken.push({text: u.text, lang: u.lang, rate: u.rate});
             u.dispatchEvent(new SpeechSynthesisEvent('start', {utterance: u})); },
  cancel() { window.__spoken.push('cancel'); }, pause() {}, resume() {}, getVoices() { return []; },
  speaking: false, pending: false, paused: false}});
"""


def test_read_aloud_reads_the_article_and_what_is_pointed_at(browser, served):  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.add_init_script(SPEECH_STUB)
    page.goto(f"{served}/{STORY}")
    page.get_by_role("button", name="无障碍").click()
    page.get_by_role("button", name="慢速").click()
    page.get_by_role("button", name="朗读全文").click()
    spoken = page.evaluate("window.__spoken")
    assert spoken[0] == "cancel"
    texts = [s["text"] for s in spoken[1:]]
    first = next(i for i, t in enumerate(texts) if t.startswith("走进示例重工的压力容器车间"))
    assert texts.index("焊花里的青春") < first  # the title, then the body, in reading order
    assert all(s["lang"] == "zh-CN" and s["rate"] == pytest.approx(0.8) for s in spoken[1:])
    assert not any("字号" in t for t in texts)  # the toolbar itself is not read
    assert page.locator(".up-reading").count() >= 1  # the paragraph being read is marked
    page.get_by_role("button", name="停止朗读").click()
    assert page.evaluate("window.__spoken.at(-1)") == "cancel" and page.locator(".up-reading").count() == 0
    # 指读: hover the title, then Tab to a link: each is read, nothing else.
    page.get_by_role("button", name="指读").click()
    page.evaluate("window.__spoken = []")
    page.locator("article h1").hover()
    page.wait_for_function("window.__spoken.some(s => s.text)")
    assert [s["text"] for s in page.evaluate("window.__spoken") if s != "cancel"] == ["焊花里的青春"]
    page.evaluate("window.__spoken = []")
    page.locator(".up-channels a").first.focus()
    page.wait_for_function("window.__spoken.some(s => s.text)")
    assert [s["text"] for s in page.evaluate("window.__spoken") if s != "cancel"] == ["首页"]
    # Off: nothing more is read.
    page.get_by_role("button", name="指读").click()
    page.evaluate("window.__spoken = []")
    page.locator("article h1").hover()
    page.wait_for_timeout(400)
    assert [s for s in page.evaluate("window.__spoken") if s != "cancel"] == []
    page.close()


# -- other hosts and budgets ---------------------------------------------------------------------------

RESOURCE = re.compile(r"<(script|link|img|source|iframe|video|audio)\b[^>]*>", re.I)
ATTRIBUTE = re.compile(r"\b(src|href|srcset|poster)\s*=\s*\"([^\"]*)\"", re.I)


def _other_hosts(html: str, allowed_iframes: set[str]) -> list[str]:
    found = []
    for tag in RESOURCE.finditer(html):
        name, text = tag.group(1).lower(), tag.group(0)
        if name == "link" and not re.search(r'rel="[^"]*(stylesheet|icon|preload|modulepreload|manifest)', text):
            continue  # canonical, alternate (feeds) and the like are addresses, not downloads
        for attribute, value in ATTRIBUTE.findall(text):
            urls = [part.strip().split(" ")[0] for part in value.split(",")] if attribute == "srcset" else [value]
            for url in urls:
                host = urlsplit(url).hostname if url.startswith(("http:", "https:", "//")) else None
                if host and not (name == "iframe" and host in allowed_iframes):
                    found.append(f"<{name} {attribute}={url}>")
    return found


def test_the_rule_sees_what_it_must():
    assert _other_hosts('<script src="https://cdn.example.com/x.js"></script>', set()) == [
        "<script src=https://cdn.example.com/x.js>"]
    assert _other_hosts('<link rel="stylesheet" href="//fonts.googleapis.com/css">', set())
    assert _other_hosts('<img srcset="a.jpg 1x, https://img.example.com/b.jpg 2x">', set())
    assert _other_hosts('<iframe src="https://player.example.com/v"></iframe>', {"player.example.com"}) == []
    assert _other_hosts('<link rel="canonical" href="https://example.org/x/">', set()) == []


def test_no_page_loads_anything_from_another_host(sample_site):
    from unionpress import config

    settings, _ = config.load(ROOT)
    allowed = set(settings.embed_hosts)
    pages = sorted(sample_site.rglob("*.html"))
    assert len(pages) > 30
    problems = {str(p.relative_to(sample_site)): bad for p in pages
                if (bad := _other_hosts(p.read_text(encoding="utf-8"), allowed))}
    assert problems == {}
    css = [p for p in sample_site.rglob("*.css") if re.search(r"url\((['\"]?)(https?:)?//", p.read_text(encoding="utf-8"))]
    assert css == []


def test_help_is_for_readers(sample_site):
    html = (sample_site / "help/index.html").read_text(encoding="utf-8")
    for topic in ("搜索", "无障碍", "字号", "朗读", "订阅", "离线"):
        assert topic in html, topic
    for editors_only in ("unionpress", "mkdocs", "<code>", "content/"):
        assert editors_only not in html.split('<article', 1)[1], editors_only


@pytest.mark.parametrize("kind", ["home", "story"])
def test_nothing_moves_while_a_phone_page_loads(browser, served, kind):  # noqa: F811
    """No layout shift at 375 px: the toolbar button and lazy pictures have their room before they arrive
    (Lighthouse found the masthead growing when care.js showed the button)."""
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.add_init_script("window.__shift = 0; new PerformanceObserver(l => l.getEntries().forEach(e => "
                         "{ if (!e.hadRecentInput) window.__shift += e.value; })).observe({type: 'layout-shift', buffered: true});"
                         # Where the footer starts as the page is first laid out: offline.js's service worker
                         # cannot be ready yet then (its script is fetched after), so a save button shown
                         # later without its room moves the footer on every machine, not only a slow one.
                         "document.addEventListener('DOMContentLoaded', () => { window.__footer = "
                         "document.querySelector('.up-footer').getBoundingClientRect().top + scrollY; });")
    page.goto(f"{served}/{PAGE_TYPES[kind]}")
    page.wait_for_function("document.documentElement.dataset.offlinePage")  # the button is shown
    page.wait_for_load_state("networkidle")
    page.mouse.wheel(0, 3000)  # bring the lazy pictures in
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    if kind == "story":
        assert page.locator("[data-up-save] button").is_visible()
    footer = page.evaluate("document.querySelector('.up-footer').getBoundingClientRect().top + scrollY")
    assert (page.evaluate("window.__footer"), page.evaluate("window.__shift")) == (footer, 0)
    page.close()
