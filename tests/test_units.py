"""Small pure functions of the engine, pinned."""

from __future__ import annotations

import pytest

from unionpress.body import relative
from unionpress.pages import tag_table
from unionpress.tags import tag_url
from unionpress.pages.base import derive_summary, pager_window
from unionpress.validate import isbn_problem


@pytest.mark.parametrize("from_url, to_url, expected", [
    ("stories/a/", "columns/k/", "../../columns/k/"),
    ("columns/k/page/3/", "columns/k/page/2/", "../2/"),
    ("columns/k/page/2/", "columns/k/", "../../"),
    ("", "stories/a/", "stories/a/"),
    ("stories/a/", "", "../../"),
    ("stories/a/", "media/images/x.jpg", "../../media/images/x.jpg"),
    ("tags/", "tags/x/", "x/"),
    ("stories/a/", "stories/a/", "./"),
])
def test_relative_links(from_url, to_url, expected):
    assert relative(from_url, to_url) == expected


def test_tag_urls_are_a_pure_function_of_the_tag():
    assert tag_url("AI") == "tags/ai/"  # a tag that is already a slug is its own URL
    assert tag_url("5G") == tag_url("5g") == tag_url("５Ｇ") == "tags/5g/"
    assert tag_url("劳模精神").startswith("tags/lao-mo-jing-shen-")
    assert tag_url("5G 创新").startswith("tags/5g-chuang-xin-")
    # Homophones stay apart without knowing about each other, and each URL stays where it was.
    assert tag_url("工匠") != tag_url("公匠")
    assert tag_url("工匠").startswith("tags/gong-jiang-") and tag_url("公匠").startswith("tags/gong-jiang-")
    assert tag_url("工匠") == "tags/gong-jiang-" + __import__("hashlib").sha1("工匠".encode()).hexdigest()[:6] + "/"
    # A very long tag still gives a file name the file system accepts.
    assert len(tag_url("劳" * 300)) < 80 and tag_url("劳" * 300) != tag_url("劳" * 299)
    assert tag_url("！？") != tag_url("？！") and tag_url("！？").startswith("tags/")


def test_tag_table_names_a_page_as_most_stories_spell_it():
    class S:
        def __init__(self, tags):
            self.tags = tags

    table = tag_table([S(["5G", "工匠"]), S(["5g"]), S(["5g", "公匠"])])
    assert table == {"tags/5g/": "5g", tag_url("工匠"): "工匠", tag_url("公匠"): "公匠"}


def test_summary_is_first_paragraph_as_plain_text():
    body = "## 小标题\n\n![图](a.jpg)\n\n**李明**在[车间](x.md)里工作。\n\n第二段。"
    assert derive_summary(body) == "李明在车间里工作。"
    assert derive_summary("字" * 130, 120) == "字" * 119 + "…"


def test_isbn_checksum():
    assert isbn_problem("978-0-306-40615-7") is None
    assert isbn_problem("12345") == "应为 13 位数字（ISBN-13，可含连字符）"
    assert isbn_problem("9780306406157") is None
    assert isbn_problem("9780306406158") == "校验位不对，请核对书上的条码号"


def test_pager_window_stays_small_for_long_columns():
    assert pager_window(1, 1) == [1]
    assert pager_window(5, 3) == [1, 2, 3, 4, 5]
    assert pager_window(200, 100) == [1, 0, 98, 99, 100, 101, 102, 0, 200]
    assert pager_window(200, 1) == [1, 2, 3, 0, 200]


def test_invisible_characters_do_not_make_a_second_tag():
    from unionpress.validate import visible

    assert visible("劳模精神\u200b") == "劳模精神" and visible("\u200e\u3000") == ""
    assert visible("👩\u200d🔧") == "👩\u200d🔧"  # the joiner inside an emoji stays
