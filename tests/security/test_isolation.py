"""Session isolation: nothing person-level in caches shared across users, and two sessions
of different roles never see each other's data or filters."""

from __future__ import annotations

import re
from pathlib import Path

from tests.security.conftest import new_app, sign_in

ROOT = Path(__file__).resolve().parents[2]


def link_count(at) -> int:
    text = next(c.value for c in at.caption if c.value.startswith("Dataset version"))
    return int(text.split(" entities and ")[1].split(" links")[0])


def test_no_shared_streamlit_caches_in_pages():
    """st.cache_data/st.cache_resource hand one object to every user of the server; pages
    keep person-level data in st.session_state instead (pages/common.session_cached)."""
    sources = [ROOT / "app.py", *(ROOT / "pages").glob("*.py")]
    decorated = [
        p.name
        for p in sources
        if re.search(r"@st\.cache_(data|resource)|st\.cache_(data|resource)\(", p.read_text())
    ]
    assert decorated == []


def test_no_disk_persisted_caches_anywhere():
    sources = [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "mapping").rglob("*.py")]
    assert not [p.name for p in sources if 'persist="disk"' in p.read_text()]


def test_two_sessions_of_different_roles_stay_apart(signed_in_env):
    police = sign_in(new_app().run(), "pc")
    analyst = sign_in(new_app().run(), "ana")
    assert (link_count(police), link_count(analyst)) == (6, 5)  # C link: police only
    analyst.sidebar.multiselect(key="f_link_types").select("peer_association").run()
    assert link_count(analyst) == 1
    police.run()
    assert link_count(police) == 6  # the analyst's filter did not reach the police session
    assert police.session_state["identity"].role == "police"
    assert analyst.session_state["identity"].role == "analyst"
    assert "f_link_types" not in police.session_state or not police.session_state["f_link_types"]


def test_signing_out_drops_the_sessions_data(signed_in_env):
    at = sign_in(new_app().run(), "ana")
    # What the session holds of its own: who it is and the explorer's view (search hits,
    # view steps). Analyses shared per scope live in the process cache, not the session.
    held = [k for k in ("identity", "ex_hits", "ex_undo") if k in at.session_state]
    assert held == ["identity", "ex_hits", "ex_undo"]
    next(b for b in at.sidebar.button if b.label == "Sign out").click().run()
    assert not at.exception
    left = {k: at.session_state[k] for k in (*held, "_cache") if k in at.session_state}
    assert "identity" not in left and not any(left.values()), left
    assert not at.dataframe and not any("Dataset version" in c.value for c in at.caption)
