"""Constants the CLI needs at import time (kept apart so `--help` imports almost nothing)."""

DEFAULT_BASE_URL = "https://api.aigate.shop/v1"
DEFAULT_KEY_ENV = "AIGATE_API_KEY"
CLIENTS: tuple[str, ...] = ("codex", "opencode", "kilo", "claude", "qwen", "continue", "aider")
# What `init --yes` configures when no --client is given (the contract: the first four).
DEFAULT_CLIENTS: tuple[str, ...] = ("codex", "opencode", "kilo", "claude")
# Typical seconds of each client's one-shot run (`doctor --with-clients`) on a 2-core machine,
# mostly CPU-bound start-up (scripts/bench.py): the slowest starts first.
RUN_SECONDS: dict[str, float] = {
    "kilo": 8.0,
    "aider": 4.0,
    "opencode": 4.0,
    "qwen": 3.0,
    "continue": 1.5,
    "claude": 1.0,
    "codex": 0.5,
}
KINDS: tuple[str, ...] = ("chat", "embedding", "image", "video", "other")
