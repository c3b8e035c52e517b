"""`python -m mkdocs …` and `python -m unionpress …`, many times, without paying their imports each time.

A test file that runs the command line a hundred times spends most of each short run importing MkDocs,
Markdown, Pillow and the engine (0.7 s of a 1 s failing build). `Commands` starts one server process
that imports them once and forks a child per command. The child is what `python -m` would be, minus
the imports: a new process that has built nothing (the server only imports; no module reads the
environment or the working folder at import), with the command's own working folder, environment,
argv, stdin (empty), stdout and stderr; it runs the module as `__main__` with runpy as `-m` does, and
ends as an interpreter does (atexit, threads joined, an uncaught exception printed, status 1).

The server also compiles the engine's page templates once, which a process keeps while they stay as
they are, and has Terser minify the pages' scripts once (pages/scripts.py keeps its output for the
process): a child building into a new project's cache writes them without starting Node.

What only an interpreter's start reads is the server's, not the command's: the hash seed (so a test of
deterministic output must build in fresh processes: `conftest.mkdocs_build(fresh=True)`), PYTHONPATH,
PYTHONWARNINGS, the stdio encoding, TZ. The modules run with `-m` are not preloaded (runpy would warn
and run them twice).
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What a build imports, found with `python -X importtime -m mkdocs build`: the rest is imported by the
# child itself, as a fresh process would.
PRELOAD = ("click", "mkdocs.config.defaults", "mkdocs.commands.build", "mkdocs.commands.serve",
           "unionpress.cli", "unionpress.engine", "unionpress.audit", "unionpress.outputs",
           "unionpress.outputs.manifest", "markdown.extensions.codehilite", "markdown.extensions.attr_list",
           "markdown.extensions.toc", "markdown.extensions.tables", "markdown.extensions.footnotes",
           "markdown.extensions.md_in_html", "PIL.Image", "PIL.JpegImagePlugin", "PIL.PngImagePlugin")

SERVER = r"""
import importlib, json, os, runpy, sys

for name in json.loads(sys.argv[1]):
    importlib.import_module(name)

# The engine keeps its compiled page templates for the process (pages/base.environment), as
# `mkdocs serve` does between builds: compiled here once, each child finds them (0.2 s a build).
from unionpress.pages.base import environment

templates = environment()
for name in templates.list_templates():
    templates.get_template(name)

# The pages' scripts minified once (0.9 s of Node a build into a new cache folder otherwise).
import shutil, tempfile
from pathlib import Path
from unionpress.pages.scripts import scripts

warm = Path(tempfile.mkdtemp(prefix="unionpress-forkrun-scripts-"))
try:
    scripts(warm / "pictures", Path.cwd())
except Exception:  # each build minifies for itself then, and says what fails
    pass
finally:
    shutil.rmtree(warm, ignore_errors=True)


def serve():
    # One request per line: a list of commands run side by side; the answer is their exit statuses.
    for line in sys.stdin:
        children = []
        for command in json.loads(line):
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                return command  # the child leaves the loop and becomes the command
            children.append(pid)
        codes = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children]
        print(json.dumps(codes), flush=True)
    sys.exit(0)


command = serve()
os.chdir(command["cwd"])
os.environ.clear()
os.environ.update(command["env"])
empty = os.open(os.devnull, os.O_RDONLY)
os.dup2(empty, 0)
os.close(empty)
sys.stdin = open(0, encoding="utf-8", closefd=False)
for fd, path in ((1, command["stdout"]), (2, command["stderr"])):
    out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(out, fd)  # sys.stdout and sys.stderr, flushed before the fork, now write here
    os.close(out)
sys.argv = [command["module"], *command["args"]]
runpy.run_module(command["module"], run_name="__main__", alter_sys=True)
"""


class Commands:
    """One server per test process; `run` takes commands as `[sys.executable, "-m", module, *args]`."""

    def __init__(self) -> None:
        self.server: subprocess.Popen | None = None
        self.folder = Path(tempfile.mkdtemp(prefix="unionpress-forkrun-"))
        self.count = 0

    def _start(self) -> subprocess.Popen:
        if self.server is None or self.server.poll() is not None:
            # Started under the environment a command gets, less what each command sets itself.
            env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
            self.server = subprocess.Popen([sys.executable, "-c", SERVER, json.dumps(PRELOAD)], env=env, cwd=ROOT,
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8")
        return self.server

    def run(self, *commands: tuple[list[str], dict[str, str], Path]) -> list[subprocess.CompletedProcess]:
        """Each (argv, env, cwd) at once, each in its own child; their results in order."""
        requests = []
        for argv, env, cwd in commands:
            assert argv[:2] == [sys.executable, "-m"], argv
            self.count += 1
            out, err = self.folder / f"{self.count}.out", self.folder / f"{self.count}.err"
            requests.append({"module": argv[2], "args": list(argv[3:]), "env": dict(env), "cwd": str(cwd),
                             "stdout": str(out), "stderr": str(err)})
        server = self._start()
        server.stdin.write(json.dumps(requests) + "\n")
        server.stdin.flush()
        answer = server.stdout.readline()
        if not answer:
            raise RuntimeError(f"the command server stopped (status {server.wait()})")
        done = []
        for request, (argv, _env, _cwd), code in zip(requests, commands, json.loads(answer)):
            out, err = Path(request["stdout"]), Path(request["stderr"])
            done.append(subprocess.CompletedProcess(argv, code, out.read_text(encoding="utf-8", errors="replace"),
                                                    err.read_text(encoding="utf-8", errors="replace")))
            out.unlink()
            err.unlink()
        return done

    def close(self) -> None:
        if self.server is not None and self.server.poll() is None:
            self.server.stdin.close()
            self.server.wait()
        for path in self.folder.glob("*"):
            path.unlink()
        self.folder.rmdir()


COMMANDS = Commands()
atexit.register(COMMANDS.close)
