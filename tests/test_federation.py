"""A federation's many sites: `unionpress sites` picks each shard's sites deterministically, builds
each from its own content and settings into out/KEY, and reports every bad site or shard in Chinese."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from conftest import BASE, NOW, ROOT, write_story

UNIONPRESS = [sys.executable, "-m", "unionpress"]
KEYS = ["a-zong", "b-jixie", "c-tielu", "d-yiyuan", "e-meikuang"]


def _run(*args, cwd=ROOT):
    env = dict(os.environ, UNIONPRESS_NOW=NOW, NO_MKDOCS_2_WARNING="1")
    env.pop("UNIONPRESS_CONTENT", None)
    return subprocess.run([*UNIONPRESS, *args], cwd=cwd, env=env, capture_output=True, text=True)


def _sites(root, keys=KEYS):
    for key in keys:
        (root / key).mkdir(parents=True)
        (root / key / "site.yml").write_text(f"site_name: {key}职工之家\nsite_url: https://{key}.example.org/\n",
                                              encoding="utf-8")
        (root / key / "content").mkdir()
    return root


@pytest.mark.parametrize("shard, chosen", [("1/2", ["a-zong", "c-tielu", "e-meikuang"]), ("2/2", ["b-jixie", "d-yiyuan"]),
                                           ("3/3", ["c-tielu"]), ("1/7", ["a-zong"]), ("6/7", []), (None, KEYS)])
def test_shards_take_sites_round_robin_in_key_order(tmp_path, shard, chosen):
    root = _sites(tmp_path / "sites", list(reversed(KEYS)))  # created in another order: the key order counts
    done = _run("sites", "list", str(root), *(["--shard", shard] if shard else []))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == chosen


def test_every_shard_together_builds_every_site_once(tmp_path):
    root = _sites(tmp_path / "sites")
    lists = [_run("sites", "list", str(root), "--shard", f"{i}/3").stdout.split() for i in (1, 2, 3)]
    assert sorted(sum(lists, [])) == KEYS


@pytest.mark.parametrize("shard", ["0/2", "3/2", "2", "a/b", "1/0", "-1/2"])
def test_a_bad_shard_is_refused_in_chinese(tmp_path, shard):
    done = _run("sites", "list", str(_sites(tmp_path / "sites")), f"--shard={shard}")
    assert done.returncode == 2
    assert done.stderr.strip() == f"--shard 应写成 i/N，且 1 ≤ i ≤ N（例如 2/8），而不是「{shard}」"


def test_every_bad_site_is_reported_in_one_run(tmp_path):
    root = _sites(tmp_path / "sites", ["good"])
    (root / "Bad_Name").mkdir()
    (root / "no-settings").mkdir()
    (root / "no-content").mkdir()
    (root / "no-content" / "site.yml").write_text("site_name: 某工会\n", encoding="utf-8")
    done = _run("sites", "list", str(root))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        f"{root / 'Bad_Name'}: 站点文件夹名只能用小写字母、数字和连字符（它是站点的标识）",
        f"{root / 'no-content' / 'content'}: 缺少内容文件夹",
        f"{root / 'no-settings' / 'site.yml'}: 缺少站点设置文件（至少写 site_name）"]


def test_a_site_may_not_change_the_engine_or_theme(tmp_path):
    root = _sites(tmp_path / "sites", ["one"])
    (root / "one" / "site.yml").write_text("hooks: [evil.py]\ntheme: {name: mkdocs}\n", encoding="utf-8")
    done = _run("sites", "build", str(root), "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and not (tmp_path / "out").exists()
    allowed = "site_name、site_url、site_description、copyright、extra"
    assert done.stderr.strip().splitlines() == [
        f"{root / 'one' / 'site.yml'}: 不能在站点设置里设置「hooks」（只能设置 {allowed}；其余由总工会的 mkdocs.yml 统一）",
        f"{root / 'one' / 'site.yml'}: 不能在站点设置里设置「theme」（只能设置 {allowed}；其余由总工会的 mkdocs.yml 统一）",
        f"{root / 'one' / 'site.yml'}: 缺少 site_name（站点名称）"]


def test_a_shard_builds_its_sites_each_from_its_own_content_and_reports_a_failing_one(tmp_path):
    root = tmp_path / "sites"
    for key, story in (("a-zong", "总工会的稿件"), ("b-jixie", "机械工会的稿件"), ("c-tielu", "铁路工会的稿件")):
        (root / key).mkdir(parents=True)
        shutil.copytree(BASE, root / key / "content")
        write_story(root / key / "content", f"story-{key}", title=story)
        (root / key / "site.yml").write_text(f"site_name: {key}之家\nsite_url: https://{key}.example.org/\n"
                                              "extra: {unionpress: {footer: {host: " + key + "主办}}}\n",
                                              encoding="utf-8")
    write_story(root / "c-tielu" / "content", "broken", column="no-such-column")  # c fails, and is reported
    out = tmp_path / "out"
    done = _run("sites", "build", str(root), "--out", str(out), "--shard", "1/2")  # a-zong and c-tielu
    assert done.returncode == 1
    assert "c-tielu: 构建失败" in done.stderr and "stories/broken.md" in done.stderr
    assert done.stderr.strip().splitlines()[-1] == "分片 1/2：构建 2 个站点，成功 1 个，失败：c-tielu"
    page = (out / "a-zong/stories/story-a-zong/index.html").read_text(encoding="utf-8")
    assert "总工会的稿件" in page and "a-zong之家" in page and "a-zong主办" in page
    assert '<link rel="canonical" href="https://a-zong.example.org/stories/story-a-zong/">' in page
    assert not (out / "b-jixie").exists()  # the other shard's
    assert not list(ROOT.glob(".unionpress-site-*.yml"))  # the merged settings are not left behind
