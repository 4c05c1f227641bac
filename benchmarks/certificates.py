"""Certificates per second: the renderer with its font cache, and fpdf2 parsing every font again.

    python benchmarks/certificates.py [--count N] [--rounds R]

For each script (Latin, Arabic, Chinese) both renderers draw N certificates a round, in
R rounds, every one as an import issues them: its own insured and holder names (never
drawn before in the run) and its own random verification code. The table gives the median
round, in CPU time of this one thread (what one core does, whatever else the machine
runs) and in wall time. The first certificate of each renderer is drawn before timing:
it fills the font cache, a cost paid once per process.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from certdesk_tui.domain import Brand
from certdesk_tui.domain.automation import CertificateForm
from certdesk_tui.domain.certificates import DEFAULT_CONTACTS, new_verification_code
from certdesk_tui.pdf.certificate import render_certificate

FORM = CertificateForm(
    producer_name="Compeo Insurance Services",
    producer_address="1200 Harbor Blvd, Suite 400\nTampa, FL 33602",
    insured_name="Acme Roofing LLC",
    insured_address="42 Market Street\nSpringfield, IL 62701",
    insurer_name="Great Lakes Mutual Casualty",
    insurer_naic="12345",
    policy_number="WC-2024-0098765",
    effective=date(2024, 1, 1),
    expires=date(2025, 1, 1),
    each_accident=1_000_000,
    disease_each_employee=500_000,
    disease_policy_limit=2_000_000,
    holder_name="Blue Sky General Contractors",
    holder_address="77 Pine Road",
    holder_city="Austin",
    holder_state="TX",
    holder_zip="78701",
    holder_email="certs@bluesky.example",
    description="Roofing work at 12 Elm St, Austin TX, for the certificate holder.",
    wos=False,
)
CONTACT = DEFAULT_CONTACTS[Brand.COMPEO]
NAMES = {
    "Latin": ["Acme Roofing LLC", "Zoë Łukasiewicz GmbH", "Quartz & Jade Builders",
              "Ñandú Servicios SA", "Kowalski Brothers", "Høyer Bygg AS"],
    "Arabic": ["شركة البناء العربية", "مؤسسة الخليج", "مقاولات النور"],
    "Chinese": ["北京建筑有限公司", "上海工程公司", "广州建设集团"],
}


def forms(script: str, count: int, start: int = 0) -> list[CertificateForm]:
    """``count`` forms, numbered from ``start``: each names its insured and holder anew."""
    names = NAMES[script]
    return [replace(FORM, insured_name=f"{names[i % len(names)]} {i}",
                    holder_name=f"{names[(i + 1) % len(names)]} {i * 7 + 3}")
            for i in range(start, start + count)]


def timed_round(render: Callable[[CertificateForm, int], bytes],
                batch: list[CertificateForm]) -> tuple[float, float]:
    """(CPU, wall) seconds to draw the batch."""
    cpu, wall = time.thread_time(), time.perf_counter()
    for index, form in enumerate(batch):
        render(form, index)
    return time.thread_time() - cpu, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=40, help="certificates a round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    renderers: dict[str, Callable[[CertificateForm, int], bytes]] = {
        "font cache": lambda form, i: render_certificate(
            form, number=f"CD-{i:06d}", revision=0, issued_on=date(2024, 3, 5),
            verification_code=new_verification_code(), contact=CONTACT),
        "reference: fonts parsed per document": lambda form, i: render_certificate(
            form, number=f"CD-{i:06d}", revision=0, issued_on=date(2024, 3, 5),
            verification_code=new_verification_code(), contact=CONTACT, fonts=None),
    }
    print(f"{args.count} certificates a round, median of {args.rounds} rounds, one thread")
    print(f"{'script':8} {'renderer':38} {'CPU ms each':>12} {'per CPU s':>10} "
          f"{'wall ms each':>13} {'per wall s':>11}")
    for script in NAMES:
        for label, render in renderers.items():
            render(forms(script, 1, start=10**6)[0], 0)  # fills the font cache
            rounds = [timed_round(render, forms(script, args.count, start=r * args.count))
                      for r in range(args.rounds)]
            cpu = statistics.median(r[0] for r in rounds) / args.count
            wall = statistics.median(r[1] for r in rounds) / args.count
            print(f"{script:8} {label:38} {cpu * 1000:12.1f} {1 / cpu:10.1f} "
                  f"{wall * 1000:13.1f} {1 / wall:11.1f}")


if __name__ == "__main__":
    main()
