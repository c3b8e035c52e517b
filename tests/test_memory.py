"""memory.give_back: what a build's phase freed goes back to the system as the phase ends."""

from __future__ import annotations

import gc
import os
import platform
import subprocess
import sys

import pytest

from unionpress import engine, memory, timing

# Blocks under glibc's mmap threshold come from its heap; one kept on top of them holds the heap's
# top, so freeing the rest leaves them resident until the heap is trimmed.
_FRAGMENTED = """
import os, sys
from unionpress import memory
def resident():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 2**20
blocks = [bytearray(100_000) for _ in range(2000)]
top = bytearray(100_000)
grown = resident()
del blocks
freed = resident()
asked = memory.give_back()
print(grown, freed, resident(), asked)
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's heap and /proc")
def test_freed_memory_held_under_the_heaps_top_goes_back_to_the_system():
    out = subprocess.run([sys.executable, "-c", _FRAGMENTED], capture_output=True, text=True, check=True).stdout
    grown, freed, after, asked = out.split()
    assert asked == "True"
    assert int(freed) > int(grown) - 50  # freed by Python, still the process's
    assert int(after) < int(freed) - 150  # 190 MiB handed back


def test_each_phase_of_a_process_that_builds_once_gives_back_what_it_freed_as_it_ends(monkeypatch):
    calls: list[str] = []
    phases = timing.Phases()
    monkeypatch.setattr(memory, "give_back", lambda: calls.append("trim") or True)
    monkeypatch.setattr(memory, "_between_phases", False)
    with phases("model"):  # `unionpress serve`: a model on every edit, nothing handed back between
        calls.append("model")
    assert calls == ["model"]
    before = gc.get_threshold()
    try:
        engine.collect_less()  # `mkdocs build`, `unionpress check`
    finally:
        gc.set_threshold(*before)  # the collector's pace of this test process, as it was
    with phases("load"):
        calls.append("load")
    with pytest.raises(ValueError), phases("render"):
        raise ValueError("a phase that fails gives back too")
    assert calls == ["model", "load", "trim", "trim"] and set(phases.seconds) == {"model", "load", "render"}


_PROBE = """
import sys, weakref
from unionpress import audit, engine
made = []
prepare = engine.prepare
engine.prepare = lambda *a, **k: made.append(weakref.ref(built := prepare(*a, **k))) or built
audit_ = audit.audit
def probed(*a, **k):
    print("model alive at the audit:", [ref() is not None for ref in made])
    return audit_(*a, **k)
audit.audit = probed
if sys.argv[1] == "--fail-after-the-outputs":  # an engine fault taking what the manifest needs of the model
    from unionpress.outputs import manifest
    def broken(build):
        raise RuntimeError("模拟的程序错误")
    manifest.sealing = broken
    del sys.argv[1]
from mkdocs.__main__ import cli
try:
    cli(sys.argv[1:])
finally:
    print("pypinyin loaded:", "pypinyin" in sys.modules)
"""


def _build(tmp_path, content=None, *probe, own_cache=True):
    """The probe's lines and the build's messages. `own_cache`: a cache of the test's own (else the suite's)."""
    from conftest import BASE, NOW, ROOT

    env = dict(os.environ, UNIONPRESS_NOW=NOW, UNIONPRESS_CONTENT=str(content or BASE), NO_MKDOCS_2_WARNING="1")
    if own_cache:
        env["UNIONPRESS_CACHE"] = str(tmp_path / "cache")
    env.pop("UNIONPRESS_PREVIEW", None)
    run = subprocess.run([sys.executable, "-c", _PROBE, *probe, "build", "-q", "-f", str(ROOT / "mkdocs.yml"),
                          "-d", str(tmp_path / "site")], capture_output=True, text=True, env=env, cwd=ROOT)
    assert run.returncode == (1 if probe else 0), run.stderr
    return run.stdout.splitlines(), run.stderr


def test_a_build_lets_its_model_go_before_the_audit(tmp_path):
    """The audit is a build's highest point in memory: the model (100 MiB of 450 at 10,000 stories)
    must be gone by then, its cycles too (they hold it without the collector: engine.let_go)."""
    assert _build(tmp_path, own_cache=False)[0][0] == "model alive at the audit: [False]"
    assert (tmp_path / "site/_unionpress/manifest.json").is_file()  # the manifest is written without it


def test_a_fault_after_the_outputs_is_audited_and_its_traceback_lets_the_model_go(tmp_path):
    """What the manifest needs is taken after the outputs, as one of their steps: a fault there must not
    keep the audit from running (the probe's line is the audit called), and the traceback shown after
    it must not hold the model through it."""
    lines, messages = _build(tmp_path, None, "--fail-after-the-outputs", own_cache=False)
    assert lines[0] == "model alive at the audit: [False]"
    assert ("UnionPress 输出「manifest」生成时程序出错（RuntimeError: 模拟的程序错误）。已写出的文件已通过发布检查；"
            "此次构建不完整，请勿发布，并把下面的错误信息告诉维护人员。") in messages and "Traceback" in messages
    assert not (tmp_path / "site/_unionpress/manifest.json").exists()


def test_a_warm_build_never_loads_pypinyins_dictionary(tmp_path):
    """57 MiB from its import on (pinyin.py): the tags', awards' and search's pinyin of the last build
    answer the next one; a new tag's pinyin loads it again."""
    import shutil

    from conftest import BASE, write_story

    content = tmp_path / "content"
    shutil.copytree(BASE, content)
    assert _build(tmp_path, content)[0][-1] == "pypinyin loaded: True"  # the first build asks pypinyin
    assert _build(tmp_path, content)[0][-1] == "pypinyin loaded: False"
    write_story(content, "new-tag", tags=["新的标签"])
    assert _build(tmp_path, content)[0][-1] == "pypinyin loaded: True"


def test_a_failures_whole_chain_lets_go_of_what_its_frames_held():
    """The model may be held only by a deeper traceback: an exception raised while handling another
    (its context) or from another (its cause) reaches frames the outer traceback does not."""
    import gc
    import importlib.util
    import traceback
    import weakref

    from conftest import ROOT

    spec = importlib.util.spec_from_file_location("unionpress_hooks_frames", ROOT / "hooks/build.py")
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)

    class Model:
        pass

    def deep(model):
        raise KeyError("inner")

    def outer():
        model = Model()
        held.append(weakref.ref(model))
        try:
            deep(model)
        except KeyError:
            del model
            raise RuntimeError("outer")  # raised while handling the first: it is the context

    held: list = []
    for wrap in (False, True):
        try:
            outer()
        except RuntimeError as exc:
            failure = hooks.outputs.OutputFailed("gallery", exc) if wrap else exc
        gc.collect()
        before = held[-1]() is not None  # the inner traceback's frame of deep() holds it
        hooks._clear_frames(failure)  # the failure is kept, as the hook keeps it to raise after the audit
        gc.collect()
        after = held[-1]() is not None
        assert (before, after) == (True, False)
        shown = "".join(traceback.format_exception(failure.cause if wrap else failure))
        assert "KeyError: 'inner'" in shown and "in deep" in shown  # its lines are still shown
