"""Search: what the reader's search can find, made from the public view and nothing else.

One record per public page a reader may look for, made by its kind (`Kind.records`, e.g. a story's
in kinds/story.py; an exhibition also makes one per work): its title, kind, column, date and cover
as metadata, and as text its title, summary, body and — for names, which readers often type in
pinyin on a phone — the pinyin of every person's name (majianguo, ma jianguo, mjg). This module
walks the registry and keeps the toolkit the kinds share (name_forms, plain_text, body_text,
thumbnail). The records go to Pagefind (outputs/search.py), which segments the Chinese at index time
and serves the index in chunks, so a query downloads only what it needs.

Two tables go beside the index for the browser, applied to the query: traditional → simplified
characters from OpenCC's data (勞模 → 劳模, shipped with the site), and the union's synonyms
(content/synonyms.yml). Folding the query, not the index, keeps the index its size and keeps the
snippets in the words the story was written in.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import lxml.html
from pypinyin import Style, lazy_pinyin

from . import responsive

_PARSER = lxml.html.HTMLParser(huge_tree=True)  # a deep body keeps all of its text
_HAN = re.compile(r"[\u3400-\u9fff]")
# Pagefind's indexing of one record grows with the square of its Chinese text (Pagefind 1.6, 2 cores:
# 0.5 s at 380,000 characters, 3.6 s at 1.5 million, 17.5 s at 3.9 million: the one super-linear step
# of a build with a 5 MB body). So a body is indexed up to a book's worth of characters, which keeps
# every record's cost bounded; title, summary, names and tags always are. The build log says so.
BODY_TEXT_LIMIT = 200_000
log = logging.getLogger("mkdocs.hooks.unionpress")


@dataclass(frozen=True)
class Record:
    """One search document: a public page and what a query may match on it."""

    url: str  # site path, "stories/x/"
    title: str
    kind: str  # what a reader sees beside the result and filters by: Kind.search_label (故事, 作品 …)
    text: str
    date: str = ""  # YYYY-MM-DD, in the union's time zone
    column: str = ""
    image: str = ""  # site path of the cover or portrait
    image_alt: str = ""
    names: tuple[str, ...] = field(default=())  # pinyin forms of the people it names

    def pagefind(self) -> dict:
        """The record as Pagefind's `addCustomRecord` takes it. URLs are from the site's root ("/x/"):
        the browser gives Pagefind the path the site is really served under as its base URL."""
        meta = {"title": self.title, "kind": self.kind}
        for key, value in (("date", self.date), ("column", self.column), ("image_alt", self.image_alt)):
            if value:
                meta[key] = value
        if self.image:
            meta["image"] = "/" + self.image
        filters = {"kind": [self.kind]}
        if self.column:
            filters["column"] = [self.column]
        content = " ".join(filter(None, [self.title, self.text, " ".join(self.names)]))
        # No sort key: results rank by relevance, and a sort stores every page's place in
        # Pagefind's metadata file, which every first query downloads (24 KB at 10,000 stories).
        return {"url": "/" + self.url, "content": content, "language": "zh", "meta": meta, "filters": filters}


def name_forms(name: str) -> tuple[str, ...]:
    """How a reader may type a Chinese name without Chinese input: 马建国 → majianguo, ma jianguo, mjg.
    Generated with pypinyin from the name itself, never from a hand list."""
    name = "".join(_HAN.findall(name))
    if not 2 <= len(name) <= 4:  # a person's name; 本站评论员 is a byline, not a name
        return ()
    syllables = [s for s in lazy_pinyin(name) if s.isascii() and s.isalpha()]
    if len(syllables) != len(name):
        return ()
    initials = "".join(s[0] for s in lazy_pinyin(name, style=Style.FIRST_LETTER))
    full = "".join(syllables)
    return tuple(dict.fromkeys([full, f"{syllables[0]} {''.join(syllables[1:])}", initials]))


def plain_text(html: str) -> str:
    """A rendered body as text: what a reader can read on the page, one space between blocks."""
    if not html.strip():
        return ""
    tree = lxml.html.fragment_fromstring(html, create_parent="div", parser=_PARSER)
    for node in tree.iter("script", "style", "template"):
        node.drop_tree()
    return " ".join(" ".join(tree.itertext()).split())


def body_text(item, body_of) -> str:
    """An item's rendered body as text, up to BODY_TEXT_LIMIT characters (said in the build log)."""
    text = plain_text(body_of(item).html)
    if len(text) > BODY_TEXT_LIMIT:
        log.info(f"站内搜索只收录 {item.source} 正文的前 {BODY_TEXT_LIMIT} 字（全文 {len(text)} 字）")
        return text[:BODY_TEXT_LIMIT]
    return text


def thumbnail(image, settings) -> str:
    """The site path of a result's small picture ('' without one)."""
    shown = responsive.published(image, settings, "small")
    return shown[0] if shown else ""


def records(public, body_of) -> list[Record]:
    """Every kind's records, in registry order and each kind's own order (deterministic). A record
    without a URL (an item whose kind has no page) is no search result."""
    from .kinds import ITEM_KINDS  # the kinds import this module's toolkit

    found: list[Record] = []
    for kind in ITEM_KINDS.values():
        if kind.records:
            found += kind.records(public, body_of)
    return [record for record in found if record.url]


def synonym_groups(public) -> list[list[str]]:
    return [list(group.words) for group in public.lists.get("synonym", {}).values()]


@lru_cache(maxsize=1)
def traditional_to_simplified() -> dict:
    """OpenCC's traditional → simplified data (single characters and phrases), first candidate of each.

    Read from the dictionary files of opencc-python-reimplemented (Apache-2.0), the same data as
    OpenCC's t2s; only the mapping is shipped, the browser does the longest-match itself."""
    import opencc

    folder = Path(opencc.__file__).parent / "dictionary"
    tables: dict[str, dict[str, str]] = {}
    for name, file in (("chars", "TSCharacters.txt"), ("phrases", "TSPhrases.txt")):
        table = {}
        for line in (folder / file).read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) == 2 and parts[1].split():
                simplified = parts[1].split()[0]
                if simplified != parts[0] and (name == "phrases" or len(parts[0]) == len(simplified) == 1):
                    table[parts[0]] = simplified
        tables[name] = dict(sorted(table.items()))
    # Characters as two parallel strings (勞書職… → 劳书职…): a third of the bytes of a JSON object,
    # and the table is part of every first query's download.
    chars = tables.pop("chars")
    return {"from": "".join(chars), "to": "".join(chars.values()), "phrases": tables["phrases"]}


# The table is split by the code point of a character (and of a phrase's first character), so a
# query loads only the parts for its own characters: about 1 KB each instead of 31 KB in all, which
# was a tenth of a first query's download.
T2S_PARTS = 32


@lru_cache(maxsize=1)  # the same for every build; `mkdocs serve` rebuilds often
def traditional_parts() -> tuple[dict, ...]:
    """The traditional → simplified table in T2S_PARTS parts; part n holds the characters c, and the
    phrases starting with c, where ord(c) % T2S_PARTS == n. Every part exists, empty or not."""
    table = traditional_to_simplified()
    parts = [{"from": "", "to": "", "phrases": {}} for _ in range(T2S_PARTS)]
    for old, new in zip(table["from"], table["to"]):
        part = parts[ord(old) % T2S_PARTS]
        part["from"] += old
        part["to"] += new
    for phrase, simplified in table["phrases"].items():
        parts[ord(phrase[0]) % T2S_PARTS]["phrases"][phrase] = simplified
    return tuple(parts)


def facets(records: list[Record]) -> dict[str, list[str]]:
    """The values each filter can take, for the search page's filter buttons. Written beside the
    index so the page need not ask Pagefind for them: that loads every filter chunk, and those list
    every page (45 KB of a first query at 10,000 stories)."""
    kinds = list(dict.fromkeys(record.kind for record in records))  # registry order: 故事, 劳模, 展览, 作品 …
    columns = sorted({record.column for record in records if record.column})
    return {"kind": kinds, "column": columns}
