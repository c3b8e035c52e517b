"""Responsive images: one pipeline for every picture the site shows (covers, portraits, body images,
and exhibition works later).

Each raster picture becomes variants at 320, 640 and 1280 px wide (never wider than the original)
in WebP, with a JPEG fallback (PNG when the picture has transparency), EXIF orientation applied
and every metadata block dropped (a phone photo's EXIF carries the GPS position of the workshop
or the worker's home). Pages print <picture> with srcset/sizes and width/height; the original is
not published where a variant can stand in for it.

Encoding is the slow part of a build, so the variants live in a cache folder kept between builds
(.cache/unionpress/pictures, or UNIONPRESS_CACHE), named by a hash of the file's bytes and of the
encoding settings: an unchanged picture is never encoded twice, a changed one or a change of
settings gets new names (and readers' browsers fetch the new file). Pillow does the work.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from PIL import Image as PILImage, ImageOps

from . import images

WIDTHS = (320, 640, 1280)
# Pillow's version is part of the key: another encoder version gives other bytes, and the output must
# not depend on whether a picture came from the cache or was encoded now.
ENCODING = {"widths": WIDTHS, "webp_quality": 78, "jpeg_quality": 82, "png": "optimize", "version": 2,
            "pillow": PILImage.__version__}
_SALT = json.dumps(ENCODING, sort_keys=True).encode("utf-8")
RASTER = frozenset({".jpg", ".jpeg", ".png", ".webp", ".avif"})  # a GIF may move and an SVG scales: served as they are
OUTPUT_DIR = "media/pictures"


@dataclass(frozen=True)
class Variant:
    output: str  # path in the built site
    file: Path  # the encoded file in the cache
    width: int
    height: int


@dataclass(frozen=True)
class PictureSet:
    webp: tuple[Variant, ...]  # narrowest first
    fallback: tuple[Variant, ...]  # JPEG, or PNG for a picture with transparency
    fallback_type: str  # image/jpeg | image/png

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


class Pipeline:
    """Variants of pictures, encoded once per content and settings, remembered for the process
    (mkdocs serve rebuilds) and on disk (every later build)."""

    def __init__(self, cache: Path) -> None:
        self.cache = cache
        self._known: dict[tuple, PictureSet | None] = {}
        self._lock = threading.Lock()
        self.encoded = 0  # pictures encoded by this process (the cache missed)
        self.reused = 0  # pictures found in the cache
        self.seconds = 0.0  # time spent finding or making variants (scripts/bench reports it)

    def failed(self, path: Path | None) -> bool:
        """True when `path` is a raster picture the checks let through but Pillow could not encode
        (a truncated phone photo): an error, since the original must not be published instead."""
        if path is None or path.suffix.lower() not in RASTER or not path.is_file():
            return False
        trouble = images.problem(path)
        return (trouble is None or trouble[0] == "image-oversized") and self.picture(path) is None

    def picture(self, path: Path | None) -> PictureSet | None:
        """The variants of the picture at `path`; None when it is served as it is (not a raster
        photo, or a file the checks already reported as broken)."""
        memo = _memo(path)
        if memo is None:
            return None
        with self._lock:
            if memo not in self._known:
                started = time.perf_counter()
                pending = self._settle(memo)
                if pending is not None:
                    self._made(memo, _encode_into(self.cache, *pending))
                self.seconds += time.perf_counter() - started
            return self._known[memo]

    def warm(self, paths) -> None:
        """Encode the pictures of `paths` that the cache lacks, on every core at once: a first build of
        a thousand portraits would otherwise encode them one by one while rendering."""
        started = time.perf_counter()
        with self._lock:
            todo = []
            for memo in dict.fromkeys(filter(None, map(_memo, paths))):
                if memo not in self._known and (pending := self._settle(memo)) is not None:
                    todo.append((memo, *pending))
            for (memo, _data, _key), found in zip(todo, _encode_all(self.cache, todo)):
                self._made(memo, found)
            self.seconds += time.perf_counter() - started

    def _settle(self, memo: tuple) -> tuple[bytes, str] | None:
        """Remember what needs no encoding (a broken file: None; a picture in the cache: its
        variants); return (bytes, key) of one still to encode. Called with the lock held."""
        trouble = images.problem(memo[0])
        if trouble is not None and trouble[0] != "image-oversized":
            self._known[memo] = None
            return None
        data = memo[0].read_bytes()
        key = _key(data)
        found = self._cached(key)
        if found is None:
            return data, key
        self.reused += 1
        self._known[memo] = found
        return None

    def _made(self, memo: tuple, found: PictureSet | None) -> None:
        self._known[memo] = found
        self.encoded += found is not None

    def _cached(self, key: str) -> PictureSet | None:
        record = self.cache / f"{key}.json"
        if not record.is_file():
            return None
        try:
            data = json.loads(record.read_text(encoding="utf-8"))
            found = _from_record(data, self.cache)
            sizes = {v.file.name: v.file.stat().st_size for v in (*found.webp, *found.fallback)}
        except (OSError, ValueError, KeyError, TypeError):
            return None  # a damaged record or a missing variant: encode again
        return found if sizes == data.get("bytes") else None  # a file cut short (power cut) is made again


def _memo(path: Path | None) -> tuple | None:
    """What identifies one version of a raster picture file in this process; None for anything else."""
    if path is None or path.suffix.lower() not in RASTER:
        return None
    try:
        stat = path.stat()
    except OSError:
        return None
    return (path, stat.st_mtime_ns, stat.st_size)


def _encode_all(cache: Path, todo: list) -> list:
    """Encode on every core the process may use. One by one when there is one core, when other
    threads run (`mkdocs serve`: a forked child of a threaded process can hang on a lock another
    thread held), or when worker processes cannot be had: then nothing is lost, only time."""
    workers = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 4)
    if len(todo) > 1 and workers > 1 and threading.active_count() == 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        try:
            with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
                return list(pool.map(_encode_into, [cache] * len(todo), [d for _m, d, _k in todo],
                                     [k for _m, _d, k in todo], chunksize=4))
        except (OSError, RuntimeError, ValueError):  # BrokenProcessPool is a RuntimeError
            pass
    return [_encode_into(cache, data, key) for _memo, data, key in todo]


def _key(data: bytes) -> str:
    return hashlib.sha256(_SALT + data).hexdigest()[:20]


def _encode_into(cache: Path, data: bytes, key: str) -> PictureSet | None:
    """Encode every variant of one picture into the cache and write its record last (a module-level
    function, so worker processes can run it). None for a file Pillow cannot decode."""
    try:
        made = _encode(cache, data, key)
    except Exception:  # noqa: BLE001 — any file Pillow cannot decode (truncated, EOF, struct.error …)
        return None  # reported as image-broken by the checks; never published as it is
    _write_atomically(cache / f"{key}.json", json.dumps(_to_record(made), sort_keys=True).encode("utf-8"))
    return made


def _encode(cache: Path, data: bytes, key: str) -> PictureSet:
    with PILImage.open(io.BytesIO(data)) as opened:
        picture = ImageOps.exif_transpose(opened)  # the way the phone was held, then no EXIF at all
        picture.load()
    clear = picture.mode in ("RGBA", "LA", "PA") or (picture.mode == "P" and "transparency" in picture.info)
    picture = picture.convert("RGBA" if clear else "RGB")
    picture.info = {}  # no comment, no profile, nothing of the file travels on (Pillow copies info)
    width, height = picture.size
    widths = [w for w in WIDTHS if w < width] + [min(width, WIDTHS[-1])]
    webp, fallback = [], []
    cache.mkdir(parents=True, exist_ok=True)
    for target in dict.fromkeys(widths):
        scaled = picture if target == width else picture.resize(
            (target, max(1, round(height * target / width))), PILImage.Resampling.LANCZOS)
        for kind, bucket in (("webp", webp), ("png" if clear else "jpg", fallback)):
            name = f"{key}-{target}.{kind}"
            out = io.BytesIO()
            if kind == "webp":
                scaled.save(out, "WEBP", quality=ENCODING["webp_quality"], method=4)
            elif kind == "jpg":
                scaled.save(out, "JPEG", quality=ENCODING["jpeg_quality"], optimize=True, progressive=True)
            else:
                scaled.save(out, "PNG", optimize=True)
            _write_atomically(cache / name, out.getvalue())
            bucket.append(Variant(f"{OUTPUT_DIR}/{name}", cache / name, *scaled.size))
    return PictureSet(tuple(webp), tuple(fallback), "image/png" if clear else "image/jpeg")


def _to_record(found: PictureSet) -> dict:
    return {"type": found.fallback_type,
            "bytes": {v.file.name: v.file.stat().st_size for v in (*found.webp, *found.fallback)},
            "webp": [[v.file.name, v.width, v.height] for v in found.webp],
            "fallback": [[v.file.name, v.width, v.height] for v in found.fallback]}


def _from_record(record: dict, cache: Path) -> PictureSet:
    def variants(rows):
        return tuple(Variant(f"{OUTPUT_DIR}/{name}", cache / name, int(w), int(h)) for name, w, h in rows)
    return PictureSet(variants(record["webp"]), variants(record["fallback"]), str(record["type"]))


def _write_atomically(target: Path, data: bytes) -> None:
    """Write beside, then rename: a build stopped half way never leaves half a file in the cache."""
    partial = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.part")
    partial.write_bytes(data)
    os.replace(partial, target)


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
