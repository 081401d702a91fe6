"""The click-returning network component, declared once (Streamlit needs a real module).

Not a page: pages/network.py calls :func:`network_explorer`. Its files are in
mapping/components/network/ (docs/explorer.md says why we wrote it).
"""

from typing import Any

import streamlit.components.v1 as components

from mapping import settings
from mapping.marking import copy_for, marking_line
from mapping.render.explorer import component_dir
from pages.sign_in import identity

_component = components.declare_component("network_explorer", path=str(component_dir()))


def network_explorer(**args: Any) -> Any:
    """The component; the ``marking`` it draws above a saved picture also names who saves
    it (the signed-in user) and its review-by date, as every export's marking does."""
    if "marking" in args:
        who = identity()
        copy = copy_for(who.name if who else None, settings.current().export_review_days)
        args["marking"] = marking_line(copy, str(args["marking"]))
    return _component(**args)
