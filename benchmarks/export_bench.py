"""Benchmark: every export format on the fictional sample world, as analyst and as police.

Run ``.venv/bin/python benchmarks/export_bench.py [--workbook sample_data/sample_world.xlsx]``.
The workbook is imported into a temporary SQLite database with a throwaway key; each format
is then written once per role and timed (wall clock, including the layout for cyjs/html and
clusters/hotspots for csv/xlsx). GraphML and GEXF outputs are also checked against their
XSDs. Goal: each format under 10 s on the sample world on the 2-core reference machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lxml import etree  # noqa: E402

from loaders.importer import Source, import_files  # noqa: E402
from loaders.pseudonymise import Pseudonymiser  # noqa: E402
from mapping.export.formats import FORMATS  # noqa: E402
from mapping.export.run import export_metadata  # noqa: E402
from mapping.graph import Scope, build_scoped_graph  # noqa: E402
from mapping.store import Store  # noqa: E402

SCHEMAS = ROOT.parent / "shared" / "schemas"
XSD = {
    "graphml": SCHEMAS / "graphml-1.1" / "graphml.xsd",
    "gexf": SCHEMAS / "gexf-1.3" / "gexf.xsd",
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workbook", type=Path, default=ROOT / "sample_data" / "sample_world.xlsx")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    store = Store(f"sqlite:///{folder / 'bench.sqlite'}")
    import_files([Source(args.workbook, args.workbook.name)], store, Pseudonymiser(b"b" * 32))
    tables = store.read_version()
    for role in ("analyst", "police"):
        scoped = build_scoped_graph(tables, Scope(role=role, include_stale=True), 1)
        print(f"{role}: {scoped.graph.number_of_nodes()} entities, {len(scoped.links)} links")
        for fmt, writer in sorted(FORMATS.items()):
            out = folder / role / f"map.{fmt}"
            out.parent.mkdir(parents=True, exist_ok=True)
            start = time.perf_counter()
            writer(scoped, out, export_metadata(scoped), None)
            seconds = time.perf_counter() - start
            files = list(out.rglob("*")) if out.is_dir() else [out]
            size = sum(p.stat().st_size for p in files)
            valid = ""
            if fmt in XSD and XSD[fmt].is_file():
                schema = etree.XMLSchema(etree.parse(str(XSD[fmt])))
                valid = " valid" if schema.validate(etree.parse(str(out))) else " INVALID"
            print(f"  {fmt:8} {seconds:6.2f} s {size / 1024:8.0f} KiB{valid}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
