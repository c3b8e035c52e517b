"""Links and images in bodies: content-file paths and site URLs both resolve; anything pointing at a
non-public item, a missing file or outside the content folder is a located error in check and build."""

from __future__ import annotations

import re
import shutil

from conftest import BASE, check, mkdocs_build, write_item, write_story, VARIANT

LINKS = """第一段。

[好故事](good-story.md)、[劳模](../models/good-model.md)、[站内地址](/models/good-model/)、
[栏目](/columns/laodongzhe-zhi-ge/#top)、[外站](https://example.com/x)、[本页](#section)

![参考式图片][pic]

[pic]: ../images/photo.jpg

```
![代码里的图](no-such-image.jpg) [代码里的链接](no-such-file.md)
```

行内代码 `![x](nope.png)` 不算。

## 小节 {#section}
"""


def _body(build, slug, kind="story"):
    return build.bodies[id(next(i for i in build.catalog.items if i.kind == kind and i.slug == slug))]


def test_content_file_and_site_url_links_resolve(site_copy):
    write_story(site_copy, "linker", body=LINKS)
    lines, build = check(site_copy)
    assert lines == []
    html = _body(build, "linker").at("stories/linker/")
    for expected in ['href="../good-story/"', 'href="../../models/good-model/"', 'href="../../columns/laodongzhe-zhi-ge/#top"',
                     'href="https://example.com/x"', 'href="#body-section"']:
        assert expected in html, expected
    assert re.search(r'<picture><source type="image/webp" srcset="\.\./\.\./' + VARIANT + " 320w", html)  # photo.jpg
    assert 'media/images/photo.jpg' not in html  # its variants stand in for the original
    assert html.count('href="../../models/good-model/"') == 2
    assert "no-such-image.jpg" in html and "unionpress-site:" not in html  # the code block is left as text
    absolute = _body(build, "linker").absolute("https://example.org/")
    assert 'href="https://example.org/stories/good-story/"' in absolute


def test_bundle_attachments_and_images_are_published(site_copy, tmp_path):
    bundle = site_copy / "stories/with-files"
    write_story(site_copy, "index", folder="stories/with-files", title="附件稿件",
                body="[下载通知](notice.pdf)\n\n![车间](pic.jpg)\n\n[文件夹形式](../with-files/)")
    (bundle / "notice.pdf").write_bytes(b"%PDF-1.4 notice")
    shutil.copy(BASE / "images/photo.jpg", bundle / "pic.jpg")
    lines, build = check(site_copy)
    assert lines == []
    body = _body(build, "with-files")
    outputs = [output for output, _ in body.assets]
    assert outputs[0] == "media/stories/with-files/notice.pdf" and len(outputs) == 5  # 320 and 480 in two formats
    assert all(re.fullmatch(VARIANT, output) for output in outputs[1:])
    html = body.at("stories/with-files/")
    assert 'href="../../media/stories/with-files/notice.pdf"' in html and 'href="./"' in html
    site = tmp_path / "site"
    result = mkdocs_build(site, content=site_copy)
    assert result.returncode == 0, result.stderr
    assert (site / "media/stories/with-files/notice.pdf").read_bytes() == b"%PDF-1.4 notice"
    assert not (site / "media/stories/with-files/pic.jpg").exists()  # the original is not served
    assert all((site / output).is_file() for output in outputs[1:])


def test_links_to_hidden_missing_and_outside_targets_are_errors(site_copy):
    write_story(site_copy, "secret-draft", status="draft", title="秘密草稿")
    secret = site_copy / "stories/secret-bundle"
    write_story(site_copy, "index", folder="stories/secret-bundle", status="draft", title="草稿包")
    shutil.copy(BASE / "images/photo.jpg", secret / "secret.jpg")
    write_item(site_copy, "exhibitions/show/index.md", title="展览", opens="2026-04-01", status="published",
               works="[{title: 作品, author: 某人, image: ../../images/photo.jpg}]")
    body = ("[草稿](secret-draft.md)\n\n[草稿网址](/stories/secret-draft/)\n\n![草稿的图](secret-bundle/secret.jpg)\n\n"
            "[没有的](no-such-story.md)\n\n[目录外](../../../../etc/passwd)\n\n![没有的图](nope.png)\n\n"
            "[没有的网址](/columns/nowhere/)\n\n[展览](../exhibitions/show/index.md)")
    write_story(site_copy, "bad-links", body=body, title="坏链接")
    lines, _ = check(site_copy)
    p = "content/stories/bad-links.md"
    assert lines == [
        f"{p}:12: [link-hidden] 链接或图片指向未公开的内容「秘密草稿」（content/stories/secret-draft.md）：secret-draft.md。"
        "草稿、待审、定时发布或未审完的内容不能被已发布的内容引用",
        f"{p}:14: [link-hidden] 链接或图片指向未公开的内容「秘密草稿」（content/stories/secret-draft.md）：/stories/secret-draft/。"
        "草稿、待审、定时发布或未审完的内容不能被已发布的内容引用",
        f"{p}:16: [link-hidden] 链接或图片指向未公开的内容「草稿包」（content/stories/secret-bundle/index.md）：secret-bundle/secret.jpg。"
        "草稿、待审、定时发布或未审完的内容不能被已发布的内容引用",
        f"{p}:18: [link-missing] 链接指向的文件或页面不存在：no-such-story.md",
        f"{p}:20: [link-outside] 链接或图片指向内容目录以外的文件：../../../../etc/passwd",
        f"{p}:22: [image-missing] 图片不存在：nope.png",
        f"{p}:24: [link-missing] 链接指向的文件或页面不存在：/columns/nowhere/",
    ]  # the published exhibition at line 26 has its page since issue 17: that link is fine


def test_a_draft_may_link_to_a_draft_but_not_to_a_missing_file(site_copy):
    write_story(site_copy, "draft-a", status="draft", body="[另一篇草稿](draft-b.md)")
    write_story(site_copy, "draft-b", status="draft", body="[没有的](gone.md)")
    lines, _ = check(site_copy)
    assert lines == ["content/stories/draft-b.md:12: [link-missing] 链接指向的文件或页面不存在：gone.md"]


def test_cover_taken_from_a_draft_bundle_is_an_error(site_copy):
    secret = site_copy / "stories/secret-bundle"
    write_story(site_copy, "index", folder="stories/secret-bundle", status="draft", title="草稿包")
    shutil.copy(BASE / "images/photo.jpg", secret / "secret.jpg")
    write_story(site_copy, "borrows-cover", cover="secret-bundle/secret.jpg", cover_alt="图")
    lines, _ = check(site_copy)
    assert lines == ["content/stories/borrows-cover.md:6: [link-hidden] 链接或图片指向未公开的内容「草稿包」"
                     "（content/stories/secret-bundle/index.md）：secret-bundle/secret.jpg。草稿、待审、定时发布或未审完的内容不能被已发布的内容引用"]


def test_the_build_fails_on_a_link_to_a_draft_with_the_same_message(site_copy, tmp_path):
    write_story(site_copy, "secret-draft", status="draft", title="秘密草稿")
    write_story(site_copy, "bad-link", body="[草稿](secret-draft.md)")
    result = mkdocs_build(tmp_path / "site", content=site_copy)
    assert result.returncode == 1
    assert "stories/bad-link.md:12: [link-hidden] 链接或图片指向未公开的内容「秘密草稿」" in result.stderr
    assert "Traceback" not in result.stderr


def test_own_site_urls_in_any_spelling_are_checked(site_copy):
    write_story(site_copy, "secret-draft", status="draft", title="秘密草稿")
    body = ("[a](//example.org/stories/secret-draft/)\n\n[b](HTTPS://EXAMPLE.org/stories/secret-draft/)\n\n"
            "[c](http://example.org:80/stories/%73ecret-draft/)\n\n[d](https://other.example.com/stories/secret-draft/)")
    write_story(site_copy, "spellings", body=body)
    from unionpress import config, engine
    from unionpress.findings import Findings

    findings = Findings()
    settings = config.from_mapping(site_copy.parent, {"site_url": "https://example.org/", "extra": {}}, findings,
                                   environ={"UNIONPRESS_CONTENT": str(site_copy), "UNIONPRESS_NOW": "2026-11-22"})
    engine.prepare(settings, findings)
    codes = [(f.line, f.code) for f in findings.sorted()]
    assert codes == [(12, "link-hidden"), (14, "link-hidden"), (16, "link-hidden")]  # d is another site


def test_encoded_and_content_root_paths_resolve_and_odd_names_are_quoted(site_copy):
    # Attachments are served as they are, so their own names reach the page, quoted.
    for name in ("图.pdf", "a#1.pdf", "notice.pdf"):
        (site_copy / "images" / name).write_bytes(b"%PDF-1.4 " + name.encode("utf-8"))
    body = ("[图](/media/images/%E5%9B%BE.pdf)\n\n[根目录](/images/notice.pdf)\n\n[井号](../images/a%231.pdf)\n\n"
            "[站点地图](/sitemap.xml)")
    write_story(site_copy, "odd-names", body=body)
    lines, build = check(site_copy)
    assert lines == []
    html = _body(build, "odd-names").at("stories/odd-names/")
    assert 'href="../../media/images/%E5%9B%BE.pdf"' in html and 'href="../../media/images/notice.pdf"' in html
    assert 'href="../../media/images/a%231.pdf"' in html and 'href="../../sitemap.xml"' in html
    page = dict((p.url, h) for p, h in build.render().files)["stories/odd-names/"]
    assert 'href="../../media/images/a%231.pdf"' in page
    assert build.renderer.out.assets["media/images/a#1.pdf"] == site_copy.resolve() / "images/a#1.pdf"


def test_images_that_are_not_images_and_hidden_topic_covers_are_errors(site_copy):
    (site_copy / "images/notes.txt").write_text("笔记", encoding="utf-8")
    write_story(site_copy, "secret-draft", status="draft", title="秘密草稿")
    write_story(site_copy, "md-cover", cover="secret-draft.md", cover_alt="x")
    write_story(site_copy, "txt-cover", cover="../images/notes.txt", cover_alt="x")
    secret = site_copy / "stories/secret-bundle"
    write_story(site_copy, "index", folder="stories/secret-bundle", status="draft", title="草稿包")
    shutil.copy(BASE / "images/photo.jpg", secret / "secret.jpg")
    topics = site_copy / "topics.yml"
    topics.write_text(topics.read_text(encoding="utf-8") + "- {key: borrowed, name: 借图专题, cover: stories/secret-bundle/secret.jpg, cover_alt: 图}\n",
                      encoding="utf-8")
    lines, _ = check(site_copy)
    row = len(topics.read_text(encoding="utf-8").splitlines())
    assert lines == [
        "content/stories/md-cover.md:6: [image-type] 不是图片文件：secret-draft.md（应为 jpg、png、webp、gif 等格式的图片）",
        "content/stories/txt-cover.md:6: [image-type] 不是图片文件：../images/notes.txt（应为 jpg、png、webp、gif 等格式的图片）",
        f"content/topics.yml:{row}: [link-hidden] 链接或图片指向未公开的内容「草稿包」（content/stories/secret-bundle/index.md）："
        "stories/secret-bundle/secret.jpg。草稿、待审、定时发布或未审完的内容不能被已发布的内容引用",
    ]


def test_hostile_paths_are_findings_not_tracebacks(site_copy):
    write_story(site_copy, "long-paths", body=f"[长]({'a' * 300})\n\n[空字节](%00)\n\n![长图]({'b' * 300}.jpg)",
                cover="'" + "c" * 300 + ".jpg'", cover_alt="x")
    lines, _ = check(site_copy)
    assert [line.split(": [")[1].split("]")[0] for line in lines] == ["image-missing", "link-missing", "link-missing",
                                                                     "image-missing"]


def test_ordinary_coincidences_pass_check_and_the_audit(site_copy, tmp_path):
    """A draft slug equal to a tag's pinyin or the pager's word, a draft revision with a published
    story's title, a person named in a public story whose profile awaits consent: all legitimate."""
    write_story(site_copy, "gong-jiang", status="draft", title="草稿：工匠")
    write_story(site_copy, "page", status="draft", title="草稿：分页")
    write_story(site_copy, "good-story-v2", status="draft", title="车间里的好师傅")
    write_story(site_copy, "ouyang", body="欧阳明华是一名老技师。")
    write_item(site_copy, "models/ouyang-minghua.md", name="欧阳明华", photo="../images/photo.jpg", employer="某厂",
               honors="[{honor: quanguo-laomo, year: 2020}]", status="draft")
    assert check(site_copy)[0] == []
    result = mkdocs_build(tmp_path / "site", content=site_copy)
    assert result.returncode == 0, result.stderr
