"""The README's Python quick start runs as shown."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

README = Path(__file__).resolve().parents[2] / "README.md"


def _blocks() -> list[str]:
    text = README.read_text()
    section = text[text.index("## Python") :]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_quick_start_runs() -> None:
    blocks = _blocks()
    assert blocks, "the Python section has a python code block"
    code = blocks[0]
    assert 12 <= len(code.strip().splitlines()) <= 30
    exec(compile(code, str(README), "exec"), {"__name__": "__readme__"})


def test_every_python_block_of_the_readme_runs() -> None:
    blocks = _blocks()
    assert len(blocks) >= 2
    for code in blocks[1:]:
        exec(compile(code, str(README), "exec"), {"__name__": "__readme__"})
