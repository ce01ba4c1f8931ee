"""`aigate-setup doctor --fix`: repairs with a backup, and nothing when nothing is broken."""

from __future__ import annotations

from conftest import run_cli
from doctor_support import (
    ENV,
    claude_sh,
    codex_toml,
    doctor,
    edit,
    get,
    init,
)

from aigate_setup.testing import FakeGateway

# --------------------------------------------------------------------------- --fix


def test_fix_repairs_owned_parts_with_backup(fake_gateway: FakeGateway) -> None:
    init(fake_gateway, "codex", "claude")
    edit(
        codex_toml(),
        f'base_url = "{fake_gateway.base_url}"',
        'base_url = "http://wrong.example/v1"',
    )
    edit(codex_toml(), 'env_key = "AIGATE_API_KEY"', 'env_key = "OTHER_KEY"')
    with codex_toml().open("a") as fh:
        fh.write("\n# my own comment\n")
    text = claude_sh().read_text()
    claude_sh().write_text("\n".join(ln for ln in text.splitlines() if "HAIKU" not in ln) + "\n")

    r = run_cli(
        "doctor",
        "--base-url",
        fake_gateway.base_url,
        "--client",
        "codex",
        "--client",
        "claude",
        "--fix",
        env=ENV,
    )
    assert r.exit_code == 1
    assert "rerun with --fix --yes" in r.stdout
    assert '-base_url = "http://wrong.example/v1"' in r.stdout  # the diff is shown
    assert "wrong.example" in codex_toml().read_text()  # nothing written without --yes

    r = run_cli(
        "doctor",
        "--base-url",
        fake_gateway.base_url,
        "--client",
        "codex",
        "--client",
        "claude",
        "--fix",
        "--yes",
        env=ENV,
    )
    assert r.exit_code == 0, r.output
    assert "--fix: updated ~/.codex/config.toml (codex)" in r.stdout
    assert "--fix: undo with: aigate-setup restore " in r.stdout
    fixed = codex_toml().read_text()
    assert f'base_url = "{fake_gateway.base_url}"' in fixed
    assert 'env_key = "AIGATE_API_KEY"' in fixed and "# my own comment" in fixed
    assert "ANTHROPIC_DEFAULT_HAIKU_MODEL" in claude_sh().read_text()
    _, checks = doctor(fake_gateway, "--offline", "--client", "codex", "--client", "claude")
    assert get(checks, "codex.base_url")["status"] == "pass"
    assert get(checks, "claude.slots")["status"] == "pass"


def test_fix_with_nothing_to_repair(fake_gateway: FakeGateway) -> None:
    init(fake_gateway, "codex")
    r = run_cli(
        "doctor",
        "--offline",
        "--base-url",
        fake_gateway.base_url,
        "--client",
        "codex",
        "--fix",
        "--yes",
        env=ENV,
    )
    assert r.exit_code == 0
    assert "--fix: nothing aigate-setup owns needs a repair." in r.stdout
