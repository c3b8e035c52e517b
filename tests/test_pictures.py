"""The responsive picture pipeline: variants, orientation, no metadata, the cache between builds."""

from __future__ import annotations

import io
import re
import shutil

from PIL import Image as PILImage

from conftest import BASE, NOW, ROOT, VARIANT, check, mkdocs_build, write_story
from sample_facts import cover_variants
from test_browser import browser, served  # noqa: F401  (fixtures)


def _phone_photo(path, width=2000, height=1500, orientation=6):
    """A photo as a phone saves it: landscape pixels, an EXIF orientation, a GPS position and a camera."""
    image = PILImage.new("RGB", (width, height), (200, 40, 40))
    image.paste((20, 60, 200), (0, 0, width // 4, height))  # a blue band on the left, to see the turn
    exif = image.getexif()
    exif[0x0112] = orientation  # 6: the phone was held upright; the picture must be turned 90°
    exif[0x010F] = "ShiliPhone"  # the make of the camera
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (29.0, 39.0, 0.0), "E", (91.0, 7.0, 0.0)  # Lhasa
    image.save(path, "JPEG", exif=exif)


def test_variants_are_turned_stripped_and_no_wider_than_the_original(site_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("UNIONPRESS_CACHE", str(tmp_path / "cache"))
    _phone_photo(site_copy / "images/upright.jpg")
    write_story(site_copy, "photo", body="![车间](../images/upright.jpg)", cover="../images/upright.jpg",
                cover_alt="竖拍的照片")
    lines, build = check(site_copy)
    assert lines == []
    from unionpress import responsive

    found = responsive.pipeline(build.settings).picture(site_copy / "images/upright.jpg")
    assert [(v.width, v.height) for v in found.webp] == [(320, 427), (640, 853), (1280, 1707)]  # turned: tall
    assert [v.width for v in found.fallback] == [320, 640, 1280] and found.fallback_type == "image/jpeg"
    for variant in (*found.webp, *found.fallback):
        with PILImage.open(variant.file) as image:
            assert image.size == (variant.width, variant.height)
            assert not image.getexif() and "exif" not in image.info  # no GPS, no camera, no orientation left
            assert image.convert("RGB").getpixel((variant.width // 2, 2))[2] > 150  # the blue band is now on top
    html = build.bodies[id(next(i for i in build.catalog.items if i.slug == "photo"))].at("stories/photo/")
    assert 'width="1280" height="1707"' in html and 'sizes="(min-width: 50em) 920px, 100vw"' in html
    small = io.BytesIO()
    PILImage.new("RGB", (200, 100)).save(small, "PNG")
    (site_copy / "images/small.png").write_bytes(small.getvalue())
    tiny = responsive.pipeline(build.settings).picture(site_copy / "images/small.png")
    assert [v.width for v in tiny.webp] == [200]  # never enlarged


def test_a_transparent_png_keeps_its_transparency(site_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("UNIONPRESS_CACHE", str(tmp_path / "cache"))
    PILImage.new("RGBA", (800, 400), (0, 0, 0, 0)).save(site_copy / "images/logo.png")
    _, build = check(site_copy)
    from unionpress import responsive

    found = responsive.pipeline(build.settings).picture(site_copy / "images/logo.png")
    assert found.fallback_type == "image/png" and found.fallback[-1].output.endswith("-800.png")
    with PILImage.open(found.webp[0].file) as image:
        assert image.mode == "RGBA" and image.getpixel((0, 0))[3] == 0


def test_an_unchanged_picture_is_never_encoded_again(site_copy, tmp_path):
    """Two builds in two processes with one cache folder: the second encodes nothing, same bytes out."""
    import os
    import subprocess
    import sys

    cache = tmp_path / "cache"
    _phone_photo(site_copy / "images/upright.jpg")
    write_story(site_copy, "photo", body="![车间](../images/upright.jpg)")
    probe = ("import os, sys; from unionpress import config, engine, responsive; "
             "s, f = config.load(sys.argv[1]); b = engine.prepare(s, f); b.render(); p = responsive.pipeline(s); "
             "print(p.encoded, p.reused)")
    env = dict(os.environ, UNIONPRESS_CONTENT=str(site_copy), UNIONPRESS_CACHE=str(cache),
               UNIONPRESS_NOW="2026-11-22T12:00:00+08:00")
    first = subprocess.run([sys.executable, "-c", probe, str(tmp_path)], env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    cold = tuple(map(int, first.stdout.split()))
    assert cold[0] >= 3 and cold[1] == 0  # photo.jpg, cover.jpg and the new one, at least
    names = sorted(p.name for p in cache.iterdir())
    stamps = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    second = subprocess.run([sys.executable, "-c", probe, str(tmp_path)], env=env, capture_output=True, text=True)
    assert tuple(map(int, second.stdout.split())) == (0, cold[0])
    assert sorted(p.name for p in cache.iterdir()) == names
    assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} == stamps  # nothing rewritten
    # A changed picture gets new names; the old variants stay for the pages that still use them.
    _phone_photo(site_copy / "images/upright.jpg", width=1800)
    third = subprocess.run([sys.executable, "-c", probe, str(tmp_path)], env=env, capture_output=True, text=True)
    assert tuple(map(int, third.stdout.split())) == (1, cold[0] - 1)


def test_the_built_site_serves_variants_not_originals(tmp_path, site_copy):
    site = tmp_path / "site"
    result = mkdocs_build(site, content=site_copy)
    assert result.returncode == 0, result.stderr
    assert not (site / "media/images/cover.jpg").exists() and not (site / "media/images/photo.jpg").exists()
    page = (site / "stories/good-story/index.html").read_text(encoding="utf-8")
    used = set(re.findall(VARIANT, page))
    assert used and all((site / path).is_file() for path in used)
    og = re.search(r'<meta property="og:image" content="https://example\.org/(' + VARIANT + ')">', page)
    assert og and og.group(1).endswith(".jpg")


def test_lightbox_steps_through_an_articles_pictures_by_keyboard(browser, served, tmp_path):  # noqa: F811
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(f"{served}/stories/han-jie-hanqiang/")
    cover = page.get_by_role("link", name="查看大图：焊工在车间里焊接，焊花四溅")
    cover.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="查看大图")
    assert dialog.is_visible()
    caption = dialog.locator("figcaption")
    assert caption.inner_text() == "焊工在车间里焊接，焊花四溅（第 1 张，共 2 张）"
    assert dialog.locator("img").evaluate("i => i.src").endswith("/" + cover_variants("han-jie-hanqiang").largest.output)
    page.keyboard.press("ArrowRight")
    assert caption.inner_text() == "车间里排列整齐的压力容器，等待焊缝探伤（第 2 张，共 2 张）"
    page.keyboard.press("ArrowRight")  # round again to the first
    assert caption.inner_text().endswith("（第 1 张，共 2 张）")
    page.keyboard.press("ArrowLeft")
    assert caption.inner_text().endswith("（第 2 张，共 2 张）")
    page.wait_for_function("document.querySelector('.up-lightbox-dialog img').complete")
    page.screenshot(path=str(tmp_path / "lightbox.png"))
    page.keyboard.press("Escape")
    assert dialog.is_hidden()
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "查看大图：焊工在车间里焊接，焊花四溅"
    # By mouse: the buttons step and close.
    page.locator("a.up-lightbox").nth(1).click()
    assert caption.inner_text().endswith("（第 2 张，共 2 张）")
    dialog.get_by_role("button", name="上一张").click()
    assert caption.inner_text().endswith("（第 1 张，共 2 张）")
    dialog.get_by_role("button", name="关闭").click()
    assert dialog.is_hidden()
    page.close()


def test_a_picture_cut_short_is_an_error_not_published_as_it_is(site_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("UNIONPRESS_CACHE", str(tmp_path / "cache"))
    whole = (BASE / "images/photo.jpg").read_bytes()
    (site_copy / "images/cut.jpg").write_bytes(whole[: len(whole) // 3])  # the header reads, the rest is gone
    write_story(site_copy, "cut", body="![剪断的照片](../images/cut.jpg)", cover="../images/cut.jpg", cover_alt="剪断")
    lines, _ = check(site_copy)
    assert lines == ["content/stories/cut.md:6: [image-broken] 图片文件无法读取（已损坏，或不是 JPEG、PNG、WebP、GIF 图片）：../images/cut.jpg",
                     "content/stories/cut.md:14: [image-broken] 图片文件无法读取（已损坏，或不是 JPEG、PNG、WebP、GIF 图片）：../images/cut.jpg"]


def test_a_draft_pictures_variants_in_the_output_are_a_leak(sample_site, tmp_path):
    """The audit knows a picture by its variants too: the site publishes those, not the original."""
    from unionpress import audit, config, engine, responsive
    from unionpress.findings import Findings

    settings = config.from_mapping(ROOT, {"site_url": "https://example.org/", "extra": {"unionpress": {}}}, Findings(),
                                   environ={"UNIONPRESS_CONTENT": str(ROOT / "content"), "UNIONPRESS_NOW": NOW})
    build = engine.prepare(settings)
    draft = next(item for item in build.catalog.items if item.slug == "sun-weimin-caogao")
    variants = responsive.pipeline(settings).picture(draft.photo.path)
    site = tmp_path / "site"
    shutil.copytree(sample_site, site)
    hidden = audit.secrets(build)
    assert audit.audit(site, hidden) == []  # the sample as built: clean, though public pictures are variants too
    planted = variants.webp[0]
    shutil.copy(planted.file, site / "media/pictures" / planted.file.name)
    leaks = audit.audit(site, hidden)
    assert [(leak.source, leak.output) for leak in leaks] == [("content/models/sun-weimin-caogao.md", planted.output)]
