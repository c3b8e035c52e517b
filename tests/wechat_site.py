"""The fixture site of the WeChat and newsroom tests: base content plus a story with every construct
(tests/fixtures/wechat/every-construct), its pictures made here (a big noisy one, a transparent PNG, a
phone photo with EXIF orientation and GPS), a picture message, a story without any picture, a draft
and an embargoed story. Shared by tests/test_wechat.py and tests/test_newsroom.py."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import yaml
from PIL import Image

from conftest import BASE, FIXTURES, ROOT, write_story

FOCUS = (0.8, 0.25)
COVER_SIZE = (1600, 1000)
SITE = "https://example.org/"
DRAFT_TITLE = "草稿里不该出去的焊接秘闻"
EMBARGOED_TITLE = "定时发布的劳模表彰名单公示"
EXTRA = """    wechat: {open_comment: true, fans_only_comment: false, color: "#9c1b1b"}
    partners:
      - {name: gongren-ribao, title: 工人日报, columns: [laodongzhe-zhi-ge], bundles: true}
      - {name: city-news, title: 城市晚报}
"""


def noise(size: tuple[int, int], seed: int, mode: str = "RGB") -> Image.Image:
    """Pixels no encoder can shrink: a JPEG of it stays big."""
    channels = len(mode)
    return Image.frombytes(mode, size, random.Random(seed).randbytes(size[0] * size[1] * channels))


def make_pictures(folder: Path) -> None:
    cover = Image.new("RGB", COVER_SIZE, "#3a6ea5")
    x, y = round(FOCUS[0] * COVER_SIZE[0]), round(FOCUS[1] * COVER_SIZE[1])
    cover.paste((230, 20, 20), (x - 40, y - 40, x + 40, y + 40))  # the focus: a red square
    cover.save(folder / "cover.jpg", quality=92)
    noise((1400, 3200), 1).save(folder / "weld.jpg", quality=95)  # its 1280 px JPEG is well over 1 MB
    clear = noise((900, 560), 2, "RGBA")
    clear.save(folder / "workshop.png")
    night = Image.new("RGB", (600, 400), "#204060")
    night.paste((250, 250, 250), (0, 0, 100, 50))  # top left as stored; upright it is top right
    exif = night.getexif()
    exif[0x0112] = 6  # the phone was held turned: show it rotated 90° clockwise
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (31.0, 14.0, 5.0), 3: "E", 4: (121.0, 28.0, 9.0)}  # GPS: where the worker lives
    night.save(folder / "night.jpg", exif=exif, quality=92)


def build_content(root: Path) -> Path:
    content = root / "content"
    shutil.copytree(BASE, content)
    bundle = content / "stories" / "every-construct"
    shutil.copytree(FIXTURES / "wechat" / "every-construct", bundle)
    make_pictures(bundle)
    album = content / "stories" / "album"
    album.mkdir()
    for seed in range(3):
        noise((400, 300), 10 + seed).save(album / f"p{seed}.jpg", quality=80)
    (album / "index.md").write_text(
        "---\ntitle: 车间一日\ndate: 2026-05-02 10:00\ncolumn: laodongzhe-zhi-ge\nauthors: [摄影记者]\n"
        "wechat: {type: newspic}\nstatus: published\nreview:\n  first: {by: 甲, date: 2026-04-30}\n"
        "  second: {by: 乙, date: 2026-04-30}\n  final: {by: 丙, date: 2026-04-30}\n---\n\n"
        "早班开始了。\n\n![早班](p0.jpg)\n\n![午休](p1.jpg)\n\n![交班](p2.jpg)\n", encoding="utf-8")
    write_story(content, "plain-words", body="只有文字，没有图片。", title="只有文字的通讯")
    write_story(content, "draft-one", body="草稿正文。", title=DRAFT_TITLE, status="draft")
    write_story(content, "embargoed-one", body="定时正文。", title=EMBARGOED_TITLE, date="2027-01-01 09:00")
    return content


def project(root: Path, content: Path) -> Path:
    """The golden project's settings with the main project's Markdown extensions (footnotes, tables …)."""
    settings = yaml.safe_load((FIXTURES / "golden-project/mkdocs.yml").read_text(encoding="utf-8"))
    extensions = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["markdown_extensions"]
    text = (FIXTURES / "golden-project/mkdocs.yml").read_text(encoding="utf-8")
    text = text.replace("../../../hooks/build.py", str(ROOT / "hooks/build.py")).replace(
        "content_dir: ../base-content", f"content_dir: {content}")
    head, _, tail = text.partition("markdown_extensions:\n")
    tail = tail[tail.index("nav:"):]
    text = head + yaml.safe_dump({"markdown_extensions": extensions}, allow_unicode=True) + tail + EXTRA
    assert settings["site_url"] == SITE
    config = root / "mkdocs.yml"
    config.write_text(text, encoding="utf-8")
    shutil.copytree(FIXTURES / "golden-project/docs", root / "docs")
    return config
