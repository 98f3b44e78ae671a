"""MkDocs hook: formulas become MathML while the site builds, so no math script is fetched or shipped.

pymdownx.arithmatex (generic mode) finds $...$ and $$...$$ outside code and wraps the TeX in
<span class="arithmatex">\\(...\\)</span> / <div class="arithmatex">\\[...\\]</div>; here each is replaced by
the MathML that latex2mathml writes, which browsers draw natively.
"""

from __future__ import annotations

import html
import re

from latex2mathml.converter import convert

_MATH = re.compile(r'<(span|div) class="arithmatex">\s*\\[(\[](.*?)\\[)\]]\s*</\1>', re.S)


def _mathml(match: re.Match) -> str:
    tag, tex = match.group(1), html.unescape(match.group(2))
    out = convert(tex, display="block" if tag == "div" else "inline")
    # HTML5 needs no namespace on <math>; dropping it keeps the built pages free of external URLs
    return out.replace(' xmlns="http://www.w3.org/1998/Math/MathML"', "")


def on_page_content(html_text: str, **kwargs) -> str:
    return _MATH.sub(_mathml, html_text)
