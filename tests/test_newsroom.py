"""Newsroom bundles (exports/partners/SLUG.zip): the Word manuscript in reading order, the original
pictures without EXIF, captions, ninjs 3.1 validated offline against the vendored schema, fixed
dates; partner feeds that link bundles; the audit finds a hidden title planted inside the .docx."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import docx
import jsonschema
import pytest
import referencing
from lxml import etree
from PIL import Image
from referencing.jsonschema import DRAFT202012

from conftest import FIXTURES, check
from unionpress.outputs import newsroom
from wechat_site import DRAFT_TITLE, SITE

BUNDLE = "exports/partners/every-construct.zip"
STORY_DATE = dt.datetime(2026, 5, 1, 1, 0, 0)  # 2026-05-01 09:00 in Shanghai, in UTC


@pytest.fixture(scope="module")
def built(wechat_built):
    """The WeChat fixture site, built once for the run (conftest.wechat_built): its newsroom bundles."""
    site, content, _config = wechat_built
    return site, content


@pytest.fixture(scope="module")
def bundle(built) -> zipfile.ZipFile:
    return zipfile.ZipFile(built[0] / BUNDLE)


def test_members_are_fixed_in_order_and_date(bundle):
    assert [info.filename for info in bundle.infolist()] == [
        "captions.txt", "every-construct.docx", "every-construct.json",
        "images/01.jpg", "images/02.jpg", "images/03.jpg", "images/04.jpg"]
    assert {info.date_time for info in bundle.infolist()} == {STORY_DATE.timetuple()[:6]}


def test_the_word_file_holds_the_text_in_order(bundle):
    data = bundle.read("every-construct.docx")
    document = docx.Document(io.BytesIO(data))
    texts = [(p.style.name, p.text) for p in document.paragraphs]
    expected = [
        ("Title", "焊花里的青春——记全国五一劳动奖章获得者李明"),
        ("Normal", "作者：张记者、王通讯员"), ("Normal", "日期：2026年5月1日 09:00"), ("Normal", "来源：工人日报"),
        ("Normal", "栏目：劳动者之歌"), ("Normal", f"原文：{SITE}stories/every-construct/"),
        ("Intense Quote", "摘要：二十年如一日扎根焊接岗位，李明把“差不多”变成了“零缺陷”。"),
        ("Normal", "清晨六点，李明已经站在焊接工位前。他说：“焊缝就是脸面。”1"),
        ("Heading 1", "从学徒到大师"),
        ("Quote", "手上有茧，心里有光。"), ("Quote", "—— 李明的座右铭"),
        ("Normal", "他总结的三条经验："),
        ("List Number", "看清图纸"), ("List Bullet 2", "标注尺寸"), ("List Bullet 2", "公差要求"),
        ("List Bullet 3", "关键公差"), ("List Number", "备好焊材"), ("List Number", "先试后焊"),
        ("Normal", "焊机参数单如下："),
        ("No Spacing", "电流  = 180  # 安培"), ("No Spacing", "电压  = 24"), ("No Spacing", "    保护气 = 氩气"),
        ("Heading 2", "历年成绩"),
        ("Caption", "［图：李明在检查焊缝质量］（图片文件：images/02.jpg）"),
        ("Caption", "［图：车间全景］（图片文件：images/03.jpg）"),
    ]
    shown = [t for t in texts if t[0] != "Normal" or not t[1].startswith("他先后参加了")]
    assert shown[:len(expected)] == expected
    links = next(text for style, text in texts if text.startswith("他先后参加了"))
    assert "全国职工职业技能大赛（https://www.acftu.org/jineng/dasai.html）" in links
    assert f"另一篇报道（{SITE}stories/good-story/）" in links
    assert ("Heading 2", "注释") in texts and ("Normal", "1. 引自 2026 年 4 月记者采访。") in [
        (s, t.strip()) for s, t in texts]
    assert [[c.text for c in row.cells] for row in document.tables[0].rows] == [
        ["年份", "比赛", "名次"], ["2019", "市职工技能大赛", "第一名"], ["2021", "省职工技能大赛", "第二名"]]
    assert not document.inline_shapes  # pictures travel beside the text, not inside it


def test_the_word_file_carries_only_the_styles_it_uses_and_nothing_of_the_template(bundle):
    # python-docx's template carries 164 styles twice over and a thumbnail of its own page
    # (newsroom._template): none of that goes to a partner, and every style named is defined.
    data = bundle.read("every-construct.docx")
    with zipfile.ZipFile(io.BytesIO(data)) as word:
        names = set(word.namelist())
        styles = etree.fromstring(word.read("word/styles.xml"))
    assert not {name for name in names if "thumbnail" in name or "stylesWithEffects" in name or "customXml" in name}
    assert "thumbnail" not in word_rels(data) and "stylesWithEffects" not in word_rels(data)
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    ids = {style.get(f"{w}styleId") for style in styles.iter(f"{w}style")}
    references = {ref.get(f"{w}val") for tag in ("basedOn", "link", "next") for ref in styles.iter(f"{w}{tag}")}
    assert references <= ids  # nothing points at a style that is not there
    assert styles.find(f"{w}latentStyles") is None and len(ids) < 40
    with zipfile.ZipFile(io.BytesIO(data)) as word:  # python-docx would show an unknown style as Normal
        used = {ref.get(f"{w}val") for part in ("word/document.xml", "word/numbering.xml")
                for tag in ("pStyle", "rStyle", "tblStyle") for ref in etree.fromstring(word.read(part)).iter(f"{w}{tag}")}
    assert used and used <= ids
    defined = {style.name for style in docx.Document(io.BytesIO(data)).styles}
    assert set(newsroom.WORD_STYLES) <= defined and "Normal" in defined
    assert len(data) < 30_000


def word_rels(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as word:
        return word.read("_rels/.rels").decode() + word.read("word/_rels/document.xml.rels").decode()


def test_the_word_file_is_dated_by_the_story_not_the_clock(bundle):
    data = bundle.read("every-construct.docx")
    properties = docx.Document(io.BytesIO(data)).core_properties
    utc = STORY_DATE.replace(tzinfo=dt.timezone.utc)
    assert (properties.created, properties.modified) == (utc, utc)
    assert properties.title == "焊花里的青春——记全国五一劳动奖章获得者李明" and properties.author == "张记者、王通讯员"
    with zipfile.ZipFile(io.BytesIO(data)) as word:
        assert {info.date_time for info in word.infolist()} == {STORY_DATE.timetuple()[:6]}


def test_pictures_are_originals_without_exif_turned_upright(bundle):
    for info in bundle.infolist():
        if info.filename.startswith("images/"):
            data = bundle.read(info)
            assert data[:3] == b"\xff\xd8\xff"
            assert b"Exif" not in data and b"PhoneMaker" not in data
            with Image.open(io.BytesIO(data)) as picture:
                assert not picture.getexif() and "icc_profile" not in picture.info
    with Image.open(io.BytesIO(bundle.read("images/02.jpg"))) as weld:
        assert weld.size == (1400, 3200)  # the original's size, not the site's 1280 px
    with Image.open(io.BytesIO(bundle.read("images/04.jpg"))) as night:
        assert night.size == (400, 600)  # stored 600 × 400 with orientation 6: turned upright
        assert night.convert("RGB").getpixel((390, 10))[0] > 200  # the white corner, now top right
        assert night.convert("RGB").getpixel((10, 10))[0] < 100


def test_captions_name_each_file(bundle):
    assert bundle.read("captions.txt").decode("utf-8") == (
        "图片说明（文件名<TAB>说明）\n"
        "images/01.jpg\t封面：李明在焊接车间\n"
        "images/02.jpg\t李明在检查焊缝质量\n"
        "images/03.jpg\t车间全景\n"
        "images/04.jpg\t夜班的车间\n")


def _validator():
    folder = FIXTURES / "ninjs"
    schema = json.loads((folder / "ninjs-schema_3.1.json").read_text(encoding="utf-8"))
    geojson = json.loads((folder / "GeoJSON-schema.json").read_text(encoding="utf-8"))
    registry = referencing.Registry().with_resources([
        (schema["$id"], DRAFT202012.create_resource(schema)),
        (geojson["$id"], DRAFT202012.create_resource(geojson))])  # offline: no fetch of geojson.org
    formats = jsonschema.FormatChecker()
    formats.checks("uri")(lambda value: bool(urlsplit(value).scheme))  # absolute: rfc3987 is not installed
    return jsonschema.Draft202012Validator(schema, registry=registry, format_checker=formats)


def test_ninjs_validates_against_the_vendored_3_1_schema(bundle):
    document = json.loads(bundle.read("every-construct.json"))
    validator = _validator()
    assert list(validator.iter_errors(document)) == []
    assert {key: document[key] for key in ("uri", "type", "version", "versionCreated", "firstCreated", "pubStatus",
                                            "language", "headlines", "by", "standard")} == {
        "uri": SITE + "stories/every-construct/", "type": "text", "version": "1",
        "versionCreated": "2026-05-01T09:00:00+08:00", "firstCreated": "2026-05-01T09:00:00+08:00",
        "pubStatus": "usable", "language": "zh-CN", "headlines": [{"value": "焊花里的青春——记全国五一劳动奖章获得者李明"}],
        "by": "张记者、王通讯员",
        "standard": {"name": "ninjs", "version": "3.1", "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#"}}
    assert [(b["contentType"], b["value"][:10]) for b in document["bodies"]] == [
        ("text/html", "<p>清晨六点，李明"), ("text/plain", "清晨六点，李明已经站")]
    assert [s["literal"] for s in document["subjects"]] == ["column:laodongzhe-zhi-ge", "topic:laodongmei", "tag:工匠", "tag:焊接"]
    pictures = document["associations"]
    assert [a["descriptions"][0]["value"] for a in pictures] == ["封面：李明在焊接车间", "李明在检查焊缝质量", "车间全景", "夜班的车间"]
    assert pictures[1]["renditions"][0] == {"name": "original", "title": "images/02.jpg", "contentType": "image/jpeg",
                                            "width": 1400, "height": 3200,
                                            "sizeInBytes": len(bundle.read("images/02.jpg"))}
    assert pictures[1]["renditions"][1]["href"].startswith(SITE + "media/pictures/")
    # the validator is not a formality: what the schema forbids fails it
    assert list(validator.iter_errors({**document, "bylines": ["张记者"]}))  # 3.1 has `by`, no `bylines`
    assert list(validator.iter_errors({key: value for key, value in document.items() if key != "uri"}))
    assert list(validator.iter_errors({**document, "versionCreated": "2026-05-01 09:00"}))


def test_partner_feeds_link_bundles_only_when_asked(built):
    site = built[0]
    size = (site / BUNDLE).stat().st_size
    rss = etree.parse(str(site / "feeds/partners/gongren-ribao.xml"))
    enclosures = {e.get("url"): (e.get("type"), e.get("length")) for e in rss.iter("enclosure")}
    assert enclosures[SITE + BUNDLE] == ("application/zip", str(size))
    feed = json.loads((site / "feeds/partners/gongren-ribao.json").read_text(encoding="utf-8"))
    attachments = {a["url"]: a for item in feed["items"] for a in item.get("attachments", ())}
    assert attachments[SITE + BUNDLE] == {"url": SITE + BUNDLE, "mime_type": "application/zip",
                                          "size_in_bytes": size, "title": "稿件包"}
    atom = (site / "feeds/partners/gongren-ribao.atom.xml").read_text(encoding="utf-8")
    assert f'href="{SITE + BUNDLE}" rel="enclosure" type="application/zip" length="{size}"' in atom
    for other in ("feeds/partners/city-news.xml", "feeds/partners/city-news.json", "feeds/rss.xml"):
        assert "exports/partners/" not in (site / other).read_text(encoding="utf-8"), other


def test_no_bundle_of_an_unpublished_story(built):
    names = {p.name for p in (built[0] / "exports/partners").iterdir()}
    assert names == {"every-construct.zip", "album.zip", "plain-words.zip", "good-story.zip"}


def test_the_audit_finds_a_hidden_title_planted_inside_the_word_file(built, tmp_path):
    from unionpress import audit

    site, content = built
    _found, build = check(content)
    secrets = audit.secrets(build)
    assert audit.audit(site, secrets, site_url=SITE) == []  # the real bundles hold nothing hidden
    planted = tmp_path / "site"
    (planted / "exports/partners").mkdir(parents=True)
    word = docx.Document()
    word.add_paragraph(f"相关报道：{DRAFT_TITLE}")
    raw = io.BytesIO()
    word.save(raw)
    with zipfile.ZipFile(site / BUNDLE) as real, zipfile.ZipFile(planted / BUNDLE, "w") as fake:
        for info in real.infolist():
            fake.writestr(info, raw.getvalue() if info.filename.endswith(".docx") else real.read(info))
    leaks = audit.audit(planted, secrets, site_url=SITE)
    assert [(leak.output, leak.what) for leak in leaks] == [
        (f"{BUNDLE}!every-construct.docx!word/document.xml", f"标题「{DRAFT_TITLE}」")]
    shutil.rmtree(planted)
