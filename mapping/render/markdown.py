"""Make data text safe to show through anything Streamlit renders as Markdown.

Titles, headers, captions, alerts, expander and widget labels all read Markdown, so a
place label or a file name such as ``![x](http://host/x.png)`` would draw an image and make
the browser fetch that URL (breaking the offline promise and acting as a tracking beacon);
backticks would break out of code spans and ``:red[...]`` would restyle the page. Every
ASCII punctuation character is backslash-escaped (CommonMark allows escaping any of them),
line breaks become spaces, and the text reads the same on screen. Never touches Streamlit.

>>> md("![x](http://host/x.png)")
'\\\\!\\\\[x\\\\]\\\\(http\\\\:\\\\/\\\\/host\\\\/x\\\\.png\\\\)'
>>> md("Kebab Stop")
'Kebab Stop'
"""

from __future__ import annotations

import string

_ESCAPES = {ord(c): "\\" + c for c in string.punctuation}
_ESCAPES.update({ord("\n"): " ", ord("\r"): " ", ord("\t"): " "})


def md(value: object) -> str:
    """``value`` as text that Markdown shows literally (no links, images, code or colour)."""
    return str(value).translate(_ESCAPES)
