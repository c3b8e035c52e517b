"""Is an image's alt text a file name? A screen reader reads 「IMG_2041.jpg」 to a reader who cannot see
the picture: it says nothing. What an editor's tools put there when nobody writes a description:
the file's own name, a name with an image extension, or a camera's or phone's numbering."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from urllib.parse import unquote

_EXTENSION = re.compile(r"\.(?:jpe?g|png|gif|webp|bmp|tiff?|heic|heif|avif|svg)$", re.I)
# Cameras (IMG_2041, DSC01234, PXL_20240501_…), WeChat (mmexport1714…, 微信图片_2024…), screenshots.
_NUMBERED = re.compile(r"^(?:IMG|DSC[NF]?|PXL|MVIMG|VID|mmexport|wx_camera|微信图片|Screenshot|屏幕截图|截图)[_\- ]?[\d_\- ]+$", re.I)


def is_file_name(alt: str | None, src: str) -> bool:
    text = (alt or "").strip()
    if not text:
        return False  # no alt at all: image-alt-missing says so
    name = PurePosixPath(unquote(src.split("?", 1)[0].split("#", 1)[0])).name
    return bool(_EXTENSION.search(text)) or text == name or bool(_NUMBERED.match(text))
