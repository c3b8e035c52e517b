"""Facts about image files the pages and bodies print (width/height), read once per file version.

Every function here survives a file that disappears or changes while a build runs (an editor deletes
a picture during `mkdocs serve`): a vanished file is `image-missing`, never a traceback.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from PIL import Image as PILImage

# The formats an editor's picture may be, whatever its name says. Pillow would otherwise open anything
# it knows by content: an EPS named .jpg runs Ghostscript, a TIFF or PSD brings modes and blocks no
# browser shows. The image-broken message names these four (AVIF is read where Pillow can).
FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "AVIF")
# Containers whose extra frames are an animation; a phone's MPO JPEG has a second frame too, but that
# is a depth map or the other eye of a stereo pair, never shown.
ANIMATED = frozenset({"GIF", "PNG", "WEBP", "AVIF"})

_image_sizes: dict[tuple[Path, int], tuple[int, int] | None] = {}


def open_picture(source):
    """Pillow's handle on a picture file or buffer, limited to the formats above."""
    return PILImage.open(source, formats=FORMATS)


def frames(handle) -> int:
    """How many frames the pipeline decodes: all of an animation, one of anything else."""
    return getattr(handle, "n_frames", 1) if handle.format in ANIMATED else 1


def _version(path: Path) -> tuple[Path, int] | None:
    try:
        return (path, path.stat().st_mtime_ns)
    except OSError:  # deleted or moved away since the content was read
        return None


def pixel_size(path: Path) -> tuple[int, int] | None:
    """Pixel size for width/height attributes (reads only the header); None if not a raster image.
    Cached per file and modification time, so `mkdocs serve` picks up an image an editor replaced."""
    key = _version(path)
    if key is None:
        return None
    if key not in _image_sizes:
        found = None
        trouble = problem(path)
        if trouble is None or trouble[0] == "image-oversized":
            try:
                with open_picture(path) as handle:
                    found = handle.size
            except (OSError, ValueError, SyntaxError, PILImage.DecompressionBombError):
                found = None
        _image_sizes[key] = found
    return _image_sizes[key]


# A photo from a phone is 12–50 million pixels; beyond this it is a broken or hostile file (a PNG
# header may claim 40,000 × 40,000 and make any decoder allocate gigabytes). An animation holds all
# its frames at once while it is encoded, so its frames together have the same budget.
MAX_PIXELS = 64_000_000
OVERSIZED_BYTES = 10 * 2**20  # readers on weak signal: warn above 10 MB
_inspected: dict[tuple[Path, int], tuple[str, dict] | None] = {}


def problem(path: Path) -> tuple[str, dict] | None:
    """(finding code, fields) for an image file that cannot be published as it is, else None.
    Only the header is read; cached per file version like the sizes."""
    key = _version(path)
    if key is None:
        return ("image-missing", {})
    if key not in _inspected:
        _inspected[key] = _inspect(path)
    return _inspected[key]


def _inspect(path: Path) -> tuple[str, dict] | None:
    if path.suffix.lower() == ".svg":
        return None  # not a raster image; whether it may be used at all is the caller's rule
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            with open_picture(path) as handle:
                width, height = handle.size
                count = frames(handle)
        size = path.stat().st_size
    except PILImage.DecompressionBombError:
        return ("image-pixels", {"size": "超过 1.7 亿像素"})
    except FileNotFoundError:
        return ("image-missing", {})
    except (OSError, ValueError, SyntaxError, EOFError):  # PIL raises these for files it cannot identify or parse
        return ("image-broken", {})
    if width * height > MAX_PIXELS:
        return ("image-pixels", {"size": f"{width}×{height} 像素"})
    if count * width * height > MAX_PIXELS:
        return ("image-frames", {"frames": count, "size": f"{width}×{height}"})
    if size > OVERSIZED_BYTES:
        return ("image-oversized", {"mb": f"{size / 2**20:.1f}"})
    return None
