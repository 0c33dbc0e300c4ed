from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CASES = Path(__file__).resolve().parent / "cases"

# Tables built during the tests are kept in a folder of the test session (inherited by
# the CLI and worker processes the tests start), not in the user's cache folder, and
# removed at the end (up to 40 MB).
if "INGEST_CACHE_DIR" not in os.environ:
    _TABLES = tempfile.mkdtemp(prefix="ingest-test-cache-")
    os.environ["INGEST_CACHE_DIR"] = _TABLES
    atexit.register(shutil.rmtree, _TABLES, ignore_errors=True)


def corrupt(text: str, chain: list[str], errors: str = "strict") -> str:
    """Apply a codec history to `text`: ["utf-8", "gbk"] encodes as UTF-8, decodes as GBK."""
    for encoding, decoding in zip(chain[::2], chain[1::2]):
        text = text.encode(encoding).decode(decoding, errors=errors)
    return text


def load_cases(name: str) -> list[dict]:
    return json.loads((CASES / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seed_clean() -> str:
    return (SEEDS / "000_dc3c457c942cfdd8.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_broken() -> str:
    return (SEEDS / "002_1c36b51a41f00386.txt").read_text(encoding="utf-8")
