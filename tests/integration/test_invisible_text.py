"""Invisible text is no text: a name or a reason of zero-width spaces, fillers or blank
braille cells is refused wherever a name or a written reason is required."""

from __future__ import annotations

import pytest

from certdesk_tui.domain import Status
from certdesk_tui.domain.errors import CertdeskError, ValidationFailed
from tests import factories

INVISIBLE = ["\u200b\u200b\u200b", "\u200d\u200d\u200d", "\u2060\u2060\u2060",
             "\u2800\u2800\u2800", "\u3164\u3164", "\u3000 \u200b"]


@pytest.mark.parametrize("blank", INVISIBLE, ids=range(len(INVISIBLE)))
@pytest.mark.parametrize("field", ["holder_name", "insured_name", "insurer_name",
                                   "producer_name", "policy_number"])
def test_a_certificate_with_an_invisible_name_is_not_issued(specialist, manual_request,
                                                             field, blank):
    before = specialist.request(manual_request)
    with pytest.raises(ValidationFailed, match=f"{field} is required"):
        specialist.automate(manual_request, changes={field: blank})
    after = specialist.request(manual_request)
    assert after.row.status == before.row.status and not after.certificates


def test_an_empty_producer_name_is_required_too(specialist, manual_request):
    with pytest.raises(ValidationFailed, match="producer_name is required"):
        specialist.automate(manual_request, changes={"producer_name": ""})


@pytest.mark.parametrize("blank", INVISIBLE, ids=range(len(INVISIBLE)))
def test_an_invisible_written_reason_is_no_reason(specialist, manager, manual_request,
                                                  blank):
    with pytest.raises(ValidationFailed, match="override needs a written reason"):
        specialist.automate(manual_request, override_reason=blank)
    with pytest.raises(ValidationFailed, match="a note needs some text"):
        specialist.note(manual_request, blank)
    with pytest.raises(ValidationFailed, match="a rejection reason needs some text"):
        manager.add_reason(blank)
    with pytest.raises(ValidationFailed, match="a view needs a name"):
        specialist.save_view(blank, specialist.views()[0].filters
                             if specialist.views() else __import__(
                                 "certdesk_tui.domain.views", fromlist=["QueueFilter"]
                             ).QueueFilter())
    specialist.relabel(manual_request)
    with pytest.raises(CertdeskError, match="needs a written reason"):
        specialist.relabel(manual_request, back_reason=blank)
    assert not [n for n in specialist.request(manual_request).notes]


def test_a_rejection_reason_cannot_hide_or_reorder_what_the_email_says(manager):
    for text in ("Wrong \u202eredloh", "Duplicate\u200f request", "Bad\x1b[31m"):
        with pytest.raises(ValidationFailed, match="cannot contain the control character"):
            manager.add_reason(text)


@pytest.mark.parametrize("blank", INVISIBLE, ids=range(len(INVISIBLE)))
def test_a_customer_named_in_invisible_characters_is_refused_and_costs_only_its_line(
        manager, blank):
    lines = factories.jsonl(
        factories.customer("Z1", name=blank),
        factories.customer("Z2", policies=[dict(factories.POLICY, number="WC-Z2",
                                                carrier=blank)]),
        factories.customer("Z3", name="Visible Name LLC"),
    )
    report = manager.import_customers(lines)
    assert [o.line for o in report.refused] == [1, 2]
    assert "missing name" in report.refused[0].message
    assert "missing carrier" in report.refused[1].message
    assert [o.line for o in report.accepted] == [3]


def test_an_automatic_request_for_an_invisible_holder_goes_to_a_person(manager, submit):
    holder = dict(factories.HOLDER, name="\u200b\u200b\u200b")
    rid = submit("INV-1", holder=holder)
    detail = manager.request(rid)
    assert detail.row.status == Status.NEW and not detail.certificates


def test_a_reissue_reason_and_a_bulk_note_follow_the_same_rules(specialist, manual_request):
    from certdesk_tui.service.revisions import clean_reason

    for blank in INVISIBLE:
        with pytest.raises(ValidationFailed, match="a reissue needs a reason"):
            clean_reason(blank)
        with pytest.raises(ValidationFailed, match="a note needs some text"):
            specialist.apply_to_many("note", [manual_request], text=blank)
    with pytest.raises(ValidationFailed, match="cannot contain the control character U\\+202E"):
        clean_reason("holder \u202ename corrected")
    assert not specialist.request(manual_request).notes
