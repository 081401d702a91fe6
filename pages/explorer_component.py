"""The click-returning network component, declared once (Streamlit needs a real module).

Not a page: pages/network.py calls :data:`network_explorer`. Its files are in
mapping/components/network/ (docs/explorer.md says why we wrote it).
"""

import streamlit.components.v1 as components

from mapping.render.explorer import component_dir

network_explorer = components.declare_component("network_explorer", path=str(component_dir()))
