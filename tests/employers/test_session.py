"""employers.session: the invitation to return to after signing in is used once."""

from django.urls import reverse

from employers.session import PENDING_INVITATION_KEY, pop_pending_invitation_url, remember_pending_invitation


class FakeRequest:
    def __init__(self):
        self.session = {}


def test_a_pending_invitation_is_returned_once():
    """After signing in the person is sent back to the invitation, and only the first time."""
    request = FakeRequest()
    remember_pending_invitation(request, "abc:def:ghi")
    assert pop_pending_invitation_url(request) == reverse("employers:invite_accept", kwargs={"token": "abc:def:ghi"})
    assert pop_pending_invitation_url(request) is None


def test_a_malformed_pending_invitation_is_dropped():
    """Anything in the session that cannot be a link is ignored."""
    request = FakeRequest()
    for value in ["a/b", 123, ""]:
        request.session[PENDING_INVITATION_KEY] = value
        assert pop_pending_invitation_url(request) is None
        assert PENDING_INVITATION_KEY not in request.session
