"""Every page of the sample site passes the Nu HTML Checker (vnu, the W3C validator's engine) with no
error and no warning: the pages of every page type the engine plans, the hand-written pages of docs/
and 404.html among them (checked against Build.page_types(), so a page type added later is covered
without touching this file).

vnu is the npm package vnu-jar (MIT, pinned in package.json, installed by scripts/setup), run on the
system Java 17 that epubcheck brings: one Java start for all pages, since the JVM takes seconds to
start. A broken copy of a built page proves the checker and this file's reading of it really fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import NOW, ROOT

VNU = ROOT / "node_modules/vnu-jar/build/dist/vnu.jar"
# The WeChat kit (exports/wechat/<story>/article.html and preview.html) is markup for WeChat's editor,
# which builds articles from <section> boxes and takes article.html as a fragment without <!DOCTYPE>:
# not a page a reader opens on the site, and shaped by WeChat's rules, so vnu's are not applied to it.
NOT_PAGES = ("exports/",)
# vnu checks a <style> element with the W3C CSS validator, which does not know container queries yet
# (w3c/css-validator#422, open; still so in vnu 26.9.27). The masthead's name-fitting rule in the head
# is one (`@container up-name (max-width: …em)`), supported by every browser since 2023. Only this
# exact message is let through: any other CSS error in a <style> still fails.
CHECKER_GAPS = frozenset({"CSS: Unrecognized at-rule “@container”"})


@dataclass(frozen=True)
class Message:
    """One vnu message: `kind` is error, warning (an info with subType warning), info or
    non-document-error (a file vnu could not read)."""

    page: str
    line: int
    column: int
    kind: str
    text: str

    def __str__(self) -> str:
        return f"{self.page}:{self.line}:{self.column}: {self.kind}: {self.text}"


def vnu(site: Path, pages: list[str]) -> list[Message]:
    """Check `pages` (paths relative to `site`) in one vnu run; every message it gives, in its order."""
    assert VNU.is_file(), "Nu HTML Checker 未安装：运行 bash scripts/setup（npm ci 安装 vnu-jar）"
    assert shutil.which("java"), "需要 Java 17+（scripts/setup 安装 epubcheck 时一并装上）"
    result = subprocess.run(["java", "-jar", str(VNU), "--format", "json", "--exit-zero-always", *pages],
                            cwd=site, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    found = []
    for raw in json.loads(result.stderr)["messages"]:  # vnu writes its report to stderr
        page = Path(unquote(urlsplit(raw.get("url", "")).path)).resolve()
        kind = "warning" if raw["type"] == "info" and raw.get("subType") == "warning" else raw["type"]
        found.append(Message(page.relative_to(site.resolve()).as_posix() if page.is_relative_to(site.resolve())
                             else str(page), raw.get("lastLine", 0), raw.get("firstColumn", raw.get("lastColumn", 0)),
                             kind, raw["message"]))
    return found


def problems(messages: list[Message]) -> list[Message]:
    """What fails a page: every error and warning, less the checker's own known gaps."""
    return [m for m in messages if m.kind != "info" and m.text not in CHECKER_GAPS]


def site_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if not p.relative_to(site).as_posix().startswith(NOT_PAGES))


def page_file(url: str) -> str:
    """The file a site URL is served from (scripts/budget does the same)."""
    return f"{url}index.html" if url.endswith("/") or not url else url


@pytest.fixture(scope="module")
def checked(sample_site):
    pages = site_pages(sample_site)
    return pages, vnu(sample_site, pages)


def test_every_page_of_the_sample_site_passes_the_nu_html_checker(checked):
    pages, messages = checked
    infos = [m for m in messages if m.kind == "info"]
    gaps = [m for m in messages if m.text in CHECKER_GAPS]
    print(f"vnu: {len(pages)} pages, {len(gaps)} known checker gaps ({', '.join(sorted(CHECKER_GAPS))}), "
          f"{len(infos)} notes", *map(str, infos), sep="\n")
    failing = problems(messages)
    assert not failing, "\n".join(map(str, failing))


def test_the_checked_pages_cover_every_page_type_and_every_hand_written_page(checked):
    from unionpress import config, engine

    environ = {k: v for k, v in os.environ.items() if k not in ("UNIONPRESS_PREVIEW", "UNIONPRESS_CONTENT")}
    settings, findings = config.load(ROOT, environ=environ | {"UNIONPRESS_NOW": NOW})
    types = engine.prepare(settings, findings).page_types()
    pages, _ = checked
    wanted = {page_file(url) for url in [*types.values(), *settings.doc_pages]} | {"404.html"}
    assert {"home", "story", "search", "404"} <= types.keys()  # the planner still says what it plans
    assert len(settings.doc_pages) >= 3  # about, contribute, help
    assert wanted - set(pages) == set()
    assert len(pages) > len(wanted)  # every page, not one of each


# -- the check itself fails on a broken page ---------------------------------------------------------

def test_a_broken_page_fails_the_check_at_its_line(sample_site, tmp_path):
    """A story page as built passes; the same page with a <footer> inside the masthead <header>, an id
    used twice and a misspelt CSS property beside a container query fails, each at its line."""
    story = min((sample_site / "stories").glob("*/index.html"))
    html = story.read_text(encoding="utf-8")
    (tmp_path / "good.html").write_text(html, encoding="utf-8")
    assert '<header class="up-masthead"' in html and "</head>" in html
    broken = html.replace('<header class="up-masthead">', '<header class="up-masthead"><footer>页脚</footer>', 1)
    broken = broken.replace('<a class="up-skip" href="#up-main">', '<p id="twice">一</p><p id="twice">二</p>\n'
                            '<a class="up-skip" href="#up-main">', 1)
    broken = broken.replace("</head>", "<style>p{colr:red}@container up-x (width > 1px){p{color:red}}</style></head>", 1)
    assert broken.count("<footer>页脚</footer>") == broken.count('id="twice"') // 2 == 1
    (tmp_path / "broken.html").write_text(broken, encoding="utf-8")
    line = broken[:broken.index('id="twice"')].count("\n") + 1

    messages = vnu(tmp_path, ["good.html", "broken.html"])

    assert problems([m for m in messages if m.page == "good.html"]) == []
    failing = problems([m for m in messages if m.page == "broken.html"])
    texts = [(m.line, m.text) for m in failing]
    assert any(text.startswith("The element “footer” must not appear as a descendant of the “header” element")
               for _, text in texts), texts
    assert (line, "Duplicate ID “twice”.") in texts, texts
    assert any(text.startswith("CSS: “colr”: Property “colr” doesn't exist") for _, text in texts), texts
    # the @container allowance let through the known gap, and only it
    assert {m.text for m in messages if m.page == "broken.html" and m.text in CHECKER_GAPS} == set(CHECKER_GAPS)
