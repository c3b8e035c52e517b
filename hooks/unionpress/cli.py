"""Command-line tools for editors: `unionpress check`, `unionpress new`.

Every command reads the same settings and runs the same engine as the build. Problems are printed
as `path:line: [code] message`, never as a Python traceback.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

from . import config, engine
from .findings import Findings
from .kinds import ITEM_KINDS
from .validate import SLUG_RE

SCAFFOLDS = {
    "story": """---
title: {title}
date: {now:%Y-%m-%d %H:%M}
column: {column}
genre: 劳模故事
authors: [作者姓名]
summary: 
tags: []
models: []
editor: 责任编辑姓名
status: draft
# 三审全部签署后，把 status 改为 published：
# review:
#   first: {{by: 初审人, date: {now:%Y-%m-%d}}}
#   second: {{by: 复审人, date: {now:%Y-%m-%d}}}
#   final: {{by: 终审人, date: {now:%Y-%m-%d}}}
---

第一段写人物和事件的要点，它会成为列表页和分享时的摘要。
""",
    "model": """---
name: {title}
photo: {slug}.jpg
employer: 工作单位
position: 岗位或职务
region: 
honors:
  - {{honor: {honor}, year: {now:%Y}}}
quote: 
status: draft
# 发布前必须取得本人同意（《个人信息保护法》第二十五条）：
# consent: {{by: 本人姓名, date: {now:%Y-%m-%d}}}
---

人物简介：工作经历、主要事迹和荣誉。不要写身份证号、手机号、家庭住址和健康状况。
""",
}


def _check(args) -> int:
    """The same findings as `mkdocs build`; with --strict warnings fail too, as in `mkdocs build --strict`."""
    settings, findings = config.load()
    if args.drafts:
        settings = dataclasses.replace(settings, check_drafts=True)
    engine.collect_less()
    build = engine.prepare(settings, findings)
    engine.keep_until_the_end()
    build.render()
    return _report(args, settings, build, findings)


def _report(args, settings, build, findings: Findings) -> int:
    """The findings in the asked format, only the changed files' with --changed; external links
    with --links; the columns behind their cadence as reminders (stderr: not findings, see stats)."""
    from . import reporting
    from .pages import editors

    found = findings.sorted()
    paths = None
    if args.changed is not None:
        try:
            paths = reporting.changed_files(settings.root, args.changed)
        except reporting.GitProblem as problem:
            print(f"[changed] 无法得到改动的文件：{problem}", file=sys.stderr)
            return 2
    elif args.files:
        paths = reporting.given_files(settings.root, args.files)
    if paths is not None:
        found = [f for f in found if f.path in paths]
    in_force = reporting.exemptions(build.catalog.items, settings.check_drafts, paths)
    if args.format == "json":
        print(reporting.as_json(found, in_force))
    elif args.format == "sarif":
        print(reporting.as_sarif(found))
    else:
        if args.links:
            links = reporting.external_links(build)
            print(f"外部链接（{len(links)} 个，只列出，不访问）：")
            for path, line, url in links:
                print(f"{path}:{line}: {url}")
        print(reporting.human(found, in_force))
        for line in editors.cadence_reminders(build):
            print(line, file=sys.stderr)
    errors = any(f.is_error for f in found)
    return 1 if errors or (args.strict and found) else 0


def _stats(args) -> int:
    """The editors' report (/stats/) as text: the same numbers, from the same public view."""
    from .pages import editors

    settings, findings = config.load()
    build = engine.prepare(settings, findings)
    print(editors.text_tables(editors.report(build.public, settings.now.date())))
    return 0


def _new(args) -> int:
    settings, findings = config.load()
    if not SLUG_RE.match(args.slug):
        print(f"[slug-invalid] 文件名「{args.slug}」不合规：只能用小写英文字母、数字和连字符 -，例如 li-ming-2024", file=sys.stderr)
        return 2
    build = engine.prepare(settings, Findings())
    folder = settings.content_dir / ITEM_KINDS[args.kind].folder
    if args.kind == "story":
        folder = folder / f"{settings.now:%Y}"
    target = folder / f"{args.slug}.md"
    if target.exists() or any(p.stem == args.slug for p in (settings.content_dir / ITEM_KINDS[args.kind].folder).rglob(f"{args.slug}*")):
        print(f"[duplicate-slug] 已有同名内容：{args.slug}，请换一个文件名", file=sys.stderr)
        return 2
    column = next(iter(build.public.lists["column"].values()), None)
    honor = next(iter(build.public.lists["honor"].values()), None)
    text = SCAFFOLDS[args.kind].format(title=args.title or "在这里写标题", slug=args.slug, now=settings.now,
                                       column=column.key if column else "栏目键", honor=honor.key if honor else "荣誉键")
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(f"已创建 {settings.display(target)}。写完后运行 unionpress check 检查。")
    return 0


def _sites(args) -> int:
    from . import federation

    project = Path(os.environ.get("UNIONPRESS_ROOT") or Path.cwd())  # where mkdocs.yml is, as for check
    return federation.run(args.folder, args.out, args.shard, project, only_list=args.action == "list")


def _wechat(args) -> int:
    """Push stories into the official account's draft box (wechat_api.py); never publishes."""
    from . import wechat_api

    return wechat_api.run(args.slugs, args.dry_run)


def _site_dir(args, settings) -> Path:
    """The built folder: --site, else `site/` beside mkdocs.yml (MkDocs' default site_dir)."""
    return Path(args.site) if args.site else settings.root / "site"


def _publish(args) -> int:
    """Upload a production build to the bucket of extra.unionpress.publish (upload.py)."""
    from . import upload

    settings, findings = config.load()
    if findings.errors:
        print(findings.report(), file=sys.stderr)
        return 2
    if settings.publish is None:
        print("拒绝发布：mkdocs.yml 的 extra.unionpress 里没有 publish 设置（endpoint、bucket 等），"
              "写法见 README 的「发布到对象存储」", file=sys.stderr)
        return 2
    if args.rollback:
        return upload.rollback(settings.publish, dry_run=args.dry_run)
    return upload.publish(_site_dir(args, settings), settings.publish, content_dir=settings.content_dir,
                          dry_run=args.dry_run)


def _next_change(args) -> int:
    """When the site next changes by itself, as the last build wrote it: for a cron job."""
    from . import upload

    settings, _findings = config.load()
    when, message = upload.next_change(_site_dir(args, settings), settings.timezone)
    if when:
        print(when)
        return 0
    print(message, file=sys.stderr)
    return 0 if message == upload.NOTHING_SCHEDULED else 2  # no file, or a damaged one: the cron job must know


def _serve(args) -> int:
    import logging

    from . import preview

    host, _, port = args.dev_addr.rpartition(":")
    if not host or not port.isdigit():
        print(f"--dev-addr 应写成 主机:端口，如 127.0.0.1:8000，实际写的是「{args.dev_addr}」", file=sys.stderr)
        return 2
    config_file = args.config_file or Path(os.environ.get("UNIONPRESS_CONFIG") or Path.cwd() / "mkdocs.yml")
    if not config_file.is_file():
        print(f"找不到 {config_file}：请在网站文件夹里运行，或用 -f 指明 mkdocs.yml", file=sys.stderr)
        return 2
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logging.getLogger("mkdocs").addHandler(handler)
    logging.getLogger("mkdocs").setLevel(logging.INFO)
    return preview.serve(config_file, host.strip("[]"), int(port))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="unionpress", description="UnionPress 工会宣传网站工具")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="检查全部内容（与构建使用同一套规则）")
    check.add_argument("--strict", action="store_true", help="警告也算失败（与 mkdocs build --strict 一致）")
    check.add_argument("--drafts", action="store_true", help="草稿也按规范表述和敏感词检查（写稿时自查）")
    check.add_argument("--format", choices=("text", "json", "sarif"), default="text",
                       help="输出格式：text（给人看，默认）、json（给 CI）、sarif（给代码评审工具）")
    check.add_argument("--changed", nargs="?", const="HEAD", metavar="REF",
                       help="只报告自 Git 提交 REF（默认 HEAD：尚未提交的改动）以来改过的文件；引用仍按整个网站检查")
    check.add_argument("--links", action="store_true", help="列出正文里指向其他网站的链接（不访问它们）")
    check.add_argument("files", nargs="*", metavar="FILE",
                       help="只报告这些文件（pre-commit 传入改动的文件）；引用仍按整个网站检查")
    check.set_defaults(run=_check)
    stats = sub.add_parser("stats", help="编辑报表：栏目更新频率、专题推荐期、三审队列、荣誉目标（与 /stats/ 页相同）")
    stats.set_defaults(run=_stats)
    new = sub.add_parser("new", help="新建稿件或劳模资料（草稿）")
    new.add_argument("kind", choices=sorted(SCAFFOLDS), help="story（稿件）或 model（劳模）")
    new.add_argument("slug", help="文件名：小写字母、数字和连字符，如 li-ming-2024")
    new.add_argument("--title", help="标题（稿件）或姓名（劳模）")
    new.set_defaults(run=_new)
    publish = sub.add_parser("publish", help="把构建好的网站增量上传到对象存储（OSS、COS、OBS、MinIO）")
    publish.add_argument("--site", help="构建好的网站文件夹（默认 site/）")
    publish.add_argument("--dry-run", action="store_true", help="只列出将要上传和删除的文件，不上传")
    publish.add_argument("--rollback", action="store_true", help="恢复上一个发布版本")
    publish.set_defaults(run=_publish)
    next_change = sub.add_parser("next-change", help="网站下一次自动变化的时间（定时发布、展览开闭幕等），供定时任务使用")
    next_change.add_argument("--site", help="构建好的网站文件夹（默认 site/）")
    next_change.set_defaults(run=_next_change)
    wechat = sub.add_parser("wechat", help="微信公众号：把稿件推送到公众号草稿箱（不会直接发表）")
    wechat_sub = wechat.add_subparsers(dest="wechat_command", required=True)
    push = wechat_sub.add_parser("push", help="推送稿件到草稿箱；推送过的稿件更新原草稿，已上传的图片不再上传")
    push.add_argument("slugs", nargs="+", metavar="SLUG", help="稿件文件名（不带 .md），可写多个")
    push.add_argument("--dry-run", action="store_true", help="只列出将要发出的请求，不联网、不需要凭据")
    push.set_defaults(run=_wechat)
    sites = sub.add_parser("sites", help="总工会多站点：按分片构建各基层工会的网站（CI 矩阵任务用）")
    sites.add_argument("action", choices=("build", "list"), help="build（构建）或 list（只列出本分片的站点）")
    sites.add_argument("folder", type=Path, help="站点文件夹：每个站点一个子文件夹，内有 site.yml 和 content/")
    sites.add_argument("--out", type=Path, default=Path("public"), help="输出文件夹，每个站点写到其中的 KEY/（默认 public/）")
    sites.add_argument("--shard", metavar="i/N", help="只处理第 i 片（共 N 片）：按站点名排序后轮流分配")
    sites.set_defaults(run=_sites)
    serve = sub.add_parser("serve", help="编辑预览：完整构建一次，之后只重新生成改动影响的页面，浏览器自动刷新")
    serve.add_argument("--dev-addr", default="127.0.0.1:8000", metavar="HOST:PORT",
                       help="预览地址（默认 127.0.0.1:8000，只有本机能打开）")
    serve.add_argument("-f", "--config-file", type=Path, help="mkdocs.yml（默认当前文件夹的，或 UNIONPRESS_CONFIG）")
    serve.set_defaults(run=_serve)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except config.SettingsError as exc:
        print(f"[config] {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
