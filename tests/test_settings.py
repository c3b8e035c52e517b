"""extra.unionpress is checked like front matter; the clock is read afresh for every build."""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from conftest import NOW, ROOT

CONFIG = """site_name: 测试
site_url: https://example.org/
theme:
  name: material
  language: zh
hooks:
  - {hooks}
plugins: []
extra:
  unionpress:
    content_dir: {content}
    page_szie: 10
    review_required: "yes"
    timezone: Mars/Olympus
    genres: 新闻
"""


def test_settings_are_checked_with_their_lines(tmp_path, site_copy):
    from unionpress import config

    (tmp_path / "mkdocs.yml").write_text(CONFIG.format(hooks=ROOT / "hooks/build.py", content=site_copy),
                                         encoding="utf-8")
    settings, findings = config.load(tmp_path, environ={"UNIONPRESS_NOW": NOW})
    assert [f.format() for f in findings.sorted()] == [
        "mkdocs.yml:12: [config-unknown] 警告：配置 extra.unionpress 中有未知字段「page_szie」，将被忽略。是否想写「page_size」？",
        "mkdocs.yml:13: [config] 配置 extra.unionpress.review_required 有误：应为 true 或 false",
        "mkdocs.yml:14: [config] 配置 extra.unionpress.timezone 有误：应为时区名称，如 Asia/Shanghai",
        "mkdocs.yml:15: [config] 配置 extra.unionpress.genres 有误：应为文字列表",
    ]
    assert settings.review_required is True and settings.page_size == 20  # bad values are never used


def test_build_reports_the_same_setting_findings(tmp_path, site_copy):
    import subprocess
    import sys

    (tmp_path / "mkdocs.yml").write_text(CONFIG.format(hooks=ROOT / "hooks/build.py", content=site_copy),
                                         encoding="utf-8")
    (tmp_path / "docs").mkdir()
    env = dict(os.environ, UNIONPRESS_NOW=NOW, NO_MKDOCS_2_WARNING="1")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=tmp_path, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "mkdocs.yml:13: [config] 配置 extra.unionpress.review_required 有误：应为 true 或 false" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_style_rebuilds_read_the_clock_each_time(tmp_path, monkeypatch):
    """Two builds in one process (what `mkdocs serve` does on every change): the embargo lifts."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "true")  # Material sets it to this itself
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.delenv("UNIONPRESS_PREVIEW", raising=False)
    embargoed = "stories/quanguo-laomo-dahui-tebie-baodao/index.html"
    for now, shown in (("2026-12-28T09:59:00+08:00", False), ("2026-12-28T10:00:00+08:00", True)):
        monkeypatch.setenv("UNIONPRESS_NOW", now)
        before = dict(os.environ)
        site = tmp_path / now[:16].replace(":", "")
        build(load_config(str(ROOT / "mkdocs.yml"), site_dir=str(site)))
        assert (site / embargoed).exists() is shown
        assert dict(os.environ) == before  # nothing the next rebuild would inherit


def _one_setting(root, content, key, value):
    """Settings with one extra.unionpress key set, and the findings about it."""
    from unionpress import config
    from unionpress.findings import Findings

    findings = Findings()
    site = {"site_name": "测试", "extra": {"unionpress": {key: value}}}
    settings = config.from_mapping(root, site, findings, environ={"UNIONPRESS_CONTENT": str(content), "UNIONPRESS_NOW": NOW})
    return settings, [f.format() for f in findings.sorted()]


def test_footer_lines_are_checked_and_shown_only_when_set(tmp_path, site_copy):
    from unionpress import config, engine
    from unionpress.findings import Findings

    def footer(value):
        return _one_setting(tmp_path, site_copy, "footer", value)

    _, found = footer({"icp": "京ICP备1号", "beian": "x"})
    assert found == ["mkdocs.yml:1: [config] 配置 extra.unionpress.footer 有误：应为映射，可写 host（主办单位）、address（地址）、"
                     "phone（电话）、icp（ICP备案号）、police（公安备案号），每项不超过 100 字：未知字段「beian」"]
    settings, found = footer({"host": "某市总工会 <宣传部>", "icp": "京ICP备12345678号-1", "phone": "  "})
    assert found == [] and settings.footer == {"host": "某市总工会 <宣传部>", "icp": "京ICP备12345678号-1"}
    build = engine.prepare(settings, Findings())
    html = build.render().files[0][1]
    assert "主办单位：某市总工会 &lt;宣传部&gt;" in html  # escaped like every other setting printed
    assert '<a class="up-footer__link" href="https://beian.miit.gov.cn/" rel="noopener">京ICP备12345678号-1</a>' in html
    assert "电话" not in html and "地址" not in html and "公网安备" not in html  # empty lines are not printed


def test_colours_must_keep_white_text_readable(tmp_path, site_copy):
    from unionpress import config, engine
    from unionpress.findings import Findings

    def colours(value):
        return _one_setting(tmp_path, site_copy, "colors", value)

    prefix = "mkdocs.yml:1: [config] 配置 extra.unionpress.colors 有误：应为映射，可写 masthead（页头颜色）和 channels（栏目条颜色），写成 #RRGGBB："
    assert colours({"masthead": "#ef5552"})[1] == [prefix + "「masthead」#ef5552 与白色的对比度只有 3.4:1，至少要 4.5:1，请选更深的颜色"]
    assert colours({"masthead": "red"})[1] == [prefix + "「masthead」应写成 #RRGGBB，如 #b71c1c"]
    assert colours({"header": "#003399"})[1] == [prefix + "未知字段「header」"]
    settings, found = colours({"masthead": "#003399", "channels": "#002266"})
    assert found == [] and round(config.contrast_with_white("#b71c1c"), 1) == 6.6
    html = engine.prepare(settings, Findings()).render().files[0][1]
    assert "<style>:root{--up-red:#003399;--up-dark:#002266;}</style>" in html
    plain = engine.prepare(colours({})[0], Findings()).render().files[0][1]
    assert ":root{" not in plain  # the stylesheet's own colours when none are set


def test_logo_is_a_docs_image_shown_with_its_size(tmp_path, site_copy):
    from PIL import Image

    from unionpress import engine
    from unionpress.findings import Findings

    def logo(value):
        return _one_setting(tmp_path, site_copy, "logo", value)

    prefix = "mkdocs.yml:1: [config] 配置 extra.unionpress.logo 有误：应为 docs/ 里的图片路径（png、jpg、webp 或 svg），如 images/logo.png："
    assert logo("logo.gif")[1] == [prefix + "不是图片文件名"]
    assert logo("../secret/logo.png")[1] == [prefix + "应为 docs/ 里的相对路径"]
    assert logo("images/logo.png")[1] == [prefix + "文件 docs/images/logo.png 不存在"]
    (tmp_path / "docs/images").mkdir(parents=True)
    (tmp_path / "docs/images/flat.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"></svg>', encoding="utf-8")
    assert logo("images/flat.svg")[1] == [prefix + "SVG 缺少 viewBox，无法确定尺寸"]
    (tmp_path / "docs/images/broken.png").write_bytes(b"not a picture")
    assert logo("images/broken.png")[1] == [prefix + "不是可以读取的图片"]
    Image.new("RGB", (120, 80), "red").save(tmp_path / "docs/images/logo.png")
    settings, found = logo("images/logo.png")
    assert found == [] and (settings.logo.width, settings.logo.height) == (120, 80)
    html = engine.prepare(settings, Findings()).render().files[0][1]
    assert '<img class="up-masthead__logo" src="images/logo.png" alt="" width="120" height="80"><span class="up-masthead__full">' in html
    (tmp_path / "docs/images/round.svg").write_text('<svg viewBox="0 0 64 48"></svg>', encoding="utf-8")
    assert (logo("images/round.svg")[0].logo.width, logo("images/round.svg")[0].logo.height) == (64, 48)
    plain = engine.prepare(_one_setting(tmp_path, site_copy, "page_size", 20)[0], Findings())
    assert "up-masthead__logo" not in plain.render().files[0][1]  # no logo set, no picture


@pytest.mark.parametrize("svg, why", [
    ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><script>alert(1)</script></svg>',
     "SVG 含有会运行的 <script>：请删去，或改用 PNG"),
    ('<s:svg xmlns:s="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><s:script>alert(1)</s:script></s:svg>',
     "SVG 含有会运行的 <script>：请删去，或改用 PNG"),
    ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8" onload="alert(1)"/>',
     "SVG 含有事件属性 onload=：请删去，或改用 PNG"),
    ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><foreignObject/></svg>',
     "SVG 含有会运行的 <foreignobject>：请删去，或改用 PNG"),
    ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink" viewBox="0 0 8 8">'
     '<image x:href="https://t.example/p.png"/></svg>',
     "SVG 引用了外部地址 https://t.example/p.png：徽标须自成一体（内嵌图片或改用 PNG）"),
])
def test_an_svg_logo_that_could_run_script_on_our_origin_is_refused(tmp_path, site_copy, svg, why):
    """The logo is served as it is beside every page: opened alone, its script would run on our origin."""
    (tmp_path / "docs/images").mkdir(parents=True)
    (tmp_path / "docs/images/logo.svg").write_text(svg, encoding="utf-8")
    settings, found = _one_setting(tmp_path, site_copy, "logo", "images/logo.svg")
    assert found == ["mkdocs.yml:1: [config] 配置 extra.unionpress.logo 有误：应为 docs/ 里的图片路径（png、jpg、webp 或 svg），"
                     "如 images/logo.png：" + why]
    assert settings.logo is None


# -- every shape of mkdocs.yml: a located finding, never a traceback ------------------------------------

CONTROL_GONE = "已删除：多半是从 Word、WPS 或网页粘贴带来的，读者看不到，发布的内容里也不会有"
FOOTER = "应为映射，可写 host（主办单位）、address（地址）、phone（电话）、icp（ICP备案号）、police（公安备案号），每项不超过 100 字"
# mkdocs.yml after `site_name: 测试` → exactly what check reports (the base content is clean).
SHAPES = {
    "yaml-error": ("extra: [1\n", [
        "mkdocs.yml:3: [config] 配置 mkdocs.yml 有误：YAML 语法错误：方括号 [ ] 没有闭合，或列表项之间缺少逗号"
        "（expected ',' or ']', but got '<stream end>'）"]),
    "unhashable-key": ("extra:\n  unionpress:\n    footer: {[1]: 2}\n", [
        "mkdocs.yml:4: [config] 配置 mkdocs.yml 有误：YAML 语法错误：“字段:”的字段名不能是列表或映射；若是文字，请加引号（found unhashable key）"]),
    "raw-control": ("site_description: 换页\x0c\n", [
        "mkdocs.yml:2: [config] 配置 mkdocs.yml 有误：YAML 语法错误：含有不可见的控制字符（例如 Word 的软回车）：请删除这个字符"
        "（unacceptable character #x000c）"]),
    "tab": ("extra:\n\tunionpress: {}\n", [
        "mkdocs.yml:3: [config] 配置 mkdocs.yml 有误：YAML 语法错误：不能用 Tab 缩进，请改用空格（found character '\\t' that cannot start any token）"]),
    "extra-number": ("extra: 5\n", ["mkdocs.yml:2: [config] 配置 extra 有误：应为映射（字段: 值），实际写的是：「5」"]),
    "extra-list": ("extra: [a, b]\n", ["mkdocs.yml:2: [config] 配置 extra 有误：应为映射（字段: 值），实际写的是：列表"]),
    "unionpress-text": ("extra:\n  unionpress: 设置\n", [
        "mkdocs.yml:3: [config] 配置 extra.unionpress 有误：应为映射（字段: 值），实际写的是：「设置」"]),
    "unionpress-list": ("extra:\n  unionpress:\n    - page_size: 10\n", [
        "mkdocs.yml:3: [config] 配置 extra.unionpress 有误：应为映射（字段: 值），实际写的是：列表"]),
    "footer-list": ("extra:\n  unionpress:\n    footer: [主办单位]\n", [
        f"mkdocs.yml:4: [config] 配置 extra.unionpress.footer 有误：{FOOTER}：不是映射"]),
    "footer-nested": ("extra:\n  unionpress:\n    footer: {host: {name: 工会}}\n", [
        f"mkdocs.yml:4: [config] 配置 extra.unionpress.footer 有误：{FOOTER}：「host」应为不超过 100 字的文字"]),
    "partner-entry-list": ("extra:\n  unionpress:\n    partners: [[ribao]]\n", [
        "mkdocs.yml:4: [config] 配置 extra.unionpress.partners 有误：应为合作媒体列表：第 1 项不是映射"]),
    "partner-title-list": ("extra:\n  unionpress:\n    partners:\n      - {name: ribao, title: [日报]}\n", [
        "mkdocs.yml:4: [config] 配置 extra.unionpress.partners 有误：应为合作媒体列表：第 1 项的 title 应为不超过 200 字的文字"]),
    "partner-description-map": ("extra:\n  unionpress:\n    partners:\n      - {name: ribao, description: {a: 1}}\n", [
        "mkdocs.yml:4: [config] 配置 extra.unionpress.partners 有误：应为合作媒体列表：第 1 项的 description 应为不超过 200 字的文字"]),
    "genres-map": ("extra:\n  unionpress:\n    genres: {新闻: 1}\n", [
        "mkdocs.yml:4: [config] 配置 extra.unionpress.genres 有误：应为文字列表"]),
    "extensions-number": ("markdown_extensions: 5\n", [
        "mkdocs.yml:2: [config] 配置 markdown_extensions 有误：应为扩展列表，如 [toc, tables]"]),
    "extensions-entry": ("markdown_extensions:\n  - toc\n  - [tables]\n  - no_such_extension\n", [
        "mkdocs.yml:4: [config] 配置 markdown_extensions 有误：第 2 项应为扩展名，或「扩展名: 选项映射」，实际写的是：列表",
        "mkdocs.yml:5: [config] 配置 markdown_extensions 有误：扩展「no_such_extension」无法加载"
        "（ModuleNotFoundError: No module named 'no_such_extension'）"]),
    "nav-map": ("nav: {关于: about.md}\n", [
        "mkdocs.yml:2: [config] 配置 nav 有误：应为列表（每项以 - 开头），实际写的是：映射（字段: 值）"]),
    "site-url-map": ("site_url: {a: 1}\n", ["mkdocs.yml:2: [config] 配置 site_url 有误：应为文字，实际写的是：映射（字段: 值）"]),
    # Aliases: shared, never copied out (9 ** 8 texts), and an alias of itself is no loop.
    "alias-bomb": ("anchors:\n  a: &a [x, x, x, x, x, x, x, x, x]\n"
                   + "".join(f"  {n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefg", "bcdefgh"))
                   + "extra:\n  unionpress:\n    genres: *h\n", [
        "mkdocs.yml:13: [config] 配置 extra.unionpress.genres 有误：应为文字列表"]),
    "alias-of-itself": ("extra: &x\n  unionpress: {}\n  self: *x\n", []),
    "content-dir-missing": ("extra:\n  unionpress:\n    content_dir: nowhere\n", [
        "nowhere:1: [content-dir] 内容目录不存在：nowhere"]),
    "escaped-controls": ('copyright: "版权\\f所有"\nextra:\n  unionpress:\n    footer: {host: "总工会\\e"}\n'
                         '    partners:\n      - {name: ribao, title: "日报\\x01"}\n', [
        f"mkdocs.yml:2: [control-char] 警告：含有不可见的控制字符 U+000C（换页符，多为 Word 的分页符），{CONTROL_GONE}",
        f"mkdocs.yml:5: [control-char] 警告：含有不可见的控制字符 U+001B（ESC 转义符），{CONTROL_GONE}",
        f"mkdocs.yml:7: [control-char] 警告：含有不可见的控制字符 U+0001，{CONTROL_GONE}"]),
}


def _check_project(root, text: str, content=None):
    from unionpress import config, engine

    (root / "mkdocs.yml").write_text(text, encoding="utf-8")
    environ = {"UNIONPRESS_NOW": NOW} | ({"UNIONPRESS_CONTENT": str(content)} if content else {})
    settings, findings = config.load(root, environ=environ)
    build = engine.prepare(settings, findings)
    build.render()
    return settings, [f.format() for f in findings.sorted()]


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_shape_of_mkdocs_yml_is_a_located_finding(tmp_path, site_copy, shape):
    tail, expected = SHAPES[shape]
    content = None if shape == "content-dir-missing" else site_copy
    settings, found = _check_project(tmp_path, "site_name: 测试\n" + tail, content)
    assert found == expected
    if shape == "escaped-controls":
        assert settings.copyright == "版权所有" and settings.footer == {"host": "总工会"}
        assert settings.partners[0]["title"] == "日报"


@pytest.mark.parametrize("text", ["- site_name: 测试\n", "只有一行文字\n", "42\n"])
def test_mkdocs_yml_that_is_not_a_mapping(tmp_path, site_copy, text):
    _, found = _check_project(tmp_path, text, site_copy)
    assert len(found) == 1 and re.fullmatch(r"mkdocs\.yml:1: \[config\] 配置 mkdocs\.yml 有误：应为映射（字段: 值），实际写的是：\S+",
                                            found[0]), found


def test_check_command_prints_settings_findings_without_a_traceback(tmp_path, site_copy):
    import subprocess
    import sys

    (tmp_path / "mkdocs.yml").write_text("site_name: 测试\nextra: 5\n", encoding="utf-8")
    env = {"UNIONPRESS_CONTENT": str(site_copy), "UNIONPRESS_NOW": NOW, "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "unionpress", "check"], env=env, capture_output=True, text=True,
                          cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr
    assert done.stdout.splitlines() == ["mkdocs.yml:2: [config] 配置 extra 有误：应为映射（字段: 值），实际写的是：「5」",
                                        "按规则统计：", "规则编号  错误  警告", "config     1     0",
                                        "共 1 个错误，0 个警告。"]


def _buildable(text: str) -> str:
    """mkdocs.yml that MkDocs can build: the theme and hook first, then `text`."""
    return (f"site_url: https://example.org/\ntheme:\n  name: material\n  language: zh\n"
            f"hooks:\n  - {ROOT / 'hooks/build.py'}\nplugins: []\n" + text)


def _mkdocs(root, text: str, content, strict: bool = False):
    """`mkdocs build` of a project whose mkdocs.yml is `text` exactly."""
    import subprocess
    import sys

    (root / "mkdocs.yml").write_text(text, encoding="utf-8")
    (root / "docs").mkdir(exist_ok=True)
    env = dict(os.environ, UNIONPRESS_NOW=NOW, NO_MKDOCS_2_WARNING="1", UNIONPRESS_CONTENT=str(content))
    env.pop("SOURCE_DATE_EPOCH", None)
    env.pop("UNIONPRESS_PREVIEW", None)
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", *(["--strict"] if strict else [])], cwd=root,
                          env=env, capture_output=True, text=True)


def test_build_and_check_report_the_same_settings_findings(tmp_path, site_copy):
    """What reaches the engine (all of extra.unionpress) is read by one function: the same lines."""
    text = _buildable("site_name: 测试\nextra:\n  unionpress:\n    footer: {host: {name: 工会}}\n    partners:\n"
                      "      - {name: ribao, title: [日报]}\n    page_szie: 3\n")
    _, found = _check_project(tmp_path, text, site_copy)
    assert len(found) == 3
    done = _mkdocs(tmp_path, text, site_copy)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    for line in found:
        assert line in done.stderr


def test_build_with_escaped_controls_in_settings_warns_and_writes_well_formed_feeds(tmp_path, site_copy):
    import feedparser
    from lxml import etree

    text = _buildable('site_name: "测试\\e网站"\nsite_description: "说明\\f"\ncopyright: "版权\\x01"\n')
    _, found = _check_project(tmp_path, text, site_copy)
    assert [line.split(": [")[1].split("]")[0] for line in found] == ["control-char"] * 3
    done = _mkdocs(tmp_path, text, site_copy)
    assert done.returncode == 0, done.stderr[-2000:]
    assert all(line in done.stderr for line in found)
    for feed in sorted((tmp_path / "site/feeds").rglob("*.xml")):
        etree.parse(str(feed))
        assert feedparser.parse(feed.read_bytes()).bozo == 0
    assert feedparser.parse((tmp_path / "site/feeds/rss.xml").read_bytes()).feed.title == "测试网站"
    for card in (tmp_path / "site/models").rglob("card.svg"):
        assert "测试网站 · 劳模风采" in etree.parse(str(card)).getroot().xpath("string(.)")


@pytest.mark.parametrize("tail", ["extra: [1\n", "extra: 5\n", "nav: {关于: about.md}\n", "markdown_extensions: [nosuch]\n"])
def test_build_refuses_what_mkdocs_itself_refuses_without_a_traceback(tmp_path, site_copy, tail):
    """MkDocs reads mkdocs.yml before any hook runs: its own located error, never a traceback; check
    reports the same mistake as a [config] finding (test_every_shape_of_mkdocs_yml_is_a_located_finding)."""
    done = _mkdocs(tmp_path, _buildable("site_name: 测试\n" + tail), site_copy)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "Error" in done.stderr or "ERROR" in done.stderr
    _, found = _check_project(tmp_path, (tmp_path / "mkdocs.yml").read_text(encoding="utf-8"), site_copy)
    assert found and all(re.match(r"mkdocs\.yml:\d+: \[config\] ", line) for line in found), found


_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10, 10**6), st.floats(allow_nan=False),
                     st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12),
                     st.sampled_from(["", "#b71c1c", "images/logo.svg", "Asia/Shanghai", "ribao", "toc", "\x0c", "a\x1bb"]))
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                         st.dictionaries(st.text(max_size=6), inner, max_size=3)),
                       max_leaves=8)
_KEYS = ["content_dir", "review_required", "page_size", "timezone", "genres", "industries", "embed_hosts",
         "feed_length", "partners", "footer", "colors", "logo", "gallery_page_size", "no_such_key"]
_PARTNER = st.fixed_dictionaries({"name": st.sampled_from(["ribao", "Bad", 3])},
                                 optional={key: _VALUES for key in ("title", "description", "columns", "tags", "full_text")})


@hypothesis_settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(union=st.dictionaries(st.sampled_from(_KEYS), _VALUES, max_size=4), partners=st.lists(_PARTNER, max_size=2),
       top=st.dictionaries(st.sampled_from(["site_name", "site_url", "copyright", "markdown_extensions", "nav",
                                            "docs_dir", "site_description"]), _VALUES, max_size=3),
       extra_shape=st.sampled_from(["mapping", "value"]), odd=_VALUES)
def test_any_settings_give_located_findings_and_never_an_exception(tmp_path, site_copy, union, partners, top,
                                                                 extra_shape, odd):
    """Settings of any shape and type, as MkDocs hands them to the hook (no YAML involved): findings
    against mkdocs.yml with a line, the engine still renders, and nothing raises."""
    from unionpress import config, engine
    from unionpress.findings import Findings

    if partners:
        union = union | {"partners": partners}
    site = top | {"extra": {"unionpress": union} if extra_shape == "mapping" else {"unionpress": odd}}
    findings = Findings()
    settings = config.from_mapping(tmp_path, site, findings,
                                   environ={"UNIONPRESS_CONTENT": str(site_copy), "UNIONPRESS_NOW": NOW})
    engine.prepare(settings, findings).render()
    for finding in findings.sorted():
        assert finding.path != "mkdocs.yml" or finding.code in ("config", "config-unknown", "control-char"), finding
        assert re.fullmatch(r"[^:]+:\d+(?::\d+)?: \[[a-z-]+\] .+", finding.format(), re.S), finding.format()


def test_a_file_is_named_as_resolving_it_names_it_through_links(tmp_path):
    """Settings.display resolves a file outside the project through its folder, remembered
    (config.resolved): the same path as Path.resolve, through a linked folder, a linked file, a link
    inside the project and a file not there."""
    from unionpress import config as up_config

    (tmp_path / "project").mkdir()
    (tmp_path / "real/c").mkdir(parents=True)
    (tmp_path / "real/c/a.md").write_text("x", encoding="utf-8")
    os.symlink(tmp_path / "real", tmp_path / "link")
    os.symlink(tmp_path / "real/c/a.md", tmp_path / "project/l.md")
    os.symlink(tmp_path / "real", tmp_path / "project/inside")
    for path in (tmp_path / "real/c/a.md", tmp_path / "link/c/a.md", tmp_path / "project/l.md",
                 tmp_path / "project/inside/c/a.md", tmp_path / "link/c/gone.md", tmp_path / "link/c/../c/a.md"):
        assert up_config.resolved(path) == path.resolve(), path


def test_a_build_resolves_a_folder_link_re_pointed_since_the_last_build(tmp_path):
    """config.resolved remembers folders until the next build begins (engine.prepare calls
    config.forget_folders): `mkdocs serve` builds again in one process, and a link to a folder
    re-pointed in between must give its new place."""
    from unionpress import config as up_config

    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "a.md").write_text(name, encoding="utf-8")
    link = tmp_path / "content"
    os.symlink(tmp_path / "one", link)
    assert up_config.resolved(link / "a.md") == tmp_path.resolve() / "one/a.md"
    link.unlink()
    os.symlink(tmp_path / "two", link)
    assert up_config.resolved(link / "a.md") == tmp_path.resolve() / "one/a.md"  # remembered within a build
    up_config.forget_folders()
    assert up_config.resolved(link / "a.md") == tmp_path.resolve() / "two/a.md"
