"""Search synonyms (同义词): content/synonyms.yml, groups of words a reader may use for one thing.

    - [劳动模范, 劳模]
    - [五一劳动奖章, 五一奖章]

Each row is a plain list, not a `key:` mapping like the other lists: a group has no name of its own,
and editors write it as the words they mean. A query that holds one word of a group also searches
for the others (applied in the browser, to the query).

The browser folds the query (NFKC, no invisible format characters, lower case, separators as
spaces) before it looks for a word, so the words are kept folded the same way (chars.fold): a group
written [AI, 人工智能] must match the query "AI", which reaches the lookup as "ai".
"""

from __future__ import annotations

from dataclasses import dataclass

from ..chars import fold
from .base import ListKind

WORD_LIMIT = 20  # characters; a synonym is a word or a name, not a sentence


@dataclass(frozen=True)
class SynonymGroup:
    key: str  # the group's first word
    words: tuple[str, ...]  # folded (chars.fold), as the browser folds the query
    line: int = 1


def read_rows(rows, source: str, findings) -> dict[str, SynonymGroup]:
    groups: dict[str, SynonymGroup] = {}
    owner: dict[str, int] = {}  # word → line of the group that has it
    for index, row in enumerate(rows):
        line = rows.lines[index]
        if not isinstance(row, list) or not all(isinstance(word, (str, int)) and not isinstance(word, bool)
                                                for word in row):
            findings.add(source, line, "synonym-row", row=index + 1)
            continue
        words = tuple(dict.fromkeys(word for word in (fold(str(v)) for v in row) if word))
        if len(words) < 2:
            findings.add(source, line, "synonym-row", row=index + 1)
            continue
        long = [word for word in words if len(word) > WORD_LIMIT]
        if long:
            findings.add(source, line, "too-long", field=f"[{index + 1}]", label="同义词", length=len(long[0]),
                         limit=WORD_LIMIT)
            continue
        repeated = [word for word in words if word in owner]
        if repeated:
            findings.add(source, line, "synonym-repeated", word=repeated[0], other=owner[repeated[0]])
            continue
        for word in words:
            owner[word] = line
        groups[words[0]] = SynonymGroup(words[0], words, line)
    return groups


KIND = ListKind("synonym", "同义词", "synonyms.yml", read=None, rows=read_rows)
