"""`unionpress wechat push SLUG…`: a story's WeChat package into the official account's draft box (草稿箱).

The official-account API, with requests:

    cgi-bin/stable_token            the access token, kept until it expires (never force_refresh: it is
                                    limited to 20 a day, and a plain call already returns the valid one)
    cgi-bin/media/uploadimg         each body picture (JPEG/PNG under 1 MB) → a WeChat URL; WeChat drops
                                    pictures from anywhere else, so every one goes through here first
    cgi-bin/material/add_material   the cover (and a picture message's pictures) → a permanent media_id
    cgi-bin/draft/add               a new draft: pic_crop_235_1 / pic_crop_1_1, or a newspic's image_info
    cgi-bin/draft/update            the same draft again when the story was pushed before

Publishing stays a human step: this module never calls freepublish (since 2025 unverified accounts
get 48001 there anyway; their drafts still work). Credentials come from the environment
(UNIONPRESS_WECHAT_APPID, UNIONPRESS_WECHAT_SECRET), never from the repository; UNIONPRESS_WECHAT_API
points the client at another address (the tests' local server). What was uploaded is kept in the
repository beside the content (content/.wechat/uploads.json): picture bytes' SHA-256 → WeChat URL or
media_id, story → draft media_id; so a second push uploads nothing it uploaded before and updates the
draft instead of making another. Every API error is told in Chinese with what to do.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

import requests

API_BASE = "https://api.weixin.qq.com"
ENV_APPID, ENV_SECRET, ENV_API = "UNIONPRESS_WECHAT_APPID", "UNIONPRESS_WECHAT_SECRET", "UNIONPRESS_WECHAT_API"
RECORD = ".wechat/uploads.json"  # under the content folder: it travels with the content it describes
TIMEOUT = 30  # seconds per request: a mountain county's line is slow, never endless
TOKEN_MARGIN = 300  # seconds before the token's end when a new one is fetched
EXPIRED = (42001, 40001)  # access_token expired / invalid: fetch a new one and try once more
_IP = re.compile(r"invalid ip ([0-9A-Fa-f.:]+)")

# errcode → what the operator reads and does
MESSAGES = {
    40164: "调用接口的 IP 地址 {ip} 不在公众号的 IP 白名单里：请公众号管理员登录 mp.weixin.qq.com，在「设置与开发 → 开发接口管理 → "
           "基本配置 → IP 白名单」中加入 {ip}，保存约 5 分钟后再推送",
    45003: "标题超过公众号的上限（32 字）：请在稿件头信息里写 wechat: {{title: 不超过 32 字的标题}} 后再推送",
    45004: "摘要超过公众号的上限（128 字）：请在稿件头信息里写 wechat: {{digest: 不超过 128 字的摘要}} 后再推送",
    45110: "作者署名超过公众号的上限（16 字）：请在稿件头信息里写 wechat: {{author: 不超过 16 字的署名}} 后再推送",
    45002: "正文超过公众号的上限（少于 2 万字符、1 MB）：请删减或分篇后再推送",
    40005: "图片格式不被公众号接受（只能是 JPG 或 PNG）：{what}。请重新构建网站后再推送",
    40009: "图片太大（正文图片须小于 1 MB，封面小于 10 MB）：{what}。请重新构建网站后再推送",
    42001: "access_token 已过期，重新获取后仍然失败：请稍后再推送",
    40001: "公众号凭据无效（AppSecret 错误，或 access_token 已被别处刷新）：请核对环境变量 UNIONPRESS_WECHAT_APPID 和 "
           "UNIONPRESS_WECHAT_SECRET",
    40125: "AppSecret 不正确：请核对环境变量 UNIONPRESS_WECHAT_SECRET（在公众号后台「设置与开发 → 开发接口管理」查看或重置）",
    40013: "AppID 不正确：请核对环境变量 UNIONPRESS_WECHAT_APPID",
    45009: "今天调用公众号接口的次数已达每日上限：请明天再推送（已上传的图片记录在案，明天不会重复上传）",
    48001: "公众号没有这个接口的权限（未认证的公众号不能调用部分接口）：请在后台「设置与开发 → 接口权限」查看；"
           "草稿箱接口可用时草稿照常创建，发表始终由编辑在后台手工完成",
    40007: "公众号里找不到这个素材或草稿（media_id 无效，可能已被删除或已发表）",
}
DEFAULT_MESSAGE = "公众号接口返回错误 {code}：{errmsg}"


class WeChatError(Exception):
    """An API error, in Chinese, with what to do."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"[{code}] {message}")
        self.code = code
        self.message = message


def explain(code: int, errmsg: str = "", what: str = "") -> WeChatError:
    found = _IP.search(errmsg or "")
    template = MESSAGES.get(code, DEFAULT_MESSAGE)
    return WeChatError(code, template.format(ip=found.group(1) if found else "（见错误信息）", what=what or "（未知文件）",
                                             code=code, errmsg=errmsg))


@dataclass(frozen=True)
class Credentials:
    appid: str
    secret: str

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> "Credentials | None":
        appid, secret = environ.get(ENV_APPID, "").strip(), environ.get(ENV_SECRET, "").strip()
        return cls(appid, secret) if appid and secret else None


class Client:
    """The official-account API. One token per client, kept until shortly before it expires; an
    expired or invalid token (42001/40001) is fetched again once and the call repeated once."""

    def __init__(self, credentials: Credentials, base: str = API_BASE, session: requests.Session | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.credentials = credentials
        self.base = base.rstrip("/")
        self.session = session or requests.Session()
        self.clock = clock
        self._token: tuple[str, float] | None = None  # (token, usable until)

    # -- transport ---------------------------------------------------------------------------------------
    def _request(self, path: str, *, params=None, body=None, files=None) -> dict:
        if "freepublish" in path:  # publishing is an editor's act in the account's own back office
            raise ValueError("UnionPress never publishes: freepublish is not called")
        url = f"{self.base}/cgi-bin/{path}"
        try:
            if files is not None:
                response = self.session.post(url, params=params, files=files, timeout=TIMEOUT)
            else:
                # UTF-8 as it is: WeChat stores \\uXXXX escapes literally in a draft's title
                data = json.dumps(body, ensure_ascii=False).encode("utf-8")
                response = self.session.post(url, params=params, data=data, timeout=TIMEOUT,
                                             headers={"Content-Type": "application/json; charset=utf-8"})
        except requests.RequestException as exc:
            raise WeChatError(-1, f"无法连接公众号接口 {self.base}：{exc.__class__.__name__}。请检查网络后再推送") from None
        try:
            answer = response.json()
        except ValueError:
            raise WeChatError(-1, f"公众号接口的回答不是 JSON（HTTP {response.status_code}）：请稍后再推送") from None
        if not isinstance(answer, dict):
            raise WeChatError(-1, "公众号接口的回答格式不对：请稍后再推送")
        return answer

    def token(self) -> str:
        if self._token is not None and self.clock() < self._token[1]:
            return self._token[0]
        answer = self._request("stable_token", body={"grant_type": "client_credential", "appid": self.credentials.appid,
                                                    "secret": self.credentials.secret, "force_refresh": False})
        if answer.get("errcode"):
            raise explain(int(answer["errcode"]), str(answer.get("errmsg", "")))
        token, lifetime = answer.get("access_token"), answer.get("expires_in")
        if not isinstance(token, str) or not isinstance(lifetime, int):
            raise WeChatError(-1, "公众号接口没有给出 access_token：请稍后再推送")
        self._token = (token, self.clock() + max(lifetime - TOKEN_MARGIN, 0))
        return token

    def call(self, path: str, *, body=None, files=None, params=None, what: str = "") -> dict:
        """One API call with the token; the token fetched again once when WeChat says it expired."""
        for attempt in (1, 2):
            answer = self._request(path, params={**(params or {}), "access_token": self.token()}, body=body,
                                   files=files() if callable(files) else files)
            code = int(answer.get("errcode") or 0)
            if code in EXPIRED and attempt == 1:
                self._token = None
                continue
            if code:
                raise explain(code, str(answer.get("errmsg", "")), what)
            return answer
        raise AssertionError("unreachable")

    # -- the calls -------------------------------------------------------------------------------------------
    def upload_image(self, data: bytes, name: str) -> str:
        answer = self.call("media/uploadimg", files=lambda: {"media": (Path(name).name, data, _mime(name))}, what=name)
        if not isinstance(answer.get("url"), str):
            raise WeChatError(-1, f"上传图片 {name} 后没有得到地址：请稍后再推送")
        return answer["url"]

    def add_material(self, data: bytes, name: str) -> dict:
        answer = self.call("material/add_material", params={"type": "image"},
                           files=lambda: {"media": (Path(name).name, data, _mime(name))}, what=name)
        if not isinstance(answer.get("media_id"), str):
            raise WeChatError(-1, f"上传 {name} 后没有得到 media_id：请稍后再推送")
        return {"media_id": answer["media_id"], "url": answer.get("url", "")}

    def add_draft(self, article: dict) -> str:
        answer = self.call("draft/add", body={"articles": [article]}, what="草稿")
        if not isinstance(answer.get("media_id"), str):
            raise WeChatError(-1, "新建草稿后没有得到 media_id：请到后台草稿箱查看")
        return answer["media_id"]

    def update_draft(self, media_id: str, article: dict) -> None:
        self.call("draft/update", body={"media_id": media_id, "index": 0, "articles": article}, what="草稿")


def _mime(name: str) -> str:
    return "image/png" if name.lower().endswith(".png") else "image/jpeg"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- the upload record ----------------------------------------------------------------------------------------

@dataclass
class Record:
    """What this repository has put into the account: picture hash → uploadimg URL or permanent
    media_id, story slug → its draft's media_id. Written sorted, so its changes read well in git."""

    path: Path
    images: dict = dataclasses.field(default_factory=dict)  # sha256 → {"url": …}
    materials: dict = dataclasses.field(default_factory=dict)  # sha256 → {"media_id": …, "url": …}
    drafts: dict = dataclasses.field(default_factory=dict)  # slug → {"media_id": …}

    @classmethod
    def load(cls, path: Path) -> "Record":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path)
        except (OSError, ValueError) as exc:
            raise WeChatError(-1, f"上传记录 {path} 无法读取（{exc.__class__.__name__}）：请从 git 历史恢复它，"
                                  "或删去它（删去后图片会重新上传一次）") from None
        if not isinstance(data, dict):
            raise WeChatError(-1, f"上传记录 {path} 格式不对：请从 git 历史恢复它")
        return cls(path, dict(data.get("images", {})), dict(data.get("materials", {})), dict(data.get("drafts", {})))

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"images": self.images, "materials": self.materials, "drafts": self.drafts},
                          ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        partial = self.path.with_name(self.path.name + ".part")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, self.path)


# -- a push ---------------------------------------------------------------------------------------------------

class Refused(Exception):
    """A story that may not be pushed (not public, not found, findings to fix), in Chinese."""


@dataclass(frozen=True)
class Step:
    """One request of a push, as --dry-run prints it."""

    path: str
    what: str

    def line(self) -> str:
        return f"POST /cgi-bin/{self.path}  {self.what}"


def article_of(meta: dict, content: str, cover_id: str | None, picture_ids: list[str]) -> dict:
    article = {"article_type": meta["article_type"], "title": meta["title"], "author": meta["author"],
               "digest": meta["digest"], "content": content, "content_source_url": meta["content_source_url"],
               "need_open_comment": meta["need_open_comment"], "only_fans_can_comment": meta["only_fans_can_comment"]}
    if meta["article_type"] == "newspic":
        article["image_info"] = {"image_list": [{"image_media_id": media_id} for media_id in picture_ids]}
    else:
        article["thumb_media_id"] = cover_id or ""
        article["pic_crop_235_1"] = meta["pic_crop_235_1"]
        article["pic_crop_1_1"] = meta["pic_crop_1_1"]
    return article


def push(slug: str, files: Mapping[str, bytes], client: Client | None, record: Record,
         say: Callable[[str], None] = print) -> str | None:
    """Push one story's package; returns the draft's media_id (None for a dry run, client None).
    The record is saved after every upload, so an error half way loses nothing already uploaded."""
    meta = json.loads(files["meta.json"])
    dry = client is None
    newspic = meta["article_type"] == "newspic"
    content = files["content.txt" if newspic else "article.html"].decode("utf-8").rstrip("\n")
    picture_ids: list[str] = []
    for picture in meta["images"]:
        name = picture["file"]
        data = files[name]
        key = digest(data)
        if newspic:  # a picture message's pictures are permanent material
            known = record.materials.get(key)
            if known is None:
                say(Step("material/add_material?type=image", f"{name}（{len(data)} 字节）").line() if dry else f"上传图片 {name}")
                if dry:
                    picture_ids.append(f"（{name} 的 media_id）")
                    continue
                known = record.materials[key] = client.add_material(data, name)
                record.save()
            picture_ids.append(known["media_id"])
            continue
        known = record.images.get(key)
        if known is None:
            say(Step("media/uploadimg", f"{name}（{len(data)} 字节）").line() if dry else f"上传正文图片 {name}")
            if dry:
                continue
            known = record.images[key] = {"url": client.upload_image(data, name)}
            record.save()
        content = content.replace(f'src="{name}"', f'src="{known["url"]}"')
    cover_id = None
    if not newspic:
        data = files["cover.jpg"]
        key = digest(data)
        known = record.materials.get(key)
        if known is None:
            say(Step("material/add_material?type=image", f"cover.jpg（封面，{len(data)} 字节）").line() if dry else "上传封面 cover.jpg")
            if not dry:
                known = record.materials[key] = client.add_material(data, "cover.jpg")
                record.save()
        cover_id = known["media_id"] if known else "（封面的 media_id）"
    limit_chars, limit_bytes = meta["limits"]["content_chars"], meta["limits"]["content_bytes"]
    if len(content) >= limit_chars or len(content.encode("utf-8")) >= limit_bytes:
        raise Refused(f"「{slug}」的正文有 {len(content)} 个字符，公众号要求少于 {limit_chars} 字符且小于 1 MB：请删减或分篇")
    article = article_of(meta, content, cover_id, picture_ids)
    draft = record.drafts.get(slug)
    if dry:
        if draft:
            say(Step("draft/update", f"更新草稿 {draft['media_id']}：《{meta['title']}》").line())
        else:
            say(Step("draft/add", f"新建草稿：《{meta['title']}》，正文 {len(content)} 字符").line())
        return None
    if draft:
        try:
            client.update_draft(draft["media_id"], article)
            say(f"已更新草稿《{meta['title']}》（media_id {draft['media_id']}）")
            return draft["media_id"]
        except WeChatError as error:
            if error.code != 40007:
                raise
            say("原来的草稿已被删除或已发表，新建一篇草稿")
    media_id = client.add_draft(article)
    record.drafts[slug] = {"media_id": media_id}
    record.save()
    say(f"已新建草稿《{meta['title']}》（media_id {media_id}）")
    return media_id


def refusal(story, build) -> str | None:
    """Why this story may not be pushed ('' when it may): the gate's answer, in the editor's words."""
    from .publish import banner

    if story in build.public:
        errors = [f.format() for f in build.findings.errors if f.path == story.source]
        if errors:
            return f"「{story.slug}」还有错误，改正后才能推送：\n" + "\n".join(errors)
        return None
    reason = banner(story, build.settings).removeprefix("草稿·未发布（").removesuffix("）")
    return f"「{story.slug}」尚未公开发布（{reason}），不能推送到公众号：稿件 status 为 published、三审完成且到了发布时间后才能推送"


def run(slugs: list[str], dry_run: bool, environ: Mapping[str, str] | None = None, out=None, err=None) -> int:
    """The command: 0 when every story was pushed (or would be), 1 when one was refused or failed,
    2 when the settings or credentials are missing."""
    environ = os.environ if environ is None else environ
    out, err = out or sys.stdout, err or sys.stderr
    from . import config, engine
    from .outputs import wechat as package

    def say(text: str) -> None:
        print(text, file=out, flush=True)

    credentials = Credentials.from_environment(environ)
    if credentials is None and not dry_run:
        print(f"[wechat] 缺少公众号凭据：请设置环境变量 {ENV_APPID} 和 {ENV_SECRET}（在公众号后台「设置与开发 → 开发接口管理」查看；"
              "不要写进仓库）。只想看会发出哪些请求，请加 --dry-run", file=err)
        return 2
    settings, findings = config.load(environ=environ)
    from .upload import future_clock

    if future_clock(settings.now):  # the gate would take embargoed stories for published ones
        print(f"[wechat] 时钟（UNIONPRESS_NOW={settings.now.isoformat()}）晚于现在，定时发布的稿件会被当作已发布："
              "请不要设置 UNIONPRESS_NOW 再推送", file=err)
        return 2
    try:
        record = Record.load(settings.content_dir / RECORD)
    except WeChatError as error:
        print(f"[wechat] {error.message}", file=err)
        return 2
    build = engine.prepare(settings, findings)
    stories = {item.slug: item for item in build.catalog.items if item.kind == "story"}
    client = None if dry_run else Client(credentials, environ.get(ENV_API) or API_BASE)
    failed = 0
    for slug in slugs:
        story = stories.get(slug)
        try:
            if story is None:
                raise Refused(f"没有找到稿件「{slug}」：请写 content/stories/ 里稿件的文件名（不带 .md）")
            why = refusal(story, build)
            if why:
                raise Refused(why)
            say(f"《{story.title}》：" + ("将发出以下请求（--dry-run，不联网）" if dry_run else "推送到公众号草稿箱"))
            files = package.package(story, build.bodies[id(story)], build.public, settings)
            push(slug, files, client, record, say)
        except Refused as refused:
            print(f"[wechat] {refused}", file=err)
            failed += 1
        except WeChatError as error:
            print(f"[wechat] 《{story.title}》推送失败：{error}", file=err)
            failed += 1
    if not dry_run and not failed:
        say(f"完成。草稿请到公众号后台「内容与互动 → 草稿箱」检查后由编辑手动发表；上传记录在 {settings.display(record.path)}，请提交到仓库")
    return 1 if failed else 0
