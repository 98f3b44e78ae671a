"""Griffe extension for the API reference: a docstring's `>>>` example becomes a fenced pycon code block.

gradnote's docstrings keep their two-line doctest examples in the running text (tests/test_docs.py runs them);
rendered as plain Markdown, `[[0, 1], [2, 3]]` in an output line would read as a link and `>>>` as a quote.
"""

from __future__ import annotations

import griffe


def fence_doctests(text: str) -> str:
    out, block = [], []
    for line in text.splitlines() + [""]:
        stripped = line.strip()
        if stripped.startswith(">>>") or (block and stripped):
            block.append(line)
            continue
        if block:
            indent = block[0][: len(block[0]) - len(block[0].lstrip())]
            out += [f"{indent}```pycon", *block, f"{indent}```"]
            block = []
        out.append(line)
    return "\n".join(out[:-1])


class DoctestBlocks(griffe.Extension):
    def on_object(self, *, obj, **kwargs) -> None:
        if obj.docstring is not None and ">>>" in obj.docstring.value:
            obj.docstring.value = fence_doctests(obj.docstring.value)
