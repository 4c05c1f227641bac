"""The domain, storage and command line never import the interface."""

import subprocess
import sys

DOMAIN = [
    "certdesk_tui.service", "certdesk_tui.intake", "certdesk_tui.domain.workflow",
    "certdesk_tui.domain.permissions", "certdesk_tui.domain.views", "certdesk_tui.storage.users",
    "certdesk_tui.domain.automation", "certdesk_tui.pdf.certificate",
    "certdesk_tui.pdf.upload_check",
    "certdesk_tui.notifications", "certdesk_tui.service.identity", "certdesk_tui.storage.requests",
    "certdesk_tui.cli",
]


def test_the_domain_and_the_command_line_load_without_textual():
    code = "; ".join(f"import {m}" for m in DOMAIN) + (
        "; import sys; leaked = sorted(m for m in sys.modules if m.split('.')[0] == 'textual'"
        " or m.startswith(('certdesk_tui.screens', 'certdesk_tui.widgets', 'certdesk_tui.app')))"
        "; print(leaked); sys.exit(1 if leaked else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_opening_the_desk_loads_no_command_mail_pdf_or_database_module():
    """What `certdesk` with no command imports before its first frame: not the other
    commands, not the mail (smtplib, the email package's composition), not the PDF, and
    not SQLAlchemy (the first frame is read with sqlite3; the service loads after it)."""
    code = (
        "import certdesk_tui.cli, certdesk_tui.app, certdesk_tui.service.late, sys; "
        "unwanted = ('certdesk_tui.cli.', 'certdesk_tui.mail', 'certdesk_tui.pdf.certificate', "
        "'fpdf', 'pypdf', 'smtplib', 'yagmail', 'email_validator', 'alembic', 'sqlalchemy', "
        "'pydantic', 'certdesk_tui.service.desk', 'certdesk_tui.storage.engine'); "
        "allowed = ('certdesk_tui.cli.root', 'certdesk_tui.cli.context', 'certdesk_tui.cli.desk', "
        "'certdesk_tui.cli.refusals', 'certdesk_tui.cli.output'); "
        "leaked = sorted(m for m in sys.modules if m.startswith(unwanted) "
        "and not m.startswith(allowed)); print(leaked); sys.exit(1 if leaked else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_command_is_found_by_its_name():
    import click

    from certdesk_tui.cli.root import COMMANDS, cli

    ctx = click.Context(cli)
    assert cli.list_commands(ctx) == sorted(COMMANDS)
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None and command.name == name
    assert cli.get_command(ctx, "no-such-command") is None
