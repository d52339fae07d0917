"""What can go wrong when people manage organisations. Each message is safe to show to the person acting."""


class EmployersError(Exception):
    """A refusal by an employers service. `str(exc)` is the message the person sees."""

    message = "Something went wrong. Try again."

    def __init__(self, message: str | None = None):
        super().__init__(message or self.message)


class NotAMember(EmployersError):
    message = "You are not a member of this organisation."


class NotOwner(EmployersError):
    message = "Only the organisation's owner can do this."


class OrganisationAlreadyRegistered(EmployersError):
    """Another organisation already has this Companies House or charity number."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


class AlreadyMember(EmployersError):
    message = "This person is already a member of the organisation."


class InvitationAlreadyOpen(EmployersError):
    message = "This email address has already been invited. Cancel that invitation before sending a new one."


class InvitationInvalid(EmployersError):
    """The link was altered, cut short, or never issued."""

    message = (
        "This invitation link is not valid. Check you copied the whole link from the email, "
        "or ask the person who invited you to send a new invitation."
    )


class InvitationExpired(EmployersError):
    message = "This invitation has expired. Ask the person who invited you to send a new invitation."


class InvitationCancelled(EmployersError):
    message = "This invitation has been cancelled. Ask the organisation's owner if you still need to join."


class InvitationAlreadyUsed(EmployersError):
    message = "This invitation has already been used. Each invitation link works once."


class InvitationWrongEmail(EmployersError):
    """The signed-in person is not the one invited."""


class InvitationEmailNotVerified(EmployersError):
    """The invited address is on the person's account but not yet confirmed."""


class CannotRemoveYourself(EmployersError):
    message = "You cannot remove yourself. Make someone else the owner first, then leave the organisation."


class CannotTransferToYourself(EmployersError):
    message = "You are already the owner of this organisation."


class OwnerMustTransferFirst(EmployersError):
    message = "You are the owner of this organisation. Make someone else the owner before you leave."
