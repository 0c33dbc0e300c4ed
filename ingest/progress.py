"""How a run shows itself while it goes: a progress bar on a terminal (tqdm), plain
log lines otherwise, one JSON object per event for log collectors, or nothing."""

from __future__ import annotations

import json
import sys
import time
from typing import Any, TextIO

from .report import size_text
from .work import TaskResult

MODES = ("auto", "bar", "plain", "json", "quiet")
PLAIN_EVERY = 10.0   # seconds between plain progress lines


class Progress:
    def __init__(self, mode: str = "auto", stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        if mode == "auto":
            mode = "bar" if self.stream.isatty() else "plain"
        self.mode = mode
        self.bar: Any = None
        self.files = self.bytes = self.repaired = self.quarantined = 0
        self.total_files = self.total_bytes = 0
        self.started = self.last = time.monotonic()

    def event(self, name: str, **fields: Any) -> None:
        """A notable moment: run started or finished, a file quarantined, a lock."""
        if self.mode == "json":
            record = {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "event": name, **fields}
            self.stream.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
            self.stream.flush()
        elif self.mode == "plain" and name != "run_finished":
            detail = " ".join(f"{k}={v}" for k, v in fields.items())
            self._line(f"ingest: {name.replace('_', ' ')} {detail}")

    def start(self, files: int, size: int) -> None:
        self.total_files, self.total_bytes = files, size
        if self.mode == "bar" and files:
            from tqdm import tqdm
            self.bar = tqdm(total=files, unit="file", file=self.stream, dynamic_ncols=True,
                            smoothing=0.1)

    def advance(self, result: TaskResult) -> None:
        for f in result.files:
            self.files += 1
            self.bytes += f.size
            self.repaired += f.repaired
            self.quarantined += f.quarantined
            if f.quarantined and self.mode == "json":
                self.event("file_quarantined", source=f.source, records=f.quarantined,
                           reason=f.errors[0] if f.errors else None)
        if self.bar is not None:
            seconds = max(time.monotonic() - self.started, 1e-9)
            self.bar.set_postfix_str(f"{size_text(self.bytes / seconds)}/s, repaired "
                                     f"{self.repaired}, quarantined {self.quarantined}",
                                     refresh=False)
            self.bar.update(len(result.files))
        elif self.mode == "plain" and time.monotonic() - self.last >= PLAIN_EVERY:
            self._line(self._status())
        elif self.mode == "json" and time.monotonic() - self.last >= PLAIN_EVERY:
            self.last = time.monotonic()
            self.event("progress", files=self.files, total_files=self.total_files,
                       bytes=self.bytes, repaired=self.repaired, quarantined=self.quarantined)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def _status(self) -> str:
        seconds = max(time.monotonic() - self.started, 1e-9)
        return (f"ingest: {self.files}/{self.total_files} files, "
                f"{size_text(self.bytes)} of {size_text(self.total_bytes)}, "
                f"{size_text(self.bytes / seconds)}/s, repaired {self.repaired}, "
                f"quarantined {self.quarantined}")

    def _line(self, text: str) -> None:
        self.last = time.monotonic()
        self.stream.write(text + "\n")
        self.stream.flush()
