"""MkDocs hooks: formulas become MathML at build time; each lesson's code runs once for both languages.

Formulas: no math script is fetched or shipped.

pymdownx.arithmatex (generic mode) finds $...$ and $$...$$ outside code and wraps the TeX in
<span class="arithmatex">\\(...\\)</span> / <div class="arithmatex">\\[...\\]</div>; here each is replaced by
the MathML that latex2mathml writes, which browsers draw natively.

Lessons: the Korean and the English page of a lesson include the same code (docs/code/*.py) in the same order
in one markdown-exec session. The first page to run a block keeps its output; the other page's identical block,
reached after the same earlier blocks of its page, shows that output instead of training the model again.
A page's chain starts at its setup block (docs/code/_setup.py).
"""

from __future__ import annotations

import html
import re

from latex2mathml.converter import convert

try:
    from markdown_exec._internal.formatters import python as _exec_python
except ImportError:  # another markdown-exec layout: every block simply runs on each page
    _exec_python = None

_SETUP = "# Run at the top of every lesson page"

_MATH = re.compile(r'<(span|div) class="arithmatex">\s*\\[(\[](.*?)\\[)\]]\s*</\1>', re.S)


def _mathml(match: re.Match) -> str:
    tag, tex = match.group(1), html.unescape(match.group(2))
    out = convert(tex, display="block" if tag == "div" else "inline")
    # HTML5 needs no namespace on <math>; dropping it keeps the built pages free of external URLs
    return out.replace(' xmlns="http://www.w3.org/1998/Math/MathML"', "")


def on_page_content(html_text: str, **kwargs) -> str:
    return _MATH.sub(_mathml, html_text)


_outputs: dict = {}
_chains: dict = {}


def _run_once(run):
    def cached(code: str, returncode=None, session=None, id=None, **extra):  # noqa: A002
        if session is None:
            return run(code, returncode, session, id, **extra)
        chain = (code,) if code.startswith(_SETUP) else (*_chains.get(session, ()), code)
        _chains[session] = chain
        key = (session, chain)
        if key not in _outputs:
            _outputs[key] = run(code, returncode, session, id, **extra)
        return _outputs[key]

    cached.uncached = run
    return cached


def on_startup(**kwargs) -> None:
    if _exec_python is not None and not hasattr(_exec_python._run_python, "uncached"):
        _exec_python._run_python = _run_once(_exec_python._run_python)
