"""Findings: every problem the engine reports, as `path:line[:col]: [code] message`.

One catalogue holds every code with its Chinese message (and a short English gloss), so the
messages editors see are written once, pinned by the tests, and easy to translate or reword.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

ERROR = "error"
WARNING = "warning"

# code → (level, Chinese template, English gloss). Templates use str.format fields.
CATALOGUE: dict[str, tuple[str, str, str]] = {
    "encoding": (ERROR, "文件不是 UTF-8 编码{guess}。请在编辑器中“另存为 → 编码 UTF-8”，{fix}", "file is not UTF-8"),
    "nul-byte": (ERROR, "文件含有空字符（NUL，\\0），不是正常的文本文件：请从原稿重新复制文字", "NUL byte in a text file"),
    "unreadable": (ERROR, "无法读取此文件：{reason}", "file cannot be read"),
    "front-matter": (ERROR, "文件开头缺少 YAML 头信息（以 --- 开始、以 --- 结束）", "missing front matter"),
    "front-matter-unclosed": (ERROR, "头信息没有结束：第 1 行的 --- 之后缺少单独一行的 ---", "front matter not closed"),
    "yaml-syntax": (ERROR, "YAML 语法错误：{detail}", "YAML syntax error"),
    "yaml-duplicate-key": (ERROR, "字段「{key}」重复出现，只能写一次", "duplicate key"),
    "not-a-map": (ERROR, "{what}应当是“字段: 值”的映射", "expected a mapping"),
    "not-a-list": (ERROR, "{what}应当是列表（每项以 - 开头）", "expected a list"),
    "field-missing": (ERROR, "缺少必填字段「{field}」（{label}）", "required field missing"),
    "field-type": (ERROR, "字段「{field}」（{label}）应为{expected}，实际写的是：{got}", "wrong type"),
    "field-choice": (ERROR, "字段「{field}」（{label}）的值「{value}」不在可选范围内：{choices}", "value not allowed"),
    "field-range": (ERROR, "字段「{field}」（{label}）的值 {value} 超出范围：{rule}", "value out of range"),
    "date-invalid": (ERROR, "字段「{field}」（{label}）不是有效日期：{value}。请写成 2024-05-01 或 2024-05-01 09:30", "invalid date"),
    "too-long": (ERROR, "字段「{field}」（{label}）过长：{length} 字，上限 {limit} 字", "too long"),
    "unknown-key": (WARNING, "未知字段「{field}」，将被忽略{hint}", "unknown key"),
    "unknown-ref": (ERROR, "字段「{field}」引用的{what}「{key}」不存在{hint}", "unknown reference"),
    "slug-invalid": (ERROR, "文件名（slug）「{slug}」不合规：只能用小写英文字母、数字和连字符 -，例如 li-ming-2024", "invalid slug"),
    "duplicate-slug": (ERROR, "{what}「{slug}」重复：{other} 已使用同一名称", "duplicate slug"),
    "duplicate-key": (ERROR, "{what}键「{key}」重复：第 {other} 行已定义", "duplicate key"),
    "slug-reserved": (ERROR, "文件名（slug）「{slug}」不能用：网站自己的页面 /{url}（{what}）在这个位置，请换一个文件名", "slug taken by the site's own pages"),
    "duplicate-output": (ERROR, "输出路径 /{url} 冲突：{other} 也会生成同一页面", "two sources write one output path"),
    "synonym-row": (ERROR, "第 {row} 组同义词应写成至少两个词的列表，例如 - [劳动模范, 劳模]", "synonym group is not a list of two or more words"),
    "synonym-repeated": (ERROR, "「{word}」已在第 {other} 行的同义词组里：一个词只能属于一组，请合并这两组", "word in two synonym groups"),
    "link-local": (ERROR, "这是编辑本机上的路径（{src}），发布后别人打不开：请把文件放进内容文件夹，用相对路径引用", "path on the editor's computer"),
    "yaml-comment": (WARNING, "「 #」之后的文字被 YAML 当作注释丢掉了：若它是内容的一部分，请给整个值加引号", "text after ' #' is a comment"),
    "merge-conflict": (ERROR, "文件里有 Git 合并冲突标记（<<<<<<< 或 >>>>>>>，第 {lines} 行）：请解决冲突、删去标记后再提交", "Git conflict markers"),
    "front-matter-split": (ERROR, "头信息中间多了一行 ---：其后的字段（{keys}）被当成了正文。请删去多余的 ---", "stray --- inside front matter"),
    "body-brackets": (ERROR, "正文里有 {count} 个没有配对的半角方括号 [ ：请检查是否把全角］和半角 [ 混用了（半角 [ 在 Markdown 里表示链接）", "too many unpaired ["),
    "html-unclosed": (ERROR, "正文里的 <{tag}> 没有对应的 </{tag}>：其后的内容可能整段丢失。请补上 </{tag}>", "unclosed HTML block"),
    "body-paragraph-long": (WARNING, "正文从这一行起的一段长达 {length} 字，中间没有空行（Markdown 把单个换行连成一段）："
                            "发布时已在换行处（或超过 {limit} 字的一行在句号处）分成多段。请在段落之间空一行", "paragraph too long: split"),
    "body-too-deep": (ERROR, "正文的列表、引用或 HTML 嵌套超过 {limit} 层，无法可靠排版：请检查是否误粘贴了大量 > 或 - 符号", "body nested too deeply"),
    "stray-file": (WARNING, "此文件不在任何内容类型的位置上，未被使用", "file not used"),
    "stray-published": (ERROR, "此文件标为已发布，但不在任何内容类型的文件夹里，不会发布：请移到 {kinds} 之一", "published file in no content folder"),
    "md-extension": (ERROR, "Markdown 文件的扩展名应为小写 .md，否则不会发布：请改名为 {name}", "Markdown file not named .md"),
    "symlink": (ERROR, "这是一个符号链接（快捷方式），不会作为内容读取：请把文件或文件夹本身放在这里", "symlink in content"),
    "not-a-file": (ERROR, "这不是普通文件（可能是以 .md 结尾的文件夹），不会作为内容读取：请改名", "not a regular file"),
    "index-misplaced": (ERROR, "index.md 不能直接放在 {folder}：它会被当成一篇内容的正文。请改名为 SLUG.md，或移入 SLUG/ 文件夹", "index.md outside a bundle folder"),
    "bundle-no-index": (ERROR, "文件夹 {folder} 里没有 index.md：图文包的正文应命名为 {slug}/index.md；单篇内容请直接放在上一级文件夹", "bundle folder without index.md"),
    "bundle-extra-published": (ERROR, "此文件标为已发布，但它在图文包 {bundle} 里，不会发布：请移到内容类型的文件夹（如 content/contests/SLUG/entries/）或并入 index.md", "published file inside a bundle"),
    "bundle-extra": (WARNING, "图文包 {bundle} 里的其他 Markdown 文件不会发布：请并入 index.md 或另建一篇", "extra Markdown in a bundle"),
    "image-missing": (ERROR, "图片不存在：{src}", "image not found"),
    "image-alt-missing": (ERROR, "图片缺少替代文字（alt）：{src}。{fix}", "image without alt text"),
    "review-missing": (ERROR, "已发布（published）的内容缺少三审记录：{levels}", "review level missing"),
    "review-same-person": (ERROR, "三审中同一人「{name}」签了两级（{levels}），每级须由不同的人审核", "one person signed two levels"),
    "review-late": (ERROR, "{level}签署日期 {date} 晚于发布时间 {published}：三审须在发布前完成", "review signed after publication"),
    "review-future": (ERROR, "{level}签署日期 {date} 晚于今天（{now}）：尚未发生的审核不能算数", "review signed in the future"),
    "consent-missing": (ERROR, "已发布的劳模资料缺少本人同意记录 consent（by、date），依《个人信息保护法》第二十五条不得公开", "consent missing"),
    "isbn-invalid": (ERROR, "ISBN「{value}」无效：{reason}", "invalid ISBN"),
    "config-unknown": (WARNING, "配置 extra.unionpress 中有未知字段「{field}」，将被忽略{hint}", "unknown setting"),
    "link-missing": (ERROR, "链接指向的文件或页面不存在：{target}", "link target not found"),
    "row-hidden": (ERROR, "字段「{field}」引用的{what}「{name}」（{key}）{why}：已发布的{item}不能放在未公开的{what}里。{fix}",
                   "published item in a list row that is not public by then"),
    "link-hidden": (ERROR, "链接或图片指向未公开的内容「{label}」（{other}）：{target}。草稿、待审、定时发布或未审完的内容不能被已发布的内容引用", "link to a non-public item"),
    "image-remote": (ERROR, "图片必须是内容文件夹里的文件，不能是其他网站（{host}）的地址：{src}。请把图片下载后放进内容文件夹，用相对路径引用",
                     "front-matter picture on another site"),
    "image-broken": (ERROR, "图片文件无法读取（已损坏，或不是 JPEG、PNG、WebP、GIF 图片）：{src}", "image cannot be read"),
    "image-pixels": (ERROR, "图片像素过大（{size}），可能是损坏或恶意的文件：{src}。请缩小到 8000×8000 像素以内", "too many pixels"),
    "image-frames": (ERROR, "动图过大（{frames} 帧，每帧 {size} 像素）：{src}。所有帧合计不得超过 6400 万像素，请减少帧数、缩小尺寸，或改为视频", "animation too large"),
    "image-oversized": (WARNING, "图片原件过大（{mb} MB）：{src}。建议压缩到 10 MB 以内，手机读者加载会很慢", "image file very large"),
    "image-type": (ERROR, "不是图片文件：{src}（应为 jpg、png、webp、gif 等格式的图片）", "not an image file"),
    "html-removed": (WARNING, "正文里的 HTML 已被清理：{why}（出于安全，发布的页面不含此项）", "HTML removed by the sanitiser"),
    "epub-xhtml": (WARNING, "正文里的 {what} 写法不合规（{why}）：电子书（EPUB）放不下它，已从电子书中去掉，网页照常显示。请改正原文",
                   "body construct an EPUB's XHTML cannot hold: left out of the book"),
    "epub-picture": (WARNING, "图片「{src}」无法解码，放不进电子书（EPUB）：电子书里以图片说明代替。请换一张能打开的 JPEG 或 PNG 图片",
                     "picture cannot be decoded for the EPUB: its alt text stands in"),
    "link-outside": (ERROR, "链接或图片指向内容目录以外的文件：{target}", "link outside the content folder"),
    "link-no-page": (ERROR, "链接指向的{what}「{label}」还没有网页：{target}", "target has no page"),
    "link-reserved": (ERROR, "正文里写了「{written}」：这是构建程序内部专用的链接写法（unionpress-site:），编辑不能使用，它会绕过链接检查。"
                      "链接站内内容请写网站地址（如 /stories/SLUG/）或内容文件的相对路径（如 ../models/SLUG.md）",
                      "the engine's internal link marker written in a body"),
    "media-outside": (ERROR, "图片、视频或音频来自外部网站「{host}」：{src}。读者打开页面时会从该网站加载它（对方能记录读者的访问，文件也可能被换掉或删除）。"
                      "请把文件放进图文包，用相对路径引用；确需使用的网站须由管理员列入 extra.unionpress.embed_hosts",
                      "picture, video or audio loaded from another host"),
    "attachment-active": (ERROR, "文件 {src}（{what}）在读者的浏览器里打开时，其中的脚本会以本站的名义运行，不能直接发布：{fix}",
                          "attachment a browser would run as a document on our origin"),
    "leak": (ERROR, "发布检查（audit）：输出文件 {output} 中出现了未公开内容的{what}", "non-public item in the output"),
    "config": (ERROR, "配置 {field} 有误：{detail}", "bad setting"),
    "content-dir": (ERROR, "内容目录不存在：{folder}", "content folder not found"),
    "privacy-id": (ERROR, "疑似居民身份证号码（{masked}，校验码正确）：公开的内容不得含身份证号（《个人信息保护法》）。{fix}",
                   "ID card number"),
    "privacy-mobile": (ERROR, "疑似个人手机号码：公开的内容不得含个人手机号，请删去，或打码写成 {masked}。{fix}",
                       "mobile phone number"),
    "privacy-bank": (ERROR, "疑似银行卡号（{masked}，卡号校验正确）：公开的内容不得含银行卡号。{fix}", "bank card number"),
    "allow-unknown": (WARNING, "豁免的规则「{rule}」不存在，这条豁免不起作用{hint}（可豁免的规则：{known}）", "exemption of an unknown rule"),
    "control-char": (WARNING, "含有不可见的控制字符 {chars}，已删除：多半是从 Word、WPS 或网页粘贴带来的，读者看不到，发布的内容里也不会有", "control character removed"),
    "allow-unused": (WARNING, "豁免「{rule}」没有用到：这份内容里没有触发此规则的文字，请删去这条豁免", "exemption not needed"),
    "rules-yaml": (ERROR, "规则文件的 YAML 语法错误：{detail}。整个文件的规则都没有生效", "rule file is not valid YAML"),
    "rules-shape": (ERROR, "{what}应当是{expected}", "rule file has the wrong shape"),
    "rules-field": (ERROR, "规则「{rule}」的字段「{field}」有误：{why}", "rule field missing or malformed"),
    "rules-code": (ERROR, "规则编号「{rule}」不能用：{why}", "bad or repeated rule code"),
    "rules-level": (ERROR, "规则「{rule}」的级别「{level}」只能是 error（错误）或 warning（警告）", "bad rule level"),
    "rules-kind": (ERROR, "规则「{rule}」的类型「{kind}」不存在{hint}（可用的类型：{kinds}）", "unknown rule kind"),
    "rules-unknown": (WARNING, "规则「{rule}」里有未知字段「{field}」，将被忽略{hint}", "unknown field in a rule"),
    "rules-limit": (ERROR, "规则「{rule}」的 {field} 写了「{value}」，它不存在（可写：{known}）", "rule limited to an unknown field or kind"),
    "rules-pattern": (ERROR, "规则「{rule}」的正则表达式写错了：{detail}", "rule pattern is not a valid regular expression"),
    "wechat-too-long": (ERROR, "发到公众号的{label}（{field}）有 {length} 字，公众号上限 {limit} 字：请在头信息里另写一个公众号用的{what}，"
                        "如 wechat: {{{field}: …}}（不超过 {limit} 字）", "WeChat title/author/digest over its limit"),
    "wechat-content-long": (ERROR, "正文转成公众号图文后有 {chars} 个字符（{kb} KB），公众号要求少于 {limit} 字符且小于 1 MB：请删减，或分成几篇发布",
                            "WeChat content over 20,000 characters or 1 MB"),
    "wechat-newspic-pictures": (ERROR, "图片消息（wechat: {{type: newspic}}）要有 1 到 {limit} 张图片，正文里有 {count} 张：请增删图片，或改为图文消息（去掉 type）",
                                "WeChat picture message needs 1 to 20 pictures"),
    "image-alt-filename": (ERROR, "图片的替代文字（alt）「{alt}」是文件名，读屏软件会把它念给看不见图片的读者：{src}。请写明图片的内容，如「李明在车床前检查零件」",
                           "alt text is a file name"),
    "link-anchor": (ERROR, "链接指向的位置在{where}不存在：{target}。请核对 # 后面的小标题或锚点名称", "link to a missing anchor"),
    "link-http": (WARNING, "链接用的是不加密的 http://：{target}。读者的浏览器会提示“不安全”，内容也可能在传输中被篡改；对方网站支持时请改为 https://",
                  "plain http link"),
    "allow-text-unused": (WARNING, "豁免「{rule}」写的文字「{text}」在这份内容里没有找到，或那里没有触发此规则：请按原文核对这段文字，或删去这条豁免",
                          "per-occurrence exemption whose text is not found or not needed"),
}

FIELD_LABELS = {
    "title": "标题", "date": "日期", "column": "栏目", "genre": "体裁", "summary": "摘要", "authors": "作者",
    "source": "来源", "cover": "封面", "cover_alt": "封面替代文字", "cover_focus": "封面焦点", "tags": "标签",
    "topics": "专题", "models": "劳模", "wechat": "微信", "status": "状态", "review": "三审", "name": "姓名",
    "photo": "照片", "employer": "单位", "position": "岗位", "industry": "行业", "region": "地区",
    "gender": "性别", "ethnicity": "民族", "honors": "荣誉", "honor": "荣誉", "year": "年份", "quote": "寄语",
    "consent": "同意记录", "opens": "开幕日期", "closes": "闭幕日期", "kind": "类型", "organizer": "主办单位",
    "works": "作品", "author": "作者", "unit": "单位", "medium": "材质", "size": "尺寸", "image": "图片",
    "award": "奖项", "description": "说明", "publisher": "出版社", "isbn": "ISBN", "shelf": "书架",
    "book": "书目", "theme": "主题", "key": "键", "level": "级别", "rank": "排序", "target": "年度目标",
    "cadence": "更新频率", "featured": "首页推荐", "by": "签署人", "editor": "责任编辑", "allow": "豁免",
    "digest": "摘要", "per": "周期", "count": "篇数", "from": "开始", "to": "结束", "first": "初审",
    "second": "复审", "final": "终审", "rule": "规则", "why": "理由", "photo_alt": "照片替代文字",
    "notices": "通知公告栏目", "cover_caption": "封面图片说明",
}


def did_you_mean(word: str, known) -> str:
    """The closest known spelling of a mistyped key or reference ('' when nothing is close)."""
    close = difflib.get_close_matches(str(word), sorted(known), n=1, cutoff=0.6)
    return close[0] if close else ""


def label(field_path: str) -> str:
    """The Chinese label of the last segment of a dotted field path (`works[2].image` → 图片)."""
    last = field_path.rsplit(".", 1)[-1].split("[", 1)[0]
    return FIELD_LABELS.get(last, last)


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    col: int  # 1-based character column; 0 when the finding is about a whole line
    code: str
    message: str
    level: str = field(default=ERROR, compare=False)

    @property
    def is_error(self) -> bool:
        return self.level == ERROR

    def format(self) -> str:
        prefix = "" if self.is_error else "警告："
        where = f"{self.path}:{self.line}:{self.col}" if self.col else f"{self.path}:{self.line}"
        return f"{where}: [{self.code}] {prefix}{self.message}"


class Findings:
    """Collects findings for one run; every phase appends, nobody raises for bad content."""

    def __init__(self) -> None:
        self.items: list[Finding] = []

    def add(self, path: str, line: int, code: str, *, col: int = 0, **fields: object) -> Finding:
        level, template, _gloss = CATALOGUE[code]
        if "label" not in fields and "field" in fields:
            fields["label"] = label(str(fields["field"]))
        # A file name that is not UTF-8 carries surrogates; escaped, so the report can always be printed.
        message = template.format(**fields).encode("utf-8", "backslashreplace").decode("utf-8")
        path = path.encode("utf-8", "backslashreplace").decode("utf-8")
        finding = Finding(path, max(int(line), 1), max(int(col), 0), code, message, level)
        self.items.append(finding)
        return finding

    def extend(self, other: "Findings") -> None:
        self.items.extend(other.items)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.items if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.items if not f.is_error]

    def sorted(self) -> list[Finding]:
        # Deterministic order: by file, then line, then code — the order an editor fixes them in.
        return sorted(set(self.items))

    def report(self) -> str:
        lines = [f.format() for f in self.sorted()]
        lines.append(f"共 {len(self.errors)} 个错误，{len(self.warnings)} 个警告。")
        return "\n".join(lines)
