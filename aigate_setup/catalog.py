"""GET /v1/models -> typed Model records, classification, on-disk cache."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from aigate_setup.errors import NotBuiltYet
from aigate_setup.options import ModelsOptions

Kind = Literal["chat", "embedding", "image", "video", "other"]


@dataclass(frozen=True)
class Model:
    id: str
    kind: Kind
    # Clients (of options.CLIENTS) that can use this model; empty for non-chat models.
    clients: tuple[str, ...] = ()
    # Why a chat model is not usable by a client, when the catalog says so: {client: reason}.
    unusable: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    context_length: int | None = None
    max_output_tokens: int | None = None
    name: str | None = None  # a display name when the gateway gives one

    @property
    def provider(self) -> str:
        return self.id.split("/", 1)[0] if "/" in self.id else ""


@dataclass(frozen=True)
class Catalog:
    models: tuple[Model, ...]
    source: str  # the URL or file it came from
    from_cache: bool = False
    fetched_at: float | None = None  # unix time of the fetch (for a cached copy: when cached)

    def get(self, model_id: str) -> Model | None:
        for m in self.models:
            if m.id == model_id:
                return m
        return None

    def chat(self, client: str | None = None) -> list[Model]:
        return [
            m for m in self.models if m.kind == "chat" and (client is None or client in m.clients)
        ]


def run_models(opts: ModelsOptions) -> int:
    raise NotBuiltYet("models")
