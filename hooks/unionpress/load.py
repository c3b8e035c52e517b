"""Load: content files → raw items (front matter with line numbers, body, where it came from).

Nothing here judges the content; it only reads every file once, decodes it, and splits front
matter from body. A file that cannot be read becomes a finding, and the rest are still read.
"""

from __future__ import annotations

import bisect
import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from . import chars, frontmatter
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


@dataclass(frozen=True)
class Walk:
    """What the walk of the content folder found besides the files' contents: each item's file in
    order, and what the walk said (misplaced, stray and linked files). `unionpress serve` keeps it,
    told of changes by walk_after while that can be sure of them."""

    items: tuple[tuple[str, str, Path, str], ...]  # (kind, slug, file, parent)
    said: tuple  # its findings
    files: frozenset[str]  # the item files and list files it found, as text
    spoken: frozenset[str] = frozenset()  # the paths its findings are about, as text


def _walk_order(parts: tuple[str, ...]) -> tuple:
    """Where a file comes in a kind's walk (_Finder.items): folder by folder in sorted order, a
    folder's own files before its subfolders'."""
    return tuple((1, name) for name in parts[:-1]) + ((0, parts[-1]),)


def walk_after(walk: Walk, named: Iterable[str], root: Path) -> Walk | None:
    """`walk` as a walk of the folder would find it now that the named paths changed, when that is
    certain without walking: each named file is one it found and still a file (an edit), or a plain
    item file (KIND/x.md, KIND/2026/x.md) come into a folder it walked or gone from it (a new story,
    one deleted or renamed: such a file is always an item, and the walk says nothing of it). What
    editors' tools leave (is_junk) is passed over. Anything else (a picture, a folder, a bundle's
    file, a text file the stray check reads) and None: walk."""
    files, items = set(walk.files), list(walk.items)
    listed: dict[str, set[str]] = {}  # a folder's names as the disk spells them

    def spelled(path: str) -> bool:
        """Whether the file is there under this very name: on a file system that ignores case (or
        Unicode forms), Story.md renamed story.md still answers to its old name."""
        folder, name = os.path.split(path)
        if folder not in listed:
            try:
                listed[folder] = set(os.listdir(folder))
            except OSError:
                listed[folder] = set()
        return name in listed[folder]

    for path in named:
        inner = os.path.relpath(path, root).split(os.sep)
        if inner == ["."] or path in walk.spoken:  # the folder itself; a file the walk spoke of
            return None
        if inner[0] == ".." or any(is_junk(name) for name in inner):
            continue
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            mode = None
        if mode is not None and not spelled(path):
            return None
        if path in files and mode is not None and stat.S_ISREG(mode):
            continue  # an edit
        plain = _plain_item(inner, root)
        if plain is None:  # a picture (the other files are part of every item), a folder, a bundle's file …
            return None
        if mode is None and path not in files:
            continue  # came and went: the walk would not find it
        kind, slug = plain
        at = [index for index, found in enumerate(items) if found[0] == kind and not found[3]]
        if not at:
            return None
        own = items[at[0]:at[-1] + 1]
        # By the paths' text: a Path made and cut for each of 10,000 stories took 0.15 s a new story.
        folder = len(str(root / ITEM_KINDS[kind].folder)) + 1
        order = [_walk_order(tuple(str(found[2])[folder:].split(os.sep))) for found in own]
        place = _walk_order(tuple(inner[1:]))
        if mode is None and path in files:  # gone
            del items[at[0] + order.index(place)]
            files.discard(path)
        elif mode is not None and stat.S_ISREG(mode) and path not in files:  # come
            if any(found[1] == slug for found in own):
                return None  # two files, one slug: which is read first is the walk's to say
            items.insert(at[0] + bisect.bisect(order, place), (kind, slug, Path(path), ""))
            files.add(path)
        else:
            return None
    return Walk(tuple(items), walk.said, frozenset(files), walk.spoken)


def _plain_item(inner: list[str], root: Path) -> tuple[str, str] | None:
    """(kind, slug) of KIND/x.md or KIND/YYYY/x.md, a kind's own folder or year folder holding it, no
    symbolic link on the way; else None."""
    if len(inner) not in (2, 3) or not inner[-1].endswith(".md") or inner[-1] == "index.md" or len(inner[-1]) <= 3:
        return None
    if len(inner) == 3 and not _YEAR.fullmatch(inner[1]):
        return None
    kind = next((kind for kind in ITEM_KINDS.values() if kind.folder == inner[0] and not kind.parent), None)
    if kind is None or any(os.path.islink(root.joinpath(*inner[:depth])) for depth in range(1, len(inner))):
        return None
    return kind.name, inner[-1][:-3]


@dataclass
class RawContent:
    items: list[RawItem]
    lists: dict[str, RawList]
    digests: dict[str, bytes] = field(default_factory=dict)  # a build's: each Markdown file's bytes by digest (buildmemo)
    walk: Walk | None = None


def _encoding_of(data: bytes) -> tuple[str, str]:
    """(what the bytes look like, the iconv name to convert from) for a file that is not UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data[:200].count(b"\x00") * 4 > len(data[:200]):
        return "UTF-16 编码（Windows 记事本的“Unicode”保存方式）", "UTF-16"
    try:
        data.decode("gb18030")
    except UnicodeDecodeError:
        return "", ""
    return "GBK/GB18030 编码（Windows 记事本或 WPS 的默认保存方式）", "GB18030"


def read_text(path: Path, shown: str, findings: Findings, digests: dict | None = None) -> str | None:
    """Decode a content file as UTF-8 (BOM allowed); anything else is a finding, not a crash.
    `digests`: where to note the digest of the bytes read, by the path's text."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        findings.add(shown, 1, "unreadable", reason=exc.strerror or type(exc).__name__)
        return None
    if digests is not None:
        digests[str(path)] = hashlib.blake2b(data, digest_size=16).digest()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        looks, source = _encoding_of(data)
        fix = (f"或运行 iconv -f {source} -t UTF-8 原文件 > 新文件" if source
               else "或用编辑器打开后确认文字无误再另存")
        findings.add(shown, line, "encoding", guess=f"，看起来是 {looks}" if looks else "", fix=fix)
        return None
    if "\x00" in text:
        findings.add(shown, text.count("\n", 0, text.index("\x00")) + 1, "nul-byte")
        return None
    # \r\r\n is what some Windows tools write for one line break; counted as two it would move every line.
    text = text.replace("\r\r\n", "\n").replace("\r\n", "\n").replace("\r", "\n")
    return _without_controls(text, shown, findings)


def _without_controls(text: str, shown: str, findings: Findings, first_line: int = 1) -> str:
    """The text without control characters, each line that held one reported (chars.py says why).
    Done when a file is read, once, so the checks, the pages and every output read the same text."""
    if not chars.CONTROL.search(text):
        return text
    for line, col, found in chars.controls(text):
        findings.add(shown, line + first_line - 1, "control-char", col=col, chars=chars.describe(found))
    return chars.strip_controls(text)


_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,6})|([0-9]{1,7}));")
# HTML reads &#128;–&#159; as Windows-1252 (&#150; is –) but for these five, which stay controls;
# &#0; and a surrogate become U+FFFD, which is text.
_CP1252_HOLES = frozenset({0x81, 0x8D, 0x8F, 0x90, 0x9D})


def _control_reference(match: re.Match) -> str:
    point = int(match.group(1), 16) if match.group(1) else int(match.group(2))
    if 0 < point <= 0x10FFFF and not 0xD800 <= point <= 0xDFFF and chars.CONTROL.fullmatch(chr(point)) \
            and not (0x80 <= point <= 0x9F and point not in _CP1252_HOLES):
        return chr(point)
    return match.group()


def _body_without_controls(body: str, shown: str, findings: Findings, body_line: int) -> str:
    """A body is HTML too: a character reference to a control (&#12;) becomes the control itself
    once parsed, so it goes the same way as the character."""
    if "&#" not in body:
        return body
    return _without_controls(_REFERENCE.sub(_control_reference, body), shown, findings, body_line)


def _parse_yaml(text: str, shown: str, findings: Findings, line_offset: int = 0,
                parse_yaml: Callable = frontmatter.parse_yaml) -> tuple[bool, object]:
    """Parse YAML, reporting syntax errors and repeated keys with their lines; (parsed?, value)."""
    try:
        value, duplicates, controls = parse_yaml(text, line_offset)
    except frontmatter.YamlError as exc:
        findings.add(shown, exc.line, "yaml-syntax", detail=exc.detail)
        return False, None
    for line, key in duplicates:
        findings.add(shown, line, "yaml-duplicate-key", key=key)
    for line, col, found in controls:
        findings.add(shown, line, "control-char", col=col, chars=chars.describe(found))
    return True, value


_CONFLICT = re.compile(r"^(?:<{7}|>{7})(?: |$)")  # Git's conflict markers (======= alone is a heading rule)
# `title: 劳模 #五一# 特别报道`: YAML reads " #" as the start of a comment and drops the rest.
_TRAILING_COMMENT = re.compile(r"^\s*[A-Za-z_]\w*:[ \t]+[^'\"\s#|>&*!%@`\[{][^#\n]*?[ \t]#")
_FIELD_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*):(?:\s|$)")


def _fields_after_fence(body: str) -> list[str]:
    """Keys that follow a stray `---` inside the front matter: the body starts with `key: value` lines
    and another `---`. Those fields (status among them, often) would silently be body text."""
    keys = []
    for line in body.split("\n"):
        if frontmatter.closes(line):
            return keys
        found = _FIELD_LINE.match(line)
        if found:
            keys.append(found.group(1))
        elif line.strip() and not line.startswith((" ", "\t", "-")):
            return []
    return []


def parse_markdown(path: Path, shown: str, findings: Findings,
                   parse_yaml: Callable = frontmatter.parse_yaml, digests: dict | None = None) -> tuple[Map, str, int] | None:
    text = read_text(path, shown, findings, digests)
    if text is None:
        return None
    conflicts = [n for n, line in enumerate(text.split("\n"), 1) if _CONFLICT.match(line)]
    if conflicts:
        findings.add(shown, conflicts[0], "merge-conflict", lines="、".join(map(str, conflicts[:6])))
        return None
    yaml_text, body, body_line = frontmatter.split(text)
    if yaml_text is None:
        unclosed = frontmatter.opens(text)
        findings.add(shown, 1, "front-matter-unclosed" if unclosed else "front-matter")
        return None
    body = _body_without_controls(body, shown, findings, body_line)
    ok, meta = _parse_yaml(yaml_text, shown, findings, 1, parse_yaml)
    if not ok:
        return None
    for number, line in enumerate(yaml_text.split("\n"), 2):
        if _TRAILING_COMMENT.match(line):
            findings.add(shown, number, "yaml-comment")
    lost = _fields_after_fence(body)
    if lost:
        findings.add(shown, body_line - 1, "front-matter-split", keys="、".join(lost[:5]))
    if meta is None:
        meta = Map()
        meta.lines = {}
    if not isinstance(meta, Map):
        findings.add(shown, 2, "not-a-map", what="头信息")
        return None
    return meta, body, body_line


def parse_list(path: Path, shown: str, findings: Findings, parse_yaml: Callable = frontmatter.parse_yaml) -> Seq | None:
    text = read_text(path, shown, findings)
    if text is None:
        return None
    ok, rows = _parse_yaml(text, shown, findings, 0, parse_yaml)
    if not ok:
        return None
    if rows is None:
        rows = Seq()
        rows.lines = []
    if not isinstance(rows, Seq):
        findings.add(shown, 1, "not-a-list", what="此文件")
        return None
    return rows


# What editors' tools leave beside real content: hidden files (.DS_Store, Emacs' .#lock), Office
# lock files (~$稿件.md), backups (稿件.md~, #稿件.md#) and Windows' thumbnails. They are never content
# and never worth a word.
_JUNK_NAMES = {"thumbs.db", "desktop.ini", "ehthumbs.db"}
MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".mdwn"}
_YEAR = re.compile(r"[0-9]{4}")


def is_junk(name: str) -> bool:
    return (name.startswith((".", "~$")) or name.endswith("~") or (name.startswith("#") and name.endswith("#"))
            or name.lower() in _JUNK_NAMES)


def content_walk(root: Path):
    """(folder, subfolders, files) under root, sorted, junk left out, symlinks never followed."""
    for here, folders, files in os.walk(root):
        folders[:] = sorted(name for name in folders if not is_junk(name))
        yield Path(here), folders, sorted(name for name in files if not is_junk(name))


class _Finder:
    """Finds each kind's item files by the editors' rules (README, 内容文件的规则):

    - KIND/SLUG.md is an item, and so is KIND/SLUG/index.md (a bundle: the folder holds its images);
      a four-digit folder (KIND/2026/) only sorts items by year and is never an item itself.
    - Markdown with another ending (.MD, .markdown) is an error, not a silent skip: rename it .md.
    - index.md directly in KIND/ or in a year folder is an error: it would swallow every item there.
    - A folder without index.md that holds Markdown is an error: its files would publish as separate
      items under their file names, which is never what the editor meant.
    - A symlink is never read (it may point outside the repository); it is an error naming it.
    - Other Markdown inside a bundle is not published: a warning names it.
    """

    def __init__(self, settings: Settings, findings: Findings) -> None:
        self.settings, self.findings = settings, findings
        self.seen: set[str] = set()  # every Markdown file a kind has judged (by its text: a Path's == is slow)
        self.spoken: set[str] = set()  # every path it (or the stray check) reported

    def report(self, path: Path, code: str, **fields) -> None:
        self.seen.add(str(path))
        self.spoken.add(str(path))
        self.findings.add(self.settings.display(path), 1, code, **fields)

    def markdown(self, here: Path, files: list[str]) -> list[Path]:
        """The .md files in one folder, reporting the ones that cannot count as content."""
        found = []
        for name in files:
            path = here / name
            suffix = path.suffix.lower()
            if suffix not in MARKDOWN_SUFFIXES:
                continue
            try:  # one look at the disk, not two (is_symlink, then is_file): 10,000 files a run in serve
                mode = os.lstat(path).st_mode
            except OSError:
                mode = 0
            if stat.S_ISLNK(mode):
                self.report(path, "symlink")
            elif not stat.S_ISREG(mode):  # not a link, so lstat says what stat would
                self.report(path, "not-a-file")
            elif path.suffix != ".md":
                self.report(path, "md-extension", name=path.stem + ".md")
            else:
                found.append(path)
        return found

    def items(self, folder: Path, skip: str = "") -> list[tuple[str, Path]]:
        """(slug, file) for each item of a kind folder, in a stable order; `skip` is a child kind's folder."""
        found: list[tuple[str, Path]] = []
        for here, folders, files in content_walk(folder):
            depth = len(here.relative_to(folder).parts)
            for name in list(folders):
                if (here / name).is_symlink():
                    folders.remove(name)
                    self.report(here / name, "symlink")
                elif skip and name == skip and depth == 1:
                    folders.remove(name)  # a contest's entries are read as their own kind
            pages = self.markdown(here, files)
            sorting = depth == 0 or (depth == 1 and _YEAR.fullmatch(here.name))
            index = here / "index.md"
            if sorting:
                for path in pages:
                    if path == index:
                        self.report(path, "index-misplaced", folder=self.settings.display(here))
                    else:
                        self.seen.add(str(path))
                        found.append((path.stem, path))
            elif index in pages:
                self.seen.add(str(index))
                found.append((here.name, index))
                for path in pages:
                    if path != index:
                        self._extra(path, index)
                self._extras(here, folders, index)
            else:
                for path in pages:
                    self.report(path, "bundle-no-index", folder=self.settings.display(here), slug=here.name)
        return found

    def _extras(self, here: Path, folders: list[str], index: Path) -> None:
        """Markdown in a bundle's subfolders is not published either; stop the walk there."""
        for name in folders:
            for sub, _, files in content_walk(here / name):
                for path in self.markdown(sub, files):
                    self._extra(path, index)
        folders.clear()

    def _extra(self, path: Path, index: Path) -> None:
        """Markdown inside a bundle is not published: a warning, or an error when it says published
        (contests/2026/x/entries/ or an Entries/ folder would otherwise lose every entry quietly)."""
        code = "bundle-extra-published" if _says_published(path) else "bundle-extra"
        self.report(path, code, bundle=self.settings.display(index))


def load(settings: Settings, findings: Findings, parse: Callable | None = None,
         display: Callable[[Path], str] | None = None, walked: Walk | None = None) -> RawContent:
    """`parse(parser, path, shown, findings)`, when given, parses one file (`unionpress serve` keeps each
    file's result and parses again only the files that changed); `display(path)`, when given, is
    settings.display remembered across runs (it resolves the path on the disk: 10,000 look-ups);
    `walked`, the walk as the caller knows it to be now (walk_after): its items are read, the folders
    not walked (two walks and a look at each of 17,000 files)."""
    remembered = None
    digests: dict[str, bytes] = {}
    if parse is None:  # a build of its own: front matter an earlier build parsed is not parsed again
        remembered = frontmatter.Remembered(_memo_path(settings))

        def parse(parser, path, shown, found):
            if parser is parse_markdown:  # noted as read: the pages' memo tells items by their files
                return parser(path, shown, found, remembered.parse, digests)
            return parser(path, shown, found, remembered.parse)
    display = display or settings.display
    root = settings.content_dir
    try:
        found = root.is_dir()
    except OSError:  # a name longer than the file system allows (content_dir is a setting)
        found = False
    if not found:
        findings.add(settings.display(root), 1, "content-dir", folder=settings.display(root))
        return RawContent([], {})
    items: list[RawItem] = []
    said = Findings()  # what the walk says, kept with it
    finder = _Finder(settings, said)
    found = list(walked.items) if walked is not None else _walk(root, finder)
    for kind, slug, path, parent in found:
        shown = display(path)
        if not SLUG_RE.match(slug):
            findings.add(shown, 1, "slug-invalid", slug=slug)
        parsed = parse(parse_markdown, path, shown, findings)
        if parsed is None:
            continue
        meta, body, body_line = parsed
        items.append(RawItem(kind, slug, shown, path, path.parent, meta, body, body_line, parent,
                             bundle=path.name == "index.md"))

    lists: dict[str, RawList] = {}
    for kind in LIST_KINDS.values():
        path = root / kind.file
        if not path.exists() and not path.is_symlink():
            continue
        finder.seen.add(str(path))
        if path.is_symlink():
            findings.add(settings.display(path), 1, "symlink")
            continue
        shown = settings.display(path)
        rows = parse(parse_list, path, shown, findings)
        if rows is not None:
            lists[kind.name] = RawList(kind.name, shown, path, rows)

    if walked is None:
        _report_strays(root, finder, settings, said)
        walked = Walk(tuple(found), tuple(said.items), frozenset(
            [str(path) for _kind, _slug, path, _parent in found] + [str(raw.path) for raw in lists.values()]),
            frozenset(finder.spoken))
    findings.items.extend(walked.said)
    if remembered is not None:
        remembered.save()
    return RawContent(items, lists, digests, walked)


def _walk(root: Path, finder: _Finder) -> list[tuple[str, str, Path, str]]:
    """(kind, slug, file, parent) of each item, in the order they are read: each kind's folder, its
    child kind's (a contest's entries) after it."""
    found: list[tuple[str, str, Path, str]] = []
    children = {kind.parent: kind for kind in ITEM_KINDS.values() if kind.parent}
    for kind in ITEM_KINDS.values():
        folder = root / kind.folder
        if kind.parent or not folder.is_dir():
            continue
        child = children.get(kind.name)
        found += [(kind.name, slug, path, "") for slug, path in finder.items(folder, skip=child.folder if child else "")]
        if child:
            for sub in sorted(folder.glob(f"*/{child.folder}")):
                if sub.is_dir() and not sub.is_symlink() and not is_junk(sub.parent.name):
                    found += [(child.name, slug, path, sub.parent.name) for slug, path in finder.items(sub)]
    return found


def _memo_path(settings: Settings) -> Path:
    """Where a build keeps the front matter it parsed (frontmatter.Remembered): beside the engine's records."""
    from . import derived

    return derived.memo_file(settings.cache_dir, "parsed", settings.content_dir, ".pickle")


def _report_strays(root: Path, finder: _Finder, settings: Settings, findings: Findings) -> None:
    """A Markdown file no kind claims is most likely misplaced (content/storys/…): say so rather than drop
    it, and make it an error when it says it is published, since then a story the editor meant to
    publish would silently be missing."""
    for here, folders, files in content_walk(root):
        if here == root:
            folders[:] = [name for name in folders if name != "rules"]  # the wording rules live there
        for name in files:
            suffix = os.path.splitext(name)[1].lower()
            if suffix != ".txt" and suffix not in MARKDOWN_SUFFIXES:
                continue  # told by its name first: the pictures and attachments are most of the files
            if os.path.join(here, name) in finder.seen:
                continue
            path = here / name
            if not path.is_file():
                continue
            finder.spoken.add(str(path))
            shown = settings.display(path)
            if suffix == ".txt":  # Notepad saved 稿件.md as 稿件.md.txt
                head = _peek(path)
                if head.startswith(("---", "\ufeff---")) and _PUBLISHED.search(head):
                    stem = name[:-4]
                    findings.add(shown, 1, "md-extension", name=stem if stem.endswith(".md") else stem + ".md")
                continue
            if _says_published(path):
                findings.add(shown, 1, "stray-published", kinds="、".join(
                    f"content/{kind.folder}/" for kind in ITEM_KINDS.values() if not kind.parent))
            else:
                findings.add(shown, 1, "stray-file")


_PUBLISHED = re.compile(r"^status:\s*['\"]?published\b", re.M)


def _says_published(path: Path) -> bool:
    return bool(_PUBLISHED.search(_peek(path)))


def _peek(path: Path) -> str:
    try:
        return path.read_bytes()[:8192].decode("utf-8", "replace")
    except OSError:
        return ""
