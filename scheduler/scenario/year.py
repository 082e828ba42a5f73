"""The scenario's ``year:`` section: what a year plan needs beyond one week (demand over the months, contracts,
trainees, paid leave). Defaults and their sources are in ``defaults.yaml`` (key ``year``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from scheduler.scenario.schema import DateRange, Name

Share = Annotated[float, Field(ge=0, le=1)]
Factor = Annotated[float, Field(ge=0, le=20, allow_inf_nan=False)]
Money = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class UpliftSpec(_Spec):
    """A period whose demand is multiplied on top of the month's factor (school holidays, sales, Black Friday)."""

    name: Name
    dates: DateRange
    factor: Factor


class FixedTermSpec(_Spec):
    """Fixed-term contracts (CDD), Code du travail L1242-2: 2° temporary increase, 3° seasonal."""

    min_months: int = Field(ge=1, le=18)
    max_months: int = Field(ge=1, le=18)  # L1242-8-1: 18 months renewals included
    temporary_end_indemnity: Share  # L1243-8: 10 % of gross pay, temporary increase only
    seasonal_end_indemnity: Share  # L1243-10: none for seasonal work
    paid_leave_indemnity: Share  # L3141-28: 10 % of gross pay, both kinds
    seasonal_months: tuple[Annotated[int, Field(ge=1, le=12)], ...] = ()  # months a seasonal job may cover
    roles: tuple[Name, ...] = ()  # roles that may be hired on a CDD; empty: every hired salaried role

    @model_validator(mode="after")
    def _order(self) -> FixedTermSpec:
        if self.min_months > self.max_months:
            raise ValueError(f"min_months ({self.min_months}) is above max_months ({self.max_months})")
        return self


class TraineeWindowSpec(_Spec):
    """An internship window: trainees arriving on ``start`` for ``months`` (L124-5: at most 6 per teaching year)."""

    start: Annotated[int, Field(ge=1, le=12)]  # calendar month
    months: int = Field(ge=1, le=6)
    max: int = Field(ge=0, le=50)


class TraineeSpec(_Spec):
    counts_as: Name | None = None  # the role whose capacity a trainee adds to (None: no capacity counted)
    capacity_share: Share  # share of a full-time person's capacity (L124-7: extra capacity only, see DOMAIN 2)
    stipend_monthly: Money  # L124-6 gratification (4.35 €/h x 154 h)
    stipend_free_months: int = Field(ge=0, le=6)  # L124-6: owed beyond two months
    per_tutor: int = Field(ge=1, le=3)  # at most 3 trainees per tutor
    tutor_roles: tuple[Name, ...] = ()
    windows: tuple[TraineeWindowSpec, ...] = ()


class YearSpec(_Spec):
    monthly_factors: tuple[Factor, ...] = Field(min_length=12, max_length=12)  # Jan..Dec, 1 = the base week
    uplifts: tuple[UpliftSpec, ...] = ()
    lead_time_months: int = Field(ge=0, le=12)
    ramp_up_weeks: int = Field(ge=0, le=26)
    ramp_up_productivity: Share
    attrition_per_year: Share  # expected leavers per person per year
    permanent_commitment_months: int = Field(ge=0, le=120)  # salary months a hire costs at least
    paid_leave_weeks: Annotated[float, Field(ge=0, le=10)]  # L3141-3: 2.5 days a month, 5 weeks
    paid_leave_by_month: tuple[Factor, ...] = Field(min_length=12, max_length=12)  # relative weights Jan..Dec
    fixed_term: FixedTermSpec
    trainees: TraineeSpec
    demand_levels: int = Field(ge=1, le=12)  # representative weeks by demand level (holiday weeks apart)
    team_steps: int = Field(ge=1, le=10)  # headcount step between candidate team sizes
    week_time_limit: Annotated[float, Field(gt=0, le=600)]  # seconds per weekly solve

    @model_validator(mode="after")
    def _leave(self) -> YearSpec:
        if self.paid_leave_weeks > 0 and sum(self.paid_leave_by_month) <= 0:
            raise ValueError("paid_leave_by_month needs a positive weight somewhere when paid_leave_weeks > 0")
        return self
