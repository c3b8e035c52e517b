"""MkDocs hooks: adapt MkDocs events to the UnionPress engine, and nothing else.

mkdocs.yml names this file under `hooks:`. The engine (hooks/unionpress) is installed as a package
by scripts/setup, so the scripts and tests import the very same code.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, InclusionLevel

from unionpress import config as up_config
from unionpress import engine
from unionpress.findings import Findings

log = logging.getLogger("mkdocs.hooks.unionpress")
_state: dict = {}


def on_config(config):
    """Read, check and link all content once per build, before MkDocs looks at files."""
    findings = Findings()
    root = Path(config.config_file_path).parent
    try:
        settings = up_config.from_mapping(root, {"site_name": config.site_name, "site_url": config.site_url,
                                                 "extra": config.extra}, findings)
    except up_config.SettingsError as exc:
        raise PluginError(str(exc)) from None
    build = engine.prepare(settings, findings)
    rendered = build.render()
    _report(findings)
    # Reproducible builds: MkDocs dates the sitemap and its gzip from SOURCE_DATE_EPOCH.
    os.environ.setdefault("SOURCE_DATE_EPOCH", str(int(settings.now.timestamp())))
    config.nav = _navigation(build, config.nav)
    _state.update(build=build, rendered=rendered)
    return config


def _report(findings: Findings) -> None:
    for finding in findings.sorted():
        if not finding.is_error:
            log.warning(finding.format())
    if findings.errors:
        raise PluginError("UnionPress 内容检查未通过：\n" + findings.report())


def _navigation(build, hand_written):
    """Top navigation: home, columns, topics, labor models, tags, then the hand-written pages.

    Stories are never listed: the nav is rendered into every page, so it must not grow with them.
    """
    site = build.site
    nav = [{"首页": "index.md"}]
    if site.columns:
        nav.append({"栏目": [{c.name: f"columns/{c.key}/index.md"} for c in site.columns.values()]})
    if site.topics:
        nav.append({"专题": [{t.name: f"topics/{t.key}/index.md"} for t in site.topics.values()]})
    nav.append({"劳模风采": "models/index.md"})
    nav.append({"标签": "tags/index.md"})
    return nav + list(hand_written or [])


def _nav_uris(nav):
    """Every page path named in a (nested) nav structure."""
    for entry in nav or []:
        value = next(iter(entry.values())) if isinstance(entry, dict) else entry
        if isinstance(value, list):
            yield from _nav_uris(value)
        else:
            yield value


def on_files(files, config):
    rendered = _state["rendered"]
    findings = Findings()
    nav_uris = set(_nav_uris(config.nav))
    for page in rendered.pages:
        existing = files.get_file_from_path(page.src_uri)
        if existing is not None:
            findings.add(f"docs/{page.src_uri}", 1, "duplicate-output", url=page.url, other=page.source or "自动生成的页面")
            continue
        inclusion = InclusionLevel.INCLUDED if page.src_uri in nav_uris else InclusionLevel.NOT_IN_NAV
        files.append(File.generated(config, page.src_uri, content=page.markdown, inclusion=inclusion))
    for src_uri, path in sorted(rendered.assets.items()):
        if files.get_file_from_path(src_uri) is None:
            files.append(File.generated(config, src_uri, abs_src_path=str(path)))
    _state["lastmod"] = {p.src_uri: p.lastmod for p in rendered.pages if p.lastmod}
    if findings.errors:
        raise PluginError("UnionPress 内容检查未通过：\n" + findings.report())
    return files


def on_pre_page(page, config, files):
    # The sitemap's <lastmod> is the story's own date, not the build time. MkDocs renders the
    # sitemap before the pages, so this must be set while pages are read, not in on_page_context.
    lastmod = _state.get("lastmod", {}).get(page.file.src_uri)
    if lastmod:
        page.update_date = lastmod
    return page


def on_serve(server, config, builder):
    # `mkdocs serve` watches docs/ only; editors work in the content folder.
    server.watch(str(_state["build"].settings.content_dir))
    return server
