"""``python -m mapping``: the command line other tools drive (README "Command line").

Verbs: sample, import, rekey, analyse, lookup, export; users, audit, purge and sar
(mapping/trust_cli.py). Exit status 0 on success; on failure the
problems are printed (never raw person values) and nothing is stored; 3 when the model's
``permissions:`` refuse the command line (role ``operator``) the verb.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mapping import audit, config, trust_cli
from mapping.dates import date_option
from mapping.export.formats import FORMATS
from mapping.export.options import ExportOptions
from mapping.graph import Scope, ScopedGraph, build_scoped_graph
from mapping.model import MODEL
from mapping.store import Store

if TYPE_CHECKING:  # only named in annotations: the loaders load when a verb needs them
    import pandas as pd

    from loaders.values import UnknownTerm


def _add_scope_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="database URL (default: MAPPING_DB or data/mapping.sqlite)")
    parser.add_argument("--version", type=int, help="dataset version (default: latest)")
    parser.add_argument(
        "--role",
        default=MODEL.default_role,
        choices=sorted(MODEL.roles),
        help="view the data as this role (redactions apply)",
    )
    parser.add_argument("--district", action="append", default=[], help="repeatable")
    parser.add_argument("--since", type=date_option, help="DD/MM/YYYY or YYYY-MM-DD")
    parser.add_argument("--until", type=date_option, help="DD/MM/YYYY or YYYY-MM-DD")
    parser.add_argument("--harm", action="append", default=[], choices=MODEL.harms.keys())
    parser.add_argument("--link-type", action="append", default=[], choices=MODEL.link_types.keys())
    parser.add_argument("--min-grading", help="e.g. 2B")
    parser.add_argument(
        "--include-stale",
        action="store_true",
        help=f"include links last seen over {config.stale_after_days()} days ago",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m mapping", description="Contextual safeguarding network map"
    )
    verbs = parser.add_subparsers(dest="verb", required=True)

    sample = verbs.add_parser("sample", help="generate the fictional sample world")
    sample.add_argument("--out", required=True, type=Path)
    sample.add_argument("--young-people", type=int, default=300)
    sample.add_argument("--seed", type=int, default=20261129)

    imp = verbs.add_parser("import", help="import CSV files or workbooks as a new version")
    imp.add_argument("paths", nargs="+", type=Path)
    imp.add_argument("--db")
    imp.add_argument("--key-file", help="pseudonymisation key (default: MAPPING_KEY_FILE)")
    imp.add_argument("--profile", type=Path, help="column mapping profile (YAML)")
    imp.add_argument("--keep-notes", action="store_true", help="keep free-text notes")
    imp.add_argument("--add", action="store_true", help="add to the latest version")
    imp.add_argument("--by", default="cli", help="who is importing (for the audit log)")
    imp.add_argument(
        "--confirm-child-suspects",
        action="store_true",
        help="accept young people recorded as a person of concern (suspect) in an incident "
        "(refused without it; each row is listed)",
    )
    imp.add_argument(
        "--no-warm",
        action="store_true",
        help="do not analyse the default views (one per role) for the app after importing",
    )

    rekey = verbs.add_parser("rekey", help="rotate the pseudonymisation key of a database")
    rekey.add_argument("--old-key", required=True, type=Path, help="the database's key file")
    rekey.add_argument(
        "--new-key",
        required=True,
        type=Path,
        help="key file to create (old chain + a fresh key); must not exist",
    )
    rekey.add_argument("--db")

    analyse = verbs.add_parser("analyse", help="print the analysis of a dataset version")
    _add_scope_args(analyse)
    analyse.add_argument("--json", action="store_true", help="print JSON (the default)")
    analyse.add_argument(
        "--summary",
        action="store_true",
        help="without per-item evidence lists (each becomes evidence_count)",
    )
    analyse.add_argument("--resolution", type=float, default=1.0)
    analyse.add_argument("--seed", type=int, default=0)
    analyse.add_argument("--engine", default="auto", choices=["auto", "networkx", "igraph"])
    analyse.add_argument(
        "--compare-version", type=int, help="add `changes` since this earlier dataset version"
    )
    analyse.add_argument(
        "--compare-date",
        type=date_option,
        help="add `changes` since this date (e.g. the last meeting), DD/MM/YYYY or YYYY-MM-DD",
    )

    lookup = verbs.add_parser("lookup", help="find the stored id of a raw identifier")
    lookup.add_argument("raw_id")
    lookup.add_argument("--db")
    lookup.add_argument("--key-file")

    export = verbs.add_parser("export", help="write an export file")
    export.add_argument("--format", required=True, choices=sorted(FORMATS))
    export.add_argument("--out", required=True, type=Path)
    export.add_argument(
        "--meeting",
        type=date_option,
        help="meeting date DD/MM/YYYY or YYYY-MM-DD (meeting pack formats)",
    )
    export.add_argument(
        "--recipient",
        help="who the file is for, written in its metadata (default: who runs the export)",
    )
    _add_scope_args(export)
    trust_cli.add_parsers(verbs)
    return parser


def scope_from(args: argparse.Namespace) -> Scope:
    return Scope(
        role=args.role,
        since=args.since,
        until=args.until,
        districts=tuple(args.district),
        harms=tuple(args.harm),
        link_types=tuple(args.link_type),
        min_grading=args.min_grading,
        include_stale=args.include_stale,
    )


def cmd_sample(args: argparse.Namespace) -> int:
    from mapping.sample import generate

    generate(args.out, young_people=args.young_people, seed=args.seed)
    print(f"fictional sample world written to {args.out}")
    return 0


def child_suspects_confirmed(args: argparse.Namespace) -> bool | None:
    """True with --confirm-child-suspects; otherwise None: the rows are listed and counted as
    unconfirmed warnings and the import goes ahead (exit 0 for a valid file is the verb's
    contract; other tools drive it). The upload page asks for its own tick instead."""
    return True if args.confirm_child_suspects else None


def cmd_import(args: argparse.Namespace) -> int:
    from loaders.columns import Profile
    from loaders.importer import Source, import_files
    from loaders.problems import ImportFailed
    from loaders.xmlsafety import expat_problem
    from mapping.locks import ImportBusy, import_lock
    from mapping.pseudonymise import Pseudonymiser

    if expat_problem():  # a start-up check of the parser library the import relies on
        print(f"WARNING: {expat_problem()}", file=sys.stderr)

    key_path = config.key_file(args.key_file)
    # a first import (no database file or no key yet) creates neither until it has passed
    first = not key_path.exists() or not database_exists(args.db)
    store = None if first else Store(args.db)
    if not trust_cli.permitted("import", store, args.by):
        return 3
    sources = [Source(path, path.name) for path in args.paths]
    for source in sources:
        if not source.path.is_file():
            print(f"ERROR: {source.name}: no such file", file=sys.stderr)
            return 2
    from loaders.progress import TextProgress

    try:
        profile = Profile.load(args.profile)
    except (OSError, ValueError) as error:
        print(f"ERROR: mapping profile: {error}", file=sys.stderr)
        return 2
    check = None
    try:
        if store is None:
            from loaders.importer import check_files

            check = check_files(
                sources, profile, confirm_child_suspects=child_suspects_confirmed(args)
            )
            if not check.passed:
                raise ImportFailed(check.problems, check.unknown_terms)
            store = Store(args.db)
        pseudonymiser = Pseudonymiser.from_file(key_path)
        with import_lock(store):  # one import at a time per database
            result = import_files(
                sources,
                store,
                pseudonymiser,
                created_by=args.by,
                profile=profile,
                keep_notes=args.keep_notes,
                add_to_latest=args.add,
                progress=TextProgress(),
                confirm_child_suspects=child_suspects_confirmed(args),
                checked=check,
            )
    except ImportBusy as busy:
        print(f"ERROR: {busy}; nothing was stored", file=sys.stderr)
        return 1
    except ImportFailed as failure:
        for problem in failure.problems:
            print(problem, file=sys.stderr)
        for line in unknown_term_lines(failure.unknown_terms, args.profile):
            print(line, file=sys.stderr)
        print(str(failure), file=sys.stderr)
        if store is not None:  # a refused first import writes nothing, not even the audit row
            audit.record(
                store,
                args.by,
                trust_cli.CLI_ROLE,
                "import_failed",
                {"files": [s.name for s in sources], "problems": len(failure.problems)},
            )
        return 1
    for problem in result.warnings:
        print(problem, file=sys.stderr)
    from loaders.values import describe_mapped

    for row in result.mapped_values:
        print(describe_mapped(row), file=sys.stderr)
    audit.record(
        store,
        args.by,
        trust_cli.CLI_ROLE,
        "import",
        {"files": [s.name for s in sources], "links": result.links},
        result.version,
    )
    print(
        f"imported dataset version {result.version}: {result.entities} entities, "
        f"{result.links} links, {result.incidents} incident rows, "
        f"{len(result.warnings)} warning(s)"
    )
    if not args.no_warm:
        from mapping.analysis import cache

        done = cache.warm(store, result.version)
        print(f"analysed the default view of {done} roles, stored for the app")
    return 0


def database_exists(url: str | None) -> bool:
    """False only for a SQLite file that is not there yet (other servers exist already)."""
    url = config.database_url(url)
    if not url.startswith("sqlite:///"):
        return True
    return Path(url.removeprefix("sqlite:///")).expanduser().exists()


def unknown_term_lines(terms: Sequence[UnknownTerm], profile_path: Path | None) -> list[str]:
    """Each unknown term once, with its count and the closest model terms."""
    if not terms:
        return []
    where = f"the values: section of {profile_path.name}" if profile_path else "a profile's values:"
    lines = [f"unknown terms (map them in {where}, e.g. values: {{column: {{term: model_term}}}}):"]
    for term in terms:
        close = ", ".join(term.suggestions) or "no close model term"
        lines.append(
            f"  {term.column}: '{term.term[:40]}' in {term.count} cell(s); closest: {close}"
        )
    return lines


def cmd_rekey(args: argparse.Namespace) -> int:
    from loaders.rekey import rekey_database, rotate_key_file
    from mapping.pseudonymise import Pseudonymiser

    if args.new_key.exists():
        print(
            f"ERROR: {args.new_key} exists; give a new file name for the rotated key",
            file=sys.stderr,
        )
        return 2
    old = Pseudonymiser.from_file(args.old_key) if args.old_key.is_file() else None
    if old is None:
        print(f"ERROR: {args.old_key}: no such key file", file=sys.stderr)
        return 2
    store = Store(args.db)
    if not trust_cli.permitted("rekey", store):
        return 3
    new = rotate_key_file(args.old_key, args.new_key)
    try:
        result = rekey_database(store, old, new, args.new_key)
    except ValueError as problem:
        args.new_key.unlink()
        print(f"ERROR: {problem}; nothing was changed", file=sys.stderr)
        return 1
    audit.record(
        store,
        trust_cli.cli_user(),
        trust_cli.CLI_ROLE,
        "rekey",
        {
            "codes": result.codes,
            "links": result.links,
            "audit_rows": result.audit_rows,
            "key_file": args.new_key.name,
        },
    )
    print(
        f"re-keyed {result.codes} codes and {result.links} link ids; from now on use "
        f"MAPPING_KEY_FILE={args.new_key} (it holds the whole key chain) and store the "
        f"old key file {args.old_key} away or destroy it"
    )
    return 0


def load_scoped(args: argparse.Namespace) -> tuple[ScopedGraph, dict[str, Any]]:
    store = Store(args.db)
    version = args.version or store.latest_version()
    if version is None:
        raise SystemExit("the database holds no dataset yet: run `python -m mapping import`")
    tables = store.read_version(version)
    args.district = known_districts(args.district, tables.entities)
    return build_scoped_graph(tables, scope_from(args), version), store.version_info(version)


def known_districts(asked: list[str], entities: pd.DataFrame) -> list[str]:
    """The districts asked for, spelt as stored; an unknown one is an error listing the known."""
    known = sorted({str(d) for d in entities["district"].dropna() if str(d).strip()})
    by_key = {d.casefold().strip(): d for d in known}
    unknown = [d for d in asked if d.casefold().strip() not in by_key]
    if unknown:
        raise SystemExit(
            f"ERROR: unknown district(s) {', '.join(repr(d) for d in unknown)}; "
            f"the districts in this dataset version are: {', '.join(known) or '(none)'}"
        )
    return [by_key[d.casefold().strip()] for d in asked]


def cmd_analyse(args: argparse.Namespace) -> int:
    from mapping.analysis.report import analyse

    scoped, info = load_scoped(args)
    previous = None
    if args.compare_version or args.compare_date:
        from mapping.analysis.changes import previous_graph

        previous = previous_graph(
            Store(args.db), scoped, version=args.compare_version, day=args.compare_date
        )
    report = analyse(
        scoped,
        info=info,
        resolution=args.resolution,
        seed=args.seed,
        engine=args.engine,
        previous=previous,
    )
    from mapping.analysis.output import summary_report, write_report

    write_report(summary_report(report) if args.summary else report, sys.stdout)
    _print_explanations(report["explanations"])
    return 0


def _print_explanations(items: list[dict[str, Any]]) -> None:
    """The report's explanations on stderr, one sentence a line (the JSON has them too)."""
    for item in items:
        print(f"note: {item['message']}", file=sys.stderr)


def cmd_lookup(args: argparse.Namespace) -> int:
    from mapping.lookup import lookup
    from mapping.pseudonymise import Pseudonymiser

    key_path = config.key_file(args.key_file)
    pseudonymiser = Pseudonymiser.from_file(key_path) if key_path.exists() else None
    found = lookup(Store(args.db), args.raw_id, pseudonymiser)
    if not found:
        print("not found in the latest dataset version", file=sys.stderr)
        return 1
    print(found)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from mapping.export.formats import MEETING_PACK_FORMATS, out_name_problem

    problem = out_name_problem(args.format, args.out)
    if problem:
        print(f"ERROR: {problem}; nothing was written", file=sys.stderr)
        return 2

    if args.format in MEETING_PACK_FORMATS or args.meeting:
        if not trust_cli.permitted("build_pack", Store(args.db), format=args.format):
            return 3
    from mapping.export.run import run_export

    scoped, _info = load_scoped(args)
    try:  # written under a partial name, renamed into place (never a truncated file)
        detail = run_export(
            Store(args.db),
            scoped,
            args.format,
            args.out,
            user=trust_cli.cli_user(),
            options=export_options(args),
            recipient=args.recipient,
        )
    except OSError as write_error:
        print(
            f"ERROR: the export could not be written ({write_error.strerror}); nothing was left "
            f"at {args.out}",
            file=sys.stderr,
        )
        return 1
    print(f"wrote {args.format} export to {args.out}")
    if "uniqueness_check" in detail:  # a partner export: what the check withheld, counted
        print(detail["uniqueness_check"]["message"])
    from mapping.analysis.explain import scope_explanations

    _print_explanations(scope_explanations(scoped))  # e.g. why the file holds 0 nodes
    return 0


def export_options(args: argparse.Namespace) -> ExportOptions:
    """The export's options from its flags and the settings in force, built once here."""
    from mapping import settings
    from mapping.export.options import options_from

    return options_from(settings.current(), meeting=args.meeting)


VERBS: dict[str, Callable[[argparse.Namespace], int]] = {
    "sample": cmd_sample,
    "import": cmd_import,
    "rekey": cmd_rekey,
    "analyse": cmd_analyse,
    "lookup": cmd_lookup,
    "export": cmd_export,
    **trust_cli.VERBS,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return VERBS[args.verb](args)
