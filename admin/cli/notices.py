"""``doudi notices``: print the villages' public notices and publications; verify a PDF."""

from __future__ import annotations

import hashlib
from pathlib import Path

import click
from flask.cli import AppGroup

from admin.cli.support import acting_user, domain_errors, progress_bar, require_schema
from admin.documents.batch import build_village_documents, default_workers
from admin.documents.fonts import FontProblem, ensure_cjk_font, subset_warning
from admin.documents.labels import label
from admin.extensions import runtime
from audit.issued import code_in_pdf, display_code, find_issued, issued_with_hash
from engine.clock import local_date

notices = AppGroup("notices", help="Public notices (公示), publications (公布) and their checks.")


@notices.command("build")
@click.option(
    "--county",
    "region_code",
    required=True,
    help="County code (or a township's, to print only its villages).",
)
@click.option(
    "--kind",
    required=True,
    type=click.Choice(["notice", "publication"]),
    help="notice: cases now in the 7-day notice; publication: enrolled cases.",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the PDFs (created if missing).",
)
@click.option(
    "--user", "username", required=True, help="Issue as this user (role and region apply)."
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes (default: one per core).",
)
def notices_build(
    region_code: str, kind: str, out_dir: Path, username: str, workers: int | None
) -> None:
    """Print one PDF per village that has cases of KIND, named <village_code>-<kind>.pdf.

    Every document is recorded as issued (its SHA-256 in the county's
    documents ledger) and carries a verification code and QR code. Nothing
    is written or recorded unless every village printed.
    """
    require_schema()
    try:
        ensure_cjk_font()
    except FontProblem as err:
        raise click.ClickException(str(err)) from None
    warning = subset_warning()
    if warning:
        click.echo(warning, err=True)
    actor = acting_user(username)
    rt = runtime()
    bar = None

    def start(total: int) -> None:
        nonlocal bar
        bar = progress_bar(total, f"printing {kind}s").__enter__()

    try:
        with domain_errors():
            report = build_village_documents(
                rt,
                actor,
                region_code,
                kind,
                out_dir,
                workers=workers or default_workers(),
                on_start=start,
                progress=lambda n: bar.update(n) if bar is not None else None,
            )
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    if not report.files:
        click.echo(f"no village of {region_code} has cases for a {kind}: nothing written")
        return
    click.echo(
        f"{kind}: {report.villages} villages, {report.cases} cases, {len(report.files)} files, "
        f"{report.pages} pages in {report.seconds:.1f} s → {out_dir}"
    )


@notices.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def notices_verify(file: Path) -> None:
    """Check FILE against the record of issued documents.

    Exits 0 only when doudi issued the file and not a byte of it has changed;
    otherwise exits 1 saying why (no code, unknown code, changed bytes).
    """
    require_schema()
    data = file.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    code = code_in_pdf(data)
    rt = runtime()
    with rt.reader() as uow:
        record = find_issued(uow.session, code) if code else None
        if record is None:
            # a file whose identifier was damaged is still known by its bytes
            record = issued_with_hash(uow.session, digest)
        if record is None:
            if code is None:
                raise click.ClickException(
                    f"{file.name}: carries no doudi verification code and matches no issued "
                    "document: not a document doudi issued"
                )
            raise click.ClickException(
                f"{file.name}: unknown verification code {display_code(code)}: "
                "no such document was issued"
            )
        issued_on = local_date(record.issued_at, rt.clock.tz)
        what = (
            f"{label('document', record.kind)} ({record.kind}) {display_code(record.code)}, "
            f"issued {issued_on.isoformat()} by {record.issuing_body} ({record.issued_by})"
        )
        if record.sha256 != digest:
            raise click.ClickException(
                f"{file.name}: CHANGED: it claims to be {what}, but its SHA-256 {digest} "
                f"differs from the issued document's {record.sha256}"
            )
    click.echo(f"{file.name}: authentic: {what}; SHA-256 {digest}")
