"""End-to-end: the real OpenCode and Kilo load their config files in the order `status`
assumes. Every file either client could read (two project levels, `$HOME`'s config
directories, the global directory) holds its own `model`; from `repo/sub`, the client's own
`debug config` names the winner, `status` must name the same file, and the winner is removed
until none is left. The whole sequence is pinned in tests/test_resolve_layers.py; for Kilo
(2-3 s a start) this runs a part of it that still holds every kind of step: each name in one
directory, both project families on two levels, `.kilo` over `.kilocode` on each level and in
`$HOME`, an unread `.opencode`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import TEST_KEY
from e2e_support import OFFLINE_ENV, aigate, base_env, pinned_bin, run
from test_resolve_layers import (
    KILO_ORDER,
    OPENCODE_ORDER,
    WORKTREE_ORDER,
    layer_places,
    peel,
    repo,
    worktree_places,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

KILO_PART = (
    "H/.kilo/opencode.json", "H/.kilo/kilo.jsonc", "H/.kilocode/opencode.jsonc",
    "H/.kilocode/kilo.json", "R/.kilo/kilo.json", "R/.kilocode/opencode.jsonc",
    "R/sub/.kilo/kilo.jsonc", "R/sub/.kilocode/opencode.json", "R/sub/opencode.json",
    "R/opencode.jsonc", "R/sub/kilo.jsonc", "R/kilo.json", "G/opencode.jsonc", "G/kilo.json",
    "G/config.json", "R/.opencode/opencode.json", "H/.opencode/kilo.json",
)  # fmt: skip


def peel_with_binary(client: str, start: Path, places: dict[str, Path]) -> list[str]:
    """`peel` with the client's own `debug config` naming the winner; `status`, asked at each
    step, must name the same file (else the test fails with every disagreement)."""
    env = {**base_env(pinned_bin(), start, TEST_KEY), **OFFLINE_ENV[client]}
    by_model = {f"other/{name}": path for name, path in places.items()}
    disagreements: list[str] = []

    def winner() -> Path | None:
        r = run([client, "debug", "config"], env, start, 120.0)
        assert r.returncode == 0, r.describe()
        model = json.loads(r.stdout).get("model")
        theirs = by_model.get(model) if isinstance(model, str) else None
        s = aigate("status", "--format", "json", "--client", client, env=env, cwd=start)
        (res,) = json.loads(s.stdout)["clients"]
        origin = res["origins"]["model"]
        ours = origin.rsplit(":", 1)[0] if origin != "default" else None
        if (str(theirs) if theirs else None) != ours:
            disagreements.append(f"{client} uses {theirs} ({model}), status said {origin}")
        return theirs

    seen = peel(client, winner, places)
    assert disagreements == []
    return seen


@pytest.mark.parametrize("client", ["opencode", "kilo"])
def test_status_names_the_file_the_client_itself_uses(client: str, tmp_path: Path) -> None:
    root = repo(tmp_path / "R")
    order = OPENCODE_ORDER if client == "opencode" else KILO_ORDER
    part = OPENCODE_ORDER if client == "opencode" else KILO_PART
    seen = peel_with_binary(client, root / "sub", layer_places(client, root, part))
    assert seen == [name for name in order if name in part]


def test_kilo_from_a_linked_worktree_reads_the_main_ones_config_dirs(tmp_path: Path) -> None:
    """A real `git worktree add`: from `linked/sub`, Kilo reads the main work tree's `.kilo/`
    and `.kilocode/` (the same walk), below the linked one's; `status` names each winner."""
    bin_dir = pinned_bin()
    main = tmp_path / "main"
    main.mkdir()
    git_env = {**base_env(bin_dir, main, None), "GIT_CONFIG_NOSYSTEM": "1"}
    ident = ["-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    for argv in (
        ["git", "init", "-q"],
        ["git", *ident, "commit", "-q", "--allow-empty", "-m", "init"],
        ["git", "worktree", "add", "-q", str(tmp_path / "linked")],
    ):
        r = run(argv, git_env, main, 60.0)
        assert r.returncode == 0, r.describe()
    linked = tmp_path / "linked"
    start = linked / "sub"
    start.mkdir()
    places = worktree_places(main, linked)
    assert peel_with_binary("kilo", start, places) == list(WORKTREE_ORDER)
