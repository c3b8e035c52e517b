"""One fixture per edge case (tests/fixtures/cases/NAME.md), each with its exact Chinese message pinned."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from conftest import CASES, ROOT, check

# case file → (where it goes in the fixture content, the exact report lines)
EXPECTED = {
    "bad-date.md": ("stories", [
        "content/stories/bad-date.md:3: [date-invalid] 字段「date」（日期）不是有效日期：2026-02-30。请写成 2024-05-01 或 2024-05-01 09:30"]),
    "body-hostile-html.md": ("stories", [
        "content/stories/body-hostile-html.md:12: [html-removed] 警告：正文里的 HTML 已被清理：不允许的标签 <script>（出于安全，发布的页面不含此项）",
        "content/stories/body-hostile-html.md:14: [html-removed] 警告：正文里的 HTML 已被清理：不允许的属性 onerror（出于安全，发布的页面不含此项）",
        "content/stories/body-hostile-html.md:16: [html-removed] 警告：正文里的 HTML 已被清理：不允许的链接协议 javascript:（出于安全，发布的页面不含此项）",
        "content/stories/body-hostile-html.md:18: [html-removed] 警告：正文里的 HTML 已被清理：嵌入内容来自未列入 embed_hosts 的网站「evil.example」（出于安全，发布的页面不含此项）"]),
    "cover-alt-missing.md": ("stories", [
        "content/stories/cover-alt-missing.md:6: [image-alt-missing] 图片缺少替代文字（alt）：../images/cover.jpg。请加字段 cover_alt: 写明图片内容"]),
    "duplicate-key.md": ("stories", [
        "content/stories/duplicate-key.md:6: [yaml-duplicate-key] 字段「title」重复出现，只能写一次"]),
    "duplicate-slug.md": ("stories/2025/good-story.md", [
        "content/stories/2025/good-story.md:1: [duplicate-slug] 稿件「good-story」重复：content/stories/good-story.md 已使用同一名称"]),
    "gbk-encoding.md": ("stories", [
        "content/stories/gbk-encoding.md:2: [encoding] 文件不是 UTF-8 编码，看起来是 GBK/GB18030 编码（Windows 记事本或 WPS 的默认保存方式）。"
        "请在编辑器中“另存为 → 编码 UTF-8”，或运行 iconv -f GB18030 -t UTF-8 原文件 > 新文件"]),
    "genre-not-allowed.md": ("stories", [
        "content/stories/genre-not-allowed.md:6: [field-choice] 字段「genre」（体裁）的值「小说」不在可选范围内：劳模故事、工匠故事、劳动故事、新闻、微故事、评论"]),
    "image-alt-missing.md": ("stories", [
        "content/stories/image-alt-missing.md:10: [image-alt-missing] 图片缺少替代文字（alt）：../images/photo.jpg。请在 ![] 的方括号中写明图片内容"]),
    "image-missing.md": ("stories", [
        "content/stories/image-missing.md:6: [image-missing] 图片不存在：../images/no-such-file.jpg"]),
    "missing-column.md": ("stories", [
        "content/stories/missing-column.md:2: [field-missing] 缺少必填字段「column」（栏目）"]),
    "missing-front-matter.md": ("stories", [
        "content/stories/missing-front-matter.md:1: [front-matter] 文件开头缺少 YAML 头信息（以 --- 开始、以 --- 结束）"]),
    "model-consent-missing.md": ("models", [
        "content/models/model-consent-missing.md:7: [field-range] 字段「honors[2].year」（年份）的值 1900 超出范围：1949 到 2027",
        "content/models/model-consent-missing.md:8: [consent-missing] 已发布的劳模资料缺少本人同意记录 consent（by、date），依《个人信息保护法》第二十五条不得公开"]),
    "review-after-publication.md": ("stories", [
        "content/stories/review-after-publication.md:6: [review-late] 终审签署日期 2026-05-02 晚于发布时间 2026-05-01 09:00：三审须在发布前完成"]),
    # A scheduled story (2027-01-10) may be signed on a day after today, up to its own date (review-late
    # still holds): nothing of it is public before then. An item that is out now may not.
    "review-in-the-future.md": ("stories", []),
    "review-in-the-future-public.md": ("models", [
        "content/models/review-in-the-future-public.md:9: [review-future] 终审签署日期 2026-12-30 晚于今天（2026-11-22）：尚未发生的审核不能算数"]),
    "review-name-spaces.md": ("stories", [
        "content/stories/review-name-spaces.md:6: [review-same-person] 三审中同一人「周 晓燕」签了两级（初审、复审），每级须由不同的人审核"]),
    "review-missing.md": ("stories", [
        "content/stories/review-missing.md:6: [review-missing] 已发布（published）的内容缺少三审记录：终审"]),
    "review-same-person.md": ("stories", [
        "content/stories/review-same-person.md:6: [review-same-person] 三审中同一人「张三」签了两级（初审、复审），每级须由不同的人审核"]),
    "summary-too-long.md": ("stories", [
        "content/stories/summary-too-long.md:6: [too-long] 字段「summary」（摘要）过长：121 字，上限 120 字"]),
    "title-too-long.md": ("stories", [
        "content/stories/title-too-long.md:2: [too-long] 字段「title」（标题）过长：65 字，上限 64 字"]),
    "typo-key.md": ("stories", [
        "content/stories/typo-key.md:6: [unknown-key] 警告：未知字段「colum」，将被忽略。是否想写「column」？"]),
    "unknown-column.md": ("stories", [
        "content/stories/unknown-column.md:4: [unknown-ref] 字段「column」引用的栏目「laodongzhe-zhi」不存在，是否想写「laodongzhe-zhi-ge」？"]),
    "unknown-model.md": ("stories", [
        "content/stories/unknown-model.md:6: [unknown-ref] 字段「models」引用的劳模「nobody-here」不存在"]),
    "wechat-title-too-long.md": ("stories", [
        "content/stories/wechat-title-too-long.md:7: [too-long] 字段「wechat.title」（标题）过长：33 字，上限 32 字"]),
    "yaml-syntax.md": ("stories", [
        "content/stories/yaml-syntax.md:2: [yaml-syntax] YAML 语法错误：此处不能出现冒号“:”。若值里含冒号，请给整个值加引号"
        "（mapping values are not allowed in this context）"]),
    "yaml-alias-bomb.md": ("stories", [
        "content/stories/yaml-alias-bomb.md:2: [yaml-syntax] YAML 语法错误：别名（*）或合并（<<）展开后过大（超过 100000 项），请不要用别名互相嵌套"]),
    "yaml-deep-nesting.md": ("stories", [
        "content/stories/yaml-deep-nesting.md:3: [yaml-syntax] YAML 语法错误：嵌套层次过深（超过 64 层）"]),
    "yaml-merge-key.md": ("stories", []),
    "html-block-unclosed.md": ("stories", [
        "content/stories/html-block-unclosed.md:14: [html-unclosed] 正文里的 <div> 没有对应的 </div>：其后的内容可能整段丢失。请补上 </div>"]),
    "front-matter-stray-fence.md": ("stories", [
        "content/stories/front-matter-stray-fence.md:2: [field-missing] 缺少必填字段「column」（栏目）",
        "content/stories/front-matter-stray-fence.md:4: [front-matter-split] 头信息中间多了一行 ---：其后的字段（column、status、review）被当成了正文。请删去多余的 ---"]),
    "yaml-hash-in-title.md": ("stories", [
        "content/stories/yaml-hash-in-title.md:2: [yaml-comment] 警告：「 #」之后的文字被 YAML 当作注释丢掉了：若它是内容的一部分，请给整个值加引号"]),
    "git-conflict-markers.md": ("stories", [
        "content/stories/git-conflict-markers.md:12: [merge-conflict] 文件里有 Git 合并冲突标记（<<<<<<< 或 >>>>>>>，第 12、16 行）：请解决冲突、删去标记后再提交"]),
    "body-unpaired-brackets.md": ("stories", [
        "content/stories/body-unpaired-brackets.md:11: [body-brackets] 正文里有 600 个没有配对的半角方括号 [ ：请检查是否把全角］和半角 [ 混用了（半角 [ 在 Markdown 里表示链接）"]),
    "title-only-zero-width-space.md": ("stories", [
        "content/stories/title-only-zero-width-space.md:2: [field-missing] 缺少必填字段「title」（标题）"]),
    "model-consent-status-full-width-space.md": ("models", [
        "content/models/model-consent-status-full-width-space.md:7: [consent-missing] 已发布的劳模资料缺少本人同意记录 consent（by、date），依《个人信息保护法》第二十五条不得公开"]),
    "date-year-9999.md": ("stories", [
        "content/stories/date-year-9999.md:3: [date-invalid] 字段「date」（日期）不是有效日期：9999-12-31T23:59:59-10:00。请写成 2024-05-01 或 2024-05-01 09:30"]),
    "yaml-explicit-tag.md": ("stories", [
        "content/stories/yaml-explicit-tag.md:5: [yaml-syntax] YAML 语法错误：这个值无法读取（类型标记 !! 不适用，或数字过长）：若是文字，请给整个值加引号"]),
    "yaml-at-sign.md": ("stories", [
        "content/stories/yaml-at-sign.md:2: [yaml-syntax] YAML 语法错误：值不能以 @、`、% 等符号开头，缩进也不能用 Tab：请给整个值加引号，缩进改用空格（found character that cannot start any token）"]),
    "yaml-control-character.md": ("stories", [
        # A control character is removed with a warning where it is (chars.py), not a YAML error that drops the file.
        "content/stories/yaml-control-character.md:5:13: [control-char] 警告：含有不可见的控制字符 U+000B（垂直制表符，多为 Word 的软回车），已删除："
        "多半是从 Word、WPS 或网页粘贴带来的，读者看不到，发布的内容里也不会有"]),
    "body-nested-too-deep.md": ("stories", [
        "content/stories/body-nested-too-deep.md:11: [body-too-deep] 正文的列表、引用或 HTML 嵌套超过 100 层，无法可靠排版：请检查是否误粘贴了大量 > 或 - 符号"]),
    "image-local-path.md": ("stories", [
        "content/stories/image-local-path.md:14: [link-local] 这是编辑本机上的路径（C:\\Users\\wang\\Desktop\\合影.jpg），发布后别人打不开：请把文件放进内容文件夹，用相对路径引用"]),
    "iframe-not-a-url.md": ("stories", [
        "content/stories/iframe-not-a-url.md:14: [html-removed] 警告：正文里的 HTML 已被清理：嵌入内容来自未列入 embed_hosts 的网站「（空）」（出于安全，发布的页面不含此项）"]),
    "yes-no-stay-text.md": ("stories", []),
    # Privacy: each number must pass its own check digit, so ordinary numbers raise nothing.
    "privacy-id-number.md": ("stories", [
        "content/stories/privacy-id-number.md:12:36: [privacy-id] 疑似居民身份证号码（110***********002X，校验码正确）：公开的内容不得含身份证号（《个人信息保护法》）。若确需公开，请在头信息写 allow: [{rule: privacy-id, why: 理由}]",
        "content/stories/privacy-id-number.md:14:9: [privacy-id] 疑似居民身份证号码（520***********1238，校验码正确）：公开的内容不得含身份证号（《个人信息保护法》）。若确需公开，请在头信息写 allow: [{rule: privacy-id, why: 理由}]"]),
    "privacy-mobile.md": ("stories", [
        "content/stories/privacy-mobile.md:10:15: [privacy-mobile] 疑似个人手机号码：公开的内容不得含个人手机号，请删去，或打码写成 139****5678。若确需公开，请在头信息写 allow: [{rule: privacy-mobile, why: 理由}]",
        "content/stories/privacy-mobile.md:13:12: [privacy-mobile] 疑似个人手机号码：公开的内容不得含个人手机号，请删去，或打码写成 138****5678。若确需公开，请在头信息写 allow: [{rule: privacy-mobile, why: 理由}]",
        "content/stories/privacy-mobile.md:13:28: [privacy-mobile] 疑似个人手机号码：公开的内容不得含个人手机号，请删去，或打码写成 137****1234。若确需公开，请在头信息写 allow: [{rule: privacy-mobile, why: 理由}]",
        "content/stories/privacy-mobile.md:15:5: [privacy-mobile] 疑似个人手机号码：公开的内容不得含个人手机号，请删去，或打码写成 136****1111。若确需公开，请在头信息写 allow: [{rule: privacy-mobile, why: 理由}]"]),
    "privacy-mobile-masked.md": ("stories", []),
    "privacy-bank-card.md": ("stories", [
        "content/stories/privacy-bank-card.md:12:11: [privacy-bank] 疑似银行卡号（622************0128，卡号校验正确）：公开的内容不得含银行卡号。若确需公开，请在头信息写 allow: [{rule: privacy-bank, why: 理由}]",
        "content/stories/privacy-bank-card.md:12:37: [privacy-bank] 疑似银行卡号（621*********5670，卡号校验正确）：公开的内容不得含银行卡号。若确需公开，请在头信息写 allow: [{rule: privacy-bank, why: 理由}]"]),
    "privacy-number-before-a-name.md": ("stories", [  # a surname after the number; mixed and full-width spaces
        "content/stories/privacy-number-before-a-name.md:12:4: [privacy-mobile] 疑似个人手机号码：公开的内容不得含个人手机号，请删去，或打码写成 138****5678。若确需公开，请在头信息写 allow: [{rule: privacy-mobile, why: 理由}]",
        "content/stories/privacy-number-before-a-name.md:12:22: [privacy-mobile] 疑似个人手机号码：公开的内容不得含个人手机号，请删去，或打码写成 138****5678。若确需公开，请在头信息写 allow: [{rule: privacy-mobile, why: 理由}]",
        "content/stories/privacy-number-before-a-name.md:12:36: [privacy-mobile] 疑似个人手机号码：公开的内容不得含个人手机号，请删去，或打码写成 139****5678。若确需公开，请在头信息写 allow: [{rule: privacy-mobile, why: 理由}]",
        "content/stories/privacy-number-before-a-name.md:14:4: [privacy-id] 疑似居民身份证号码（110***********002X，校验码正确）：公开的内容不得含身份证号（《个人信息保护法》）。若确需公开，请在头信息写 allow: [{rule: privacy-id, why: 理由}]"]),
    "contest-closes-before-opens.md": ("contests/zhengwen/index.md", [
        "content/contests/zhengwen/index.md:4: [field-range] 字段「closes」（闭幕日期）的值 2026-04-01 超出范围：不得早于征集开始日期 opens"]),
    "privacy-ordinary-numbers.md": ("stories", []),
    "privacy-allowed.md": ("stories", []),
    "privacy-allow-typo-and-unused.md": ("stories", [
        "content/stories/privacy-allow-typo-and-unused.md:10: [allow-unknown] 警告：豁免的规则「privacy-phone」不存在，这条豁免不起作用，"
        "是否想写「privacy-mobile」？（可豁免的规则：privacy-bank、privacy-id、privacy-mobile）",
        "content/stories/privacy-allow-typo-and-unused.md:10: [allow-unused] 警告：豁免「privacy-id」没有用到：这份内容里没有触发此规则的文字，请删去这条豁免",
        "content/stories/privacy-allow-typo-and-unused.md:15:8: [privacy-mobile] 疑似个人手机号码：公开的内容不得含个人手机号，请删去，或打码写成 139****1234。若确需公开，请在头信息写 allow: [{rule: privacy-mobile, why: 理由}]"]),
    "privacy-in-draft.md": ("stories", []),
    "privacy-in-model.md": ("models", [
        "content/models/privacy-in-model.md:5:17: [privacy-mobile] 疑似个人手机号码：公开的内容不得含个人手机号，请删去，或打码写成 189****5678。若确需公开，请在头信息写 allow: [{rule: privacy-mobile, why: 理由}]",
        "content/models/privacy-in-model.md:16:8: [privacy-id] 疑似居民身份证号码（440***********0014，校验码正确）：公开的内容不得含身份证号（《个人信息保护法》）。若确需公开，请在头信息写 allow: [{rule: privacy-id, why: 理由}]"]),
}


def _place(content, case: str):
    where = EXPECTED[case][0]
    dest = content / (where if where.endswith(".md") else f"{where}/{case}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(CASES / case, dest)


def test_every_case_file_has_an_expectation():
    assert sorted(p.name for p in CASES.iterdir()) == sorted(EXPECTED)


def test_base_fixture_is_clean(site_copy):
    lines, build = check(site_copy)
    assert lines == []
    assert [s.slug for s in build.public.all("story")] == ["good-story"]


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_case_reports_exact_message(site_copy, case):
    _place(site_copy, case)
    lines, _ = check(site_copy)
    assert lines == EXPECTED[case][1]


def test_yaml_1_1_words_stay_text(site_copy):
    _place(site_copy, "yes-no-stay-text.md")
    _, build = check(site_copy)
    story = next(item for item in build.catalog.items if item.slug == "yes-no-stay-text")
    assert (story.title, story.origin, story.tags) == ("no", "off", ("yes", "on", "12:30"))


def test_merge_keys_reuse_a_signature(site_copy):
    _place(site_copy, "yaml-merge-key.md")
    _, build = check(site_copy)
    story = build.public.get("story", "yaml-merge-key")
    assert [(level, sig.by, sig.date.isoformat()) for level, sig in story.review.signed()] == [
        ("初审", "周晓燕", "2026-04-30"), ("复审", "孙立平", "2026-04-30"), ("终审", "郑国华", "2026-04-30")]


def test_all_problems_reported_in_one_run(site_copy):
    for case in ("bad-date.md", "missing-column.md", "gbk-encoding.md", "yaml-syntax.md", "unknown-column.md"):
        _place(site_copy, case)
    lines, _ = check(site_copy)
    assert [line.split(": [")[1].split("]")[0] for line in lines] == [
        "date-invalid", "encoding", "field-missing", "unknown-ref", "yaml-syntax"]


def test_check_command_exit_status_and_no_traceback(site_copy):
    cmd = [sys.executable, "-m", "unionpress", "check"]
    env = {"UNIONPRESS_CONTENT": str(site_copy), "UNIONPRESS_NOW": "2026-11-22", "PATH": "/usr/bin:/bin"}
    clean = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    assert clean.returncode == 0 and clean.stdout.strip() == "共 0 个错误，0 个警告。"
    _place(site_copy, "bad-date.md")
    _place(site_copy, "typo-key.md")
    bad = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 1
    assert "Traceback" not in bad.stdout + bad.stderr
    assert bad.stdout.strip().splitlines()[-1] == "共 1 个错误，1 个警告。"


def test_warnings_alone_do_not_fail_check(site_copy):
    _place(site_copy, "typo-key.md")
    lines, build = check(site_copy)
    assert len(lines) == 1 and not build.findings.errors


def test_scaffold_creates_a_story_that_passes_check(site_copy):
    env = {"UNIONPRESS_CONTENT": str(site_copy), "UNIONPRESS_NOW": "2026-11-22T10:00:00+08:00", "PATH": "/usr/bin:/bin"}
    made = subprocess.run([sys.executable, "-m", "unionpress", "new", "story", "xin-gao-jian", "--title", "新稿件"],
                          env=env, capture_output=True, text=True, cwd=ROOT)
    assert made.returncode == 0, made.stderr
    assert (site_copy / "stories/2026/xin-gao-jian.md").exists()
    again = subprocess.run([sys.executable, "-m", "unionpress", "new", "story", "xin-gao-jian"], env=env,
                           capture_output=True, text=True, cwd=ROOT)
    assert again.returncode == 2 and "[duplicate-slug]" in again.stderr
    bad = subprocess.run([sys.executable, "-m", "unionpress", "new", "model", "Li_Ming"], env=env,
                         capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 2 and "[slug-invalid]" in bad.stderr
    lines, build = check(site_copy)
    assert lines == [] and build.public.get("story", "xin-gao-jian") is None  # a draft: checked, not published


def test_config_errors_are_findings(tmp_path, site_copy):
    lines, _ = check(site_copy, page_size=0, review_required="yes")
    assert lines == ["mkdocs.yml:1: [config] 配置 extra.unionpress.page_size 有误：应为 1 到 500 之间的整数",
                     "mkdocs.yml:1: [config] 配置 extra.unionpress.review_required 有误：应为 true 或 false"]
