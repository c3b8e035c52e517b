"""What `unionpress check` prints: the findings for a person (with the exemptions in force and a
table per rule), as JSON for CI, as SARIF 2.1.0 for code-review tools; only the files changed since a
Git ref (`--changed`); and the external links (`--links`, listed, never fetched).

The findings are always the whole site's (a story is checked against every column, topic and page
that exists), so `--changed` filters what is reported, never what is read.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .findings import CATALOGUE, ERROR, Finding

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# A change to these is a change to every file's findings: `--changed` then reports everything.
SITE_WIDE = re.compile(r"(?:^|/)(?:mkdocs\.yml|rules/[^/]+\.yml|columns\.yml|topics\.yml|honors\.yml|shelves\.yml)$")


@dataclass(frozen=True)
class InForce:
    """An exemption that silenced (or may silence) findings in a checked item."""

    path: str
    line: int
    rule: str
    text: str
    why: str

    def format(self) -> str:
        what = f"「{self.text}」" if self.text else "（整篇）"
        return f"{self.path}:{self.line}: 豁免 [{self.rule}] {what}：{self.why}"


def exemptions(items, drafts: bool = False, paths: set[str] | None = None) -> list[InForce]:
    """Every exemption of the items the checks read (published ones; drafts too with --drafts)."""
    found = [InForce(item.source, exemption.line, exemption.rule, exemption.text, exemption.why)
             for item in items if item.status == "published" or drafts
             for exemption in item.allow if paths is None or item.source in paths]
    return sorted(found, key=lambda e: (e.path, e.line, e.rule, e.text))


def table(found: list[Finding]) -> list[str]:
    """Errors and warnings per rule, most first: what to fix across the site at a glance."""
    errors = Counter(f.code for f in found if f.level == ERROR)
    warnings = Counter(f.code for f in found if f.level != ERROR)
    codes = sorted(set(errors) | set(warnings), key=lambda code: (-errors[code] - warnings[code], code))
    if not codes:
        return []
    width = max(len(code) for code in codes + ["规则编号"])
    lines = ["按规则统计：", f"{'规则编号'.ljust(width - 4)}  错误  警告"]
    lines += [f"{code.ljust(width)}  {errors[code]:>4}  {warnings[code]:>4}" for code in codes]
    return lines


def human(found: list[Finding], in_force: list[InForce]) -> str:
    lines = [f.format() for f in found]
    if in_force:
        lines += [f"写明的豁免（{len(in_force)} 条）：", *(e.format() for e in in_force)]
    lines += table(found)
    errors = sum(1 for f in found if f.level == ERROR)
    lines.append(f"共 {errors} 个错误，{len(found) - errors} 个警告。")
    return "\n".join(lines)


def as_json(found: list[Finding], in_force: list[InForce]) -> str:
    errors = sum(1 for f in found if f.level == ERROR)
    data = {"tool": "unionpress", "version": __version__, "errors": errors, "warnings": len(found) - errors,
            "findings": [{"path": f.path, "line": f.line, "column": f.col or None, "code": f.code, "level": f.level,
                          "message": f.message} for f in found],
            "exemptions": [{"path": e.path, "line": e.line, "rule": e.rule, "text": e.text, "why": e.why}
                           for e in in_force]}
    return json.dumps(data, ensure_ascii=False, indent=2)


def as_sarif(found: list[Finding]) -> str:
    """SARIF 2.1.0: one run, the rules that fired (the catalogue's gloss, or a union rule's code), and
    each finding at its file (relative to the project, %SRCROOT%), line and column."""
    codes = sorted({f.code for f in found})
    index = {code: at for at, code in enumerate(codes)}
    rules = [{"id": code, "shortDescription": {"text": CATALOGUE[code][2] if code in CATALOGUE else f"union rule {code}"}}
             for code in codes]
    results = []
    for f in found:
        region = {"startLine": f.line, **({"startColumn": f.col} if f.col else {})}
        results.append({"ruleId": f.code, "ruleIndex": index[f.code], "level": "error" if f.level == ERROR else "warning",
                        "message": {"text": f.message},
                        "locations": [{"physicalLocation": {"artifactLocation": {"uri": f.path, "uriBaseId": "%SRCROOT%"},
                                                            "region": region}}]})
    run = {"tool": {"driver": {"name": "UnionPress", "version": __version__, "informationUri": "https://example.org/unionpress",
                               "rules": rules}},
           "columnKind": "unicodeCodePoints", "results": results}
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, ensure_ascii=False, indent=2)


class GitProblem(Exception):
    pass


def _git(root: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise GitProblem(f"无法运行 git：{error}") from None
    if done.returncode:
        raise GitProblem(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"git {' '.join(args)} 失败")
    return done.stdout


def changed_files(root: Path, ref: str) -> set[str] | None:
    """The files changed since `ref` (HEAD: the uncommitted changes; a branch: since the merge base
    with it), untracked ones included, as paths relative to the project; None when a change reaches
    every file's findings (mkdocs.yml, a rule file, a list file)."""
    top = Path(_git(root, "rev-parse", "--show-toplevel").strip())
    base = ref if ref == "HEAD" else _git(root, "merge-base", ref, "HEAD").strip()
    names = _git(root, "diff", "--name-only", "-z", base, "--").split("\0")
    names += _git(root, "ls-files", "--others", "--exclude-standard", "-z").split("\0")
    project = root.resolve()
    found: set[str] = set()
    for name in filter(None, names):
        path = (top / name).resolve()
        if not path.is_relative_to(project):
            continue
        shown = path.relative_to(project).as_posix()
        if SITE_WIDE.search(shown):
            return None
        found.add(shown)
    return found


def given_files(root: Path, names: list[str]) -> set[str] | None:
    """Files named on the command line (pre-commit passes the staged ones), relative to the project;
    None when one of them reaches every file's findings."""
    project = root.resolve()
    found: set[str] = set()
    for name in names:
        path = Path(name)
        path = (path if path.is_absolute() else Path.cwd() / path).resolve()
        shown = path.relative_to(project).as_posix() if path.is_relative_to(project) else name
        if SITE_WIDE.search(shown):
            return None
        found.add(shown)
    return found


_HREF = re.compile(r"""<a\s[^>]*?href="(https?://[^"]+)\"""", re.I)


def external_links(build) -> list[tuple[str, int, str]]:
    """(file, line, URL) of every link from a public body to another site, in file order. Listed for a
    person to look at, never fetched (no network where the site is built)."""
    import html as html_lib

    found = []
    for item in build.public.items():
        body = build.bodies.get(id(item))
        if body is None:
            continue
        for url in dict.fromkeys(html_lib.unescape(m.group(1)) for m in _HREF.finditer(body.html)):
            at = item.body.find(url)
            line = item.body_line + item.body.count("\n", 0, at) if at >= 0 else item.body_line
            found.append((item.source, line, url))
    return sorted(found)
