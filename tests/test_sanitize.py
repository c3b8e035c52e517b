"""Body HTML is sanitised with an allow-list (nh3): nothing executable reaches a page or a feed."""

from __future__ import annotations

import json
import re
import shutil

from conftest import ROOT, CASES, check, mkdocs_build, write_story, VARIANT


JSONLD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def test_hostile_html_never_reaches_pages_or_feeds(site_copy, tmp_path):
    shutil.copy(CASES / "body-hostile-html.md", site_copy / "stories/body-hostile-html.md")
    site = tmp_path / "site"
    result = mkdocs_build(site, content=site_copy, strict=False)  # the removals are warnings
    assert result.returncode == 0, result.stderr
    texts = {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8") for p in site.rglob("*")
             if p.suffix in {".html", ".xml", ".json"}}
    # The scripts our pages ship (the 适老化 settings line, care.js, search.js, offline.js …) are taken out by
    # their exact text; nothing else may appear.
    head = (ROOT / "hooks/unionpress/pages/templates/_head.html").read_text(encoding="utf-8")
    settings_line = next(line for line in head.splitlines() if line.startswith("<script>(function(h){"))
    ours = re.compile(r'<script type="module" src="(?:\.\./|/)*assets/unionpress/(?:care|search|gallery|lightbox|offline)\.js"></script>')
    # The WeChat preview (exports/wechat/SLUG/preview.html) is the operator's copy tool, not a site page: its
    # own script (复制到公众号, 深色模式) is taken out by its exact text from the template, on that page only.
    tool = (ROOT / "hooks/unionpress/pages/templates/wechat_preview.html").read_text(encoding="utf-8")
    tool_script = re.search(r"<script>.*?</script>", tool, re.S).group(0)
    assert "exports/wechat/body-hostile-html/preview.html" in texts  # the hostile body's package is checked too
    for name, text in texts.items():
        if 'id="__config"' in text:
            continue  # a hand-written page rendered by Material, with Material's own config script; no story body
        if re.fullmatch(r"exports/wechat/[^/]+/preview\.html", name):
            assert text.count(tool_script) == 1, name
            text = text.replace(tool_script, "")
        text = ours.sub("", text.replace(settings_line, ""))
        for data in JSONLD.findall(text):  # structured data: inert, and it must parse as JSON whole
            json.loads(data)
        text = JSONLD.sub("", text)
        assert not re.search(r"<script|javascript:|onerror|evil\.example|alert\(", text, re.I), name
    page = texts["stories/body-hostile-html/index.html"]
    assert re.search(r'<img src="\.\./\.\./' + VARIANT + '" alt="车间"', page) and "从网页上复制来的一段话。" in page
    assert mkdocs_build(tmp_path / "strict", content=site_copy).returncode == 1  # warnings fail --strict


def test_what_an_article_needs_is_kept(site_copy):
    body = ("| 项目 | 数量 |\n|---|---|\n| 革新 | 12 |\n\n脚注[^1]\n\n[^1]: 来源：示例日报\n\n"
            '<figure><img src="../images/photo.jpg" alt="李明"><figcaption>李明在车间</figcaption></figure>\n\n'
            '<iframe src="https://player.bilibili.com/player.html?bvid=BV1" width="640" height="360" allowfullscreen></iframe>\n\n'
            "```\n<script>代码示例</script>\n```\n\n[邮件](mailto:tougao@example.org)")
    write_story(site_copy, "article", body=body)
    lines, build = check(site_copy, embed_hosts=["player.bilibili.com"])
    assert lines == []
    item = next(i for i in build.catalog.items if i.slug == "article")
    html = build.bodies[id(item)].at("stories/article/")
    for kept in ("<table>", "<td>12</td>", 'class="footnote"', "<figcaption>李明在车间</figcaption>",
                 'src="https://player.bilibili.com/player.html?bvid=BV1"', "&lt;script&gt;代码示例&lt;/script&gt;",
                 'href="mailto:tougao@example.org"'):
        assert kept in html, kept
    assert re.search(r'<figure><a href="\.\./\.\./' + VARIANT + r'" class="up-lightbox"><picture><source type="image/webp" '
                     r'srcset="[^"]+"[^>]*><img src="\.\./\.\./' + VARIANT, html)


def test_a_srcset_must_name_the_sites_own_picture_variants():
    from unionpress import sanitize

    ours = "unionpress-site:media/pictures/0123456789abcdef0123-320.webp 320w"
    kept = sanitize.clean(f'<img src="x.jpg" alt="a" srcset="{ours}">', frozenset())
    assert f'srcset="{ours}"' in kept
    for other in ("unionpress-site://evil.example/x.jpg 1x", "https://evil.example/x.jpg 320w",
                  f"{ours}, https://evil.example/y.jpg 640w"):
        assert "srcset" not in sanitize.clean(f'<img src="x.jpg" alt="a" srcset="{other}">', frozenset()), other


def test_a_spreadsheet_never_runs_an_honor_name_as_a_formula():
    from unionpress.outputs.honors import _cell

    assert [_cell(t) for t in ("=HYPERLINK(1)", "+1", "-1", "@x", "全国劳动模范")] == \
        ["'=HYPERLINK(1)", "'+1", "'-1", "'@x", "全国劳动模范"]
