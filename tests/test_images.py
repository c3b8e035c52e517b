"""Broken, hostile and huge images end as located findings, never as a Pillow traceback."""

from __future__ import annotations

import struct
import zlib

from conftest import BASE, check, write_story


def _png_header(width: int, height: int) -> bytes:
    """A PNG that claims width × height pixels (header only, as a decompression bomb would)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
            + struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND")))


def test_bad_images_are_findings(site_copy):
    images = site_copy / "images"
    (images / "random.jpg").write_bytes(bytes(range(256)) * 8)
    (images / "bomb.png").write_bytes(_png_header(40_000, 40_000))
    (images / "vector.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    big = images / "big.jpg"
    big.write_bytes((BASE / "images/photo.jpg").read_bytes() + b"\0" * (11 * 2**20))
    write_story(site_copy, "random-cover", cover="../images/random.jpg", cover_alt="x")
    write_story(site_copy, "bomb-cover", cover="../images/bomb.png", cover_alt="x")
    write_story(site_copy, "svg-cover", cover="../images/vector.svg", cover_alt="x")
    write_story(site_copy, "big-body", body="![大图](../images/big.jpg)\n\n![坏图](../images/random.jpg)")
    lines, build = check(site_copy)
    build.render()  # pages must render too, without a traceback
    assert lines == [
        "content/stories/big-body.md:12: [image-oversized] 警告：图片原件过大（11.0 MB）：../images/big.jpg。建议压缩到 10 MB 以内，手机读者加载会很慢",
        "content/stories/big-body.md:14: [image-broken] 图片文件无法读取（已损坏，或不是 JPEG、PNG、WebP、GIF 图片）：../images/random.jpg",
        "content/stories/bomb-cover.md:6: [image-pixels] 图片像素过大（超过 1.7 亿像素），可能是损坏或恶意的文件：../images/bomb.png。请缩小到 8000×8000 像素以内",
        "content/stories/random-cover.md:6: [image-broken] 图片文件无法读取（已损坏，或不是 JPEG、PNG、WebP、GIF 图片）：../images/random.jpg",
        "content/stories/svg-cover.md:6: [image-type] 不是图片文件：../images/vector.svg（应为 jpg、png、webp、gif 等格式的图片）",
    ]


def test_a_large_but_plausible_photo_passes(site_copy):
    from PIL import Image as PILImage

    # 24 MP, an ordinary phone photo, and a whole one: a header alone is a broken file (image-broken).
    PILImage.new("RGB", (6000, 4000), (180, 40, 40)).save(site_copy / "images/wide.png")
    write_story(site_copy, "wide", cover="../images/wide.png", cover_alt="宽幅照片")
    assert check(site_copy)[0] == []


def test_pixel_limit_below_the_decoder_limit(site_copy):
    (site_copy / "images/tall.png").write_bytes(_png_header(10_000, 9_000))  # 90 MP: over ours, under Pillow's
    write_story(site_copy, "tall", cover="../images/tall.png", cover_alt="x")
    assert check(site_copy)[0] == ["content/stories/tall.md:6: [image-pixels] 图片像素过大（10000×9000 像素），"
                                   "可能是损坏或恶意的文件：../images/tall.png。请缩小到 8000×8000 像素以内"]
