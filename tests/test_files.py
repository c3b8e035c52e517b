"""The editors' file rules (README, 内容文件的规则): what is content, what is ignored, what is an error.

Each layout is one an editor's tools really make; each pins its message, and each checks that the
stories around the odd file are still read (an odd file must never swallow or hide a good one).
"""

from __future__ import annotations

import os

import pytest

from conftest import check

GOOD = "stories/good-story.md"


def _copy(content, dest: str, source: str = GOOD):
    """A copy of the good story at dest, its image paths still pointing at content/images/."""
    path = content / dest
    path.parent.mkdir(parents=True, exist_ok=True)
    up = "../" * (len(dest.split("/")) - 1)
    path.write_text((content / source).read_text(encoding="utf-8").replace("../images/", f"{up}images/"),
                    encoding="utf-8")
    return path


def _public(build) -> list[str]:
    return sorted(s.slug for s in build.public.all("story"))


def test_editor_and_system_junk_is_ignored_without_a_word(site_copy):
    _copy(site_copy, "stories/.#good-story.md")  # Emacs lock (usually a dangling symlink)
    os.symlink("/nonexistent/user@host.123", site_copy / "stories/.#other.md")
    _copy(site_copy, "stories/~$good-story.md")  # Word / WPS lock file
    _copy(site_copy, "stories/good-story.md~")  # editor backup
    _copy(site_copy, "stories/#good-story.md#")  # Emacs autosave
    for name in (".DS_Store", "Thumbs.db", "desktop.ini"):
        (site_copy / "stories" / name).write_bytes(b"\x00\x01binary")
    (site_copy / "stories/.git").mkdir()
    _copy(site_copy, "stories/.git/hidden.md")
    lines, build = check(site_copy)
    assert lines == []
    assert _public(build) == ["good-story"]


def test_upper_case_and_long_markdown_endings_are_errors_not_skips(site_copy):
    _copy(site_copy, "stories/shou-gao.MD")
    _copy(site_copy, "stories/gong-ren.markdown")
    lines, build = check(site_copy)
    assert lines == [
        "content/stories/gong-ren.markdown:1: [md-extension] Markdown 文件的扩展名应为小写 .md，否则不会发布：请改名为 gong-ren.md",
        "content/stories/shou-gao.MD:1: [md-extension] Markdown 文件的扩展名应为小写 .md，否则不会发布：请改名为 shou-gao.md"]
    assert _public(build) == ["good-story"]


def test_index_md_in_the_kind_folder_does_not_swallow_its_stories(site_copy):
    _copy(site_copy, "stories/index.md")
    _copy(site_copy, "stories/2026/year-story.md")
    lines, build = check(site_copy)
    assert lines[0] == ("content/stories/index.md:1: [index-misplaced] index.md 不能直接放在 content/stories："
                        "它会被当成一篇内容的正文。请改名为 SLUG.md，或移入 SLUG/ 文件夹")
    assert len(lines) == 1
    assert _public(build) == ["good-story", "year-story"]


def test_index_md_in_a_year_folder_does_not_turn_the_year_into_a_story(site_copy):
    _copy(site_copy, "stories/2026/index.md")
    _copy(site_copy, "stories/2026/year-story.md")
    lines, build = check(site_copy)
    assert lines == ["content/stories/2026/index.md:1: [index-misplaced] index.md 不能直接放在 content/stories/2026："
                     "它会被当成一篇内容的正文。请改名为 SLUG.md，或移入 SLUG/ 文件夹"]
    assert _public(build) == ["good-story", "year-story"]


def test_a_folder_without_index_md_is_an_error_naming_each_file(site_copy):
    _copy(site_copy, "stories/2026/tu-wen/zheng-wen.md")
    lines, build = check(site_copy)
    assert lines == ["content/stories/2026/tu-wen/zheng-wen.md:1: [bundle-no-index] 文件夹 content/stories/2026/tu-wen "
                     "里没有 index.md：图文包的正文应命名为 tu-wen/index.md；单篇内容请直接放在上一级文件夹"]
    assert _public(build) == ["good-story"]


def test_a_bundle_is_read_and_its_other_markdown_is_named(site_copy):
    _copy(site_copy, "stories/2026/tu-wen/index.md")
    for extra in ("stories/2026/tu-wen/cao-gao.md", "stories/2026/tu-wen/old/jiu-gao.md"):  # drafts kept beside it
        path = _copy(site_copy, extra)
        path.write_text(path.read_text(encoding="utf-8").replace("status: published", "status: draft"), encoding="utf-8")
    lines, build = check(site_copy)
    assert lines == [
        "content/stories/2026/tu-wen/cao-gao.md:1: [bundle-extra] 警告：图文包 content/stories/2026/tu-wen/index.md "
        "里的其他 Markdown 文件不会发布：请并入 index.md 或另建一篇",
        "content/stories/2026/tu-wen/old/jiu-gao.md:1: [bundle-extra] 警告：图文包 content/stories/2026/tu-wen/index.md "
        "里的其他 Markdown 文件不会发布：请并入 index.md 或另建一篇"]
    assert _public(build) == ["good-story", "tu-wen"]


def test_symlinks_are_errors_and_never_followed(site_copy, tmp_path):
    outside = tmp_path / "private"
    outside.mkdir()
    _copy(site_copy, "stories/secret-story.md").rename(outside / "secret-story.md")
    _copy(site_copy, "stories/linked.md").rename(outside / "linked.md")
    os.symlink(outside, site_copy / "stories/2026")
    os.symlink(outside / "linked.md", site_copy / "stories/linked.md")
    os.symlink(tmp_path / "gone.md", site_copy / "stories/dangling.md")
    lines, build = check(site_copy)
    message = "这是一个符号链接（快捷方式），不会作为内容读取：请把文件或文件夹本身放在这里"
    assert lines == [f"content/stories/2026:1: [symlink] {message}",
                     f"content/stories/dangling.md:1: [symlink] {message}",
                     f"content/stories/linked.md:1: [symlink] {message}"]
    assert _public(build) == ["good-story"]


def test_a_folder_named_like_markdown_is_not_read_as_a_file(site_copy):
    (site_copy / "stories/notes.md").mkdir()
    (site_copy / "models/old.md").mkdir()
    lines, build = check(site_copy)
    assert lines == []
    assert _public(build) == ["good-story"]


def test_misplaced_published_file_is_an_error_and_a_stray_note_a_warning(site_copy):
    _copy(site_copy, "storys/typo-folder.md")
    (site_copy / "notes.md").write_text("编辑部备忘：下周选题\n", encoding="utf-8")
    lines, _ = check(site_copy)
    assert lines == [
        "content/notes.md:1: [stray-file] 警告：此文件不在任何内容类型的位置上，未被使用",
        "content/storys/typo-folder.md:1: [stray-published] 此文件标为已发布，但不在任何内容类型的文件夹里，不会发布："
        "请移到 content/stories/、content/models/、content/exhibitions/、content/library/books/、"
        "content/library/shares/、content/contests/ 之一"]


def test_a_pipe_named_like_markdown_is_not_read(site_copy):
    os.mkfifo(site_copy / "stories/pipe.md")  # reading it would wait for ever
    lines, build = check(site_copy)
    assert lines == ["content/stories/pipe.md:1: [not-a-file] 这不是普通文件（可能是以 .md 结尾的文件夹），不会作为内容读取：请改名"]
    assert _public(build) == ["good-story"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_is_a_finding(site_copy):
    path = _copy(site_copy, "stories/locked.md")
    path.chmod(0)
    lines, _ = check(site_copy)
    assert lines == ["content/stories/locked.md:1: [unreadable] 无法读取此文件：Permission denied"]


def test_utf16_and_nul_bytes_are_named_as_what_they_are(site_copy):
    text = (site_copy / GOOD).read_text(encoding="utf-8")
    (site_copy / "stories/utf16.md").write_bytes(text.encode("utf-16"))
    (site_copy / "stories/nul.md").write_bytes(text.replace("二十年", "二十\x00年").encode("utf-8"))
    (site_copy / "stories/unclosed.md").write_text("---\ntitle: 没有结束\ncolumn: x\n\n正文\n", encoding="utf-8")
    lines, build = check(site_copy)
    assert lines == [
        "content/stories/nul.md:19: [nul-byte] 文件含有空字符（NUL，\\0），不是正常的文本文件：请从原稿重新复制文字",
        "content/stories/unclosed.md:1: [front-matter-unclosed] 头信息没有结束：第 1 行的 --- 之后缺少单独一行的 ---",
        "content/stories/utf16.md:1: [encoding] 文件不是 UTF-8 编码，看起来是 UTF-16 编码（Windows 记事本的“Unicode”保存方式）。"
        "请在编辑器中“另存为 → 编码 UTF-8”，或运行 iconv -f UTF-16 -t UTF-8 原文件 > 新文件"]
    assert _public(build) == ["good-story"]


def test_tag_too_long_is_an_error_and_5g_and_5G_are_one_tag(site_copy):
    long = _copy(site_copy, "stories/long-tag.md")
    path = site_copy / GOOD
    path.write_text(path.read_text(encoding="utf-8").replace("tags: [劳模精神, 工匠]", "tags: [5G, 5g, ５Ｇ]"),
                    encoding="utf-8")
    long.write_text(long.read_text(encoding="utf-8").replace("tags: [劳模精神, 工匠]", f"tags: [{'长' * 300}]"),
                    encoding="utf-8")
    lines, build = check(site_copy)
    assert lines == ["content/stories/long-tag.md:9: [too-long] 字段「tags」（标签）过长：300 字，上限 30 字"]
    assert build.public.get("story", "good-story").tags == ("5G",)


def test_notepad_txt_ending_and_published_files_inside_a_bundle_are_errors(site_copy):
    _copy(site_copy, "stories/ji-shi-ben.md").rename(site_copy / "stories/ji-shi-ben.md.txt")
    (site_copy / "stories/notes.txt").write_text("采访提纲\n", encoding="utf-8")  # a plain note: left alone
    _copy(site_copy, "contests/zheng-wen/index.md")
    _copy(site_copy, "contests/zheng-wen/Entries/wo-de-shi-fu.md")  # Entries with a capital E
    lines, _ = check(site_copy)
    assert lines[0] == ("content/contests/zheng-wen/Entries/wo-de-shi-fu.md:1: [bundle-extra-published] 此文件标为已发布，"
                        "但它在图文包 content/contests/zheng-wen/index.md 里，不会发布：请移到内容类型的文件夹"
                        "（如 content/contests/SLUG/entries/）或并入 index.md")
    assert ("content/stories/ji-shi-ben.md.txt:1: [md-extension] Markdown 文件的扩展名应为小写 .md，否则不会发布："
            "请改名为 ji-shi-ben.md") in lines
    assert not any("notes.txt" in line for line in lines)


def test_a_file_name_that_is_not_utf8_is_reported_readably(site_copy):
    name = "稿件.md".encode("gb18030")
    with open(os.path.join(os.fsencode(site_copy / "stories"), name), "wb") as out:
        out.write((site_copy / GOOD).read_bytes())
    lines, _ = check(site_copy)
    assert lines == ["content/stories/稿件.md（文件名不是 UTF-8 编码）:1: [slug-invalid] 文件名（slug）"
                     "「\\udcb8\\udce5\\udcbc\\udcfe」不合规：只能用小写英文字母、数字和连字符 -，例如 li-ming-2024"]
    "\n".join(lines).encode("utf-8")  # printable as it is
