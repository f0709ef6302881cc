"""The ``ecsimg`` command, the environment it runs in, and the seeded catalogues it runs on."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parent / "out"
RANDOM_SEED = 1
SEED_TIMEOUT_SECONDS = 3600.0
READY_SUFFIX = ".ready"
"""Beside a catalogue once its seed finished, so --keep never reuses a half-built one."""


class BenchmarkError(Exception):
    """A measurement or a catalogue that could not be made; one line for the report."""


def ecsimg_argv() -> list[str]:
    """The installed ``ecsimg`` script beside this interpreter, else ``python -m ecsimg``."""
    script = Path(sys.executable).parent / "ecsimg"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    found = shutil.which("ecsimg")
    return [found] if found else [sys.executable, "-m", "ecsimg"]


def child_env(home: Path) -> dict[str, str]:
    """The environment of every child: no user config, a fixed terminal, tasks that are done.

    ``home`` holds empty XDG folders so a user's config.toml or ECSIMG_DB cannot change a result.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECSIMG_")}
    for variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        folder = home / variable.lower()
        folder.mkdir(parents=True, exist_ok=True)
        env[variable] = str(folder)
    env.update({
        "ECSIMG_TASK_SECONDS_PER_GIB": "0",
        "TERM": "xterm-256color",
        "COLUMNS": "120",
        "LINES": "40",
        "LANG": env.get("LANG") or "C.UTF-8",
    })
    for variable in ("TEXTUAL", "TEXTUAL_DEVTOOLS_PORT", "NO_COLOR"):
        env.pop(variable, None)
    return env


def compile_package() -> str:
    """Write the bytecode of every ecsimg module, as installing a package does; where it went.

    An editable install run with PYTHONDONTWRITEBYTECODE set (as some CI and shared machines
    set it) writes no bytecode, so each ecsimg process would compile every module it imports
    again: 0.2-0.5 s a process here, which no installed copy pays.
    """
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("ecsimg")
    if spec is None or not spec.submodule_search_locations:
        raise BenchmarkError("the ecsimg package is not importable by this interpreter")
    folder = str(next(iter(spec.submodule_search_locations)))
    if not compileall.compile_dir(folder, quiet=1):
        raise BenchmarkError(f"cannot compile {folder}")
    return folder


def catalogue_folder(images: int, root: Path) -> Path:
    return root / f"catalogue-{images}-seed{RANDOM_SEED}"


def build_catalogue(images: int, root: Path, env: dict[str, str], *,
                    reuse: bool) -> tuple[Path, float | None]:
    """The seeded catalogue of ``images`` images and the seconds seeding took (None if reused)."""
    folder = catalogue_folder(images, root)
    ready = folder.with_name(folder.name + READY_SUFFIX)
    if reuse and ready.is_file() and folder.is_dir():
        return folder, None
    ready.unlink(missing_ok=True)
    if folder.exists():
        shutil.rmtree(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    argv = [*ecsimg_argv(), "--db", str(folder), "seed", "--images", str(images),
            "--random-seed", str(RANDOM_SEED)]
    started = time.perf_counter()
    try:
        done = subprocess.run(argv, env=env, capture_output=True, text=True,
                              timeout=SEED_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise BenchmarkError(f"seeding {images} images took over {SEED_TIMEOUT_SECONDS:.0f} s; "
                             f"command: {' '.join(argv)}") from None
    except OSError as err:
        raise BenchmarkError(f"cannot run {argv[0]}: {err}") from None
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BenchmarkError(
            f"cannot build the {images}-image catalogue (exit {done.returncode}): "
            f"{detail[-1] if detail else 'no output'}; command: {' '.join(argv)}")
    ready.write_text(f"{images} images, random seed {RANDOM_SEED}\n")
    return folder, elapsed


def catalogue_sizes(text: str) -> list[int]:
    """``--sizes 1000,10_000``: catalogue sizes in images, for argparse."""
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    if not sizes or any(n < 1 for n in sizes):
        raise argparse.ArgumentTypeError("sizes must be positive numbers, e.g. 1000,10000")
    return sizes
