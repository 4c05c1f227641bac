"""A carrier's certificate names one holder: the same file is not the certificate of two
requests made out to different holders, judged by the holder each was issued to."""

from __future__ import annotations

import pytest
from fpdf import FPDF

from certdesk_tui.domain.errors import ValidationFailed
from tests import factories

pytestmark = pytest.mark.usefixtures("db")

BETA = dict(factories.HOLDER, name="Beta Holdings LLC", address="1 Pine St")


def carrier(text: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())


def take_in(manager, *submissions: dict) -> list[int]:
    report = manager.import_submissions(factories.jsonl(*submissions))
    assert report.ok, report.refused
    return [line.request_id for line in report.accepted]


def cornerstone(external_id: str, holder: dict, day: int = 20, **over) -> dict:
    return factories.submission(external_id, "C300", holder=holder, instructions="call first",
                                submitted_at=f"2026-11-{day}T15:00:00+00:00", **over)


def test_the_holder_compared_is_the_one_each_certificate_was_issued_to(manager, specialist):
    big_general, duplicate, beta = take_in(
        manager, cornerstone("H-1", dict(factories.HOLDER)),
        cornerstone("H-2", dict(factories.HOLDER), day=21), cornerstone("H-3", BETA, day=22))
    beta_pdf = carrier("Certificate for Beta Holdings LLC")
    specialist.upload(big_general, "acme.pdf", carrier("Certificate for Big General"))
    # H-1's holder was wrong: reissued to Beta with Beta's certificate.
    specialist.reissue(big_general, reason="holder was wrong", attachment=("beta.pdf", beta_pdf),
                       changes={"holder_name": BETA["name"], "holder_address": BETA["address"]})
    # H-2 is still for Big General: Beta's certificate is not its certificate.
    before = specialist.request(duplicate)
    with pytest.raises(ValidationFailed, match=(
            f'beta.pdf is already the certificate of request #{big_general}, made out to '
            f'the holder "Beta Holdings LLC": attach the certificate issued for this request')):
        specialist.upload(duplicate, "beta.pdf", beta_pdf)
    assert specialist.request(duplicate) == before
    # H-3 is for Beta: the same certificate is right for it.
    specialist.upload(beta, "beta.pdf", beta_pdf)
    assert specialist.request(beta).row.status == "completed"


def test_a_holder_corrected_on_the_form_counts_as_corrected(manager, specialist):
    typo, right = take_in(
        manager,
        factories.submission("A-1", "C100", instructions="call first",
                             holder=dict(factories.HOLDER, name="Big Genral Contractr")),
        factories.submission("A-2", "C100", instructions="call first",
                             submitted_at="2026-11-21T15:00:00+00:00"))
    pdf = carrier(f"Certificate for {factories.HOLDER['name']}")
    specialist.upload(right, "carrier.pdf", pdf)
    specialist.automate(typo, changes={"holder_name": factories.HOLDER["name"]},
                        attachment=("carrier.pdf", pdf))
    assert specialist.request(typo).row.status == "completed"


def test_a_file_replaced_on_one_request_may_be_uploaded_for_its_own(manager, specialist):
    big_general, beta = take_in(manager, cornerstone("S-1", dict(factories.HOLDER)),
                                cornerstone("S-3", BETA, day=22))
    beta_pdf = carrier("Certificate for Beta Holdings LLC")
    specialist.upload(big_general, "beta.pdf", beta_pdf)  # the wrong file, by mistake
    specialist.reissue(big_general, reason="wrong file",
                       attachment=("acme.pdf", carrier("Certificate for Big General")))
    specialist.upload(beta, "beta.pdf", beta_pdf)
    assert specialist.request(beta).row.status == "completed"


def test_a_proof_of_insurance_without_holder_is_named_so(manager, specialist):
    proof, holder = take_in(manager, cornerstone("P-1", {}, type="POI"),
                            cornerstone("P-2", dict(factories.HOLDER), day=21))
    pdf = carrier("Proof of insurance")
    specialist.upload(proof, "poi.pdf", pdf)
    with pytest.raises(ValidationFailed, match=f"request #{proof}, made out to no holder:"):
        specialist.upload(holder, "poi.pdf", pdf)
