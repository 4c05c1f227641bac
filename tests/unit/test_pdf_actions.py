"""An uploaded certificate runs nothing and reaches nothing outside itself: every refused
action kind in every place an action can hide, a plain web link allowed, a web link that
opens by itself refused; through the check, the service and the command line."""

from __future__ import annotations

import io

import pypdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf.generic import DictionaryObject, IndirectObject, NameObject

from certdesk_tui.domain.errors import ValidationFailed
from certdesk_tui.pdf.upload_check import REFUSED_ACTIONS, check_certificate_pdf
from tests import factories
from tests import hostile_pdfs as hostile
from tests.integration.test_cli import Cli, seed

HOLDER = factories.HOLDER["name"]

# How a refusal names each action kind (one line, the kind by its PDF name).
NAMED = {
    "GoToR": "carries a GoToR action (it opens another file",
    "GoToE": "carries a GoToE action (it opens an embedded or attached document)",
    "Launch": "carries a launch action (it could start a program)",
    "SubmitForm": "carries a SubmitForm action (it sends the form's data to an address)",
    "ImportData": "carries an ImportData action (it reads a file",
    "Rendition": "carries a Rendition action (it plays media)",
    "Movie": "carries a Movie action (it plays a movie)",
    "Sound": "carries a Sound action (it plays a sound)",
    "RichMediaExecute": "carries a RichMediaExecute action",
    "JavaScript": "carries JavaScript",
    "GoTo3DView": "carries a GoTo3DView action (it drives 3D content",
    "Thread": "carries a Thread action into another file (it opens that file)",
}
AUTOMATIC_URI = "carries a URI action that opens a web address by itself"


def refusal(data: bytes) -> str:
    with pytest.raises(ValidationFailed) as refused:
        check_certificate_pdf(data, "c.pdf")
    message = str(refused.value)
    assert message.startswith("c.pdf ") and "\n" not in message
    assert message.endswith(": a certificate must not")
    return message


def test_every_action_kind_is_named_and_refused_by_the_check():
    # A Thread action is refused only into another file (its /F): checked on its own.
    assert set(NAMED) - {"Thread"} <= {kind[1:] for kind in REFUSED_ACTIONS}
    assert set(hostile.ACTIONS) == set(NAMED)


@pytest.mark.parametrize("place", hostile.PLACES)
@pytest.mark.parametrize("kind", hostile.ACTIONS)
def test_an_action_that_runs_or_reaches_out_is_refused_wherever_it_hides(kind, place):
    data = hostile.with_action(hostile.ACTIONS[kind](), place)
    # The action is really in the file, where the place says.
    assert f"/{kind}".encode() in data
    assert NAMED[kind] in refusal(data)


@pytest.mark.parametrize("place", hostile.AUTOMATIC_PLACES)
def test_a_web_link_that_opens_by_itself_is_refused(place):
    assert AUTOMATIC_URI in refusal(hostile.with_action(hostile.URI(), place))


@pytest.mark.parametrize("place", sorted(set(hostile.PLACES) - set(hostile.AUTOMATIC_PLACES)))
def test_a_web_link_opened_only_by_a_click_is_allowed(place):
    data = hostile.with_action(hostile.URI(), place, "Certificate holder:", HOLDER)
    pdf = check_certificate_pdf(data, "agency.pdf")
    assert pdf.names(HOLDER) and pdf.data == data


# -- Hypothesis: any chain of harmless actions, the refused one anywhere in it ---------------


def _harmless(kind: str) -> DictionaryObject:
    return hostile._action("/GoTo", D=hostile.ArrayObject(
        [hostile.NumberObject(0), NameObject("/Fit")])) if kind == "GoTo" else hostile.URI()


@st.composite
def hidden_actions(draw) -> tuple[str, str, bytes]:
    """A refused action at a random depth of a /Next chain of harmless ones (go-tos; web
    links too where a click opens them), given directly or as an indirect object."""
    kind = draw(st.sampled_from(sorted(hostile.ACTIONS)))
    place = draw(st.sampled_from(sorted(hostile.PLACES)))
    clicked = place not in hostile.AUTOMATIC_PLACES
    before = draw(st.lists(st.sampled_from(["GoTo", "URI"] if clicked else ["GoTo"]),
                           max_size=4))
    after = draw(st.lists(st.sampled_from(["GoTo", "URI"] if clicked else ["GoTo"]),
                          max_size=2))
    indirect = draw(st.booleans())
    lines = draw(st.lists(st.sampled_from([HOLDER, "Certificate of insurance", "Page 1"]),
                          min_size=1, max_size=3))
    writer = hostile._writer(*lines)
    chain: DictionaryObject | IndirectObject = hostile.ACTIONS[kind]()
    if after:
        chain[NameObject("/Next")] = hostile.ArrayObject([_harmless(k) for k in after])
    for harmless in reversed(before):
        outer = _harmless(harmless)
        outer[NameObject("/Next")] = writer._add_object(chain) if indirect else chain
        chain = outer
    hostile.PLACES[place](writer, chain)
    return kind, place, hostile._bytes(writer)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hidden_actions())
def test_a_refused_action_anywhere_in_a_chain_is_named(hidden):
    kind, place, data = hidden
    assert NAMED[kind] in refusal(data), place


# -- through the service and the command line ------------------------------------------------


@pytest.fixture
def cornerstone_request(submit) -> int:
    return submit("CS-1", "C300")


@pytest.mark.parametrize("kind", ["GoToR", "SubmitForm", "ImportData", "Rendition"])
def test_the_service_refuses_the_upload_and_changes_nothing(specialist, cornerstone_request,
                                                            kind):
    before = specialist.request(cornerstone_request)
    data = hostile.with_action(hostile.ACTIONS[kind](), "OpenAction", HOLDER)
    with pytest.raises(ValidationFailed) as refused:
        specialist.upload(cornerstone_request, "carrier.pdf", data)
    assert str(refused.value).startswith(f"carrier.pdf {NAMED[kind]}")
    assert specialist.request(cornerstone_request) == before


def test_the_service_stores_a_certificate_with_a_plain_web_link(specialist, cornerstone_request):
    data = hostile.with_action(hostile.URI(), "link-A", HOLDER)
    specialist.upload(cornerstone_request, "agency.pdf", data)
    assert specialist.certificate(cornerstone_request)[1] == data
    stored = pypdf.PdfReader(io.BytesIO(data))
    assert HOLDER in stored.pages[0].extract_text()


def test_cli_refuses_each_outside_reaching_action_in_one_line_and_changes_nothing(tmp_path):
    cli = Cli(tmp_path)
    rid = seed(f"sqlite:///{cli.default_database}", factories.submission("CS-1", "C300"))["CS-1"]
    cases = [("GoToR", "OpenAction"), ("SubmitForm", "link-A"), ("ImportData", "page-AA"),
             ("Rendition", "names-tree")]
    for kind, place in cases:
        path = tmp_path / f"{kind}.pdf"
        path.write_bytes(hostile.with_action(hostile.ACTIONS[kind](), place, HOLDER))
        stderr = cli.refused("upload", str(rid), str(path), "--yes", login="sam")
        assert stderr.startswith(f"certdesk: {kind}.pdf {NAMED[kind]}")
        assert len(stderr.splitlines()) == 1 and stderr.endswith(": a certificate must not")
    uri = tmp_path / "uri.pdf"
    uri.write_bytes(hostile.with_action(hostile.URI(), "OpenAction", HOLDER))
    assert AUTOMATIC_URI in cli.refused("upload", str(rid), str(uri), login="sam")
    shown = cli.json("show", str(rid))
    assert shown["status"] == "new" and shown["certificates"] == [] and shown["emails"] == []


@pytest.mark.parametrize("subtype", ["/Screen", "/3D", "/Movie", "/Sound", "/RichMedia"])
def test_a_media_or_3d_annotation_is_refused(subtype):
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(hostile.certificate_pdf(HOLDER))))
    annotation = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject(subtype),
        NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (0, 0, 10, 10)])})
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])
    out = io.BytesIO()
    writer.write(out)
    assert f"a {subtype[1:]} annotation" in refusal(out.getvalue())



def test_a_thread_within_the_document_is_allowed():
    # An article thread in the same file (no /F) only moves the view.
    place = hostile.AUTOMATIC_PLACES[0]
    data = hostile.with_action(hostile._action("/Thread", D=pypdf.generic.NumberObject(0)),
                               place)
    assert check_certificate_pdf(data, "c.pdf") is not None
