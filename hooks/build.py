"""MkDocs hooks: adapt MkDocs events to the UnionPress engine, and nothing else.

mkdocs.yml names this file under `hooks:`. The engine (hooks/unionpress) is installed as a package
by scripts/setup, so the scripts and tests import the very same code. Our pages are complete HTML
documents made by the engine; MkDocs copies them like static files, renders the hand-written pages
in docs/ from Markdown (the engine puts the page around them), serves, and watches.
"""

from __future__ import annotations

import time

_IMPORTING = time.perf_counter()  # the engine's imports below are part of every build's start-up

import dataclasses  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import traceback  # noqa: E402
from pathlib import Path  # noqa: E402

from markupsafe import Markup
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

from unionpress import audit as up_audit
from unionpress import config as up_config
from unionpress import derived, engine, outputs, buildmemo
from unionpress.findings import Findings
from unionpress.outputs import manifest as up_manifest

_IMPORTED = time.perf_counter()

log = logging.getLogger("mkdocs.hooks.unionpress")
THEME = Path(engine.__file__).parent / "pages/theme"  # the template of hand-written pages
_state: dict = {}
_command: dict = {}  # the mkdocs command of this process (build, serve, gh-deploy), from on_startup
# When MkDocs' own steps began and ended (perf_counter), for the phase table: the time between our
# events is MkDocs' (emptying the site folder, copying files, the hand-written pages).
_marks: dict[str, float] = {}
_clearing: list[tuple[list[Path], subprocess.Popen | None]] = []  # the previous build's files, deleted while this one runs

ONE_MODEL = ("build", "gh-deploy")  # commands whose process makes one model; `serve` makes one per change
GH_DEPLOY_PREVIEW = ("预览构建（UNIONPRESS_PREVIEW=1）含草稿和未到发布时间的内容，不能用 mkdocs gh-deploy 发布："
                     "请去掉 UNIONPRESS_PREVIEW 后再运行 mkdocs gh-deploy")


def on_startup(command, dirty):
    _marks.clear()
    _marks["startup"] = time.perf_counter()
    _command["name"] = command
    _command["dirty"] = dirty
    derived.forget_asides()  # only this command's build sets its folder aside
    if command in ONE_MODEL:
        engine.collect_less()


def _union_stylesheets(config) -> list[str]:
    """The union's own additions (mkdocs.yml extra_css), loaded after the engine's sheets."""
    return [str(sheet) for sheet in config.extra_css]


def on_config(config):
    """Read, check, link and render all content once per build (the clock is read afresh each time)."""
    _marks["config"] = time.perf_counter()
    findings = Findings()
    config_file = Path(config.config_file_path)
    extensions = [{name: config.mdx_configs[name]} if name in config.mdx_configs else name
                  for name in config.markdown_extensions]
    site = {"site_name": config.site_name, "site_url": config.site_url, "site_description": config.site_description,
            "copyright": config.copyright, "extra": config.extra, "markdown_extensions": extensions,
            "nav": config.nav, "docs_dir": config.docs_dir}
    try:
        lines = up_config.setting_lines(config_file.read_text(encoding="utf-8"))
        settings = up_config.from_mapping(config_file.parent, site, findings, lines=lines)
    except up_config.SettingsError as exc:
        raise PluginError(str(exc)) from None
    # Material prints site_name unescaped in places (an aria-label, <title>): give it the text escaped
    # once (a Markup is not escaped again where Material does escape), controls already removed.
    config.site_name = Markup.escape(settings.site_name)
    settings = dataclasses.replace(settings, stylesheets=tuple(_union_stylesheets(config)))  # settings are frozen
    if settings.preview and _command.get("name") == "gh-deploy":
        # gh-deploy pushes whatever folder the build wrote: a preview's drafts would go public.
        raise PluginError(GH_DEPLOY_PREVIEW)
    if settings.preview and Path(config.site_dir).resolve() == (config_file.parent / "site").resolve():
        # A preview never lands where production is published from.
        config.site_dir = str(config_file.parent / "site-preview")
    # A hand-written page is the engine's page around MkDocs' HTML (pages/theme/main.html), whatever
    # the site's own theme folders hold.
    config.theme.dirs.insert(0, str(THEME))
    # Our engine writes the 404 page and the sitemap (from the public view); MkDocs must not.
    for template in ("404.html", "sitemap.xml", "sitemap.xml.gz"):
        config.theme.static_templates.discard(template)
    # A page the last build of this folder wrote alike is linked from it, not written (derived.
    # Rewritten); not for serve, whose every full build has a folder of its own. A body or page made
    # of what it was made of at the last build is not even rendered (buildmemo).
    rewritten = (derived.Rewritten(settings.cache_dir, Path(config.site_dir), "pages")
                 if _command.get("name") != "serve" else None)
    kept = (buildmemo.BuildMemo(settings, Path(config.site_dir), rewritten)
            if rewritten is not None and not derived.fresh() else None)
    build = engine.prepare(settings, findings, kept=kept)
    if _command.get("name") in ONE_MODEL:
        engine.keep_until_the_end()
    staging = _staging(Path(config.site_dir))
    try:
        rendered = build.render(into=staging, rewritten=rewritten, kept=kept)
        if rewritten is not None:
            rewritten.save()
        if kept is not None:
            kept.save(build.pages)
            log.debug(f"UnionPress 页面：{len(rendered.written)} 页中 {kept.linked} 页沿用上次构建的文件，未重新生成；"
                      f"正文：{len(build.bodies)} 篇中 {kept.bodies_kept} 篇沿用；电子书 {kept.books_kept} 本沿用")
        _report(findings, strict=bool(config.strict))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _state.clear()
    _state.update(build=build, rendered=rendered, staging=staging)
    _marks["config done"] = time.perf_counter()
    return config


def _staging(site_dir: Path) -> Path:
    """A new folder beside the site folder for the pages as they are rendered. They are rendered now,
    before MkDocs empties the site folder, and written at once rather than held in memory (hundreds
    of MB at 10,000 stories); beside it, on the same file system, on_files moves each in by a rename."""
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-unionpress-pages-", dir=site_dir.parent))


def on_build_error(error):
    _finish_clearing()
    staging = _state.get("staging")
    if staging is not None:  # a build that failed between rendering and on_files leaves no folder behind
        shutil.rmtree(staging, ignore_errors=True)
    if "site_dir" in _state:  # nor a search index still being made
        outputs.cancel(_state["site_dir"])


def on_pre_build(config):
    # No manifest or marker of an earlier build may describe this one (`mkdocs build --dirty` keeps files).
    up_manifest.clear(Path(config.site_dir))
    if _command.get("name") == "build" and not _command.get("dirty"):
        _clear_in_background(Path(config.site_dir))
    _marks["pre_build"] = time.perf_counter()


def _clear_in_background(site_dir: Path) -> None:
    """Empty the site folder now, as MkDocs is about to (every entry but the hidden ones), by moving its
    entries into a hidden folder beside it, one rename each, and deleting that folder in another
    process while the build goes on: deleting 13,000 files of the last build one by one took MkDocs 2
    to 25 seconds on a busy disk, with nothing else happening. A process, not a thread: a thread
    deleting 130,000 files took the GIL from the build at every file. The build waits for it before
    it ends (on_post_build, on_build_error, on_shutdown), so no old file outlives it and its time is
    counted. The folders of the WeChat packages and partner bundles are set aside in a folder of
    their own instead, for the outputs to move back in what is still the same (derived.set_aside),
    and deleted, with what was not, once the outputs have run."""
    try:
        entries = [entry for entry in os.listdir(site_dir) if not entry.startswith(".")]
    except OSError:
        entries = []  # no folder yet: nothing to empty
    prefix = f".{site_dir.name}-unionpress-old-"
    # What an interrupted build left moved aside (killed before its deleting was done) goes too.
    try:
        trashes = sorted(site_dir.parent / name for name in os.listdir(site_dir.parent) if name.startswith(prefix))
    except OSError:
        trashes = []
    carry = None
    if entries:
        trash = Path(tempfile.mkdtemp(prefix=prefix, dir=site_dir.parent))
        trashes.append(trash)
        try:
            for entry in entries:
                if entry in outputs.CARRIED:
                    carry = carry or Path(tempfile.mkdtemp(prefix=prefix, dir=site_dir.parent))
                    os.rename(site_dir / entry, carry / entry)
                else:
                    os.rename(site_dir / entry, trash / entry)
        except OSError:
            pass  # what could not be moved MkDocs deletes itself (clean_directory), as without us
    derived.set_aside(site_dir, carry)
    _state["carry"] = carry
    if trashes:
        _clearing.append((trashes, _deleter(trashes)))


def _deleter(trashes: list[Path]) -> subprocess.Popen | None:
    try:
        # Its own session: a Ctrl-C to the build does not stop the deleting halfway.
        return subprocess.Popen([sys.executable, "-c", _DELETE, *map(os.fspath, trashes)],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
    except OSError:
        return None  # deleted at the end instead


def _carry_done() -> None:
    """The outputs have run: what they did not move back in of the previous build's exports is deleted
    like the rest of it, in another process while the audit runs."""
    carry = _state.pop("carry", None)
    if carry is not None:
        _clearing.append(([carry], _deleter([carry])))


_DELETE = "import shutil, sys; [shutil.rmtree(folder, ignore_errors=True) for folder in sys.argv[1:]]"


def _finish_clearing() -> None:
    carry = _state.pop("carry", None)  # a build that failed before its outputs
    if carry is not None:
        shutil.rmtree(carry, ignore_errors=True)
    while _clearing:
        trashes, process = _clearing.pop()
        if process is not None:
            process.wait()
        for trash in trashes:  # whatever the process left (or it never ran)
            shutil.rmtree(trash, ignore_errors=True)


def on_shutdown():
    _finish_clearing()


def _report(findings: Findings, strict: bool) -> None:
    for finding in findings.sorted():
        if not finding.is_error:
            log.warning(finding.format())
    # Under --strict our warnings fail the build ourselves, like `check --strict`: MkDocs only counts
    # warnings that its log level lets through, and `-q` lets none through.
    if findings.errors or (strict and findings.warnings):
        raise PluginError("UnionPress 内容检查未通过：\n" + findings.report())


def on_files(files, config):
    _marks["files"] = time.perf_counter()
    build, rendered, staging = _state["build"], _state["rendered"], _state["staging"]
    site_dir = Path(config.site_dir)
    made: set[str] = set()  # the pages' files: the engine's, none of them the theme's
    # The search index starts now, in its own process: MkDocs has emptied the site folder, and moving
    # the pages in, MkDocs' own work and the other outputs keep the first core busy meanwhile.
    outputs.start(build, site_dir)
    _state["site_dir"] = site_dir
    findings = Findings()
    clashing = {page.output for page in rendered.written if files.get_file_from_path(page.output) is not None}
    moved = _move_folders(staging, site_dir, [page.output for page in rendered.written], clashing)
    for page in rendered.written:
        existing = files.get_file_from_path(page.output)
        if existing is not None:  # a file of docs/ (a page MkDocs renders, or one it copies) writes it too
            source = (build.settings.display(Path(existing.abs_src_path)) if existing.abs_src_path
                      else f"{Path(config.docs_dir).name}/{existing.src_uri}")
            findings.add(source, 1, "duplicate-output", url=page.url, other=engine.made_by(page))
            continue
        target = site_dir / page.output
        if page.output not in moved:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(staging / page.output, target)  # a rename: the staging folder is beside site_dir
        files.append(_InPlace.generated(config, page.output, abs_src_path=str(target)))
        made.add(str(target))
    shutil.rmtree(staging, ignore_errors=True)
    cache = os.path.abspath(build.settings.cache_dir) + os.sep
    folders: set[Path] = set()
    for src_uri, path in sorted(rendered.assets.items()):
        if files.get_file_from_path(src_uri) is None:
            # A variant linked in place is not told to MkDocs: it has nothing to do with it, and 18,600
            # File objects at 10,000 stories were 20 MiB held to the build's end. One it must copy is.
            if _linked(path, site_dir / src_uri, cache, folders) == path:
                files.append(File.generated(config, src_uri, abs_src_path=str(path)))
    if findings.errors:
        raise PluginError("UnionPress 内容检查未通过：\n" + findings.report())
    _drop_theme_assets(files, config)
    _state["shipped"] = _shipped(files, config, made)
    _marks["files done"] = time.perf_counter()
    return files


class _InPlace(File):
    """A page the engine has moved in at its place in the site folder itself: MkDocs' copy would only
    find the very file there (two makedirs and two samefile stats each, a second for the 37,000 files
    of 10,000 stories). Told to MkDocs all the same, so that a hand-written page's link to it is checked."""

    def copy_file(self, dirty: bool = False) -> None:
        pass


def _move_folders(staging: Path, site_dir: Path, outputs: list[str], clashing: set[str]) -> set[str]:
    """Move each top-level folder of the staged pages into the site folder by one rename where the site
    folder has no entry of that name yet and the folder holds exactly the pages named for it, none of
    them clashing with a file of docs/ (those pages stay behind, as one by one); returns the pages
    moved. 2,000 pages were 2,000 mkdirs and renames."""
    tops: dict[str, set[str]] = {}
    for output in outputs:
        tops.setdefault(output.split("/", 1)[0], set()).add(output)
    moved: set[str] = set()
    site_dir.mkdir(parents=True, exist_ok=True)
    for top, pages in tops.items():
        source, target = staging / top, site_dir / top
        if pages & clashing or os.path.lexists(target) or not source.is_dir():
            continue
        found = {f"{top}{folder[len(str(source)):]}/{name}"  # strings: pathlib's joins cost a second here
                 for folder, _dirs, names in os.walk(str(source)) for name in names}
        if found != pages:
            continue
        try:
            os.rename(source, target)
        except OSError:
            continue  # moved one by one instead
        moved |= pages
    return moved


def _linked(source: Path, target: Path, cache: str, folders: set[Path]) -> Path:
    """A picture variant of the cache put in the site folder as a second name of the same file (a hard
    link: 4,000 copies of 150 MB took MkDocs a second), which MkDocs then leaves as it is, like the
    pages; the source where that cannot be done (another file system, a file already there), for
    MkDocs to copy. Only the cache's variants: they are written whole under a new name and never
    changed in place, and the pipeline checks each one's SHA-256 before it uses it again, so a site
    file changed in place afterwards cannot make a later build publish it. Never a content file: an
    editor saving over it would change the published copy without a build or its audit."""
    try:
        if not os.path.abspath(source).startswith(cache):  # lexically: the pipeline names its files itself
            return source
        if target.parent not in folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            folders.add(target.parent)
        os.link(source, target)
    except OSError:
        return source
    return target


THEME_KEEPS = ("assets/images/",)  # the favicon; the theme's stylesheets and scripts no page loads


def _drop_theme_assets(files, config) -> None:
    """The theme's own stylesheets, scripts and search workers are not published: no page loads them
    (pages/styles.py), and 2 MB of unused files would only be uploaded, precached by nobody, audited."""
    themes = [Path(folder).resolve() for folder in config.theme.dirs]
    for file in list(files):
        if file.src_uri.startswith("assets/") and not file.src_uri.startswith(THEME_KEEPS) and file.abs_src_path \
                and any(Path(file.abs_src_path).resolve().is_relative_to(theme) for theme in themes):
            files.remove(file)


SHIPPED_TEXT = (".js", ".mjs", ".json", ".css", ".html", ".svg", ".txt")


def _shipped(files, config, made: set[str] = frozenset()) -> list[Path]:
    """The theme's files published as they are (its scripts, e.g. the word segmenter of its search),
    and its strings in the site's language: text the site shows that no content wrote, which the
    audit must not mistake for a hidden person's name. The engine's own pages (`made`) are skipped
    unresolved: resolving 2,000 paths cost a second."""
    themes = [Path(folder).resolve() for folder in config.theme.dirs]
    found = []
    for file in files:
        if file.abs_src_path and file.abs_src_path not in made and file.src_uri.lower().endswith(SHIPPED_TEXT):
            path = Path(file.abs_src_path).resolve()
            if any(path.is_relative_to(theme) for theme in themes):
                found.append(path)
    language = config.theme.get("language") or ""
    found += [theme / "partials/languages" / f"{language}.html" for theme in themes]
    return [path for path in found if path.is_file()]


def on_page_context(context, page, config, nav):
    # A hand-written page is rendered whole by the engine around MkDocs' HTML of its Markdown
    # (pages/theme/main.html prints it): the same page as ours, no theme stylesheet or script.
    meta = page.meta or {}
    context["unionpress"] = Markup(_state["build"].renderer.handwritten(
        page.url, str(meta.get("title") or page.title or ""),
        str(meta.get("description") or config.site_description or ""), page.content or ""))
    return context


@event_priority(-100)  # last: the audit must see every file every plugin wrote
def on_post_build(config):
    _marks["post_build"] = time.perf_counter()
    phases = _state["build"].phases  # not the build: _post_build lets it go before the audit
    _mkdocs_phases(phases)
    try:
        _post_build(config)
    finally:
        with phases("wait: previous site deleted"):
            _finish_clearing()
        _phases(phases)


def _post_build(config) -> None:
    build = _state["build"]
    settings, phases = build.settings, build.phases
    site_dir = Path(config.site_dir)
    failed: outputs.OutputFailed | None = None
    if settings.preview:  # first: whatever fails later, the folder says it must not be published
        up_manifest.write_preview_marker(site_dir)
    sealing: up_manifest.Sealing | None = None
    step = "outputs.run"
    try:
        outputs.run(build, site_dir)
        # What the manifest needs of the model is taken here, before the model goes at the audit: a
        # fault in it is then a failed output like any other, and cannot keep the audit from running.
        step = "manifest"
        sealing = up_manifest.sealing(build)
    except Exception as exc:  # whatever failed, what was written before it (every page) is audited all the same
        failed = exc if isinstance(exc, outputs.OutputFailed) else outputs.OutputFailed(step, exc)
    finally:
        _carry_done()
    # The audit passed: the manifest says so, and publish needs it (not while `mkdocs serve` rebuilds
    # into a temporary folder nobody publishes: hashing every file would slow each rebuild). Its files
    # are read and hashed in another process while the audit runs; only a passed audit writes it.
    manifest = not settings.preview and _command.get("name") != "serve" and failed is None
    hashing = (up_manifest.Hashing(site_dir, derived.memo_file(settings.cache_dir, "hashed", site_dir, ".marshal"))
               if manifest else None)
    try:
        with phases("audit"):
            secrets = up_audit.secrets(build, _state.get("shipped", ()))
            one_model = _command.get("name") in ONE_MODEL
            if one_model:
                # All the audit and the manifest need of the model is taken: it goes now, not at the
                # process's end. The audit is the build's highest point in memory (the model, what
                # the outputs left, and the audit's own reading: 590 MiB at 10,000 stories).
                del build
                _state.pop("build")
                _state.pop("rendered", None)
                if failed is not None:  # its tracebacks' frames hold the model; their lines are still shown
                    _clear_frames(failed)
                engine.let_go()
            # What each file held is kept for the next build of this folder (not for serve's new
            # temporary folders): most files of a site come back unchanged.
            memo = up_audit.memo_path(settings.cache_dir, site_dir) if one_model else None
            leaks = up_audit.audit(site_dir, secrets, pages_may_show=settings.preview, site_url=settings.site_url,
                                   memo=memo)
    except BaseException:
        if hashing is not None:
            hashing.cancel()
        raise
    report = up_audit.report(leaks, site_dir) if leaks else ""
    if failed is None:
        if report:
            if hashing is not None:
                hashing.cancel()
            raise PluginError(report)
        with phases("manifest"):
            assert sealing is not None  # no output failed
            up_manifest.write_next_change(site_dir, sealing.next_change)
            if hashing is not None:
                up_manifest.write(site_dir, sealing, hashing)
        return
    audited = "已写出的文件已通过发布检查" if not leaks else "已写出的文件中发现泄露（见下），已删除"
    if isinstance(failed.cause, outputs.SearchIndexError):  # expected: Node or Pagefind missing or failing
        message = f"UnionPress 输出「{failed.name}」生成失败：{failed.cause}\n{audited}；此次构建不完整，请勿发布。"
        raise PluginError("\n".join(filter(None, (message, report)))) from None
    # A fault of the engine itself: the audit has run, and then the traceback is shown, not hidden.
    log.error(f"UnionPress 输出「{failed.name}」生成时程序出错（{type(failed.cause).__name__}: {failed.cause}）。"
              f"{audited}；此次构建不完整，请勿发布，并把下面的错误信息告诉维护人员。")
    if report:
        log.error(report)
    raise failed.cause


def _clear_frames(failure: BaseException) -> None:
    """The finished frames of a failure's tracebacks, and of every exception it was raised from or while
    handling (a deeper traceback may hold frames the outer one does not), let go of their locals."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [failure]
    while todo:
        found = todo.pop()
        if found is None or id(found) in seen:
            continue
        seen.add(id(found))
        traceback.clear_frames(found.__traceback__)
        todo += [found.__cause__, found.__context__, getattr(found, "cause", None)]


def _mkdocs_phases(phases) -> None:
    """MkDocs' own steps between our events, and our start-up, put in the phase table in the order they
    ran: what is left of the build's time is Python's and MkDocs' start-up and exit."""
    marks = _marks
    if not {"startup", "config", "config done", "files", "files done", "post_build"} <= marks.keys():
        return  # not a build started by the mkdocs command (a test calling the hooks)
    engine_phases = dict(phases.seconds)
    phases.seconds.clear()
    phases.seconds.update({"start-up: engine imports": _IMPORTED - _IMPORTING,
                                 "mkdocs: mkdocs.yml, theme": marks["startup"] - _IMPORTED,
                                 **engine_phases,
                                 "mkdocs: empty site folder, list files": marks["files"] - marks["config done"],
                                 "pages moved in": marks["files done"] - marks["files"],
                                 "mkdocs: copy files, docs/ pages": marks["post_build"] - marks["files done"]})


def _phases(phases) -> None:
    """Where the engine's time went: in the verbose log, and for scripts/bench in UNIONPRESS_PHASES."""
    log.debug("UnionPress 各阶段用时：" + phases.line())
    target = os.environ.get("UNIONPRESS_PHASES")
    if target:
        phases.write(Path(target))


def on_serve(server, config, builder):
    # `mkdocs serve` watches docs/ only; editors work in the content folder.
    server.watch(str(_state["build"].settings.content_dir))
    return server
