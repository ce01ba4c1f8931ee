"""Catalog classification: what kind a model is (chat, embedding, image, video, other) and which
clients can use it, from whatever a catalog entry carries (an explicit kind, new-api endpoint
types, OpenRouter modalities), falling back to patterns in the id."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from aigate_setup.options import CLIENTS

Kind = Literal["chat", "embedding", "image", "video", "other"]

# new-api's EndpointType constants (constant/endpoint_type.go).
_CHAT_ENDPOINTS = {"openai", "openai-response", "anthropic", "gemini"}
_ENDPOINT_KIND: dict[str, Kind] = {
    "embeddings": "embedding",
    "embedding": "embedding",
    "image-generation": "image",
    "openai-video": "video",
    "video": "video",
    "jina-rerank": "other",
    "rerank": "other",
}
# Route paths some gateways list instead of endpoint types.
_PATH_ENDPOINT = (
    ("/responses", "openai-response"),
    ("/chat/completions", "openai"),
    ("/messages", "anthropic"),
    ("/embeddings", "embeddings"),
    ("/images/", "image-generation"),
    ("/video", "openai-video"),
    ("/rerank", "jina-rerank"),
)

_ID_PATTERNS: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    (
        "other",
        re.compile(
            r"rerank|(?<![a-z])tts(?![a-z])|whisper|moderation|transcribe|speech|"
            r"text-to-audio|audio-gen|(?<![a-z])suno"
        ),
    ),
    ("embedding", re.compile(r"embed|(?<![a-z])bge-|(?<![a-z])gte-|(?<![a-z])e5-")),
    (
        "video",
        re.compile(
            r"video|(?<![a-z0-9])[tiv]2v(?![a-z])|kling|(?<![a-z])veo|sora|seedance|hailuo|"
            r"runway|(?<![a-z])pika|(?<![a-z])vidu|(?<![a-z])wan-?2|luma|(?<![a-z])ray-?\d"
        ),
    ),
    (
        "image",
        re.compile(
            r"image|dall-e|dalle|imagen|flux|stable-diffusion|sdxl|(?<![a-z])sd-?3|midjourney|"
            r"(?<![a-z])mj[-_]|recraft|ideogram|seedream|kolors|hidream|playground-v"
        ),
    ),
)

_TYPE_WORDS: dict[str, Kind] = {
    "chat": "chat",
    "text": "chat",
    "llm": "chat",
    "language": "chat",
    "completion": "chat",
    "completions": "chat",
    "embedding": "embedding",
    "embeddings": "embedding",
    "image": "image",
    "images": "image",
    "image-generation": "image",
    "image_generation": "image",
    "video": "video",
    "video-generation": "video",
    "rerank": "other",
    "audio": "other",
    "tts": "other",
    "stt": "other",
    "moderation": "other",
}


def kind_from_id(model_id: str) -> Kind:
    """The last resort: guess the kind from the id (embed, image, video... patterns)."""
    lowered = model_id.lower()
    for kind, pattern in _ID_PATTERNS:
        if pattern.search(lowered):
            return kind
    return "chat"


_PLAIN_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/+-]{0,63}")
MAX_ENDPOINT_TYPES = 16


def _str_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [v.strip().lower() for v in value if isinstance(v, str) and v.strip()]
    return []


def endpoint_types(entry: Mapping[str, Any]) -> list[str]:
    """new-api `supported_endpoint_types`, or endpoint paths mapped to those types."""
    types = _str_list(entry.get("supported_endpoint_types"))
    for key in ("supported_endpoints", "endpoints"):
        for item in _str_list(entry.get(key)):
            if item.startswith("/") or "/" in item:
                types.extend(t for frag, t in _PATH_ENDPOINT if frag in item)
            else:
                types.append(item)
    # These words end up in messages (`unusable` reasons): keep only plain ones, and a few.
    plain = (t.lower() for t in types if _PLAIN_WORD.fullmatch(t))
    return list(dict.fromkeys(plain))[:MAX_ENDPOINT_TYPES]


def _modalities(entry: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """(input, output) modalities from OpenRouter `architecture` or a `modalities` field."""
    inputs: list[str] = []
    outputs: list[str] = []
    arch = entry.get("architecture")
    if isinstance(arch, Mapping):
        inputs += _str_list(arch.get("input_modalities"))
        outputs += _str_list(arch.get("output_modalities"))
        modality = arch.get("modality")
        if not outputs and isinstance(modality, str) and "->" in modality:
            left, right = modality.lower().split("->", 1)
            inputs += [m for m in left.split("+") if m]
            outputs += [m for m in right.split("+") if m]
    mods = entry.get("modalities")
    if isinstance(mods, Mapping):
        inputs += _str_list(mods.get("input"))
        outputs += _str_list(mods.get("output"))
    for key in ("output_modalities",):
        outputs += _str_list(entry.get(key))
    return inputs, outputs


def _kind_from_outputs(outputs: list[str]) -> Kind | None:
    if not outputs:
        return None
    out = set(outputs)
    if out & {"embedding", "embeddings", "vector"}:
        return "embedding"
    if "video" in out:
        return "video"
    if "image" in out:
        return "image"
    if "text" in out:
        return "chat"
    return "other"


def classify(entry: Mapping[str, Any]) -> Kind:
    """chat / embedding / image / video / other, from whatever the entry carries:
    an explicit kind/type, endpoint types, modalities; the id patterns when nothing says."""
    model_id = str(entry.get("id", ""))
    for key in ("kind", "type", "mode", "model_type", "task"):
        value = entry.get(key)
        if isinstance(value, str) and value.lower() in _TYPE_WORDS:
            return _TYPE_WORDS[value.lower()]
    types = endpoint_types(entry)
    if types:
        special = [_ENDPOINT_KIND[t] for t in types if t in _ENDPOINT_KIND]
        if special:
            return special[0]
        if any(t in _CHAT_ENDPOINTS for t in types):
            # Image models served through chat completions (Gemini image) list only "openai".
            by_id = kind_from_id(model_id)
            return by_id if by_id in ("image", "video") else "chat"
    _inputs, outputs = _modalities(entry)
    by_modality = _kind_from_outputs(outputs)
    if by_modality is not None:
        return by_modality
    mods = entry.get("modalities")
    if isinstance(mods, list):
        listed = set(_str_list(mods))
        if "text" not in listed and listed:
            guess = _kind_from_outputs(sorted(listed))
            if guess is not None and guess != "chat":
                return guess
    return kind_from_id(model_id)


def clients_for(entry: Mapping[str, Any]) -> tuple[tuple[str, ...], dict[str, str]]:
    """The clients that can use a chat model, and why each other one cannot."""
    types = endpoint_types(entry)
    if not types:
        return CLIENTS, {}
    usable: list[str] = []
    unusable: dict[str, str] = {}
    listed = ", ".join(types)
    from aigate_setup.clients import CLIENT_MODULES

    for client, module in CLIENT_MODULES.items():
        if module.CATALOG_ENDPOINT in types:
            usable.append(client)
        else:
            unusable[client] = f"{module.ENDPOINT_MISSING} (the catalog lists: {listed})"
    return tuple(usable), unusable
