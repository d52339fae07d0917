"""Races that matter, on PostgreSQL: two starts, two saves of one answer, a save racing the submission."""

import threading

import pytest
from django.db import connection

from accreditation import services
from accreditation.exceptions import AccreditationError
from accreditation.models import Answer, AnswerRevision, Application, ApplicationStatus
from tests.accreditation.helpers import complete, criterion

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (DATABASE_URL)"),
    pytest.mark.django_db(transaction=True),
]


def race(*calls):
    """Run the calls at the same moment in separate threads (and connections); return what each did."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            call()
            results[index] = "ok"
        except AccreditationError as exc:
            results[index] = type(exc).__name__
        except Exception as exc:  # an IntegrityError here means the locking failed
            results[index] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(results)


def test_two_starts_at_once_make_one_application(charter_edition, organisation, owner, member):
    """The owner and a member both press Start: one application, the other told one is open."""
    results = race(
        lambda: services.application_start(actor=owner, organisation=organisation),
        lambda: services.application_start(actor=member, organisation=organisation),
    )
    assert results == ["ApplicationAlreadyOpen", "ok"]
    assert Application.objects.count() == 1


def test_two_saves_of_one_answer_from_the_same_version_keep_one_and_refuse_the_other(application, owner, member):
    """Two people save the same answer at once from version 0: one is saved, the other refused as stale."""
    item = criterion(application, "pay.uplift")

    def save(actor, words):
        return lambda: services.answer_save(
            actor=actor, application=application, criterion=item, response="yes", explanation=words, loaded_version=0
        )

    assert race(save(owner, "Bea's words."), save(member, "Sam's words.")) == ["AnswerConflict", "ok"]
    assert Answer.objects.get().version == 1
    assert AnswerRevision.objects.count() == 1


def test_an_answer_saved_as_the_application_is_submitted_is_never_changed_after(application, owner, member):
    """A save racing the submission either lands before it (and is submitted) or is refused; never after."""
    complete(application, owner)
    item = criterion(application, "pay.uplift")
    current = Answer.objects.get(application=application, criterion=item)
    results = race(
        lambda: services.application_submit(
            actor=owner, application=application, declaration_name="Bea", declaration_role="Owner"
        ),
        lambda: services.answer_save(
            actor=member,
            application=application,
            criterion=item,
            response="yes",
            explanation="Changed at the last moment.",
            loaded_version=current.version,
        ),
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert results in (["ApplicationNotEditable", "ok"], ["ok", "ok"])
    last = AnswerRevision.objects.filter(answer__application=application).latest("saved_at")
    assert last.saved_at <= application.submitted_at


def test_a_withdrawal_racing_the_submission_leaves_one_outcome(application, owner, member):
    """Submit and withdraw at once: both may succeed in turn (submitted then withdrawn) or one is refused."""
    complete(application, owner)
    results = race(
        lambda: services.application_submit(
            actor=owner, application=application, declaration_name="Bea", declaration_role="Owner"
        ),
        lambda: services.application_withdraw(actor=member, application=application),
    )
    application.refresh_from_db()
    if results == ["ok", "ok"]:
        assert application.status == ApplicationStatus.WITHDRAWN and application.submitted_at is not None
    else:
        assert results == ["InvalidTransition", "ok"]
        assert application.status == ApplicationStatus.WITHDRAWN
