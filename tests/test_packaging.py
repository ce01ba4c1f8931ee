"""A non-editable install (the built wheel, unpacked) ships and finds every template."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_wheel_ships_every_template(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(dist)],
        cwd=REPO,
        check=True,
        capture_output=True,
        timeout=120,
    )
    (wheel,) = dist.glob("aigate_setup-*.whl")
    sources = sorted(
        p.relative_to(REPO / "templates").as_posix()
        for p in (REPO / "templates").rglob("*")
        if p.is_file()
    )
    assert sources, "templates/ is empty"
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        zf.extractall(tmp_path / "site")
    for rel in sources:
        assert f"aigate_setup/templates/{rel}" in names

    # Import the unpacked wheel (not the checkout) and render through the real loader.
    probe = (
        "import aigate_setup, aigate_setup.paths as p, pathlib, sys\n"
        "root = pathlib.Path(sys.argv[1])\n"
        "assert pathlib.Path(aigate_setup.__file__).is_relative_to(root), aigate_setup.__file__\n"
        "t = p.templates_dir()\n"
        "assert t == root / 'aigate_setup' / 'templates', t\n"
        "print('\\n'.join(sorted(x.relative_to(t).as_posix() for x in t.rglob('*') if x.is_file())))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    out = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path / "site")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == sources
