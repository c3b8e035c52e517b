"""The masthead at every 字号 step on a phone, the 栏目 menu, the homepage's columns and 朗读 on a story,
measured in Chromium on the built sample (issue 22, items 1, 2 and 6)."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT
from test_browser import browser, served  # noqa: F401  (fixtures)

CARE = "unionpress-care"
SIZES = ["", "2", "3", "4", "5"]  # 标准, 大, 较大, 特大, 超大 (care.js; the stylesheet's --up-scale)
SCALE = {"": 1, "2": 1.25, "3": 1.5, "4": 1.75, "5": 2}
HEADER_LIMIT = 200  # px: the masthead with its search box and the 栏目 button, at most a third of a 640 px screen
AXE = ROOT / "node_modules/axe-core/axe.min.js"

MEASURE = """() => {
  const box = (e) => { const r = e.getBoundingClientRect(); return {l: r.left, t: r.top, r: r.right, b: r.bottom, w: r.width, h: r.height}; };
  const q = (s) => document.querySelector(s);
  const names = [...document.querySelectorAll('.up-masthead__full, .up-masthead__short')]
    .filter((e) => getComputedStyle(e).display !== 'none' && e.getBoundingClientRect().width > 2)
    .map((e) => ({cls: e.className, box: box(e), font: parseFloat(getComputedStyle(e).fontSize),
                  clipped: e.scrollWidth > e.clientWidth + 1, text: e.innerText}));
  const logo = q('.up-masthead__logo');
  return {header: box(q('header.up-masthead')), name: box(q('.up-masthead__name')), tool: box(q('#up-care-toggle')),
          search: box(q('.up-masthead__search')), nav: box(q('.up-channels')), names,
          logo: logo && getComputedStyle(logo).display !== 'none' ? box(logo) : null,
          root: parseFloat(getComputedStyle(document.documentElement).fontSize),
          sideways: document.documentElement.scrollWidth > innerWidth};
}"""


def _open(browser, served, url: str, width: int, care: dict | None = None, height: int = 640):  # noqa: F811
    page = browser.new_page(viewport={"width": width, "height": height})
    if care:
        page.add_init_script(f"localStorage.setItem({CARE!r}, {json.dumps(json.dumps(care))})")
    page.goto(f"{served}/{url}")
    return page


def _apart(a: dict, b: dict) -> bool:
    return a["r"] <= b["l"] or b["r"] <= a["l"] or a["b"] <= b["t"] or b["b"] <= a["t"]


@pytest.mark.parametrize("contrast", ["", "yellow"])  # 黑底黄字 draws 2 px borders round every control
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("width", [320, 375])
def test_masthead_is_one_line_of_name_and_tools_at_every_text_size(browser, served, width, size, contrast):  # noqa: F811
    care = {key: value for key, value in (("size", size), ("contrast", contrast)) if value}
    page = _open(browser, served, "stories/han-jie-hanqiang/", width, care)
    found = page.evaluate(MEASURE)
    print(f"header {width}px 字号 {size or '1'} {contrast}: {found['header']['h']:.0f} px, name shown: "
          f"{[n['text'] for n in found['names']] or 'emblem alone'}")
    assert found["root"] == pytest.approx(20 * SCALE[size])  # the step took effect (Material's 125 % × scale)
    # The name and the 无障碍 button side by side, never over each other; the name whole on one line.
    assert _apart(found["name"], found["tool"]) and found["name"]["r"] <= found["tool"]["l"]
    for name in found["names"]:
        assert name["box"]["h"] < 1.6 * name["font"], name  # one line
        assert not name["clipped"], name  # shown whole, not cut off
        assert _apart(name["box"], found["tool"])
    if not found["names"]:  # the emblem alone, still named for a screen reader
        assert found["logo"] and _apart(found["logo"], found["tool"])
        assert page.get_by_role("link", name="示例市总工会").count() == 1
    # Below that row the search box, then the 栏目 button: nothing overlaps, and the whole fits the limit.
    assert found["search"]["t"] >= max(found["name"]["b"], found["tool"]["b"]) - 1
    assert found["nav"]["t"] >= found["search"]["b"] - 1
    assert found["header"]["h"] <= HEADER_LIMIT
    assert not found["sideways"]
    page.close()


def test_whole_name_on_a_desktop_never_split_mid_word(browser, served):  # noqa: F811
    page = _open(browser, served, "", 1280)
    found = page.evaluate(MEASURE)
    assert [name["text"] for name in found["names"]] == ["示例市总工会 · 劳动者之家"]
    assert found["names"][0]["box"]["h"] < 1.6 * found["names"][0]["font"]
    # Each word is kept whole wherever a line would break: a word never wraps inside itself.
    assert page.evaluate("[...document.querySelectorAll('.up-masthead__word')].every(w => getComputedStyle(w).whiteSpace === 'nowrap')")
    page.close()


def _channel_links(page) -> list[dict]:
    return page.evaluate("""[...document.querySelectorAll('nav.up-channels a')].map(a => {
        const r = a.getBoundingClientRect();
        return {text: a.innerText.trim(), shown: r.width > 0 && r.height > 0 && r.left >= 0 && r.right <= innerWidth + 0.5};
    })""")


@pytest.mark.parametrize("size", ["", "5"])
def test_every_channel_is_reachable_from_the_phone_menu_by_keyboard(browser, served, size):  # noqa: F811
    desktop = _open(browser, served, "", 1280)
    every = [link["text"] for link in _channel_links(desktop)]
    desktop.close()
    assert {"首页", "劳模风采", "专题", "使用帮助", "通知公告"} <= set(every)
    page = _open(browser, served, "", 375, {"size": size} if size else None)
    toggle = page.locator(".up-channels__toggle")
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert toggle.get_attribute("aria-controls") == "up-channel-list"
    assert not any(link["shown"] for link in _channel_links(page))  # folded
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    links = _channel_links(page)
    assert [link["text"] for link in links] == every and all(link["shown"] for link in links)
    assert not page.evaluate("document.documentElement.scrollWidth > innerWidth")
    page.keyboard.press("Tab")  # into the list
    assert page.evaluate("document.activeElement.closest('#up-channel-list') !== null")
    page.keyboard.press("Escape")  # closes it and returns to the button
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.classList.contains('up-channels__toggle')")
    page.keyboard.press(" ")  # a button opens with Space too
    assert toggle.get_attribute("aria-expanded") == "true"
    page.close()


def test_without_javascript_the_channel_bar_wraps_with_every_channel(browser, served):  # noqa: F811
    context = browser.new_context(viewport={"width": 320, "height": 640}, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{served}/")
    assert not page.locator(".up-channels__toggle").is_visible()  # no button that would do nothing
    links = _channel_links(page)
    assert len(links) >= 10 and all(link["shown"] for link in links), links
    assert not page.evaluate("document.documentElement.scrollWidth > innerWidth")
    context.close()


@pytest.mark.parametrize("mode", [{}, {"contrast": "yellow"}, {"size": "5"}])
def test_open_menu_has_no_serious_accessibility_problem(browser, served, mode):  # noqa: F811
    page = _open(browser, served, "", 375, mode)
    page.locator(".up-channels__toggle").click()
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`)""")
    page.close()
    assert violations == []


def test_homepage_is_two_columns_on_a_desktop_and_one_on_a_phone(browser, served):  # noqa: F811
    cells = "[...document.querySelectorAll('.up-home__cell')].map(c => { const r = c.getBoundingClientRect(); return {name: c.className.match(/--([a-z]+)/)[1], x: Math.round(r.left), y: Math.round(r.top), w: Math.round(r.width)}; })"
    desktop = _open(browser, served, "", 1280, height=900)
    found = desktop.evaluate(cells)
    desktop.close()
    by = {cell["name"]: cell for cell in found}
    assert by["pictures"]["y"] == by["latest"]["y"] and by["pictures"]["x"] < by["latest"]["x"]  # side by side
    assert by["lead"]["w"] > 1.9 * by["latest"]["w"]  # the lead spans both
    assert [cell["name"] for cell in found][:5] == ["lead", "topic", "pictures", "latest", "notices"]
    phone = _open(browser, served, "", 375)
    found = phone.evaluate(cells)
    phone.close()
    assert len({cell["x"] for cell in found}) == 1 and len({cell["w"] for cell in found}) == 1  # one column


SPEECH_STUB = """
window.__spoken = [];
Object.defineProperty(window, 'speechSynthesis', {value: {
  speak(u) { window.__spoken.push(u.text); }, cancel() {}, pause() {}, resume() {}, getVoices() { return []; },
  speaking: false, pending: false, paused: false}});
"""


def test_read_aloud_reads_captions_but_not_the_review_line_or_the_breadcrumb(browser, served):  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.add_init_script(SPEECH_STUB)
    page.goto(f"{served}/stories/han-jie-hanqiang/")
    assert page.locator(".up-review").inner_text().startswith("责任编辑：周晓燕")  # shown to the reader
    assert page.locator(".up-crumbs li").all_inner_texts() == ["首页", "工匠风采", "焊花里的青春"]
    page.get_by_role("button", name="无障碍").click()
    page.get_by_role("button", name="朗读全文").click()
    spoken = page.evaluate("window.__spoken")
    assert "焊花里的青春" in spoken and any(text.startswith("走进示例重工") for text in spoken)
    assert "焊工在车间里焊接，焊花四溅" in spoken  # the cover's caption
    assert "车间里排列整齐的压力容器，等待焊缝探伤" in spoken  # a body picture's caption
    assert not [text for text in spoken if "责任编辑" in text or "终审" in text or text == "首页"]
    page.close()


def test_hand_written_pages_have_the_breadcrumb_too(sample_site):
    about = (sample_site / "about/index.html").read_text(encoding="utf-8")  # the engine's page around MkDocs' HTML
    assert ('<nav class="up-crumbs" aria-label="当前位置" data-up-noread><ol><li><a href="../">首页</a></li>'
            '<li aria-current="page">关于我们</li></ol></nav>') in about
