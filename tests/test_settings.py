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
