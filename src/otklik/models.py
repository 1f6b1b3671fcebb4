"""Import every area's models so `Base.metadata` is complete (Alembic, tests).

`store/` must not import areas; this module is the one place that gathers them.
"""

from otklik.access.models import ApiKey, User
from otklik.listen.drafts import SurveyDraft
from otklik.listen.erasure import Erasure
from otklik.listen.fatigue import ContactPolicy
from otklik.listen.journey_models import JourneyPersona, Opportunity, Persona
from otklik.listen.models import (
    Customer,
    Invitation,
    Journey,
    Response,
    Stage,
    Survey,
    SurveyVersion,
    Touchpoint,
)
from otklik.org.models import Employee, Unit
from otklik.store.base import Base
from otklik.understand.comments.models import (
    EmployeeMention,
    ResponseText,
    ResponseTheme,
    TextCluster,
    TextCorrection,
    TextTheme,
)
from otklik.understand.engine.models import AnalyticsChange

__all__ = [
    "AnalyticsChange",
    "ApiKey",
    "Base",
    "ContactPolicy",
    "Customer",
    "Employee",
    "EmployeeMention",
    "Erasure",
    "Invitation",
    "Journey",
    "JourneyPersona",
    "Opportunity",
    "Persona",
    "Response",
    "ResponseText",
    "ResponseTheme",
    "Stage",
    "Survey",
    "SurveyDraft",
    "SurveyVersion",
    "TextCluster",
    "TextCorrection",
    "TextTheme",
    "Touchpoint",
    "Unit",
    "User",
]
