"""The course catalogue's filters: audience, duration and issue, as plain GET parameters.

`?audience=社区骨干&audience=居民&duration=day&issue=停车难`: values of one parameter are OR-ed,
different parameters AND-ed (as in the search API). Every option shows how many courses it would
give with the other filters kept, so the form works without JavaScript and never leads nowhere.
"""

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from kb.vocabularies.models import Audience, Issue


@dataclass(frozen=True)
class DurationBand:
    key: str
    label: str
    low: int  # minutes, exclusive (except 0)
    high: int | None  # minutes, inclusive


DURATION_BANDS = [
    DurationBand("half-day", "半天以内（不超过4小时）", 0, 4 * 60),
    DurationBand("day", "一天（4–8小时）", 4 * 60, 8 * 60),
    DurationBand("multi-day", "多天（超过8小时）", 8 * 60, None),
]
BAND_BY_KEY = {band.key: band for band in DURATION_BANDS}


def with_total_minutes(queryset):
    from .models import CourseModule

    total = (
        CourseModule.objects.filter(page=OuterRef("pk"))
        .values("page")
        .annotate(total=Sum("minutes"))
        .values("total")
    )
    return queryset.annotate(total_minutes_db=Coalesce(Subquery(total, output_field=IntegerField()), 0))


def in_band(minutes, band):
    return (minutes > band.low or (band.low == 0 and minutes >= 0)) and (
        band.high is None or minutes <= band.high
    )


class CourseFilters:
    def __init__(self, params, queryset):
        self.params = params
        self.base = with_total_minutes(queryset)
        self.selected = {
            "audience": [v for v in params.getlist("audience") if v],
            "issue": [v for v in params.getlist("issue") if v],
            "duration": [v for v in params.getlist("duration") if v in BAND_BY_KEY],
        }

    def apply(self, queryset, skip=None):
        if self.selected["audience"] and skip != "audience":
            queryset = queryset.filter(audience__name__in=self.selected["audience"])
        if self.selected["issue"] and skip != "issue":
            queryset = queryset.filter(issues__name__in=self.selected["issue"])
        if self.selected["duration"] and skip != "duration":
            wanted = {
                course.pk
                for course in queryset
                if any(
                    in_band(course.total_minutes_db, BAND_BY_KEY[key]) for key in self.selected["duration"]
                )
            }
            queryset = queryset.filter(pk__in=wanted)
        return queryset.distinct()

    @property
    def results(self):
        return self.apply(self.base)

    @property
    def active(self):
        return any(self.selected.values())

    def term_options(self, name, model):
        pool = self.apply(self.base, skip=name).values("pk")
        counts = dict(
            model.objects.filter(courses__in=pool)
            .values("name")
            .annotate(n=Count("courses", distinct=True))
            .values_list("name", "n")
        )
        terms = model.objects.filter(name__in=set(counts) | set(self.selected[name])).order_by(
            "sort_order", "name"
        )
        return [
            {
                "value": term.name,
                "label": term.name,
                "count": counts.get(term.name, 0),
                "selected": term.name in self.selected[name],
            }
            for term in terms
        ]

    @property
    def audience_options(self):
        return self.term_options("audience", Audience)

    @property
    def issue_options(self):
        return self.term_options("issue", Issue)

    @property
    def duration_options(self):
        pool = list(self.apply(self.base, skip="duration"))
        return [
            {
                "value": band.key,
                "label": band.label,
                "count": sum(1 for course in pool if in_band(course.total_minutes_db, band)),
                "selected": band.key in self.selected["duration"],
            }
            for band in DURATION_BANDS
        ]

    def groups(self):
        """(parameter, legend, options) for the template, leaving out empty groups."""
        groups = [
            ("audience", "培训对象", self.audience_options),
            ("duration", "时长", self.duration_options),
            ("issue", "议题", self.issue_options),
        ]
        return [
            (name, legend, options)
            for name, legend, options in groups
            if options and (any(o["count"] for o in options) or self.selected[name])
        ]
