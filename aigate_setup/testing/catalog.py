"""The fake gateway's default catalog: ten models, rendered in the three shapes gateways use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

CatalogShape = Literal["openai", "newapi", "openrouter"]

# Route -> the new-api endpoint type a model must list to be served on it.
ROUTE_ENDPOINT = {
    "/v1/chat/completions": "openai",
    "/v1/responses": "openai-response",
    "/v1/messages": "anthropic",
    "/v1/messages/count_tokens": "anthropic",
}
ALL_CHAT = ("openai", "openai-response", "anthropic")
CREATED = 1_780_000_000


@dataclass(frozen=True)
class ModelSpec:
    """One model of the default catalog, rendered into each shape."""

    id: str
    name: str
    kind: Literal["chat", "embedding", "image", "video"]
    endpoints: tuple[str, ...]
    context: int | None = None
    max_output: int | None = None
    input_modalities: tuple[str, ...] = ("text",)
    output_modalities: tuple[str, ...] = ("text",)


MODELS: tuple[ModelSpec, ...] = (
    ModelSpec("openai/gpt-5.5", "GPT-5.5", "chat", ALL_CHAT, 400_000, 128_000, ("text", "image")),
    ModelSpec("openai/gpt-5.5-mini", "GPT-5.5 mini", "chat", ALL_CHAT, 400_000, 128_000),
    ModelSpec("anthropic/claude-opus-4.7", "Claude Opus 4.7", "chat", ALL_CHAT, 200_000, 32_000),
    ModelSpec(
        "anthropic/claude-sonnet-4.6", "Claude Sonnet 4.6", "chat", ALL_CHAT, 1_000_000, 64_000
    ),
    ModelSpec("anthropic/claude-haiku-4.5", "Claude Haiku 4.5", "chat", ALL_CHAT, 200_000, 64_000),
    ModelSpec(
        "google/gemini-3-pro",
        "Gemini 3 Pro",
        "chat",
        (*ALL_CHAT, "gemini"),
        1_048_576,
        65_536,
        ("text", "image", "audio", "video"),
    ),
    # Chat Completions only: not usable by Codex (Responses) or Claude Code (Messages).
    ModelSpec("deepseek/deepseek-v3.2", "DeepSeek V3.2", "chat", ("openai",), 128_000, 8_192),
    ModelSpec(
        "openai/text-embedding-3-small",
        "Text Embedding 3 Small",
        "embedding",
        ("embeddings",),
        8_192,
        None,
        ("text",),
        ("embeddings",),
    ),
    ModelSpec(
        "openai/gpt-image-2",
        "GPT Image 2",
        "image",
        ("image-generation",),
        None,
        None,
        ("text", "image"),
        ("image",),
    ),
    ModelSpec(
        "klingai/kling-v3.0-t2v",
        "Kling v3.0 text-to-video",
        "video",
        ("openai-video",),
        None,
        None,
        ("text",),
        ("video",),
    ),
)


def openrouter_entry(spec: ModelSpec) -> dict[str, Any]:
    """One model as OpenRouter lists it (name, description, context, modalities)."""
    return {
        "id": spec.id,
        "canonical_slug": spec.id,
        "name": spec.name,
        "created": CREATED,
        "description": f"{spec.name} (fake AIGate catalog)",
        "context_length": spec.context,
        "architecture": {
            "modality": "+".join(spec.input_modalities) + "->" + "+".join(spec.output_modalities),
            "input_modalities": list(spec.input_modalities),
            "output_modalities": list(spec.output_modalities),
            "tokenizer": "Other",
            "instruct_type": None,
        },
        "pricing": {"prompt": "0.000001", "completion": "0.000002"},
        "top_provider": {
            "context_length": spec.context,
            "max_completion_tokens": spec.max_output,
            "is_moderated": False,
        },
        "supported_parameters": ["max_tokens", "temperature", "tools", "stream"]
        if spec.kind == "chat"
        else [],
    }


def _entry(spec: ModelSpec, shape: CatalogShape) -> dict[str, Any]:
    owner = spec.id.split("/", 1)[0]
    if shape == "openai":
        return {"id": spec.id, "object": "model", "created": CREATED, "owned_by": owner}
    if shape == "newapi":
        return {
            "id": spec.id,
            "object": "model",
            "created": CREATED,
            "owned_by": owner,
            "supported_endpoint_types": list(spec.endpoints),
        }
    if shape == "openrouter":
        return openrouter_entry(spec)
    raise ValueError(f"unknown catalog shape {shape!r} (openai, newapi, openrouter)")


def default_catalog(shape: CatalogShape) -> dict[str, Any]:
    """The default catalog in one of the three shapes gateways return from GET /v1/models."""
    doc: dict[str, Any] = {"object": "list", "data": [_entry(spec, shape) for spec in MODELS]}
    if shape == "newapi":
        doc["success"] = True
    return doc
