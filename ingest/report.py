"""What a run did: counts, repairs by codec chain, quarantine reasons; as a table for
people and as JSON (`--report FILE.json`, `ingest status`) for programs."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from .work import FileResult

# Exit codes, documented in the README.
OK, QUARANTINED, USAGE, FAILED, LOCKED = 0, 1, 2, 3, 75


@dataclass
class RunReport:
    run_id: str
    src: str
    out: str
    dry_run: bool = False
    files: int = 0            # files found under SRC (after --include/--exclude)
    processed: int = 0        # read this run
    unchanged: int = 0        # skipped: committed before with the same content
    deleted: int = 0          # committed before, gone from SRC now
    records: int = 0
    clean: int = 0
    repaired: int = 0
    lossy: int = 0
    quarantined: int = 0      # records
    bytes: int = 0
    seconds: float = 0.0
    by_chain: Counter = field(default_factory=Counter)
    by_reason: Counter = field(default_factory=Counter)
    quarantined_files: list[tuple[str, str]] = field(default_factory=list)  # (source, first error)
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # opened or listed: failed
    skipped: list[tuple[str, str]] = field(default_factory=list)     # links, devices
    error: str | None = None  # why the run failed, when it did
    exit_code: int = OK

    def add(self, result: FileResult) -> None:
        if result.status == "unchanged":
            self.unchanged += 1
            return
        if result.status == "vanished":
            self.unreadable.append((result.source, result.errors[0]))
            return
        self.processed += 1
        self.bytes += result.size
        self.records += result.records
        self.repaired += result.repaired
        self.lossy += result.lossy
        self.quarantined += result.quarantined
        self.clean += result.records - result.repaired - result.quarantined
        self.by_chain.update(result.chains)
        if result.status == "unreadable":
            self.unreadable.append((result.source, result.errors[0]))
        for error in result.errors:
            self.by_reason[reason_kind(error)] += 1
        if result.quarantined:
            extra = result.quarantined - len(result.errors)
            if extra > 0:
                self.by_reason[reason_kind(result.errors[-1])] += extra
            self.quarantined_files.append((result.source, result.errors[0]))

    def finish(self) -> None:
        if self.error is not None:
            self.exit_code = FAILED
        elif self.quarantined or self.unreadable:
            self.exit_code = QUARANTINED
        else:
            self.exit_code = OK

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["by_chain"] = dict(self.by_chain.most_common())
        data["by_reason"] = dict(self.by_reason.most_common())
        for key in ("quarantined_files", "unreadable", "skipped"):
            data[key] = [{"source": s, "reason": r} for s, r in data[key]]
        return data

    def counts(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in (
            "files", "processed", "unchanged", "deleted", "records", "clean", "repaired",
            "lossy", "quarantined", "bytes")}

    def summary(self) -> str:
        rate = self.bytes / self.seconds if self.seconds else 0.0
        head = "dry run (nothing written)" if self.dry_run else f"run {self.run_id} → {self.out}"
        rows = [
            head,
            f"  files      {self.files:>9,}   read {self.processed:,}, unchanged "
            f"{self.unchanged:,}, deleted {self.deleted:,}, unreadable {len(self.unreadable):,}"
            f", skipped {len(self.skipped):,}",
            f"  records    {self.records:>9,}   clean {self.clean:,}, repaired {self.repaired:,}"
            f" (lossy {self.lossy:,}), quarantined {self.quarantined:,}",
            f"  read       {size_text(self.bytes):>12} in {self.seconds:.1f} s ({size_text(rate)}/s)",
        ]
        if self.by_chain:
            rows.append("  repaired spans by codec chain")
            rows += [f"    {n:>9,}  {chain}" for chain, n in self.by_chain.most_common(12)]
        if self.by_reason:
            rows.append("  quarantined records by reason")
            rows += [f"    {n:>9,}  {why}" for why, n in self.by_reason.most_common(12)]
        for title, items in (("unreadable", self.unreadable), ("skipped", self.skipped)):
            if items:
                rows.append(f"  {title}")
                rows += [f"    {s}: {r}" for s, r in items[:20]]
                if len(items) > 20:
                    rows.append(f"    … and {len(items) - 20} more (see --report)")
        if self.error:
            rows.append(f"  run FAILED: {self.error}")
        return "\n".join(rows)


def size_text(n: float) -> str:
    """A byte count for people: "812 bytes", "9.4 KB", "1,234.5 MB" (powers of 1000,
    as the rates beside them)."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if round(n / scale, 1) >= 1:
            return f"{n / scale:,.1f} {unit}"
    return f"{n:,.0f} bytes"


def reason_kind(error: str) -> str:
    """The kind of an error, without its line number or details: "not valid JSON"."""
    kind = re.sub(r"^line \d+: ", "", error)
    kind = re.split(r" \(|: (?!not)| after \d+ bytes", kind, maxsplit=1)[0]
    return kind[:80]
