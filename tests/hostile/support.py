"""Helpers for the hostile-input suite: documents, files and plugins written to do harm."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from conftest import ROOT


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def plugin_env(tmp_path: Path, body: str, name: str = "hostile_plugin") -> dict[str, str]:
    """An environment in which ``aimo`` loads a plugin (module source ``body``) from an
    installed distribution's entry point, as a third-party package would be loaded."""
    site = tmp_path / "site"
    write(site / name / "__init__.py", textwrap.dedent(body))
    dist = site / f"{name}-1.0.dist-info"
    write(dist / "METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    write(dist / "entry_points.txt", f"[aimo]\n{name} = {name}\n")
    env = {k: v for k, v in os.environ.items() if k != "AIMO_DISABLE_PLUGIN_AUTOLOAD"}
    env["PYTHONPATH"] = os.pathsep.join([str(site), str(ROOT / "src")])
    return env


def run_cli(
    *args: str | Path, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aimo", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
        timeout=timeout,
    )
