"""WeChat's limits, checked where the editor can fix them: draft/add refuses a title over 32
characters, an author over 16, a digest over 128 (45003/45004), a content over 20,000 characters or
1 MB, and a picture message (图片消息) with no picture or more than 20. Each is an error at the line of
the field it comes from, unless a `wechat:` override in front matter fits.

Run by engine.prepare after the bodies are rendered (the content's size is that of the WeChat HTML,
outputs/wechat.py), so `unionpress check` and the build report the same. Every published story is
checked, embargoed ones too: they go out at their time without another look.
"""

from __future__ import annotations

from ..findings import Findings

_FIX = {"title": "标题", "author": "作者署名", "digest": "摘要"}
BODY_ERRORS = frozenset({"body-too-deep", "body-brackets", "html-unclosed"})


def run(build, findings: Findings, keep=None) -> None:
    """`keep(stage, story, findings, compute, *extra)`, when given (`unionpress serve`), gives the findings
    of a story the last run checked with the same key: its file, the settings, and `extra`, which names
    all a story's WeChat article reads besides (its body, its column's name, whether its body is broken)."""
    # Once, not per story (a scan of every finding for each of 10,000 stories): this run adds none of these.
    broken = {f.path for f in findings.errors if f.code in BODY_ERRORS}
    for story in build.catalog.items:
        if story.kind != "story" or story.status != "published":
            continue
        body = build.bodies.get(id(story))
        faulty = story.source in broken
        if keep is None:
            check(story, body, faulty, build, findings)
            continue
        column = build.public.first(story, "column")
        keep("wechat", story, findings, lambda found, story=story, body=body: check(story, body, faulty, build, found),
             b"-" if body is None else keep.body_digest(body), b"broken" if faulty else b"",
             b"-" if column is None else b"c" + column.name.encode("utf-8", "surrogatepass"))


def check(story, body, faulty: bool, build, findings: Findings) -> None:
    """One story's fields and its body as WeChat gets them. Reads the story, its body, its column's name
    in the public view (outputs/wechat._Builder) and the settings."""
    from ..outputs import wechat

    for found in wechat.fields(story):
        if not found.over or found.key == "wechat":  # an override over its limit: the schema said so
            continue
        line = story.body_line if found.key == "body" else story.line_of(found.key)
        findings.add(story.source, line, "wechat-too-long", field=found.name, length=len(found.value),
                     limit=found.limit, what=_FIX[found.name])
    if body is None or faulty:
        return  # a body that cannot be laid out is reported as such; its WeChat size would be the same fault
    made = wechat.article(story, body, build.public, build.settings)
    if wechat.is_newspic(story):
        count = len(made.pictures)
        if not 1 <= count <= wechat.NEWSPIC_PICTURES:
            findings.add(story.source, story.line_of("wechat"), "wechat-newspic-pictures", count=count,
                         limit=wechat.NEWSPIC_PICTURES)
        content = made.text
    else:
        content = made.html
    size = len(content.encode("utf-8"))
    if len(content) >= wechat.CONTENT_CHARS or size >= wechat.CONTENT_BYTES:
        findings.add(story.source, story.body_line, "wechat-content-long", chars=len(content),
                     kb=-(-size // 1024), limit=wechat.CONTENT_CHARS)
