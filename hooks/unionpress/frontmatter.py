"""YAML front matter with line numbers, without YAML 1.1's traps.

PyYAML implements YAML 1.1, where an editor's `no`, `yes`, `on`, `off` become booleans and `12:30`
becomes the integer 750. We keep PyYAML (fast, well kept) but give it the YAML 1.2 core rules for
booleans and integers. Every mapping and list remembers the line of each key and element, so a
finding can name the exact line of a nested field such as `works[3].image`.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import chars

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Map(dict):
    """A YAML mapping that knows its own line and each key's line (1-based, in the file)."""

    line: int = 1
    lines: dict


class Seq(list):
    """A YAML sequence that knows its own line and each element's line."""

    line: int = 1
    lines: list


class WrittenFloat(float):
    """A YAML float that remembers how it was written, so a text field keeps `3.10`."""

    written: str = ""


@dataclass(frozen=True)
class BadDate:
    """A value that looks like a date but is not one (2024-02-30); validate reports it."""

    text: str

    def __str__(self) -> str:
        return self.text


class _Loader(_Base):  # type: ignore[misc, valid-type]
    line_offset = 0

    def __init__(self, stream):
        super().__init__(stream)
        self.duplicates: list[tuple[int, str]] = []
        self.controls: list[tuple[int, int, str]] = []  # (line, column, characters) removed from a value

    def _line(self, node) -> int:
        return node.start_mark.line + 1 + self.line_offset

    def construct_mapping(self, node, deep=False):  # noqa: D401 - PyYAML hook
        if not isinstance(node, yaml.MappingNode):
            raise yaml.constructor.ConstructorError(None, None, "expected a mapping", node.start_mark)
        # A key written twice is a mistake; a key that also comes in through a merge (`<<: *sig`) is
        # the point of merging. So look for repeats among the written keys only, before merging.
        written: set = set()
        for key_node, _value in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in written:
                    self.duplicates.append((self._line(key_node), key_node.value))
                written.add(key_node.value)
        self.flatten_mapping(node)  # merged pairs first, written ones after: the written value wins
        result = Map()
        result.line = self._line(node)
        result.lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = str(key)  # `2024: …` or `true: …` as a key: keep it, as text
            result[key] = self.construct_object(value_node, deep=True)
            result.lines[key] = self._line(key_node)
        return result

    def construct_seq(self, node):
        result = Seq()
        result.line = self._line(node)
        result.lines = []
        for child in node.value:
            result.append(self.construct_object(child, deep=True))
            result.lines.append(self._line(child))
        return result

    def construct_str(self, node):
        """A text, without the control characters a double-quoted escape ("\\f", "\\x1b") can write:
        the raw characters never get here (load.py removes them), these only exist once parsed."""
        value = yaml.constructor.SafeConstructor.construct_yaml_str(self, node)
        if chars.CONTROL.search(value):
            self.controls.append((self._line(node), node.start_mark.column + 1, "".join(chars.CONTROL.findall(value))))
            value = chars.strip_controls(value)
        return value

    def construct_float(self, node):
        value = WrittenFloat(yaml.constructor.SafeConstructor.construct_yaml_float(self, node))
        value.written = str(node.value)
        return value

    def construct_timestamp(self, node):
        try:
            value = yaml.constructor.SafeConstructor.construct_yaml_timestamp(self, node)
        except ValueError:
            return BadDate(str(node.value))
        return value


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_seq)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:float", _Loader.construct_float)
_Loader.add_constructor("tag:yaml.org,2002:str", _Loader.construct_str)

# Replace the YAML 1.1 implicit resolvers for bool and int with YAML 1.2 core ones.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int")]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?(?:0|[1-9][0-9]*)|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)


class YamlError(Exception):
    def __init__(self, line: int, detail: str):
        super().__init__(detail)
        self.line = line
        self.detail = detail


def _describe(problem: str | None) -> str:
    translations = {
        "mapping values are not allowed": "此处不能出现冒号“:”。若值里含冒号，请给整个值加引号",
        "could not find expected ':'": "缺少冒号“:”",
        "found character '\\t' that cannot start any token": "不能用 Tab 缩进，请改用空格",
        "found unexpected end of stream": "引号或括号没有闭合",
        "did not find expected key": "缩进不一致或缺少“字段:”；若值以 [、{、引号开头又接着别的文字，请给整个值加引号",
        "found undefined alias": "使用了未定义的别名（*）",
        "expected <block end>, but found '-'": "列表项缩进不一致",
        "did not find expected '-' indicator": "列表项缩进不一致",
        "found unknown escape character": "双引号中含有无效的转义字符（\\），请改用单引号",
        "did not find expected hexdecimal number": "双引号中的反斜杠 \\ 被当成了转义（如 C:\\Users），请改用单引号",
        "expected escape sequence": "双引号中的反斜杠 \\ 被当成了转义（如 C:\\Users），请改用单引号",
        "found invalid Unicode character escape code": "双引号中的 \\u 转义不是有效字符，请直接写出字符或改用单引号",
        "found character that cannot start any token": "值不能以 @、`、% 等符号开头，缩进也不能用 Tab：请给整个值加引号，缩进改用空格",
        "did not find expected alphabetic or numeric character": "* 和 & 在 YAML 里有特殊含义：请给整个值加引号",
        "did not find expected comment or line break": "| 和 > 后面不能直接接文字：请给整个值加引号",
        "found a tab character": "不能用 Tab 缩进，请改用空格",
        "unacceptable character": "含有不可见的控制字符（例如 Word 的软回车）：请删除这个字符",
        "expected ',' or ']'": "方括号 [ ] 没有闭合，或列表项之间缺少逗号",
        "expected ',' or '}'": "花括号 { } 没有闭合，或字段之间缺少逗号",
        "found unhashable key": "“字段:”的字段名不能是列表或映射；若是文字，请加引号",
    }
    problem = (problem or "").strip()
    for english, chinese in translations.items():
        if problem.startswith(english):
            return f"{chinese}（{problem}）"
    return problem or "无法解析"


# Front matter and list files are small; anything past these limits is an accident or an attack
# (a "billion laughs" alias bomb, 50,000 nested brackets that would crash the C parser).
MAX_DEPTH = 64
MAX_NODES = 100_000  # after expanding aliases and merges


def _check_shape(text: str, line_offset: int) -> None:
    """Nesting depth from the event stream, which libyaml produces without recursion."""
    depth = 0
    for event in yaml.parse(text, Loader=_Base):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlError(event.start_mark.line + 1 + line_offset, f"嵌套层次过深（超过 {MAX_DEPTH} 层）")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _check_size(node, line_offset: int) -> None:
    """The size the document would have with every alias and merge expanded, counted once per node."""
    sizes: dict[int, int] = {}

    def size(current) -> int:
        if id(current) not in sizes:
            sizes[id(current)] = 0  # a node inside itself (recursive alias) counts once
            children = current.value if isinstance(current.value, list) else []
            total = 1
            for child in children:
                total += sum(size(part) for part in child) if isinstance(child, tuple) else size(child)
                if total > MAX_NODES:
                    break
            sizes[id(current)] = total
        return sizes[id(current)]

    if size(node) > MAX_NODES:
        raise YamlError(node.start_mark.line + 1 + line_offset,
                        f"别名（*）或合并（<<）展开后过大（超过 {MAX_NODES} 项），请不要用别名互相嵌套")


_UNBUILDABLE = re.compile(r"(?:^|[\s:\[{,-])!{1,2}[\w/]|[0-9]{1000}")


def _unbuildable_line(text: str) -> int:
    """The line of the first explicit tag or huge number: where a construction error comes from."""
    found = _UNBUILDABLE.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else 1


def located(exc: yaml.YAMLError, text: str, line_offset: int = 0) -> YamlError:
    """A PyYAML error as a YamlError: the line it is on and what it means in Chinese. Shared by the
    front matter, the list files and mkdocs.yml."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + line_offset) if mark else 1 + line_offset
        return YamlError(line, _describe(exc.problem))
    if isinstance(exc, yaml.reader.ReaderError):  # a control character: its position, not a mark
        bad = yaml.reader.Reader.NON_PRINTABLE.search(text)  # exc.position is not always the character's
        line = text.count("\n", 0, bad.start() if bad else max(exc.position, 0)) + 1 + line_offset
        return YamlError(line, _describe(exc.reason if exc.reason.startswith("unacceptable") else
                                         f"unacceptable character #x{exc.character:04x}"))
    return YamlError(1 + line_offset, _describe(str(exc)))  # unmarked errors (rare): still a clean message


def parse_yaml(text: str, line_offset: int = 0):
    """Parse YAML text; returns (value, duplicate keys as (line, key), control characters removed from
    values as (line, column, characters)); raises YamlError with a line."""
    loader = _Loader(text)
    loader.line_offset = line_offset
    try:
        _check_shape(text, line_offset)
        node = loader.get_single_node()
        if node is not None:
            _check_size(node, line_offset)
        value = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        raise located(exc, text, line_offset) from None
    except RecursionError:
        raise YamlError(1 + line_offset, "嵌套层次过深") from None
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError, IndexError):
        # A value YAML cannot build: an explicit tag (`!!int 十二`) or a 5000-digit number.
        raise YamlError(_unbuildable_line(text) + line_offset, "这个值无法读取（类型标记 !! 不适用，或数字过长）："
                        "若是文字，请给整个值加引号") from None
    finally:
        loader.dispose()
    return value, loader.duplicates, loader.controls


class Remembered:
    """For a build in a process of its own: front matter as an earlier build parsed it, by its text
    (parsing is pure: the same text, line offset, engine and PyYAML give the same value, repeated
    keys and removed characters). Parsing was three quarters of reading the content folder (4.5 s at
    10,000 stories). Kept in the cache with the engine's other records, pickled, and read back only
    as the types a parse makes (_Unpickler): a memo that cannot be read is parsed again, one that
    cannot be written costs time only. Text that does not parse is not kept: its error is reported
    by parsing it again each time."""

    def __init__(self, path: Path) -> None:
        from . import derived

        self.path = path
        self.salt = derived._digest([derived._engine().hex(), derived._versions(("pyyaml",)), _Base.__name__])
        try:
            with path.open("rb") as handle:
                earlier = _Unpickler(handle).load()
            self.earlier = earlier if isinstance(earlier, dict) else {}
        except Exception:  # noqa: BLE001 — anything a damaged or foreign file raises: parse it all again
            self.earlier = {}
        self.now: dict[str, bytes] = {}

    def parse(self, text: str, line_offset: int = 0):
        """parse_yaml(text, line_offset), from the memo when an earlier build parsed the same text."""
        key = hashlib.sha256(f"{self.salt}\0{line_offset}\0".encode() + text.encode("utf-8", "surrogatepass")).hexdigest()
        kept = self.earlier.get(key)
        # Each entry carries the SHA-256 of its pickle, checked like derived.cached's records: a date
        # changed by a damaged disk would otherwise be believed (and could publish an embargoed story).
        if isinstance(kept, bytes) and hashlib.sha256(kept[32:]).digest() == kept[:32]:
            try:
                found = _Unpickler(io.BytesIO(kept[32:])).load()  # each time anew: no two items share a value
                self.now[key] = kept
                return found
            except Exception:  # noqa: BLE001 — not a value a parse makes: parsed again
                pass
        found = parse_yaml(text, line_offset)
        data = pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL)
        self.now[key] = hashlib.sha256(data).digest() + data
        return found

    def save(self) -> None:
        """Keep what this build parsed (only that: an edited file leaves no stale entry)."""
        if self.now.keys() == self.earlier.keys():
            return
        from .responsive import _write_atomically

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _write_atomically(self.path, pickle.dumps(self.now, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            pass


class _Unpickler(pickle.Unpickler):
    """Only what a parse makes: our mappings, lists and values, dates and times. A pickle naming
    anything else (a file put in the cache by someone else) is refused, never run."""

    ALLOWED = {("unionpress.frontmatter", name) for name in ("Map", "Seq", "WrittenFloat", "BadDate")} | {
        ("datetime", name) for name in ("date", "datetime", "time", "timedelta", "timezone")}

    def find_class(self, module: str, name: str):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name}")
        return super().find_class(module, name)


_FENCE = re.compile(r"^---[ \t]*$")
_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$")


def opens(text: str) -> bool:
    """Whether the text starts a front matter (`---`), closed or not."""
    return bool(_FENCE.match(text.split("\n", 1)[0]))


def closes(line: str) -> bool:
    return bool(_END.match(line))


def split(text: str) -> tuple[str | None, str, int]:
    """Split `---` front matter from the body: (yaml text or None, body, first body line)."""
    lines = text.split("\n")
    if not lines or not _FENCE.match(lines[0]):
        return None, text, 1
    for index in range(1, len(lines)):
        if _END.match(lines[index]):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    return None, text, 1
