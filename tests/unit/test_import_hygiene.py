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
