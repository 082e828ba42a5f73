"""The scenario file's schema: validated, immutable models with precise messages.

Field-level checks live here; cross-references (a person's role, a stream's skill) are checked in
``load.py`` once the whole file is known, so each message can name the field that refers to nothing.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from scheduler.timegrid import BANDS, parse_clock, parse_window

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
RoleKind = Literal["senior", "junior", "trainee", "agency"]
ResponseModel = Literal["erlang", "backlog", "workload"]
Band = Literal["day", "night", "weekend"]

ROLE_KINDS = ("senior", "junior", "trainee", "agency")
MAX_DAYS = 56
MAX_HIRES_PER_ROLE = 200
MAX_PEOPLE = 500
MIN_DATE, MAX_DATE = date(2000, 1, 1), date(2199, 12, 31)
MAX_HANDLE_MINUTES = 24 * 60
MIN_TARGET_MINUTES = 1


def _clock(text: str) -> str:
    parse_clock(text)
    return text


def _window(text: str) -> str:
    parse_window(text)
    return text


def _calendar_date(value: Any) -> Any:
    """Dates are written YYYY-MM-DD: a number is not taken for seconds since 1970, nor a datetime for a day."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise ValueError("must be a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValueError(f"must be a real calendar date YYYY-MM-DD ({exc})") from None


Day = Annotated[date, BeforeValidator(_calendar_date), Field(ge=MIN_DATE, le=MAX_DATE)]
Clock = Annotated[str, AfterValidator(_clock)]
Window = Annotated[str, AfterValidator(_window)]
Name = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[^\s/\\][^/\\]*$")]
Share = Annotated[float, Field(gt=0, le=1)]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class HolidaySpec(Spec):
    country: str | None = "FR"
    subdivision: str | None = None
    extra: tuple[Day, ...] = ()


class HorizonSpec(Spec):
    start: Day
    days: int = Field(ge=1, le=MAX_DAYS)
    slot_minutes: Literal[15, 30, 60] = 60
    timezone: str = "Europe/Paris"
    holidays: HolidaySpec = HolidaySpec()


class BandSpec(Spec):
    night: Window | None = None  # default: the rule set's night period
    weekend_days: tuple[Weekday, ...] = ("sat", "sun")
    holidays_as_weekend: bool = True


class Target(Spec):
    share: Share
    within_minutes: Annotated[float, Field(ge=MIN_TARGET_MINUTES, allow_inf_nan=False)]


class EventSpec(Spec):
    """A day when arrivals are multiplied, e.g. a promotion or a product launch."""

    date: Day
    factor: NonNegative
    from_: Clock = Field("00:00", alias="from")
    to: Clock = "24:00"
    name: str = "event"


class ProfileSpec(Spec):
    weekly_items: NonNegative
    daily_curve: str | tuple[NonNegative, ...] = "flat"
    weekday_factors: str | tuple[NonNegative, ...] = "flat"
    events: tuple[EventSpec, ...] = ()

    @model_validator(mode="after")
    def _lengths(self) -> ProfileSpec:
        if isinstance(self.daily_curve, tuple) and (len(self.daily_curve) != 24 or sum(self.daily_curve) <= 0):
            raise ValueError("daily_curve must be a curve name or 24 hourly weights, not all zero")
        if isinstance(self.weekday_factors, tuple) and (
            len(self.weekday_factors) != 7 or sum(self.weekday_factors) <= 0
        ):
            raise ValueError("weekday_factors must be a name or 7 factors Monday to Sunday, not all zero")
        return self


class ArrivalsSpec(Spec):
    csv: str | None = None
    profile: ProfileSpec | None = None
    scale: NonNegative = 1.0

    @model_validator(mode="after")
    def _one_source(self) -> ArrivalsSpec:
        if (self.csv is None) == (self.profile is None):
            raise ValueError("give exactly one of 'csv' (a file) or 'profile' (a generated curve)")
        return self


class WorkloadSpec(Spec):
    """Proactive work (e.g. publishing): hours per calendar week inside a window."""

    hours_per_week: NonNegative
    window: Window = "09:00-18:00"
    days: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")


class StreamSpec(Spec):
    skill: Name
    handle_minutes: Annotated[float, Field(gt=0, le=MAX_HANDLE_MINUTES, allow_inf_nan=False)] = 1.0
    response_model: ResponseModel = "erlang"
    arrivals: ArrivalsSpec | None = None
    workload: WorkloadSpec | None = None
    targets: dict[Band, Target] = Field(default_factory=dict)
    max_occupancy: Share = 0.85
    shrinkage: Annotated[float, Field(ge=0, lt=1)] = 0.0

    @model_validator(mode="after")
    def _consistent(self) -> StreamSpec:
        if self.response_model == "workload":
            if self.workload is None:
                raise ValueError("a 'workload' stream needs 'workload: {hours_per_week, window, days}'")
        else:
            if self.arrivals is None:
                raise ValueError(f"a '{self.response_model}' stream needs 'arrivals' (csv or profile)")
            if "day" not in self.targets:
                raise ValueError(
                    "targets need at least 'day: {share, within_minutes}' (night and weekend default to day)"
                )
        return self

    def target(self, band: str) -> Target:
        """The band's target; night and weekend fall back to the day target."""
        return self.targets.get(band) or self.targets["day"]


class PresenceSpec(Spec):
    """At least ``min`` people of ``roles`` on duty in every slot of the window."""

    name: Name
    min: int = Field(ge=1, le=1000)
    roles: tuple[Name, ...] | None = None  # None: every role but trainees
    from_: Clock = Field("00:00", alias="from")
    to: Clock = "24:00"
    days: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ShiftSpec(Spec):
    earliest_start: Clock = "00:00"
    latest_start: Clock = "23:00"
    start_step_minutes: int = Field(60, ge=15, le=24 * 60)
    lengths_hours: tuple[Positive, ...] = (8.0,)

    @model_validator(mode="after")
    def _order(self) -> ShiftSpec:
        if parse_clock(self.latest_start) < parse_clock(self.earliest_start):
            raise ValueError("latest_start is before earliest_start")
        if not self.lengths_hours:
            raise ValueError("lengths_hours needs at least one length")
        return self


class SalarySpec(Spec):
    monthly_gross: Positive
    employer_charge_rate: Annotated[float, Field(ge=0, le=1.5)]


class PremiumSpec(Spec):
    night: NonNegative = 0.0
    sunday: NonNegative = 0.0
    holiday: NonNegative = 0.0


class SupervisionSpec(Spec):
    by: tuple[Name, ...]
    mode: Literal["on_duty", "same_day", "none"] = "on_duty"
    max_per_supervisor: int = Field(3, ge=1, le=1000)


class AgencyRates(Spec):
    day: NonNegative
    night: NonNegative
    weekend: NonNegative


class SuccessionSpec(Spec):
    """Shift types named by start-time windows: no shift starting in ``then`` the day after one starting in
    ``first`` (e.g. first "20:00-24:00", then "00:00-12:00": no early shift after a late one)."""

    first: Window
    then: Window


class RosterRules(Spec):
    """Hard per-person rules beyond the law; on a role they are the defaults of its people and hires, a
    person's own fields replace the role's. Days count by the day a shift starts (as L3132-1 does)."""

    days_off: tuple[Weekday | Day, ...] | None = None
    min_consecutive_days: int | None = Field(None, ge=1, le=MAX_DAYS)
    max_consecutive_days: int | None = Field(None, ge=1, le=MAX_DAYS)
    min_consecutive_days_off: int | None = Field(None, ge=1, le=MAX_DAYS)
    max_weekends: int | None = Field(None, ge=0, le=MAX_DAYS)
    min_hours: NonNegative | None = None
    max_hours: NonNegative | None = None
    no_succession: tuple[SuccessionSpec, ...] | None = None

    @model_validator(mode="after")
    def _order(self) -> RosterRules:
        for low, high in (("min_consecutive_days", "max_consecutive_days"), ("min_hours", "max_hours")):
            lo, hi = getattr(self, low), getattr(self, high)
            if lo is not None and hi is not None and lo > hi:
                raise ValueError(f"{low} ({lo}) is above {high} ({hi})")
        return self

    def merged(self, own: RosterRules | None) -> RosterRules:
        """The role's rules with a person's own fields in their place."""
        if own is None:
            return self
        return self.model_copy(update={k: v for k, v in own if v is not None})

    @property
    def is_empty(self) -> bool:
        return all(v is None for _, v in self)


class FairMeasure(Spec):
    """Spread (max - min over the role's named people) of one count: priced, or capped, as the user chooses."""

    price: NonNegative | None = None  # euros per unit of spread
    max_difference: int | None = Field(None, ge=0, le=MAX_DAYS)

    @model_validator(mode="after")
    def _one(self) -> FairMeasure:
        if (self.price is None) == (self.max_difference is None):
            raise ValueError("give exactly one of 'price' (euros per unit of spread) or 'max_difference'")
        return self


class FairnessSpec(Spec):
    nights: FairMeasure | None = None  # shifts with night hours
    weekends: FairMeasure | None = None  # weekends with a shift starting on Saturday or Sunday
    sundays: FairMeasure | None = None  # shifts starting on a Sunday


class RequestSpec(Spec):
    """A wish, soft: ``weight`` is what the manager would pay (euros) to grant it. ``shift`` names shift
    types by a start-time window; day kinds take no shift."""

    person: Name
    date: Day
    kind: Literal["day_off", "day_on", "shift_off", "shift_on"]
    shift: Window | None = None
    weight: NonNegative

    @model_validator(mode="after")
    def _shift(self) -> RequestSpec:
        if self.kind.startswith("shift") and self.shift is None:
            raise ValueError(f"a '{self.kind}' request needs 'shift' (a start-time window 'HH:MM-HH:MM')")
        if self.kind.startswith("day") and self.shift is not None:
            raise ValueError(f"a '{self.kind}' request takes no 'shift' (use shift_on / shift_off)")
        return self


class RoleSpec(Spec):
    kind: RoleKind
    skills: tuple[Name, ...]
    productivity: Annotated[float, Field(gt=0, le=2)] = 1.0
    shifts: ShiftSpec = ShiftSpec()
    sunday_work: bool = True
    night_work: bool = True
    salary: SalarySpec | None = None
    premiums: PremiumSpec = PremiumSpec()
    stipend_per_hour: NonNegative | None = None
    supervision: SupervisionSpec | None = None
    rates_per_hour: AgencyRates | None = None
    min_block_hours: Positive | None = None
    block_start_step_minutes: int = Field(60, ge=15, le=24 * 60)
    max_concurrent: int | None = Field(None, ge=0, le=10_000)
    monthly_fee: NonNegative = 0.0
    rules: dict[str, Any] = Field(default_factory=dict)
    roster: RosterRules = RosterRules()
    fairness: FairnessSpec | None = None

    @model_validator(mode="after")
    def _kind_fields(self) -> RoleSpec:
        need = {
            "senior": ("salary",),
            "junior": ("salary",),
            "trainee": ("stipend_per_hour",),
            "agency": ("rates_per_hour", "min_block_hours", "max_concurrent"),
        }[self.kind]
        for name in need:
            if getattr(self, name) is None:
                raise ValueError(f"a {self.kind} role needs '{name}'")
        return self

    @property
    def is_salaried(self) -> bool:
        return self.kind in ("senior", "junior")


class DateRange(Spec):
    start: Day
    end: Day  # inclusive

    @model_validator(mode="after")
    def _order(self) -> DateRange:
        if self.end < self.start:
            raise ValueError("end is before start")
        return self


class AvailabilitySpec(Spec):
    """When a person can work: days of the week and a local time window (shifts must fit inside)."""

    days: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    from_: Clock = Field("00:00", alias="from")
    to: Clock = "24:00"


class PersonSpec(Spec):
    name: Name
    role: Name
    skills: tuple[Name, ...] | None = None  # replaces the role's skills
    extra_skills: tuple[Name, ...] = ()  # e.g. gained by an upskilling variant
    productivity: Annotated[float, Field(gt=0, le=2)] | None = None
    monthly_gross: Positive | None = None
    count_salary: bool = True  # false when the salary is paid anyway and not part of this decision
    available: AvailabilitySpec | None = None
    leave: tuple[Day | DateRange, ...] = ()
    internship: DateRange | None = None
    min_weekly_hours: NonNegative = 0.0  # e.g. a trainee's agreed presence
    training_cost: NonNegative = 0.0  # one-off cost of new skills (upskilling)
    roster: RosterRules | None = None  # replaces the role's roster rules field by field


class HireSpec(Spec):
    max: int = Field(ge=0, le=MAX_HIRES_PER_ROLE)
    min: int = Field(0, ge=0, le=MAX_HIRES_PER_ROLE)
    recruitment_cost: NonNegative = 0.0
    amortisation_months: Positive = 24.0
    min_weekly_hours: NonNegative = 0.0

    @model_validator(mode="after")
    def _order(self) -> HireSpec:
        if self.min > self.max:
            raise ValueError("min is above max")
        return self


class CostsSpec(Spec):
    paid_leave_provision: bool = True
    training_amortisation_months: Positive = 24.0
    currency: str = "EUR"


class ShortfallSpec(Spec):
    """Price of each unit of unmet need, so an impossible scenario still gets its cheapest partial plan."""

    allowed: bool = False
    price_per_staff_hour: NonNegative = 500.0
    price_per_presence_hour: NonNegative = 500.0


class ScenarioSpec(Spec):
    name: Name
    description: str = ""
    horizon: HorizonSpec
    rule_set: Literal["fr", "eu"] = "fr"
    rule_overrides: dict[str, Any] = Field(default_factory=dict)
    bands: BandSpec = BandSpec()
    streams: dict[Name, StreamSpec] = Field(min_length=1)
    presence: tuple[PresenceSpec, ...] = ()
    roles: dict[Name, RoleSpec] = Field(min_length=1)
    people: tuple[PersonSpec, ...] = Field((), max_length=MAX_PEOPLE)
    hire: dict[Name, HireSpec] = Field(default_factory=dict)
    costs: CostsSpec = CostsSpec()
    shortfall: ShortfallSpec = ShortfallSpec()
    requests: tuple[RequestSpec, ...] = ()
    variants: dict[Name, dict[str, Any]] = Field(default_factory=dict)
    year: YearSpec | None = None  # the year plan's section (scheduler.scenario.year)


BAND_NAMES = BANDS

from scheduler.scenario.year import YearSpec  # noqa: E402  (it uses the types above)

ScenarioSpec.model_rebuild()
