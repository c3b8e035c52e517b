"""extra.unionpress is checked like front matter; the clock is read afresh for every build."""

from __future__ import annotations

import os

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
    assert "<style>" not in plain  # the stylesheet's own colours when none are set


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
    assert '<img class="up-masthead__logo" src="images/logo.png" alt="" width="120" height="80">测试</a>' in html
    (tmp_path / "docs/images/round.svg").write_text('<svg viewBox="0 0 64 48"></svg>', encoding="utf-8")
    assert (logo("images/round.svg")[0].logo.width, logo("images/round.svg")[0].logo.height) == (64, 48)
    plain = engine.prepare(_one_setting(tmp_path, site_copy, "page_size", 20)[0], Findings())
    assert "up-masthead__logo" not in plain.render().files[0][1]  # no logo set, no picture
