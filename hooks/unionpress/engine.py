"""The pipeline in one place: load → validate → link → publish → render.

Both the MkDocs hooks and the command-line scripts call `prepare`, so a `check` run and a build
report exactly the same findings.
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import Settings
from .findings import Findings
from .link import Site, link
from .load import load
from .pages import Rendered, render
from .publish import select
from .validate import Validated, validate


@dataclass
class Build:
    settings: Settings
    findings: Findings
    content: Validated
    everything: Site  # all items, linked (for checks)
    site: Site  # what this build shows

    def render(self) -> Rendered:
        rendered = render(self.site, self.settings)
        _check_outputs(rendered, self.findings)
        return rendered


def prepare(settings: Settings, findings: Findings | None = None) -> Build:
    findings = findings or Findings()
    raw = load(settings, findings)
    content = validate(raw, settings, findings)
    everything = link(content, findings)
    site = select(content, settings)
    return Build(settings, findings, content, everything, site)


def _check_outputs(rendered: Rendered, findings: Findings) -> None:
    """Two pages writing one output path is an error, never a silent overwrite."""
    seen: dict[str, str] = {}
    for page in rendered.pages:
        if page.src_uri in seen:
            findings.add(page.source or seen[page.src_uri] or "content", 1, "duplicate-output", url=page.url,
                         other=seen[page.src_uri] or "自动生成的页面")
        else:
            seen[page.src_uri] = page.source
