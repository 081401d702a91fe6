"""Key rotation: re-key every stored code of a database with a new key, in one transaction.

HMAC cannot be inverted and raw identifiers are never stored, so a database cannot be
re-hashed from raw ids. Instead each stored code is hashed again with the new key
(``YP-<d>`` becomes ``YP-<HMAC(new, d)>``) and the new key is appended to the key chain;
imports made with the chain compute exactly the same codes (see ``mapping.pseudonymise``).
Which ids are codes is read from the model (people, unknowns and private places), never
guessed from their shape. Link ids, which are derived from their ends, are recomputed.
Codes in the audit log's details are re-keyed too (so a subject access report still finds
who saw a person) and the audit hash chain is resealed; ``rekey`` then logs itself.
Never logs a code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import (
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    func,
    literal,
    select,
)

from loaders.canonical import link_ids
from loaders.importer import KEY_SETTING
from mapping import audit_chain
from mapping.model import MODEL
from mapping.pseudonymise import Pseudonymiser, load_key_chain, new_key, write_key_file
from mapping.store import Store, actions, entities, incidents, links

#: Every stored column that may hold a pseudonymised code. A new table that stores person
#: codes must be added here, or rotation would leave its codes behind.
CODE_COLUMNS = (
    (entities, "entity_id"),
    (entities, "label"),
    (links, "source_id"),
    (links, "target_id"),
    (incidents, "person_id"),
    (incidents, "place_id"),
    (actions, "target_id"),
)
LINK_KEY = ("source_id", "target_id", "link_type", "first_seen", "source_agency", "incident_id")


@dataclass(frozen=True)
class RekeyResult:
    codes: int
    links: int
    new_key_file: Path
    audit_rows: int = 0  # audit rows whose codes were re-keyed (the chain is resealed)


def rotate_key_file(old_key_file: Path, new_key_file: Path) -> Pseudonymiser:
    """Write ``new_key_file`` = the old chain plus one fresh key (owner-only, never
    overwriting); return the pseudonymiser of the new chain."""
    chain = load_key_chain(old_key_file)
    write_key_file(Path(new_key_file), [*chain, new_key()])
    return Pseudonymiser.from_file(Path(new_key_file))


def coded_ids(store: Store) -> list[str]:
    """Stored ids that are codes, by the model's rule for which entities are pseudonymised."""
    with store.engine.connect() as conn:
        frame = pd.read_sql(
            select(entities.c.entity_id, entities.c.entity_type, entities.c.place_kind).distinct(),
            conn,
        )
    known = set(MODEL.entity_types.keys())
    private = [
        MODEL.is_pseudonymised(t, k or None) if t in known else True
        for t, k in zip(frame["entity_type"], frame["place_kind"], strict=True)
    ]
    return sorted(set(frame.loc[private, "entity_id"]))


def rekey_database(
    store: Store, old: Pseudonymiser, new: Pseudonymiser, new_key_file: Path
) -> RekeyResult:
    """Replace every code in ``store`` by its re-keyed code, all versions, one transaction."""
    if store.setting(KEY_SETTING) not in (None, old.fingerprint()):
        raise ValueError("the old key does not belong to this database (fingerprint differs)")
    codes = coded_ids(store)
    mapping = pd.DataFrame({"old": codes, "new": [new.rekey_code(c) for c in codes]})
    code_map = Table(
        "rekey_code_map",
        MetaData(),
        Column("old", String(60), primary_key=True),
        Column("new", String(60)),
        prefixes=["TEMPORARY"],
    )
    with store.engine.begin() as conn:
        code_map.create(conn)
        conn.execute(code_map.insert(), mapping.to_dict("records"))
        for table, column in CODE_COLUMNS:
            _replace(conn, table, column, code_map)
        changed = _recompute_link_ids(conn)
        audit_rows = audit_chain.rewrite_codes(store, conn, new.rekey_code)
        store.set_setting(KEY_SETTING, new.fingerprint(), conn)
        store.forget_analyses(conn)  # stored analyses hold the old codes
        code_map.drop(conn)
    store.checkpoint()
    return RekeyResult(len(codes), changed, Path(new_key_file), audit_rows)


def _replace(conn: Connection, table: Table, column: str, code_map: Table) -> None:
    target = table.c[column]
    lookup = select(code_map.c.new).where(code_map.c.old == target).scalar_subquery()
    conn.execute(table.update().where(target.in_(select(code_map.c.old))).values({column: lookup}))


def _recompute_link_ids(conn: Connection) -> int:
    """Link ids hash their ends, so they follow the codes. Exact duplicates (same ends, type,
    date, agency and incident) are numbered in the order of their old ids."""
    frame = pd.read_sql(
        select(links.c.version_id, links.c.link_id, *[links.c[c] for c in LINK_KEY]), conn
    )
    if frame.empty:
        return 0
    frame = frame.sort_values(["version_id", "link_id"], kind="stable")
    new_ids = pd.concat(
        [
            link_ids(group.astype({c: object for c in LINK_KEY}))
            for _, group in frame.groupby("version_id", sort=False)
        ]
    )
    frame["new_id"] = new_ids.reindex(frame.index)
    id_map = Table(
        "rekey_link_map",
        MetaData(),
        Column("version_id", Integer),
        Column("old", String(40)),
        Column("new", String(40)),
        prefixes=["TEMPORARY"],
    )
    id_map.create(conn)
    rows = [
        {"version_id": int(v), "old": o, "new": n}
        for v, o, n in frame[["version_id", "link_id", "new_id"]].itertuples(index=False, name=None)
    ]
    conn.execute(id_map.insert(), rows)
    # Move ids out of the way first so no new id collides with a not-yet-renamed old id.
    conn.execute(links.update().values(link_id=literal("~") + links.c.link_id))
    lookup = (
        select(id_map.c.new)
        .where(
            id_map.c.old == func.substr(links.c.link_id, 2),
            id_map.c.version_id == links.c.version_id,
        )
        .scalar_subquery()
    )
    conn.execute(links.update().values(link_id=lookup))
    id_map.drop(conn)
    return len(rows)
