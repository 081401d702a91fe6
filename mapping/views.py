"""Plain tables for the pages and exports: analysis results and their evidence, labelled in
the field's words. Pages call these and only lay out what comes back."""

from __future__ import annotations

import pandas as pd

from mapping.graph import ScopedGraph
from mapping.model import MODEL

#: What a person reads first comes first: the link, its source, grading and dates; the
#: link id (for audit and exports) last, so a narrow side panel shows the evidence itself.
EVIDENCE_COLUMNS = [
    "link_type",
    "from",
    "to",
    "source_agency",
    "grading",
    "first_seen",
    "last_seen",
    "incident_id",
    "roles",
    "link_id",
]


def harm_summary(harms: dict[str, int]) -> str:
    return ", ".join(f"{MODEL.harms[h].attrs.get('short', h)} {n}" for h, n in harms.items())


def cluster_table(clusters) -> pd.DataFrame:
    """One row per cluster: what a MACE meeting reads first."""
    rows = []
    for c in clusters:
        rows.append(
            {
                "cluster": c.id,
                "overlap": "yes" if c.overlap else "no",
                "young people": len(c.young_people),
                "adults": len(c.adults),
                "contexts": len(c.contexts),
                "harm flags (young people)": harm_summary(c.harms),
                "with two or more harm types": len(c.multi_harm_young_people),
                "protective": len(c.protective["trusted_adults"])
                + len(c.protective["protective_places"]),
                "links of evidence": len(c.evidence),
            }
        )
    return pd.DataFrame(rows)


def name_of(scoped: ScopedGraph, node: str, use_codes: bool = False) -> str:
    data = scoped.graph.nodes.get(node)
    if data is None or use_codes:
        return node
    return str(data.get("label") or node)


def evidence_table(scoped: ScopedGraph, link_ids, use_codes: bool = False) -> pd.DataFrame:
    """The links behind a highlight: type, agency, grading and dates, newest first."""
    records = scoped.link_records(link_ids)
    rows = []
    for r in records.to_dict("records"):
        grading = "".join(
            str(r.get(k) or "")
            for k in ("source_evaluation", "intelligence_assessment", "handling_code")
        )
        roles = "/".join(x for x in (r.get("source_role"), r.get("target_role")) if x)
        rows.append(
            {
                "link_id": r["link_id"],
                "from": name_of(scoped, r["source_id"], use_codes),
                "to": name_of(scoped, r["target_id"], use_codes),
                "link_type": MODEL.link_types.label(r["link_type"]),
                "source_agency": MODEL.source_agencies.label(r["source_agency"])
                if r.get("source_agency")
                else "not recorded",
                "grading": grading or "not graded",
                "first_seen": r.get("first_seen"),
                "last_seen": r.get("last_seen"),
                "incident_id": r.get("incident_id") or "",
                "roles": roles,
            }
        )
    frame = pd.DataFrame(rows, columns=EVIDENCE_COLUMNS)
    return frame.sort_values(
        ["last_seen", "link_id"], ascending=[False, True], na_position="last"
    ).reset_index(drop=True)
