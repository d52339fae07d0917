"""Races that matter, on PostgreSQL: two starts, two saves of one answer, a save racing the submission."""

from accreditation import services
from accreditation.exceptions import AccreditationError
from accreditation.models import Answer, AnswerRevision, Application, ApplicationStatus
from tests import concurrency
from tests.accreditation.helpers import complete, criterion
from tests.concurrency import POSTGRES_ONLY

pytestmark = POSTGRES_ONLY


def race(*calls):
    """Run the calls at the same moment; return what each did ("ok" or the AccreditationError raised)."""
    return concurrency.race(*calls, refusal=AccreditationError)


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
