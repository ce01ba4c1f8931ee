"""The fake gateway's command line: `python -m aigate_setup.testing --port 8787 [...]`."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from collections.abc import Sequence
from types import FrameType
from typing import Any

from aigate_setup.testing.catalog import CatalogShape
from aigate_setup.testing.faults import MAX_BYTES, MAX_SECONDS, RecordedRequest
from aigate_setup.testing.hostile import hostile_catalog, nested_json
from aigate_setup.testing.server import FakeGateway

CatalogArg = CatalogShape | dict[str, Any] | bytes
_SHAPES = ("openai", "newapi", "openrouter")


def _load_catalog_arg(value: str) -> CatalogArg:
    if value in _SHAPES:
        return value  # type: ignore[return-value]
    if value == "hostile":
        return hostile_catalog()
    if value == "nested":
        return nested_json()
    try:
        with open(value, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError) as exc:
        raise argparse.ArgumentTypeError(
            "--catalog: not a shape (openai, newapi, openrouter, hostile, nested) "
            f"nor a readable JSON file: {exc}"
        ) from None
    if not isinstance(data, dict):
        raise argparse.ArgumentTypeError("--catalog: the JSON file must hold an object")
    return data


def _describe(rec: RecordedRequest) -> str:
    model = rec.json.get("model") if isinstance(rec.json, dict) else None
    bits = [f"{rec.status or '---'} {rec.method} {rec.path}"]
    if model:
        bits.append(f"model={model!r}" if not str(model).isprintable() else f"model={model}")
    if rec.stream:
        bits.append("stream")
    if rec.auth:
        bits.append(f"auth={rec.auth}:...{rec.key_suffix or ''}")
    return "  ".join(bits)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m aigate_setup.testing",
        description="Run a fake AIGate gateway on loopback (answers every prompt with OK).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8787, help="port (default 8787; 0 = any free)")
    parser.add_argument(
        "--catalog",
        type=_load_catalog_arg,
        default="newapi",
        help="catalog shape: openai, newapi (default), openrouter; hostile (hostile ids and "
        "names), nested (JSON nested 10,000 deep); or a JSON file to serve",
    )
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    parser.add_argument(
        "--key",
        action="append",
        dest="keys",
        metavar="KEY",
        help="accept only this key (repeatable; default: any key starting with sk-)",
    )
    parser.add_argument("--quiet", action="store_true", help="do not print each request")
    bad = parser.add_argument_group("hostile modes (on --route)")
    bad.add_argument("--route", default="*", help='route they apply to (default "*", or a "/v1/*")')
    bad.add_argument("--drip", type=float, default=0.0, metavar="S", help="one body byte every S s")
    bad.add_argument(
        "--gzip-bomb", type=int, default=0, metavar="BYTES", help="gzip body decoding to BYTES"
    )
    bad.add_argument("--endless", choices=("json", "sse"), help="a body that never ends")
    bad.add_argument("--echo-key", action="store_true", help="echo the key in names and errors")
    bad.add_argument(
        "--max-seconds",
        type=float,
        default=MAX_SECONDS,
        help=f"cut a dripping or endless body after this long (default {MAX_SECONDS:g})",
    )
    bad.add_argument(
        "--max-bytes",
        type=int,
        default=MAX_BYTES,
        help=f"cut a dripping or endless body after this many bytes (default {MAX_BYTES})",
    )
    return parser


def _add_hostile(gw: FakeGateway, args: argparse.Namespace) -> None:
    if not (args.drip or args.gzip_bomb or args.endless or args.echo_key):
        return
    gw.add_fault(
        args.route,
        drip=args.drip,
        gzip_bomb=args.gzip_bomb,
        endless=args.endless,
        echo_key=args.echo_key,
        max_seconds=args.max_seconds,
        max_bytes=args.max_bytes,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m aigate_setup.testing` / `python scripts/fake_gateway.py`."""
    parser = _parser()
    args = parser.parse_args(argv)

    gw = FakeGateway(catalog=args.catalog, keys=args.keys, host=args.host, port=args.port)
    gw.latency = args.latency
    try:
        _add_hostile(gw, args)
    except ValueError as exc:
        parser.error(str(exc))
    if not args.quiet:
        gw.on_request = lambda rec: print(_describe(rec), file=sys.stderr, flush=True)
    try:
        gw.start()
    except OSError as exc:
        print(f"fake_gateway: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        print("hint: pick another --port, or --port 0 for any free port", file=sys.stderr)
        return 1

    def _term(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _term)
    # Also when started in the background by a shell, which leaves SIGINT ignored.
    signal.signal(signal.SIGINT, _term)
    shape = args.catalog if isinstance(args.catalog, str) else "custom"
    keys = "any sk-... key" if args.keys is None else f"{len(args.keys)} key(s)"
    print(gw.base_url, flush=True)
    print(
        f"fake AIGate gateway: catalog {shape}, accepts {keys}. Try:\n"
        f"  aigate-setup models --base-url {gw.base_url}\n"
        f"  AIGATE_API_KEY=sk-offline-demo aigate-setup doctor "
        f"--base-url {gw.base_url}\n"
        "Ctrl-C to stop.",
        flush=True,
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        gw.stop()
    print("fake AIGate gateway stopped", file=sys.stderr, flush=True)
    return 0
