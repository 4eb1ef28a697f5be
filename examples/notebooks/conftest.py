"""Notebooks that read ../shared/data are skipped, with the reason, when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
NEEDS = {"nafta_gravity.ipynb": SHARED / "yotov-advanced-guide" / "chapter2_application2.csv"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        needed = NEEDS.get(Path(str(item.fspath)).name)
        if needed is not None and not needed.exists():
            item.add_marker(pytest.mark.skip(reason=f"{needed} is absent (../shared/data is not checked out)"))
