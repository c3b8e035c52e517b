"""The draft-push client (unionpress/wechat_api.py) against a local server that behaves as the
official-account API documents: stable_token, media/uploadimg, material/add_material, draft/add,
draft/update, their JSON shapes, limits and error codes. The client is the real one; only the far end
is local (UNIONPRESS_WECHAT_API / Client(base=…))."""

from __future__ import annotations

import email.parser
import email.policy
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image

from conftest import NOW, ROOT, write_story
from unionpress import wechat_api
from unionpress.wechat_api import Client, Credentials, Record, WeChatError, push

APPID, SECRET = "wx0123456789abcdef", "s3cret-for-tests"
MB = 1024 * 1024


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeWeChat:
    """State of the far end: tokens with their end, uploaded pictures and material, drafts; switches for
    the errors a real account gives (IP not whitelisted, quota used up, no permission)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.tokens: dict[str, float] = {}  # token → when it expires
        self.issued = 0
        self.calls: list[str] = []  # paths, in order
        self.images: dict[str, bytes] = {}  # URL → bytes
        self.materials: dict[str, bytes] = {}  # media_id → bytes
        self.drafts: dict[str, list[dict]] = {}  # media_id → articles
        self.blocked_ip = ""  # 40164 for every call when set
        self.quota = 10_000  # calls left today (45009 after)
        self.forbidden: set[str] = set()  # paths answering 48001
        self.filtered: list[str] = []  # outside picture URLs WeChat dropped from a content
        self.reject_tokens = False  # every token invalid (40001), as after a secret was reset

    # -- answers -----------------------------------------------------------------------------------------
    def handle(self, path: str, query: dict, headers, body: bytes) -> dict:
        self.calls.append(path)
        if self.blocked_ip:
            return {"errcode": 40164, "errmsg": f"invalid ip {self.blocked_ip} ipv6 ::ffff:{self.blocked_ip}, "
                                                "not in whitelist rid: 6523-abc"}
        if self.quota <= 0:
            return {"errcode": 45009, "errmsg": "reach max api daily quota limit rid: 6523-abd"}
        self.quota -= 1
        if path == "/cgi-bin/stable_token":
            request = json.loads(body)
            if request.get("grant_type") != "client_credential" or request.get("appid") != APPID:
                return {"errcode": 40013, "errmsg": "invalid appid"}
            if request.get("secret") != SECRET:
                return {"errcode": 40125, "errmsg": "invalid appsecret"}
            live = [t for t, end in self.tokens.items() if end > self.clock()]
            if live and not request.get("force_refresh"):
                token = live[0]  # stable_token: the same token while it is valid
            else:
                self.issued += 1
                token = f"TOKEN-{self.issued}"
                self.tokens[token] = self.clock() + 7200
            return {"access_token": token, "expires_in": round(self.tokens[token] - self.clock())}
        token = (query.get("access_token") or [""])[0]
        if token not in self.tokens or self.reject_tokens:
            return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
        if self.tokens[token] <= self.clock():
            return {"errcode": 42001, "errmsg": "access_token expired rid: 6523-abe"}
        if path in self.forbidden:
            return {"errcode": 48001, "errmsg": "api unauthorized rid: 6523-abf"}
        if path == "/cgi-bin/media/uploadimg":
            name, data, problem = self._picture(headers, body, limit=MB, kinds=("jpg", "png"))
            if problem:
                return problem
            url = f"http://mmbiz.qpic.cn/mmbiz_jpg/{len(self.images) + 1}/0"
            self.images[url] = data
            return {"url": url}
        if path == "/cgi-bin/material/add_material":
            if (query.get("type") or [""])[0] not in ("image", "thumb", "voice", "video"):
                return {"errcode": 40004, "errmsg": "invalid media type"}
            name, data, problem = self._picture(headers, body, limit=10 * MB, kinds=("jpg", "png", "gif", "bmp", "jpeg"))
            if problem:
                return problem
            media_id = f"MEDIA-{len(self.materials) + 1}"
            self.materials[media_id] = data
            return {"media_id": media_id, "url": f"http://mmbiz.qpic.cn/material/{len(self.materials)}/0"}
        if path in ("/cgi-bin/draft/add", "/cgi-bin/draft/update"):
            request = json.loads(body.decode("utf-8"))  # UTF-8 as sent
            if path.endswith("update"):
                if request.get("media_id") not in self.drafts:
                    return {"errcode": 40007, "errmsg": "invalid media_id"}
                if request.get("index") != 0 or not isinstance(request.get("articles"), dict):
                    return {"errcode": 40001 + 1000, "errmsg": "invalid index or articles"}
                articles = [request["articles"]]
            else:
                articles = request.get("articles")
                if not isinstance(articles, list) or not articles:
                    return {"errcode": 44004, "errmsg": "empty content"}
            for article in articles:
                problem = self._article(article)
                if problem:
                    return problem
            if path.endswith("update"):
                self.drafts[request["media_id"]] = articles
                return {"errcode": 0, "errmsg": "ok"}
            media_id = f"DRAFT-{len(self.drafts) + 1}"
            self.drafts[media_id] = articles
            return {"media_id": media_id}
        return {"errcode": 40066, "errmsg": "invalid url"}

    def _picture(self, headers, body: bytes, limit: int, kinds) -> tuple[str, bytes, dict | None]:
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + headers["Content-Type"].encode() + b"\r\n\r\n" + body)
        parts = [part for part in message.iter_parts() if part.get_param("name", header="content-disposition") == "media"]
        if len(parts) != 1:
            return "", b"", {"errcode": 41005, "errmsg": "media data missing"}
        name = parts[0].get_filename() or ""
        data = parts[0].get_payload(decode=True)
        magic_ok = data[:3] == b"\xff\xd8\xff" or data[:8] == b"\x89PNG\r\n\x1a\n"
        if name.rsplit(".", 1)[-1].lower() not in kinds or not magic_ok:
            return name, data, {"errcode": 40005, "errmsg": "invalid file type"}
        if len(data) >= limit:
            return name, data, {"errcode": 40009, "errmsg": "invalid image size"}
        return name, data, None

    def _article(self, article: dict) -> dict | None:
        if not article.get("title") or len(article["title"]) > 32:
            return {"errcode": 45003, "errmsg": "title size out of limit"}
        if len(article.get("digest", "")) > 128:
            return {"errcode": 45004, "errmsg": "description size out of limit"}
        if len(article.get("author", "")) > 16:
            return {"errcode": 45110, "errmsg": "author size out of limit"}
        content = article.get("content", "")
        if len(content) >= 20000 or len(content.encode("utf-8")) >= MB:
            return {"errcode": 45002, "errmsg": "content size out of limit"}
        if article.get("article_type", "news") == "newspic":
            ids = [i.get("image_media_id") for i in article.get("image_info", {}).get("image_list", [])]
            if not ids or len(ids) > 20 or any(i not in self.materials for i in ids):
                return {"errcode": 40007, "errmsg": "invalid media_id"}
        elif article.get("thumb_media_id") not in self.materials:
            return {"errcode": 40007, "errmsg": "invalid media_id"}
        for crop in ("pic_crop_235_1", "pic_crop_1_1"):
            if crop in article:
                values = [float(v) for v in article[crop].split("_")]
                assert len(values) == 4 and all(0 <= v <= 1 for v in values)
        import re

        for src in re.findall(r'src="([^"]+)"', content):
            if src not in self.images:
                self.filtered.append(src)  # WeChat drops an outside picture silently
        return None


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def wechat(clock):
    far = FakeWeChat(clock)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 — http.server's name
            parts = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            answer = far.handle(parts.path, parse_qs(parts.query), self.headers, body)
            data = json.dumps(answer, ensure_ascii=False).encode("utf-8")
            self.send_response(200)  # WeChat answers errors with HTTP 200 and an errcode
            self.send_header("Content-Type", "application/json; encoding=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    far.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield far
    server.shutdown()
    server.server_close()


def client(far, clock, secret=SECRET) -> Client:
    return Client(Credentials(APPID, secret), far.base, clock=clock)


def jpeg(size=(64, 48), seed=0) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (seed * 40 % 255, 80, 120)).save(out, "JPEG")
    return out.getvalue()


def package(pictures: int = 2, title: str = "焊花里的青春", newspic: bool = False) -> dict[str, bytes]:
    names = [f"images/{n:03d}.jpg" for n in range(1, pictures + 1)]
    files = {name: jpeg(seed=n) for n, name in enumerate(names, start=1)}
    files["cover.jpg"] = jpeg((900, 600), seed=9)
    meta = {"article_type": "newspic" if newspic else "news", "title": title, "author": "张记者", "digest": "摘要",
            "content_source_url": "https://example.org/stories/x/", "need_open_comment": 1, "only_fans_can_comment": 0,
            "pic_crop_235_1": "0_0_1_0.68125", "pic_crop_1_1": "0.375_0_1_1",
            "images": [{"file": name} for name in names],
            "limits": {"content_chars": 20000, "content_bytes": 1000000}}
    files["meta.json"] = json.dumps(meta, ensure_ascii=False).encode("utf-8")
    if newspic:
        files["content.txt"] = "早班开始了。\n".encode("utf-8")
    else:
        files["article.html"] = ("<section><p>正文</p>" + "".join(f'<img src="{n}" alt="">' for n in names)
                                 + "</section>\n").encode("utf-8")
    return files


# -- the token -------------------------------------------------------------------------------------------------

def test_token_is_fetched_once_and_again_only_when_it_expires(wechat, clock):
    api = client(wechat, clock)
    assert api.token() == api.token() == "TOKEN-1"
    assert wechat.calls == ["/cgi-bin/stable_token"]
    clock.now += 7200 - wechat_api.TOKEN_MARGIN - 1
    assert api.token() == "TOKEN-1" and len(wechat.calls) == 1
    clock.now += 301  # past the client's margin and the far end's expiry
    assert api.token() == "TOKEN-2" and wechat.calls == ["/cgi-bin/stable_token"] * 2


def test_an_expired_or_invalidated_token_is_refreshed_once_and_the_call_retried(wechat, clock):
    api = client(wechat, clock)
    api.token()
    wechat.tokens["TOKEN-1"] = clock.now - 1  # WeChat ended it early: 42001
    assert api.upload_image(jpeg(), "images/001.jpg").startswith("http://mmbiz.qpic.cn/")
    assert wechat.calls == ["/cgi-bin/stable_token", "/cgi-bin/media/uploadimg", "/cgi-bin/stable_token",
                            "/cgi-bin/media/uploadimg"]
    del wechat.tokens["TOKEN-2"]  # force-refreshed elsewhere: 40001
    api.upload_image(jpeg(seed=2), "images/002.jpg")
    assert wechat.calls[-2:] == ["/cgi-bin/stable_token", "/cgi-bin/media/uploadimg"]


def test_a_token_that_fails_twice_is_an_error_not_a_loop(wechat, clock):
    api = client(wechat, clock)
    wechat.reject_tokens = True
    with pytest.raises(WeChatError) as raised:
        api.upload_image(jpeg(), "images/001.jpg")
    assert raised.value.code == 40001
    assert wechat.calls.count("/cgi-bin/media/uploadimg") == 2
    assert "UNIONPRESS_WECHAT_APPID" in raised.value.message


def test_wrong_secret_says_which_setting(wechat, clock):
    with pytest.raises(WeChatError) as raised:
        client(wechat, clock, secret="wrong").token()
    assert raised.value.message == ("AppSecret 不正确：请核对环境变量 UNIONPRESS_WECHAT_SECRET"
                                    "（在公众号后台「设置与开发 → 开发接口管理」查看或重置）")


# -- each documented error, in Chinese with what to do ------------------------------------------------------

def test_ip_not_whitelisted_names_the_ip(wechat, clock):
    wechat.blocked_ip = "203.0.113.9"
    with pytest.raises(WeChatError) as raised:
        client(wechat, clock).token()
    assert raised.value.code == 40164
    assert raised.value.message == (
        "调用接口的 IP 地址 203.0.113.9 不在公众号的 IP 白名单里：请公众号管理员登录 mp.weixin.qq.com，在「设置与开发 → "
        "开发接口管理 → 基本配置 → IP 白名单」中加入 203.0.113.9，保存约 5 分钟后再推送")


@pytest.mark.parametrize("title, digest, author, code, message", [
    ("标" * 33, "摘要", "张", 45003, "标题超过公众号的上限（32 字）：请在稿件头信息里写 wechat: {title: 不超过 32 字的标题} 后再推送"),
    ("标题", "摘" * 129, "张", 45004, "摘要超过公众号的上限（128 字）：请在稿件头信息里写 wechat: {digest: 不超过 128 字的摘要} 后再推送"),
    ("标题", "摘要", "作" * 17, 45110, "作者署名超过公众号的上限（16 字）：请在稿件头信息里写 wechat: {author: 不超过 16 字的署名} 后再推送"),
])
def test_title_digest_author_limits(wechat, clock, title, digest, author, code, message):
    api = client(wechat, clock)
    cover = api.add_material(jpeg(), "cover.jpg")["media_id"]
    with pytest.raises(WeChatError) as raised:
        api.add_draft({"title": title, "digest": digest, "author": author, "content": "<p>正文</p>",
                       "thumb_media_id": cover})
    assert (raised.value.code, raised.value.message) == (code, message)


def test_picture_type_and_size(wechat, clock):
    api = client(wechat, clock)
    gif = io.BytesIO()
    Image.new("RGB", (8, 8)).save(gif, "GIF")
    with pytest.raises(WeChatError) as raised:
        api.upload_image(gif.getvalue(), "images/001.gif")
    assert raised.value.code == 40005
    assert raised.value.message == "图片格式不被公众号接受（只能是 JPG 或 PNG）：images/001.gif。请重新构建网站后再推送"
    big = jpeg() + b"\0" * MB  # a JPEG of 1 MB and more: uploadimg takes under 1 MB only
    with pytest.raises(WeChatError) as raised:
        api.upload_image(big, "images/002.jpg")
    assert raised.value.code == 40009
    assert raised.value.message == "图片太大（正文图片须小于 1 MB，封面小于 10 MB）：images/002.jpg。请重新构建网站后再推送"


def test_daily_quota_and_missing_permission(wechat, clock):
    api = client(wechat, clock)
    api.token()
    wechat.forbidden.add("/cgi-bin/draft/add")
    with pytest.raises(WeChatError) as raised:
        api.add_draft({"title": "标题", "content": "<p>x</p>", "thumb_media_id": "MEDIA-1"})
    assert raised.value.code == 48001 and raised.value.message.startswith("公众号没有这个接口的权限（未认证的公众号不能调用部分接口）")
    wechat.quota = 0
    with pytest.raises(WeChatError) as raised:
        api.upload_image(jpeg(), "images/001.jpg")
    assert raised.value.code == 45009
    assert raised.value.message == "今天调用公众号接口的次数已达每日上限：请明天再推送（已上传的图片记录在案，明天不会重复上传）"


def test_an_unknown_code_keeps_wechats_words_and_no_connection_is_an_error(wechat, clock):
    assert str(wechat_api.explain(61004, "access clientip is not registered")) == (
        "[61004] 公众号接口返回错误 61004：access clientip is not registered")
    api = Client(Credentials(APPID, SECRET), "http://127.0.0.1:9", clock=clock)  # nothing listens on port 9
    with pytest.raises(WeChatError) as raised:
        api.token()
    assert raised.value.code == -1 and raised.value.message.startswith("无法连接公众号接口 http://127.0.0.1:9：")


def test_freepublish_is_never_called():
    api = Client(Credentials(APPID, SECRET), "http://127.0.0.1:9")
    with pytest.raises(ValueError):
        api._request("freepublish/submit", body={"media_id": "x"})
    assert "freepublish" not in Path(wechat_api.__file__).read_text(encoding="utf-8").replace(
        '"freepublish" in path', "").replace("freepublish is not called", "").replace(
        "never calls freepublish", "").replace("can't call freepublish", "")


# -- a push ----------------------------------------------------------------------------------------------------

def test_push_uploads_pictures_first_then_makes_the_draft(wechat, clock, tmp_path):
    record = Record(tmp_path / "uploads.json")
    said = []
    media_id = push("x", package(), client(wechat, clock), record, said.append)
    assert media_id == "DRAFT-1"
    assert wechat.calls == ["/cgi-bin/stable_token", "/cgi-bin/media/uploadimg", "/cgi-bin/media/uploadimg",
                            "/cgi-bin/material/add_material", "/cgi-bin/draft/add"]
    (article,) = wechat.drafts["DRAFT-1"]
    assert wechat.filtered == []  # every picture in the content is one WeChat gave
    assert article["content"].count("http://mmbiz.qpic.cn/") == 2 and 'src="images/' not in article["content"]
    assert {k: article[k] for k in ("title", "thumb_media_id", "pic_crop_235_1", "pic_crop_1_1", "need_open_comment",
                                     "content_source_url")} == {
        "title": "焊花里的青春", "thumb_media_id": "MEDIA-1", "pic_crop_235_1": "0_0_1_0.68125",
        "pic_crop_1_1": "0.375_0_1_1", "need_open_comment": 1, "content_source_url": "https://example.org/stories/x/"}
    saved = json.loads(record.path.read_text(encoding="utf-8"))
    assert saved["drafts"] == {"x": {"media_id": "DRAFT-1"}} and len(saved["images"]) == 2 and len(saved["materials"]) == 1
    assert said[-1] == "已新建草稿《焊花里的青春》（media_id DRAFT-1）"


def test_a_second_push_uploads_nothing_again_and_updates_the_draft(wechat, clock, tmp_path):
    path = tmp_path / "uploads.json"
    push("x", package(), client(wechat, clock), Record.load(path), lambda _: None)
    wechat.calls.clear()
    files = package()
    files["images/003.jpg"] = jpeg(seed=3)  # one new picture
    meta = json.loads(files["meta.json"])
    meta["images"].append({"file": "images/003.jpg"})
    files["meta.json"] = json.dumps(meta).encode()
    files["article.html"] = files["article.html"].replace(b"</section>", b'<img src="images/003.jpg" alt=""></section>')
    assert push("x", files, client(wechat, clock), Record.load(path), lambda _: None) == "DRAFT-1"
    assert wechat.calls == ["/cgi-bin/stable_token", "/cgi-bin/media/uploadimg", "/cgi-bin/draft/update"]
    assert len(wechat.drafts) == 1 and wechat.drafts["DRAFT-1"][0]["content"].count("http://mmbiz.qpic.cn/") == 3


def test_a_draft_deleted_in_the_back_office_is_made_again(wechat, clock, tmp_path):
    path = tmp_path / "uploads.json"
    push("x", package(), client(wechat, clock), Record.load(path), lambda _: None)
    wechat.drafts.clear()  # an editor published or deleted it
    said = []
    assert push("x", package(), client(wechat, clock), Record.load(path), said.append) == "DRAFT-1"
    assert said == ["原来的草稿已被删除或已发表，新建一篇草稿", "已新建草稿《焊花里的青春》（media_id DRAFT-1）"]


def test_an_error_half_way_keeps_what_was_uploaded(wechat, clock, tmp_path):
    path = tmp_path / "uploads.json"
    with pytest.raises(WeChatError) as raised:
        push("x", package(title="标" * 33), client(wechat, clock), Record.load(path), lambda _: None)
    assert raised.value.code == 45003
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert len(saved["images"]) == 2 and len(saved["materials"]) == 1 and saved["drafts"] == {}


def test_a_picture_message_sends_its_pictures_as_material(wechat, clock, tmp_path):
    record = Record(tmp_path / "uploads.json")
    push("album", package(pictures=3, newspic=True), client(wechat, clock), record, lambda _: None)
    (article,) = wechat.drafts["DRAFT-1"]
    assert article["article_type"] == "newspic" and article["content"] == "早班开始了。"
    assert article["image_info"] == {"image_list": [{"image_media_id": f"MEDIA-{n}"} for n in (1, 2, 3)]}
    assert "thumb_media_id" not in article and "/cgi-bin/media/uploadimg" not in wechat.calls


def test_dry_run_prints_the_requests_and_sends_none(tmp_path):
    said = []
    assert push("x", package(), None, Record(tmp_path / "uploads.json"), said.append) is None
    assert said[0].startswith("POST /cgi-bin/media/uploadimg  images/001.jpg（")
    assert said[2].startswith("POST /cgi-bin/material/add_material?type=image  cover.jpg（封面，")
    assert said[3] == "POST /cgi-bin/draft/add  新建草稿：《焊花里的青春》，正文 94 字符"
    assert not (tmp_path / "uploads.json").exists()


# -- the command: the gate, the credentials, the real package against the local server -------------------

def _project(tmp_path: Path, site_copy: Path) -> dict:
    (tmp_path / "mkdocs.yml").write_text((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), encoding="utf-8")
    write_story(site_copy, "draft-one", status="draft", title="草稿")
    write_story(site_copy, "later-one", title="以后", date="2027-01-01 09:00")
    return {"UNIONPRESS_CONTENT": str(site_copy), "UNIONPRESS_NOW": NOW}


def test_push_refuses_a_draft_or_embargoed_story_in_chinese(tmp_path, site_copy, capsys, monkeypatch):
    environ = _project(tmp_path, site_copy)
    monkeypatch.chdir(tmp_path)
    assert wechat_api.run(["draft-one", "later-one", "nope"], dry_run=True, environ=environ) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "[wechat] 「draft-one」尚未公开发布（草稿），不能推送到公众号：稿件 status 为 published、三审完成且到了发布时间后才能推送",
        "[wechat] 「later-one」尚未公开发布（定时发布：2027-01-01 09:00），不能推送到公众号：稿件 status 为 published、三审完成且到了发布时间后才能推送",
        "[wechat] 没有找到稿件「nope」：请写 content/stories/ 里稿件的文件名（不带 .md）"]


def test_push_without_credentials_says_which_variables(tmp_path, site_copy, capsys, monkeypatch):
    environ = _project(tmp_path, site_copy)
    monkeypatch.chdir(tmp_path)
    assert wechat_api.run(["good-story"], dry_run=False, environ=environ) == 2
    assert capsys.readouterr().err.startswith("[wechat] 缺少公众号凭据：请设置环境变量 UNIONPRESS_WECHAT_APPID 和 UNIONPRESS_WECHAT_SECRET")


def test_the_command_pushes_the_real_package_to_the_local_server(wechat, tmp_path, site_copy, capsys, monkeypatch):
    environ = {**_project(tmp_path, site_copy), "UNIONPRESS_WECHAT_APPID": APPID, "UNIONPRESS_WECHAT_SECRET": SECRET,
               "UNIONPRESS_WECHAT_API": wechat.base}
    monkeypatch.chdir(tmp_path)
    from unionpress import cli

    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["wechat", "push", "good-story"]) == 0
    out = capsys.readouterr().out
    assert "已新建草稿《车间里的好师傅》（media_id DRAFT-1）" in out
    (article,) = wechat.drafts["DRAFT-1"]
    assert article["title"] == "车间里的好师傅" and article["author"] == "王记者" and wechat.filtered == []
    assert article["content"].startswith("<section style=") and "mmbiz.qpic.cn" in article["content"]
    record = json.loads((site_copy / ".wechat/uploads.json").read_text(encoding="utf-8"))
    assert record["drafts"] == {"good-story": {"media_id": "DRAFT-1"}}
    wechat.calls.clear()
    assert cli.main(["wechat", "push", "good-story"]) == 0  # the same again: nothing uploaded twice
    assert wechat.calls == ["/cgi-bin/stable_token", "/cgi-bin/draft/update"]


def test_push_refuses_a_story_with_errors_and_names_them(tmp_path, site_copy, capsys, monkeypatch):
    environ = _project(tmp_path, site_copy)
    write_story(site_copy, "too-long", title="全国五一劳动奖章获得者李明带领青年突击队攻克高原焊接难题的故事连载之一")
    monkeypatch.chdir(tmp_path)
    assert wechat_api.run(["too-long"], dry_run=True, environ=environ) == 1
    assert capsys.readouterr().err.splitlines() == [
        "[wechat] 「too-long」还有错误，改正后才能推送：",
        "content/stories/too-long.md:2: [wechat-too-long] 发到公众号的标题（title）有 35 字，公众号上限 32 字："
        "请在头信息里另写一个公众号用的标题，如 wechat: {title: …}（不超过 32 字）"]


def test_a_damaged_upload_record_is_an_error_not_a_fresh_start(tmp_path):
    path = tmp_path / "uploads.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(WeChatError) as raised:
        Record.load(path)
    assert raised.value.message == (f"上传记录 {path} 无法读取（JSONDecodeError）：请从 git 历史恢复它，"
                                    "或删去它（删去后图片会重新上传一次）")


def test_push_refuses_a_clock_in_the_future_and_a_damaged_record_without_a_traceback(tmp_path, site_copy, capsys,
                                                                                     monkeypatch):
    environ = _project(tmp_path, site_copy)
    monkeypatch.chdir(tmp_path)
    later = {**environ, "UNIONPRESS_NOW": "2099-01-01T09:00:00+08:00"}  # later-one would pass the gate
    assert wechat_api.run(["later-one"], dry_run=True, environ=later) == 2
    assert capsys.readouterr().err == ("[wechat] 时钟（UNIONPRESS_NOW=2099-01-01T09:00:00+08:00）晚于现在，定时发布的稿件会被当作"
                                       "已发布：请不要设置 UNIONPRESS_NOW 再推送\n")
    record = site_copy / ".wechat/uploads.json"
    record.parent.mkdir()
    record.write_text("{不是 JSON", encoding="utf-8")
    assert wechat_api.run(["good-story"], dry_run=True, environ=environ) == 2
    assert capsys.readouterr().err == (f"[wechat] 上传记录 {record} 无法读取（JSONDecodeError）：请从 git 历史恢复它，"
                                       "或删去它（删去后图片会重新上传一次）\n")
