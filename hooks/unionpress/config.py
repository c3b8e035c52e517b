"""The union's own settings (`extra.unionpress` in mkdocs.yml), the clock and the build mode.

Read from a plain mapping so the scripts and any future engine share one reading of mkdocs.yml;
MkDocs is not needed to load them.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from .findings import Findings

DEFAULT_GENRES = ["劳模故事", "工匠故事", "劳动故事", "新闻", "微故事", "评论"]
SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass
class Settings:
    root: Path  # the project folder (where mkdocs.yml lives)
    content_dir: Path
    site_name: str = "UnionPress"
    site_url: str = ""
    review_required: bool = True
    genres: list[str] = field(default_factory=lambda: list(DEFAULT_GENRES))
    industries: list[str] = field(default_factory=list)
    page_size: int = 20
    timezone: ZoneInfo = SHANGHAI
    preview: bool = False
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(SHANGHAI))

    def display(self, path: Path) -> str:
        """A path as editors see it: relative to the project when possible."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()


class SettingsError(Exception):
    """Settings that make the build meaningless (bad clock, missing content folder)."""


def _parse_now(text: str, tz: ZoneInfo) -> dt.datetime:
    text = text.strip()
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise SettingsError(
            f"UNIONPRESS_NOW 的值「{text}」不是有效时间，应写成 2026-05-01T09:00:00+08:00 或 2026-05-01"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=tz)


def clock(tz: ZoneInfo = SHANGHAI, environ=os.environ) -> dt.datetime:
    """The build's "now": UNIONPRESS_NOW, else SOURCE_DATE_EPOCH, else the wall clock."""
    if environ.get("UNIONPRESS_NOW"):
        return _parse_now(environ["UNIONPRESS_NOW"], tz)
    if environ.get("SOURCE_DATE_EPOCH"):
        try:
            return dt.datetime.fromtimestamp(int(environ["SOURCE_DATE_EPOCH"]), tz)
        except ValueError:
            raise SettingsError(f"SOURCE_DATE_EPOCH 的值「{environ['SOURCE_DATE_EPOCH']}」不是整数秒") from None
    return dt.datetime.now(tz).replace(microsecond=0)


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def from_mapping(root: Path, site: dict, findings: Findings, config_path: str = "mkdocs.yml",
                 environ=os.environ) -> Settings:
    """Settings from the mkdocs.yml mapping; bad values become findings against mkdocs.yml."""
    extra = (site.get("extra") or {}).get("unionpress") or {}
    if not isinstance(extra, dict):
        findings.add(config_path, 1, "config", field="", detail="应为映射")
        extra = {}
    content = environ.get("UNIONPRESS_CONTENT") or extra.get("content_dir") or "content"
    content_dir = Path(content)
    if not content_dir.is_absolute():
        content_dir = root / content_dir
    settings = Settings(root=root, content_dir=content_dir, site_name=str(site.get("site_name") or "UnionPress"),
                        site_url=str(site.get("site_url") or ""))
    tz_name = extra.get("timezone", "Asia/Shanghai")
    try:
        settings.timezone = ZoneInfo(str(tz_name))
    except Exception:  # zoneinfo raises several types for bad names
        findings.add(config_path, 1, "config", field="timezone", detail=f"未知时区「{tz_name}」")
    if "review_required" in extra:
        if isinstance(extra["review_required"], bool):
            settings.review_required = extra["review_required"]
        else:
            findings.add(config_path, 1, "config", field="review_required", detail="应为 true 或 false")
    for key in ("genres", "industries"):
        if key in extra:
            value = extra[key]
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                setattr(settings, key, list(value))
            else:
                findings.add(config_path, 1, "config", field=key, detail="应为文字列表")
    if "page_size" in extra:
        value = extra["page_size"]
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 500:
            settings.page_size = value
        else:
            findings.add(config_path, 1, "config", field="page_size", detail="应为 1 到 500 之间的整数")
    settings.preview = _truthy(environ.get("UNIONPRESS_PREVIEW"))
    settings.now = clock(settings.timezone, environ)
    return settings


class _MkdocsYamlLoader(yaml.SafeLoader):
    """mkdocs.yml may carry MkDocs/pymdownx tags (!ENV, !!python/name:…); the scripts only need
    `site_name`, `site_url` and `extra`, so unknown tags load as None instead of failing."""


_MkdocsYamlLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def load(root: Path | None = None, findings: Findings | None = None, environ=os.environ) -> tuple[Settings, Findings]:
    """Settings for the scripts: read `mkdocs.yml` at the project root (or UNIONPRESS_CONFIG)."""
    findings = findings or Findings()
    root = Path(root or environ.get("UNIONPRESS_ROOT") or Path.cwd())
    config_file = Path(environ.get("UNIONPRESS_CONFIG") or root / "mkdocs.yml")
    site: dict = {}
    if config_file.exists():
        site = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_MkdocsYamlLoader) or {}
        root = config_file.parent
    return from_mapping(root, site, findings, environ=environ), findings
