"""Import every feature's models so metadata (and Alembic) sees all tables."""
from portal.audit.models import AuditEvent  # noqa: F401
from portal.auth.models import Department, LoginFailure, User, UserRole  # noqa: F401
from portal.congress.models import (  # noqa: F401
    Attendance, Candidate, CongressSession, CongressTerm, Delegation, NamedVote, Participation, Poll, PollCount,
    PollEligible, PresenceEvent, Representative, SecretBallot, SessionDocument, SessionReport, WorkReport,
    WorkReportOpinion, WorkReportRead,
)
from portal.org.models import Body, BodyMember  # noqa: F401
from portal.disclosure.models import Acknowledgement, Attachment, CatalogItem, Notice, Objection  # noqa: F401
from portal.decisions.models import ItemBallotVoter, ItemSecretBallot, Meeting, Procedure, Resolution  # noqa: F401
from portal.evaluation.models import (  # noqa: F401
    Evaluation, EvaluationRater, EvaluationRating, EvaluationSubject, EvaluationTally,
)
from portal.notify.models import Delivery, Notification, ReaderSetting, Robot  # noqa: F401
from portal.consultations.models import Comment, Consultation, ConsultationAttachment, Reply  # noqa: F401
from portal.boards.models import Board  # noqa: F401
from portal.proposals.models import Answer, Cohandler, Cosign, Part, Proposal, ProposalAttachment, ProposalGram  # noqa: F401
