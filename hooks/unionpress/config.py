"""The union's own settings (`extra.unionpress` in mkdocs.yml), the clock and the build mode.

Read from a plain mapping so the scripts and any future engine share one reading of mkdocs.yml;
MkDocs is not needed to load them. The settings are checked like front matter: an unknown key is a
warning with a suggestion, a wrong type an error naming the key and its line in mkdocs.yml.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Mapping
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import yaml

from . import chars
from .awards import DEFAULT_AWARD_TIERS, is_awarded
from .findings import Findings, did_you_mean

DEFAULT_GENRES = ("劳模故事", "工匠故事", "劳动故事", "新闻", "微故事", "评论")
SHANGHAI = ZoneInfo("Asia/Shanghai")
# MkDocs always adds these to the extensions of mkdocs.yml; the engine's body renderer does the same.
MKDOCS_BUILTIN_EXTENSIONS = ("toc", "tables", "fenced_code")


@dataclass(frozen=True)
class Logo:
    path: str  # site path, as under docs/
    width: int
    height: int


def _frozen(value):
    """A setting's value that nobody can change after the build has read it: mappings read-only, lists
    as tuples, all the way down."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: _frozen(inner) for key, inner in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(inner) for inner in value)
    return value


@dataclass(frozen=True)
class Settings:
    """The settings of one build, immutable once made (from_mapping): every phase and output reads the
    same values; a caller that needs others makes new settings with dataclasses.replace."""

    root: Path  # the project folder (where mkdocs.yml lives)
    content_dir: Path
    site_name: str = "UnionPress"
    site_url: str = ""
    site_description: str = ""
    copyright: str = ""
    review_required: bool = True
    genres: tuple[str, ...] = DEFAULT_GENRES
    award_tiers: tuple[str, ...] = DEFAULT_AWARD_TIERS  # 奖项等级, highest first (awards.py)
    industries: tuple[str, ...] = ()
    page_size: int = 20
    gallery_page_size: int = 40  # portraits per gallery page (a phone shows two a row)
    timezone: ZoneInfo = SHANGHAI
    preview: bool = False
    check_drafts: bool = False  # `unionpress check --drafts`: the wording rules read drafts too
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(SHANGHAI))
    markdown_extensions: tuple = MKDOCS_BUILTIN_EXTENSIONS
    mdx_configs: Mapping = field(default_factory=lambda: MappingProxyType({}))
    nav_pages: tuple[tuple[str, str], ...] = ()  # hand-written pages of the nav: (title, URL)
    doc_pages: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # URL → docs/ file of every hand-written page
    stylesheets: tuple[str, ...] = ()  # site paths, in order
    feed_length: int = 50
    embed_hosts: frozenset[str] = frozenset()  # hosts whose players a body may embed (iframe)
    partners: tuple[Mapping, ...] = ()  # partner newsrooms' filtered feeds (checked against the content later)
    footer: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # FOOTER_KEYS → text, only those set
    colors: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # COLOR_KEYS → #rrggbb, only those set
    logo: Logo | None = None  # the union's emblem in the masthead, a file of docs/
    cache_dir: Path = Path(".cache/unionpress/pictures")  # encoded picture variants, kept between builds
    setting_lines: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))  # line of each extra.unionpress key
    publish: "PublishTarget | None" = None  # the bucket `unionpress publish` uploads to (upload.py)
    short_name: str = ""  # the masthead's name when the whole one does not fit one line (phones, large text)
    home: tuple[tuple[str, int | None], ...] = ()  # the homepage's blocks in order: (HOME_BLOCKS key, count or None)
    wechat: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))  # WECHAT_KEYS → value (outputs/wechat.py)
    offline_budget_mb: int = 50  # what the service worker keeps of pages read, per phone (outputs/offline.py)
    search_first: int = 1500  # records in the index a first search loads (search.first_part); 0: one index
    search_shelf: int = 2000  # records per shelf of the rest of the index (search.shelves); 0: one shelf

    @property
    def base_url(self) -> str:
        """site_url with exactly one trailing slash ('' when the site has no address)."""
        return self.site_url.rstrip("/") + "/" if self.site_url else ""

    @property
    def site_path(self) -> str:
        """The path part of site_url (/ or /union/): where root-absolute links start."""
        return urlsplit(self.base_url).path or "/" if self.base_url else "/"

    def display(self, path: Path) -> str:
        """A path as editors see it: relative to the project when possible."""
        return _readable(self._relative(path))

    def _relative(self, path: Path) -> str:
        # Without following symlinks first, so a symlink is named as the editor sees it.
        plain = os.path.normpath(path.absolute())
        bases = _bases(self.root) if self.root.is_absolute() else (
            Path(os.path.normpath(self.root.absolute())), self.root.resolve())
        folder, name = os.path.split(plain)
        under = _under(folder, bases)  # by its folder, remembered: 17,000 files in a few hundred folders
        if under is not None:
            return f"{under}/{name}" if under else name
        try:
            return resolved(path).relative_to(bases[1]).as_posix()
        except ValueError:
            return path.as_posix()


# A build names each of its 17,000 files once at 10,000 stories: resolving the project folder for each,
# and each file's folders one by one, was 1.2 s of it (content kept outside the project folder).
@lru_cache(maxsize=16)
def _bases(root: Path) -> tuple[Path, Path]:
    """The project folder as written and as resolved, once per process (only for an absolute one)."""
    return Path(os.path.normpath(root.absolute())), root.resolve()


@lru_cache(maxsize=4096)
def _under(folder: str, bases: tuple[Path, Path]) -> str | None:
    """A folder (absolute, normalised) relative to the first of `bases` it lies in, as written ("" for
    the base itself); None when it lies in neither."""
    plain = Path(folder)
    for base in bases:
        if plain.is_relative_to(base):
            found = plain.relative_to(base).as_posix()
            return "" if found == "." else found
    return None


@lru_cache(maxsize=4096)
def _folder(folder: Path) -> Path:
    return folder.resolve()


def forget_folders() -> None:
    """A build begins: folders are resolved anew (`mkdocs serve` builds again in the same process, and
    a link re-pointed meanwhile must not keep its old place in link targets)."""
    _folder.cache_clear()


def resolved(path: Path) -> Path:
    """Path.resolve(), with the folder part remembered: a file that is no symbolic link itself resolves
    to its folder's resolved path and its name. Folders are remembered until the next build begins
    (forget_folders): a build's link targets (engine) take it; `unionpress serve` resolves them
    through its own memory (preview.Cache)."""
    if not path.is_absolute() or path.name in ("", ".", "..") or os.path.islink(path):
        return path.resolve()
    return _folder(path.parent) / path.name


def _readable(name: str) -> str:
    """A file name that is not UTF-8 (a zip made on Chinese Windows, unpacked here) holds surrogates
    that cannot be printed: show it as the GBK it most likely is, or with its bytes escaped."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        raw = name.encode("utf-8", "surrogateescape")
        try:
            return raw.decode("gb18030") + "（文件名不是 UTF-8 编码）"
        except UnicodeDecodeError:
            return raw.decode("utf-8", "backslashreplace")


class SettingsError(Exception):
    """Settings that make the build meaningless (bad clock)."""


def _parse_now(text: str, tz: ZoneInfo) -> dt.datetime:
    text = text.strip()
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise SettingsError(
            f"UNIONPRESS_NOW 的值「{text}」不是有效时间，应写成 2026-05-01T09:00:00+08:00 或 2026-05-01"
        ) from None
    return value.astimezone(tz) if value.tzinfo else value.replace(tzinfo=tz)


def clock(tz: ZoneInfo = SHANGHAI, environ: Mapping = os.environ) -> dt.datetime:
    """The build's "now" in the union's time zone: UNIONPRESS_NOW, else SOURCE_DATE_EPOCH, else the
    wall clock. Read afresh for every build, so an embargo lifts while `mkdocs serve` runs."""
    if environ.get("UNIONPRESS_NOW"):
        return _parse_now(environ["UNIONPRESS_NOW"], tz)
    if environ.get("SOURCE_DATE_EPOCH"):
        try:
            return dt.datetime.fromtimestamp(int(environ["SOURCE_DATE_EPOCH"]), tz)
        except (ValueError, OverflowError, OSError):
            raise SettingsError(f"SOURCE_DATE_EPOCH 的值「{environ['SOURCE_DATE_EPOCH']}」不是整数秒") from None
    return dt.datetime.now(tz).replace(microsecond=0)


# The date of an output with no dated item (an empty feed, a shelf of undated books): fixed, never the
# build clock, so such a file keeps its bytes from build to build and publishing does not upload it again.
UNDATED = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _is_text_list(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


# key → (what it must be, check). Every key a union may set; anything else is a typo to warn about.
SCHEMA = {
    "content_dir": ("应为文字（内容目录的路径）", lambda v: isinstance(v, str) and v.strip() != ""),
    "review_required": ("应为 true 或 false", lambda v: isinstance(v, bool)),
    "page_size": ("应为 1 到 500 之间的整数", lambda v: isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 500),
    "gallery_page_size": ("应为 1 到 500 之间的整数", lambda v: isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 500),
    "timezone": ("应为时区名称，如 Asia/Shanghai", lambda v: isinstance(v, str) and _zone(v) is not None),
    "genres": ("应为文字列表", _is_text_list),
    "industries": ("应为文字列表", _is_text_list),
    "award_tiers": ("应为奖项名称的列表，从高到低，如 [特等奖, 一等奖, 二等奖, 三等奖, 优秀奖]",
                    lambda v: _award_tiers_problem(v) is None),
    "embed_hosts": ("应为网站域名列表，如 [player.bilibili.com]", _is_text_list),
    "feed_length": ("应为 1 到 1000 之间的整数", lambda v: isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 1000),
    "partners": ("应为合作媒体列表", lambda v: _partners_problem(v) is None),
    "footer": ("应为映射，可写 host（主办单位）、address（地址）、phone（电话）、icp（ICP备案号）、police（公安备案号），每项不超过 100 字",
               lambda v: _footer_problem(v) is None),
    "colors": ("应为映射，可写 masthead（页头颜色）和 channels（栏目条颜色），写成 #RRGGBB", lambda v: _colors_problem(v) is None),
    "wechat": ("应为映射，可写 open_comment（开启留言，true/false）、fans_only_comment（仅粉丝可留言，true/false）、color（主题色 #RRGGBB）",
               lambda v: _wechat_problem(v) is None),
    "logo": ("应为 docs/ 里的图片路径（png、jpg、webp 或 svg），如 images/logo.png", lambda v: _logo_path_problem(v) is None),
    "publish": ("应为映射，写 endpoint（服务地址）、bucket（存储桶），可写 prefix（目录）、region（地域）、"
                "addressing（virtual 或 path）、keep（保留几个版本，1 到 100）、retries（重试次数，1 到 20）",
                lambda v: _publish_problem(v) is None),
    "short_name": ("应为不超过 12 字的简称，如 示例市总工会（小屏幕和大字号时页头显示它）",
                   lambda v: isinstance(v, str) and 0 < len(v.strip()) <= 12),
    "home": ("应为首页区块的列表，按显示顺序，如 [lead, pictures: 4, latest: 8, notices, columns: 6]",
             lambda v: _home_problem(v) is None),
    "offline_budget_mb": ("应为 5 到 500 之间的整数（每部手机离线保存的网页上限，单位 MB）",
                          lambda v: isinstance(v, int) and not isinstance(v, bool) and 5 <= v <= 500),
    "search_first": ("应为不小于 0 的整数（站内搜索先下载、先搜索的条目数：劳模和最新的内容；0 表示全部内容一次下载）",
                     lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0),
    "search_shelf": ("应为不小于 0 的整数（其余内容的搜索索引按此条数分组生成，改动一篇旧稿只需重做它所在的一组；0 表示不分组）",
                     lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0),
}

# The homepage's blocks an editor arranges (`home`), with what each shows; a count (`pictures: 4`)
# says how many items the block shows. The order below is the homepage without a `home` setting.
HOME_BLOCKS = {
    "lead": "头条", "topic": "专题", "pictures": "图片新闻", "latest": "要闻", "notices": "通知公告",
    "columns": "各栏目", "models": "劳模风采", "exhibitions": "线上展览", "library": "职工书屋", "contests": "征文比赛",
}
HOME_COUNTS = {"pictures": 4, "latest": 8, "notices": 6, "columns": 6}  # their counts when none is written
HOME_COUNT_LIMIT = 50


def _home_entries(value) -> list[tuple[str, int | None]] | str:
    """The `home` list as (block, count) pairs, or why it is unusable."""
    if not isinstance(value, list) or not value:
        return "不是列表" if not isinstance(value, list) else "列表为空"
    entries, seen = [], set()
    for index, entry in enumerate(value, start=1):
        count = None
        if isinstance(entry, dict) and len(entry) == 1:
            entry, count = next(iter(entry.items()))
            if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= HOME_COUNT_LIMIT:
                return f"第 {index} 项「{entry}」的条数应为 1 到 {HOME_COUNT_LIMIT} 之间的整数"
        if not isinstance(entry, str) or entry.strip() not in HOME_BLOCKS:
            shown = entry if isinstance(entry, str) else _describe(entry)
            close = did_you_mean(shown, HOME_BLOCKS) if isinstance(entry, str) else None
            return (f"第 {index} 项「{shown}」不是首页区块（可用：" + "、".join(f"{k}（{v}）" for k, v in HOME_BLOCKS.items())
                    + "）" + (f"。是否想写「{close}」？" if close else ""))
        if entry.strip() in seen:
            return f"第 {index} 项「{entry.strip()}」重复"
        seen.add(entry.strip())
        entries.append((entry.strip(), count))
    return entries


def _home_problem(value) -> str | None:
    found = _home_entries(value)
    return found if isinstance(found, str) else None

LOGO_TYPES = (".png", ".jpg", ".jpeg", ".webp", ".svg")


@dataclass(frozen=True)
class PublishTarget:
    """Where `unionpress publish` puts the site: an S3-compatible bucket (OSS, COS, OBS, MinIO …).
    No credentials here: they come from the environment or the standard AWS chain, never the repository."""

    endpoint: str  # https://oss-cn-hangzhou.aliyuncs.com
    bucket: str
    prefix: str = ""  # "" or "a/b/": the site's folder in the bucket
    region: str = "us-east-1"  # the signature's region; most providers' endpoints name it already
    addressing: str = "virtual"  # virtual (bucket.endpoint, OSS/COS/OBS) | path (endpoint/bucket, MinIO)
    keep: int = 5  # published versions kept for --rollback, with the files they need
    retries: int = 5  # attempts per request on network errors and 5xx (botocore's standard retry mode)


PUBLISH_KEYS = ("endpoint", "bucket", "prefix", "region", "addressing", "keep", "retries")
# Secrets written into mkdocs.yml would be in every clone of the repository: refused by name.
PUBLISH_SECRETS = ("access_key", "secret_key", "access_key_id", "secret_access_key", "aws_access_key_id",
                   "aws_secret_access_key", "session_token", "password", "secret", "key_id")
_BUCKET = r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"


def _publish_problem(value) -> str | None:
    """Why the publish target is unusable (None when it is fine)."""
    if not isinstance(value, dict):
        return "不是映射"
    for key in value:
        if str(key).lower() in PUBLISH_SECRETS:
            return (f"「{key}」是密钥，不能写在 mkdocs.yml 里（会随仓库公开）：请用环境变量 "
                    "AWS_ACCESS_KEY_ID 和 AWS_SECRET_ACCESS_KEY，或 ~/.aws/credentials")
        if key not in PUBLISH_KEYS:
            return f"未知字段「{key}」（可用：{'、'.join(PUBLISH_KEYS)}）"
    for key in ("endpoint", "bucket"):
        if key not in value:
            return f"缺少「{key}」"
    endpoint = value["endpoint"]
    parts = urlsplit(endpoint) if isinstance(endpoint, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/") \
            or parts.query or parts.fragment:
        return "「endpoint」应为服务地址，如 https://oss-cn-hangzhou.aliyuncs.com（不含存储桶名和路径）"
    bucket = value["bucket"]
    if not isinstance(bucket, str) or not re.fullmatch(_BUCKET, bucket) or ".." in bucket:
        return "「bucket」应为存储桶名：3 到 63 个小写英文字母、数字、点或连字符，首尾为字母或数字"
    prefix = value.get("prefix", "")
    if not isinstance(prefix, str) or "//" in prefix.strip("/") or any(
            part in (".", "..") for part in prefix.split("/")) or chars.CONTROL.search(prefix) or "\\" in prefix:
        return "「prefix」应为存储桶里的目录，如 site/ 或 union/www/（不含 .. 和 //）"
    if "region" in value and not (isinstance(value["region"], str) and re.fullmatch(r"[a-z0-9-]{2,40}", value["region"])):
        return "「region」应为地域名，如 cn-hangzhou、ap-guangzhou、cn-north-4"
    if value.get("addressing", "virtual") not in ("virtual", "path"):
        return "「addressing」应为 virtual（存储桶名在域名里，OSS、COS、OBS）或 path（存储桶名在路径里，MinIO）"
    for key, high in (("keep", 100), ("retries", 20)):
        number = value.get(key, 1)
        if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= high:
            return f"「{key}」应为 1 到 {high} 之间的整数"
    return None


def _publish_target(value) -> PublishTarget | None:
    """The checked mapping as a PublishTarget; the prefix always ends in / (or is empty)."""
    if value is None:
        return None
    prefix = value.get("prefix", "").strip("/")
    return PublishTarget(endpoint=value["endpoint"].rstrip("/"), bucket=value["bucket"],
                         prefix=prefix + "/" if prefix else "", region=value.get("region", "us-east-1"),
                         addressing=value.get("addressing", "virtual"), keep=value.get("keep", 5),
                         retries=value.get("retries", 5))


def _logo_path_problem(value) -> str | None:
    if not isinstance(value, str) or not value.strip().lower().endswith(LOGO_TYPES):
        return "不是图片文件名"
    path = PurePosixPath(value.strip())
    if path.is_absolute() or ".." in path.parts:
        return "应为 docs/ 里的相对路径"
    return None


_SVG_ACTIVE_TAGS = {"script", "foreignobject", "iframe", "embed", "object", "handler", "listener"}


def _svg_active(file: Path) -> str:
    """Why an SVG logo could run script on our origin ('' if it cannot). The logo is served as it is
    on every page's origin: a reader who opens it alone would run its onload. Parsed, not searched,
    so an entity or a namespace prefix cannot hide a <script>."""
    from lxml import etree

    try:
        root = etree.parse(str(file), etree.XMLParser(resolve_entities=False, no_network=True,
                                                      load_dtd=False)).getroot()
    except (etree.XMLSyntaxError, OSError, ValueError) as exc:
        return f"不是有效的 SVG（{str(exc)[:60]}）"
    for element in root.iter():
        tag = etree.QName(element).localname.lower() if isinstance(element.tag, str) else ""
        if tag in _SVG_ACTIVE_TAGS:
            return f"SVG 含有会运行的 <{tag}>：请删去，或改用 PNG"
        for name, value in element.attrib.items():
            local = etree.QName(name).localname.lower()
            if local.startswith("on"):
                return f"SVG 含有事件属性 {local}=：请删去，或改用 PNG"
            if local == "href" and not value.strip().lower().startswith(("#", "data:image/png", "data:image/jpeg")):
                return f"SVG 引用了外部地址 {value.strip()[:40]}：徽标须自成一体（内嵌图片或改用 PNG）"
    return ""


def _logo(docs: Path, value: str) -> Logo | str:
    """The logo with its size (so the masthead keeps its height while it loads), or why it is unusable."""
    file = docs / value.strip()
    try:
        found = file.is_file()
    except OSError:  # a name the file system refuses (too long)
        found = False
    if not found:
        return f"文件 {docs.name}/{value.strip()} 不存在"
    if file.suffix.lower() == ".svg":
        if active := _svg_active(file):
            return active
        head = file.read_text(encoding="utf-8", errors="replace")[:4000]
        box = re.search(r'viewBox=["\']\s*[-\d.]+[\s,]+[-\d.]+[\s,]+(\d+(?:\.\d+)?)[\s,]+(\d+(?:\.\d+)?)', head)
        if not box:
            return "SVG 缺少 viewBox，无法确定尺寸"
        width, height = (round(float(n)) for n in box.groups())
    else:
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(file) as image:
                width, height = image.size
        except (OSError, UnidentifiedImageError, Image.DecompressionBombError, ValueError):
            return "不是可以读取的图片"
    if not width or not height:
        return "图片尺寸为零"
    return Logo(value.strip(), width, height)

# The union's two colours: the masthead (also links and headings' accents on white) and the darker
# channel bar (also buttons). White text sits on both and both sit on white, so each must reach
# 4.5:1 against white; a colour that does not is refused, not shown.
COLOR_KEYS = ("masthead", "channels")


def contrast_with_white(color: str) -> float:
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
    return 1.05 / (luminance + 0.05)


def _mapping_problem(value, keys, problem) -> str | None:
    """Why a mapping of known keys is unusable: not a mapping, an unknown key, or problem(key, value)."""
    if not isinstance(value, dict):
        return "不是映射"
    for key, item in value.items():
        if key not in keys:
            return f"未知字段「{key}」"
        if found := problem(key, item):
            return found
    return None


def _color_problem(key, color) -> str | None:

    if not isinstance(color, str) or not re.fullmatch(r"#[0-9a-fA-F]{6}", color):
        return f"「{key}」应写成 #RRGGBB，如 #b71c1c"
    if (ratio := contrast_with_white(color)) < 4.5:
        return f"「{key}」{color} 与白色的对比度只有 {ratio:.1f}:1，至少要 4.5:1，请选更深的颜色"
    return None


def _colors_problem(value) -> str | None:
    return _mapping_problem(value, COLOR_KEYS, _color_problem)


# The footer a government or union site must carry (主办单位, ICP and 公安 filing numbers …); each
# line is printed only when set.
FOOTER_KEYS = ("host", "address", "phone", "icp", "police")


def _footer_problem(value) -> str | None:
    def line_problem(key, text):
        if not isinstance(text, (str, int)) or isinstance(text, bool) or len(str(text)) > 100:
            return f"「{key}」应为不超过 100 字的文字"
        return None

    return _mapping_problem(value, FOOTER_KEYS, line_problem)


PARTNER_KEYS = {"name", "title", "description", "columns", "topics", "tags", "genres", "full_text", "bundles"}
WECHAT_KEYS = {"open_comment": bool, "fans_only_comment": bool, "color": str}


def _wechat_problem(value) -> str | None:
    """Why the WeChat settings are unusable (None when they are fine)."""
    def problem(key, found):
        if not isinstance(found, WECHAT_KEYS[key]):
            return "应为 true 或 false" if WECHAT_KEYS[key] is bool else "应为文字"
        return _color_problem(key, found) if key == "color" else None
    return _mapping_problem(value, WECHAT_KEYS, problem)


def _partners_problem(value) -> str | None:
    """Why a partners list is unusable (None when it is fine)."""
    if not isinstance(value, list):
        return "不是列表"
    names = set()
    for index, partner in enumerate(value, start=1):
        if not isinstance(partner, dict):
            return f"第 {index} 项不是映射"
        unknown = sorted(set(map(str, partner)) - PARTNER_KEYS)
        if unknown:
            return f"第 {index} 项有未知字段「{unknown[0]}」（可用：{'、'.join(sorted(PARTNER_KEYS))}）"
        name = partner.get("name")
        if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", name) or name in names:
            return f"第 {index} 项的 name 应为唯一的小写英文字母、数字和连字符"
        names.add(name)
        for key in ("columns", "topics", "tags", "genres"):
            if key in partner and not _is_text_list(partner[key]):
                return f"第 {index} 项的 {key} 应为文字列表"
        for key in ("full_text", "bundles"):
            if key in partner and not isinstance(partner[key], bool):
                return f"第 {index} 项的 {key} 应为 true 或 false"
        for key in ("title", "description"):
            if key in partner and not (isinstance(partner[key], str) and len(partner[key]) <= 200):
                return f"第 {index} 项的 {key} 应为不超过 200 字的文字"
    return None


def _award_tiers_problem(value) -> str | None:
    """Why an award_tiers list is unusable: the tiers order every exhibition's works and contest's
    entries, so each must be a distinct award (not 未获奖, which is where unawarded items go anyway)."""
    if not isinstance(value, list):
        return "不是列表"
    if not value:
        return "列表为空"
    seen = set()
    for index, tier in enumerate(value, start=1):
        if not isinstance(tier, str) or not tier.strip():
            return f"第 {index} 项不是文字"
        if not is_awarded(tier):
            return f"第 {index} 项「{tier.strip()}」不是奖项"
        if chars.fold(tier) in seen:
            return f"第 {index} 项「{tier.strip()}」重复"
        seen.add(chars.fold(tier))
    return None


# The settings whose finding says what exactly is wrong, not only what the value must be.
DETAILS = {"partners": _partners_problem, "footer": _footer_problem, "colors": _colors_problem,
           "logo": _logo_path_problem, "award_tiers": _award_tiers_problem, "home": _home_problem,
           "wechat": _wechat_problem, "publish": _publish_problem}


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # a name the file system refuses (too long): there is no such folder
        return False


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except Exception:  # zoneinfo raises several types for bad names
        return None


def _extensions(site: Mapping) -> tuple[tuple, dict]:
    """The Markdown extensions of mkdocs.yml as (names, configs), with MkDocs' built-ins. The shape
    was checked before (_site_problems): what is not an extension is left out."""
    names, configs = list(MKDOCS_BUILTIN_EXTENSIONS), {}
    entries = site.get("markdown_extensions")
    for entry in entries if isinstance(entries, list) else []:
        pairs = [(entry, None)] if isinstance(entry, str) else list(entry.items()) if isinstance(entry, Mapping) else []
        for name, options in pairs:
            if not isinstance(name, str):
                continue
            if name not in names:
                names.append(name)
            if isinstance(options, Mapping):
                configs[name] = dict(options)
    return tuple(names), configs


def _loadable(site: Mapping, names: tuple, configs: dict, report) -> tuple[tuple, dict]:
    """The extensions Python-Markdown can load with their options; each other one is reported and
    left out (MkDocs refuses them before a build; `check` would otherwise fail inside the renderer)."""
    import markdown

    written = {name: index for index, entry in enumerate(site.get("markdown_extensions") or [])
               for name in ([entry] if isinstance(entry, str) else entry or ())}
    kept = []
    for name in names:
        try:
            markdown.Markdown(extensions=[name], extension_configs={name: configs[name]} if name in configs else {})
        except Exception as exc:  # noqa: BLE001 — an extension may raise anything for a bad name or option
            report(("markdown_extensions", written.get(name, 0)),
                   f"扩展「{name}」无法加载（{type(exc).__name__}: {str(exc)[:80]}）")
            configs.pop(name, None)
            continue
        kept.append(name)
    return tuple(kept), configs


def _nav_pages(nav, use_directory_urls: bool = True) -> tuple[tuple[str, str], ...]:
    """(title, URL) of the hand-written pages named at the top of the nav of mkdocs.yml."""
    pages = []
    for entry in nav if isinstance(nav, list) else []:
        if isinstance(entry, dict) and len(entry) == 1:
            title, target = next(iter(entry.items()))
            if isinstance(target, str) and target.endswith(".md"):
                pages.append((str(title), doc_url(target, use_directory_urls)))
    return tuple(pages)


def doc_url(src_uri: str, use_directory_urls: bool = True) -> str:
    """The URL MkDocs gives a hand-written page: about.md → about/, x/index.md → x/."""
    stem = src_uri[: -len(".md")]
    if stem == "index" or stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/" if use_directory_urls else stem + ".html"


# mkdocs.yml's own keys the engine reads: each must be a text when set. MkDocs checks them itself
# before a build starts; `check` reads mkdocs.yml without MkDocs, so it checks them here.
SITE_TEXTS = ("site_name", "site_url", "site_description", "copyright", "docs_dir")
MAPPING = "应为映射（字段: 值）"


def _line(lines: Mapping[str, int], path: tuple) -> int:
    """The line of a setting in mkdocs.yml, or of the nearest setting around it (1 if unknown)."""
    for end in range(len(path), 0, -1):
        found = lines.get("/" + "/".join(map(str, path[:end])))
        if found:
            return found
    return 1


def _describe(value) -> str:
    if isinstance(value, Mapping):
        return "映射（字段: 值）"
    if isinstance(value, list):
        return "列表"
    if isinstance(value, bool):
        return "true/false"
    return f"「{str(value)[:30]}」"


def _plain(value, path: tuple, report, copies: dict | None = None) -> object:
    """mkdocs.yml's values as plain dicts, lists and texts (MkDocs hands over its own config types),
    each text without control characters: a "\\f" written in a setting would otherwise reach the
    feeds' XML. report(path, chars) says where one was. A value YAML shares through an alias (&a, *a)
    is copied once, so neither an alias bomb nor an alias of itself can make this explode or loop."""
    copies = {} if copies is None else copies
    if isinstance(value, (Mapping, list, tuple)):
        if id(value) in copies:
            return copies[id(value)]
        if isinstance(value, Mapping):
            copy = copies[id(value)] = {}
            copy.update((key, _plain(item, (*path, key), report, copies)) for key, item in value.items())
        else:
            copy = copies[id(value)] = []
            copy.extend(_plain(item, (*path, index), report, copies) for index, item in enumerate(value))
        return copy
    if isinstance(value, str) and chars.CONTROL.search(value):
        report(path, "".join(chars.CONTROL.findall(value)))
        return chars.strip_controls(value)
    return value


def _site_problems(site: dict, report) -> dict:
    """The mkdocs.yml keys the engine reads, each of the shape it needs; a wrong one is reported
    through report(path, detail) and left out, so nothing later trips over it."""
    for key in SITE_TEXTS:
        if site.get(key) is not None and not isinstance(site[key], str):
            report((key,), f"应为文字，实际写的是：{_describe(site.pop(key))}")
    extensions = site.get("markdown_extensions")
    if extensions is not None:
        if not isinstance(extensions, list):
            report(("markdown_extensions",), "应为扩展列表，如 [toc, tables]")
            site.pop("markdown_extensions")
        else:
            for index, entry in enumerate(extensions):
                good = isinstance(entry, str) or isinstance(entry, dict) and all(
                    isinstance(name, str) and (options is None or isinstance(options, dict))
                    for name, options in entry.items())
                if not good:
                    report(("markdown_extensions", index),
                           f"第 {index + 1} 项应为扩展名，或「扩展名: 选项映射」，实际写的是：{_describe(entry)}")
                    extensions[index] = None  # left out; the others keep their places (and lines)
    if site.get("nav") is not None and not isinstance(site["nav"], list):
        report(("nav",), f"应为列表（每项以 - 开头），实际写的是：{_describe(site.pop('nav'))}")
    extra = site.get("extra")
    if extra is not None and not isinstance(extra, dict):
        report(("extra",), f"{MAPPING}，实际写的是：{_describe(site.pop('extra'))}")
        return {}
    union = (extra or {}).get("unionpress")
    if union is not None and not isinstance(union, dict):
        report(("extra", "unionpress"), f"{MAPPING}，实际写的是：{_describe(union)}")
        return {}
    return union or {}


def from_mapping(root: Path, site: Mapping, findings: Findings, config_path: str = "mkdocs.yml",
                 environ: Mapping = os.environ, lines: Mapping[str, int] | None = None) -> Settings:
    """Settings from the mkdocs.yml mapping; bad values become findings against mkdocs.yml. Every
    shape of mkdocs.yml gives findings, never an exception: `check` and the build share this."""
    lines = lines or {}

    def control(path: tuple, found: str) -> None:
        findings.add(config_path, _line(lines, path), "control-char", chars=chars.describe(found))

    def problem(path: tuple, detail: str) -> None:
        # The field is named by its keys (a list entry's number is in the detail, its line is the line).
        findings.add(config_path, _line(lines, path), "config", field=".".join(p for p in path if isinstance(p, str)),
                     detail=detail)

    site = _plain(site, (), control)
    extra = _site_problems(site, problem)
    good = {}
    for key, value in extra.items():
        if key not in SCHEMA:
            close = did_you_mean(key, SCHEMA)
            findings.add(config_path, _line(lines, ("extra", "unionpress", key)), "config-unknown", field=key,
                         hint=f"。是否想写「{close}」？" if close else "")
        elif SCHEMA[key][1](value):
            good[key] = value
        else:
            detail = (DETAILS[key](value) or "") if key in DETAILS else ""
            problem(("extra", "unionpress", key), f"{SCHEMA[key][0]}：{detail}" if detail else SCHEMA[key][0])
    content_dir = Path(environ.get("UNIONPRESS_CONTENT") or good.get("content_dir") or "content")
    if not content_dir.is_absolute():
        content_dir = root / content_dir
    names, configs = _loadable(site, *_extensions(site), problem)
    timezone = _zone(good.get("timezone", "Asia/Shanghai")) or SHANGHAI
    now = clock(timezone, environ)
    docs = root / str(site.get("docs_dir") or "docs")
    logo = _logo(docs, good["logo"]) if "logo" in good else None
    if isinstance(logo, str):
        problem(("extra", "unionpress", "logo"), f"{SCHEMA['logo'][0]}：{logo}")
        logo = None
    doc_pages = {doc_url(p.relative_to(docs).as_posix()): f"{docs.name}/{p.relative_to(docs).as_posix()}"
                 for p in sorted(docs.rglob("*.md")) if "overrides" not in p.relative_to(docs).parts} if _is_dir(docs) else {}
    settings = Settings(
        root=root, content_dir=content_dir, site_name=str(site.get("site_name") or "UnionPress"),
        site_url=str(site.get("site_url") or ""), site_description=str(site.get("site_description") or ""),
        copyright=str(site.get("copyright") or ""), markdown_extensions=names, mdx_configs=MappingProxyType(configs),
        nav_pages=_nav_pages(site.get("nav")), timezone=timezone,
        review_required=good.get("review_required", True), page_size=good.get("page_size", 20),
        gallery_page_size=good.get("gallery_page_size", 40), genres=tuple(good.get("genres", DEFAULT_GENRES)),
        industries=tuple(good.get("industries", ())),
        award_tiers=tuple(tier.strip() for tier in good.get("award_tiers", DEFAULT_AWARD_TIERS)),
        feed_length=good.get("feed_length", 50),
        embed_hosts=frozenset(host.strip().lower() for host in good.get("embed_hosts", ())),
        partners=_frozen(tuple(good.get("partners", ()))),
        colors=_frozen({key: color.lower() for key, color in good.get("colors", {}).items()}),
        footer=_frozen({key: str(text).strip() for key, text in good.get("footer", {}).items() if str(text).strip()}),
        setting_lines=_frozen(dict(lines)), wechat=_frozen(dict(good.get("wechat", {}))),
        cache_dir=Path(environ.get("UNIONPRESS_CACHE") or root / ".cache/unionpress/pictures"),
        preview=_truthy(environ.get("UNIONPRESS_PREVIEW")), now=now, logo=logo, doc_pages=_frozen(doc_pages),
        short_name=str(good.get("short_name", "")).strip(),
        offline_budget_mb=good.get("offline_budget_mb", 50),
        search_first=good.get("search_first", Settings.search_first),
        search_shelf=good.get("search_shelf", Settings.search_shelf),
        home=tuple(_home_entries(good["home"])) if "home" in good else tuple((key, None) for key in HOME_BLOCKS))
    if "publish" in good:  # the bucket of `unionpress publish` (upload.py)
        import dataclasses

        settings = dataclasses.replace(settings, publish=_publish_target(good["publish"]))
    return settings


class _MkdocsYamlLoader(yaml.SafeLoader):
    """mkdocs.yml may carry MkDocs/pymdownx tags (!ENV, !!python/name:…); the scripts only need
    plain values, so unknown tags load as None instead of failing."""


_MkdocsYamlLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def setting_lines(text: str) -> dict[str, int]:
    """Where each setting is in mkdocs.yml: "/extra/unionpress/footer/host" → its line, for every key
    and list entry; and, as the partner check reads them, each key under `extra: unionpress:` by its
    name ("" for the block itself)."""
    try:
        node = yaml.compose(text, Loader=_MkdocsYamlLoader)
    except yaml.YAMLError:
        return {}
    lines: dict[str, int] = {}
    seen: set[int] = set()  # a node reached again through an alias is where it was first written

    def walk(current, path: str, depth: int) -> None:
        if depth > 8 or id(current) in seen:  # deeper than any setting the engine reads
            return
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                where = f"{path}/{getattr(key, 'value', '')}"
                lines.setdefault(where, key.start_mark.line + 1)
                walk(value, where, depth + 1)
        elif isinstance(current, yaml.SequenceNode):
            for index, value in enumerate(current.value):
                lines.setdefault(f"{path}/{index}", value.start_mark.line + 1)
                walk(value, f"{path}/{index}", depth + 1)

    walk(node, "", 0)
    for name, line in list(lines.items()):
        if name.startswith("/extra/unionpress"):
            rest = name[len("/extra/unionpress"):]
            if not rest:
                lines[""] = line
            elif rest.count("/") == 1:
                lines[rest[1:]] = line
    if "" not in lines and "/extra" in lines:
        lines[""] = lines["/extra"]
    return lines


def load(root: Path | None = None, findings: Findings | None = None, environ: Mapping = os.environ,
         ) -> tuple[Settings, Findings]:
    """Settings for the scripts: read `mkdocs.yml` at the project root (or UNIONPRESS_CONFIG). A file
    that cannot be read or parsed is a located finding, and the content is still checked."""
    findings = findings or Findings()
    root = Path(root or environ.get("UNIONPRESS_ROOT") or Path.cwd())
    config_file = Path(environ.get("UNIONPRESS_CONFIG") or root / "mkdocs.yml")
    site: object = {}
    lines: dict[str, int] = {}
    shown = config_file.name
    if config_file.exists():
        root = config_file.parent
        site, lines = _read_mkdocs_yml(config_file, findings, shown)
    if not isinstance(site, dict):
        if site is not None:
            findings.add(shown, 1, "config", field=shown, detail=f"{MAPPING}，实际写的是：{_describe(site)}")
        site = {}
    return from_mapping(root, site, findings, config_path=shown, environ=environ, lines=lines), findings


def _read_mkdocs_yml(path: Path, findings: Findings, shown: str) -> tuple[object, dict[str, int]]:
    from .frontmatter import located

    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        findings.add(shown, 1, "unreadable", reason=exc.strerror or type(exc).__name__)
        return {}, {}
    except UnicodeDecodeError:
        findings.add(shown, 1, "config", field=shown, detail="文件不是 UTF-8 编码，请在编辑器中“另存为 → 编码 UTF-8”")
        return {}, {}
    try:
        site = yaml.load(text, Loader=_MkdocsYamlLoader)
    except yaml.YAMLError as exc:
        error = located(exc, text)
        findings.add(shown, error.line, "config", field=shown, detail=f"YAML 语法错误：{error.detail}")
        return {}, {}
    except RecursionError:
        findings.add(shown, 1, "config", field=shown, detail="YAML 语法错误：嵌套层次过深")
        return {}, {}
    return site, setting_lines(text)
