"""Facts about image files the pages and bodies print (width/height), read once per file version."""

from __future__ import annotations

from pathlib import Path

from PIL import Image as PILImage

_image_sizes: dict[tuple[Path, int], tuple[int, int]] = {}


def pixel_size(path: Path) -> tuple[int, int] | None:
    """Pixel size for width/height attributes (reads only the header); None if not a raster image.
    Cached per file and modification time, so `mkdocs serve` picks up an image an editor replaced."""
    key = (path, path.stat().st_mtime_ns)
    if key not in _image_sizes:
        try:
            with PILImage.open(path) as handle:
                _image_sizes[key] = handle.size
        except (OSError, ValueError, PILImage.DecompressionBombError):
            _image_sizes[key] = None
    return _image_sizes[key]
