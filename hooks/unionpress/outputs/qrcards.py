"""Printable name cards with a QR code, for the labels under the photos of a physical labor-model hall
(劳模展览馆): models/SLUG/card.svg for every public profile, 90 × 54 mm.

Each card is one self-contained SVG (the portrait is embedded as a small JPEG), so it prints the same
from a browser, an office suite or a print shop's software, and opens as an <img> on the region's
print page (an SVG shown as an image may not fetch other files). The QR code, made with segno,
holds the profile's full address, so the site needs site_url; without it no card is made.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import segno
from PIL import Image as PILImage, ImageOps

from .. import responsive
from ..kinds import model as model_kind

WIDTH, HEIGHT = 900, 540  # tenths of a millimetre: 90 × 54 mm, a name-card size
PORTRAIT = (240, 300)  # pixels of the embedded portrait (4:5), sharp enough at 24 × 30 mm
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


def _lines(text: str, ems: float, most: int) -> list[str]:
    """Text cut into lines no wider than `ems` (SVG text does not wrap); at most `most`, the last
    shortened with … when the text is longer."""
    rows, row, width = [], "", 0.0
    for char in text:
        if width + _em(char) > ems and row:
            rows.append(row)
            row, width = "", 0.0
        row += char
        width += _em(char)
    rows.append(row)
    if len(rows) > most:
        rows = rows[:most]
        rows[-1] = rows[-1][:-1] + "…"
    return rows


def card_svg(model, honor_line: str, address: str, site_name: str, settings) -> str:
    qr = segno.make(address, error="m")
    shown = responsive.published(model.photo, settings, "src") if model.photo else None
    portrait = _portrait(shown[1] if shown and shown[1].suffix.lower() in (".jpg", ".png") else None)
    text = []
    y = 150
    # A name is never cut: a long one (买买提·艾力) is set smaller to fit the 340 units beside the photo.
    name_size = min(62, int(340 / max(sum(map(_em, model.name)), 1)))
    text.append(f'<text x="290" y="{y}" font-size="{name_size}" font-weight="700" fill="#1a1a1a">{escape(model.name)}</text>')
    y += 60
    for row in _lines(honor_line, 12.3, 2):  # 345 units at 28
        text.append(f'<text x="290" y="{y}" font-size="28" font-weight="700" fill="#b71c1c">{escape(row)}</text>')
        y += 38
    for row in _lines(model.employer + (f" · {model.position}" if model.position else ""), 12.3, 3):
        text.append(f'<text x="290" y="{y}" font-size="28" fill="#333">{escape(row)}</text>')
        y += 38
    photo = (f'<image x="30" y="90" width="240" height="300" href={quoteattr(portrait)} '
             f'preserveAspectRatio="xMidYMid slice"/>') if portrait else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="90mm" height="54mm" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'font-family="{FONT}" role="img" aria-label={quoteattr(f"{model.name}，{honor_line}，扫码看事迹")}>\n'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff" stroke="#b71c1c" stroke-width="4"/>\n'
        f'<rect width="{WIDTH}" height="60" fill="#b71c1c"/>\n'
        f'<text x="30" y="42" font-size="28" font-weight="700" fill="#fff">{escape(site_name)} · 劳模风采</text>\n'
        f'{photo}\n' + "\n".join(text) + "\n"
        # segno's quiet zone of four modules keeps the code readable beside the text.
        f'<svg x="650" y="290" width="230" height="230">{qr.svg_inline(scale=1, border=4, omitsize=True)}</svg>\n'
        f'<text x="765" y="292" font-size="24" text-anchor="middle" fill="#333">扫码看事迹</text>\n'
        "</svg>\n")


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
        target.write_text(card_svg(model, honor_line(public, model), address, settings.site_name, settings),
                          encoding="utf-8")
        written.append(card_path(model))
    return written
