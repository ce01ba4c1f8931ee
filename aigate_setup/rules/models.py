"""Model rules for every model id (and model name) a client module finds in its files.

AIG052 runs always: a model id is data, never syntax. OpenCode and Kilo expand `{file:...}` and
`{env:...}` anywhere in their configs, so an id such as `gpt-5{file:~/.ssh/id_rsa}` makes them
read the file and send its text to the gateway. AIG050/AIG051 run with a catalog (--catalog,
--live) on the ids the client sends to AIGate.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from aigate_setup.rules.registry import Hit, ModelRef, rule
from aigate_setup.rules.source import Source

if TYPE_CHECKING:
    from aigate_setup.catalog import Model

MAX_ID_LENGTH = 200


def _catalog_refs(src: Source) -> Iterator[tuple[ModelRef, str, Model | None]]:
    catalog = src.ctx.catalog
    if catalog is None:
        return
    for ref in src.models:
        model_id = ref.catalog_id
        if not model_id or "$" in model_id or "{" in model_id:
            continue
        yield ref, model_id, catalog.get(model_id)


@rule(
    "AIG050",
    "unknown-model",
    "error",
    "Model id unknown to the catalog",
    kinds=None,
    example_kind="codex-user",
    doc="""The gateway answers 404 (model not found) for an id it does not serve; ids are exact,
    with the provider prefix. Runs with --catalog FILE or --live.""",
    example='model = "openai/gpt-5.55"\nmodel_provider = "aigate"\n\n'
    '[model_providers.aigate]\nbase_url = "https://api.aigate.shop/v1"\n'
    'env_key = "AIGATE_API_KEY"\nwire_api = "responses"\n',
    fix="use an exact id from `aigate-setup models`",
)
def unknown_model(src: Source) -> Iterator[Hit]:
    catalog = src.ctx.catalog
    for ref, model_id, model in _catalog_refs(src):
        if model is not None:
            continue
        from aigate_setup.catalog import suggest

        assert catalog is not None
        close = suggest(catalog, model_id, 3)
        hint = None
        if close:
            hint = "did you mean " + ", ".join(close) + "? (`aigate-setup models` lists every id)"
        yield Hit(
            ref.line, ref.column, f"{ref.label} {model_id!r} is not in the gateway catalog", hint
        )


@rule(
    "AIG051",
    "model-not-usable",
    "warning",
    "Model not usable by this client",
    kinds=None,
    example_kind="codex-user",
    doc="""Each client speaks one API (Codex: Responses; OpenCode and Kilo: Chat Completions;
    Claude Code: Anthropic Messages). A model the gateway serves only on another route, or an
    embedding/image model, fails on the first request. Runs with --catalog FILE or --live.""",
    example='model = "openai/text-embedding-3-small"\nmodel_provider = "aigate"\n\n'
    '[model_providers.aigate]\nbase_url = "https://api.aigate.shop/v1"\n'
    'env_key = "AIGATE_API_KEY"\nwire_api = "responses"\n',
    fix="pick a model listed by `aigate-setup models --client <client>`",
)
def model_not_usable(src: Source) -> Iterator[Hit]:
    client = src.client
    for ref, model_id, model in _catalog_refs(src):
        if model is None:
            continue
        if model.kind != "chat":
            yield Hit(
                ref.line,
                ref.column,
                f"{ref.label} {model_id!r} is an {model.kind} model, not a chat model",
                f"pick a chat model from `aigate-setup models --client {client}`",
            )
        elif model.clients and client not in model.clients:
            reason = model.unusable.get(client)
            yield Hit(
                ref.line,
                ref.column,
                f"{ref.label} {model_id!r} cannot be used by {client}"
                + (f": {reason}" if reason else ""),
                f"pick a model listed by `aigate-setup models --client {client}`",
            )


def _shown(value: str) -> str:
    return repr(value if len(value) <= 80 else value[:77] + "...")


def unsafe_reason(value: str, field: str) -> str | None:
    """Why `value` cannot be a model id (field "id") or display name ("name"), or None."""
    if "{" in value or "}" in value:
        if "{file:" in value or "{env:" in value:
            which = "{file:...}" if "{file:" in value else "{env:...}"
            return (
                f"contains {which}: clients that expand it (OpenCode, Kilo) would send a local"
                " file's text or a variable's value to the gateway"
            )
        return "contains { or }"
    # Everything but the ASCII space that is a control, format or separator character.
    if not value.isprintable():
        return "contains a control or invisible character"
    if field == "id" and " " in value:
        return "contains whitespace"
    if field == "id" and len(value) > MAX_ID_LENGTH:
        return f"is {len(value)} characters long (at most {MAX_ID_LENGTH})"
    return None


@rule(
    "AIG052",
    "unsafe-model-id",
    "error",
    "Model id or name is not plain data",
    kinds=None,
    example_kind="kilo-user",
    doc="""OpenCode and Kilo replace `{file:PATH}` and `{env:NAME}` anywhere in their configs,
    model ids and names included: `"model": "aigate/gpt-5{file:~/.ssh/id_rsa}"` sends the
    private key's text to the gateway with every request. No model id has braces, whitespace,
    control characters or more than 200 characters; display names have no braces or control
    characters.""",
    example='{\n  "model": "aigate/openai/gpt-5.5{file:~/.ssh/id_rsa}"\n}\n',
    fix="use the exact id from `aigate-setup models` (model ids have no {, }, whitespace or"
    " control characters)",
)
def unsafe_model_id(src: Source) -> Iterator[Hit]:
    for ref in src.models:
        reason = unsafe_reason(ref.value, ref.field)
        if reason is None:
            continue
        hint = None
        if ref.field == "name":
            hint = "remove {, } and control characters from the display name (or drop it)"
        yield Hit(ref.line, ref.column, f"{ref.label} {_shown(ref.value)} {reason}", hint)


RULES = (unknown_model, model_not_usable, unsafe_model_id)
