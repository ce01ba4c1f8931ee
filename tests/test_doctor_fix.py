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
    opencode_json,
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


def test_fix_never_replaces_a_working_url_with_the_default(fake_gateway: FakeGateway) -> None:
    """No --base-url, no state file, clients that disagree: doctor checks the default gateway,
    but --fix keeps each client's own URL and repairs only the broken key reference."""
    init(fake_gateway, "codex", "opencode")
    other = f"http://localhost:{fake_gateway.port}/v1"
    edit(opencode_json(), fake_gateway.base_url, other)
    edit(codex_toml(), 'env_key = "AIGATE_API_KEY"', 'env_key = "OTHER_KEY"')
    r = run_cli("doctor", "--offline", "--fix", "--yes", env=ENV)
    assert "--fix: updated ~/.codex/config.toml (codex)" in r.stdout, r.output
    text = codex_toml().read_text()
    assert f'base_url = "{fake_gateway.base_url}"' in text
    assert 'env_key = "AIGATE_API_KEY"' in text
    assert other in opencode_json().read_text()
    assert "api.aigate.shop" not in text + opencode_json().read_text()


def test_fix_never_changes_the_claude_main_model(fake_gateway: FakeGateway) -> None:
    init(fake_gateway, "claude")
    edit(
        claude_sh(), "ANTHROPIC_MODEL='openai/gpt-5.5'", "ANTHROPIC_MODEL='deepseek/deepseek-v3.2'"
    )
    text = claude_sh().read_text()
    claude_sh().write_text("\n".join(ln for ln in text.splitlines() if "HAIKU" not in ln) + "\n")
    r = run_cli(
        "doctor", "--base-url", fake_gateway.base_url, "--client", "claude", "--fix", "--yes",
        env=ENV,
    )  # fmt: skip
    assert "ANTHROPIC_MODEL='deepseek/deepseek-v3.2'" in claude_sh().read_text()
    assert "--fix: left ~/.config/aigate/aigate-claude.sh as it is" in r.stdout, r.output
    assert "ANTHROPIC_MODEL 'deepseek/deepseek-v3.2' -> " in r.stdout


def test_fix_never_replaces_the_default_model_of_a_client(fake_gateway: FakeGateway) -> None:
    opencode_json().parent.mkdir(parents=True)
    opencode_json().write_text('{"model": "openrouter/qwen/qwen3-coder"}\n')
    init(fake_gateway, "codex")
    r = run_cli(
        "doctor", "--base-url", fake_gateway.base_url, "--client", "opencode", "--fix", "--yes",
        env=ENV,
    )  # fmt: skip
    assert opencode_json().read_text() == '{"model": "openrouter/qwen/qwen3-coder"}\n', r.output
