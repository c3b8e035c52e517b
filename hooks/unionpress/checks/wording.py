"""规范表述 and sensitive words (DESIGN §6): the union's own lists, read from content/rules/.

`wording.yml` holds the rules a publisher answers for (a fixed phrase written wrong, a fixed series
out of order, a short name before the full one, an outdated or banned term, a pattern);
`sensitive.yml` the words the union must never publish. Both are the union's files, so a rule file
that cannot be read is reported at its own `path:line` and the rest of it still applies.

What is read is the rendered text of the fields a reader sees (title, summary, alt texts, captions,
work titles, quotes …) and of the body, never code, URLs or HTML attributes other than alt and
title: a URL or a code sample is not prose the union wrote. Every phrase of every rule goes into one
Aho–Corasick automaton (pyahocorasick), so a text is read once however many rules there are; only
the few `pattern` rules are regular expressions. Sensitive words are matched on the text with the
usual evasions undone (full-width letters, spaces or punctuation between characters, traditional
characters), with the same automaton, in a second pass over that normalised text.
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import ahocorasick
import yaml

from .. import frontmatter
from ..findings import ERROR, WARNING, Finding, Findings, did_you_mean
from ..items import Exemption
from .privacy import as_read
from .reading import Places, Reading, aligned, front_matter, read_source

RULES_FOLDER = "rules"
WORDING_FILE = "wording.yml"
SENSITIVE_FILE = "sensitive.yml"
SENSITIVE_CODE = "sensitive-word"
KINDS = ("variant", "series", "first-full", "banned", "pattern")
LEVELS = {"error": ERROR, "warning": WARNING}
# The front-matter fields whose text a reader sees (nested ones too: works[].title, works[].description).
TEXT_FIELDS = frozenset({"title", "summary", "cover_alt", "photo_alt", "alt", "caption", "quote",
                         "description", "theme", "digest"})
# A list row's printed name (a column's, a topic's …) besides its text fields.
LIST_FIELDS = TEXT_FIELDS | {"name"}
FIELDS = LIST_FIELDS | {"body"}
ITEM_KINDS = frozenset({"story", "model", "exhibition", "book", "share", "contest", "entry"})
# The lists whose rows are printed (synonyms only steer the search), and what else a rule may be
# limited to: a hand-written page of docs/ and a printed setting of mkdocs.yml.
PRINTED_LISTS = ("column", "topic", "honor", "shelf")
PLACES = ITEM_KINDS | frozenset(PRINTED_LISTS) | {"page", "setting"}
# What each kind needs besides code, level, message and kind; and what it may have.
NEEDS = {"variant": ("wrong", "right"), "series": ("series",), "first-full": ("full", "short"),
         "banned": ("wrong",), "pattern": ("pattern",)}
OPTIONAL = frozenset({"right", "fields", "kinds", "unless", "at_least", "separator"})
_CODE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$")
_YAML = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Rule:
    code: str
    level: str
    kind: str
    message: str
    right: str = ""
    wrong: tuple[str, ...] = ()  # variant, banned: the wrong forms; first-full: the short forms
    series: tuple[str, ...] = ()
    full: str = ""
    unless: tuple[str, ...] = ()  # longer texts a wrong form may sit in (民工 in 农民工)
    pattern: re.Pattern | None = None
    fields: frozenset[str] | None = None
    kinds: frozenset[str] | None = None
    at_least: int = 2
    separator: str = "、"

    def applies(self, field: str, kind: str) -> bool:
        return (self.fields is None or field in self.fields) and (self.kinds is None or kind in self.kinds)


# A phrase in the automaton: the rule (index) and its role: a wrong form, a right form (whose span
# shields the wrong forms inside it), a series member (with its place), a full or short name.
Role = tuple[int, str, int]


class Matcher:
    """Every phrase of a list of rules in one Aho–Corasick automaton."""

    def __init__(self, phrases: Mapping[str, list[Role]]) -> None:
        self.automaton = ahocorasick.Automaton()
        for phrase, roles in phrases.items():
            self.automaton.add_word(phrase, (len(phrase), tuple(roles)))
        self.empty = not phrases
        if not self.empty:
            self.automaton.make_automaton()

    def hits(self, text: str) -> list[tuple[int, int, Role]]:
        """(start, end, role) of every phrase in `text`, by start then longest first."""
        if self.empty:
            return []
        found = [(end + 1 - length, end + 1, role)
                 for end, (length, roles) in self.automaton.iter(text) for role in roles]
        found.sort(key=lambda hit: (hit[0], -hit[1]))
        return found


@dataclass(frozen=True)
class Book:
    """The union's rules and sensitive words, ready to match."""

    rules: tuple[Rule, ...]
    matcher: Matcher
    sensitive: tuple[str, ...]
    sensitive_level: str
    sensitive_matcher: Matcher
    sensitive_source: str

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(rule.code for rule in self.rules) | ({SENSITIVE_CODE} if self.sensitive else set())


def _phrases(rules: tuple[Rule, ...]) -> dict[str, list[Role]]:
    phrases: dict[str, list[Role]] = {}
    for index, rule in enumerate(rules):
        roles: list[tuple[str, str, int]] = []
        if rule.kind in ("variant", "banned"):
            roles += [(wrong, "wrong", 0) for wrong in rule.wrong]
            roles += [(rule.right, "right", 0)] if rule.right else []
        elif rule.kind == "series":
            roles += [(member, "member", place) for place, member in enumerate(rule.series)]
        elif rule.kind == "first-full":
            roles += [(short, "short", 0) for short in rule.wrong] + [(rule.full, "full", 0)]
        roles += [(text, "right", 0) for text in rule.unless]
        for phrase, role, place in roles:
            phrases.setdefault(phrase, []).append((index, role, place))
    return phrases


# ---- the rule files ----------------------------------------------------------------------------

def _compose(text: str, shown: str, findings: Findings) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=_YAML)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        findings.add(shown, mark.line + 1 if mark else 1, "rules-yaml", col=mark.column + 1 if mark else 0,
                     detail=str(error.problem or error.context or "").strip())
    except (yaml.YAMLError, ValueError, RecursionError) as error:
        findings.add(shown, 1, "rules-yaml", detail=str(error))
    return None


def _texts(node: yaml.Node) -> tuple[str, ...] | None:
    """A text or a list of texts (non-empty), or None when it is anything else."""
    if isinstance(node, yaml.ScalarNode) and node.value.strip():
        return (node.value,)
    if isinstance(node, yaml.SequenceNode) and node.value and all(
            isinstance(inner, yaml.ScalarNode) and inner.value.strip() for inner in node.value):
        return tuple(inner.value for inner in node.value)
    return None


def _rule(node: yaml.Node, shown: str, findings: Findings, seen: dict[str, int]) -> Rule | None:
    line = node.start_mark.line + 1
    if not isinstance(node, yaml.MappingNode):
        findings.add(shown, line, "rules-shape", what="每条规则", expected="“字段: 值”的映射（code、level、kind、message …）")
        return None
    fields = {key.value: value for key, value in node.value if isinstance(key, yaml.ScalarNode)}
    at = {name: value.start_mark.line + 1 for name, value in fields.items()}
    code = fields["code"].value.strip() if isinstance(fields.get("code"), yaml.ScalarNode) else ""
    label = code or f"第 {line} 行"
    ok = True
    for name in ("code", "level", "kind", "message"):
        if not isinstance(fields.get(name), yaml.ScalarNode) or not fields[name].value.strip():
            findings.add(shown, at.get(name, line), "rules-field", rule=label, field=name, why="每条规则都要写")
            ok = False
    if code and not _CODE.match(code):
        findings.add(shown, at["code"], "rules-code", rule=code, why="只能用小写英文字母、数字和连字符，且至少有一个连字符，如 wording-acftu")
        ok = False
    elif code in seen:
        findings.add(shown, at["code"], "rules-code", rule=code, why=f"第 {seen[code]} 行已有同一编号")
        ok = False
    elif code:
        seen[code] = at["code"]
    level = fields["level"].value.strip() if isinstance(fields.get("level"), yaml.ScalarNode) else ""
    if level and level not in LEVELS:
        findings.add(shown, at["level"], "rules-level", rule=label, level=level)
        ok = False
    kind = fields["kind"].value.strip() if isinstance(fields.get("kind"), yaml.ScalarNode) else ""
    if kind and kind not in KINDS:
        close = did_you_mean(kind, KINDS)
        findings.add(shown, at["kind"], "rules-kind", rule=label, kind=kind,
                     hint=f"，是否想写「{close}」？" if close else "", kinds="、".join(KINDS))
        return None
    if not kind:
        return None
    for name in sorted(set(fields) - {"code", "level", "kind", "message"} - set(NEEDS[kind]) - OPTIONAL):
        close = did_you_mean(name, OPTIONAL | set(NEEDS[kind]))
        findings.add(shown, at[name], "rules-unknown", rule=label, field=name, hint=f"，是否想写「{close}」？" if close else "")
    values: dict[str, tuple[str, ...]] = {}
    for name in (*NEEDS[kind], "right", "fields", "kinds", "unless"):
        if name in fields:
            texts = _texts(fields[name])
            if texts is None:
                findings.add(shown, at[name], "rules-field", rule=label, field=name, why="应为文字或文字的列表，不能为空")
                ok = False
            else:
                values[name] = texts
        elif name in NEEDS[kind] or (name == "right" and kind in ("variant", "pattern")):
            findings.add(shown, line, "rules-field", rule=label, field=name, why=f"{kind} 类规则必须写")
            ok = False
    for name, known in (("fields", FIELDS), ("kinds", PLACES)):
        for value in values.get(name, ()):
            if value not in known:
                findings.add(shown, at[name], "rules-limit", rule=label, field=name, value=value, known="、".join(sorted(known)))
                ok = False
    pattern = None
    if kind == "pattern" and "pattern" in values:
        try:
            pattern = re.compile(values["pattern"][0])
        except re.error as error:
            findings.add(shown, at["pattern"], "rules-pattern", rule=label, detail=str(error))
            ok = False
    at_least = 2
    if "at_least" in fields:
        raw = fields["at_least"].value if isinstance(fields["at_least"], yaml.ScalarNode) else ""
        if not raw.isdigit() or int(raw) < 2:
            findings.add(shown, at["at_least"], "rules-field", rule=label, field="at_least", why="应为不小于 2 的整数")
            ok = False
        else:
            at_least = int(raw)
    if kind == "series" and "series" in values and len(values["series"]) < 2:
        findings.add(shown, at["series"], "rules-field", rule=label, field="series", why="固定顺序至少要有两项")
        ok = False
    if not ok:
        return None
    right = values.get("right", ("",))[0]
    if kind == "first-full":
        right = values["full"][0]
    return Rule(code=code, level=LEVELS[level], kind=kind, message=fields["message"].value.strip(), right=right,
                wrong=values.get("wrong", values.get("short", ())), series=values.get("series", ()),
                full=values.get("full", ("",))[0], unless=values.get("unless", ()), pattern=pattern,
                fields=frozenset(values["fields"]) if "fields" in values else None,
                kinds=frozenset(values["kinds"]) if "kinds" in values else None, at_least=at_least,
                separator=fields["separator"].value if isinstance(fields.get("separator"), yaml.ScalarNode) else "、")


def _read_file(path: Path, shown: str, findings: Findings) -> str | None:
    if not path.is_file():
        return None
    try:
        return as_read(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        findings.add(shown, 1, "encoding", guess="", fix="然后重新保存")
    except OSError as error:
        findings.add(shown, 1, "unreadable", reason=error.strerror or str(error))
    return None


def load(content_dir: Path, display: Callable[[Path], str], findings: Findings) -> Book:
    """The rule files of a content folder; each problem in them is a finding at its line."""
    folder = content_dir / RULES_FOLDER
    rules: list[Rule] = []
    shown = display(folder / WORDING_FILE)
    text = _read_file(folder / WORDING_FILE, shown, findings)
    root = _compose(text, shown, findings) if text is not None else None
    if root is not None:
        if isinstance(root, yaml.SequenceNode):
            seen: dict[str, int] = {}
            rules = [rule for node in root.value if (rule := _rule(node, shown, findings, seen)) is not None]
        else:
            findings.add(shown, root.start_mark.line + 1, "rules-shape", what="规则文件", expected="规则的列表（每条以 - 开头）")
    words: tuple[str, ...] = ()
    level = ERROR
    sensitive_shown = display(folder / SENSITIVE_FILE)
    text = _read_file(folder / SENSITIVE_FILE, sensitive_shown, findings)
    root = _compose(text, sensitive_shown, findings) if text is not None else None
    if root is not None:
        fields = ({key.value: value for key, value in root.value if isinstance(key, yaml.ScalarNode)}
                  if isinstance(root, yaml.MappingNode) else None)
        if fields is None:
            findings.add(sensitive_shown, root.start_mark.line + 1, "rules-shape", what="敏感词表",
                         expected="映射：level: error 与 words: 词的列表")
        else:
            written = fields.get("level")
            name = written.value.strip() if isinstance(written, yaml.ScalarNode) else "error"
            if name not in LEVELS:
                findings.add(sensitive_shown, written.start_mark.line + 1, "rules-level", rule=SENSITIVE_CODE, level=name)
            level = LEVELS.get(name, ERROR)
            node = fields.get("words")
            texts = _texts(node) if node is not None else ()
            if texts is None:
                findings.add(sensitive_shown, node.start_mark.line + 1, "rules-field", rule=SENSITIVE_CODE, field="words",
                             why="应为词的列表（每个词以 - 开头）")
                texts = ()
            words = tuple(dict.fromkeys(word for word in (_squeeze(t)[0] for t in texts) if word))
    book_rules = tuple(rules)
    sensitive_phrases = {word: [(0, "wrong", 0)] for word in words}
    return Book(book_rules, Matcher(_phrases(book_rules)), words, level, Matcher(sensitive_phrases), sensitive_shown)


# ---- the text a reader sees --------------------------------------------------------------------

_BODY = re.compile(
    r"(?P<fence>^[ \t]{0,3}(?P<f>`{3,}|~{3,})[^\n]*\n[\s\S]*?(?:^[ \t]{0,3}(?P=f)[^\n]*$|\Z))"
    r"|(?P<comment><!--[\s\S]*?(?:-->|\Z))"
    r"|(?P<code>(?P<ticks>`+)(?!`)[\s\S]{0,2000}?(?<!`)(?P=ticks)(?!`))"
    r"|(?P<target>\]\([^()\n]{0,1000}\)|\]\[[^\[\]\n]{0,200}\]|^[ \t]{0,3}\[[^\]\n]{1,200}\]:[^\n]*$)"
    r"|(?P<tag></?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]{0,2000})?/?>)"
    r"|(?P<url>(?:https?|ftp)://[^\s<>()（）「」，。；]+|mailto:[^\s<>()（）]+|www\.[^\s<>()（）「」，。；]+)"
    r"|(?P<entity>&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});)"
    r"|(?P<mark>\*{1,3}|_{2,3}|~~|!?\[|\])",
    re.M)
_SHOWN_ATTRIBUTE = re.compile(r"""\s(?:alt|title)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
BREAK = "\n"  # between texts that a reader does not see as one run (code, a URL, two attributes)


class _Pieces:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.starts: list[int] = []
        self.origins: list[int] = []
        self.exact: list[bool] = []
        self.length = 0

    def add(self, text: str, origin: int, exact: bool = True) -> None:
        if text:
            self.parts.append(text)
            self.starts.append(self.length)
            self.origins.append(origin)
            self.exact.append(exact)
            self.length += len(text)

    def reading(self) -> Reading:
        return Reading("".join(self.parts), tuple(self.starts), tuple(self.origins), tuple(self.exact))


def rendered(body: str) -> Reading:
    """The text of a Markdown/HTML body as a reader sees it, each character mapped to the source:
    code, URLs, link targets and tags left out (but a tag's alt and title), inline marks dropped,
    character references decoded."""
    pieces = _Pieces()
    position = 0
    for found in _BODY.finditer(body):
        start, end = found.span()
        pieces.add(body[position:start], position)
        kind = next(name for name in ("fence", "comment", "code", "target", "tag", "url", "entity", "mark")
                    if found.group(name) is not None)
        if kind == "tag":
            for attribute in _SHOWN_ATTRIBUTE.finditer(found.group()):
                group = 1 if attribute.group(1) is not None else 2
                pieces.add(BREAK, start + attribute.start(), False)
                value = attribute.group(group)
                pieces.add(html.unescape(value), start + attribute.start(group), html.unescape(value) == value)
            pieces.add(BREAK, start, False)
        elif kind == "entity":
            decoded = html.unescape(found.group())
            pieces.add(decoded, start, len(decoded) == len(found.group()))
        elif kind in ("fence", "comment", "code", "url"):
            pieces.add(BREAK, start, False)
        position = end
    pieces.add(body[position:], position)
    return pieces.reading()


@dataclass(frozen=True)
class Unit:
    """One text a reader sees: a field's value or the body, and how its offsets map to the file."""

    field: str
    text: str
    origin: Callable[[int], int]


def _field_units(node: yaml.Node | None, yaml_text: str, base: int, fields: frozenset = TEXT_FIELDS) -> Iterator[Unit]:
    """Every text field's value under a front matter node (works[].title too), in file order."""
    stack: list[tuple[yaml.Node, str]] = [(node, "")] if node is not None else []
    seen: set[int] = set()
    found: list[Unit] = []
    while stack:
        current, key = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            stack.extend((value, str(name.value)) for name, value in current.value if isinstance(name, yaml.ScalarNode))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((inner, key) for inner in current.value)
        elif isinstance(current, yaml.ScalarNode) and key in fields and current.value:
            start, end = current.start_mark.index, current.end_mark.index
            back = aligned(current.value, yaml_text[start:end])
            found.append(Unit(key, current.value, lambda at, back=back, start=start: base + start + back(at)))
    found.sort(key=lambda unit: unit.origin(0))
    yield from found


def item_units(text: str) -> tuple[str, list[Unit]]:
    """An item file's text (line breaks as read) and its units: the text fields, then the body."""
    text = as_read(text)
    yaml_text, body, body_line = frontmatter.split(text)
    places = Places(text)
    units: list[Unit] = []
    if yaml_text is not None:
        units += _field_units(front_matter(yaml_text), yaml_text, places.offset(2))  # None: reported by the loader
    base = places.offset(body_line) if yaml_text is not None else 0
    reading = rendered(body)
    units.append(Unit("body", reading.text, lambda at: base + reading.origin(at)))
    return text, units


# ---- matching ----------------------------------------------------------------------------------

# (source offset, code, level, message)
Hit = tuple[int, str, str, str]


def _message(rule: Rule, found: str, right: str) -> str:
    fix = f"（应为「{right}」）" if right else ""
    return f"「{found}」：{rule.message}{fix}"


def match(book: Book, units: list[Unit], kind: str) -> Iterator[Hit]:
    """The findings of every rule in the units of one item (or one text), in source order."""
    first_seen: dict[int, bool] = {}  # first-full rule → its full name (or a finding) already met
    for unit in units:
        rules = book.rules
        hits = book.matcher.hits(unit.text)
        shields: dict[int, list[tuple[int, int]]] = {}
        for start, end, (index, role, _place) in hits:
            if role in ("right", "full"):
                shields.setdefault(index, []).append((start, end))

        def shielded(index: int, start: int, end: int) -> bool:
            # Inside a longer right form of the same rule (劳动局 in 劳动局面, 全总 in a full name).
            return any(s <= start and end <= e and (e - s > end - start) for s, e in shields.get(index, ()))

        taken_until = -1
        members: dict[int, list[tuple[int, int, int]]] = {}
        for start, end, (index, role, place) in hits:
            rule = rules[index]
            if not rule.applies(unit.field, kind):
                continue
            if role == "member":
                members.setdefault(index, []).append((start, end, place))
            elif role == "full":
                first_seen.setdefault(index, True)
            elif role == "short":
                if not first_seen.get(index) and not shielded(index, start, end):
                    first_seen[index] = True
                    yield unit.origin(start), rule.code, rule.level, _message(rule, unit.text[start:end], rule.right)
            elif role == "wrong" and start > taken_until and not shielded(index, start, end):
                taken_until = end - 1
                yield unit.origin(start), rule.code, rule.level, _message(rule, unit.text[start:end], rule.right)
        for index, found in members.items():
            yield from _series(rules[index], found, unit)
        for rule in rules:
            if rule.pattern is not None and rule.applies(unit.field, kind):
                for found in rule.pattern.finditer(unit.text):
                    if found.end() > found.start():
                        right = found.expand(rule.right) if rule.right else ""
                        yield unit.origin(found.start()), rule.code, rule.level, _message(rule, found.group(), right)
        if book.sensitive:
            yield from _sensitive(book, unit)


def _series(rule: Rule, found: list[tuple[int, int, int]], unit: Unit) -> Iterator[Hit]:
    """Runs of a series' members joined by its separator, reported when out of the fixed order."""
    runs: list[list[tuple[int, int, int]]] = []
    for hit in sorted(found):
        if runs and unit.text[runs[-1][-1][1]:hit[0]] == rule.separator:
            runs[-1].append(hit)
        elif not runs or hit[0] >= runs[-1][-1][1]:
            runs.append([hit])
    for run in runs:
        places = [place for _s, _e, place in run]
        if len(run) >= rule.at_least and places != sorted(places):
            right = rule.separator.join(rule.series[place] for place in sorted(places))
            yield unit.origin(run[0][0]), rule.code, rule.level, _message(rule, unit.text[run[0][0]:run[-1][1]], right)


@lru_cache(maxsize=1)
def _evasions() -> dict[int, str]:
    """One table for str.translate: full-width letters and digits to ASCII, capitals to small, and
    traditional characters to simplified (OpenCC's t2s, the table the search uses)."""
    from ..search import traditional_to_simplified

    table = {code: unicodedata.normalize("NFKC", chr(code)).lower() for code in range(0xFF10, 0xFF5B)
             if chr(code).isalnum()}
    table.update({code: chr(code).lower() for code in range(ord("A"), ord("Z") + 1)})
    t2s = traditional_to_simplified()
    table.update({ord(old): new for old, new in zip(t2s["from"], t2s["to"])})
    return table


# What a word is made of: letters and digits of any script (CJK included). Everything else, spaces,
# punctuation, symbols, marks and invisible characters, is what an evasion puts between characters.
_WORD_RUN = re.compile(r"[^\W_]+")


def _squeeze(text: str) -> tuple[str, list[int], list[int]]:
    """The text with evasions undone: (squeezed, run starts in it, their offsets in `text`). The
    table maps one character to one, so offsets in the translated text are offsets in `text`."""
    normal = text.translate(_evasions())
    parts, starts, origins, length = [], [], [], 0
    for run in _WORD_RUN.finditer(normal):
        parts.append(run.group())
        starts.append(length)
        origins.append(run.start())
        length += len(run.group())
    return "".join(parts), starts, origins


def _sensitive(book: Book, unit: Unit) -> Iterator[Hit]:
    # A text that lacks a character of every word holds none of them, however it is spaced: checked
    # first in C (`in` on the translated text), so most bodies are never squeezed character by character.
    normal = unit.text.translate(_evasions())
    if not any(all(char in normal for char in word) for word in book.sensitive):
        return
    squeezed, starts, origins = _squeeze(unit.text)
    taken_until = -1
    for start, end, _role in book.sensitive_matcher.hits(squeezed):
        if start <= taken_until:
            continue
        taken_until = end - 1
        run = bisect_right(starts, start) - 1
        first = origins[run] + start - starts[run]
        run_end = bisect_right(starts, end - 1) - 1
        last = origins[run_end] + end - 1 - starts[run_end]
        yield (unit.origin(first), SENSITIVE_CODE, book.sensitive_level,
               f"「{unit.text[first:last + 1]}」含敏感词表（{book.sensitive_source}）里的词「{squeezed[start:end]}」："
               "公开的内容不得出现，请删改")


# ---- the check ---------------------------------------------------------------------------------

def report(findings: Findings, path: str, line: int, col: int, code: str, level: str, message: str) -> None:
    """A rule's finding: its code and level are the union's, so it is not in the catalogue."""
    path = path.encode("utf-8", "backslashreplace").decode("utf-8")
    message = message.encode("utf-8", "backslashreplace").decode("utf-8")
    findings.items.append(Finding(path, max(line, 1), max(col, 0), code, message, level))


def scan_text(book: Book, text: str, kind: str = "story") -> list[tuple[int, int, str, str, str]]:
    """(line, column, code, level, message) of every finding in an item file's text, in order."""
    text, units = item_units(text)
    places = Places(text)
    return sorted((*places.at(offset), code, level, message) for offset, code, level, message in match(book, units, kind))


def scan_list(book: Book, text: str, shown: Callable[[yaml.Node], bool], kind: str) -> list[tuple[int, int, str, str, str]]:
    """The findings in the printed rows of a list file (names, summaries, alt texts), each at its
    yaml line:column; rows `shown` holds back (drafts, rows not yet public) are not read."""
    text = as_read(text)
    try:
        root = yaml.compose(text, Loader=_YAML)
    except (yaml.YAMLError, ValueError, RecursionError):
        return []  # the loader has reported it
    rows = root.value if isinstance(root, yaml.SequenceNode) else [root] if root is not None else []
    units = [unit for row in rows if shown(row) for unit in _field_units(row, text, 0, LIST_FIELDS)]
    places = Places(text)
    return sorted((*places.at(offset), code, level, message) for offset, code, level, message in match(book, units, kind))


def scan_value(book: Book, field: str, value: str) -> list[tuple[int, str, str, str]]:
    """(offset in the value, code, level, message) of the findings in one printed setting."""
    return sorted(match(book, [Unit(field, value, lambda at: at)], "setting"))


class Exemptions:
    """An item's exemptions against the findings in its file. One without `text` silences its rule in
    the whole item; one with `text` only the findings that start inside an occurrence of that text
    (as written in the file), so a quoted wrong form is allowed once and the same slip elsewhere in the
    item is still caught. Each pass (privacy, wording) asks `unused` about the rules it raises."""

    def __init__(self, item, source: str) -> None:
        self.whole = {exemption.rule for exemption in item.allow if not exemption.text}
        self.spans: dict[Exemption, list[tuple[int, int]]] = {}
        text = as_read(source) if len(self.whole) < len(item.allow) else ""
        for exemption in item.allow:
            if exemption.text:
                wanted = as_read(exemption.text)
                self.spans[exemption] = [(found.start(), found.start() + len(wanted))
                                         for found in re.finditer(re.escape(wanted), text)]
        self.used: set = set()

    def covers(self, code: str, offset: int) -> bool:
        if code in self.whole:
            self.used.add(code)
            return True
        for exemption, spans in self.spans.items():
            if exemption.rule == code and any(start <= offset < end for start, end in spans):
                self.used.add(exemption)
                return True
        return False

    def unused(self, codes) -> tuple[list[str], list[Exemption]]:
        """Whole-item exemptions of `codes` that silenced nothing, and text exemptions likewise."""
        return (sorted(code for code in self.whole & set(codes) if code not in self.used),
                [exemption for exemption in self.spans if exemption.rule in codes and exemption not in self.used])


def report_unused(findings: Findings, item, exempt: Exemptions, codes) -> None:
    rules, texts = exempt.unused(codes)
    for rule in rules:
        findings.add(item.source, item.line_of("allow"), "allow-unused", rule=rule)
    for exemption in texts:
        findings.add(item.source, exemption.line, "allow-text-unused", rule=exemption.rule, text=exemption.text)


def run(items, book: Book, findings: Findings, drafts: bool = False, read=None) -> None:
    """Check every item that is or will be published (and drafts with `check --drafts`); an
    item's `allow` silences a rule's findings in it, and an exemption nothing needed is reported."""
    if not book.rules and not book.sensitive:
        return
    for item in items:
        if item.status != "published" and not drafts:
            continue
        text = (read or read_source)(item.path)
        if text is None:
            continue
        exempt = Exemptions(item, text)
        read_text, units = item_units(text)
        found = sorted(match(book, units, item.kind))
        places = Places(read_text) if found else None  # only a text with findings needs its lines
        for offset, code, level, message in found:
            if not exempt.covers(code, offset):
                report(findings, item.source, *places.at(offset), code, level, message)
        report_unused(findings, item, exempt, book.codes)
