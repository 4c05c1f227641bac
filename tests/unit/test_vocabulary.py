"""The domain's vocabulary: one name per action, activity kinds and their sentences."""

from certdesk_tui.domain import ActivityKind, activity_sentence, certificate_number
from certdesk_tui.domain.certificates import certificate_title
from certdesk_tui.domain.permissions import Permission
from certdesk_tui.domain.workflow import ACTIONS_BY_ID, REQUEST_ACTIONS

ACTIONS = ("start", "automate", "upload", "relabel", "reject", "note", "resend", "reissue")


def test_each_processing_action_is_declared_once_with_its_permission():
    assert tuple(a.id for a in REQUEST_ACTIONS) == ACTIONS
    assert set(ACTIONS_BY_ID) == set(ACTIONS)
    assert all(a.permission is Permission.PROCESS for a in REQUEST_ACTIONS)


def test_an_actions_own_activity_kind_is_its_id():
    for action in ("start", "relabel", "reject", "note"):
        assert ActivityKind(action).value == action


def test_activity_kinds_read_as_sentences():
    assert ActivityKind.START.sentence == "marked in progress"
    assert ActivityKind.RELABEL.sentence == "relabelled"
    assert ActivityKind.REJECT.sentence == "rejected"
    assert ActivityKind.NOTE.sentence == "note added"
    assert ActivityKind.CERTIFICATE_ISSUED.sentence == "certificate issued"
    assert activity_sentence("some_future_kind") == "some future kind"


def test_certificates_are_numbered_by_request_and_revision():
    assert certificate_number(123) == "CD-000123"
    assert certificate_title("CD-000123", 2) == "certificate CD-000123 rev 2"


def test_the_desk_presents_every_action_of_the_registry():
    from certdesk_tui.actions import PROCESSING_ACTIONS

    assert {a.id for a in PROCESSING_ACTIONS} == set(ACTIONS)
    assert len({a.keys for a in PROCESSING_ACTIONS}) == len(ACTIONS)
