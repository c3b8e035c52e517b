"""Many sites from one engine: a federation (总工会) builds its grassroots unions' sites, each from its
own content folder, split over CI matrix jobs or Kubernetes Indexed Jobs with `--shard i/N`.

    sites/
      jiangnan-jixie/            one grassroots union's site: its key is the folder's name
        site.yml                 what differs from the shared mkdocs.yml: site_name, site_url,
                                 site_description, copyright, extra (deep-merged over the shared one)
        content/                 its stories, profiles, lists … as in a single site

    unionpress sites build sites/ --out public/ --shard 2/8

Every site is built by MkDocs in a process of its own (its peak memory is its own, a failure stays
its own), from the project's mkdocs.yml with the site's settings merged in by MkDocs' INHERIT. The
merged configuration is written next to mkdocs.yml for the build, so every path in it (docs/, the
hooks, the theme's overrides) means what it means for the project. Shards are taken from the sites
in key order, round robin: site k (0-based) belongs to shard k mod N + 1. The same sites folder and N
give every job the same list, so jobs need no coordination, and a site's output does not depend on
which job built it (same content and clock, same bytes). The picture cache is shared: its records are
named by the pictures' content, so two sites with one photo encode it once.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from .validate import SLUG_RE

SITE_FILE = "site.yml"
# What a grassroots site may set; the engine, theme, hooks and Markdown stay the federation's.
ALLOWED = ("site_name", "site_url", "site_description", "copyright", "extra")
_SHARD = re.compile(r"^([1-9][0-9]*)/([1-9][0-9]*)$")


class FederationError(Exception):
    """A problem with the sites folder or the shard; the message is for the person running CI."""


@dataclass(frozen=True)
class Site:
    key: str
    folder: Path

    @property
    def content(self) -> Path:
        return self.folder / "content"


def parse_shard(text: str | None) -> tuple[int, int]:
    """`i/N` → (i, N), 1 ≤ i ≤ N; no shard is 1/1 (every site)."""
    if text is None:
        return 1, 1
    found = _SHARD.match(text.strip())
    if not found or int(found.group(1)) > int(found.group(2)):
        raise FederationError(f"--shard 应写成 i/N，且 1 ≤ i ≤ N（例如 2/8），而不是「{text}」")
    return int(found.group(1)), int(found.group(2))


def sites(folder: Path) -> list[Site]:
    """Every site under `folder`, in key order; every problem with them in one message."""
    if not folder.is_dir():
        raise FederationError(f"{folder}: 站点文件夹不存在")
    found, problems = [], []
    for child in sorted(folder.iterdir()):
        if not child.is_dir() or child.name.startswith("."):
            continue
        if not SLUG_RE.match(child.name):
            problems.append(f"{child}: 站点文件夹名只能用小写字母、数字和连字符（它是站点的标识）")
            continue
        if not (child / SITE_FILE).is_file():
            problems.append(f"{child / SITE_FILE}: 缺少站点设置文件（至少写 site_name）")
            continue
        if not (child / "content").is_dir():
            problems.append(f"{child / 'content'}: 缺少内容文件夹")
            continue
        found.append(Site(child.name, child))
    if problems:
        raise FederationError("\n".join(problems))
    if not found:
        raise FederationError(f"{folder}: 没有站点（每个站点一个文件夹，内有 {SITE_FILE} 和 content/）")
    return found


def shard_of(all_sites: list[Site], shard: tuple[int, int]) -> list[Site]:
    index, count = shard
    return [site for k, site in enumerate(all_sites) if k % count == index - 1]


def _settings(site: Site) -> dict:
    """The site's own settings, checked: a mapping of the allowed keys, site_name among them."""
    path = site.folder / SITE_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise FederationError(f"{path}: 无法读取（{exc}）") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise FederationError(f"{where}: YAML 格式错误") from None
    if not isinstance(data, dict):
        raise FederationError(f"{path}:1: 应为「设置名: 值」的映射")
    problems = [f"{path}: 不能在站点设置里设置「{key}」（只能设置 {'、'.join(ALLOWED)}；其余由总工会的 mkdocs.yml 统一）"
                for key in data if key not in ALLOWED]
    if not isinstance(data.get("site_name"), str) or not data["site_name"].strip():
        problems.append(f"{path}: 缺少 site_name（站点名称）")
    if problems:
        raise FederationError("\n".join(problems))
    return data


def build(site: Site, out: Path, project: Path, strict: bool = True) -> subprocess.CompletedProcess:
    """One site, built by MkDocs in its own process into out/KEY."""
    merged = project / f".unionpress-site-{site.key}.yml"
    data = {"INHERIT": "mkdocs.yml", **_settings(site)}
    merged.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    env = dict(os.environ, UNIONPRESS_CONTENT=str(site.content.resolve()), NO_MKDOCS_2_WARNING="1")
    env.pop("UNIONPRESS_PREVIEW", None)  # a federation publishes: never a preview
    command = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(merged), "-d", str((out / site.key).resolve())]
    try:
        return subprocess.run(command + (["--strict"] if strict else []), env=env, cwd=project,
                              capture_output=True, text=True)
    finally:
        merged.unlink(missing_ok=True)


def run(folder: Path, out: Path, shard: str | None, project: Path, only_list: bool = False) -> int:
    """Build this shard's sites; every site is tried, each failure reported; non-zero when any failed."""
    try:
        if not (project / "mkdocs.yml").is_file():
            raise FederationError(f"{project}: 没有 mkdocs.yml：请在项目根目录运行（或设置 UNIONPRESS_ROOT）")
        chosen = shard_of(sites(folder), parse_shard(shard))
        if not only_list:
            for site in chosen:
                _settings(site)  # every site's settings checked before the first build starts
    except FederationError as problem:
        print(problem, file=sys.stderr)
        return 2
    if only_list:
        print("\n".join(site.key for site in chosen))
        return 0
    failed = []
    for site in chosen:
        print(f"构建 {site.key} …", file=sys.stderr, flush=True)
        done = build(site, out, project)
        if done.returncode != 0:
            failed.append(site.key)
            print(f"{site.key}: 构建失败\n{done.stderr.strip()}", file=sys.stderr)
    index, count = parse_shard(shard)
    print(f"分片 {index}/{count}：构建 {len(chosen)} 个站点，成功 {len(chosen) - len(failed)} 个"
          + (f"，失败：{'、'.join(failed)}" if failed else ""), file=sys.stderr)
    return 1 if failed else 0
