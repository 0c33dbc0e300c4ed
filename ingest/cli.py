"""Command line: `ingest fix` and `ingest explain`. No logic the Python API lacks.

Exit codes: 0 done, 1 some input could not be read or decoded (the others were
still processed), 2 usage error.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from . import BinaryInputError, decode_bytes, repair
from .repair import Repair


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ingest", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    fix = sub.add_parser("fix", help="repair mojibake; stdin to stdout when no FILE")
    fix.add_argument("files", nargs="*", type=Path, metavar="FILE")
    fix.add_argument("-o", "--output", type=Path, help="write here instead of stdout")
    fix.add_argument("--in-place", action="store_true",
                     help="rewrite each FILE with its repair (atomically)")

    explain = sub.add_parser("explain", help="show each repaired span, its chain and confidence")
    explain.add_argument("files", nargs="*", type=Path, metavar="FILE")

    args = parser.parse_args(argv)
    if args.command == "fix":
        return _fix(parser, args)
    return _explain(args)


def _read(path: Path | None) -> str:
    data = sys.stdin.buffer.read() if path is None else path.read_bytes()
    return decode_bytes(data).text


def _inputs(files: list[Path]) -> list[Path | None]:
    return list(files) if files else [None]


def _fix(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.in_place and (args.output or not args.files):
        parser.error("--in-place takes FILE arguments and no --output")
    if args.output and any(f.resolve() == args.output.resolve() for f in args.files):
        parser.error(f"{args.output}: -o would overwrite an input; use --in-place for that")
    status = 0
    outputs: list[str] = []
    for path in _inputs(args.files):
        name = "<stdin>" if path is None else str(path)
        try:
            fixed = repair(_read(path)).text
        except (OSError, BinaryInputError) as exc:
            print(f"ingest: {name}: {exc}", file=sys.stderr)
            status = 1
            continue
        if args.in_place:
            assert path is not None
            _write_atomic(path, fixed)
        else:
            outputs.append(fixed)
    if args.output:
        _write_atomic(args.output, "".join(outputs))
    elif not args.in_place:
        for text in outputs:
            sys.stdout.write(text)
    return status


def _write_atomic(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, flush it to disk, then rename over."""
    fd, tmp = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _explain(args: argparse.Namespace) -> int:
    status = 0
    for path in _inputs(args.files):
        name = "<stdin>" if path is None else str(path)
        try:
            result = repair(_read(path))
        except (OSError, BinaryInputError) as exc:
            print(f"ingest: {name}: {exc}", file=sys.stderr)
            status = 1
            continue
        sys.stdout.write(format_explanation(name, result))
    return status


def format_explanation(name: str, result: Repair) -> str:
    lines = [f"{name}: " + _summary(result)]
    for step in result.steps:
        chain = " → ".join(step.chain) if step.chain else "?"
        flag = "lossy, bytes guessed" if step.kind == "lossy" else step.kind
        if step.kind == "unrecoverable":
            flag = "unrecoverable, left as is"
        line = result.original.count("\n", 0, step.start) + 1
        lines.append(
            f"  line {line}, chars {step.start}-{step.end}: {step.before!r} → {step.after!r}"
            f"  [{chain}]  confidence {step.confidence:.2f}  {flag}"
        )
    return "\n".join(lines) + "\n"


def _summary(result: Repair) -> str:
    repaired = sum(1 for s in result.steps if s.before != s.after)
    lossy = sum(1 for s in result.steps if s.kind == "lossy")
    reported = sum(1 for s in result.steps if s.kind == "unrecoverable")
    if not result.steps:
        return "clean, nothing to repair"
    return (f"{repaired} span(s) repaired ({lossy} lossy), {reported} reported unrecoverable, "
            f"confidence {result.confidence:.2f}")


if __name__ == "__main__":
    raise SystemExit(main())
