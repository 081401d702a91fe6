"""Exports: files partners' tools read (GraphML, HTML, ...), each built from a ScopedGraph so
the viewer's redactions hold, each carrying a metadata block (dataset version, date, filters,
role, marking)."""
