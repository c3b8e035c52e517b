"""Hostile pictures and a hostile cache: the picture pipeline publishes what the editor meant and
nothing more, whatever the file, the folder or the disk does.

- a cache folder that cannot be written is said once, and the pictures are still published;
- a cache record is used only when it proves itself (names, sizes, SHA-256 of every variant);
- the warm-up keeps a few pictures in flight, each worker reading its own file;
- a picture deleted or replaced half way through a build is a located finding, never a traceback;
- no metadata block of any format we read reaches the published bytes;
- every Pillow mode comes out looking like its source (a 16-bit grey scan is not white).

Binary fixtures are made here with Pillow; the two committed ones (tests/fixtures/hostile/picture-*)
are tiny and made by the functions below.
"""

from __future__ import annotations

import errno
import io
import json
import logging
import os
import re
import shutil
import struct
from pathlib import Path

import pytest
from PIL import Image as PILImage, ImageCms, ImageStat, features
from PIL.PngImagePlugin import PngInfo

from conftest import FIXTURES, check, mkdocs_build, write_story

HOSTILE = FIXTURES / "hostile"
LEAK = b"LEAK-"  # every planted marker starts so; the slot's name follows
PICTURE = re.compile(r"media/pictures/[0-9a-f]{20}-\d+\.(?:jpg|png|webp|gif)")


def _pictures(lines: list[str]) -> list[str]:
    """The findings about pictures (other rules are other tests' business)."""
    return [line for line in lines if "[image-" in line]


# -- fixtures made with Pillow ------------------------------------------------------------------

def _gradient(width: int = 256, height: int = 8):
    """Dark on the left, light on the right: 0 … 255 across."""
    picture = PILImage.new("L", (width, height))
    picture.putdata([round(x * 255 / (width - 1)) for x in range(width)] * height)
    return picture


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


SRGB_RED, SRGB_GREEN, SRGB_BLUE = (0.4361, 0.2225, 0.0139), (0.3851, 0.7169, 0.0971), (0.1431, 0.0606, 0.7141)


def icc_profile(description: bytes, red=SRGB_RED, green=SRGB_GREEN, blue=SRGB_BLUE) -> bytes:
    """A small ICC v2 RGB profile (matrix and gamma 2.2) whose description is `description`. With red
    and green swapped it says "this file's red is sRGB's green", which only a colour-managed
    conversion honours."""
    def xyz(value) -> bytes:
        return b"XYZ \0\0\0\0" + b"".join(_s15(c) for c in value)

    desc = b"desc\0\0\0\0" + struct.pack(">I", len(description) + 1) + description + b"\0" + b"\0" * 78
    curve = b"curv\0\0\0\0" + struct.pack(">IH", 1, round(2.2 * 256)) + b"\0\0"
    tags = [(b"desc", desc), (b"wtpt", xyz((0.9642, 1.0, 0.8249))), (b"rXYZ", xyz(red)), (b"gXYZ", xyz(green)),
            (b"bXYZ", xyz(blue)), (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve)]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        body += b"\0" * (-len(body) % 4)
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body
    header = (struct.pack(">I", offset + len(data)) + b"\0" * 4 + struct.pack(">I", 0x02100000) + b"mntrRGB XYZ "
              + b"\0" * 12 + b"acsp" + b"\0" * 28 + _s15(0.9642) + _s15(1.0) + _s15(0.8249) + b"\0" * 48)
    return header + struct.pack(">I", len(tags)) + table + data


def _exif(slot: str) -> bytes:
    exif = PILImage.Exif()
    exif[0x010E] = f"LEAK-{slot}-description"  # ImageDescription
    exif[0x013B] = f"LEAK-{slot}-artist"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (29.0, 39.0, 0.0), "E", (91.0, 7.0, 0.0)
    return exif.tobytes()


def _xmp(slot: str) -> bytes:
    return (f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            f'<rdf:Description photoshop:City="LEAK-{slot}-xmp"/></rdf:RDF></x:xmpmeta>').encode()


def _sub_blocks(data: bytes) -> bytes:
    return b"".join(bytes([len(data[i:i + 255])]) + data[i:i + 255] for i in range(0, len(data), 255)) + b"\0"


def _gif_extensions(gif: bytes, slot: str) -> bytes:
    """The GIF with an XMP application block and a plain-text block put in before its first frame."""
    packed = gif[10]
    start = 13 + (3 * 2 ** ((packed & 7) + 1) if packed & 0x80 else 0)
    application = b"\x21\xff\x0b" + b"XMP DataXMP" + _sub_blocks(b"LEAK-" + slot.encode() + b"-application")
    plain = b"\x21\x01\x0c" + b"\0" * 12 + _sub_blocks(b"LEAK-" + slot.encode() + b"-plaintext")
    return gif[:start] + application + plain + gif[start:]


def gif_with_blocks(frames: int = 1, size: tuple[int, int] = (96, 64)) -> bytes:
    """A GIF (animated when frames > 1) with a comment, an XMP application block and a plain-text block."""
    pictures = [_gradient(*size).point(lambda v, i=i: (v + 40 * i) % 256).convert("P") for i in range(frames)]
    out = io.BytesIO()
    slot = "gif-animated" if frames > 1 else "gif"
    more = {"save_all": True, "append_images": pictures[1:], "duration": 120, "loop": 0} if frames > 1 else {}
    pictures[0].save(out, "GIF", comment=f"LEAK-{slot}-comment 拉萨".encode(), **more)
    return _gif_extensions(out.getvalue(), slot)


def grey_16bit() -> bytes:
    """A 16-bit greyscale PNG: 0 … 65535 across, as a scanner or a medical viewer saves it."""
    picture = PILImage.new("I;16", (256, 16))
    picture.putdata([x * 257 for x in range(256)] * 16)
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def _jpeg_app13(jpeg: bytes, slot: str) -> bytes:
    """An IPTC caption in a Photoshop APP13 segment, right after SOI."""
    text = f"LEAK-{slot}-iptc".encode()
    iptc = b"\x1c\x02\x78" + struct.pack(">H", len(text)) + text
    iptc += b"\0" * (len(iptc) % 2)
    payload = b"Photoshop 3.0\0" + b"8BIM\x04\x04\0\0" + struct.pack(">I", len(iptc)) + iptc
    return jpeg[:2] + b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]


def metadata_pictures() -> dict[str, bytes]:
    """One picture per format the pipeline reads, with a marker in every metadata slot it has."""
    rgb = _gradient(300, 200).convert("RGB")
    clear = rgb.copy()
    clear.putalpha(_gradient(300, 200))
    made: dict[str, bytes] = {}

    out = io.BytesIO()
    rgb.save(out, "JPEG", exif=_exif("jpeg"), comment=b"LEAK-jpeg-comment", xmp=_xmp("jpeg"),
             icc_profile=icc_profile(b"LEAK-jpeg-icc"))
    made["picture-metadata.jpg"] = _jpeg_app13(out.getvalue(), "jpeg")

    for name, picture in (("picture-metadata.png", rgb), ("picture-metadata-alpha.png", clear)):
        slot = name.removesuffix(".png").removeprefix("picture-")
        info = PngInfo()
        info.add_text("Comment", f"LEAK-{slot}-text")
        info.add_text("Location", f"LEAK-{slot}-ztxt " * 20, zip=True)
        info.add_itxt("XML:com.adobe.xmp", _xmp(slot).decode(), zip=False)
        info.add_itxt("Description", f"LEAK-{slot}-itxt 位置", zip=True)
        out = io.BytesIO()
        picture.save(out, "PNG", pnginfo=info, exif=_exif(slot), icc_profile=icc_profile(f"LEAK-{slot}-icc".encode()))
        made[name] = out.getvalue()

    out = io.BytesIO()
    clear.save(out, "WEBP", exif=_exif("webp"), xmp=_xmp("webp"), icc_profile=icc_profile(b"LEAK-webp-icc"))
    made["picture-metadata.webp"] = out.getvalue()

    made["picture-metadata.gif"] = gif_with_blocks()
    made["picture-metadata-animated.gif"] = gif_with_blocks(frames=3)

    info = PngInfo()
    info.add_text("Comment", "LEAK-apng-text")
    out = io.BytesIO()
    rgb.save(out, "PNG", save_all=True, append_images=[rgb.rotate(180)], duration=200, pnginfo=info,
             exif=_exif("apng"))
    made["picture-metadata-animated.png"] = out.getvalue()

    if features.check("avif"):
        out = io.BytesIO()
        rgb.save(out, "AVIF", exif=_exif("avif"), xmp=_xmp("avif"))
        made["picture-metadata.avif"] = out.getvalue()
    for name, data in made.items():
        assert LEAK in data or name.endswith(".png") and b"zTXt" in data, f"{name}: nothing planted"
    return made


# -- what a published file may hold, by format ---------------------------------------------------

def _png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = [], 8
    while pos < len(data):
        length = struct.unpack(">I", data[pos:pos + 4])[0]
        chunks.append(data[pos + 4:pos + 8])
        pos += 12 + length
    return chunks


def _webp_chunks(data: bytes) -> list[bytes]:
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    chunks, pos = [], 12
    while pos < len(data):
        kind, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        if kind == b"VP8X":
            assert data[pos + 8] & 0x2C == 0, "VP8X announces an ICC profile, EXIF or XMP"
        chunks.append(kind)
        pos += 8 + size + (size & 1)
    return chunks


def _jpeg_segments(data: bytes) -> list[bytes]:
    """Marker and, for APPn, the first bytes of its payload; the entropy-coded scans skipped."""
    assert data[:2] == b"\xff\xd8"
    found, pos = [], 2
    while pos < len(data):
        assert data[pos] == 0xFF, f"no marker at {pos}"
        marker = data[pos + 1]
        if marker == 0xD9:
            found.append(b"EOI")
            break
        length = struct.unpack(">H", data[pos + 2:pos + 4])[0]
        found.append(bytes([marker]) + data[pos + 4:pos + 9])
        pos += 2 + length
        if marker == 0xDA:  # a scan: its data runs to the next marker that is not a stuffed 0 or RSTn
            while not (data[pos] == 0xFF and data[pos + 1] not in (0x00, *range(0xD0, 0xD8))):
                pos += 1
    return found


def _gif_blocks(data: bytes) -> list[bytes]:
    assert data[:6] in (b"GIF87a", b"GIF89a")
    packed = data[10]
    pos = 13 + (3 * 2 ** ((packed & 7) + 1) if packed & 0x80 else 0)
    blocks = []

    def skip_sub_blocks(at: int) -> tuple[int, bytes]:
        payload = b""
        while data[at]:
            payload += data[at + 1:at + 1 + data[at]]
            at += 1 + data[at]
        return at + 1, payload

    while data[pos] != 0x3B:
        if data[pos] == 0x21:
            label = data[pos + 1]
            pos, payload = skip_sub_blocks(pos + 2)
            blocks.append(bytes([0x21, label]) + payload)
        else:
            assert data[pos] == 0x2C, f"unknown GIF block {data[pos]:#x}"
            packed = data[pos + 9]
            pos += 10 + (3 * 2 ** ((packed & 7) + 1) if packed & 0x80 else 0) + 1  # LZW minimum code size
            pos, _ = skip_sub_blocks(pos)
            blocks.append(b"image")
    return blocks


def assert_bare(name: str, data: bytes) -> None:
    """The published file holds pixels and what draws them, nothing else: no text, profile or packet."""
    assert LEAK not in data and "LEAK-".encode("utf-16-be") not in data, f"{name} carries a planted marker"
    if name.endswith(".png"):
        assert set(_png_chunks(data)) <= {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}, (name, _png_chunks(data))
    elif name.endswith(".webp"):
        assert set(_webp_chunks(data)) <= {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF"}, name
    elif name.endswith(".jpg"):
        for segment in _jpeg_segments(data):
            marker = segment[0] if segment != b"EOI" else 0xD9
            assert marker in (0xDB, 0xC0, 0xC2, 0xC4, 0xDA, 0xDD, 0xD9) or segment[:5] == b"\xe0JFIF", (name, segment)
    else:
        assert name.endswith(".gif"), name
        for block in _gif_blocks(data):
            assert block == b"image" or block[:2] == b"\x21\xf9" or block[:2] == b"\x21\xff" and \
                block[2:] in (b"NETSCAPE2.0\x01\x00\x00",), (name, block[:40])


# -- 1. the cache folder cannot be written ----------------------------------------------------------

def _message(cache: Path, reason: str) -> str:
    return (f"警告：图片缓存文件夹 {cache} 无法写入（{reason}）：本次构建不使用缓存，图片照常发布，但每张都要重新压缩。"
            "请检查这个文件夹，或用环境变量 UNIONPRESS_CACHE 指定另一个")


def _refuse_writes(monkeypatch, cache: Path, code: int) -> None:
    """The operating system's answer for a full disk, or a read-only folder seen by root (root may
    write anywhere, so chmod alone cannot show it in a test run as root)."""
    from unionpress import responsive

    write = responsive._write_atomically

    def refused(target: Path, data: bytes) -> None:
        if target.parent == cache:
            raise OSError(code, os.strerror(code), str(target))
        write(target, data)

    monkeypatch.setattr(responsive, "_write_atomically", refused)


def _unusable_cache(how: str, cache: Path, monkeypatch) -> str:
    """Make the cache unusable as `how` says; the reason the warning must give."""
    if how == "file-in-the-way":
        cache.write_text("不是文件夹", encoding="utf-8")
        return f"那里是一个文件，不是文件夹：{os.strerror(errno.EEXIST)}"
    if how == "read-only":
        cache.mkdir()
        cache.chmod(0o555)
        try:
            (cache / "probe").write_bytes(b"")
        except PermissionError:
            return f"没有写入权限：{os.strerror(errno.EACCES)}"
        (cache / "probe").unlink()
        _refuse_writes(monkeypatch, cache, errno.EACCES)
        return f"没有写入权限：{os.strerror(errno.EACCES)}"
    cache.mkdir()
    _refuse_writes(monkeypatch, cache, errno.ENOSPC)
    return f"磁盘已满：{os.strerror(errno.ENOSPC)}"


@pytest.mark.parametrize("how", ["file-in-the-way", "read-only", "disk-full"])
def test_an_unusable_cache_is_said_once_and_every_picture_is_still_published(site_copy, tmp_path, monkeypatch,
                                                                             caplog, how):
    from unionpress import responsive

    cache = site_copy.parent / ".cache/unionpress/pictures"  # where check() puts it: beside the content
    cache.parent.mkdir(parents=True)
    reason = _unusable_cache(how, cache, monkeypatch)
    (site_copy / "images/extra.png").write_bytes(grey_16bit())
    write_story(site_copy, "pictures", body="![灰度扫描](../images/extra.png)", cover="../images/photo.jpg",
                cover_alt="照片")
    caplog.set_level(logging.WARNING, logger="unionpress.pictures")
    lines, build = check(site_copy)
    assert _pictures(lines) == []  # no picture blamed on the editor
    assert [r.getMessage() for r in caplog.records if r.name == "unionpress.pictures"] == [_message(cache, reason)]
    published = {output: file for output, file in build.renderer.out.assets.items() if output.startswith("media/")}
    assert all(PICTURE.fullmatch(output) for output in published)  # variants only, no original
    pictures = responsive.pipeline(build.settings)
    for name in ("photo.jpg", "cover.jpg", "extra.png"):  # a profile's, a story's cover, a body picture
        found = pictures.picture(site_copy / "images" / name)
        assert found is not None and set(found.assets()) <= set(published.items())
    for output, file in published.items():
        assert cache not in file.parents and file.is_file()
        with PILImage.open(file) as picture:
            picture.load()
    if cache.is_dir():
        cache.chmod(0o755)
        assert list(cache.iterdir()) == []


def test_a_strict_mkdocs_build_with_a_file_for_its_cache_publishes_and_says_so_once(site_copy, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    cache.write_text("不是文件夹", encoding="utf-8")
    monkeypatch.setenv("UNIONPRESS_CACHE", str(cache))
    site = tmp_path / "site"
    result = mkdocs_build(site, content=site_copy)
    assert result.returncode == 0, result.stderr
    reason = f"那里是一个文件，不是文件夹：{os.strerror(errno.EEXIST)}"
    assert result.stderr.count(_message(cache, reason)) == 1, result.stderr
    page = (site / "stories/good-story/index.html").read_text(encoding="utf-8")
    used = set(PICTURE.findall(page))
    assert used and all((site / output).is_file() for output in used)


# -- 2. a cache record proves itself or is encoded again -----------------------------------------

def _photo(path: Path, size=(1600, 1000), colour=(200, 60, 30)) -> Path:
    picture = PILImage.new("RGB", size, colour)
    picture.paste((30, 60, 200), (0, 0, size[0] // 3, size[1]))
    picture.save(path, "JPEG", quality=90)
    return path


def _record(cache: Path) -> tuple[Path, dict]:
    found = [path for path in cache.glob("*.json")]
    assert len(found) == 1
    return found[0], json.loads(found[0].read_text(encoding="utf-8"))


def _rewrite(record: Path, change) -> None:
    data = json.loads(record.read_text(encoding="utf-8"))
    change(data)
    record.write_text(json.dumps(data), encoding="utf-8")


def _swap_bytes(record, data, cache, other):
    name = data["webp"][1][0]
    body = bytearray((cache / name).read_bytes())
    body[len(body) // 2] ^= 0xFF  # same length, other bytes
    (cache / name).write_bytes(bytes(body))
    return f"{name} 的内容与记录不符"


def _cut_short(record, data, cache, other):
    name = data["fallback"][-1][0]
    (cache / name).write_bytes((cache / name).read_bytes()[:-10])
    return f"{name} 的大小与记录不符"


def _another_pictures_files(record, data, cache, other):
    """A record naming another picture's variants, with hashes that are right for them."""
    theirs = json.loads(other.read_text(encoding="utf-8"))
    _rewrite(record, lambda mine: mine.update(webp=theirs["webp"], fallback=theirs["fallback"]))
    return f"文件名 {theirs['webp'][0][0]} 不是这张图片的"


def _out_of_the_folder(record, data, cache, other):
    secret = cache.parent / "secret.jpg"
    shutil.copy(cache / data["fallback"][0][0], secret)
    digest = __import__("hashlib").sha256(secret.read_bytes()).hexdigest()
    row = ["../secret.jpg", data["fallback"][0][1], data["fallback"][0][2], secret.stat().st_size, digest]
    _rewrite(record, lambda mine: mine["fallback"].__setitem__(0, row))
    return "文件名 ../secret.jpg 不是这张图片的"


def _someone_elses_key(record, data, cache, other):
    _rewrite(record, lambda mine: mine.update(key="0" * 20))
    return "记录不属于这张图片"


def _a_width_dropped(record, data, cache, other):
    _rewrite(record, lambda mine: (mine["webp"].pop(), mine["fallback"].pop()))
    return "尺寸与原图不符"


def _not_json(record, data, cache, other):
    record.write_bytes(b"\x00{ not json")
    return "记录已损坏，或它列出的文件已不在"


def _bloated(record, data, cache, other):
    """A record padded to megabytes is not read into memory, let alone trusted."""
    record.write_text(json.dumps(data) + " " * 2**20, encoding="utf-8")
    return "记录过大"


def _variant_gone(record, data, cache, other):
    (cache / data["webp"][0][0]).unlink()
    return "记录已损坏，或它列出的文件已不在"


@pytest.mark.parametrize("tamper", [_swap_bytes, _cut_short, _another_pictures_files, _out_of_the_folder,
                                    _someone_elses_key, _a_width_dropped, _not_json, _bloated, _variant_gone],
                         ids=lambda tamper: tamper.__name__.strip("_"))
def test_a_cache_record_that_does_not_prove_itself_is_encoded_again(tmp_path, caplog, tamper):
    from unionpress import responsive

    cache, elsewhere = tmp_path / "cache", tmp_path / "other-cache"
    photo = _photo(tmp_path / "photo.jpg")
    honest = responsive.Pipeline(cache).picture(photo)
    truth = {variant.file.name: variant.file.read_bytes() for variant in (*honest.webp, *honest.fallback)}
    responsive.Pipeline(elsewhere).picture(_photo(tmp_path / "other.jpg", colour=(20, 160, 40)))
    (other_record, _), (record, data) = _record(elsewhere), _record(cache)
    for name in os.listdir(elsewhere):  # the other picture's files now sit in this cache too
        if name.endswith((".webp", ".jpg")):
            shutil.copy(elsewhere / name, cache / name)
    why = tamper(record, data, cache, other_record)
    caplog.set_level(logging.WARNING, logger="unionpress.pictures")
    pipeline = responsive.Pipeline(cache)  # a later build, in another process
    again = pipeline.picture(photo)
    assert (pipeline.encoded, pipeline.reused, pipeline.discarded) == (1, 0, 1)
    assert [r.getMessage() for r in caplog.records if r.name == "unionpress.pictures"] == [
        f"警告：图片缓存记录 {record} 不可信（{why}），已弃用并重新压缩这张图片"]
    assert again == honest  # the same names, sizes and files …
    assert {v.file.name: v.file.read_bytes() for v in (*again.webp, *again.fallback)} == truth  # … and bytes
    third = responsive.Pipeline(cache)
    assert third.picture(photo) == honest and (third.encoded, third.reused, third.discarded) == (0, 1, 0)


def test_a_record_is_bound_to_the_shape_of_its_original(tmp_path):
    """Hashes prove a record's files are the ones it lists; the sizes tie the list to the original."""
    from unionpress import responsive

    photo = _photo(tmp_path / "photo.jpg", size=(1600, 1000))
    found = responsive.Pipeline(tmp_path / "cache").picture(photo)
    key = found.webp[0].file.name.split("-")[0]
    record = json.loads((tmp_path / "cache" / f"{key}.json").read_text(encoding="utf-8"))
    assert responsive._checked(record, key, tmp_path / "cache", (1600, 1000)) == found
    assert responsive._checked(record, key, tmp_path / "cache", (1000, 1600)) == found  # turned by EXIF
    with pytest.raises(responsive.Untrusted, match="尺寸与原图不符"):
        responsive._checked(record, key, tmp_path / "cache", (1600, 900))


# -- 3. the warm-up is bounded -------------------------------------------------------------------

def encode_nothing(path):
    """Stands in for the encoder in the worker processes (module level, so it can be sent to them)."""
    return path.name


def test_the_warm_up_keeps_few_pictures_in_flight_and_sends_paths_not_bytes(monkeypatch):
    from concurrent.futures import ProcessPoolExecutor

    from unionpress import responsive

    submitted = []
    submit = ProcessPoolExecutor.submit

    def counted(self, fn, *args, **kwargs):
        submitted.append(args)
        return submit(self, fn, *args, **kwargs)

    monkeypatch.setattr(ProcessPoolExecutor, "submit", counted)
    monkeypatch.setattr(responsive, "_encode_file", encode_nothing)
    monkeypatch.setattr(responsive, "_workers", lambda: 2)
    monkeypatch.setattr(responsive.threading, "active_count", lambda: 1)  # a pool's thread from an earlier test
    paths = [Path(f"/nowhere/{n}.jpg") for n in range(40)]
    made = responsive._encode_all(paths)
    assert next(made) == "0.jpg"
    assert 1 <= len(submitted) <= 2 * 2 + 1  # two per worker, and one more for the one taken
    assert all(len(args) == 1 and isinstance(args[0], Path) for args in submitted)  # each worker reads its file
    assert list(made) == [f"{n}.jpg" for n in range(1, 40)]  # all of them, in order
    assert len(submitted) == 40


def test_the_warm_up_never_reads_whole_originals_in_the_building_process(tmp_path, monkeypatch):
    from unionpress import responsive

    photos = [_photo(tmp_path / f"{n}.jpg", size=(700, 500), colour=(n * 40, 90, 90)) for n in range(4)]
    read = []
    read_bytes = Path.read_bytes
    pid = os.getpid()

    def watched(self):
        if os.getpid() == pid and self in photos:
            read.append(self)
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", watched)
    monkeypatch.setattr(responsive, "_workers", lambda: 2)
    monkeypatch.setattr(responsive.threading, "active_count", lambda: 1)  # a pool's thread from an earlier test
    pipeline = responsive.Pipeline(tmp_path / "cache")
    pipeline.warm(photos)
    assert pipeline.encoded == 4 and read == []
    assert all(pipeline.picture(photo) is not None for photo in photos)


# -- 4. a picture deleted or replaced during a build --------------------------------------------

def _line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def test_a_picture_deleted_or_replaced_while_building_is_a_located_finding(site_copy, tmp_path, monkeypatch):
    from unionpress import responsive

    for name in ("gone.jpg", "swapped.jpg", "late.jpg"):
        _photo(site_copy / "images" / name, size=(700, 500))
    first = write_story(site_copy, "gone", cover="../images/gone.jpg", cover_alt="删掉的封面")
    second = write_story(site_copy, "swapped", cover="../images/swapped.jpg", cover_alt="换掉的封面")
    third = write_story(site_copy, "late", body="![正文里的图](../images/late.jpg)")
    warm, key_of = responsive.Pipeline.warm, responsive._key_of

    def editor_at_work(self, paths):  # between reading the content and encoding its pictures
        (site_copy / "images/gone.jpg").unlink()
        (site_copy / "images/swapped.jpg").write_bytes(b"\xff\xd8 not a photo any more")
        warm(self, paths)

    def deleted_under_our_feet(path):  # after the check found the file whole, before its bytes are read
        if path.name == "late.jpg":
            path.unlink()
        return key_of(path)

    monkeypatch.setattr(responsive.Pipeline, "warm", editor_at_work)
    monkeypatch.setattr(responsive, "_key_of", deleted_under_our_feet)
    lines, build = check(site_copy)
    assert _pictures(lines) == [
        f"content/stories/gone.md:{_line_of(first, 'cover:')}: [image-missing] 图片不存在：../images/gone.jpg",
        f"content/stories/late.md:{_line_of(third, 'late.jpg')}: [image-broken] "
        "图片文件无法读取（已损坏，或不是 JPEG、PNG、WebP、GIF 图片）：../images/late.jpg",
        f"content/stories/swapped.md:{_line_of(second, 'cover:')}: [image-broken] "
        "图片文件无法读取（已损坏，或不是 JPEG、PNG、WebP、GIF 图片）：../images/swapped.jpg",
    ]


def test_size_and_problem_of_a_vanished_file_are_answers_not_tracebacks(tmp_path):
    from unionpress import images, responsive

    gone = tmp_path / "gone.png"
    assert images.pixel_size(gone) is None and images.problem(gone) == ("image-missing", {})
    pipeline = responsive.Pipeline(tmp_path / "cache")
    assert pipeline.picture(gone) is None and pipeline.failed(gone) is True
    # A picture seen once and then deleted (mkdocs serve): its variants still stand for the pages.
    seen = _photo(tmp_path / "seen.jpg", size=(400, 300))
    found = pipeline.picture(seen)
    seen.unlink()
    assert found is not None and pipeline.picture(seen) == found


# -- 5. no metadata in anything published ---------------------------------------------------------

def test_no_metadata_block_of_any_format_reaches_the_published_site(site_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("UNIONPRESS_CACHE", str(tmp_path / "cache"))
    pictures = metadata_pictures()
    (site_copy / "images/picture-metadata.gif").write_bytes((HOSTILE / "picture-metadata.gif").read_bytes())
    for name, data in pictures.items():
        if name != "picture-metadata.gif":
            (site_copy / "images" / name).write_bytes(data)
    body = "\n\n".join(f"![第 {n} 张](../images/{name})" for n, name in enumerate(pictures, 1))
    write_story(site_copy, "metadata", body=body, cover="../images/picture-metadata.webp", cover_alt="封面")
    site = tmp_path / "site"
    result = mkdocs_build(site, content=site_copy)
    assert result.returncode == 0, result.stderr
    page = (site / "stories/metadata/index.html").read_text(encoding="utf-8")
    assert "media/images/" not in page  # no original, of any format
    assert len(set(PICTURE.findall(page))) >= 2 * len(pictures)  # 300 px wide or less: one width each
    published = sorted((site / "media/pictures").iterdir())
    assert {path.suffix for path in published} == {".webp", ".jpg", ".png", ".gif"}
    for path in site.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if path.parent.name == "pictures":
                assert_bare(path.name, data)
            assert LEAK not in data, path


def test_the_committed_gif_fixture_still_carries_its_blocks():
    """The fixture stays hostile: a comment, an XMP application block and a plain-text block."""
    data = (HOSTILE / "picture-metadata.gif").read_bytes()
    assert data == gif_with_blocks()
    labels = [block[:2] for block in _gif_blocks(data)]
    assert b"\x21\xfe" in labels and b"\x21\x01" in labels and any(
        block.startswith(b"\x21\xffXMP DataXMP") for block in _gif_blocks(data))


def test_an_animation_keeps_moving_and_a_phones_second_frame_is_not_one(tmp_path):
    from unionpress import responsive

    pipeline = responsive.Pipeline(tmp_path / "cache")
    gif = tmp_path / "moving.gif"
    gif.write_bytes(gif_with_blocks(frames=3))
    found = pipeline.picture(gif)
    assert found.fallback_type == "image/gif" and [v.width for v in found.webp] == [96]
    with PILImage.open(found.largest.file) as moving:
        assert moving.n_frames == 3 and moving.info["duration"] == 120 and moving.info["loop"] == 0
    with PILImage.open(found.webp[0].file) as moving:
        assert moving.n_frames == 3
    # An MPO (two frames: a photo and its depth map or stereo twin) is one photo.
    mpo = tmp_path / "portrait.jpg"
    _gradient(400, 300).convert("RGB").save(mpo, "MPO", save_all=True, append_images=[PILImage.new("RGB", (400, 300))])
    still = pipeline.picture(mpo)
    assert still.fallback_type == "image/jpeg"
    with PILImage.open(still.largest.file) as photo:
        assert 100 < ImageStat.Stat(photo.convert("L")).mean[0] < 155  # the photo, not the black twin


def test_an_animation_with_too_many_pixels_is_refused_where_it_is_named(site_copy, tmp_path, monkeypatch):
    from unionpress import images

    monkeypatch.setattr(images, "MAX_PIXELS", 600_000)  # the sample's photos fit, and three frames of 400×400
    (site_copy / "images/long.gif").write_bytes(gif_with_blocks(frames=4, size=(400, 400)))
    (site_copy / "images/short.gif").write_bytes(gif_with_blocks(frames=3, size=(400, 400)))
    story = write_story(site_copy, "long", body="![长动图](../images/long.gif)\n\n![短动图](../images/short.gif)")
    assert _pictures(check(site_copy)[0]) == [f"content/stories/long.md:{_line_of(story, 'long.gif')}: [image-frames] "
                     "动图过大（4 帧，每帧 400×400 像素）：../images/long.gif。所有帧合计不得超过 6400 万像素，"
                     "请减少帧数、缩小尺寸，或改为视频"]


def test_a_file_of_another_format_under_a_pictures_name_is_refused(site_copy):
    """Pillow knows forty formats by their bytes; the site takes the four it promises. A TIFF can carry
    any mode and a dozen metadata blocks, an EPS is run by Ghostscript when it is decoded."""
    gradient = _gradient(300, 200)
    gradient.convert("F").save(site_copy / "images/scan.png", "TIFF")  # a scanner's float TIFF, renamed
    gradient.save(site_copy / "images/paint.jpg", "BMP")
    gradient.save(site_copy / "images/vector.jpg", "EPS")
    story = write_story(site_copy, "formats", body="![扫描](../images/scan.png)\n\n![画图](../images/paint.jpg)\n\n"
                                                   "![矢量](../images/vector.jpg)")
    broken = "[image-broken] 图片文件无法读取（已损坏，或不是 JPEG、PNG、WebP、GIF 图片）"
    assert _pictures(check(site_copy)[0]) == [
        f"content/stories/formats.md:{_line_of(story, name)}: {broken}：../images/{name}"
        for name in ("scan.png", "paint.jpg", "vector.jpg")]


def test_a_colour_profile_is_applied_before_it_is_dropped(tmp_path):
    """A file whose profile says its red is sRGB's green must come out green, and with no profile."""
    from unionpress import responsive

    swapped = icc_profile(b"swapped", red=SRGB_GREEN, green=SRGB_RED)
    picture = tmp_path / "profiled.png"
    PILImage.new("RGB", (400, 200), (200, 30, 30)).save(picture, "PNG", icc_profile=swapped)
    found = responsive.Pipeline(tmp_path / "cache").picture(picture)
    for variant in (*found.webp, *found.fallback):
        with PILImage.open(variant.file) as published:
            red, green, _blue = published.convert("RGB").getpixel((10, 10))
            assert green > 150 and red < 80 and "icc_profile" not in published.info
    # A profile Little CMS cannot read is dropped too, the pixels converted as they are.
    broken = tmp_path / "broken-profile.jpg"
    PILImage.new("RGB", (400, 200), (200, 30, 30)).save(broken, "JPEG", icc_profile=b"LEAK-garbage" * 20)
    with PILImage.open(responsive.Pipeline(tmp_path / "cache").picture(broken).largest.file) as published:
        assert published.getpixel((10, 10))[0] > 150 and "icc_profile" not in published.info


# -- 6. every mode looks like its source ----------------------------------------------------------

def _grey_of(picture) -> tuple[float, float, float, float | None]:
    """Mean brightness overall, of the left and the right quarter, and mean alpha (None if opaque)."""
    width = picture.size[0]
    grey = picture.convert("RGBA" if "A" in picture.getbands() else "RGB").convert("L")

    def mean(box):
        return ImageStat.Stat(grey.crop(box)).mean[0]

    alpha = ImageStat.Stat(picture.getchannel("A")).mean[0] if "A" in picture.getbands() else None
    height = picture.size[1]
    return mean((0, 0, width, height)), mean((0, 0, width // 4, height)), mean((3 * width // 4, 0, width, height)), alpha


def _looks_like_the_gradient(picture, alpha: float | None, tolerance: float = 12) -> None:
    overall, left, right, seen_alpha = _grey_of(picture)
    assert abs(overall - 127.5) < tolerance, f"mean brightness {overall:.1f}, not the gradient's 127.5"
    assert left < 70 and right > 185, f"left {left:.1f}, right {right:.1f}: the gradient is lost"
    if alpha is None:
        assert seen_alpha is None or seen_alpha > 254
    else:
        assert seen_alpha is not None and abs(seen_alpha - alpha) < 3, f"alpha {seen_alpha}, not {alpha}"


def _with_alpha(mode: str):
    picture = _gradient().convert("RGB" if mode.startswith("RGB") else "L")
    picture.putalpha(128)
    return picture.convert(mode)


def _wide(mode: str, scale: float, raw: str | None = None):
    """The gradient as a high-depth grey: values × scale, stored in `mode` (raw: Pillow's packing)."""
    values = [x * scale for x in range(256)] * 8
    if raw:
        data = b"".join(struct.pack(raw, int(v)) for v in values)
        return PILImage.frombytes(mode, (256, 8), data)
    picture = PILImage.new(mode, (256, 8))
    picture.putdata(values)
    return picture


def _palette():
    picture = PILImage.new("P", (256, 8))
    picture.putpalette([v for x in range(256) for v in (x, x, x)])
    picture.putdata(list(range(256)) * 8)
    return picture


IN_MEMORY = {  # modes no format we read can carry, but Pillow's decoders or a later plugin may hand over
    "La": (lambda: _with_alpha("La"), 128),
    "RGBa": (lambda: _with_alpha("RGBa"), 128),
    "PA": (lambda: _with_alpha("LA").convert("RGBA").convert("PA"), 128),
    "YCbCr": (lambda: _gradient().convert("RGB").convert("YCbCr"), None),
    "LAB": (lambda: _gradient().convert("RGB").convert("LAB"), None),
    "HSV": (lambda: _gradient().convert("RGB").convert("HSV"), None),
    "RGBX": (lambda: _gradient().convert("RGBX"), None),
    "CMYK": (lambda: _gradient().convert("RGB").convert("CMYK"), None),
    "I-8bit": (lambda: _wide("I", 1), None),
    "I-16bit": (lambda: _wide("I", 257), None),
    "I;16": (lambda: _wide("I;16", 257), None),
    "I;16L": (lambda: _wide("I;16L", 257, "<H"), None),
    "I;16B": (lambda: _wide("I;16B", 257, ">H"), None),
    "I;16N": (lambda: _wide("I;16N", 257, "=H"), None),
    "F-unit": (lambda: _wide("F", 1 / 255), None),
    "F-8bit": (lambda: _wide("F", 1), None),
    "1": (lambda: _gradient().convert("1"), None),
    "P": (_palette, None),
    "P-with-alpha-palette": (lambda: _with_alpha("RGBA").quantize(), 128),
}


def test_every_pillow_mode_has_a_case():
    assert {name.split("-")[0] for name in IN_MEMORY} | {"L", "LA", "RGB", "RGBA"} == set(PILImage.MODES)


@pytest.mark.parametrize("case", sorted(IN_MEMORY))
def test_every_mode_comes_out_looking_like_its_source(case):
    from unionpress import responsive

    make, alpha = IN_MEMORY[case]
    source = make()
    assert source.mode == case.split("-")[0]
    viewable = responsive._viewable(source)
    assert viewable.mode == ("RGBA" if alpha else "RGB")
    _looks_like_the_gradient(viewable, alpha, tolerance=16 if case == "1" else 6)


def _keyed(mode: str):
    """The gradient with its darkest 16 columns made transparent by a colour key (PNG tRNS)."""
    if mode == "P":
        picture = _palette()
        picture.info["transparency"] = 0
        picture.putdata([0 if x < 16 else x for x in range(256)] * 8)
    elif mode == "I;16":
        picture = _wide("I;16", 257)
        picture.putdata([0 if x < 16 else x * 257 for x in range(256)] * 8)
        picture.info["transparency"] = 0
    else:
        picture = _gradient().convert(mode)
        picture.paste((0, 0, 0) if mode == "RGB" else 0, (0, 0, 16, 8))
        picture.info["transparency"] = (0, 0, 0) if mode == "RGB" else 0
    return picture


FILES = {  # mode → (how to save it, alpha expected, transparent columns) as an editor's file would be
    "16-bit grey PNG": (lambda: PILImage.open(io.BytesIO(grey_16bit())), "PNG", None),
    "16-bit grey PNG with a key": (lambda: _keyed("I;16"), "PNG", "key"),
    "1-bit PNG": (lambda: _gradient().convert("1"), "PNG", None),
    "grey PNG": (lambda: _gradient(), "PNG", None),
    "grey PNG with alpha": (lambda: _with_alpha("LA"), "PNG", 128),
    "palette PNG": (_palette, "PNG", None),
    "palette PNG with a key": (lambda: _keyed("P"), "PNG", "key"),
    "grey PNG with a key": (lambda: _keyed("L"), "PNG", "key"),
    "RGB PNG with a key": (lambda: _keyed("RGB"), "PNG", "key"),
    "RGBA PNG": (lambda: _with_alpha("RGBA"), "PNG", 128),
    "grey JPEG": (lambda: _gradient(), "JPEG", None),
    "CMYK JPEG": (lambda: _gradient().convert("RGB").convert("CMYK"), "JPEG", None),
    "RGBA WebP": (lambda: _with_alpha("RGBA"), "WEBP", 128),
    "palette GIF": (_palette, "GIF", None),
}


@pytest.mark.parametrize("case", sorted(FILES))
def test_every_file_mode_is_published_looking_like_its_source(tmp_path, case):
    from unionpress import responsive

    make, fmt, alpha = FILES[case]
    path = tmp_path / f"picture.{fmt.lower().replace('jpeg', 'jpg')}"
    source = make()
    source.save(path, fmt, **({"quality": 95} if fmt in ("JPEG", "WEBP") else {}))
    found = responsive.Pipeline(tmp_path / "cache").picture(path)
    assert found is not None
    for variant in (found.webp[-1], found.largest):
        with PILImage.open(variant.file) as published:
            published.load()
            if alpha == "key":
                keyed = published.convert("RGBA").getchannel("A")
                assert keyed.getpixel((2, 4)) == 0 and keyed.getpixel((200, 4)) == 255, case
                continue
            _looks_like_the_gradient(published, alpha)


def test_a_16bit_grey_cover_is_published_grey_not_white(site_copy, tmp_path, monkeypatch):
    """The headline case, as an editor meets it: the committed fixture as a cover, no finding, grey."""
    from unionpress import responsive

    shutil.copy(HOSTILE / "picture-grey-16bit.png", site_copy / "images/scan.png")
    assert (HOSTILE / "picture-grey-16bit.png").read_bytes() == grey_16bit()
    write_story(site_copy, "scan", cover="../images/scan.png", cover_alt="扫描件")
    lines, build = check(site_copy)
    assert _pictures(lines) == []
    found = responsive.pipeline(build.settings).picture(site_copy / "images/scan.png")
    with PILImage.open(found.largest.file) as published:
        _looks_like_the_gradient(published, None)
