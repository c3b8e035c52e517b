"""Bad input never crashes: hypothesis throws arbitrary front matter at the whole pipeline."""

from __future__ import annotations

import shutil

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BASE, check

KEYS = ["title", "date", "column", "status", "review", "tags", "models", "cover", "cover_alt", "wechat", "summary",
        "authors", "topics", "genre", "cover_focus", "allow", "colum", "名字"]
SCALARS = st.one_of(
    st.sampled_from(["", "no", "yes", "on", "off", "~", "null", "2026-02-30", "2026-05-01", "2026-05-01 09:00",
                     "12:30", "0x1F", "1e9", "[", "]", "{", "}", "'", '"', ":", "- a", "!!python/object:os.system",
                     "&a", "*a", "*b", "|", ">", "published", "draft", "laodongzhe-zhi-ge", "good-model", "../images/photo.jpg",
                     "\t", "\\", "％", "中文：冒号", "劳模精神"]),
    st.text(max_size=12),
    st.integers(),
)



@st.composite
def front_matter(draw):
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        key = draw(st.sampled_from(KEYS))
        shape = draw(st.integers(0, 3))
        if shape == 0:
            lines.append(f"{key}: {draw(SCALARS)}")
        elif shape == 1:
            lines.append(f"{key}: [{', '.join(str(draw(SCALARS)) for _ in range(draw(st.integers(0, 3))))}]")
        elif shape == 2:
            lines.append(f"{key}:")
            for sub in draw(st.lists(st.sampled_from(["first", "second", "final", "by", "date", "title"]), max_size=3)):
                lines.append(f"  {sub}: {draw(SCALARS)}")
        else:
            lines.append(draw(st.text(max_size=20)))
    body = draw(st.sampled_from(["正文。", "![](../images/photo.jpg)", "![图](nope.png)", '<img src="x.jpg">', ""]))
    return "---\n" + "\n".join(lines) + "\n---\n\n" + body + "\n"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=front_matter())
def test_arbitrary_front_matter_gives_findings_not_tracebacks(tmp_path_factory, text):
    content = tmp_path_factory.mktemp("fuzz") / "content"
    shutil.copytree(BASE, content)
    (content / "stories/fuzzed.md").write_text(text, encoding="utf-8")
    lines, build = check(content)  # must not raise
    assert all(": [" in line for line in lines)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=200))
def test_arbitrary_bytes_give_findings_not_tracebacks(tmp_path_factory, data):
    content = tmp_path_factory.mktemp("fuzzb") / "content"
    shutil.copytree(BASE, content)
    (content / "stories/bytes.md").write_bytes(b"---\ntitle: x\n" + data)
    (content / "columns.yml").write_bytes(data)
    check(content)
