"""Managers' configuration: rejection reasons and users."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from certdesk_tui.domain import Role
from certdesk_tui.domain.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from certdesk_tui.service import Desk
from certdesk_tui.service.identity import resolve_actor
from certdesk_tui.storage.models import Activity

DEFAULT_REASONS = [
    "Duplicate request received",
    "Standard certificate request received, needs a waiver of subrogation endorsement",
    "License edit – carrier approval required",
    "Special edit – verbiage not acceptable – carrier approval required",
    "Test (IT/PMS) – used for internal testing",
    "Incomplete address",
    "Certificate holder name – incomplete",
]


# -- rejection reasons --------------------------------------------------------------


def test_the_seven_default_reasons_are_seeded_in_order(specialist):
    reasons = specialist.reasons()
    assert [r.text for r in reasons] == DEFAULT_REASONS
    assert all(r.active and r.used == 0 for r in reasons)


def test_a_manager_adds_a_reason_offered_last(manager, specialist):
    added = manager.add_reason("  Holder   is a   person, not a company ")
    assert added.text == "Holder is a person, not a company"
    assert [r.text for r in specialist.reasons()][-1] == added.text
    assert [r.id for r in specialist.reasons()][-1] == added.id


@pytest.mark.parametrize("text",
                         ["Incomplete address", "incomplete ADDRESS", " Incomplete address "])
def test_a_reason_with_the_same_text_as_another_is_refused(manager, text):
    with pytest.raises(ValidationFailed, match="already says"):
        manager.add_reason(text)
    assert len(manager.reasons(include_retired=True)) == 7


def test_an_empty_or_overlong_reason_is_refused(manager):
    with pytest.raises(ValidationFailed, match="needs some text"):
        manager.add_reason("   ")
    with pytest.raises(ValidationFailed, match="at most 300"):
        manager.add_reason("x" * 301)
    assert len(manager.reasons(include_retired=True)) == 7


def test_a_manager_renames_a_reason_in_place(manager):
    renamed = manager.rename_reason(6, "Incomplete holder address")
    assert renamed.id == 6
    texts = [r.text for r in manager.reasons()]
    assert texts[5] == "Incomplete holder address" and "Incomplete address" not in texts


def test_renaming_to_another_reasons_text_is_refused(manager):
    with pytest.raises(ValidationFailed, match="already says"):
        manager.rename_reason(6, "Duplicate request received")
    manager.rename_reason(6, "INCOMPLETE ADDRESS")  # its own text, re-cased, is fine
    assert manager.reasons()[5].text == "INCOMPLETE ADDRESS"


def test_renaming_or_retiring_an_unknown_reason_is_refused(manager):
    with pytest.raises(NotFound, match="99"):
        manager.rename_reason(99, "Whatever")
    with pytest.raises(NotFound, match="99"):
        manager.retire_reason(99)


def test_a_retired_reason_is_no_longer_offered_but_still_listed_as_retired(manager, specialist):
    retired = manager.retire_reason(5)
    assert not retired.active
    assert retired.text not in [r.text for r in specialist.reasons()]
    everything = specialist.reasons(include_retired=True)
    assert [(r.text, r.active) for r in everything if r.id == 5] == [(retired.text, False)]
    with pytest.raises(InvalidTransition, match="already retired"):
        manager.retire_reason(5)


def test_a_retired_reason_text_cannot_be_reused(manager):
    manager.retire_reason(6)
    with pytest.raises(ValidationFailed, match="retired"):
        manager.add_reason("Incomplete address")


def test_a_used_reason_retired_stays_on_the_request_it_closed(manager, specialist,
                                                               manual_request):
    specialist.reject(manual_request, 6)
    assert [r.used for r in manager.reasons() if r.id == 6] == [1]
    manager.retire_reason(6)
    detail = specialist.request(manual_request)
    assert detail.rejection_reason == "Incomplete address"
    assert 6 not in [r.id for r in specialist.reasons()]
    assert [(r.active, r.used) for r in specialist.reasons(include_retired=True)
            if r.id == 6] == [(False, 1)]


def test_renaming_a_used_reason_keeps_the_words_quoted_to_the_customer(manager, specialist,
                                                                        manual_request):
    specialist.reject(manual_request, 6)
    manager.rename_reason(6, "Incomplete holder address")
    assert specialist.request(manual_request).rejection_reason == "Incomplete address"


def test_the_last_active_reason_cannot_be_retired(manager):
    for reason in manager.reasons()[1:]:
        manager.retire_reason(reason.id)
    with pytest.raises(InvalidTransition, match="last active"):
        manager.retire_reason(1)
    assert [r.id for r in manager.reasons()] == [1]


def test_reason_changes_are_recorded_in_the_activity_log(manager, db):
    manager.add_reason("New reason")
    manager.rename_reason(1, "Duplicate request")
    manager.retire_reason(2)
    with db.reading() as s:
        actions = [a.action for a in s.scalars(select(Activity).where(Activity.actor == "morgan")
                                               .order_by(Activity.id))]
    assert actions[-3:] == ["reason_added", "reason_renamed", "reason_retired"]


# -- users --------------------------------------------------------------------------


def test_the_first_user_to_initialise_is_the_manager_and_the_team_is_listed(manager):
    users = {u.login: u.role for u in manager.users()}
    assert users == {"morgan": Role.MANAGER, "sam": Role.CERTIFICATE_SPECIALIST,
                     "dana": Role.DATA_PROCESSOR, "pat": Role.PAYROLL_ADVISOR,
                     "sky": Role.CERTIFICATE_SPECIALIST}


def test_a_manager_adds_a_user_who_can_then_work(manager, db, manual_request):
    added = manager.add_user("lee", "certificate_specialist", "Lee Li", "lee@certdesk.example")
    assert (added.login, added.role, added.name) == ("lee", "certificate_specialist", "Lee Li")
    lee = Desk(db, resolve_actor(db, "lee"))
    assert lee.start(manual_request).assignee_login == "lee"


@pytest.mark.parametrize(
    ("login", "role", "email", "match"),
    [("sam", "manager", "", "already exists"),
     ("lee", "boss", "", "unknown role 'boss'"),
     ("lee li", "manager", "", "not a valid login"),
     ("", "manager", "", "not a valid login"),
     ("lee", "manager", "lee@", "not a valid email")],
    ids=["exists", "bad-role", "space", "empty", "bad-email"],
)
def test_adding_a_user_badly_is_refused(manager, login, role, email, match):
    before = manager.users()
    with pytest.raises(ValidationFailed, match=match):
        manager.add_user(login, role, email=email)
    assert manager.users() == before


def test_a_user_name_too_long_to_store_is_refused(manager):
    with pytest.raises(ValidationFailed, match="name is longer than 200"):
        manager.add_user("lee", "manager", "L" * 201)
    assert "lee" not in [u.login for u in manager.users()]


def test_a_manager_changes_a_role_and_it_takes_effect(manager, db, manual_request):
    manager.set_role("sam", "payroll_advisor")
    sam = Desk(db, resolve_actor(db, "sam"))
    with pytest.raises(PermissionDenied):
        sam.start(manual_request)
    with pytest.raises(NotFound, match="ghost"):
        manager.set_role("ghost", "manager")
    with pytest.raises(ValidationFailed, match="unknown role"):
        manager.set_role("sam", "chief")


def test_the_last_manager_cannot_be_demoted(manager):
    with pytest.raises(InvalidTransition, match="last manager"):
        manager.set_role("morgan", "certificate_specialist")
    assert {u.login: u.role for u in manager.users()}["morgan"] == Role.MANAGER
    manager.set_role("sam", "manager")
    manager.set_role("morgan", "certificate_specialist")
    assert {u.login: u.role for u in manager.users()}["morgan"] == Role.CERTIFICATE_SPECIALIST


@pytest.mark.parametrize("login", [
    "\x1b]8;;http://e/\x07L", "lee\n", "lee\nroot", "-lee", "l" * 64, ".", "..", "zoë",
    "@corp", "lee$", "lee\u202e", "ｌｅｅ", "lee/../x", "CORP\\lee"])
def test_a_login_that_is_no_account_name_is_refused(manager, login):
    before = manager.users()
    with pytest.raises(ValidationFailed) as caught:
        manager.add_user(login, "manager")
    assert str(caught.value) == (
        f"{login.strip(' ')!r} is not a valid login: a login is an account name of letters, "
        "digits, '.', '_', '-' and '@', not starting with '-' or '@', at most 63 characters")
    assert manager.users() == before


@pytest.mark.parametrize("login", ["lee", "j.doe", "_svc", "svc-desk_2", "L" * 63, "Lee.Li",
                                   "jane.doe@corp.example.com"])
def test_a_posix_portable_login_is_accepted(manager, login):
    assert manager.add_user(f" {login} ", "payroll_advisor").login == login


@pytest.mark.parametrize("name", ["Lee\x1b[31m", "Lee\nLi", "Lee\u202eiL", "Lee\x9b1m", "Lee\tLi"])
def test_a_user_name_with_a_control_character_is_refused(manager, name):
    before = manager.users()
    with pytest.raises(ValidationFailed, match="a user's name is one line of printable text"):
        manager.add_user("lee", "manager", name)
    assert manager.users() == before


@pytest.mark.parametrize("email", ["lee\x1b@example.com", "lee@exa\u202emple.com"])
def test_a_user_email_with_a_control_character_is_refused(manager, email):
    with pytest.raises(ValidationFailed, match="not a valid email"):
        manager.add_user("lee", "manager", email=email)
    assert "lee" not in [u.login for u in manager.users()]


def test_names_of_every_script_are_kept(manager):
    added = manager.add_user("zl", "payroll_advisor", "Zoë Łukasiewicz 李 \u200d")
    assert added.name == "Zoë Łukasiewicz 李 \u200d"
