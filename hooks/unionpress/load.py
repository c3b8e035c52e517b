"""Load: content files → raw items (front matter with line numbers, body, where it came from).

Nothing here judges the content; it only reads every file once, decodes it, and splits front
matter from body. A file that cannot be read becomes a finding, and the rest are still read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import frontmatter
from .config import Settings
from .findings import Findings
from .frontmatter import Map, Seq
from .kinds import ITEM_KINDS, LIST_KINDS
from .validate import SLUG_RE



@dataclass
class RawItem:
    kind: str
    slug: str
    source: str  # display path
    path: Path  # the Markdown file
    folder: Path  # where relative image paths resolve
    meta: Map
    body: str
    body_line: int
    parent: str = ""  # contest slug for entries
    bundle: bool = False  # SLUG/index.md


@dataclass
class RawList:
    kind: str
    source: str
    path: Path
    rows: Seq


@dataclass
class RawContent:
    items: list[RawItem]
    lists: dict[str, RawList]


def read_text(path: Path, shown: str, findings: Findings) -> str | None:
    """Decode a content file as UTF-8 (BOM allowed); anything else is a finding, not a crash."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        try:
            data.decode("gb18030")
            guess = "，看起来是 GBK/GB18030 编码（Windows 记事本或 WPS 的默认保存方式）"
        except UnicodeDecodeError:
            guess = ""
        findings.add(shown, line, "encoding", guess=guess)
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _parse_yaml(text: str, shown: str, findings: Findings, line_offset: int = 0) -> tuple[bool, object]:
    """Parse YAML, reporting syntax errors and repeated keys with their lines; (parsed?, value)."""
    try:
        value, duplicates = frontmatter.parse_yaml(text, line_offset=line_offset)
    except frontmatter.YamlError as exc:
        findings.add(shown, exc.line, "yaml-syntax", detail=exc.detail)
        return False, None
    for line, key in duplicates:
        findings.add(shown, line, "yaml-duplicate-key", key=key)
    return True, value


def parse_markdown(path: Path, shown: str, findings: Findings) -> tuple[Map, str, int] | None:
    text = read_text(path, shown, findings)
    if text is None:
        return None
    yaml_text, body, body_line = frontmatter.split(text)
    if yaml_text is None:
        findings.add(shown, 1, "front-matter")
        return None
    ok, meta = _parse_yaml(yaml_text, shown, findings, line_offset=1)
    if not ok:
        return None
    if meta is None:
        meta = Map()
        meta.lines = {}
    if not isinstance(meta, Map):
        findings.add(shown, 2, "not-a-map", what="头信息")
        return None
    return meta, body, body_line


def parse_list(path: Path, shown: str, findings: Findings) -> Seq | None:
    text = read_text(path, shown, findings)
    if text is None:
        return None
    ok, rows = _parse_yaml(text, shown, findings)
    if not ok:
        return None
    if rows is None:
        rows = Seq()
        rows.lines = []
    if not isinstance(rows, Seq):
        findings.add(shown, 1, "not-a-list", what="此文件")
        return None
    return rows


def _item_files(folder: Path) -> list[tuple[str, Path]]:
    """(slug, file) for each SLUG.md and SLUG/index.md under folder, in a stable order."""
    found = []
    bundles = {p.parent for p in folder.rglob("index.md")}
    for path in sorted(folder.rglob("*.md")):
        if path.name == "index.md":
            if path.parent != folder:
                found.append((path.parent.name, path))
        elif not any(parent in bundles for parent in path.parents):
            found.append((path.stem, path))
    return found


def load(settings: Settings, findings: Findings) -> RawContent:
    root = settings.content_dir
    if not root.is_dir():
        findings.add(settings.display(root), 1, "content-dir", path=settings.display(root))
        return RawContent([], {})
    items: list[RawItem] = []
    used: set[Path] = set()

    def add_item(kind: str, slug: str, path: Path, parent: str = "") -> None:
        used.add(path)
        shown = settings.display(path)
        if not SLUG_RE.match(slug):
            findings.add(shown, 1, "slug-invalid", slug=slug)
        parsed = parse_markdown(path, shown, findings)
        if parsed is None:
            return
        meta, body, body_line = parsed
        items.append(RawItem(kind, slug, shown, path, path.parent, meta, body, body_line, parent,
                             bundle=path.name == "index.md"))

    children = {kind.parent: kind for kind in ITEM_KINDS.values() if kind.parent}
    for kind in ITEM_KINDS.values():
        folder = root / kind.folder
        if kind.parent or not folder.is_dir():
            continue
        child = children.get(kind.name)
        for slug, path in _item_files(folder):
            if child and child.folder in path.relative_to(folder).parts:
                continue  # entries belong to their contest, read below
            add_item(kind.name, slug, path)
        if child:
            for sub in sorted(folder.glob(f"*/{child.folder}")):
                for slug, path in _item_files(sub):
                    add_item(child.name, slug, path, parent=sub.parent.name)

    lists: dict[str, RawList] = {}
    for kind in LIST_KINDS.values():
        path = root / kind.file
        if not path.exists():
            continue
        used.add(path)
        shown = settings.display(path)
        rows = parse_list(path, shown, findings)
        if rows is not None:
            lists[kind.name] = RawList(kind.name, shown, path, rows)

    # A Markdown file that no kind claims is most likely misplaced: say so rather than drop it.
    for path in sorted(root.rglob("*.md")):
        if path not in used and "rules" not in path.relative_to(root).parts:
            findings.add(settings.display(path), 1, "stray-file")
    return RawContent(items, lists)
