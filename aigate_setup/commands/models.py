"""`aigate-setup models`: fetch the catalog (or its cached copy), classify, filter."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from aigate_setup.catalog import Catalog, Model, fetch_catalog
from aigate_setup.options import KINDS, ModelsOptions


@dataclass(frozen=True)
class ModelsResult:
    catalog: Catalog
    shown: tuple[Model, ...]  # the models that pass the filters, sorted by kind then id
    kind: str | None = None  # the --kind filter
    client: str | None = None  # the --client filter


def filter_models(catalog: Catalog, kind: str | None, client: str | None) -> list[Model]:
    models: Iterable[Model] = catalog.models
    if kind:
        models = (m for m in models if m.kind == kind)
    if client:
        models = (m for m in models if m.kind == "chat" and client in m.clients)
    order = {k: i for i, k in enumerate(KINDS)}
    return sorted(models, key=lambda m: (order.get(m.kind, 99), m.id))


def run(opts: ModelsOptions) -> ModelsResult:
    """Fetch (falling back to the cache unless --refresh) and filter; prints nothing."""
    catalog = fetch_catalog(opts.common, refresh=opts.refresh)
    shown = filter_models(catalog, opts.kind, opts.client)
    return ModelsResult(catalog, tuple(shown), kind=opts.kind, client=opts.client)
