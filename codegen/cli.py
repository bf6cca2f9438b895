"""Command line of ``python -m codegen``: ``generate --out DIR``, ``check``, ``spec`` and
``diff``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from codegen._util import CodegenError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m codegen",
        description="Generate and check ath-sdk code and artifacts from spec/openapi.yaml.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser(
        "generate", help="write ath_sdk_client and ath_sdk_models into a folder"
    )
    gen.add_argument("--out", type=Path, required=True, help="target folder, e.g. generated")
    chk = commands.add_parser(
        "check", help="fail if generated/ or spec/dist/ differ from a fresh generation"
    )
    chk.add_argument(
        "--fresh",
        type=Path,
        help="compare with this already generated folder instead of generating again",
    )
    spc = commands.add_parser(
        "spec", help="validate and lint spec/openapi.yaml, then write spec/dist/ (bundled)"
    )
    spc.add_argument(
        "--check",
        action="store_true",
        help="validate and lint only; write nothing (spec/dist/ freshness is `check`'s job)",
    )
    diff = commands.add_parser(
        "diff",
        help="compare spec/openapi.yaml with the latest spec/released/<version>.yaml; fail on "
        "a breaking change unless the version's major (minor while 0.x) changed",
    )
    diff.add_argument("--spec", type=Path, help="the spec to check (default spec/openapi.yaml)")
    diff.add_argument("--base", type=Path, help="the released spec (default: the latest one)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "generate":
            from codegen.generate import generate

            return generate(args.out)
        if args.command == "check":
            from codegen.check import check

            return check(fresh=args.fresh)
        if args.command == "diff":
            from codegen._config import SPEC_PATH
            from codegen.specdiff import diff

            return diff(args.spec or SPEC_PATH, args.base)
        from codegen.spec import spec

        return spec(write=not args.check)
    except CodegenError as exc:
        print(f"codegen {args.command}: error: {exc}", file=sys.stderr)
        return 1
