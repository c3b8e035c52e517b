"""Printable name cards with a QR code, for the labels under the photos of a physical labor-model hall
(劳模展览馆): models/SLUG/card.svg for every public profile, 90 × 54 mm.

Each card is one self-contained SVG (the portrait is embedded as a small JPEG), so it prints the same
from a browser, an office suite or a print shop's software, and opens as an <img> on the region's
print page (an SVG shown as an image may not fetch other files). The QR code, made with segno,
holds the profile's full address, so the site needs site_url; without it no card is made. The card
is built as an element tree, never as a string: every name, text and attribute is escaped by lxml.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

import segno
from lxml import etree
from PIL import Image as PILImage, ImageOps

from .. import derived, responsive
from ..kinds import model as model_kind

WIDTH, HEIGHT = 900, 540  # tenths of a millimetre: 90 × 54 mm, a name-card size
PORTRAIT = (240, 300)  # pixels of the embedded portrait (4:5), sharp enough at 24 × 30 mm
SVG = "http://www.w3.org/2000/svg"
FONT = "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif"


def card_path(model) -> str:
    return f"models/{model.slug}/card.svg"


def _portrait(path: Path | None) -> str:
    """The portrait as a data URI, cropped to 4:5, from the pipeline's variant (turned upright, no
    metadata, already in the cache); "" when there is none (the checks report a broken picture)."""
    if path is None:
        return ""
    try:
        with PILImage.open(path) as image:
            picture = ImageOps.fit(image.convert("RGB"), PORTRAIT)
    except Exception:  # noqa: BLE001 — any file Pillow cannot decode: a card without a photo
        return ""
    picture.info = {}
    data = io.BytesIO()
    picture.save(data, "JPEG", quality=82)
    return "data:image/jpeg;base64," + base64.b64encode(data.getvalue()).decode("ascii")


def _em(char: str) -> float:
    """Width of a character in ems: CJK and full-width take one, digits and Latin about half."""
    return 0.55 if ord(char) < 0x2E80 else 1.0


# Never at the start of a line (避头): a closing mark or a middle dot stays with what it follows, so no
# line of a card begins with 「·」 or 「，」.
NO_START = "，。、；：？！）》」』·…—,.;:?!)"


def _lines(text: str, ems: float, most: int) -> list[str]:
    """Text cut into lines no wider than `ems` (SVG text does not wrap; a mark that may not start a line
    stays at the end of the one before); at most `most`, the last shortened with … when longer."""
    rows, row, width = [], "", 0.0
    for char in text:
        if width + _em(char) > ems and row.strip() and char not in NO_START:
            rows.append(row.rstrip())
            row, width = "", 0.0
            if char == " ":
                continue
        row += char
        width += _em(char)
    rows.append(row.rstrip())
    if len(rows) > most:
        rows = rows[:most]
        rows[-1] = rows[-1][:-1] + "…"
    return rows


def _element(parent, tag: str, text: str = "", **attributes) -> etree._Element:
    """An SVG element under `parent`: every attribute and text goes through lxml, which escapes it
    (and refuses a control character, which loading has already removed from every text)."""
    element = etree.SubElement(parent, f"{{{SVG}}}{tag}", {name.replace("_", "-"): str(value)
                                                            for name, value in attributes.items()})
    element.text = text or None
    return element


def _qr(parent, address: str) -> None:
    """segno's code as SVG elements of the card (its inline SVG has no namespace of its own)."""
    code = etree.fromstring(segno.make(address, error="m").svg_inline(scale=1, border=4, omitsize=True))
    box = _element(parent, "svg", x=650, y=290, width=230, height=230, viewBox=code.get("viewBox"))
    for part in code:
        _element(box, etree.QName(part).localname, **dict(part.attrib))


def card_svg(model, honor_line: str, address: str, site_name: str, settings) -> str:
    shown = responsive.published(model.photo, settings, "src") if model.photo else None
    portrait = _portrait(shown[1] if shown and shown[1].suffix.lower() in (".jpg", ".png") else None)
    card = etree.Element(f"{{{SVG}}}svg", {"width": "90mm", "height": "54mm", "viewBox": f"0 0 {WIDTH} {HEIGHT}",
                                          "font-family": FONT, "role": "img",
                                          "aria-label": f"{model.name}，{honor_line}，扫码看事迹"}, nsmap={None: SVG})
    _element(card, "rect", width=WIDTH, height=HEIGHT, fill="#fff", stroke="#b71c1c", stroke_width=4)
    _element(card, "rect", width=WIDTH, height=60, fill="#b71c1c")
    heading = f"{site_name} · 劳模风采"  # one line: a long union name is set smaller, never wrapped
    _element(card, "text", heading, x=30, y=42, font_size=min(28, int(840 / max(sum(map(_em, heading)), 1))),
             font_weight=700, fill="#fff")
    # The card's body is filled to its foot: the portrait from under the band to 64 units above the
    # edge, the text beside it and the code at the bottom right (no empty lower third).
    if portrait:
        _element(card, "image", x=30, y=96, width=304, height=380, href=portrait, preserveAspectRatio="xMidYMid slice")
    x, y = (360, 160) if portrait else (30, 160)
    # A name is never cut: a long one (买买提·艾力) is set smaller to fit the line.
    name_size = min(64, int((WIDTH - 30 - x) / max(sum(map(_em, model.name)), 1)))
    _element(card, "text", model.name, x=x, y=y, font_size=name_size, font_weight=700, fill="#1a1a1a")
    y += 62
    for row in _lines(honor_line, (WIDTH - 30 - x) / 30, 2):
        _element(card, "text", row, x=x, y=y, font_size=30, font_weight=700, fill="#b71c1c")
        y += 40
    # Unit and position each on lines of their own (no 「·」 joining them to break at), beside the code
    # and set down to the portrait's foot, so the name and honor head the card and nothing leaves its
    # lower third empty.
    beside = (650 - 20 - x) / 28
    rows = [row for text in filter(None, [model.employer, model.position]) for row in _lines(text, beside, 2)]
    y = max(y + 10, 470 - 38 * (len(rows) - 1))
    for row in rows:
        _element(card, "text", row, x=x, y=y, font_size=28, fill="#333")
        y += 38
    # segno's quiet zone of four modules keeps the code readable beside the text.
    _qr(card, address)
    _element(card, "text", "扫码看事迹", x=765, y=292, font_size=24, text_anchor="middle", fill="#333")
    return etree.tostring(card, encoding="unicode", pretty_print=True)


def honor_line(public, model) -> str:
    top = model_kind.top_honor(public, model)
    return f"{top[0].year}年 {top[1].name}" if top else ""


def write(public, pages, site_dir: Path, settings, body_of) -> list[str]:
    if not settings.site_url:
        return []  # a QR code of a relative address would lead nowhere once printed
    written = []
    for model in model_kind.by_honor(public):
        target = site_dir / card_path(model)
        target.parent.mkdir(parents=True, exist_ok=True)
        address = settings.base_url + public.url(model)
        line = honor_line(public, model)
        # Cached: segno's masks and the portrait's crop cost about 10 ms a card, 10 s at 1,000 profiles.
        shown = responsive.published(model.photo, settings, "src") if model.photo else None
        # The whole profile (repr of the frozen item), so a field the card reads later is in the key too.
        name = derived.key(Path(__file__), [repr(model), line, address, settings.site_name,
                                            derived.file_digest(shown and shown[1])],
                           ("segno", "pillow", "lxml"))
        target.write_bytes(derived.cached(settings.cache_dir, "cards", name, lambda: card_svg(
            model, line, address, settings.site_name, settings).encode("utf-8")))
        written.append(card_path(model))
    return written
