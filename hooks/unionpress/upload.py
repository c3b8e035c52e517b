"""`unionpress publish`: a production build → an S3-compatible bucket (Alibaba OSS, Tencent COS, Huawei
OBS, MinIO …), incrementally, in an order that never shows a reader half a site, and with rollback.

(publish.py is the gate that decides what may leave the build; this module only carries a finished,
audited build to the bucket.)

The bucket, under the configured prefix P (`extra.unionpress.publish`):

    P<path>                          the site's files, each with Content-Type and Cache-Control from the
                                     manifest and its sha256 in the metadata (x-amz-meta-sha256)
    P_unionpress/manifest.json       the manifest of what is published now (written last)
    P_unionpress/history/NNNNNN.json the last `keep` published manifests, newest last
    P_unionpress/archive/<sha256>    bytes a kept manifest needs that the live site no longer holds (a
                                     page as it was before an edit, a withdrawn story): what --rollback
                                     copies back. Give this folder no public read (README).

A publish: refuse what must not go out (preview marker, no manifest or audit not passed, files that do
not match the manifest, a build older than the content's last commit), all before the first request;
list the bucket once; archive what will be overwritten or deleted (server-side copies); upload what is
new or changed, pictures and assets → pages → listings, search metadata, feeds, sitemap; the manifest
last; then delete what the site no longer has; then prune history and archive beyond `keep`.

Resuming: a file is skipped when the bucket already holds its bytes (the listing's ETag is the MD5 of
a single-part upload, and the manifest carries each file's MD5) with the same headers. An interrupted
publish, run again, uploads only what had not arrived, then finishes. Each request is retried by
botocore (standard mode: network errors, 5xx and throttling, with exponential backoff and jitter, at
most `retries` attempts); when a request still fails, the command itself pauses and starts again from
a new listing (RESUMES times), which is the same resuming as running it again.
Credentials: the environment or the standard AWS chain (AWS_ACCESS_KEY_ID …, ~/.aws/credentials),
never mkdocs.yml.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from .config import PublishTarget
from .outputs import manifest as manifests
from .outputs.manifest import Entry, Manifest

CONTROL = manifests.CONTROL + "/"
REMOTE_MANIFEST = CONTROL + "manifest.json"
HISTORY = CONTROL + "history/"
ARCHIVE = CONTROL + "archive/"


class Refused(Exception):
    """Publishing must not start: the message says why, in Chinese. Nothing was sent."""


class Interrupted(Exception):
    """A request failed after botocore's retries: what arrived stays, running again finishes the job."""


# -- checks on the local folder (no network) -----------------------------------------------------------

def checked_build(site_dir: Path, content_dir: Path | None) -> Manifest:
    """The folder's manifest, when the folder may be published; Refused otherwise."""
    shown = str(site_dir)
    if not site_dir.is_dir():
        raise Refused(f"拒绝发布：找不到构建好的网站文件夹 {shown}。请先运行 mkdocs build")
    if (site_dir / manifests.PREVIEW_MARKER).exists():
        raise Refused(f"拒绝发布：{shown} 是预览构建（含草稿和未到发布时间的内容），不能发布。"
                      "请去掉 UNIONPRESS_PREVIEW 后重新运行 mkdocs build")
    try:
        built = manifests.read(site_dir)
    except ValueError as exc:
        raise Refused(f"拒绝发布：构建清单 {manifests.MANIFEST} 无法读取：{exc}。请重新运行 mkdocs build") from None
    if built is None:
        raise Refused(f"拒绝发布：{shown} 里没有构建清单 {manifests.MANIFEST}：这次构建没有完成，或发布检查（audit）"
                      "没有通过。请重新运行 mkdocs build，构建成功后再发布")
    if built.audit != manifests.AUDIT_PASSED:
        raise Refused(f"拒绝发布：构建清单记载发布检查（audit）没有通过（{built.audit}）。请修正后重新构建")
    _check_files(site_dir, built)
    _check_clock(built)
    if content_dir is not None:
        current = manifests.last_commit(content_dir)
        if current is not None and current != built.content_commit:
            was = built.content_commit[:10] if built.content_commit else "不在 Git 中"
            raise Refused(f"拒绝发布：这次构建早于内容的最新提交（构建时为 {was}，现在为 {current[:10]}），"
                          "网站里没有最新的稿件。请重新运行 mkdocs build 后再发布")
    return built


FUTURE_SLACK = dt.timedelta(minutes=5)  # clocks of two machines differ a little; an embargo does not


def future_clock(clock: dt.datetime, now: dt.datetime | None = None) -> bool:
    """A build clock ahead of the real one (UNIONPRESS_NOW set to a later time): such a build holds the
    stories embargoed until then, and the audit, which reads the same clock, lets them through."""
    return clock > (now or dt.datetime.now(dt.timezone.utc)) + FUTURE_SLACK


def _check_clock(built: Manifest) -> None:
    try:
        clock = dt.datetime.fromisoformat(built.clock)
    except ValueError:
        raise Refused(f"拒绝发布：构建清单里的构建时间「{built.clock}」无法读取。请重新运行 mkdocs build") from None
    if clock.tzinfo is None or future_clock(clock):
        raise Refused(f"拒绝发布：这次构建用的时钟（{built.clock}）晚于现在，定时发布的稿件会提前公开。"
                      "请不要设置 UNIONPRESS_NOW，重新运行 mkdocs build 后再发布")


def _check_files(site_dir: Path, built: Manifest) -> None:
    """Every file the manifest lists is there with its bytes, and there is no other: a folder changed
    after its build (a file copied in by hand, a page edited) was never audited."""
    found = set(manifests.site_files(site_dir))
    listed = set(built.files)
    problems = [f"多出 {path}" for path in sorted(found - listed)] + [f"缺少 {path}" for path in sorted(listed - found)]
    for path in sorted(found & listed):
        entry = built.files[path]
        if (site_dir / path).stat().st_size != entry.size or manifests.digests(site_dir / path)[0] != entry.sha256:
            problems.append(f"改动过 {path}")
    if problems:
        shown = "；".join(problems[:5]) + (f"；等共 {len(problems)} 处" if len(problems) > 5 else "")
        raise Refused(f"拒绝发布：网站文件夹与构建清单不符（{shown}）。构建之后文件被改过，未经发布检查。"
                      "请重新运行 mkdocs build")


# -- the bucket ------------------------------------------------------------------------------------------

def _private(path: str) -> dict:
    """The control folder's objects are private whatever the bucket allows: its archive keeps withdrawn
    pages for rollback, and a static site's bucket is usually public-read (OSS, COS and OBS let an
    object's ACL override the bucket's; MinIO has no ACLs and accepts the header)."""
    return {"ACL": "private"} if path.startswith(CONTROL) else {}


def client(target: PublishTarget):
    """A boto3 S3 client for the target. Checksums only when an operation requires them: the CRC
    headers boto3 sends by default since 1.36 are refused by several S3-compatible services."""
    import boto3
    from botocore.config import Config

    config = Config(region_name=target.region, retries={"total_max_attempts": target.retries, "mode": "standard"},
                    s3={"addressing_style": target.addressing}, connect_timeout=10, read_timeout=60,
                    request_checksum_calculation="when_required", response_checksum_validation="when_required")
    s3 = boto3.session.Session().client("s3", endpoint_url=target.endpoint, config=config)
    s3.meta.events.register("before-sign.s3.DeleteObjects", _content_md5)
    return s3


def _content_md5(request, **_kwargs) -> None:
    """DeleteObjects must carry a checksum; OSS, COS and OBS read Content-MD5, not the CRC32 header
    newer botocore sends in its place."""
    body = request.body or b""
    body = body if isinstance(body, bytes) else body.encode("utf-8")
    if body and "Content-MD5" not in request.headers:
        request.headers["Content-MD5"] = base64.b64encode(hashlib.md5(body, usedforsecurity=False).digest()).decode()


# What no retry can mend: said plainly, and before anything is written a refusal (exit 2, nothing sent).
_CREDENTIALS = ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidSecurity", "AllAccessDisabled")
NO_CREDENTIALS = ("找不到访问密钥：请设置环境变量 AWS_ACCESS_KEY_ID 和 AWS_SECRET_ACCESS_KEY，"
                  "或写在 ~/.aws/credentials（不要写进 mkdocs.yml）")


@dataclass(frozen=True)
class Remote:
    """What the bucket holds under the prefix, listed once: key (without the prefix) → ETag (the MD5
    of a single-part upload, lower case, without quotes)."""

    etags: dict[str, str]
    manifest: Manifest | None
    history: list[str]  # history keys (without the prefix), oldest first


class Bucket:
    def __init__(self, target: PublishTarget, s3) -> None:
        self.target, self.s3 = target, s3
        self.written = 0  # requests that changed the bucket: after the first, a failure is an interruption
        self.sent_files = self.sent_bytes = self.deleted = 0  # the site's files, over every start

    def key(self, path: str) -> str:
        return self.target.prefix + path

    def call(self, what: str, method: Callable, **kwargs):
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError  # boto3 only when publishing

        try:
            return method(Bucket=self.target.bucket, **kwargs)
        except NoCredentialsError:
            raise Refused(NO_CREDENTIALS) from None
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = error.get("Code", "")
            if not self.written and code == "NoSuchBucket":
                raise Refused(f"无法发布：存储桶「{self.target.bucket}」在 {self.target.endpoint} 上不存在。"
                              "请检查 publish 设置的 bucket、endpoint 和 region") from None
            if not self.written and code in _CREDENTIALS:
                raise Refused(f"无法发布：存储服务拒绝了访问（{code}）。请检查 AWS_ACCESS_KEY_ID、"
                              "AWS_SECRET_ACCESS_KEY 和这个账号对存储桶的读写权限") from None
            raise Interrupted(f"{what}失败：{code} {error.get('Message', '')}".strip()) from exc
        except BotoCoreError as exc:
            raise Interrupted(f"{what}失败：{exc}") from exc

    def list(self) -> Remote:
        etags: dict[str, str] = {}
        token = None
        while True:
            extra = {"ContinuationToken": token} if token else {}
            page = self.call("列出存储桶内容", self.s3.list_objects_v2, Prefix=self.target.prefix, **extra)
            for item in page.get("Contents", ()):
                etags[item["Key"][len(self.target.prefix):]] = item.get("ETag", "").strip('"').lower()
            if not page.get("IsTruncated"):
                break
            token = page["NextContinuationToken"]
        current = None
        if REMOTE_MANIFEST in etags:
            data = self.get(REMOTE_MANIFEST)
            try:
                current = Manifest.from_bytes(data)
            except ValueError:
                current = None  # unreadable: everything counts as new, nothing is lost
        history = sorted(path for path in etags if path.startswith(HISTORY) and path.endswith(".json"))
        return Remote(etags, current, history)

    def get(self, path: str) -> bytes:
        return self.call(f"读取 {path} ", self.s3.get_object, Key=self.key(path))["Body"].read()

    def put(self, path: str, data: bytes, content_type: str, cache_control: str, sha256: str) -> None:
        md5 = base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode()
        self.written += 1
        self.call(f"上传 {path} ", self.s3.put_object, Key=self.key(path), Body=data, ContentType=content_type,
                  CacheControl=cache_control, ContentMD5=md5, Metadata={"sha256": sha256}, **_private(path))

    def copy(self, source: str, path: str, entry: Entry | None = None) -> None:
        """A server-side copy (no bytes through this machine); with `entry`, its headers replace the source's."""
        extra = ({"MetadataDirective": "REPLACE", "ContentType": entry.type, "CacheControl": entry.cache_control,
                  "Metadata": {"sha256": entry.sha256}} if entry else {})
        self.written += 1
        self.call(f"复制 {source} 到 {path} ", self.s3.copy_object, Key=self.key(path),
                  CopySource={"Bucket": self.target.bucket, "Key": self.key(source)}, **extra, **_private(path))

    def delete(self, paths: list[str]) -> None:
        for start in range(0, len(paths), 1000):  # DeleteObjects takes at most 1000 keys
            chunk = paths[start:start + 1000]
            self.written += 1
            done = self.call("删除旧文件", self.s3.delete_objects,
                             Delete={"Objects": [{"Key": self.key(path)} for path in chunk], "Quiet": True})
            if done.get("Errors"):
                first = done["Errors"][0]
                raise Interrupted(f"删除 {first.get('Key')} 失败：{first.get('Code')} {first.get('Message', '')}")


# -- the plan ----------------------------------------------------------------------------------------------

def _site_path(path: str) -> bool:
    return not path.startswith(CONTROL)


@dataclass(frozen=True)
class Plan:
    uploads: list[Entry]  # in upload order
    archive: list[tuple[str, str]]  # (live path, sha256): copied into the archive before they change
    deletes: list[str]  # live paths the site no longer has
    unchanged: int
    write_manifest: bool  # whether the bucket's manifest differs from this build's

    @property
    def bytes(self) -> int:
        return sum(entry.size for entry in self.uploads)

    @property
    def empty(self) -> bool:
        return not (self.uploads or self.deletes or self.write_manifest)


def _same_headers(a: Entry, b: Entry | None) -> bool:
    return b is None or (a.type == b.type and a.cache == b.cache)


def plan(built: Manifest, remote: Remote, keep: int) -> Plan:
    """What this build needs done to the bucket. A file is uploaded unless the bucket holds its bytes
    (ETag = MD5) with the headers the manifest gives it."""
    published = remote.manifest.files if remote.manifest else {}
    uploads, unchanged = [], 0
    for entry in built.ordered():
        if remote.etags.get(entry.path) == entry.md5 and _same_headers(entry, published.get(entry.path)):
            unchanged += 1
        else:
            uploads.append(entry)
    deletes = sorted(path for path in remote.etags if _site_path(path) and path not in built.files)
    archive = []
    if keep > 1:  # the published version stays in history: keep the bytes it needs
        changing = {entry.path for entry in uploads} | set(deletes)
        for path in sorted(changing & set(published)):
            old = published[path]
            if remote.etags.get(path) == old.md5 and ARCHIVE + old.sha256 not in remote.etags:
                archive.append((path, old.sha256))
        archive = list({sha: (path, sha) for path, sha in archive}.values())  # one copy per content
    write_manifest = remote.manifest is None or remote.manifest.files != built.files or REMOTE_MANIFEST not in remote.etags
    return Plan(uploads, archive, deletes, unchanged, write_manifest)


# -- progress on stderr ------------------------------------------------------------------------------------

def human(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} B"


class Progress:
    """A bar on stderr: redrawn in place on a terminal, one line at the end otherwise (CI logs)."""

    WIDTH = 30

    def __init__(self, total_files: int, total_bytes: int, stream: TextIO) -> None:
        self.total_files, self.total_bytes, self.stream = total_files, max(total_bytes, 1), stream
        self.files = self.bytes = 0
        self.live = stream.isatty()

    def line(self) -> str:
        filled = round(self.WIDTH * self.bytes / self.total_bytes) if self.total_files else self.WIDTH
        return (f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {self.files}/{self.total_files} 个文件 "
                f"{human(self.bytes)}/{human(self.total_bytes if self.total_files else 0)}")

    def advance(self, size: int) -> None:
        self.files += 1
        self.bytes += size
        if self.live:
            self.stream.write("\r" + self.line())
            self.stream.flush()

    def finish(self) -> None:
        self.stream.write(("\r" if self.live else "") + self.line() + "\n")
        self.stream.flush()


# -- publish and rollback ----------------------------------------------------------------------------------

def describe(plan_: Plan, target: PublishTarget) -> list[str]:
    where = f"s3://{target.bucket}/{target.prefix}（{target.endpoint}）"
    lines = [f"发布到 {where}"]
    by_stage = {stage: [e for e in plan_.uploads if e.stage == stage] for stage in manifests.STAGE_NAMES}
    parts = [f"{name} {len(by_stage[stage])} 个" for stage, name in manifests.STAGE_NAMES.items() if by_stage[stage]]
    lines.append(f"上传 {len(plan_.uploads)} 个文件（{human(plan_.bytes)}）" + (f"：{'，'.join(parts)}" if parts else ""))
    lines.append(f"删除 {len(plan_.deletes)} 个文件")
    lines.append(f"不变 {plan_.unchanged} 个文件")
    if plan_.archive:
        lines.append(f"存档 {len(plan_.archive)} 个将被替换或删除的文件（供回滚）")
    return lines


def _history_key(remote: Remote) -> str:
    numbers = [int(Path(path).stem) for path in remote.history if Path(path).stem.isdigit()]
    return f"{HISTORY}{(max(numbers) + 1 if numbers else 1):06d}.json"


RESUMES = 2  # a publish interrupted after botocore's retries starts again from where it stopped, this often
RESUME_PAUSE = 5.0  # seconds before the first new start, doubled each time


def publish(site_dir: Path, target: PublishTarget, *, content_dir: Path | None = None, dry_run: bool = False,
            out: TextIO | None = None, err: TextIO | None = None, s3=None, resumes: int = RESUMES,
            sleep: Callable[[float], None] = time.sleep) -> int:
    """Publish a built folder; returns the exit status. Refused and Interrupted are reported here.
    An interruption (a request failed after botocore's own retries: the network went away for a while)
    is followed by `resumes` new starts after a pause: each lists the bucket again, so it sends only
    what has not arrived."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        built = checked_build(site_dir, content_dir)
        bucket = Bucket(target, s3 or client(target))
        remote = bucket.list()
        todo = plan(built, remote, target.keep)
        if dry_run:
            for line in describe(todo, target):
                print(line, file=out)
            for entry in todo.uploads:
                print(f"  上传 {entry.path}（{human(entry.size)}，{entry.type}，{entry.cache_control}）", file=out)
            for path in todo.deletes:
                print(f"  删除 {path}", file=out)
            print("（--dry-run：以上是将要做的事，什么也没有上传）", file=out)
            return 0
        if todo.empty:
            print(f"存储桶里已是这次构建（{len(built.files)} 个文件），无需上传", file=out)
            return 0
        for line in describe(todo, target):
            print(line, file=out)
        for attempt in range(resumes + 1):
            try:
                if attempt:
                    remote = bucket.list()
                    todo = plan(built, remote, target.keep)
                _carry_out(bucket, built, site_dir, todo, remote, target, err)
                break
            except Interrupted as exc:
                if attempt == resumes:
                    raise
                pause = RESUME_PAUSE * 2 ** attempt
                print(f"发布中断：{exc}。{pause:.0f} 秒后从断点继续（第 {attempt + 1} 次，共 {resumes} 次）", file=err)
                sleep(pause)
    except Refused as exc:
        print(str(exc), file=err)
        return 2
    except Interrupted as exc:
        print(f"发布中断：{exc}。已上传的文件保留在存储桶里，网站仍是上一版本加上已到的新文件；"
              "请检查网络后重新运行 unionpress publish，已上传的文件不会重复上传", file=err)
        return 1
    print(f"发布完成：上传 {bucket.sent_files} 个文件（{human(bucket.sent_bytes)}），删除 {bucket.deleted} 个", file=out)
    return 0


def _carry_out(bucket: Bucket, built: Manifest, site_dir: Path, todo: Plan, remote: Remote, target: PublishTarget,
               err: TextIO) -> None:
    for path, sha in todo.archive:
        bucket.copy(path, ARCHIVE + sha)
    progress = Progress(len(todo.uploads), todo.bytes, err)
    for entry in todo.uploads:
        bucket.put(entry.path, (site_dir / entry.path).read_bytes(), entry.type, entry.cache_control, entry.sha256)
        bucket.sent_files, bucket.sent_bytes = bucket.sent_files + 1, bucket.sent_bytes + entry.size
        progress.advance(entry.size)
    progress.finish()
    data = built.to_bytes()
    history = list(remote.history)
    if todo.write_manifest:
        history_key = _history_key(remote)
        bucket.put(history_key, data, manifests.TYPES[".json"], manifests.CACHE_CONTROL[manifests.SHORT], _sha(data))
        bucket.put(REMOTE_MANIFEST, data, manifests.TYPES[".json"], manifests.CACHE_CONTROL[manifests.SHORT], _sha(data))
        history.append(history_key)
    if todo.deletes:
        bucket.delete(todo.deletes)
        bucket.deleted += len(todo.deletes)
    _prune(bucket, history, remote, target.keep, {history_key: built} if todo.write_manifest else {})


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _prune(bucket: Bucket, history: list[str], remote: Remote, keep: int, known: dict[str, Manifest]) -> None:
    """Keep the newest `keep` manifests, and of the archive only what they need."""
    kept, dropped = history[-keep:], history[:-keep]
    needed: set[str] = set()
    for key in kept:
        manifest = known.get(key)
        if manifest is None:
            try:
                manifest = Manifest.from_bytes(bucket.get(key))
            except ValueError:
                continue
        needed |= {entry.sha256 for entry in manifest.files.values()}
    stale = [path for path in remote.etags if path.startswith(ARCHIVE) and path[len(ARCHIVE):] not in needed]
    if dropped or stale:
        bucket.delete(sorted(dropped + stale))


def rollback(target: PublishTarget, *, dry_run: bool = False, out: TextIO | None = None, err: TextIO | None = None,
             s3=None) -> int:
    """Put the previous published version back: its files from the live site or the archive (server-side
    copies, pages after what they use, listings last), its manifest, then delete what it did not have.
    The version rolled back from leaves the history, so a second rollback goes one further back."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        bucket = Bucket(target, s3 or client(target))
        remote = bucket.list()
        if len(remote.history) < 2:
            raise Refused("拒绝回滚：存储桶里没有上一个发布版本（只保留了 "
                          f"{len(remote.history)} 个；保留个数由 publish.keep 设置）")
        current_key, previous_key = remote.history[-1], remote.history[-2]
        try:
            previous = Manifest.from_bytes(bucket.get(previous_key))
        except ValueError as exc:
            raise Refused(f"拒绝回滚：上一版本的清单 {previous_key} 无法读取：{exc}") from None
        current = remote.manifest.files if remote.manifest else {}
        copies, missing = [], []
        for entry in previous.ordered():
            if remote.etags.get(entry.path) == entry.md5 and _same_headers(entry, current.get(entry.path)):
                continue
            if ARCHIVE + entry.sha256 in remote.etags:
                copies.append((ARCHIVE + entry.sha256, entry))
            elif remote.etags.get(entry.path) == entry.md5:
                copies.append((entry.path, entry))  # the bytes are there, only the headers differ
            else:
                missing.append(entry.path)
        if missing:
            raise Refused(f"拒绝回滚：上一版本有 {len(missing)} 个文件在存储桶里找不到（如 {missing[0]}），"
                          "无法完整恢复。请用那一版本的内容重新构建并发布")
        deletes = sorted(path for path in remote.etags if _site_path(path) and path not in previous.files)
        print(f"回滚到上一版本（构建时钟 {previous.clock}）：恢复 {len(copies)} 个文件，删除 {len(deletes)} 个", file=out)
        if dry_run:
            for _source, entry in copies:
                print(f"  恢复 {entry.path}", file=out)
            for path in deletes:
                print(f"  删除 {path}", file=out)
            print("（--dry-run：以上是将要做的事，什么也没有改动）", file=out)
            return 0
        progress = Progress(len(copies), sum(entry.size for _s, entry in copies), err)
        for source, entry in copies:
            bucket.copy(source, entry.path, entry)
            progress.advance(entry.size)
        progress.finish()
        bucket.copy(previous_key, REMOTE_MANIFEST)
        if deletes:
            bucket.delete(deletes)
        bucket.delete([current_key])
    except Refused as exc:
        print(str(exc), file=err)
        return 2
    except Interrupted as exc:
        print(f"回滚中断：{exc}。请检查网络后重新运行 unionpress publish --rollback", file=err)
        return 1
    print("回滚完成", file=out)
    return 0


NOTHING_SCHEDULED = "网站内容里没有定时变化（没有待发布的稿件、展览开闭幕、征文截止或专题推荐的起止）"


def next_change(site_dir: Path, timezone) -> tuple[str | None, str]:
    """(ISO time of the next change or None, message) from a built folder's next-change file."""
    target = manifests.next_change_file(site_dir)
    if not target.is_file():
        return None, f"没有 {target}：请先运行 mkdocs build"
    text = target.read_text(encoding="utf-8", errors="replace").strip()
    if not text:
        return None, NOTHING_SCHEDULED
    try:
        return dt.datetime.fromisoformat(text).astimezone(timezone).isoformat(), ""
    except ValueError:
        return None, f"{target} 的内容不是时间（「{text[:40]}」）：请重新运行 mkdocs build"


__all__ = ["publish", "rollback", "next_change", "checked_build", "plan", "Refused", "Interrupted"]
