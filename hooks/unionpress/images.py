"""Facts about image files the pages and bodies print (width/height), read once per file version."""

from __future__ import annotations

import warnings
from pathlib import Path

from PIL import Image as PILImage

_image_sizes: dict[tuple[Path, int], tuple[int, int]] = {}


def pixel_size(path: Path) -> tuple[int, int] | None:
    """Pixel size for width/height attributes (reads only the header); None if not a raster image.
    Cached per file and modification time, so `mkdocs serve` picks up an image an editor replaced."""
    key = (path, path.stat().st_mtime_ns)
    if key not in _image_sizes:
        found = None
        trouble = problem(path)
        if trouble is None or trouble[0] == "image-oversized":
            try:
                with PILImage.open(path) as handle:
                    found = handle.size
            except (OSError, ValueError, SyntaxError, PILImage.DecompressionBombError):
                found = None
        _image_sizes[key] = found
    return _image_sizes[key]


# A photo from a phone is 12–50 million pixels; beyond this it is a broken or hostile file (a PNG
# header may claim 40,000 × 40,000 and make any decoder allocate gigabytes).
MAX_PIXELS = 64_000_000
OVERSIZED_BYTES = 10 * 2**20  # readers on weak signal: warn above 10 MB
_inspected: dict[tuple[Path, int], tuple[str, dict] | None] = {}


def problem(path: Path) -> tuple[str, dict] | None:
    """(finding code, fields) for an image file that cannot be published as it is, else None.
    Only the header is read; cached per file version like the sizes."""
    key = (path, path.stat().st_mtime_ns)
    if key not in _inspected:
        _inspected[key] = _inspect(path)
    return _inspected[key]


def _inspect(path: Path) -> tuple[str, dict] | None:
    if path.suffix.lower() == ".svg":
        return None  # not a raster image; whether it may be used at all is the caller's rule
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            with PILImage.open(path) as handle:
                width, height = handle.size
    except PILImage.DecompressionBombError:
        return ("image-pixels", {"size": "超过 1.7 亿像素"})
    except (OSError, ValueError, SyntaxError):  # PIL raises these for files it cannot identify or parse
        return ("image-broken", {})
    if width * height > MAX_PIXELS:
        return ("image-pixels", {"size": f"{width}×{height} 像素"})
    size = path.stat().st_size
    if size > OVERSIZED_BYTES:
        return ("image-oversized", {"mb": f"{size / 2**20:.1f}"})
    return None
