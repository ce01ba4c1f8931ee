"""Catalog: the three shapes end to end, classification, clients, cache, files, suggestions."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_KEY, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from aigate_setup import catalog as cat
from aigate_setup.errors import GatewayError, UsageError
from aigate_setup.options import Common
from aigate_setup.testing import FakeGateway

ALL = ["codex", "opencode", "kilo", "claude", "qwen", "continue", "aider"]
EXPECTED_KINDS = {
    "openai/gpt-5.5": "chat",
    "openai/gpt-5.5-mini": "chat",
    "anthropic/claude-opus-4.7": "chat",
    "anthropic/claude-sonnet-4.6": "chat",
    "anthropic/claude-haiku-4.5": "chat",
    "google/gemini-3-pro": "chat",
    "deepseek/deepseek-v3.2": "chat",
    "openai/text-embedding-3-small": "embedding",
    "openai/gpt-image-2": "image",
    "klingai/kling-v3.0-t2v": "video",
}


def models_json(base_url: str, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    result = run_cli("models", "--format", "json", "--base-url", base_url, *args, env=env)
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


# --------------------------------------------------------------------------- end to end


@pytest.mark.parametrize("shape", ["openai", "newapi", "openrouter"])
def test_models_classifies_each_shape_without_a_key(fake_gateway: FakeGateway, shape: str) -> None:
    fake_gateway.set_catalog(shape)  # type: ignore[arg-type]
    doc = models_json(fake_gateway.base_url)
    assert (doc["version"], doc["command"], doc["status"]) == (1, "models", "ok")
    kinds = {m["id"]: m["kind"] for m in doc["models"]}
    assert kinds == EXPECTED_KINDS
    for m in doc["models"]:
        assert {"id", "kind", "clients"} <= set(m)
        if m["kind"] != "chat":
            assert m["clients"] == []
    by_id = {m["id"]: m for m in doc["models"]}
    deepseek = by_id["deepseek/deepseek-v3.2"]
    if shape == "newapi":
        assert deepseek["clients"] == ["opencode", "kilo", "qwen", "continue", "aider"]
        assert "Responses API" in deepseek["unusable"]["codex"]
        assert "Anthropic Messages" in deepseek["unusable"]["claude"]
    else:
        assert deepseek["clients"] == ALL
    if shape == "openrouter":
        assert by_id["anthropic/claude-sonnet-4.6"]["context_length"] == 1_000_000
        assert by_id["openai/gpt-5.5"]["max_output_tokens"] == 128_000
        assert by_id["openai/gpt-5.5"]["name"] == "GPT-5.5"
    assert fake_gateway.requests[-1].auth is None  # no key: none sent


def test_models_sends_key_when_set(fake_gateway: FakeGateway) -> None:
    models_json(fake_gateway.base_url, env={"AIGATE_API_KEY": TEST_KEY})
    request = fake_gateway.requests[-1]
    assert request.auth == "bearer" and request.key_suffix == "WXYZ"


def test_models_text_table(fake_gateway: FakeGateway) -> None:
    fake_gateway.set_catalog("openrouter")
    result = run_cli("models", "--base-url", fake_gateway.base_url)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "KIND", "CONTEXT", "CLIENTS"]
    assert lines[1].split() == ["anthropic/claude-haiku-4.5", "chat", "200k", ",".join(ALL)]
    assert ["anthropic/claude-sonnet-4.6", "chat", "1M", ",".join(ALL)] in [
        line.split() for line in lines
    ]
    row = next(line for line in lines if line.startswith("openai/gpt-image-2 "))
    assert row.split() == ["openai/gpt-image-2", "image", "-", "-"]
    # columns are aligned: every KIND starts at the same offset
    offset = lines[0].index("KIND")
    assert all(line[offset - 2 : offset] == "  " for line in lines[1:])
    assert result.stderr.strip().startswith("10 models (7 chat, 1 embedding, 1 image, 1 video)")


def test_models_filters(fake_gateway: FakeGateway) -> None:
    doc = models_json(fake_gateway.base_url, "--kind", "video")
    assert [m["id"] for m in doc["models"]] == ["klingai/kling-v3.0-t2v"]
    doc = models_json(fake_gateway.base_url, "--client", "claude")
    ids = [m["id"] for m in doc["models"]]
    assert "deepseek/deepseek-v3.2" not in ids and "openai/gpt-image-2" not in ids
    assert len(ids) == 6
    doc = models_json(fake_gateway.base_url, "--client", "kilo", "--kind", "embedding")
    assert doc["models"] == []
    result = run_cli("models", "--base-url", fake_gateway.base_url, "--client", "codex")
    assert "matching --client codex (of 10)" in result.stderr


# --------------------------------------------------------------------------- cache


def test_cache_fallback_and_refresh(fake_gateway: FakeGateway) -> None:
    base = fake_gateway.base_url
    models_json(base)
    assert (Path.home() / ".cache" / "aigate-setup" / "models.json").is_file()
    fake_gateway.add_fault("/v1/models", status=503)
    result = run_cli("models", "--format", "json", "--base-url", base)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["from_cache"] is True and len(doc["models"]) == 10
    assert "using cached catalog from " in result.stderr
    assert "503 Service Unavailable" in result.stderr  # says why
    refreshed = run_cli("models", "--base-url", base, "--refresh")
    assert refreshed.exit_code == 1 and "503" in refreshed.stderr
    assert "cached" not in refreshed.stderr


def test_cache_fallback_when_gateway_is_down() -> None:
    with FakeGateway() as gw:
        base = gw.base_url
        models_json(base)
    result = run_cli("models", "--base-url", base)
    assert result.exit_code == 0
    assert "connection refused" in result.stderr
    assert "using cached catalog from" in result.stderr
    # the cache is keyed by base URL: another gateway has none
    other = base.replace("/v1", "/other/v1")
    assert run_cli("models", "--base-url", other).exit_code == 1


def test_no_cache_fallback_for_a_bad_key(fake_gateway: FakeGateway) -> None:
    models_json(fake_gateway.base_url)
    fake_gateway.add_fault("/v1/models", status=401)
    result = run_cli("models", "--base-url", fake_gateway.base_url)
    assert result.exit_code == 1 and "401" in result.stderr


def test_fetch_catalog_api(fake_gateway: FakeGateway) -> None:
    common = Common(base_url=fake_gateway.base_url)
    catalog = cat.fetch_catalog(common)
    assert not catalog.from_cache and catalog.fetched_at is not None
    assert catalog.source == fake_gateway.base_url + "/models"
    assert catalog.get("openai/gpt-5.5") is not None
    assert [m.id for m in catalog.chat("codex")][:1] == ["openai/gpt-5.5"]


def test_corrupt_cache_is_ignored(fake_gateway: FakeGateway) -> None:
    path = Path.home() / ".cache" / "aigate-setup" / "models.json"
    path.parent.mkdir(parents=True)
    path.write_text("{nope")
    models_json(fake_gateway.base_url)  # rewrites it
    assert json.loads(path.read_text())["version"] == 1


# --------------------------------------------------------------------------- parsing


def test_bare_list_strings_and_malformed_entries() -> None:
    data = [
        {"id": "a/chat-1"},
        "b/plain-string",
        {"id": ""},
        {"no": "id"},
        42,
        None,
        {"id": "has space"},
        {"id": "a/chat-1", "type": "embedding"},  # duplicate: first wins
    ]
    catalog = cat.parse_catalog(data, "x")
    assert [m.id for m in catalog.models] == ["a/chat-1", "b/plain-string"]
    assert catalog.skipped == 5
    assert catalog.models[0].clients == tuple(ALL)


@pytest.mark.parametrize(
    "data",
    [{"object": "list"}, "text", 3, {"data": "nope"}, None],
)
def test_not_a_catalog_is_explained(data: Any) -> None:
    with pytest.raises(GatewayError) as info:
        cat.parse_catalog(data, "http://gw/v1/models")
    assert "is not a model catalog" in info.value.message
    assert "--base-url" in (info.value.hint or "")


def test_error_body_with_200_is_explained() -> None:
    with pytest.raises(GatewayError) as info:
        cat.parse_catalog({"error": {"message": f"bad {TEST_KEY}"}}, "http://gw/v1/models")
    assert "answered with an error" in info.value.message
    assert TEST_KEY not in info.value.message
    with pytest.raises(GatewayError):
        cat.parse_catalog({"success": False, "message": "no"}, "u")


@pytest.mark.parametrize(
    ("entry", "kind"),
    [
        ({"id": "x/text-embedding-3-large"}, "embedding"),
        ({"id": "baai/bge-m3"}, "embedding"),
        ({"id": "openai/dall-e-3"}, "image"),
        ({"id": "google/imagen-4"}, "image"),
        ({"id": "bfl/flux-1.1-pro"}, "image"),
        ({"id": "google/veo-3"}, "video"),
        ({"id": "openai/sora-2"}, "video"),
        ({"id": "wan/wan2.2-i2v"}, "video"),
        ({"id": "klingai/kling-v2"}, "video"),
        ({"id": "jina/jina-reranker-v2"}, "other"),
        ({"id": "openai/tts-1"}, "other"),
        ({"id": "openai/whisper-1"}, "other"),
        ({"id": "openai/omni-moderation-latest"}, "other"),
        ({"id": "openai/gpt-5.5"}, "chat"),
        ({"id": "qwen/qwen3-coder"}, "chat"),
        # explicit fields beat the id
        ({"id": "odd-name", "type": "embedding"}, "embedding"),
        ({"id": "odd-name", "supported_endpoint_types": ["embeddings"]}, "embedding"),
        ({"id": "odd-name", "supported_endpoint_types": ["image-generation"]}, "image"),
        ({"id": "odd-name", "supported_endpoint_types": ["openai-video"]}, "video"),
        ({"id": "odd-name", "supported_endpoint_types": ["jina-rerank"]}, "other"),
        ({"id": "text-embedding-ish", "supported_endpoint_types": ["openai"]}, "chat"),
        ({"id": "google/gemini-3-pro-image", "supported_endpoint_types": ["openai"]}, "image"),
        ({"id": "m", "architecture": {"output_modalities": ["text"]}}, "chat"),
        ({"id": "m", "architecture": {"output_modalities": ["image", "text"]}}, "image"),
        ({"id": "m", "architecture": {"output_modalities": ["embeddings"]}}, "embedding"),
        ({"id": "m", "architecture": {"output_modalities": ["audio"]}}, "other"),
        ({"id": "m", "architecture": {"modality": "text+image->text"}}, "chat"),
        ({"id": "dall-e-like", "architecture": {"output_modalities": ["text"]}}, "chat"),
        ({"id": "m", "modalities": {"input": ["text"], "output": ["video"]}}, "video"),
        ({"id": "m", "modalities": ["image"]}, "image"),
        ({"id": "m", "supported_endpoints": ["/v1/embeddings"]}, "embedding"),
    ],
)
def test_classify(entry: dict[str, Any], kind: str) -> None:
    assert cat.classify(entry) == kind


def test_clients_from_endpoint_types() -> None:
    catalog = cat.parse_catalog(
        {
            "data": [
                {"id": "a", "supported_endpoint_types": ["openai", "openai-response"]},
                {"id": "b", "supported_endpoint_types": ["anthropic"]},
                {"id": "c", "supported_endpoint_types": ["gemini"]},
                {"id": "d", "supported_endpoints": ["/v1/responses", "/v1/messages"]},
                {"id": "e"},
            ]
        },
        "x",
    )
    got = {m.id: m.clients for m in catalog.models}
    assert got == {
        "a": ("codex", "opencode", "kilo", "qwen", "continue", "aider"),
        "b": ("claude",),
        "c": (),
        "d": ("codex", "claude"),
        "e": tuple(ALL),
    }
    a = catalog.get("a")
    assert a is not None and set(a.unusable) == {"claude"}
    assert "(the catalog lists: openai, openai-response)" in a.unusable["claude"]
    c = catalog.get("c")
    assert c is not None and c.kind == "chat" and set(c.unusable) == set(ALL)
    assert catalog.chat("claude") == [catalog.get("b"), catalog.get("d"), catalog.get("e")]


@settings(max_examples=150, deadline=None)
@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False)
        | st.text(max_size=20),
        lambda children: (
            st.lists(children, max_size=5)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "id",
                        "data",
                        "type",
                        "kind",
                        "clients",
                        "supported_endpoint_types",
                        "architecture",
                        "output_modalities",
                        "modalities",
                        "context_length",
                        "top_provider",
                        "name",
                        "error",
                        "message",
                        "x",
                    ]
                ),
                children,
                max_size=6,
            )
        ),
        max_leaves=30,
    )
)
def test_parse_never_crashes(data: Any) -> None:
    try:
        catalog = cat.parse_catalog(data, "x")
    except GatewayError:
        return
    for m in catalog.models:
        assert m.kind in ("chat", "embedding", "image", "video", "other")
        assert set(m.clients) <= set(ALL)
        assert m.kind == "chat" or not m.clients


# --------------------------------------------------------------------------- files


def test_load_catalog_file_roundtrips_models_json(
    fake_gateway: FakeGateway, tmp_path: Path
) -> None:
    result = run_cli("models", "--format", "json", "--base-url", fake_gateway.base_url)
    ours = tmp_path / "catalog.json"
    ours.write_text(result.stdout)
    raw = tmp_path / "raw.json"
    raw.write_text(json.dumps(fake_gateway.catalog))
    from_ours = cat.load_catalog_file(ours)
    from_raw = cat.load_catalog_file(raw)
    assert {m.id: (m.kind, m.clients) for m in from_ours.models} == {
        m.id: (m.kind, m.clients) for m in from_raw.models
    }
    deepseek = from_ours.get("deepseek/deepseek-v3.2")
    chat_only = ("opencode", "kilo", "qwen", "continue", "aider")
    assert deepseek is not None and deepseek.clients == chat_only
    assert "codex" in deepseek.unusable


def test_load_catalog_file_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        cat.load_catalog_file(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "data": [\n    {"id": }\n]}')
    with pytest.raises(UsageError) as info:
        cat.load_catalog_file(bad)
    assert info.value.message.startswith(f"{bad}:3:")
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}')
    with pytest.raises(UsageError, match="is not a model catalog"):
        cat.load_catalog_file(other)
    failed = tmp_path / "failed.json"
    failed.write_text(json.dumps({"version": 1, "command": "models", "status": "fail",
                                  "error": {"message": "boom"}}))  # fmt: skip
    with pytest.raises(UsageError, match="failed `models` run"):
        cat.load_catalog_file(failed)
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(UsageError, match="cannot read"):
        cat.load_catalog_file(binary)


# --------------------------------------------------------------------------- choosing


def default_catalog(shape: str = "newapi") -> cat.Catalog:
    from aigate_setup.testing import default_catalog as fake

    return cat.parse_catalog(fake(shape), "x")  # type: ignore[arg-type]


def test_suggest() -> None:
    catalog = default_catalog()
    assert cat.suggest(catalog, "openai/gpt-5.4")[0] == "openai/gpt-5.5"
    assert cat.suggest(catalog, "claude-sonet-4.6")[0] == "anthropic/claude-sonnet-4.6"
    assert cat.suggest(catalog, "gpt-5.5-mini")[0] == "openai/gpt-5.5-mini"
    assert cat.suggest(catalog, "zzzzzzzzzzzzzzzz") == []
    # only chat ids are suggested
    assert "openai/gpt-image-2" not in cat.suggest(catalog, "openai/gpt-image-2", n=5)
    assert len(cat.suggest(catalog, "openai/gpt", n=2)) <= 2
    assert catalog.suggest("openai/gpt-5.4") == cat.suggest(catalog, "openai/gpt-5.4")


def test_best_claude_slots_default_catalog() -> None:
    assert cat.best_claude_slots(default_catalog()) == {
        "opus": "anthropic/claude-opus-4.7",
        "sonnet": "anthropic/claude-sonnet-4.6",
        "haiku": "anthropic/claude-haiku-4.5",
    }


def test_best_claude_slots_versions_and_usability() -> None:
    ids = [
        "anthropic/claude-3-5-sonnet-20241022",
        "anthropic/claude-sonnet-4-5-20250929",
        "anthropic/claude-sonnet-4.6",
        "anthropic/claude-sonnet-4",
        "anthropic/claude-3-opus-20240229",
        "anthropic/claude-opus-4-1",
        "anthropic/claude-opus-4.1-thinking",
    ]
    data: list[dict[str, Any]] = [{"id": i, "supported_endpoint_types": ["anthropic"]} for i in ids]
    data.append({"id": "anthropic/claude-opus-9", "supported_endpoint_types": ["openai"]})
    slots = cat.best_claude_slots(cat.parse_catalog(data, "x"))
    assert slots == {
        "opus": "anthropic/claude-opus-4-1",
        "sonnet": "anthropic/claude-sonnet-4.6",
        "haiku": None,
    }


def test_catalog_module_imports_no_httpx() -> None:
    import subprocess
    import sys

    code = "import sys, aigate_setup.catalog; print('httpx' in sys.modules)"
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.stdout.strip() == "False", proc.stderr


def test_cached_catalog_age_is_reported(fake_gateway: FakeGateway) -> None:
    models_json(fake_gateway.base_url)
    fake_gateway.add_fault("/v1/models", hang=True)
    started = time.monotonic()
    result = run_cli("models", "--base-url", fake_gateway.base_url, env={"AIGATE_TIMEOUT": "0.5"})
    assert time.monotonic() - started < 10
    assert result.exit_code == 0
    stamp = time.strftime("%Y-%m-%d", time.gmtime())
    assert f"using cached catalog from {stamp}" in result.stderr
    assert "timed out" in result.stderr


@pytest.mark.parametrize("shape", ["openai", "newapi", "openrouter"])
def test_cache_round_trip_is_exact(fake_gateway: FakeGateway, shape: str) -> None:
    fake_gateway.set_catalog(shape)  # type: ignore[arg-type]
    fresh = cat.fetch_catalog(Common(base_url=fake_gateway.base_url))
    cached = cat.cached_catalog(fake_gateway.base_url)
    assert cached is not None and cached.from_cache
    assert [(m.to_json(), m.endpoint_types) for m in cached.models] == [
        (m.to_json(), m.endpoint_types) for m in fresh.models
    ]
    assert cached.fetched_at == fresh.fetched_at
