"""Responsive images: one pipeline for every picture the site shows (covers, portraits, body images,
and exhibition works later).

Each raster picture becomes variants at 320, 640 and 1280 px wide (never wider than the original)
in WebP, with a JPEG fallback (PNG when the picture has transparency, GIF for an animation), EXIF
orientation applied, colours turned into sRGB, and every metadata block dropped: a phone photo's
EXIF carries the GPS position of the workshop or the worker's home, and a GIF comment, a PNG text
chunk or an XMP packet can carry as much. Pages print <picture> with srcset/sizes and width/height;
no raster original is published.

Encoding is the slow part of a build, so the variants live in a cache folder kept between builds
(.cache/unionpress/pictures, or UNIONPRESS_CACHE), named by a hash of the file's bytes and of the
encoding settings: an unchanged picture is never encoded twice, a changed one or a change of
settings gets new names (and readers' browsers fetch the new file). Pillow does the work.

The cache is a convenience, never an authority. A record is used only when its file names are the
ones its key gives, and every variant's size and SHA-256 match the record; anything else is
discarded and encoded again. A cache folder that cannot be written is reported once, and the build
goes on with a temporary folder of its own.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import itertools
import json
import logging
import os
import shutil
import tempfile
import threading
import time
import weakref
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from PIL import Image as PILImage, ImageMath, ImageOps, ImageSequence

from . import images, sitefiles

try:
    from PIL import ImageCms
except ImportError:  # Pillow built without Little CMS: colours are converted without a profile
    ImageCms = None

WIDTHS = (320, 640, 1280)
# Pillow's version is part of the key: another encoder version gives other bytes, and the output must
# not depend on whether a picture came from the cache or was encoded now.
ENCODING = {"widths": WIDTHS, "webp_quality": 78, "jpeg_quality": 82, "png": "optimize", "version": 3,
            "pillow": PILImage.__version__}
_SALT = json.dumps(ENCODING, sort_keys=True).encode("utf-8")
RASTER = frozenset({".jpg", ".jpeg", ".png", ".webp", ".avif", ".gif"})  # an SVG scales: served as it is
OUTPUT_DIR = "media/pictures"
RECORD_BYTES = 4096  # an honest record is a few hundred bytes; a bigger one is not read into memory
FALLBACKS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif"}  # fallback type → file extension
_HIGH_DEPTH = frozenset({"I", "I;16", "I;16L", "I;16B", "I;16N", "F"})

log = logging.getLogger("unionpress.pictures")


@dataclass(frozen=True)
class Variant:
    output: str  # path in the built site
    file: Path  # the encoded file in the cache
    width: int
    height: int


@dataclass(frozen=True)
class PictureSet:
    webp: tuple[Variant, ...]  # narrowest first
    fallback: tuple[Variant, ...]  # JPEG, PNG for a picture with transparency, GIF for an animation
    fallback_type: str  # image/jpeg | image/png | image/gif

    @property
    def largest(self) -> Variant:
        return self.fallback[-1]

    @property
    def src(self) -> Variant:
        """The fallback for a browser without srcset: the 640 px one, or the largest below it."""
        fitting = [v for v in self.fallback if v.width <= 640]
        return fitting[-1] if fitting else self.fallback[0]

    def assets(self) -> list[tuple[str, Path]]:
        return [(v.output, v.file) for v in (*self.webp, *self.fallback)]


@dataclass(frozen=True)
class Encoded:
    """One variant's bytes as a worker made them, before they land in a folder."""
    kind: str  # file extension: webp, jpg, png or gif
    width: int
    height: int
    data: bytes


@dataclass(frozen=True)
class Made:
    """Every variant of one picture, in memory. The key is that of the bytes actually decoded."""
    key: str
    fallback_type: str
    webp: tuple[Encoded, ...]
    fallback: tuple[Encoded, ...]


class Untrusted(ValueError):
    """A cache record that does not prove its variants are the ones its key names."""


class Pipeline:
    """Variants of pictures, encoded once per content and settings, remembered for the process
    (mkdocs serve rebuilds) and on disk (every later build)."""

    def __init__(self, cache: Path) -> None:
        self.cache = cache
        self.folder = cache  # where new variants go: the cache, or a temporary folder once the cache fails
        self.unusable: str | None = None  # why the cache folder cannot be written, once it is known
        self._stuck = False  # neither the cache nor a temporary folder can be written
        self._known: dict[tuple, PictureSet | None] = {}
        self._latest: dict[Path, tuple] = {}  # path → the last version of it this process saw
        self._sources: tuple[int, dict[str, Path]] = (-1, {})  # sources(), as of len(_known)
        self._lock = threading.Lock()
        self.encoded = 0  # pictures encoded by this process (the cache missed)
        self.reused = 0  # pictures found in the cache
        self.discarded = 0  # cache records that failed validation
        self.seconds = 0.0  # time spent finding or making variants (scripts/bench reports it)

    def failed(self, path: Path | None) -> bool:
        """True when `path` is a raster picture the checks let through but the pipeline could not
        turn into variants (a truncated phone photo, a file deleted half way through a build): an
        error, since the original must not be published instead."""
        if path is None or path.suffix.lower() not in RASTER:
            return False
        trouble = images.problem(path)
        if trouble is not None and trouble[0] not in ("image-oversized", "image-missing"):
            return False  # the checks report it in their own words
        return self.picture(path) is None

    def picture(self, path: Path | None) -> PictureSet | None:
        """The variants of the picture at `path`; None when it is served as it is (not a raster
        photo), or when there are none (a broken file, which the checks report)."""
        memo = _memo(path)
        if memo is None:
            # Gone since it was read (an editor deleted it during `mkdocs serve`): the variants made
            # from it stand for this build, so no page is left naming a file that is not there.
            last = self._latest.get(path) if path is not None else None
            return self._known.get(last) if last is not None else None
        with self._lock:
            if memo not in self._known:
                started = time.perf_counter()
                if self._settle(memo) is not None:
                    self._made(memo, self._store(_encode_file(memo[0])))
                self.seconds += time.perf_counter() - started
            return self._known[memo]

    def sources(self) -> dict[str, Path]:
        """Variant site path → the original file it was made from, for every picture this process has
        seen (the newest version of each file): an output that must ship originals (a partner's bundle)
        finds them from the variants a body names. Made again only when the pipeline knows more."""
        with self._lock:
            if self._sources[0] != len(self._known):
                found: dict[str, Path] = {}
                for path, memo in self._latest.items():
                    variants = self._known.get(memo)
                    if variants is not None:
                        for variant in (*variants.webp, *variants.fallback):
                            found[variant.output] = path
                self._sources = (len(self._known), found)
            return self._sources[1]

    def warm(self, paths) -> None:
        """Encode the pictures of `paths` that the cache lacks, on every core at once: a first build of
        a thousand portraits would otherwise encode them one by one while rendering. Each worker
        reads its own file and only a few pictures are in flight at a time, so memory stays flat
        however many pictures a site has."""
        started = time.perf_counter()
        with self._lock:
            todo = [memo for memo in dict.fromkeys(filter(None, map(_memo, paths)))
                    if memo not in self._known and self._settle(memo) is not None]
            for memo, made in zip(todo, _encode_all([memo[0] for memo in todo])):
                self._made(memo, self._store(made))
            self.seconds += time.perf_counter() - started

    def _settle(self, memo: tuple) -> str | None:
        """Remember what needs no encoding (a broken or vanished file: None; a picture in the cache:
        its variants); return the key of one still to encode. Called with the lock held."""
        trouble = images.problem(memo[0])
        if trouble is not None and trouble[0] != "image-oversized":
            self._remember(memo, None)
            return None
        try:
            key = _key_of(memo[0])
        except OSError:  # deleted or unreadable between the check and now
            self._remember(memo, None)
            return None
        found = self._cached(key, images.pixel_size(memo[0]))
        if found is None:
            return key
        self.reused += 1
        self._remember(memo, found)
        return None

    def _remember(self, memo: tuple, found: PictureSet | None) -> None:
        self._known[memo] = found
        self._latest[memo[0]] = memo

    def _made(self, memo: tuple, found: PictureSet | None) -> None:
        self._remember(memo, found)
        self.encoded += found is not None

    def _cached(self, key: str, shape: tuple[int, int] | None) -> PictureSet | None:
        """The variants a record promises, if they prove to be what it says; None to encode again.
        Verified on every first use in a process (the process then remembers the answer): a stamp
        saying "already verified" would sit in the same folder as the files and could be forged or
        carried along with them, and hashing the variants costs less than hashing the originals,
        which every build does anyway to find their keys."""
        for folder in dict.fromkeys((self.cache, self.folder)):
            record = folder / f"{key}.json"
            try:
                with record.open("rb") as handle:
                    text = handle.read(RECORD_BYTES + 1)
            except OSError:
                continue  # no record, or no cache folder at all
            try:
                if len(text) > RECORD_BYTES:
                    raise Untrusted("记录过大")
                return _checked(json.loads(text), key, folder, shape)
            except (Untrusted, ValueError, KeyError, TypeError, OSError) as exc:
                self.discarded += 1
                why = str(exc) if isinstance(exc, Untrusted) else "记录已损坏，或它列出的文件已不在"
                log.warning("警告：图片缓存记录 %s 不可信（%s），已弃用并重新压缩这张图片", record, why)
        return None

    def _store(self, made: Made | None) -> PictureSet | None:
        """Write the variants into the cache; into a folder of this process's own once the cache
        cannot be written. None only when no folder at all can take them (then the checks report
        the picture, and the log line says why)."""
        while made is not None and not self._stuck:
            try:
                return _write(self.folder, made)
            except OSError as exc:
                self._move_off(exc)
        return None

    def _move_off(self, exc: OSError) -> None:
        """Say once why the cache folder cannot be written and go on in a temporary folder; when that
        fails too, say so once and stop trying (the disk is full: the site cannot be written either)."""
        if self.folder != self.cache:
            self._stuck = True
            log.error("图片临时文件夹 %s 也无法写入（%s）：图片无法发布", self.folder, _reason(exc))
            return
        self.unusable = _reason(exc)
        try:
            spare = Path(tempfile.mkdtemp(prefix="unionpress-pictures-"))
        except OSError as other:
            self._stuck = True
            log.error("图片缓存文件夹 %s 无法写入（%s），也无法创建临时文件夹（%s）：图片无法发布",
                      self.cache, self.unusable, _reason(other))
            return
        weakref.finalize(self, shutil.rmtree, spare, True)  # removed when the process ends
        self.folder = spare
        log.warning("警告：图片缓存文件夹 %s 无法写入（%s）：本次构建不使用缓存，图片照常发布，但每张都要重新压缩。"
                    "请检查这个文件夹，或用环境变量 UNIONPRESS_CACHE 指定另一个", self.cache, self.unusable)


_REASONS = {errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限", errno.EROFS: "只读文件系统",
            errno.ENOSPC: "磁盘已满", errno.EDQUOT: "超出磁盘配额",
            errno.EEXIST: "那里是一个文件，不是文件夹", errno.ENOTDIR: "路径中有一段是文件，不是文件夹"}


def _reason(exc: OSError) -> str:
    """The operating system's reason, in Chinese where it is a common one, with its own words after."""
    own = exc.strerror or str(exc)
    return f"{_REASONS[exc.errno]}：{own}" if exc.errno in _REASONS else own


def _memo(path: Path | None) -> tuple | None:
    """What identifies one version of a raster picture file in this process; None for anything else."""
    if path is None or path.suffix.lower() not in RASTER:
        return None
    try:
        stat = path.stat()
    except OSError:
        return None
    return (path, stat.st_mtime_ns, stat.st_size)


def _workers() -> int:
    return min(sitefiles.cores(), 4)


def _encode_all(paths: list[Path]):
    """The encoded pictures of `paths`, in order, made on every core the process may use, at most two
    per worker in flight (their bytes wait in memory until written). One by one when there is one
    core, when other threads run (`mkdocs serve`: a forked child of a threaded process can hang on a
    lock another thread held), or when worker processes cannot be had: then nothing is lost, only time."""
    done = 0
    workers = _workers()
    if len(paths) > 1 and workers > 1 and threading.active_count() == 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        try:
            with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
                waiting = iter(paths)
                flight = deque(pool.submit(_encode_file, path) for path in itertools.islice(waiting, 2 * workers))
                while flight:
                    made = flight.popleft().result()
                    flight.extend(pool.submit(_encode_file, path) for path in itertools.islice(waiting, 1))
                    done += 1
                    yield made
        except (OSError, RuntimeError, ValueError):  # BrokenProcessPool is a RuntimeError
            pass
    for path in paths[done:]:
        yield _encode_file(path)


def _key(data: bytes) -> str:
    return hashlib.sha256(_SALT + data).hexdigest()[:20]


def _key_of(path: Path) -> str:
    """The key of a file's bytes, read a piece at a time (the same as _key of the whole file)."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, lambda: hashlib.sha256(_SALT)).hexdigest()[:20]


def _encode_file(path: Path) -> Made | None:
    """Read and encode one picture (a module-level function, so worker processes can run it, each
    reading its own file). None for a file gone or one Pillow cannot decode."""
    try:
        data = path.read_bytes()
    except OSError:
        return None  # deleted or replaced since it was checked: the checks report it
    try:
        return _encode(data, _key(data))
    except Exception:  # noqa: BLE001 — any file Pillow cannot decode (truncated, EOF, struct.error …)
        return None  # reported as image-broken by the checks; never published as it is


def _encode(data: bytes, key: str) -> Made:
    with images.open_picture(io.BytesIO(data)) as opened:
        frames, durations, loop = _frames(opened)
    clear = any(frame.mode == "RGBA" for frame in frames)
    frames = [frame.convert("RGBA") if clear and frame.mode != "RGBA" else frame for frame in frames]
    animated = len(frames) > 1
    width, height = frames[0].size
    fallback_kind = "gif" if animated else "png" if clear else "jpg"
    webp, fallback = [], []
    for size in _sizes(width, height):
        scaled = [frame if size[0] == width else frame.resize(size, PILImage.Resampling.LANCZOS) for frame in frames]
        for frame in scaled:
            frame.info = {}  # no comment, no profile, nothing of the file travels on (Pillow copies info)
        webp.append(Encoded("webp", *size, _save(scaled, "webp", durations, loop)))
        fallback.append(Encoded(fallback_kind, *size, _save(scaled, fallback_kind, durations, loop)))
    fallback_type = next(kind for kind, extension in FALLBACKS.items() if extension == fallback_kind)
    return Made(key, fallback_type, tuple(webp), tuple(fallback))


def _frames(opened) -> tuple[list, list[int], int | None]:
    """The picture's frames in RGB or RGBA, turned the way the camera was held, with each frame's
    duration (ms) and the loop count of an animation."""
    count = images.frames(opened)
    width, height = opened.size
    if count * width * height > images.MAX_PIXELS:  # the checks refuse it too; a file replaced since
        raise ValueError("animation too large")
    if count == 1:
        return [_viewable(ImageOps.exif_transpose(opened))], [], None
    frames, durations = [], []
    for frame in ImageSequence.Iterator(opened):
        durations.append(int(frame.info.get("duration") or 100))
        frames.append(_viewable(ImageOps.exif_transpose(frame)))
    return frames, durations, opened.info.get("loop")


def _save(frames: list, kind: str, durations: list[int], loop: int | None) -> bytes:
    out = io.BytesIO()
    first, rest = frames[0], frames[1:]
    if kind == "webp":
        more = {"save_all": True, "append_images": rest, "duration": durations,
                "loop": 1 if loop is None else loop and loop + 1} if rest else {}  # WebP counts plays, GIF repeats
        first.save(out, "WEBP", quality=ENCODING["webp_quality"], method=4, **more)
    elif kind == "jpg":
        first.save(out, "JPEG", quality=ENCODING["jpeg_quality"], optimize=True, progressive=True)
    elif kind == "png":
        first.save(out, "PNG", optimize=True)
    else:  # gif: an animation; frames are whole pictures, so a transparent one clears what came before
        more = {"loop": loop} if loop is not None else {}
        first.save(out, "GIF", save_all=True, append_images=rest, duration=durations, optimize=True,
                   disposal=2 if first.mode == "RGBA" else 1, **more)
    return out.getvalue()


def _viewable(picture):
    """RGB, or RGBA where the picture has transparency, in sRGB, looking as the source does, from any
    mode Pillow decodes: a 16-bit or floating-point grey is scaled down (Pillow's own conversion
    clips it, and a 16-bit scan comes out white), premultiplied alpha is undone, a palette or colour
    key becomes alpha, and an embedded colour profile is applied before it is dropped."""
    mode = picture.mode
    transparency = picture.info.get("transparency")
    profile = picture.info.get("icc_profile")
    if mode in ("La", "RGBa"):  # premultiplied: undo it, or the colours darken where alpha is low
        picture = picture.convert(mode.upper())
    elif mode in ("P", "PA", "1") or (mode in ("L", "RGB") and transparency is not None):
        clear = mode == "PA" or transparency is not None or (mode == "P" and picture.palette.mode == "RGBA")
        picture = picture.convert("RGBA" if clear else "RGB")
    alpha = picture.getchannel("A") if picture.mode in ("LA", "RGBA") else None
    colour = picture if alpha is None else picture.convert("L" if picture.mode == "LA" else "RGB")
    if colour.mode in _HIGH_DEPTH:
        if alpha is None and isinstance(transparency, int):  # a 16-bit grey's colour key
            alpha = ImageMath.lambda_eval(lambda a: (a["x"] != transparency) * 255,
                                          x=colour.convert("I")).convert("L")
        colour = _eight_bit(colour)
    colour = _srgb(colour, profile)
    if alpha is not None:
        colour.putalpha(alpha)
    return colour


def _eight_bit(picture):
    """A 16-bit, 32-bit or floating-point grey as 8 bits. The range comes from the mode where the mode
    says it (16 bits: 0–65535); else from the values: 0–1 (floats), 0–255, 0–65535, or the largest."""
    wide = picture.convert("F")
    high = wide.getextrema()[1]
    if picture.mode.startswith("I;16"):
        top = 65535.0
    elif picture.mode == "F" and high <= 1.0:
        top = 1.0
    elif high <= 255:
        top = 255.0
    else:
        top = 65535.0 if high <= 65535 else float(high)
    return wide.point(lambda value: value * (255.0 / top)).convert("L")


def _srgb(colour, profile: bytes | None):
    """RGB pixels in sRGB. A picture with its own profile (a phone's Display P3, a printer's CMYK) is
    converted through it, since the variants carry no profile; a profile Little CMS cannot use
    leaves the plain conversion."""
    if profile and ImageCms is not None and colour.mode in ("RGB", "CMYK", "L"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            return ImageCms.profileToProfile(colour, source, _SRGB, outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass
    return colour.convert("RGB")


_SRGB = ImageCms.createProfile("sRGB") if ImageCms is not None else None


def _write(folder: Path, made: Made) -> PictureSet:
    """Write every variant, then the record last (a record never names a file not yet written)."""
    folder.mkdir(parents=True, exist_ok=True)

    def landed(rows) -> tuple[tuple[Variant, ...], list]:
        variants, listed = [], []
        for row in rows:
            name = f"{made.key}-{row.width}.{row.kind}"
            _write_atomically(folder / name, row.data)
            variants.append(Variant(f"{OUTPUT_DIR}/{name}", folder / name, row.width, row.height))
            listed.append([name, row.width, row.height, len(row.data), hashlib.sha256(row.data).hexdigest()])
        return tuple(variants), listed

    webp, webp_rows = landed(made.webp)
    fallback, fallback_rows = landed(made.fallback)
    record = {"key": made.key, "type": made.fallback_type, "webp": webp_rows, "fallback": fallback_rows}
    _write_atomically(folder / f"{made.key}.json", json.dumps(record, sort_keys=True).encode("utf-8"))
    return PictureSet(webp, fallback, made.fallback_type)


def _checked(record, key: str, folder: Path, shape: tuple[int, int] | None) -> PictureSet:
    """The PictureSet of a record that proves itself: it names its own key; its files carry the names
    that key gives (never another picture's, never a path out of the folder); their sizes are the
    ones the encoder makes from the original's `shape`; and each file has the length and SHA-256
    the record gives. The cheap checks come first, the hashing last."""
    if not isinstance(record, dict) or record.get("key") != key:
        raise Untrusted("记录不属于这张图片")
    kind = FALLBACKS.get(record.get("type"))
    if kind is None:
        raise Untrusted("格式不明")

    def named(rows, extension: str) -> list[tuple]:
        for name, width, height, _length, _digest in rows:
            if type(width) is not int or type(height) is not int:
                raise Untrusted("尺寸不是整数")
            if name != f"{key}-{width}.{extension}":
                raise Untrusted(f"文件名 {name} 不是这张图片的")
        return [tuple(row) for row in rows]

    def proven(rows) -> tuple[Variant, ...]:
        for name, _width, _height, length, digest in rows:
            file = folder / name
            if file.stat().st_size != length:
                raise Untrusted(f"{name} 的大小与记录不符")
            with file.open("rb") as handle:
                if hashlib.file_digest(handle, "sha256").hexdigest() != digest:
                    raise Untrusted(f"{name} 的内容与记录不符")
        return tuple(Variant(f"{OUTPUT_DIR}/{name}", folder / name, width, height) for name, width, height, *_ in rows)

    webp, fallback = named(record["webp"], "webp"), named(record["fallback"], kind)
    sizes = [(width, height) for _name, width, height, *_ in webp]
    # The sizes the encoder makes from the original's header size, taken either way round (the EXIF
    # turn may swap them): a record cannot drop a width or stand for a picture of another shape.
    if (shape is None or sizes != [(width, height) for _name, width, height, *_ in fallback]
            or sizes not in (_sizes(*shape), _sizes(*reversed(shape)))):
        raise Untrusted("尺寸与原图不符")
    return PictureSet(proven(webp), proven(fallback), record["type"])


def _sizes(width: int, height: int) -> list[tuple[int, int]]:
    """(width, height) of each variant of a picture of this size, narrowest first."""
    widths = dict.fromkeys([w for w in WIDTHS if w < width] + [min(width, WIDTHS[-1])])
    return [(target, max(1, round(height * target / width))) for target in widths]


def _write_atomically(target: Path, data: bytes | tuple[bytes, ...]) -> None:
    """Write beside, then rename: a build stopped half way never leaves half a file in the cache.
    `data` may come in pieces, written one after the other (a record's seal before it: not a copy of
    a 20 MB record joined to its 32 bytes)."""
    partial = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.part")
    try:
        with open(partial, "wb") as file:
            for piece in (data,) if isinstance(data, (bytes, bytearray, memoryview)) else data:
                file.write(piece)
        os.replace(partial, target)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)  # a disk that filled up keeps no half file either
        raise


_pipelines: dict[Path, Pipeline] = {}


def pipeline(settings) -> Pipeline:
    """The one pipeline of this process for the project's cache folder."""
    cache = settings.cache_dir
    if cache not in _pipelines:
        _pipelines[cache] = Pipeline(cache)
    return _pipelines[cache]


def srcset(variants, href) -> str:
    return ", ".join(f"{href(v.output)} {v.width}w" for v in variants)


def published(image, settings, size: str = "src") -> tuple[str, Path] | None:
    """(site path, file) of a picture as the site publishes it: a variant ("small" 320, "src" 640,
    "largest"), or the original where the pipeline leaves a picture as it is. For outputs that
    name a picture outside a page (feeds, search, the gallery index)."""
    if image is None or image.path is None:
        return None
    found = pipeline(settings).picture(image.path)
    if found is None:
        return image.output, image.path
    chosen = {"small": found.fallback[0], "src": found.src, "largest": found.largest}[size]
    return chosen.output, chosen.file
