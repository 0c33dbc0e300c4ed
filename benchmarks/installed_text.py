"""What `ingest.repair` changes in the text already installed on this machine.

Installed text is mostly clean, and none of it is written for this project: the
UTF-8 text files of /usr/share, of the running Python's library and of its
site-packages (source code, data tables, documentation, locale definitions), and
every translation in the gettext catalogs under /usr/share/locale. Whatever ingest
changes there is either real mojibake (some test suites and docs show it on
purpose, some catalogs hold it by accident) or a false repair; the listing shows
which, for a person to read.

    python benchmarks/installed_text.py [--files] [--messages] [--show 40] [ROOT ...]

Prints, for each corpus, how many texts were read, how many came out changed, and
the first changed spans (before, after, codec chain, confidence). Session 20 found
its false repairs in data, code and mixed CJK-ASCII messages this way; the counts
it reached are in the closing notes. Nothing here is a test: a count is a figure
to compare between versions, not a pass or fail.
"""

from __future__ import annotations

import argparse
import os
import site
import sys
import sysconfig
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE / "accuracy"))

import sources  # benchmarks/accuracy/sources.py: the gettext catalogs' reader

import ingest

#: Extensions read as text (and files without one); larger files are skipped.
EXTENSIONS = {".py", ".txt", ".md", ".rst", ".po", ".html", ".json", ".csv", ".xml",
              ".toml", ".cfg", ".ini", ".yml", ".yaml", ".tex", ".js", ".css", ".c",
              ".h", ".pyi", ""}
MAX_BYTES = 2_000_000


def default_roots() -> list[Path]:
    roots = [Path("/usr/share"), Path(sysconfig.get_paths()["stdlib"])]
    roots += [Path(p) for p in site.getsitepackages()]
    return [r for r in dict.fromkeys(roots) if r.is_dir()]


def text_files(roots: list[Path]) -> Iterator[tuple[str, str]]:
    """(path, text) of each distinct UTF-8 file with non-ASCII text under `roots`."""
    seen: set[bytes] = set()
    for root in roots:
        for folder, _, names in os.walk(root):
            for name in sorted(names):
                path = os.path.join(folder, name)
                if os.path.splitext(name)[1] not in EXTENSIONS or os.path.islink(path):
                    continue
                try:
                    if os.path.getsize(path) > MAX_BYTES:
                        continue
                    with open(path, "rb") as handle:
                        data = handle.read()
                    text = data.decode("utf-8")
                except (OSError, UnicodeDecodeError):
                    continue
                if data in seen or text.isascii():
                    continue
                seen.add(data)
                yield path, text


def messages(folder: Path = Path("/usr/share/locale")) -> Iterator[tuple[str, str]]:
    """(catalog, translation) of each distinct non-ASCII translation under `folder`."""
    seen: set[str] = set()
    for path, text in sources.gettext_messages(folder):
        if text not in seen:
            seen.add(text)
            yield str(path.relative_to(folder)), text


def survey(name: str, texts: Iterator[tuple[str, str]], show: int) -> None:
    started = time.perf_counter()
    read = changed = chars = 0
    shown = []
    for where, text in texts:
        read += 1
        chars += len(text)
        result = ingest.repair(text)
        if not result.changed:
            continue
        changed += 1
        for step in result.steps:
            if step.before != step.after and len(shown) < show:
                shown.append((where, step))
    seconds = time.perf_counter() - started
    print(f"{name}: {read:,} texts ({chars:,} characters), {changed:,} changed "
          f"({100 * changed / max(read, 1):.3f}%), {seconds:.0f} s")
    for where, step in shown:
        print(f"  {where}: {step.before[:40]!r} -> {step.after[:40]!r} "
              f"{' > '.join(step.chain)} {step.confidence:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("roots", nargs="*", type=Path,
                        help="folders to read (default: /usr/share, the stdlib, site-packages)")
    parser.add_argument("--files", action="store_true", help="only the text files")
    parser.add_argument("--messages", action="store_true", help="only the gettext catalogs")
    parser.add_argument("--show", type=int, default=40, help="changed spans to list per corpus")
    args = parser.parse_args()
    both = not (args.files or args.messages)
    if both or args.files:
        survey("text files", text_files(args.roots or default_roots()), args.show)
    if both or args.messages:
        survey("gettext translations", messages(), args.show)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
