"""Pictures the build draws or flattens itself: the covers it makes (an EPUB's, a WeChat article's
without any picture), Chinese in a fixed CJK face wrapped between any two characters, and a picture
with transparency laid on white for a JPEG (WeChat covers, partners' photos)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageFont

# Fixed places, no search: a build must not depend on what happens to be installed where. Without
# any, a cover is drawn without text (its title is in the metadata all the same).
CJK_FONTS = ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
             "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
             "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
             "/usr/share/fonts/truetype/arphic/uming.ttc")


def cjk_font(size: int):
    """The first CJK face found at its fixed place, at `size` px; None where there is none."""
    for path in CJK_FONTS:
        if Path(path).is_file():
            try:
                return ImageFont.truetype(path, size)
            except OSError:
                continue
    return None


def wrap(text: str, font, width: int, draw) -> list[str]:
    """Chinese wraps between any two characters: as many as fit on each line."""
    lines, line = [], ""
    for char in text:
        if line and draw.textlength(line + char, font=font) > width:
            lines.append(line)
            line = ""
        line += char
    return lines + ([line] if line else [])


def on_white(picture: Image.Image) -> Image.Image:
    """RGB, any transparency laid on white: what a JPEG can hold (a transparent PNG logo would
    otherwise turn black where it was see-through)."""
    if picture.mode in ("RGBA", "LA", "PA", "P"):
        rgba = picture.convert("RGBA")
        ground = Image.new("RGB", rgba.size, "#ffffff")
        ground.paste(rgba, mask=rgba.getchannel("A"))
        return ground
    return picture.convert("RGB")
