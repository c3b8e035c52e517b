"""WeChat packages (exports/wechat/SLUG/): the article as WeChat's editor keeps it, meta.json and its
limits, cover crops around the focus, pictures under 1 MB, the preview, the picture message; nothing
unpublished exported; the same bytes from two builds; the checker's WeChat findings (check = build)."""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path

import pytest
from lxml import html as lxml_html
from PIL import Image

from conftest import check, mkdocs_build, write_story
from wechat_site import COVER_SIZE, DRAFT_TITLE, EMBARGOED_TITLE, FOCUS, SITE

PACKAGE = "exports/wechat/every-construct/"


@pytest.fixture(scope="module")
def sites(wechat_built, tmp_path_factory):
    """The fixture site built twice, into two folders, from one content folder and one clock (the first
    build is the run's shared one, conftest.wechat_built, which the newsroom tests read too)."""
    one, content, config = wechat_built
    two = tmp_path_factory.mktemp("wechat") / "two"
    result = mkdocs_build(two, content, config=config)
    assert result.returncode == 0, result.stderr
    return [one, two]


@pytest.fixture(scope="module")
def site(sites) -> Path:
    return sites[0]


@pytest.fixture(scope="module")
def article(site):
    return lxml_html.fragment_fromstring((site / PACKAGE / "article.html").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def meta(site) -> dict:
    return json.loads((site / PACKAGE / "meta.json").read_text(encoding="utf-8"))


def styles(element) -> dict[str, str]:
    found = {}
    for declaration in (element.get("style") or "").split(";"):
        name, _, value = declaration.partition(":")
        if name.strip():
            found[name.strip().lower()] = value.strip()
    return found


ALLOWED_TAGS = {"section", "p", "span", "strong", "em", "b", "i", "u", "s", "sup", "sub", "br", "a", "img", "h2",
                "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "hr"}


def test_article_holds_nothing_wechat_drops(article):
    holds_nothing_wechat_drops(article)


def holds_nothing_wechat_drops(article):
    for element in article.iter():
        assert isinstance(element.tag, str), "a comment or processing instruction"
        assert element.tag in ALLOWED_TAGS, element.tag
        assert not {"class", "id"} & set(element.attrib), lxml_html.tostring(element)[:120]
        assert not [name for name in element.attrib if name.startswith("on")]
        style = styles(element)
        assert not {"font-family", "position", "font"} & set(style), style
        assert "!important" not in (element.get("style") or "")
        for name in ("width", "max-width", "min-width"):
            for px in re.findall(r"(\d+(?:\.\d+)?)px", style.get(name, "")):
                assert float(px) <= 677, (name, style)
        color = style.get("color", "").lower().replace(" ", "")
        assert color not in ("#000", "#000000", "black", "rgb(0,0,0)"), style
        if "line-height" in style:
            assert float(style["line-height"]) >= 1.6, style
        if element.tag in ("p", "h2", "h3", "h4", "td", "th"):  # every block of text says its line height
            assert "line-height" in style, lxml_html.tostring(element)[:120]
        if element.tag == "a":
            assert set(element.attrib) <= {"href", "style"}
            assert element.get("href").startswith("https://mp.weixin.qq.com/")
    assert article.tag == "section" and float(styles(article)["line-height"]) >= 1.6


def test_links_become_references_once_each_and_mp_links_stay(article, meta):
    text = article.text_content()
    assert meta["references"] == ["https://www.acftu.org/jineng/dasai.html", "https://www.workercn.cn/bisai",
                                  SITE + "stories/good-story/"]
    # the same address is one reference, wherever it is linked; our own story by its full address
    assert "全国职工职业技能大赛[1]和省级比赛[2]，又在总工会的报道[1]里被点名表扬" in text
    assert "本站的另一篇报道[3]讲了他的师傅" in text
    assert "跳到表格看成绩" in text and "跳到表格[" not in text  # an in-page # link: unlinked, no reference
    links = [(a.get("href"), a.text_content()) for a in article.iter("a")]
    assert links == [("https://mp.weixin.qq.com/s/AbCdEf123", "《大国工匠》")]
    heading = next(p for p in article.iter("p") if p.text_content() == "参考链接")
    listed = [p.text_content() for p in heading.itersiblings("p")]
    assert listed == ["[1] https://www.acftu.org/jineng/dasai.html", "[2] https://www.workercn.cn/bisai",
                      f"[3] {SITE}stories/good-story/"]


def test_lists_are_flat_paragraphs_indented_by_depth(article):
    assert not list(article.iter("ul", "ol", "li", "blockquote", "pre", "code", "div", "figure", "picture"))
    lines = [(p.text_content().replace("\u00a0", " "), styles(p).get("padding-left"))
             for p in article.iter("p") if p.text_content().startswith(("1.", "2.", "3.", "◦", "▪"))]
    assert lines == [("1. 看清图纸", "1.4em"), ("◦ 标注尺寸", "2.8em"), ("◦ 公差要求", "2.8em"),
                     ("▪ 关键公差", "4.2em"), ("2. 备好焊材", "1.4em"), ("3. 先试后焊", "1.4em")]


def test_code_keeps_its_spaces_and_lines(article):
    block = next(s for s in article.iter("section") if "#f6f7f9" in s.get("style", "") and s.find("p") is not None)
    assert [p.text_content() for p in block.iter("p")] == [
        "电流\u00a0\u00a0=\u00a0180\u00a0\u00a0#\u00a0安培", "电压\u00a0\u00a0=\u00a024", "\u00a0" * 4 + "保护气\u00a0=\u00a0氩气"]


def test_table_scrolls_in_its_own_section_and_quote_and_note_are_kept(article):
    table = next(article.iter("table"))
    holder = table.getparent()
    assert holder.tag == "section" and styles(holder)["overflow-x"] == "auto"
    assert [c.text_content() for c in table.iter("td")][:3] == ["2019", "市职工技能大赛", "第一名"]
    quote = next(s for s in article.iter("section") if "border-left" in s.get("style", "")
                 and "手上有茧" in s.text_content())
    assert "#9c1b1b" in styles(quote)["border-left"]  # the union's colour from settings
    assert "他说：“焊缝就是脸面。”注1" in article.text_content()
    assert "注1：引自 2026 年 4 月记者采访。" in article.text_content() and "↩" not in article.text_content()


def test_pictures_are_jpeg_or_png_under_one_megabyte_with_their_width(site, article, meta):
    images = list(article.iter("img"))
    assert [img.get("alt") for img in images] == ["李明在检查焊缝", "车间全景", "夜班的车间"]
    for img in images:
        data = (site / PACKAGE / img.get("src")).read_bytes()
        assert img.get("src").startswith("images/") and len(data) < 1_000_000
        assert data[:3] == b"\xff\xd8\xff" or data[:8] == b"\x89PNG\r\n\x1a\n"
        with Image.open(io.BytesIO(data)) as opened:
            assert int(img.get("data-w")) > 0
            assert not opened.getexif()  # nothing of the camera
        assert set(img.attrib) == {"src", "alt", "data-w", "data-ratio", "style"}
    assert [entry["file"] for entry in meta["images"]] == [img.get("src") for img in images]
    # The noisy one needed re-encoding: the site's own 1280 px JPEG of it is over the limit.
    variant = max((p for p in (site / "media/pictures").glob("*-1280.jpg")), key=lambda p: p.stat().st_size)
    assert variant.stat().st_size > 1_000_000
    assert meta["images"][0]["bytes"] < 1_000_000
    # The transparent PNG stays a PNG (under the limit after scaling down)
    assert meta["images"][1]["file"].endswith(".png")


def test_cover_crops_have_their_aspect_and_hold_the_focus(site, meta):
    def red_centre(picture):
        reds = [(x, y) for y in range(0, picture.height, 2) for x in range(0, picture.width, 2)
                if (lambda p: p[0] > 180 and p[1] < 80 and p[2] < 80)(picture.getpixel((x, y)))]
        return (sum(x for x, _ in reds) / len(reds) / picture.width, sum(y for _, y in reds) / len(reds) / picture.height)

    # cover.jpg is 1280 × 800 with the focus at (1024, 200). The 2.35:1 box is the full width, 545 px tall,
    # as high as it can go (the focus is near the top); the 1:1 box is 800 wide, pushed against the right.
    for name, aspect, expected in (("cover-2.35x1.jpg", 2.35, (0.8, 200 / 545)), ("cover-1x1.jpg", 1.0, (544 / 800, 0.25))):
        with Image.open(site / PACKAGE / name) as crop:
            assert abs(crop.width / crop.height - aspect) < 0.01, (name, crop.size)
            found = red_centre(crop.convert("RGB"))
        assert found == pytest.approx(expected, abs=0.01), name
    # the same boxes as fractions of cover.jpg for draft/add, holding the focus
    with Image.open(site / PACKAGE / "cover.jpg") as cover:
        assert cover.size == (1280, 800)
    for key in ("pic_crop_235_1", "pic_crop_1_1"):
        x1, y1, x2, y2 = map(float, meta[key].split("_"))
        assert x1 <= FOCUS[0] <= x2 and y1 <= FOCUS[1] <= y2, (key, meta[key])
    assert meta["pic_crop_1_1"] == "0.375_0_1_1"  # 800 px square pushed against the right edge
    assert meta["pic_crop_235_1"] == "0_0_1_0.68125"  # full width, 545 px tall from the top


def test_crop_box_centres_on_the_focus_or_the_middle():
    from unionpress.outputs.wechat import crop_box

    assert crop_box((1000, 1000), 1.0, None) == (0, 0, 1000, 1000)
    assert crop_box((2000, 1000), 1.0, None) == (500, 0, 1500, 1000)
    assert crop_box((2000, 1000), 1.0, (0.3, 0.5)) == (100, 0, 1100, 1000)
    assert crop_box((2000, 1000), 1.0, (0.0, 0.5)) == (0, 0, 1000, 1000)
    assert crop_box((1000, 1000), 2.35, (0.5, 0.9)) == (0, 574, 1000, 1000)  # 426 tall, against the bottom
    assert crop_box((1000, 1000), 2.35, (0.5, 0.5)) == (0, 287, 1000, 713)


def test_meta_gives_the_draft_fields_and_their_limits(meta):
    assert {key: meta[key] for key in ("article_type", "title", "author", "digest", "content_source_url",
                                       "need_open_comment", "only_fans_can_comment", "cover", "cover_crops")} == {
        "article_type": "news", "title": "焊花里的青春", "author": "张记者、王通讯员",
        "digest": "二十年扎根焊接岗位的全国五一劳动奖章获得者李明。",
        "content_source_url": SITE + "stories/every-construct/", "need_open_comment": 1, "only_fans_can_comment": 0,
        "cover": "cover.jpg", "cover_crops": {"2.35:1": "cover-2.35x1.jpg", "1:1": "cover-1x1.jpg"}}
    assert meta["limits"] == {"title": 32, "author": 16, "digest": 128, "content_chars": 20000,
                              "content_bytes": 1000000, "image_bytes": 1000000, "newspic_pictures": 20}
    assert 0 < meta["content_chars"] < 20000


def test_preview_shows_the_article_at_677_px_with_a_copy_button(site):
    page = (site / PACKAGE / "preview.html").read_text(encoding="utf-8")
    article = (site / PACKAGE / "article.html").read_text(encoding="utf-8").strip()
    assert article in page
    assert ">复制到公众号</button>" in page and 'name="robots" content="noindex, nofollow"' in page
    assert "max-width: 677px" in page and "ClipboardItem" in page
    assert f'href="{SITE}stories/every-construct/">阅读原文</a>' in page


def test_picture_message_is_plain_text_and_its_pictures(site):
    folder = site / "exports/wechat/album"
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert meta["article_type"] == "newspic" and meta["content"] == "content.txt"
    assert not (folder / "article.html").exists()
    text = (folder / "content.txt").read_text(encoding="utf-8")
    assert text == "早班开始了。\n"  # the pictures' captions are not stray lines of text
    assert "<" not in text
    assert [entry["file"] for entry in meta["images"]] == ["images/001.jpg", "images/002.jpg", "images/003.jpg"]


def test_a_story_without_pictures_gets_a_drawn_cover(site):
    folder = site / "exports/wechat/plain-words"
    with Image.open(folder / "cover-2.35x1.jpg") as crop:
        assert abs(crop.width / crop.height - 2.35) < 0.01
        assert crop.convert("RGB").getpixel((5, 5)) == pytest.approx((156, 27, 27), abs=6)  # the union's colour


def test_nothing_unpublished_is_exported_and_exports_are_not_linked(site):
    exported = {p.relative_to(site).as_posix() for p in (site / "exports").rglob("*")}
    assert not [p for p in exported if "draft-one" in p or "embargoed-one" in p]
    assert {p.split("/")[2] for p in exported if p.startswith("exports/wechat/") and p.count("/") >= 2} == {
        "every-construct", "album", "plain-words", "good-story"}
    for path in (site / "exports").rglob("*"):
        if path.suffix in (".html", ".json", ".txt"):
            text = path.read_text(encoding="utf-8")
            assert DRAFT_TITLE not in text and EMBARGOED_TITLE not in text
    assert "exports/" not in (site / "sitemap.xml").read_text(encoding="utf-8")
    for page in site.rglob("*.html"):
        if not page.relative_to(site).as_posix().startswith("exports/"):
            assert "exports/" not in page.read_text(encoding="utf-8"), page


def test_two_builds_write_the_same_bytes(sites):
    def digests(root: Path) -> dict[str, str]:
        return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted((root / "exports").rglob("*")) if p.is_file()}

    one, two = (digests(root) for root in sites)
    assert one == two and len(one) > 30


# -- the checker: WeChat's limits at the line of the field, the same in check and build -----------------------

def test_over_limit_fields_are_errors_naming_the_field_and_limit(site_copy):
    write_story(site_copy, "long-title", title="全国五一劳动奖章获得者李明带领青年突击队攻克高原焊接难题的故事连载之一",
                authors="[第一位记者名字很长, 第二位记者名字更长一些]")
    write_story(site_copy, "long-but-covered", title="全国五一劳动奖章获得者李明带领青年突击队攻克高原焊接难题的故事连载之二",
                wechat="{title: 李明攻克高原焊接难题}")
    found, _build = check(site_copy)
    assert [line for line in found if "[wechat-" in line] == [
        "content/stories/long-title.md:2: [wechat-too-long] 发到公众号的标题（title）有 35 字，公众号上限 32 字："
        "请在头信息里另写一个公众号用的标题，如 wechat: {title: …}（不超过 32 字）",
        "content/stories/long-title.md:6: [wechat-too-long] 发到公众号的作者（author）有 21 字，公众号上限 16 字："
        "请在头信息里另写一个公众号用的作者署名，如 wechat: {author: …}（不超过 16 字）"]


def test_an_override_over_its_limit_is_reported_once_by_the_schema(site_copy):
    write_story(site_copy, "bad-override", wechat="{title: " + "长" * 33 + "}")
    found, _build = check(site_copy)
    assert [line for line in found if "bad-override" in line] == [
        "content/stories/bad-override.md:6: [too-long] 字段「wechat.title」（标题）过长：33 字，上限 32 字"]


def test_a_picture_message_needs_pictures_and_the_type_is_checked(site_copy):
    write_story(site_copy, "no-pictures", wechat="{type: newspic}")
    write_story(site_copy, "odd-type", wechat="{type: video}")
    found, _build = check(site_copy)
    assert [line for line in found if "no-pictures" in line or "odd-type" in line] == [
        "content/stories/no-pictures.md:6: [wechat-newspic-pictures] 图片消息（wechat: {type: newspic}）要有 1 到 20 张图片，"
        "正文里有 0 张：请增删图片，或改为图文消息（去掉 type）",
        "content/stories/odd-type.md:6: [field-choice] 字段「wechat.type」（type）的值「video」不在可选范围内：news、newspic"]


def test_content_over_twenty_thousand_characters_is_an_error(site_copy):
    paragraphs = "\n\n".join("劳动最光荣，劳动最崇高，劳动最伟大，劳动最美丽。" * 20 for _ in range(40))
    write_story(site_copy, "very-long", body=paragraphs)
    found, _build = check(site_copy)
    assert [line for line in found if "[wechat-content-long]" in line] == [
        "content/stories/very-long.md:11: [wechat-content-long] 正文转成公众号图文后有 22359 个字符（60 KB），"
        "公众号要求少于 20000 字符且小于 1 MB：请删减，或分成几篇发布"]
    # 19,000 characters of text is 20,000 with WeChat's inline styles: the HTML is what is measured
    write_story(site_copy, "very-long", body=paragraphs[: len(paragraphs) * 8 // 10])
    assert not [line for line in check(site_copy)[0] if "[wechat-content-long]" in line]


def test_declarations_enforce_wechats_rules_whatever_the_theme_says():
    from unionpress.outputs.wechat import _declarations

    assert _declarations("color: #000; line-height: 1.2; width: 900px; position: absolute; font-family: SimSun; "
                         "margin: 0 !important; max-width: 100%; font: 12px serif; min-width: 600px") == (
        "color:#333333;line-height:1.6;max-width:100%;min-width:600px")
    assert _declarations("color: rgb(0, 0, 0); line-height: 20px") == "color:#333333;line-height:1.75"


def test_a_hostile_body_still_gives_a_clean_article(site_copy):
    """Lists in a table, code and a list in a quote, a picture from elsewhere, links with no address,
    sections in divs (tests/fixtures/hostile/wechat-limits)."""
    import shutil

    from conftest import FIXTURES
    from unionpress.outputs import wechat

    shutil.copy(FIXTURES / "hostile/wechat-limits/stories/wechat-hostile-body.md", site_copy / "stories")
    _found, build = check(site_copy)
    story = next(item for item in build.public.items() if item.slug == "wechat-hostile-body")
    files = wechat.package(story, build.bodies[id(story)], build.public, build.settings)
    article = lxml_html.fragment_fromstring(files["article.html"].decode("utf-8"))
    holds_nothing_wechat_drops(article)
    text = article.text_content()
    assert "［图片：别处的图片］[1]" in text and "没有地址的链接 只有井号" in text
    assert json.loads(files["meta.json"])["references"] == [
        "https://images.example.com/a.jpg", "mailto:union@example.org", "tel:12345"]
    assert "x\u00a0\u00a0=\u00a0\u00a01" in text and "1.\u00a0引用里的列表" in text


def test_cached_covers_follow_the_focus(site_copy):
    """The crops are kept between builds (cache/derived): a new focus must give new crops, not old ones."""
    from unionpress.outputs import wechat

    made = []
    for focus in ("[0.1, 0.5]", "[0.9, 0.5]"):
        write_story(site_copy, "focused", cover="../images/cover.jpg", cover_alt="封面", cover_focus=focus)
        _found, build = check(site_copy)
        story = next(item for item in build.public.items() if item.slug == "focused")
        made.append(wechat.package(story, build.bodies[id(story)], build.public, build.settings))
    assert made[0]["cover.jpg"] == made[1]["cover.jpg"]
    assert made[0]["cover-1x1.jpg"] != made[1]["cover-1x1.jpg"]
    crops = [json.loads(files["meta.json"])["pic_crop_1_1"] for files in made]
    assert crops[0] != crops[1] and crops[0].startswith("0_") and crops[1].endswith("_1_1")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_preview_in_a_browser_at_677_px(site, scheme):
    """No sideways scroll at WeChat's column width, every picture loads, dark mode darkens the grounds
    and lightens the text, and 「复制到公众号」 puts the light article with full picture addresses on
    the clipboard. Screenshots go to /tmp for a person to look at (not into git)."""
    from playwright.sync_api import sync_playwright

    from unionpress import localsite

    with localsite.served(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=localsite.CHROMIUM, args=localsite.CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 677, "height": 900}, color_scheme=scheme)
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{base}/{PACKAGE}preview.html")
        page.wait_for_load_state("load")
        assert page.evaluate("document.documentElement.scrollWidth") <= 677
        assert page.evaluate("[...document.querySelectorAll('#article img')].every(i => i.complete && i.naturalWidth > 0)")
        assert page.evaluate("[...document.querySelectorAll('#article *')].every(e => e.getBoundingClientRect().right <= 677"
                             " || e.closest('section[style*=\"overflow-x\"]'))")
        colours = page.evaluate("""(() => { const p = document.querySelector('#article p');
            return [getComputedStyle(document.querySelector('.phone')).backgroundColor, getComputedStyle(p).color]; })()""")
        if scheme == "dark":
            assert colours[0] == "rgb(25, 25, 25)" and colours[1] != "rgb(51, 51, 51)"
            light = [int(v) for v in colours[1][colours[1].index("(") + 1:-1].split(",")[:3]]
            assert min(light) > 150  # light text on the dark ground
        else:
            assert colours == ["rgb(255, 255, 255)", "rgb(51, 51, 51)"]
        page.screenshot(path=f"/tmp/wechat-preview-{scheme}.png", full_page=True)
        page.click("#copy")
        page.wait_for_function("document.getElementById('status').textContent.length > 0")
        assert page.inner_text("#status") == "已复制，请到公众号后台编辑器中粘贴"
        copied = page.evaluate("""(async () => { const items = await navigator.clipboard.read();
            return await (await items[0].getType('text/html')).text(); })()""")
        # full picture addresses, and the light colours even when the preview shows the dark ones
        assert f'src="{base}/{PACKAGE}images/001.jpg"' in copied and "#333333" in copied and "hsl(" not in copied
        assert errors == []
        browser.close()


def test_wechat_and_bundle_settings_are_checked(site_copy):
    found, _build = check(site_copy, wechat={"color": "#ffee00", "open_comment": "yes"},
                          partners=[{"name": "ribao", "bundles": "yes"}])
    assert [line for line in found if "[config]" in line] == [
        "mkdocs.yml:1: [config] 配置 extra.unionpress.partners 有误：应为合作媒体列表：第 1 项的 bundles 应为 true 或 false",
        "mkdocs.yml:1: [config] 配置 extra.unionpress.wechat 有误：应为映射，可写 open_comment（开启留言，true/false）、"
        "fans_only_comment（仅粉丝可留言，true/false）、color（主题色 #RRGGBB）：「color」#ffee00 与白色的对比度只有 1.2:1，"
        "至少要 4.5:1，请选更深的颜色"]
