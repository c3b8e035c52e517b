"""The labor-model gallery: order, pre-built filter pages, pagination, profiles' stories, the homepage
strip, and nothing of a non-public profile anywhere."""

from __future__ import annotations

import json

import pytest

from conftest import check, mkdocs_build, write_item, write_story
from test_browser import browser, served  # noqa: F401  (fixtures)
from test_build import _all_text

HONORS = ("- {key: quanguo-laomo, name: 全国劳动模范, level: 国家级, rank: 1}\n"
          "- {key: sheng-laomo, name: 省级劳动模范, level: 省部级, rank: 10}\n"
          "- {key: shi-laomo, name: 市级劳动模范, level: 市级, rank: 20, target: 3}\n")
CONSENT = "{by: 本人, date: 2026-01-05}"

# slug → (name, honors, region, industry, status). The expected results below are written out by
# hand from this table, not computed by the code under test.
PEOPLE = {
    "zhou-a": ("周甲", "[{honor: shi-laomo, year: 2025}]", "东城区", "制造业", "published"),
    "wu-b": ("吴乙", "[{honor: quanguo-laomo, year: 2015}, {honor: shi-laomo, year: 2024}]", "西城区", "能源", "published"),
    "zheng-c": ("郑丙", "[{honor: quanguo-laomo, year: 2020}]", "东城区", "能源", "published"),
    "wang-d": ("王丁", "[{honor: sheng-laomo, year: 2020}]", "", "制造业", "published"),
    "feng-e": ("冯戊", "[{honor: quanguo-laomo, year: 2020}]", "南湖区", "", "published"),
    "chen-f": ("陈己", "[{honor: sheng-laomo, year: 2024}, {honor: sheng-laomo, year: 2025}]", "东城区", "", "published"),
    "secret-g": ("保密庚", "[{honor: quanguo-laomo, year: 2001}]", "北山区", "建筑业", "draft"),
}
ORDER = ["feng-e", "zheng-c", "wu-b", "chen-f", "wang-d", "zhou-a"]  # rank, then newest year, then slug


@pytest.fixture
def gallery(site_copy):
    (site_copy / "honors.yml").write_text(HONORS, encoding="utf-8")
    for slug, (name, honors, region, industry, status) in PEOPLE.items():
        fields = {"name": name, "photo": "../images/photo.jpg", "employer": f"{name}的单位", "honors": honors,
                  "status": status}
        if status == "published":
            fields["consent"] = CONSENT
        if region:
            fields["region"] = region
        if industry:
            fields["industry"] = industry
        write_item(site_copy, f"models/{slug}.md", body=f"{name}的事迹。", review=status == "published", **fields)
    (site_copy / "models/good-model.md").unlink()
    story = site_copy / "stories/good-story.md"
    story.write_text("".join(line for line in story.read_text(encoding="utf-8").splitlines(keepends=True)
                             if not line.startswith("models:")), encoding="utf-8")
    return site_copy


def _pages(build, prefix: str) -> dict[str, list[str]]:
    """Gallery page URL → the slugs it shows, for every page under `prefix`."""
    return {page.url: [m.slug for m in page.context["models"]] for page in build.public_pages
            if page.template == "models.html" and page.url.startswith(prefix)}


def test_gallery_order_is_rank_then_year_then_name(gallery):
    lines, build = check(gallery)
    assert lines == []
    assert _pages(build, "models/")["models/"] == ORDER


def test_each_filter_page_lists_exactly_its_profiles(gallery):
    _, build = check(gallery)
    pages = _pages(build, "models/")
    region = {url: slugs for url, slugs in pages.items() if url.startswith("models/region/")}
    assert sorted(map(sorted, region.values())) == [["chen-f", "zheng-c", "zhou-a"], ["feng-e"], ["wu-b"]]
    east = next(url for url, slugs in region.items() if "zhou-a" in slugs)
    assert east.startswith("models/region/dong-cheng-qu-") and east.isascii()
    assert pages["models/honor/quanguo-laomo/"] == ["feng-e", "zheng-c", "wu-b"]
    assert pages["models/honor/shi-laomo/"] == ["wu-b", "zhou-a"]  # wu-b's best honor still ranks first
    assert pages["models/honor/sheng-laomo/"] == ["chen-f", "wang-d"]  # chen-f twice, listed once
    assert pages["models/level/guojia/"] == ["feng-e", "zheng-c", "wu-b"]
    assert pages["models/level/shengbu/"] == ["chen-f", "wang-d"]
    assert pages["models/level/shi/"] == ["wu-b", "zhou-a"]
    assert pages["models/year/2020/"] == ["feng-e", "zheng-c", "wang-d"]
    assert pages["models/year/2025/"] == ["chen-f", "zhou-a"]
    assert set(pages) >= {"models/year/2015/", "models/year/2024/"} and "models/year/2001/" not in pages
    industry = {tuple(slugs) for url, slugs in pages.items() if url.startswith("models/industry/")}
    assert industry == {("zheng-c", "wu-b"), ("wang-d", "zhou-a")}
    html = build.render().text_of("models/honor/quanguo-laomo/")
    assert "共 3 位（全国劳动模范）" in html and 'aria-current="page">全国劳动模范 <span class="up-count">3</span>' in html


def test_gallery_pages_do_not_grow_with_the_profiles(gallery):
    _, build = check(gallery, gallery_page_size=4)
    pages = _pages(build, "models/")
    assert pages["models/"] == ORDER[:4] and pages["models/page/2/"] == ORDER[4:]
    assert pages["models/honor/quanguo-laomo/"] == ["feng-e", "zheng-c", "wu-b"]
    assert "models/honor/quanguo-laomo/page/2/" not in pages
    html = build.render().text_of("models/page/2/")
    assert "共 6 位劳模、工匠和先进人物，第 5–6 位。" in html and 'rel="prev" href="../../"' in html


def test_no_draft_profile_in_any_gallery_page_or_the_index(gallery, tmp_path):
    site = tmp_path / "site"
    result = mkdocs_build(site, content=gallery)
    assert result.returncode == 0, result.stderr
    texts = _all_text(site)  # every page, JSON, SVG card, CSV and feed, embedded pictures left out
    assert [name for name, text in texts.items() for marker in ("保密庚", "secret-g", "北山区", "建筑业", "2001")
            if marker in text] == []
    index = json.loads(texts["models/gallery.json"])
    assert [m["u"] for m in index["models"]] == [f"models/{slug}/" for slug in ORDER]
    assert index["facets"]["year"][0] == ["2025", "2025年"]


def test_homepage_strip_shows_the_highest_ranked_recent_honorees(gallery):
    from unionpress.pages import gallery as gallery_pages

    _, build = check(gallery)
    # Recent = the latest three award years (2025, 2024, 2020); within them rank, then year.
    assert [m.slug for m in gallery_pages.star_strip(build.public, 3)] == ["feng-e", "zheng-c", "chen-f"]
    assert [m.slug for m in gallery_pages.star_strip(build.public)] == ["feng-e", "zheng-c", "chen-f", "wang-d",
                                                                        "zhou-a", "wu-b"]


def test_profile_lists_every_story_about_the_person_newest_first(gallery):
    for day in range(1, 24):
        write_story(gallery, f"story-{day:02d}", date=f"2026-03-{day:02d} 09:00", models="[zhou-a]")
    write_story(gallery, "draft-about-zhou", date="2026-03-30 09:00", models="[zhou-a]", status="draft")
    _, build = check(gallery)
    page = next(p for p in build.public_pages if p.url == "models/zhou-a/")
    assert [s.slug for s in page.context["stories"]] == [f"story-{day:02d}" for day in range(23, 3, -1)]
    assert page.context["story_count"] == 23 and page.context["more"] == "models/zhou-a/stories/"
    rest = next(p for p in build.public_pages if p.url == "models/zhou-a/stories/")
    assert [s.slug for s in rest.context["stories"]] == [f"story-{day:02d}" for day in range(23, 3, -1)]
    second = next(p for p in build.public_pages if p.url == "models/zhou-a/stories/page/2/")
    assert [s.slug for s in second.context["stories"]] == ["story-03", "story-02", "story-01"]
    html = build.render().text_of("models/zhou-a/")
    assert '<a href="stories/">全部 23 篇相关报道</a>' in html and "draft-about-zhou" not in html
    other = next(p for p in build.public_pages if p.url == "models/wu-b/")
    assert other.context["more"] == "" and other.context["stories"] == ()


def test_a_reader_filters_the_gallery_with_and_without_javascript(browser, served, tmp_path):  # noqa: F811
    # Without JavaScript: one 筛选 button; its panel holds links to pre-built pages and no dropdown,
    # which could do nothing (a CSS rule once showed the `hidden` form).
    context = browser.new_context(viewport={"width": 375, "height": 800}, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{served}/models/")
    summary = page.locator(".up-gallery-filters summary")
    assert summary.inner_text() == "筛选"  # on a phone the list of what it filters by is left out
    summary.click()
    assert page.locator("#up-gallery-form").is_hidden() and page.locator(".up-gallery-form select").count() == 5
    assert not [s for s in page.locator(".up-gallery-form select").all() if s.is_visible()]
    assert page.locator(".up-gallery-filters__group").first.is_visible()
    page.get_by_role("link", name="东城区 2").click()
    assert page.locator("h1").inner_text() == "东城区分馆"
    assert page.locator("#up-gallery-grid .up-person__name").all_inner_texts() == ["李秀英", "刘芳"]
    context.close()
    # With it: the panel holds the form only, two filters combined without a reload, the address says
    # what was chosen.
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{served}/models/")
    page.evaluate("window.__samePage = true")
    page.locator(".up-gallery-filters summary").click()
    assert page.locator("#up-gallery-form").is_visible() and page.locator(".up-gallery-filters__group").first.is_hidden()
    page.get_by_label("行业").select_option(label="能源（2）")
    status = page.locator("#up-gallery-form [role=status]")
    status.filter(has_text="找到 2 位").wait_for()
    assert page.locator("#up-gallery-results .up-person__name").all_inner_texts() == ["王建国", "阿木仁青"]
    page.get_by_label("年份").select_option(label="2026年（1）")
    status.filter(has_text="找到 1 位").wait_for()
    assert page.locator("#up-gallery-results .up-person__name").all_inner_texts() == ["阿木仁青"]
    assert page.locator("#up-gallery-grid").is_hidden() and page.evaluate("window.__samePage") is True
    assert page.url.endswith("/models/?year=2026&industry=neng-yuan-96b7b6")
    page.screenshot(path=str(tmp_path / "combined-1280.png"), full_page=True)
    page.locator("#up-gallery-results a").first.click()
    page.wait_for_url("**/models/a-mu-ren-qing/")
    # The shared address opens with the same combination.
    page.goto(f"{served}/models/?year=2026&industry=neng-yuan-96b7b6")
    page.locator("#up-gallery-form [role=status]").filter(has_text="找到 1 位").wait_for()
    page.get_by_role("button", name="清除").click()
    assert page.locator("#up-gallery-grid").is_visible() and page.url.endswith("/models/")
    page.close()


def test_every_choice_is_counted_and_a_choice_of_nobody_is_not_offered(browser, served, sample_site):  # noqa: F811
    """After each choice every option says how many it would show with the others chosen (counted here
    from models/gallery.json), and an option that would show nobody is disabled; choosing an offered
    option shows exactly its count."""
    data = json.loads((sample_site / "models/gallery.json").read_text(encoding="utf-8"))
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(f"{served}/models/")
    page.locator(".up-gallery-filters summary").click()
    status = page.locator("#up-gallery-form [role=status]")
    for facet, label in (("industry", "能源"), ("region", None), ("year", None)):
        select = page.locator(f"select[name={facet}]")
        if label:
            select.select_option(label=next(t for t in select.locator("option").all_inner_texts() if t.startswith(label)))
        else:  # the first option still offered after the choices before
            offered = [o for o in select.locator("option").all() if not o.is_disabled() and o.get_attribute("value")]
            select.select_option(offered[0].get_attribute("value"))
        page.wait_for_function("() => !document.querySelector('#up-gallery-form [role=status]').textContent.startsWith('正在')")
        chosen = page.evaluate("Object.fromEntries([...document.querySelectorAll('#up-gallery-form select')]"
                               ".filter(s => s.value).map(s => [s.name, s.value]))")
        for name in ("honor", "level", "year", "region", "industry"):
            others = {k: v for k, v in chosen.items() if k != name}
            pool = [m for m in data["models"] if all(v in m["f"].get(k, []) for k, v in others.items())]
            for option in page.locator(f"select[name={name}] option").all():
                value, text = option.get_attribute("value"), option.inner_text()
                count = sum(value in m["f"].get(name, []) for m in pool) if value else len(pool)
                assert text.endswith(f"（{count}）"), (chosen, name, text, count)
                assert option.is_disabled() == (count == 0 and value != "" and chosen.get(name) != value), (name, text)
        shown = page.locator("#up-gallery-results .up-person").count()
        assert status.inner_text() == f"找到 {shown} 位" and shown > 0
    page.close()


def test_option_counts_on_a_filter_page(gallery):
    """On 东城区分馆 every other filter's choice counts 东城区's profiles only, its own filter's choices
    count everyone (choosing one replaces 东城区), and 2015 (西城区's 吴乙 only) is not offered."""
    _, build = check(gallery)
    page = next(p for p in build.public_pages if p.template == "models.html" and p.context["chosen"]
                and p.context["chosen"].name == "东城区")
    counts = page.context["counts"]
    named = {value.name: counts[value.url] for _facet, values in page.context["menu"] for value in values}
    assert named == {"全国劳动模范": 1, "省级劳动模范": 1, "市级劳动模范": 1, "国家级": 1, "省部级": 1, "市级": 1,
                     "2025年": 2, "2024年": 1, "2020年": 1, "2015年": 0, "东城区": 3, "西城区": 1, "南湖区": 1,
                     "制造业": 1, "能源": 1}
    assert (counts["region"], counts["honor"]) == (6, 3)  # 全部 of its own filter, 全部 of another
    html = build.render().text_of(page.url)
    assert '<option value="2015" disabled>2015年（0）</option>' in html
    assert "<option value=\"\">全部（6）</option>" in html


@pytest.mark.parametrize("width, size", [(375, "1"), (1280, "1"), (375, "5"), (1280, "5"), (768, "1")])
def test_the_gallery_grid_leaves_no_lone_card_on_its_last_row(browser, served, width, size):  # noqa: F811
    """A last row of one card is no row: that card takes the whole row. Checked on the gallery and on
    every filter page the sample has, at a phone's and a desktop's width and at 字号 200 %."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.add_init_script(f"localStorage.setItem('unionpress-care', JSON.stringify({{size: '{size}'}}))")
    page.goto(f"{served}/models/")
    urls = ["models/"] + sorted({a.split("://", 1)[1].split("/", 1)[1] for a in page.eval_on_selector_all(
        ".up-gallery-filters__group a", "links => links.map(a => a.href)")})
    lone = 0
    for url in urls:
        page.goto(f"{served}/{url}")
        rows = page.evaluate("""() => { const list = document.querySelector('#up-gallery-grid .up-people');
            const boxes = [...list.children].map(li => li.getBoundingClientRect());
            return {width: list.getBoundingClientRect().width, boxes: boxes.map(b => [Math.round(b.top), b.width])}; }""")
        tops = [top for top, _ in rows["boxes"]]
        last_top, last_width = rows["boxes"][-1]
        if len(tops) > 1 and tops.count(last_top) == 1:  # alone on its row: it must fill it
            lone += 1
            assert abs(last_width - rows["width"]) < 1, (url, rows)
    if width == 375 or size == "5":  # two or three to a row: the sample has pages with an odd one out
        assert lone, "the sample should have a page whose last row would hold one card"
    page.close()


def test_every_public_profile_has_a_name_card_whose_code_opens_the_profile(sample_site, browser, served, tmp_path):  # noqa: F811
    import shutil
    import subprocess
    import xml.etree.ElementTree as ET

    cards = sorted(p.parent.name for p in (sample_site / "models").glob("*/card.svg"))
    profiles = sorted(p.parent.name for p in (sample_site / "models").glob("*/index.html")
                      if p.parent.name not in {"honor", "level", "year", "region", "industry", "print", "page", "stats"})
    assert cards == profiles and "sun-weimin-caogao" not in cards  # the sample's draft profile has none
    card = sample_site / "models/a-mu-ren-qing/card.svg"
    root = ET.parse(card).getroot()  # well-formed XML, self-contained (the portrait is embedded)
    assert root.get("width") == "90mm" and root.get("height") == "54mm"
    assert "阿木仁青" in card.read_text(encoding="utf-8") and 'href="data:image/jpeg;base64,' in card.read_text(encoding="utf-8")
    page = browser.new_page(viewport={"width": 900, "height": 540}, device_scale_factor=2)
    page.goto(f"{served}/models/a-mu-ren-qing/card.svg")
    page.screenshot(path=tmp_path / "card.png")
    page.close()
    read = subprocess.run([shutil.which("zbarimg") or "zbarimg", "-q", "--raw", str(tmp_path / "card.png")],
                          capture_output=True, text=True, timeout=60)
    assert read.stdout.strip() == "https://example.org/models/a-mu-ren-qing/"


def test_print_page_of_a_region_shows_exactly_its_cards(sample_site):
    from lxml import html as lhtml

    region = sample_site / "models/region/dong-cheng-qu-edb2e8"
    tree = lhtml.fromstring((region / "print/index.html").read_text(encoding="utf-8"))
    assert tree.xpath('//ul[@class="up-print-cards"]//img/@src') == ["../../../li-xiuying/card.svg",
                                                                      "../../../liu-fang/card.svg"]
    index = lhtml.fromstring((sample_site / "models/print/index.html").read_text(encoding="utf-8"))
    assert len(index.xpath('//ul[@class="up-print-index"]/li')) == len([p for p in region.parent.iterdir() if p.is_dir()])


def test_names_on_a_card_are_escaped_and_no_site_url_means_no_cards(gallery, tmp_path):
    write_item(gallery, "models/hostile.md", name="'<script>x</script>&'", photo="../images/photo.jpg",
               employer="'A & <B>'", honors="[{honor: shi-laomo, year: 2025}]", consent=CONSENT, status="published")
    from unionpress.outputs import qrcards

    _, build = check(gallery)
    model = next(m for m in build.public.all("model") if m.slug == "hostile")
    svg = qrcards.card_svg(model, "2025年 市级劳动模范", "https://example.org/models/hostile/", "某市<总工会>", build.settings)
    import xml.etree.ElementTree as ET

    ET.fromstring(svg)  # still well-formed
    assert "<script>" not in svg and "&lt;script&gt;x&lt;/script&gt;&amp;" in svg and "某市&lt;总工会&gt;" in svg
    assert qrcards.write(build.public, build.public_pages, tmp_path, build.settings, None) == []  # no site_url
    assert not [p for p in build.public_pages if "print/" in p.url]


def test_honors_report_counts_public_profiles_per_honor_and_year(gallery, tmp_path):
    import csv

    _, build = check(gallery)
    page = next(p for p in build.public_pages if p.url == "models/stats/")
    counts = {row.honor.key: row.counts for row in page.context["rows"]}
    # Written out from PEOPLE: the draft's 2001 award is not counted, chen-f's two awards count in two years.
    assert counts == {"quanguo-laomo": {2015: 1, 2020: 2}, "sheng-laomo": {2020: 1, 2024: 1, 2025: 1},
                      "shi-laomo": {2024: 1, 2025: 1}}
    assert page.context["years"] == [2025, 2024, 2020, 2015]
    html = build.render().text_of("models/stats/")
    assert '<meta name="robots" content="noindex">' in html
    # No shortfall on the public address (1 of 3 in 2025 would be 差 2): that is /stats/'s, for editors.
    assert "差" not in html and "up-stats-short" not in html
    # One bar per honor and calendar year 2015–2025: the years nobody was honored are columns too.
    assert page.context["chart_years"] == list(range(2015, 2026)) and html.count('class="up-chart__bar"') == 3 * 11
    assert html.count('class="up-chart__year"') == 11 and page.context["peak"] == 2
    assert not page.searchable
    site = tmp_path / "site"
    result = mkdocs_build(site, content=gallery)
    assert result.returncode == 0, result.stderr
    raw = (site / "models/stats/honors.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel and WPS need the mark to read Chinese
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0][:5] == ["荣誉键 key", "荣誉 name", "级别 level", "年份 year", "人数 count"]
    assert rows[0] == ["荣誉键 key", "荣誉 name", "级别 level", "年份 year", "人数 count", "年度目标 target"]  # no 差额
    assert ["shi-laomo", "市级劳动模范", "市级", "2025", "1", "3"] in rows
    assert ["quanguo-laomo", "全国劳动模范", "国家级", "2020", "2", ""] in rows
    assert not [r for r in rows if r[3] == "2001"]
    assert "models/stats/" not in (site / "sitemap.xml").read_text(encoding="utf-8")


def test_a_preview_shows_drafts_in_the_gallery_but_prints_and_counts_only_public_profiles(gallery, tmp_path):
    site = tmp_path / "preview"
    result = mkdocs_build(site, content=gallery, preview=True)
    assert result.returncode == 0, result.stderr
    assert "保密庚" in (site / "models/index.html").read_text(encoding="utf-8")  # editors see the draft …
    regions = [p.name for p in (site / "models/region").iterdir()]
    beishan = next(name for name in regions if name.startswith("bei-shan-qu-"))
    assert not (site / "models/region" / beishan / "print").exists()  # … but no card exists to print
    assert "北山区" not in (site / "models/print/index.html").read_text(encoding="utf-8")
    assert not (site / "models/secret-g/card.svg").exists()
    stats = (site / "models/stats/index.html").read_text(encoding="utf-8")
    assert "2001" not in stats and "保密庚" not in stats


def test_an_honors_name_in_the_chart_is_escaped(gallery):
    (gallery / "honors.yml").write_text(HONORS.replace("name: 全国劳动模范", 'name: "全国<b>劳模</b>&"'), encoding="utf-8")
    _, build = check(gallery)
    html = build.render().text_of("models/stats/")
    assert "全国&lt;b&gt;劳模&lt;/b&gt;&amp;" in html and "<b>劳模</b>" not in html


@pytest.mark.parametrize("width", [375, 1280])
def test_stats_chart_is_page_text_on_one_scale_and_the_table_scrolls_in_its_region(browser, served, width):  # noqa: F811
    """The chart's words are the page's size and grow with 字号 (not an SVG scaled down to 6 px); bars
    share one scale (height per person the same in every row); every year of the range is labelled;
    chart and table scroll in their own focusable regions and the page itself never scrolls sideways."""
    measured = {}
    for size in ("1", "5"):
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.add_init_script(f"localStorage.setItem('unionpress-care', JSON.stringify({{size: '{size}'}}))")
        page.goto(f"{served}/models/stats/")
        measured[size] = page.evaluate("""() => {
            const px = s => [...document.querySelectorAll(s)].map(e => parseFloat(getComputedStyle(e).fontSize));
            const bars = [...document.querySelectorAll('.up-chart__cell')].map(c => [
                +c.querySelector('.up-chart__n').textContent, c.querySelector('.up-chart__bar').getBoundingClientRect().height,
                c.querySelector('.up-chart__track').getBoundingClientRect().height]);
            const regions = [...document.querySelectorAll('.up-chart-box, .up-stats-table')].map(r => ({
                role: r.getAttribute('role'), tab: r.tabIndex, label: r.getAttribute('aria-label'),
                scrolls: r.scrollWidth > r.clientWidth + 1, overflow: getComputedStyle(r).overflowX,
                right: r.getBoundingClientRect().right}));
            return {text: Math.min(...px('.up-chart__n'), ...px('.up-chart__year'), ...px('.up-chart__name')),
                    years: [...document.querySelectorAll('.up-chart__year')].map(y => +y.textContent), bars, regions,
                    page: document.documentElement.scrollWidth, view: innerWidth, body: document.body.innerText};
        }""")
        page.close()
    normal, largest = measured["1"], measured["5"]
    assert normal["text"] >= 12 and largest["text"] >= 1.9 * normal["text"], (normal["text"], largest["text"])
    years = normal["years"]
    assert years == list(range(years[0], years[0] + len(years))) and len(years) > 10  # every year, none skipped
    for data in (normal, largest):
        per_person = {round(height / count / track, 3) for count, height, track in data["bars"] if count}
        assert len(per_person) == 1, per_person  # one scale across rows
        assert all(height == 0 for count, height, _ in data["bars"] if not count)
        assert data["page"] <= data["view"], (data["page"], data["view"])  # only the regions scroll
        for region in data["regions"]:
            assert (region["role"], region["tab"]) == ("region", 0) and region["label"].endswith("（可左右滚动）")
            assert region["overflow"] == "auto" and region["right"] <= data["view"]
        assert "差" not in data["body"]
    if width == 375:  # on a phone the table is wider than the screen: it scrolls in its own region
        assert normal["regions"][1]["scrolls"] and largest["regions"][0]["scrolls"]
    else:  # on a desktop the table fits whole, nothing cut off
        assert not normal["regions"][1]["scrolls"]


@pytest.mark.parametrize("mode", ["normal", "white", "yellow", "largest"])
@pytest.mark.parametrize("url, width", [("models/stats/", 375), ("models/stats/", 1280), ("models/", 375)])
def test_stats_and_the_open_filter_panel_have_no_serious_accessibility_problem(browser, served, url, width, mode):  # noqa: F811
    from test_reader import AXE, MODES, _open

    page = _open(browser, served, url, width, MODES[mode])
    if url == "models/":
        page.locator(".up-gallery-filters summary").click()
        page.locator("#up-gallery-form select").first.wait_for()
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`)""")
    page.close()
    assert violations == []
