"""Every piece of metadata an editor writes is escaped wherever it is printed: <title>, <meta>, Open
Graph, the channel bar, listings, profiles — on the engine's pages and on the hand-written ones."""

from __future__ import annotations

import re

from conftest import mkdocs_build, write_item, write_story

EVIL = {  # field → a value carrying <script>, & and " (each marker unique, so each can be traced)
    "title": '\'<script>alert("T1")</script> & "T1"\'',
    "summary": '\'<script>alert("S1")</script> & "S1"\'',
    "source": '\'<img src=x onerror=alert("O1")> & "O1"\'',
    "editor": '\'<script>E1</script>\'',
    "authors": '[\'<script>A1</script> & "A1"\']',
    "tags": '[\'<script>G1</script>&"G1"\']',
    # The title (35 characters) and author (26) are over WeChat's limits (32, 16): an override that fits, as
    # hostile as the rest, so the WeChat package (exports/wechat/evil/) is built and its escaping checked too.
    "wechat": '{title: \'<script>X1</script> & "X1"\', author: \'<b>U1</b> & "U1"\'}',
}


def test_hostile_metadata_is_escaped_everywhere(site_copy, tmp_path):
    columns = site_copy / "columns.yml"
    columns.write_text(columns.read_text(encoding="utf-8") +
                       '- {key: evil, name: \'<script>C1</script> & "C1"\', description: \'<b>D1</b> "D1"\'}\n',
                       encoding="utf-8")
    topics = site_copy / "topics.yml"
    topics.write_text(topics.read_text(encoding="utf-8") +
                      '- {key: evil-topic, name: \'<script>P1</script>\', summary: \'<script>P2</script> & "P2"\'}\n',
                      encoding="utf-8")
    write_story(site_copy, "evil", column="evil", topics="[evil-topic]", models="[evil-model]", **EVIL)
    write_item(site_copy, "models/evil-model.md", name='\'<script>M1</script>"\'', photo="../images/photo.jpg",
               employer='\'<script>W1</script> & "W1"\'', quote='\'<script>Q1</script>\'',
               honors="[{honor: quanguo-laomo, year: 2020}]", status="published", consent="{by: 本人, date: 2026-01-01}")
    site = tmp_path / "site"
    result = mkdocs_build(site, content=site_copy)
    assert result.returncode == 0, result.stderr
    pages = {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8") for p in site.rglob("*.html")}
    assert {"exports/wechat/evil/preview.html", "exports/wechat/evil/article.html"} <= pages.keys()
    for name, html in pages.items():
        live = re.findall(r"<script>(?:alert|[A-Z]\d)|<img src=x|<b>[DU]1", html)
        assert live == [], (name, live)
    # Word, a partner's JSON reader and an e-book reader parse their files: the title is text in each.
    title = '<script>alert("T1")</script> & "T1"'
    import io
    import json
    import zipfile

    import lxml.etree

    with zipfile.ZipFile(site / "exports/partners/evil.zip") as bundle:
        with zipfile.ZipFile(io.BytesIO(bundle.read("evil.docx"))) as word:
            document = lxml.etree.fromstring(word.read("word/document.xml"))
        assert title in "".join(document.itertext()) and not document.xpath("//*[local-name()='script']")
        assert json.loads(bundle.read("evil.json"))["headlines"][0]["value"] == title
    meta = json.loads((site / "exports/wechat/evil/meta.json").read_text(encoding="utf-8"))
    assert meta["title"] == '<script>X1</script> & "X1"'
    [book] = [p for p in (site / "downloads").glob("column-evil-*.epub")]
    with zipfile.ZipFile(book) as epub_file:
        names = [n for n in epub_file.namelist() if n.endswith((".xhtml", ".opf", ".ncx"))]
        trees = [lxml.etree.fromstring(epub_file.read(n)) for n in names]  # every XML member still parses
    assert any(title in "".join(tree.itertext()) for tree in trees)
    assert not [t for t in trees if t.xpath("//*[local-name()='script']")]
    preview = pages["exports/wechat/evil/preview.html"]  # the operator's copy page prints the override
    assert "&lt;script&gt;X1&lt;/script&gt; &amp; &#34;X1&#34;" in preview
    assert "&lt;b&gt;U1&lt;/b&gt; &amp; &#34;U1&#34;" in preview
    story = pages["stories/evil/index.html"]
    assert "<title>&lt;script&gt;alert(&#34;T1&#34;)&lt;/script&gt; &amp; &#34;T1&#34; - 示例市总工会 · 劳动者之家</title>" in story
    assert '<meta name="description" content="&lt;script&gt;alert(&#34;S1&#34;)&lt;/script&gt; &amp; &#34;S1&#34;">' in story
    assert '<meta property="og:title" content="&lt;script&gt;alert(&#34;T1&#34;)&lt;/script&gt; &amp; &#34;T1&#34;">' in story
    assert "来源：&lt;img src=x onerror=alert(&#34;O1&#34;)&gt; &amp; &#34;O1&#34;" in story
    assert "作者：&lt;script&gt;A1&lt;/script&gt; &amp; &#34;A1&#34;" in story
    assert "责任编辑：&lt;script&gt;E1&lt;/script&gt;" in story
    assert "&lt;script&gt;G1&lt;/script&gt;&amp;&#34;G1&#34;</a>" in story
    assert "&lt;script&gt;M1&lt;/script&gt;&#34;" in story and "&lt;script&gt;P1&lt;/script&gt;</a>" in story
    nav = '">&lt;script&gt;C1&lt;/script&gt; &amp; &#34;C1&#34;</a></li>'
    for name in ("index.html", "stories/evil/index.html", "about/index.html", "404.html", "tags/index.html"):
        assert nav in pages[name], name  # the channel bar, on our pages and on MkDocs' pages
    column = pages["columns/evil/index.html"]
    assert "<title>&lt;script&gt;C1&lt;/script&gt; &amp; &#34;C1&#34; - " in column
    assert '<meta name="description" content="&lt;b&gt;D1&lt;/b&gt; &#34;D1&#34;">' in column
    assert "&lt;script&gt;alert(&#34;T1&#34;)&lt;/script&gt; &amp; &#34;T1&#34;</a></h2>" in column  # the card (h2 under the column h1)
    topic = pages["topics/evil-topic/index.html"]
    assert '<meta name="description" content="&lt;script&gt;P2&lt;/script&gt; &amp; &#34;P2&#34;">' in topic
    profile = pages["models/evil-model/index.html"]
    assert "<title>&lt;script&gt;M1&lt;/script&gt;&#34; - " in profile
    assert "&lt;script&gt;W1&lt;/script&gt; &amp; &#34;W1&#34;" in profile and "&lt;script&gt;Q1&lt;/script&gt;" in profile
    tag_pages = [name for name in pages if name.startswith("tags/") and "G1" in pages[name] and name != "tags/index.html"]
    assert tag_pages and all(re.fullmatch(r"tags/[a-z0-9-]+/index.html", name) for name in tag_pages)


# Text that breaks out of an attribute written with either quote, or out of a text node, unless escaped.
BREAKOUT = "\"onfocus=1 'onload=1 <i onload=1>&amp;"
SHORT = "\"onfocus=1'onload=1<i>&"  # for names and tags, which have a length limit
TINY = "\"onfocus=1'<i>&"  # for WeChat's author (at most 16 characters)


def test_no_metadata_or_setting_breaks_out_of_an_attribute_in_any_html_svg_or_xml_output(site_copy, tmp_path):
    """Every attribute the engine writes (alt, title, aria-label, content, data-*) from an editor's text
    or a setting is escaped: parsed back, no element gains an attribute or a child from the text."""
    import shutil

    from lxml import etree, html as lhtml

    from conftest import FIXTURES, ROOT, mkdocs_build

    value, short, tiny = ("'" + text.replace("'", "''") + "'" for text in (BREAKOUT, SHORT, TINY))  # YAML single-quoted
    with (site_copy / "columns.yml").open("a", encoding="utf-8") as columns:
        columns.write(f"- {{key: evil, name: {value}, description: {value}}}\n")
    with (site_copy / "honors.yml").open("a", encoding="utf-8") as honors:
        honors.write(f"- {{key: evil-honor, name: {value}, level: 市级, rank: 30}}\n")
    write_story(site_copy, "evil", column="evil", title=value, summary=value, authors=f"[{value}]", tags=f"[{short}]",
                source=value, editor=value, cover="../images/cover.jpg", cover_alt=value, models="[evil-model]",
                # title and author are over WeChat's limits: an override that fits, as hostile, for the package
                wechat=f"{{title: {short}, author: {tiny}, digest: {value}}}",
                body=f"![{BREAKOUT.replace('[', '').replace(']', '')}](../images/photo.jpg)")
    write_item(site_copy, "models/evil-model.md", name=short, photo="../images/photo.jpg", photo_alt=value,
               employer=value, position=value, region=value, quote=value,
               honors="[{honor: evil-honor, year: 2020}]", status="published", consent="{by: 本人, date: 2026-01-01}")
    config = tmp_path / "mkdocs.yml"
    text = (FIXTURES / "golden-project/mkdocs.yml").read_text(encoding="utf-8")
    text = text.replace("../../../hooks/build.py", str(ROOT / "hooks/build.py")).replace(
        "content_dir: ../base-content", f"content_dir: {site_copy}").replace("site_name: 测试工会", f"site_name: {value}")
    text += (f"    footer: {{host: {value}, address: {value}}}\n"
             f"    partners:\n      - {{name: ribao, title: {value}, description: {value}}}\n")
    config.write_text(text, encoding="utf-8")
    shutil.copytree(FIXTURES / "golden-project/docs", tmp_path / "docs")
    about = tmp_path / "docs/about.md"  # a hand-written page: the engine prints its own title and description
    about.write_text(f"---\ntitle: {value}\ndescription: {value}\n---\n\n" + about.read_text(encoding="utf-8"),
                     encoding="utf-8")
    site = tmp_path / "site"
    result = mkdocs_build(site, config=config)
    assert result.returncode == 0, result.stderr
    checked = set()
    for path in sorted(site.rglob("*")):
        if path.suffix not in (".html", ".svg", ".xml"):
            continue
        data = path.read_bytes()
        if b"onfocus" not in data:
            continue
        tree = lhtml.fromstring(data) if path.suffix == ".html" else etree.fromstring(data)
        for element in tree.iter():
            if isinstance(element.tag, str):
                broke = [name for name in element.attrib if "onfocus" in name or "onload" in name]
                assert not broke, (path.relative_to(site), element.tag, broke)
        checked.add(path.relative_to(site).as_posix())
    assert len(checked) >= 10  # the story, its column, the profile, the card, the feeds, the home page …
    # … and the WeChat package, which prints the override's title, author and digest
    assert {"exports/wechat/evil/preview.html", "exports/wechat/evil/article.html"} <= checked, sorted(checked)
    about_page = lhtml.fromstring((site / "about/index.html").read_bytes())
    assert about_page.findtext(".//title") == f"{BREAKOUT} - {BREAKOUT}"  # its title, then the site's name
    assert about_page.xpath('//meta[@name="description"]/@content') == [BREAKOUT]
    assert about_page.xpath('//meta[@property="og:title"]/@content') == [BREAKOUT]
