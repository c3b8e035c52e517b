"""`unionpress publish` against a real S3 API: moto's server (ThreadedMotoServer) started here, behind a
small forwarding proxy that logs every request and can fail chosen ones (the far end is still moto's
S3 API, and the client is the real boto3 path of upload.py).

The fixture union is built once per case and shared by the module: the site as it is (A), the same
with one story's body edited (EDIT), with one story withdrawn to draft (WITHDRAWN), A's content at a
later clock that lifts an embargo (AFTER), a preview build, and a build whose audit failed (a docs page
names a draft's title). The content is a Git repository, so the manifests record its commit.
Every expected set of uploads is derived from two builds' manifests, not written out by hand.
"""

from __future__ import annotations

import http.client
import http.server
import io
import itertools
import json
import logging
import os
import shutil
import socket
import subprocess
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import BASE, NOW, golden_project, mkdocs_build, write_item, write_story
from test_library import _book
from unionpress import cli, config, upload
from unionpress.config import PublishTarget
from unionpress.findings import Findings
from unionpress.outputs import manifest as manifests

EMBARGO = "2026-11-25 10:00"  # between NOW and AFTER
AFTER = "2026-11-26T09:00:00+08:00"
SECRET_TITLE = "尚未审定的表彰通报草稿"
CONTROL_UPLOADS = {"_unionpress/manifest.json", "_unionpress/history/000001.json", "_unionpress/history/000002.json",
                   "_unionpress/history/000003.json"}


# -- the S3 server and the proxy in front of it ---------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Proxy(http.server.ThreadingHTTPServer):
    """Forwards to moto; logs (method, key, is_copy, status) per request; `fail` picks requests to
    answer 503 itself: a function of (method, key, number of upload PUTs so far) → bool."""

    daemon_threads = True

    def __init__(self, target_port: int) -> None:
        super().__init__(("127.0.0.1", 0), _Forward)
        self.target_port = target_port
        self.log: list[tuple[str, str, bool, int]] = []
        self.lock = threading.Lock()
        self.fail = None
        self.acl: dict[str, str | None] = {}  # key → the canned ACL its last PUT asked for

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def uploads(self) -> list[str]:
        """Keys of the plain PUTs that arrived (not copies), in order."""
        return [key for method, key, copy, status in self.log if method == "PUT" and not copy and status == 200]

    def copies(self) -> list[str]:
        return [key for method, key, copy, status in self.log if method == "PUT" and copy and status == 200]


class _Forward(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def _handle(self) -> None:
        server: Proxy = self.server
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        parts = urlsplit(self.path)
        key = unquote(parts.path.lstrip("/").partition("/")[2])
        copy = "x-amz-copy-source" in self.headers
        with server.lock:
            if self.command == "PUT":
                server.acl[key] = self.headers.get("x-amz-acl")
            puts = sum(1 for m, _k, c, s in server.log if m == "PUT" and not c)
            failing = server.fail is not None and server.fail(self.command, key, puts)
            if failing:
                server.log.append((self.command, key, copy, 503))
        if failing:
            data = b"<Error><Code>ServiceUnavailable</Code><Message>test proxy</Message></Error>"
            self.send_response(503)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        headers = {name: value for name, value in self.headers.items() if name.lower() not in ("expect", "connection")}
        connection = http.client.HTTPConnection("127.0.0.1", server.target_port, timeout=30)
        connection.request(self.command, self.path, body=body, headers=headers)
        answer = connection.getresponse()
        data = answer.read()
        with server.lock:
            server.log.append((self.command, key, copy, answer.status))
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in ("transfer-encoding", "connection", "content-length", "server", "date"):
                self.send_header(name, value)
        self.send_header("Content-Length", answer.getheader("Content-Length") or str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        connection.close()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle


@pytest.fixture(scope="module")
def s3():
    from moto.server import ThreadedMotoServer

    saved = {name: os.environ.get(name) for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                                      "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE")}
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                      AWS_SHARED_CREDENTIALS_FILE="/nonexistent", AWS_CONFIG_FILE="/nonexistent")
    port = _free_port()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's server logs every request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    proxy = Proxy(port)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    import boto3

    direct = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1")
    yield proxy, direct
    proxy.shutdown()
    server.stop()
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


_buckets = itertools.count(1)


@pytest.fixture
def bucket(s3):
    """A fresh bucket and the target that points at it through the proxy; the proxy's log emptied."""
    proxy, direct = s3
    name = f"union-{next(_buckets)}"
    direct.create_bucket(Bucket=name)
    proxy.log.clear()
    proxy.fail = None
    return PublishTarget(endpoint=proxy.url, bucket=name, prefix="www/", addressing="path", keep=5, retries=2)


def objects(direct, target: PublishTarget) -> dict[str, bytes]:
    """Every live site object (the control folder left out) → its bytes."""
    found = {}
    for page in direct.get_paginator("list_objects_v2").paginate(Bucket=target.bucket, Prefix=target.prefix):
        for item in page.get("Contents", ()):
            path = item["Key"][len(target.prefix):]
            if not path.startswith("_unionpress/"):
                found[path] = direct.get_object(Bucket=target.bucket, Key=item["Key"])["Body"].read()
    return found


def site_bytes(site: Path) -> dict[str, bytes]:
    return {path: (site / path).read_bytes() for path in manifests.site_files(site)}


def run(site: Path, target: PublishTarget, content: Path | None = None, **options) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = upload.publish(site, target, content_dir=content, out=out, err=err, **options)
    return status, out.getvalue(), err.getvalue()


def changed(before: manifests.Manifest, after: manifests.Manifest) -> set[str]:
    return {path for path, entry in after.files.items() if before.files.get(path) != entry}


# -- the builds -------------------------------------------------------------------------------------------

def _git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(folder), "-c", "user.name=编辑", "-c", "user.email=editor@example.org", *args],
                   check=True, capture_output=True)


def _commit(folder: Path, message: str) -> None:
    _git(folder, "add", "-A")
    _git(folder, "commit", "-q", "-m", message)


def _build(root: Path, name: str, content: Path, now: str = NOW, preview: bool = False) -> tuple[Path, object]:
    project = root / f"project-{name}"
    project.mkdir()
    config_file = golden_project(project, content)
    if name == "failed":  # a hand-written page that names a draft's title: the audit must stop the build
        (project / "docs/about.md").write_text(f"# 关于\n\n预告：{SECRET_TITLE}。\n", encoding="utf-8")
    site = root / f"site-{name}"
    result = mkdocs_build(site, content, now=now, preview=preview, config=config_file, strict=False)
    return site, result


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    root = tmp_path_factory.mktemp("publish")
    content = root / "content"
    shutil.copytree(BASE, content)
    write_story(content, "story-a", "甲车间的技术革新。")
    write_story(content, "story-b", "乙班组的安全生产。", date="2026-05-02 09:00")
    write_story(content, "later", "定时发布的稿件正文。", title="定时发布的表彰通报", date=f"'{EMBARGO}'")
    _book(content, "b1", "wenxue", date="2026-05-03")
    _git(content, "init", "-q")
    _commit(content, "初稿")
    edit = root / "content-edit"
    shutil.copytree(content, edit)
    write_story(edit, "story-a", "甲车间的技术革新，又添新成果。")
    _commit(edit, "改稿")
    withdrawn = root / "content-withdrawn"
    shutil.copytree(content, withdrawn)
    write_story(withdrawn, "story-b", "乙班组的安全生产。", date="2026-05-02 09:00", status="draft")
    _commit(withdrawn, "撤稿")
    failing = root / "content-failed"
    shutil.copytree(content, failing)
    write_story(failing, "secret", "草稿正文。", title=SECRET_TITLE, status="draft")
    _commit(failing, "草稿")
    made = {"content": content, "content-edit": edit}
    for name, folder, now, preview in (("a", content, NOW, False), ("edit", edit, NOW, False),
                                       ("withdrawn", withdrawn, NOW, False), ("after", content, AFTER, False),
                                       ("preview", content, NOW, True), ("failed", failing, NOW, False)):
        site, result = _build(root, name, folder, now, preview)
        assert (result.returncode != 0) == (name == "failed"), result.stderr
        made[name] = site
        made[f"{name}-result"] = result
    return made


def manifest_of(site: Path) -> manifests.Manifest:
    return manifests.read(site)


# -- the builds themselves --------------------------------------------------------------------------------

def test_the_manifest_lists_every_file_but_itself_after_the_audit_passed(builds):
    site = builds["a"]
    built = manifest_of(site)
    assert built.audit == "passed"
    assert set(built.files) == set(manifests.site_files(site))
    assert not any(path.startswith("_unionpress/") for path in built.files)
    for path, entry in built.files.items():
        assert manifests.digests(site / path) == (entry.sha256, entry.md5, entry.size)
    assert built.content_commit == manifests.last_commit(builds["content"])
    assert manifests.next_change_file(site).read_text(encoding="utf-8") == "2026-11-25T10:00:00+08:00\n"
    assert not list(site.rglob("*next-change*"))  # beside the folder: whatever ships the folder never shows it
    assert not (site / manifests.PREVIEW_MARKER).exists()


@pytest.mark.parametrize("seed", range(3))
def test_the_manifest_is_written_as_json_writes_it_indented(seed, tmp_path):
    """Manifest.to_bytes and Manifest.write_to (the build's, piece by piece) write by hand what json.dumps(indent=1, sort_keys=True) writes (it is 4× faster
    at 126,000 files): the same bytes for any path, type and commit, quotes, backslashes, controls,
    Chinese and line separators too."""
    import random

    rnd = random.Random(seed)
    alphabet = ['a', '/', '"', '\\', '\x01', '\x1f', '中', '\u2028', ' ', '.', '\U0001f600', '\x7f']

    def text(length: int) -> str:
        return "".join(rnd.choice(alphabet) for _ in range(length))

    files = {}
    for _ in range(rnd.randint(0, 40) if seed else 0):  # the first: no file at all
        path = text(rnd.randint(1, 12))
        files[path] = manifests.Entry(path, text(8), text(4), rnd.randint(0, 10**12), text(5), rnd.choice(["page", "asset", text(3)]),
                                      rnd.randint(0, 9))
    made = manifests.Manifest(files, text(6), text(10), rnd.choice([None, text(7)]))
    document = {"format": manifests.FORMAT, "generator": "UnionPress", "audit": made.audit, "clock": made.clock,
                "content_commit": made.content_commit,
                "files": {path: entry.as_json() for path, entry in files.items()}}
    expected = (json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")
    assert made.to_bytes() == expected
    made.write_to(tmp_path / "manifest.json")
    assert (tmp_path / "manifest.json").read_bytes() == expected


def test_preview_writes_a_marker_and_no_manifest_and_a_failed_audit_no_manifest(builds):
    assert (builds["preview"] / manifests.PREVIEW_MARKER).is_file()
    assert not (builds["preview"] / manifests.MANIFEST).exists()
    assert "stories/secret" in builds["failed-result"].stderr  # the audit named the leak
    assert (builds["failed"] / "index.html").is_file()  # the pages were written …
    assert not (builds["failed"] / manifests.MANIFEST).exists()  # … but no manifest vouches for them


def test_next_change_prints_the_embargo_in_the_unions_offset(builds, capsys):
    assert cli.main(["next-change", "--site", str(builds["a"])]) == 0
    assert capsys.readouterr().out == "2026-11-25T10:00:00+08:00\n"
    assert cli.main(["next-change", "--site", str(builds["after"])]) == 0  # nothing scheduled after it
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "网站内容里没有定时变化（没有待发布的稿件、展览开闭幕、征文截止或专题推荐的起止）\n"


# -- publishing -------------------------------------------------------------------------------------------

def test_first_publish_uploads_every_file_in_stage_order_with_the_manifest_last(s3, bucket, builds):
    proxy, direct = s3
    site = builds["a"]
    status, out, err = run(site, bucket, builds["content"])
    assert status == 0, err
    built = manifest_of(site)
    uploads = proxy.uploads()
    assert sorted(uploads) == sorted(["www/" + path for path in built.files]
                                     + ["www/_unionpress/history/000001.json", "www/_unionpress/manifest.json"])
    assert len(uploads) == len(set(uploads))  # nothing twice
    stages = [built.files[key[len("www/"):]].stage for key in uploads if not key.startswith("www/_unionpress/")]
    assert stages == sorted(stages)  # pictures and assets, then pages, then listings and feeds
    assert uploads[-1] == "www/_unionpress/manifest.json"
    assert objects(direct, bucket) == site_bytes(site)
    assert f"上传 {len(built.files)} 个文件" in out and "删除 0 个文件" in out
    assert f"{len(built.files)}/{len(built.files)} 个文件" in err  # the progress bar's last state


def test_a_second_publish_of_the_same_build_uploads_nothing(s3, bucket, builds):
    proxy, _direct = s3
    assert run(builds["a"], bucket, builds["content"])[0] == 0
    proxy.log.clear()
    status, out, _err = run(builds["a"], bucket, builds["content"])
    assert status == 0
    assert proxy.uploads() == [] and proxy.copies() == []
    assert out.startswith("存储桶里已是这次构建")


def test_a_one_story_edit_uploads_exactly_what_changed(s3, bucket, builds, capsys):
    proxy, direct = s3
    assert run(builds["a"], bucket, builds["content"])[0] == 0
    proxy.log.clear()
    before, after = manifest_of(builds["a"]), manifest_of(builds["edit"])
    status, out, err = run(builds["edit"], bucket, builds["content-edit"])
    assert status == 0, err
    expected = changed(before, after)
    assert {key[len("www/"):] for key in proxy.uploads()} == expected | {"_unionpress/manifest.json",
                                                                        "_unionpress/history/000002.json"}
    # what a one-story edit should touch, and nothing it should not
    assert "stories/story-a/index.html" in expected
    assert "stories/story-b/index.html" not in expected and "stories/good-story/index.html" not in expected
    assert any(path.startswith("feeds/") for path in expected)
    assert any(path.startswith("pagefind/fragment/") for path in expected)
    assert not any(path.startswith(manifests.PICTURES) for path in expected)
    assert len(expected) < len(after.files) / 3
    # what is replaced or deleted is kept for rollback, each content once
    replaced = {before.files[path].sha256 for path in (expected | (set(before.files) - set(after.files)))
                if path in before.files}
    assert {key.rpartition("/")[2] for key in proxy.copies()} == replaced
    assert objects(direct, bucket) == site_bytes(builds["edit"])
    with capsys.disabled():
        print(f"\n[publish] one-story edit: {len(expected)} of {len(after.files)} files uploaded (+ manifest)")


def test_a_withdrawn_story_disappears_after_everything_new_is_in_place(s3, bucket, builds):
    proxy, direct = s3
    assert run(builds["a"], bucket, builds["content"])[0] == 0
    proxy.log.clear()
    status, out, _err = run(builds["withdrawn"], bucket)
    assert status == 0
    live = objects(direct, bucket)
    assert live == site_bytes(builds["withdrawn"])
    gone = set(manifest_of(builds["a"]).files) - set(manifest_of(builds["withdrawn"]).files)
    assert "stories/story-b/index.html" in gone and not gone & set(live)
    assert f"删除 {len(gone)} 个文件" in out
    methods = [(method, key) for method, key, _copy, status in proxy.log if status == 200]
    deleted_at = methods.index(("POST", ""))  # DeleteObjects
    assert methods.index(("PUT", "www/_unionpress/manifest.json")) < deleted_at
    assert all(method != "PUT" or key.startswith("www/_unionpress/") for method, key in methods[deleted_at:])


def test_an_interrupted_publish_finishes_without_uploading_twice(s3, bucket, builds):
    proxy, direct = s3
    assert run(builds["a"], bucket, builds["content"])[0] == 0
    expected = changed(manifest_of(builds["a"]), manifest_of(builds["edit"]))
    proxy.log.clear()
    proxy.fail = lambda method, key, puts: method == "PUT" and puts >= 3  # the server dies after 3 uploads
    pauses = []
    status, _out, err = run(builds["edit"], bucket, builds["content-edit"], sleep=pauses.append)
    assert status == 1
    assert pauses == [5.0, 10.0]  # two new starts after growing pauses, then it gives up
    assert err.count("秒后从断点继续") == 2
    assert "请检查网络后重新运行 unionpress publish，已上传的文件不会重复上传" in err
    arrived = [key[len("www/"):] for key in proxy.uploads()]
    assert len(arrived) == 3 and set(arrived) < expected
    assert direct.get_object(Bucket=bucket.bucket, Key="www/_unionpress/manifest.json")["Body"].read() == \
        (builds["a"] / manifests.MANIFEST).read_bytes()  # the bucket still names the old version
    proxy.log.clear()
    proxy.fail = None
    status, _out, err = run(builds["edit"], bucket, builds["content-edit"])
    assert status == 0, err
    again = {key[len("www/"):] for key in proxy.uploads()}
    assert again == (expected - set(arrived)) | {"_unionpress/manifest.json", "_unionpress/history/000002.json"}
    assert objects(direct, bucket) == site_bytes(builds["edit"])


def test_a_publish_starts_again_from_where_the_network_dropped_it(s3, bucket, builds):
    """The server fails every upload for a while (longer than botocore's retries): the same command waits,
    lists the bucket again and sends only what had not arrived."""
    proxy, direct = s3
    assert run(builds["a"], bucket, builds["content"])[0] == 0
    expected = changed(manifest_of(builds["a"]), manifest_of(builds["edit"]))
    proxy.log.clear()
    proxy.fail = lambda method, key, puts: method == "PUT" and 3 <= puts < 5  # two failures: both attempts of one
    pauses = []
    status, out, err = run(builds["edit"], bucket, builds["content-edit"], sleep=pauses.append)
    assert status == 0, err
    assert pauses == [5.0] and "5 秒后从断点继续（第 1 次，共 2 次）" in err
    assert sorted(key[len("www/"):] for key in proxy.uploads() if "/_unionpress/" not in key) == sorted(expected)
    assert f"发布完成：上传 {len(expected)} 个文件" in out
    assert objects(direct, bucket) == site_bytes(builds["edit"])


def test_a_failed_request_is_retried_with_backoff(s3, bucket, builds):
    proxy, direct = s3
    failed = []

    def once(method, key, puts):
        if method == "PUT" and puts == 5 and not failed:
            failed.append(key)
            return True
        return False

    proxy.fail = once
    status, _out, err = run(builds["a"], bucket, builds["content"])
    assert status == 0, err
    assert failed and proxy.uploads().count(failed[0]) == 1  # retried once, arrived once
    assert objects(direct, bucket) == site_bytes(builds["a"])


@pytest.mark.parametrize("then", ["edit", "withdrawn"])
def test_rollback_restores_the_previous_bytes(s3, bucket, builds, then):
    proxy, direct = s3
    assert run(builds["a"], bucket, builds["content"])[0] == 0
    assert run(builds[then], bucket)[0] == 0
    assert objects(direct, bucket) == site_bytes(builds[then])
    proxy.log.clear()
    out, err = io.StringIO(), io.StringIO()
    assert upload.rollback(bucket, out=out, err=err) == 0, err.getvalue()
    assert objects(direct, bucket) == site_bytes(builds["a"])
    assert proxy.uploads() == []  # server-side copies only: nothing sent again from this machine
    assert direct.get_object(Bucket=bucket.bucket, Key="www/_unionpress/manifest.json")["Body"].read() == \
        (builds["a"] / manifests.MANIFEST).read_bytes()
    # only one version is left: a second rollback has nothing to go back to
    out, err = io.StringIO(), io.StringIO()
    assert upload.rollback(bucket, out=out, err=err) == 2
    assert err.getvalue() == "拒绝回滚：存储桶里没有上一个发布版本（只保留了 1 个；保留个数由 publish.keep 设置）\n"


def test_history_keeps_the_last_n_manifests_and_the_archive_only_what_they_need(s3, bucket, builds):
    _proxy, direct = s3
    import dataclasses

    target = dataclasses.replace(bucket, keep=2)
    for name in ("a", "edit", "withdrawn"):
        assert run(builds[name], target)[0] == 0
    keys = [item["Key"] for item in direct.list_objects_v2(Bucket=target.bucket, Prefix="www/_unionpress/")["Contents"]]
    assert sorted(k for k in keys if "/history/" in k) == ["www/_unionpress/history/000002.json",
                                                          "www/_unionpress/history/000003.json"]
    needed = {entry.sha256 for name in ("edit", "withdrawn") for entry in manifest_of(builds[name]).files.values()}
    archived = {k.rpartition("/")[2] for k in keys if "/archive/" in k}
    assert archived and archived <= needed
    # A's version of story-a (changed by the edit, needed by no kept manifest) is gone from the archive
    assert manifest_of(builds["a"]).files["stories/story-a/index.html"].sha256 not in archived


HEADERS = [  # (path starts, path ends) → Content-Type, cache class
    ("stories/story-a/", "index.html", "text/html; charset=utf-8", "short"),
    ("feeds/", "feed.json", "application/feed+json; charset=utf-8", "short"),
    ("feeds/", "rss.xml", "application/rss+xml; charset=utf-8", "short"),
    ("feeds/", "atom.xml", "application/atom+xml; charset=utf-8", "short"),
    ("sitemap", ".xml", "application/xml; charset=utf-8", "short"),
    ("sitemap", ".xml.gz", "application/gzip", "short"),
    ("robots", ".txt", "text/plain; charset=utf-8", "short"),
    ("search/", "query.json", "application/json; charset=utf-8", "short"),
    ("assets/unionpress/", "care.js", "text/javascript; charset=utf-8", "short"),
    ("downloads/", ".epub", "application/epub+zip", "short"),
    ("media/pictures/", ".webp", "image/webp", "immutable"),
    ("media/pictures/", ".jpg", "image/jpeg", "immutable"),
    ("pagefind/fragment/", ".pf_fragment", "application/octet-stream", "immutable"),
    ("pagefind/index/", ".pf_index", "application/octet-stream", "immutable"),
    ("pagefind/", "pagefind-entry.json", "application/json; charset=utf-8", "short"),
    ("pagefind/", "pagefind.js", "text/javascript; charset=utf-8", "short"),
    ("assets/unionpress/core.", ".css", "text/css; charset=utf-8", "immutable"),
]


def test_content_type_and_cache_control_per_file_class(s3, bucket, builds):
    _proxy, direct = s3
    assert run(builds["a"], bucket, builds["content"])[0] == 0
    built = manifest_of(builds["a"])
    for start, end, content_type, cache in HEADERS:
        path = next(p for p in sorted(built.files) if p.startswith(start) and p.endswith(end))
        head = direct.head_object(Bucket=bucket.bucket, Key="www/" + path)
        assert (head["ContentType"], head["CacheControl"]) == (content_type, manifests.CACHE_CONTROL[cache]), path
        assert head["Metadata"]["sha256"] == built.files[path].sha256
    assert manifests.CACHE_CONTROL == {"immutable": "public, max-age=31536000, immutable",
                                       "short": "public, max-age=300"}
    # not in this fixture's site, but named by the issue: WebAssembly and a feed's JSON by its role
    assert manifests.content_type("pagefind/wasm.zh.wasm", manifests.Roles()) == "application/wasm"
    assert manifests.content_type("feeds/x.json", manifests.Roles(feeds={"feeds/x.json": "json"})) == \
        "application/feed+json; charset=utf-8"
    assert manifests.content_type("models/gallery.json", manifests.Roles()) == "application/json; charset=utf-8"


def test_stages_put_pages_after_what_they_use_and_listings_last(builds):
    built = manifest_of(builds["a"])
    assert {entry.stage for path, entry in built.files.items() if path.startswith("media/pictures/")} == {manifests.FILES}
    assert {entry.stage for path, entry in built.files.items() if path.startswith("pagefind/fragment/")} == {manifests.FILES}
    for path in ("stories/story-a/index.html", "about/index.html", "models/good-model/index.html"):
        assert built.files[path].stage == manifests.PAGES, path
    for path in ("index.html", "columns/laodongzhe-zhi-ge/index.html", "feeds/rss.xml", "feeds/feed.json", "sitemap.xml",
                 "sitemap.xml.gz", "pagefind/pagefind-entry.json", "search/query.json"):
        assert built.files[path].stage == manifests.LISTINGS, path


# -- refusals: nothing is sent --------------------------------------------------------------------------

def test_a_preview_build_is_refused_before_any_request(s3, bucket, builds):
    proxy, _direct = s3
    status, _out, err = run(builds["preview"], bucket)
    assert status == 2
    assert err == (f"拒绝发布：{builds['preview']} 是预览构建（含草稿和未到发布时间的内容），不能发布。"
                   "请去掉 UNIONPRESS_PREVIEW 后重新运行 mkdocs build\n")
    assert proxy.log == []


def test_a_build_whose_audit_failed_is_refused_before_any_request(s3, bucket, builds):
    proxy, _direct = s3
    status, _out, err = run(builds["failed"], bucket)
    assert status == 2
    assert err == (f"拒绝发布：{builds['failed']} 里没有构建清单 _unionpress/manifest.json：这次构建没有完成，"
                   "或发布检查（audit）没有通过。请重新运行 mkdocs build，构建成功后再发布\n")
    assert proxy.log == []


def test_a_folder_changed_after_its_build_is_refused(s3, bucket, builds, tmp_path):
    proxy, _direct = s3
    site = tmp_path / "site"
    shutil.copytree(builds["a"], site)
    (site / "stories/story-a/index.html").write_text("<p>手改</p>", encoding="utf-8")
    (site / "extra.html").write_text("<p>多余</p>", encoding="utf-8")
    (site / "robots.txt").unlink()
    status, _out, err = run(site, bucket)
    assert status == 2
    assert err == ("拒绝发布：网站文件夹与构建清单不符（多出 extra.html；缺少 robots.txt；改动过 stories/story-a/index.html）。"
                   "构建之后文件被改过，未经发布检查。请重新运行 mkdocs build\n")
    assert proxy.log == []


def test_a_build_older_than_the_contents_last_commit_is_refused(s3, bucket, builds):
    proxy, _direct = s3
    built = manifest_of(builds["a"]).content_commit
    newer = manifests.last_commit(builds["content-edit"])
    status, _out, err = run(builds["a"], bucket, builds["content-edit"])  # the content moved on after A
    assert status == 2
    assert err == (f"拒绝发布：这次构建早于内容的最新提交（构建时为 {built[:10]}，现在为 {newer[:10]}），"
                   "网站里没有最新的稿件。请重新运行 mkdocs build 后再发布\n")
    assert proxy.log == []


# -- scheduled publishing -----------------------------------------------------------------------------------

def test_an_embargoed_story_is_absent_before_its_time_and_present_after(s3, bucket, builds):
    _proxy, direct = s3
    assert run(builds["a"], bucket, builds["content"])[0] == 0
    live = objects(direct, bucket)
    assert "stories/later/index.html" not in live
    assert not any("定时发布的表彰通报".encode() in data for data in live.values())
    assert run(builds["after"], bucket, builds["content"])[0] == 0
    live = objects(direct, bucket)
    assert "stories/later/index.html" in live
    assert "定时发布的表彰通报".encode() in live["feeds/rss.xml"]


# -- the command, its settings and gh-deploy ----------------------------------------------------------------

def _config(tmp_path: Path, content: Path, publish: str) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    return golden_project(project, content, "\n    publish:\n" + publish)


def test_the_command_reads_the_bucket_from_mkdocs_yml(s3, bucket, builds, tmp_path, monkeypatch, capsys):
    proxy, _direct = s3
    config_file = _config(tmp_path, builds["content"], f"      endpoint: {bucket.endpoint}\n      bucket: {bucket.bucket}\n"
                                                       "      prefix: /www\n      addressing: path\n")
    monkeypatch.setenv("UNIONPRESS_CONFIG", str(config_file))
    assert cli.main(["publish", "--site", str(builds["a"]), "--dry-run"]) == 0
    out = capsys.readouterr().out
    count = len(manifest_of(builds["a"]).files)
    assert out.startswith(f"发布到 s3://{bucket.bucket}/www/（{bucket.endpoint}）\n上传 {count} 个文件")
    assert "  上传 stories/story-a/index.html（" in out and out.endswith("（--dry-run：以上是将要做的事，什么也没有上传）\n")
    assert proxy.uploads() == []
    assert cli.main(["publish", "--site", str(builds["a"])]) == 0
    assert len(proxy.uploads()) == count + 2


def test_the_command_refuses_without_a_publish_setting(builds, tmp_path, monkeypatch, capsys):
    project = tmp_path / "p"
    project.mkdir()
    monkeypatch.setenv("UNIONPRESS_CONFIG", str(golden_project(project, builds["content"])))
    assert cli.main(["publish", "--site", str(builds["a"])]) == 2
    assert capsys.readouterr().err == ("拒绝发布：mkdocs.yml 的 extra.unionpress 里没有 publish 设置（endpoint、bucket 等），"
                                       "写法见 README 的「发布到对象存储」\n")


PUBLISH_SETTINGS = "配置 extra.unionpress.publish 有误：应为映射，写 endpoint（服务地址）、bucket（存储桶），可写 prefix（目录）、" \
                   "region（地域）、addressing（virtual 或 path）、keep（保留几个版本，1 到 100）、retries（重试次数，1 到 20）："


@pytest.mark.parametrize("written, detail", [
    ("{endpoint: oss-cn-hangzhou.aliyuncs.com, bucket: union}",
     "「endpoint」应为服务地址，如 https://oss-cn-hangzhou.aliyuncs.com（不含存储桶名和路径）"),
    ("{endpoint: 'https://oss-cn-hangzhou.aliyuncs.com', bucket: Union_Site}",
     "「bucket」应为存储桶名：3 到 63 个小写英文字母、数字、点或连字符，首尾为字母或数字"),
    ("{endpoint: 'https://cos.ap-guangzhou.myqcloud.com', bucket: union, secret_key: abc}",
     "「secret_key」是密钥，不能写在 mkdocs.yml 里（会随仓库公开）：请用环境变量 AWS_ACCESS_KEY_ID 和 "
     "AWS_SECRET_ACCESS_KEY，或 ~/.aws/credentials"),
    ("{endpoint: 'https://x.example', bucket: union, prefix: ../up}",
     "「prefix」应为存储桶里的目录，如 site/ 或 union/www/（不含 .. 和 //）"),
    ("{endpoint: 'https://x.example', bucket: union, addressing: host}",
     "「addressing」应为 virtual（存储桶名在域名里，OSS、COS、OBS）或 path（存储桶名在路径里，MinIO）"),
    ("{endpoint: 'https://x.example', bucket: union, keep: 0}", "「keep」应为 1 到 100 之间的整数"),
    ("{endpoint: 'https://x.example', bucket: union, bukket: x}",
     "未知字段「bukket」（可用：endpoint、bucket、prefix、region、addressing、keep、retries）"),
    ("{bucket: union}", "缺少「endpoint」"),
])
def test_publish_settings_are_checked_with_their_line(written, detail, tmp_path):
    text = f"site_name: 测试\nextra:\n  unionpress:\n    review_required: true\n    publish: {written}\n"
    findings = Findings()
    import yaml

    settings = config.from_mapping(tmp_path, yaml.safe_load(text), findings, lines=config.setting_lines(text))
    assert [f.format() for f in findings.sorted()] == [f"mkdocs.yml:5: [config] {PUBLISH_SETTINGS}{detail}"]
    assert settings.publish is None


def test_good_publish_settings_make_a_target(tmp_path):
    site = {"extra": {"unionpress": {"publish": {"endpoint": "https://obs.cn-north-4.myhuaweicloud.com/",
                                                 "bucket": "union-www", "prefix": "/site/", "region": "cn-north-4",
                                                 "keep": 3}}}}
    findings = Findings()
    settings = config.from_mapping(tmp_path, site, findings)
    assert not findings.errors
    assert settings.publish == PublishTarget("https://obs.cn-north-4.myhuaweicloud.com", "union-www", "site/",
                                             "cn-north-4", "virtual", 3, 5)


def test_gh_deploy_is_refused_in_preview(builds, tmp_path):
    from conftest import MKDOCS

    project = tmp_path / "project"
    project.mkdir()
    config_file = golden_project(project, builds["content"])
    env = dict(os.environ, UNIONPRESS_PREVIEW="1", UNIONPRESS_NOW=NOW, NO_MKDOCS_2_WARNING="1")
    done = subprocess.run([*MKDOCS, "gh-deploy", "-f", str(config_file), "-d", str(tmp_path / "out"),
                           "--remote-name", "nowhere"], env=env, capture_output=True, text=True, cwd=project)
    assert done.returncode != 0
    assert ("预览构建（UNIONPRESS_PREVIEW=1）含草稿和未到发布时间的内容，不能用 mkdocs gh-deploy 发布："
            "请去掉 UNIONPRESS_PREVIEW 后再运行 mkdocs gh-deploy") in done.stderr
    assert not (tmp_path / "out").exists()  # refused before anything was built


def test_a_missing_bucket_or_missing_keys_is_said_plainly_and_nothing_is_sent(s3, bucket, builds, monkeypatch):
    import dataclasses

    proxy, _direct = s3
    status, _out, err = run(builds["a"], dataclasses.replace(bucket, bucket="no-such-bucket"), builds["content"])
    assert status == 2
    assert err == (f"无法发布：存储桶「no-such-bucket」在 {bucket.endpoint} 上不存在。"
                   "请检查 publish 设置的 bucket、endpoint 和 region\n")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance metadata service to ask here
    status, _out, err = run(builds["a"], bucket, builds["content"])
    assert status == 2
    assert err == ("找不到访问密钥：请设置环境变量 AWS_ACCESS_KEY_ID 和 AWS_SECRET_ACCESS_KEY，"
                   "或写在 ~/.aws/credentials（不要写进 mkdocs.yml）\n")
    assert proxy.uploads() == [] and proxy.copies() == []


def test_next_change_is_the_first_edge_after_the_clock_of_every_kind(site_copy):
    """Embargoes, an exhibition's opening and closing, a contest's deadline, a topic's featured window;
    not a draft's date, nor an unsigned story's (neither changes the site by itself)."""
    import datetime as dt

    from conftest import check
    from test_exhibitions import exhibition, work
    from unionpress import schedule

    exhibition(site_copy, "show", works=(work(1),), opens="2026-12-10", closes="2026-12-20")
    write_item(site_copy, "contests/zhengwen/index.md", "征文启事。", title="征文", opens="2026-11-01",
               closes="2026-11-30", status="published")
    with (site_copy / "topics.yml").open("a", encoding="utf-8") as topics:
        topics.write("- {key: wuyi, name: 五一, featured: {from: 2026-12-05, to: 2026-12-06}}\n")
    write_story(site_copy, "later", date="2026-12-15 09:00")
    write_story(site_copy, "draft-later", date="2026-11-23 09:00", status="draft")
    write_story(site_copy, "unsigned-later", date="2026-11-24 09:00", review=False)
    _lines, build = check(site_copy)
    china = dt.timezone(dt.timedelta(hours=8))
    expected = [dt.datetime(2026, 12, 1, tzinfo=china),  # the contest takes pieces all day on the 30th
                dt.datetime(2026, 12, 5, tzinfo=china), dt.datetime(2026, 12, 7, tzinfo=china),  # featured window
                dt.datetime(2026, 12, 10, tzinfo=china),  # the exhibition opens in the morning
                dt.datetime(2026, 12, 15, 9, tzinfo=china),  # the embargo
                dt.datetime(2026, 12, 21, tzinfo=china)]  # open all day on its closing day
    assert sorted({edge for edge in schedule.edges(build.catalog, build.settings) if edge > build.settings.now}) == expected
    when = schedule.next_change(build.catalog, build.settings)
    assert when.isoformat() == "2026-12-01T00:00:00+08:00"


def test_next_change_with_no_build_or_a_damaged_file_says_so_and_fails(tmp_path, capsys):
    """A cron job must not take a missing or damaged schedule for \"nothing scheduled\"."""
    site = tmp_path / "site"
    site.mkdir()
    assert cli.main(["next-change", "--site", str(site)]) == 2
    assert capsys.readouterr().err == f"没有 {tmp_path / 'site.next-change.txt'}：请先运行 mkdocs build\n"
    (tmp_path / "site.next-change.txt").write_text("明天上午\n", encoding="utf-8")
    assert cli.main(["next-change", "--site", str(site)]) == 2
    assert capsys.readouterr().err == f"{tmp_path / 'site.next-change.txt'} 的内容不是时间（「明天上午」）：请重新运行 mkdocs build\n"


def test_a_build_with_a_clock_in_the_future_is_refused(s3, bucket, builds, tmp_path):
    """UNIONPRESS_NOW set later than now would publish embargoed stories early: their audit agreed."""
    proxy, _direct = s3
    site = tmp_path / "site"
    shutil.copytree(builds["a"], site)
    control = site / manifests.MANIFEST
    document = json.loads(control.read_text(encoding="utf-8"))
    document["clock"] = "2099-01-01T08:00:00+08:00"
    control.write_text(json.dumps(document), encoding="utf-8")
    status, _out, err = run(site, bucket)
    assert status == 2
    assert err == ("拒绝发布：这次构建用的时钟（2099-01-01T08:00:00+08:00）晚于现在，定时发布的稿件会提前公开。"
                   "请不要设置 UNIONPRESS_NOW，重新运行 mkdocs build 后再发布\n")
    assert proxy.log == []


def test_committing_the_wechat_upload_record_does_not_make_the_build_old(tmp_path):
    """`wechat push` asks for content/.wechat/uploads.json to be committed; that changes no page, so
    publish must not refuse the build as older than the content."""
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.md").write_text("x\n", encoding="utf-8")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "stories")
    built = manifests.last_commit(content)
    (content / ".wechat").mkdir()
    (content / ".wechat/uploads.json").write_text("{}\n", encoding="utf-8")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "upload record")
    assert built is not None and manifests.last_commit(content) == built
    (content / "a.md").write_text("y\n", encoding="utf-8")
    _git(tmp_path, "commit", "-q", "-am", "an edit")
    assert manifests.last_commit(content) != built


def test_the_control_folder_is_private_whatever_the_bucket_allows(s3, bucket, builds):
    """The archive keeps withdrawn pages for rollback and the history names every page: on a public-read
    bucket (the usual static-site set-up) they must be private objects, the site's files public as the
    bucket makes them."""
    proxy, _direct = s3
    status, _out, err = run(builds["a"], bucket, builds["content"])
    assert status == 0, err
    status, _out, err = run(builds["withdrawn"], bucket)  # a story withdrawn: its page goes to the archive
    assert status == 0, err
    control = {key: acl for key, acl in proxy.acl.items() if key.startswith("www/_unionpress/")}
    assert any("/archive/" in key for key in control) and any("/history/" in key for key in control)
    assert set(control.values()) == {"private"}
    assert {acl for key, acl in proxy.acl.items() if key not in control} == {None}


def test_site_files_are_every_file_but_the_control_folder_and_linked_folders(tmp_path):
    site = tmp_path / "site"
    for name in ("index.html", "a/b/c.txt", "_unionpress/manifest.json", "_unionpress-x.txt", "x/_unionpress/y.txt"):
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(name, encoding="utf-8")
    (site / "linked-folder").symlink_to(site / "a", target_is_directory=True)
    (site / "linked-file.txt").symlink_to(site / "index.html")
    (site / "dangling.txt").symlink_to(site / "gone.txt")
    assert manifests.site_files(site) == ["_unionpress-x.txt", "a/b/c.txt", "index.html", "linked-file.txt",
                                          "x/_unionpress/y.txt"]
    from unionpress import sitefiles
    stats = sitefiles.site_stats(site)
    assert stats == {path: (os.stat(site / path).st_size, os.stat(site / path).st_mtime_ns, os.stat(site / path).st_ino)
                     for path in ("_unionpress-x.txt", "a/b/c.txt", "index.html", "linked-file.txt", "x/_unionpress/y.txt")}


def test_the_manifests_hashing_process_reads_what_the_build_would(tmp_path):
    site = tmp_path / "site"
    (site / "媒体").mkdir(parents=True)
    (site / "媒体/图.bin").write_bytes(bytes(range(256)) * 5000)
    (site / "index.html").write_text("<p>劳模</p>", encoding="utf-8")
    hashing = manifests.Hashing(site)
    assert hashing.result() == {path: manifests.digests(site / path) for path in manifests.site_files(site)}
    assert manifests.Hashing(tmp_path / "no-such-folder").result() is None  # then write() reads again


def test_the_hashing_memo_reads_again_only_the_files_written_since(tmp_path, monkeypatch):
    from unionpress import sitefiles
    site, memo = tmp_path / "site", tmp_path / "cache/hashed"
    for name in ("index.html", "a/b.txt", "c.bin"):
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(f"第一版 {name}", encoding="utf-8")
    first = manifests.Hashing(site, memo).result()  # the build's process keeps the memo
    assert first == {path: manifests.digests(site / path) for path in manifests.site_files(site)}
    read: list[str] = []
    digests = sitefiles.digests
    monkeypatch.setattr(sitefiles, "digests", lambda path: read.append(os.path.basename(path)) or digests(path))
    assert sitefiles.hashed(site, str(memo)) == first and read == []
    (site / "a/b.txt").unlink()
    (site / "a/b.txt").write_text("第二版", encoding="utf-8")  # a new file at the same path
    (site / "d.txt").write_text("新文件", encoding="utf-8")
    again = sitefiles.hashed(site, str(memo))
    assert sorted(read) == ["b.txt", "d.txt"]
    assert again == {path: digests(site / path) for path in manifests.site_files(site)}
    for broken in ("", "[]", '{"index.html": [1, 2, 3, "x", "y"]}', "不是 JSON"):
        memo.write_text(broken, encoding="utf-8")
        read.clear()
        assert sitefiles.hashed(site, str(memo)) == again and len(read) == 4
    sitefiles.hashed(site, str(memo))
    read.clear()
    assert sitefiles.hashed(site, str(memo)) == again and read == []
    damaged = bytearray(memo.read_bytes())
    damaged[-3] ^= 1  # one bit of a row changed on the disk: its seal no longer matches
    memo.write_bytes(bytes(damaged))
    assert sitefiles.hashed(site, str(memo)) == again and len(read) == 4


def test_a_manifest_that_cannot_be_written_whole_leaves_none(tmp_path):
    """Written piece by piece, yet whole or not at all: a path that cannot be encoded (a lone
    surrogate from a file name in no encoding) fails the write, and no manifest is left to stand for
    the build, neither the old one's replacement cut short nor a partial file."""
    files = {path: manifests.Entry(path, "0" * 64, "0" * 32, 1, "text/html", "page", 1)
             for path in ("a.html", "b\udc80.html")}
    made = manifests.Manifest(files, "passed", "2026-12-06T00:00:00+08:00", None)
    with pytest.raises(UnicodeEncodeError):
        made.write_to(tmp_path / "manifest.json")
    assert list(tmp_path.iterdir()) == []
