"""Issue 22's small things a reader notices, each measured in Chromium or read from the output: no
Chinese text in italics, feed addresses that break only after a 「/」, and a name card filled to its
foot with no line starting with 「·」, linked from its profile. (The gallery's lone last card is
tests/test_gallery.py's.)"""

from __future__ import annotations

import pytest
from lxml import etree

from conftest import check, mkdocs_build
from test_browser import browser, served  # noqa: F401  (fixtures)
from test_reader import PAGE_TYPES

HAN_ITALIC = """() => [...document.querySelectorAll('body *')].filter(e => {
    const own = [...e.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('');
    return /[\\u3400-\\u9fff]/.test(own) && getComputedStyle(e).fontStyle !== 'normal';
}).map(e => `${e.tagName.toLowerCase()}.${e.className}: ${e.textContent.trim().slice(0, 20)}`)"""


@pytest.mark.parametrize("kind", [*PAGE_TYPES, "stats"])
def test_no_chinese_text_in_italics_on_any_page_type(browser, served, kind):  # noqa: F811
    url = "models/stats/" if kind == "stats" else PAGE_TYPES[kind]
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(f"{served}/{url}")
    if url.startswith("search/"):
        page.wait_for_function("document.getElementById('up-search-results').getAttribute('aria-busy') === 'false'")
    assert page.evaluate(HAN_ITALIC) == []
    page.close()


def test_emphasis_in_a_story_is_set_with_dots_not_slanted(browser, served):  # noqa: F811
    """What a body may hold (Markdown's *强调*, <i>, <cite>, a quotation, a figure caption) is upright;
    <em> takes 着重号. Put into a real story page, so the site's own stylesheets decide."""
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(f"{served}/{PAGE_TYPES['story']}")
    styles = page.evaluate("""() => {
        const body = document.querySelector('.up-body') || document.querySelector('article');
        body.insertAdjacentHTML('beforeend', '<p id="t-p"><em>强调</em><i>术语</i><cite>书名</cite><q>引语</q>'
            + '<dfn>定义</dfn><var>变量</var></p><blockquote id="t-q"><p>引文段落</p></blockquote>'
            + '<figure><img alt="图" width="10" height="10"><figcaption id="t-c">图片说明</figcaption></figure>');
        const style = s => getComputedStyle(document.querySelector(s));
        return {slanted: [...document.querySelectorAll('#t-p > *, #t-q, #t-q p, #t-c')]
                    .filter(e => getComputedStyle(e).fontStyle !== 'normal').map(e => e.tagName),
                dots: style('#t-p em').textEmphasisStyle};
    }""")
    page.close()
    assert styles["slanted"] == [] and "dot" in styles["dots"], styles


@pytest.mark.parametrize("size", ["1", "3", "5"])
def test_feed_addresses_break_only_after_a_slash(browser, served, size):  # noqa: F811
    """On a 320 px phone every line break of a feed address falls right after a 「/」; a file or folder
    name breaks inside itself (at a hyphen, say) only when it alone is wider than the line, as at
    字号 200 %. The address's text is unchanged, so it copies whole."""
    page = browser.new_page(viewport={"width": 320, "height": 800})
    page.add_init_script(f"localStorage.setItem('unionpress-care', JSON.stringify({{size: '{size}'}}))")
    page.goto(f"{served}/feeds/")
    codes = page.evaluate("""() => [...document.querySelectorAll('.up-feeds__links code')].map(code => {
        const line = parseFloat(getComputedStyle(code).lineHeight) || parseFloat(getComputedStyle(code).fontSize) * 1.6;
        const room = code.parentElement.getBoundingClientRect().width;
        const parts = [...code.querySelectorAll('.up-feeds__part')].map(part => {
            const natural = document.createElement('span');
            natural.style.cssText = 'position:absolute;white-space:nowrap;visibility:hidden';
            natural.className = part.className;
            natural.textContent = part.textContent;
            code.append(natural);
            const width = natural.getBoundingClientRect().width;
            natural.remove();
            return {text: part.textContent, wraps: part.getBoundingClientRect().height > 1.5 * line,
                    wider: width > room, top: part.getBoundingClientRect().top};
        });
        return {text: code.textContent, parts, lines: new Set(parts.map(p => Math.round(p.top))).size};
    })""")
    page.close()
    assert len(codes) > 10 and all(code["text"].startswith("https://example.org/") for code in codes)
    assert all("".join(p["text"] for p in code["parts"]) == code["text"] for code in codes)
    assert all(code["parts"][0]["text"] == "https://example.org/" for code in codes)  # never broken inside 「//」
    assert any(code["lines"] > 1 for code in codes)  # long addresses do wrap, between parts …
    for code in codes:  # … and inside a part only when the part alone is wider than the line
        assert all(part["wider"] for part in code["parts"] if part["wraps"]), code
    if size == "1":
        assert not [part for code in codes for part in code["parts"] if part["wraps"]]


def _card(**fields):
    from unionpress.outputs.qrcards import HEIGHT, card_svg

    class Model:  # the fields card_svg reads
        name, employer, position, photo = "买买提·艾力", "示例市第一人民医院心血管内科重症监护病区", "护士长 · 主任护师", None
    model = Model()
    for key, value in fields.items():
        setattr(model, key, value)
    svg = etree.fromstring(card_svg(model, "2026年 全国五一劳动奖章", "https://example.org/models/x/", "示例市总工会", None))
    return svg, HEIGHT


def test_a_name_card_has_no_line_starting_or_ending_with_a_middle_dot():
    ns = {"s": "http://www.w3.org/2000/svg"}
    for employer in ("示例市第一人民医院心血管内科重症监护病区", "示例能源集团 · 红山煤矿综采队工区", "甲" * 9 + "·" + "乙" * 9):
        svg, _ = _card(employer=employer)
        rows = [t.text for t in svg.xpath("//s:text", namespaces=ns)]
        assert not [row for row in rows if row.strip() in {"·", ""} or row.startswith(("·", " ", "，"))], rows
        assert "买买提·艾力" in rows  # the name is whole, dot and all


def test_a_name_card_is_filled_to_its_foot(sample_site):
    """No empty lower third: the portrait, the text and the code reach into the bottom third."""
    ns = {"s": "http://www.w3.org/2000/svg"}
    svg = etree.parse(str(sample_site / "models/a-mu-ren-qing/card.svg")).getroot()
    height = float(svg.get("viewBox").split()[3])
    photo = svg.xpath("//s:image", namespaces=ns)[0]
    assert float(photo.get("y")) + float(photo.get("height")) >= 0.85 * height
    code = svg.xpath("/s:svg/s:svg", namespaces=ns)[0]
    assert float(code.get("y")) + float(code.get("height")) >= 0.9 * height
    lowest_text = max(float(t.get("y")) for t in svg.xpath("//s:text", namespaces=ns) if float(t.get("x")) < 600)
    assert lowest_text >= 2 / 3 * height


def test_a_profile_links_to_its_card_and_a_draft_has_none(sample_site, site_copy, tmp_path):
    html = (sample_site / "models/a-mu-ren-qing/index.html").read_text(encoding="utf-8")
    assert '<a href="card.svg">展牌（带二维码，可打印）</a>' in html and (sample_site / "models/a-mu-ren-qing/card.svg").is_file()
    # No site_url, no card, no link (a relative QR code would lead nowhere once printed).
    _, build = check(site_copy)
    assert "card.svg" not in build.render().text_of("models/good-model/")


def test_an_address_is_cut_after_its_host_and_each_folder_only():
    import unionpress.engine  # noqa: F401  (the package's import order: engine first)
    from unionpress.pages.base import address_parts

    assert address_parts("https://example.org/feeds/columns/x/rss.xml") == [
        "https://example.org/", "feeds/", "columns/", "x/", "rss.xml"]
    assert address_parts("http://union.example/site/") == ["http://union.example/", "site/"]
    assert address_parts("feeds/rss.xml") == ["feeds/", "rss.xml"]  # a site without an address
    for address in ("https://example.org/feeds/columns/x/rss.xml", "https://example.org"):
        assert "".join(address_parts(address)) == address  # it copies whole
