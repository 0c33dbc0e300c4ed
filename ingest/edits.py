"""Edits of one repair layer, and how the layers compose back onto the original.

Each layer proposes `Edit`s against the text as that layer saw it. `Trace` keeps,
for every region changed so far, where it sits in the original and in the current
text, so that after several layers each repaired region becomes one step with its
whole codec chain ("utf-8", "gbk", "utf-8", "windows-1252") and its span in the
original.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    after: str
    chain: tuple[str, ...]
    confidence: float
    lossy: bool = False


@dataclass(frozen=True)
class Region:
    """A changed region: original[o_start:o_end] is now current[c_start:c_end]."""

    o_start: int
    o_end: int
    c_start: int
    c_end: int
    chain: tuple[str, ...]
    confidence: float
    lossy: bool


class Trace:
    def __init__(self, original: str) -> None:
        self.text = original
        self.regions: list[Region] = []

    def apply(self, edits: list[Edit]) -> None:
        """Apply one layer's edits (sorted, not overlapping) and merge the regions."""
        if not edits:
            return
        pieces: list[str] = []
        out: list[Region] = []
        regions = self.regions
        i = 0
        delta = 0   # current minus original length, over regions already passed
        shift = 0   # new minus current length, over edits already applied
        pos = 0     # next unread position of the current text
        for e in edits:
            while i < len(regions) and regions[i].c_end <= e.start and not (
                regions[i].c_end == e.start == e.end
            ):
                r = regions[i]
                out.append(replace(r, c_start=r.c_start + shift, c_end=r.c_end + shift))
                delta += (r.c_end - r.c_start) - (r.o_end - r.o_start)
                i += 1
            group = []
            while i < len(regions) and regions[i].c_start < max(e.end, e.start + 1):
                group.append(regions[i])
                i += 1
            start = min([e.start] + [g.c_start for g in group])
            end = max([e.end] + [g.c_end for g in group])
            o_start = group[0].o_start if group and group[0].c_start <= e.start else start - delta
            for g in group:
                delta += (g.c_end - g.c_start) - (g.o_end - g.o_start)
            o_end = group[-1].o_end if group and group[-1].c_end >= e.end else end - delta
            new = self.text[start:e.start] + e.after + self.text[e.end:end]
            pieces.append(self.text[pos:start])
            pieces.append(new)
            pos = end
            chain = e.chain
            for inner in dict.fromkeys(g.chain for g in group):
                chain = chain + inner
            out.append(
                Region(
                    o_start, o_end, start + shift, start + shift + len(new), chain,
                    min([e.confidence] + [g.confidence for g in group]),
                    e.lossy or any(g.lossy for g in group),
                )
            )
            shift += len(new) - (end - start)
        for r in regions[i:]:
            out.append(replace(r, c_start=r.c_start + shift, c_end=r.c_end + shift))
        pieces.append(self.text[pos:])
        self.text = "".join(pieces)
        self.regions = out

    def to_original(self, pos: int) -> int:
        """Original offset of a current offset that lies outside every region."""
        delta = 0
        for r in self.regions:
            if r.c_end > pos:
                break
            delta += (r.c_end - r.c_start) - (r.o_end - r.o_start)
        return pos - delta
