from certdesk_tui.domain import Status


def test_a_manual_request_is_new_in_the_queue(specialist, manual_request):
    page = specialist.queue()
    assert [r.id for r in page.rows] == [manual_request]
    assert page.rows[0].status == Status.NEW
    assert page.rows[0].manual
