"""Constants the CLI needs at import time (kept apart so `--help` imports almost nothing)."""

DEFAULT_BASE_URL = "https://api.aigate.shop/v1"
DEFAULT_KEY_ENV = "AIGATE_API_KEY"
CLIENTS: tuple[str, ...] = ("codex", "opencode", "kilo", "claude", "qwen", "continue", "aider")
# What `init --yes` configures when no --client is given (the contract: the first four).
DEFAULT_CLIENTS: tuple[str, ...] = ("codex", "opencode", "kilo", "claude")
KINDS: tuple[str, ...] = ("chat", "embedding", "image", "video", "other")
