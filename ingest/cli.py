"""Command line: `ingest run`, `status`, `retry`, `compact`, `fix`, `explain`.
No logic the Python API lacks.

Exit codes: 0 done; 1 finished, but some input was quarantined or could not be read
(the rest was processed); 2 usage error; 3 the run failed; 75 another run holds the
lock on OUT (try again later).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from . import BinaryInputError, decode_bytes, repair
from .repair import Repair
from .report import size_text

DEFAULT_OUT = Path("data/clean")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ingest", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"ingest {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    fix = sub.add_parser("fix", help="repair mojibake; stdin to stdout when no FILE")
    fix.add_argument("files", nargs="*", type=Path, metavar="FILE")
    fix.add_argument("-o", "--output", type=Path, help="write here instead of stdout")
    fix.add_argument("--in-place", action="store_true",
                     help="rewrite each FILE with its repair (atomically)")

    explain = sub.add_parser("explain", help="show each repaired span, its chain and confidence")
    explain.add_argument("files", nargs="*", type=Path, metavar="FILE")

    _run_parser(sub)
    status = sub.add_parser("status", help="last runs, counts, quarantined files, lock")
    status.add_argument("out", nargs="?", default=DEFAULT_OUT, metavar="OUT")
    status.add_argument("--json", action="store_true", help="print JSON instead")
    retry = _run_parser(sub, "retry", "read again the files quarantined in OUT")
    retry.set_defaults(retry=True)
    compact_cmd = sub.add_parser("compact", help="merge small part files, atomically")
    compact_cmd.add_argument("out", nargs="?", default=DEFAULT_OUT, metavar="OUT")
    compact_cmd.add_argument("--part-size", type=_megabytes, default=128 * 2**20,
                             metavar="MB", help="target part size in MB (default 128)")
    compact_cmd.add_argument("--wait", type=float, default=0.0, metavar="SECONDS")
    compact_cmd.add_argument("--state-dir", metavar="DIR", help=_STATE_DIR_HELP)

    args = parser.parse_args(argv)
    # Reports and summaries hold what the locale's encoding may lack (→, repaired
    # spans): shown as escapes there, rather than a crash after the work is done.
    # (Repaired text itself goes out as UTF-8: `_write_stdout`.)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")
    if args.command in ("fix", "explain"):
        return _fix(parser, args) if args.command == "fix" else _explain(args)
    from .dataset import compact
    from .pipeline import OutputLocked, UsageError
    from .state import Locked
    from .storage import LocationError
    try:
        if args.command in ("run", "retry"):
            return _run(parser, args)
        if args.command == "status":
            return _status(args)
        if args.command == "compact":
            before, after = compact(args.out, part_bytes=args.part_size, wait=args.wait,
                                    state_dir=args.state_dir)
            print(f"{args.out}: {before} part files → {after}")
            return 0
    except Locked as exc:   # compact: the lock is held by a run
        print(f"ingest: {exc}", file=sys.stderr)
        return OutputLocked.exit_code
    except (UsageError, OutputLocked, LocationError) as exc:
        # With --log-format json the refusal is already an event: keep the log JSON.
        if not (isinstance(exc, OutputLocked) and getattr(args, "log_format", "") == "json"):
            print(f"ingest: {exc}", file=sys.stderr)
        return exc.exit_code
    raise AssertionError(args.command)


_STATE_DIR_HELP = ("remote OUT only: local folder for its state database and lock "
                   "(default: one per OUT under ~/.cache/ingest/state)")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("ingest")
    except PackageNotFoundError:   # (run from a checkout that was never installed)
        return "unknown"


def _megabytes(value: str) -> int:
    return int(float(value) * 2**20)


def _run_parser(sub: argparse._SubParsersAction, name: str = "run",
                help: str = "clean a folder into a Parquet dataset") -> argparse.ArgumentParser:
    cmd = sub.add_parser(name, help=help)
    if name == "run":
        cmd.add_argument("src", metavar="SRC",
                         help="folder of files to ingest (a path, or a URL: s3://…)")
        cmd.add_argument("--out", default=DEFAULT_OUT, metavar="OUT",
                         help=f"dataset folder, a path or a URL (default {DEFAULT_OUT})")
    else:
        cmd.add_argument("out", nargs="?", default=DEFAULT_OUT, metavar="OUT")
        cmd.add_argument("--src", metavar="SRC",
                         help="source folder (default: the last run's)")
    cmd.add_argument("--workers", type=int, metavar="N", help="processes (default: all cores)")
    cmd.add_argument("--engine", choices=("local", "ray"), default="local",
                     help="local processes (default) or Ray tasks (pip install 'ingest[ray]')")
    cmd.add_argument("--address", metavar="ADDRESS",
                     help="Ray cluster to join (default: start a local Ray instance)")
    cmd.add_argument("--include", action="append", default=[], metavar="GLOB",
                     help="read only matching files (path or name; repeatable)")
    cmd.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                     help="skip matching files (repeatable)")
    cmd.add_argument("--hidden", action="store_true", help="read hidden files and folders")
    cmd.add_argument("--text-field", metavar="NAME",
                     help="CSV/JSON field that becomes the text (default: text, else longest)")
    cmd.add_argument("--max-expansion", type=int, default=100, metavar="RATIO",
                     help="cap on decompressed/compressed size (default 100)")
    cmd.add_argument("--part-size", type=_megabytes, default=128 * 2**20, metavar="MB",
                     help="target part file size in MB (default 128)")
    cmd.add_argument("--task-size", type=_megabytes, default=32 * 2**20, metavar="MB",
                     help="input per task, the unit of work and of commit (default 32)")
    cmd.add_argument("--split-size", type=_megabytes, default=64 * 2**20, metavar="MB",
                     help="JSON lines and text files larger than this are read in ranges of "
                     "about this size, in parallel (default 64; 0: never)")
    cmd.add_argument("--report", type=Path, metavar="FILE.json", help="write the report as JSON")
    cmd.add_argument("--dry-run", action="store_true",
                     help="read, detect and report; write no dataset")
    cmd.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                     help="wait this long for another run on OUT to finish (default: exit 75)")
    cmd.add_argument("--state-dir", metavar="DIR", help=_STATE_DIR_HELP)
    cmd.add_argument("--log-format", choices=("text", "json"), default="text",
                     help="json: one JSON object per event on stderr, for log collectors")
    cmd.add_argument("-q", "--quiet", action="store_true", help="no progress, no summary")
    cmd.set_defaults(retry=False)
    return cmd


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from .pipeline import run
    from .report import FAILED

    src = args.src if args.command == "run" else _last_src(args)
    progress = "json" if args.log_format == "json" else "auto"
    report = run(src, args.out, workers=args.workers, include=args.include,
                 exclude=args.exclude, hidden=args.hidden, text_field=args.text_field,
                 dry_run=args.dry_run, retry=args.retry, max_expansion=args.max_expansion,
                 part_bytes=args.part_size, task_bytes=args.task_size,
                 split_bytes=args.split_size, wait=args.wait, progress=progress,
                 quiet=args.quiet, engine=args.engine, address=args.address,
                 state_dir=args.state_dir)
    if args.report:
        _write_atomic(args.report, json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    if not args.quiet and args.log_format == "text":
        print(report.summary(), file=sys.stderr if report.exit_code == FAILED else sys.stdout)
    return report.exit_code


def _last_src(args: argparse.Namespace) -> str:
    from .pipeline import UsageError
    from .state import snapshot
    from .storage import locate

    if args.src:
        return args.src
    try:
        with snapshot(locate(args.out)) as state:
            src = state.last_src()
    except FileNotFoundError:
        raise UsageError(f"{args.out}: no ingest dataset here; run `ingest run SRC --out "
                         f"{args.out}` first") from None
    if src is None:
        raise UsageError(f"{args.out}: no run recorded; pass --src")
    return src


def _status(args: argparse.Namespace) -> int:
    from .pipeline import UsageError
    from .state import locked, snapshot
    from .storage import Remote, locate, state_folder

    out = locate(args.out)
    try:
        with snapshot(out) as state:
            info = state.summary()
    except FileNotFoundError:
        raise UsageError(f"{args.out}: no ingest dataset here") from None
    try:   # a remote OUT: this host's lock only
        with locked(out, folder=state_folder(out, None) if isinstance(out, Remote) else None):
            info["running"] = None
    except Exception as exc:   # noqa: BLE001  the lock is held: a run is going
        info["running"] = str(exc)
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=2))
    else:
        print(format_status(args.out, info))
    return 0


def format_status(out: str | Path, info: dict) -> str:
    lines = [f"{out}: " + (f"a run is in progress ({info['running']})" if info["running"]
                           else "no run in progress")]
    lines.append("  files by status (current versions): " + ", ".join(
        f"{k} {v:,}" for k, v in sorted(info["files_by_status"].items())) or "none")
    lines.append(f"  records in the current view: {info['records']:,}; part files "
                 f"{info['parts']:,} ({size_text(info['part_bytes'])})")
    lines.append("  last runs:")
    for r in info["runs"]:
        counts = r.get("counts") or {}
        lines.append(f"    {r['run_id']}  {r['status']:<9} exit {r['exit_code']}  "
                     f"read {counts.get('processed', '?')}, unchanged "
                     f"{counts.get('unchanged', '?')}, quarantined {counts.get('quarantined', '?')}")
    if info["quarantined"]:
        lines.append("  quarantined files:")
        lines += [f"    {q['source']}: {q['error']}" for q in info["quarantined"][:50]]
    return "\n".join(lines)


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
        _write_stdout("".join(outputs))
    return status


def _write_stdout(text: str) -> None:
    """Repaired text goes out as UTF-8, as files are written, whatever the locale's
    encoding (a Latin-1 or ASCII terminal, PYTHONIOENCODING): it is the output of
    the tool, not a message, and would otherwise fail on the first character the
    locale lacks."""
    binary = getattr(sys.stdout, "buffer", None)
    if binary is None:   # (a text-only stream put in its place by a caller)
        sys.stdout.write(text)
        return
    sys.stdout.flush()
    binary.write(text.encode("utf-8"))
    binary.flush()


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
        # Line and column (from 1, as editors count them) where the span starts;
        # then its offsets in the whole text, as the steps give them.
        line = result.original.count("\n", 0, step.start) + 1
        column = step.start - (result.original.rfind("\n", 0, step.start) + 1) + 1
        lines.append(
            f"  line {line}, column {column} (chars {step.start}-{step.end}): "
            f"{step.before!r} → {step.after!r}  [{chain}]  confidence {step.confidence:.2f}  {flag}"
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
