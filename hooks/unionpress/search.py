"""Search: what the reader's search can find, made from the public view and nothing else.

One record per public page a reader may look for, made by its kind (`Kind.records`, e.g. a story's
in kinds/story.py; an exhibition also makes one per work): its title, kind, column, date and cover
as metadata; as text what a reader reads on the page (summary, body, a profile's biography), and as
fields the facts the page shows one by one (bylines, tags, employer, ISBN …), which a query matches
but an excerpt never shows, so a result reads like the page and not like the index. The records go
to Pagefind (outputs/search.py), which segments the Chinese at index time and serves the index in
chunks, so a query downloads only what it needs.

Three tables go beside the index for the browser, applied to the query, not the index (which keeps
the index its size and the excerpts in the words the page was written in): traditional → simplified
characters from OpenCC's data (勞模 → 劳模), the union's synonyms (content/synonyms.yml), and the
site's own vocabulary in pinyin (gongjiang → 工匠, shuwu → 书屋, wjg → 王建国), made at build time
from the words the public pages use, so a reader without a Chinese keyboard finds what the site holds.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import lxml.html

from . import pinyin, responsive

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
    kind: str  # what a reader sees beside the result and filters by: Kind.search_label (报道, 作品 …)
    text: str  # what a reader reads on the page (summary, body): the only text an excerpt is taken from
    date: str = ""  # YYYY-MM-DD, in the union's time zone
    column: str = ""
    image: str = ""  # site path of the cover or portrait
    image_alt: str = ""
    fields: tuple[str, ...] = field(default=())  # facts the page shows one by one: matched, never excerpted
    people: tuple[str, ...] = field(default=())  # the people it names, in Chinese (their pinyin goes to the vocabulary)
    pinned: bool = False  # always in the first part of the index (first_part): a profile is what a name is searched for

    @property
    def names(self) -> tuple[str, ...]:
        """The pinyin forms of the people it names (majianguo, ma jianguo, mjg)."""
        return tuple(dict.fromkeys(form for person in self.people for form in name_forms(person)))

    @property
    def words(self) -> str:
        """Everything a query may match: title, text and fields."""
        return " ".join(filter(None, [self.title, self.text, *self.fields]))

    def pagefind(self) -> dict:
        """The record as Pagefind's `addCustomRecord` takes it. URLs are from the site's root ("/x/"):
        the browser gives Pagefind the path the site is really served under as its base URL.

        The content is the title, then the text, then the fields; meta "text" says where the text is
        ("START-END" in characters of the content), so the page takes its excerpt from there only.
        No pinyin is indexed: search.js turns a Latin query into the site's words (`vocabulary`)."""
        text = " ".join(self.text.split())
        start = _utf16(self.title) + 1  # the browser counts a string in UTF-16 units
        meta = {"title": self.title, "kind": self.kind, "text": f"{start}-{start + _utf16(text)}"}
        for key, value in (("date", self.date), ("column", self.column), ("image_alt", self.image_alt)):
            if value:
                meta[key] = value
        if self.image:
            meta["image"] = "/" + self.image
        filters = {"kind": [self.kind]}
        if self.column:
            filters["column"] = [self.column]
        content = " ".join([self.title, text, *(" ".join(f.split()) for f in self.fields if f.strip())])
        # No sort key: results rank by relevance, and a sort stores every page's place in
        # Pagefind's metadata file, which every first query downloads (24 KB at 10,000 stories).
        return {"url": "/" + self.url, "content": content, "language": "zh", "meta": meta, "filters": filters}


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def name_forms(name: str) -> tuple[str, ...]:
    """How a reader may type a Chinese name without Chinese input: 马建国 → majianguo, ma jianguo, mjg.
    Generated with pypinyin from the name itself, never from a hand list."""
    name = "".join(_HAN.findall(name))
    if not 2 <= len(name) <= 4:  # a person's name; 本站评论员 is a byline, not a name
        return ()
    syllables = [s for s in pinyin.syllables(name) if s.isascii() and s.isalpha()]
    if len(syllables) != len(name):
        return ()
    initials = "".join(s[0] for s in pinyin.syllables(name, pinyin.INITIALS))
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


class Texts:
    """Bodies' text by their HTML's digest, as the last build of the content folder found it (`known`;
    outputs/search.py keeps it): parsing every body again for its text was over a second of a build at
    10,000 stories in which hardly any body changed. `used`: what this build asked, to keep next time."""

    def __init__(self, known: dict[str, str]) -> None:
        self.known, self.used = known, {}

    def __call__(self, html: str) -> str:
        key = hashlib.blake2b(html.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        text = self.known.get(key)
        if text is None:
            text = plain_text(html)
        self.used[key] = text
        return text


_texts: Texts | None = None  # while records() runs with one


def body_text(item, body_of) -> str:
    """An item's rendered body as text, up to BODY_TEXT_LIMIT characters (said in the build log)."""
    html = body_of(item).html
    text = _texts(html) if _texts is not None else plain_text(html)
    if len(text) > BODY_TEXT_LIMIT:
        log.info(f"站内搜索只收录 {item.source} 正文的前 {BODY_TEXT_LIMIT} 字（全文 {len(text)} 字）")
        return text[:BODY_TEXT_LIMIT]
    return text


def thumbnail(image, settings) -> str:
    """The site path of a result's small picture ('' without one)."""
    shown = responsive.published(image, settings, "small")
    return shown[0] if shown else ""


def records(public, body_of, texts: Texts | None = None) -> list[Record]:
    """Every kind's records, in registry order and each kind's own order (deterministic). A record
    without a URL (an item whose kind has no page) is no search result. `texts`: bodies' text known."""
    from .kinds import ITEM_KINDS  # the kinds import this module's toolkit

    global _texts
    found: list[Record] = []
    _texts = texts
    try:
        for kind in ITEM_KINDS.values():
            if kind.records:
                found += kind.records(public, body_of)
    finally:
        _texts = None
    return [record for record in found if record.url]


@dataclass(frozen=True)
class Parts:
    """The records split in two indexes (outputs/search.py). A first query downloads Pagefind's page
    table whole, about 8 bytes per record of its index, and the chunks of its words, which grow with the
    records holding them: at 10,000 stories and the reading room beside them (17,000 records) a first
    query cost 400 KB. So the first part holds the profiles and the newest records, at most `size`, and
    the rest are searched when the reader asks, or at once when the first part gives less than a screen
    of results, so 没有找到 is always said of the whole site (search.js)."""

    first: list[Record]
    rest: list[Record]
    since: str = ""  # the first part holds every dated record from this day on ("" when nothing is split)


def first_part(found: list[Record], size: int) -> Parts:
    """Pinned records, then the others newest first (undated last), up to `size`; `size` 0, or a site
    that fits, keeps one index.

    The second part takes the oldest records in steps of half the first part's room, so it stays the
    same while new records come in (step by step the first part fills from half its room to all of
    it) and its index can be kept between builds: it is nine records in ten of a large site, and most
    of Pagefind's minute at 10,000 stories. A day is never split: the second part's newest day goes to
    the first part whole."""
    if not size or len(found) <= size:
        return Parts(list(found), [])
    pinned = [record for record in found if record.pinned]
    others = sorted((record for record in found if not record.pinned), key=lambda r: r.date, reverse=True)  # stable
    room = max(0, size - len(pinned))
    step = max(1, room // 2)
    kept_back = -(-(len(others) - room) // step) * step  # the fewest whole steps that leave ≤ room records
    cut = len(others) - kept_back
    if 0 < cut < len(others) and others[cut].date and others[cut].date == others[cut - 1].date:
        day = others[cut].date
        while cut < len(others) and others[cut].date == day:
            cut += 1
    since = others[cut - 1].date if cut else ""
    taken = {id(record) for record in pinned + others[:cut]}
    # Each part in the registry's order, as one index would list them (deterministic).
    return Parts([r for r in found if id(r) in taken], [r for r in found if id(r) not in taken], since)


def shelves(rest: list[Record], size: int) -> dict[int, list[Record]]:
    """The second part in shelves of about `size` records, each its own Pagefind index (the page merges
    them all when it searches the rest). Pagefind makes a large index slowly and greedily (16,000
    records at 10,000 stories: 37 s and 3.3 GB; eight shelves of 2,000: 4 s and 85 MB each), and one
    edit of an old story made the whole part again; now it makes that story's shelf only.

    A record's shelf is the hash of its address, so it stays on its shelf while the site grows; the
    number of shelves is a power of two, the fewest that keep them at `size` on average (0: one
    shelf), so it changes only when the second part doubles or halves. Numbered by that hash, empty
    shelves left out; each shelf in the registry's order (deterministic)."""
    count = 1
    while size and count * size < len(rest):
        count *= 2
    found: dict[int, list[Record]] = {}
    for record in rest:
        number = int.from_bytes(hashlib.sha256(record.url.encode("utf-8")).digest()[:4], "big") % count
        found.setdefault(number, []).append(record)
    return dict(sorted(found.items()))


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


# -- the site's vocabulary in pinyin, for readers who type without Chinese input ----------------------

PAIR_RECORDS = 3  # two one-character words side by side in this many records make a word (书|屋 → 书屋)
PINYIN_CHOICES = 3  # words kept per pinyin key: the site's most used (gj → 工匠, 国家, 改革 …)
PINYIN_KEYS_PER_PART = 200  # about 5 KB a part: a query loads the parts of its own keys only
_HAN_WORD = re.compile(r"[\u3400-\u9fff]{2,8}")


def _person(name: str) -> str:
    """A person's name as the vocabulary holds it: 2–4 Chinese characters ('' for a byline)."""
    name = "".join(_HAN.findall(name))
    return name if 2 <= len(name) <= 4 else ""


def vocabulary(records: list[Record], segmented: dict) -> dict[str, tuple[int, int]]:
    """The words a reader may type in pinyin, each with its weight (person or not, records holding it).

    From the public records only: the people they name; the words ICU segments in them (`segmented`,
    from pagefind_index.mjs, which segments the content as the index does); pairs of one-character
    words that many records hold (书屋, which ICU's dictionary lacks); and whole fields written in
    Chinese (tags, shelves, industries: 职工书屋, 劳模精神)."""
    people: dict[str, int] = {}
    fields: dict[str, int] = {}
    for record in records:
        for person in {_person(p) for p in record.people} - {""}:
            people[person] = people.get(person, 0) + 1
        for value in {f.strip() for f in record.fields if _HAN_WORD.fullmatch(f.strip())}:
            fields[value] = fields.get(value, 0) + 1
    words: dict[str, tuple[int, int]] = {}
    for table in (segmented.get("words", {}), fields,
                  {pair: n for pair, n in segmented.get("pairs", {}).items() if n >= PAIR_RECORDS}):
        for word, n in table.items():
            words[word] = (0, max(n, words.get(word, (0, 0))[1]))
    for person, n in people.items():
        words[person] = (1, n)
    return words


def pinyin_keys(word: str) -> tuple[str, ...]:
    """The keys a reader may type for a word: full pinyin without tones (gongjiang) and initials (gj)."""
    syllables = pinyin.syllables(word, pinyin.READABLE)
    if len(syllables) != len(word) or not all(s.isascii() and s.isalpha() for s in syllables):
        return ()  # a character without a reading: the word cannot be typed in pinyin
    syllables = [s.replace("ü", "v") for s in syllables]
    return tuple(dict.fromkeys(["".join(syllables), "".join(s[0] for s in syllables)]))


def pinyin_table(words: dict[str, tuple[int, int]]) -> dict[str, list[str]]:
    """Pinyin key → the site's words typed so, people first, then the most used, at most PINYIN_CHOICES.
    A key's full-pinyin words come before words it is only the initials of."""
    found: dict[str, list[tuple]] = {}
    for word, (person, n) in words.items():
        for rank, key in enumerate(pinyin_keys(word)):
            found.setdefault(key, []).append((rank, -person, -n, word))  # rank 0: full pinyin, 1: initials
    return {key: [w[-1] for w in sorted(choices)[:PINYIN_CHOICES]] for key, choices in sorted(found.items())}


def with_written(table: dict[str, list[str]], latin) -> dict[str, list[str]]:
    """The pinyin table with each Latin word the pages hold (cnc, 5g: from pagefind_index.mjs, folded
    as the query is) listed under its own key, after the Chinese words: search.js then searches a
    Latin query as written only where the site holds it."""
    found = {key: list(words) for key, words in table.items()}
    for word in latin:
        found.setdefault(word, []).append(word)
    return dict(sorted(found.items()))


def pinyin_part(key: str, parts: int) -> int:
    """The part of the pinyin table a key is in; search.js computes the same (31-fold hash, 32 bits)."""
    h = 0
    for char in key:
        h = (h * 31 + ord(char)) % 2**32
    return h % parts


def pinyin_parts(table: dict[str, list[str]]) -> tuple[dict, ...]:
    """The pinyin table in parts of about PINYIN_KEYS_PER_PART keys (every part exists, empty or not)."""
    count = max(1, -(-len(table) // PINYIN_KEYS_PER_PART))
    parts: list[dict] = [{} for _ in range(count)]
    for key, choices in table.items():
        parts[pinyin_part(key, count)][key] = choices
    return tuple(parts)
