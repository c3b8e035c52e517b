"""The built sample site in a real Chromium (Debian's package, driven by Playwright)."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from sample_facts import cover_variants, variant_for
from unionpress import localsite

CHROMIUM, ARGS = localsite.CHROMIUM, localsite.CHROMIUM_ARGS


@pytest.fixture(scope="module")
def served(sample_site):
    with localsite.served(sample_site) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


def test_story_page_on_a_phone(browser, served, tmp_path):
    page = browser.new_page(viewport={"width": 360, "height": 740}, device_scale_factor=2)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{served}/stories/han-jie-hanqiang/")
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert page.locator("article h1").inner_text() == "焊花里的青春"
    # every image has alt text and the cover is fully loaded
    assert page.evaluate("[...document.querySelectorAll('article img')].every(i => i.alt.trim().length > 0)")
    # A 360 px phone at 2× takes the narrowest WebP variant at least 720 px wide, loaded, not the original file.
    cover = page.evaluate("(i => [i.complete, i.naturalWidth, i.currentSrc])(document.querySelector('.up-cover__img'))")
    chosen = variant_for(cover_variants("han-jie-hanqiang").webp, 360, 2)
    assert cover[0] and cover[1] == 360 and cover[2] == f"{served}/{chosen}"
    # no horizontal scrolling on a 360 px phone
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(tmp_path / "story.png"), full_page=True)
    assert errors == []


def test_model_link_leads_to_profile_with_backlinks(browser, served):
    page = browser.new_page()
    page.goto(f"{served}/stories/gaoyuan-dianli-xunjian/")
    page.locator(".up-related a").first.click()
    page.wait_for_url("**/models/a-mu-ren-qing/")
    assert page.locator("article h1").inner_text() == "阿木仁青"
    titles = page.locator(".up-card__title").all_inner_texts()
    assert titles == ["我市12个集体和35名个人获省五一劳动奖", "海拔四千米上的“电力医生”"]


def test_keyboard_reaches_pagination_and_nav_has_no_stories(browser, served):
    page = browser.new_page()
    page.goto(f"{served}/")
    nav_links = page.evaluate("[...document.querySelectorAll('nav.up-channels a')].map(a => a.getAttribute('href'))")
    assert nav_links[:2] == ["./", "columns/laodongzhe-zhi-ge/"] and not [href for href in nav_links if "stories/" in href]
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.tagName")
    assert focused in {"A", "INPUT", "BUTTON", "LABEL"}


def test_404_page_is_chinese_and_helpful(browser, served):
    page = browser.new_page()
    response = page.goto(f"{served}/404.html")
    assert response.ok
    assert "页面没有找到" in page.locator("article h1").inner_text()
    assert page.locator("article a", has_text="返回首页").count() == 1
