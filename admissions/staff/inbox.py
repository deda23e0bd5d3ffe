"""The lead inbox (LeadAdmin's change list): open leads unless asked
otherwise, filters a coordinator needs (mine, unassigned, needs attention,
source), flags in words, and search through admissions.staff.search.

The filters read the pipeline's own QuerySet methods (LeadQuerySet.open,
waiting, overdue), so the inbox, the lead page's flags and the dashboard
agree on what "waiting" and "overdue" mean.
"""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ORDER_VAR, PAGE_VAR, SEARCH_VAR, ChangeList
from django.utils import timezone
from django.utils.html import format_html_join

from admissions.models import LeadStatus, waiting_threshold

from . import search, selectors
from .display import person_name
from .search import SEARCH_TOKEN_VAR, EncryptedSearchForm


class LeadStatusFilter(admin.SimpleListFilter):
    """Open leads unless asked otherwise: the inbox is the work still to do.
    A search looks at every status (the status column says which): a closed
    lead's exact email must not answer "0 leads"."""

    title = "status"
    parameter_name = "status"
    DEFAULT = "open"

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.searching = bool(request.GET.get(SEARCH_TOKEN_VAR) or request.GET.get("q"))

    def lookups(self, request, model_admin):
        return [
            ("open", "Open (default)"),
            ("closed", "Closed, any reason"),
            ("all", "All"),
            *LeadStatus.choices,
        ]

    def current(self) -> str:
        return self.value() or ("all" if self.searching else self.DEFAULT)

    def queryset(self, request, queryset):
        value = self.current()
        if value == "all":
            return queryset
        if value == "open":
            return queryset.open()
        if value == "closed":
            return queryset.closed()
        if value in LeadStatus.values:
            return queryset.filter(status=value)
        raise IncorrectLookupParameters(f"unknown status filter {value!r}")

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.current() == lookup,
                "query_string": changelist.get_query_string(
                    {self.parameter_name: lookup} if lookup != self.DEFAULT else {},
                    remove=[self.parameter_name] if lookup == self.DEFAULT else None,
                ),
                "display": title,
            }


class CoordinatorFilter(admin.SimpleListFilter):
    title = "coordinator"
    parameter_name = "coordinator"

    def lookups(self, request, model_admin):
        people = [(str(user.pk), person_name(user)) for user in selectors.coordinators()]
        return [("me", "My leads"), ("none", "Unassigned"), *people]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if value == "me":
            return queryset.filter(assigned_to=request.user)
        if value == "none":
            return queryset.filter(assigned_to__isnull=True)
        if value.isdigit():
            return queryset.filter(assigned_to_id=int(value))
        raise IncorrectLookupParameters(f"unknown coordinator filter {value!r}")


class AttentionFilter(admin.SimpleListFilter):
    title = "needs attention"
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        minutes = int(waiting_threshold().total_seconds() // 60)
        return [
            ("overdue", "Follow-up overdue"),
            ("today", "Follow-up due today"),
            ("waiting", f"Not yet reached, waiting over {minutes} min"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if value == "overdue":
            return queryset.overdue()
        if value == "today":
            return queryset.follow_up_due_on(timezone.localdate())
        if value == "waiting":
            return queryset.waiting()
        raise IncorrectLookupParameters(f"unknown attention filter {value!r}")


class SourceFilter(admin.SimpleListFilter):
    """The most common sources only: utm_source is whatever a link says, so a
    spammer could otherwise fill this list with thousands of entries."""

    title = "source"
    parameter_name = "source"

    def lookups(self, request, model_admin):
        sources = selectors.lead_sources()
        value = request.GET.get(self.parameter_name)
        if value and value not in sources:
            sources.append(value)
        return [(source, source) for source in sources]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset if value is None else queryset.filter(source=value)


class LanguageFilter(admin.SimpleListFilter):
    """Spanish: a request came through the Spanish form or asks for Spanish
    (selectors.in_spanish, annotated on every inbox row by LeadAdmin)."""

    title = "language"
    parameter_name = "language"

    def lookups(self, request, model_admin):
        return [("es", "Spanish"), ("en", "English only")]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        # LeadAdmin.get_queryset annotates in_spanish on every inbox row.
        if value == "es":
            return queryset.filter(in_spanish=True)
        if value == "en":
            return queryset.exclude(in_spanish=True)
        raise IncorrectLookupParameters(f"unknown language filter {value!r}")


class LeadChangeList(ChangeList):
    search_form_class = EncryptedSearchForm

    def get_filters_params(self, params=None):
        lookup_params = super().get_filters_params(params)
        lookup_params.pop(SEARCH_TOKEN_VAR, None)
        return lookup_params

    def get_queryset(self, request, exclude_parameters=None):
        # The inbox shows the phone, not the email or close reason: leave
        # those ciphertexts unread instead of decrypting them per row.
        queryset = super().get_queryset(request, exclude_parameters).defer("email", "close_reason")
        if self.query and exclude_parameters is None and self._search_alone():
            # Searching every status with no other filter: the number of leads
            # found is the number of index rows of a one-token term.
            term = self.query
            queryset = queryset.count_with(lambda: search.lead_search_count(term))
        return queryset

    def _search_alone(self) -> bool:
        """Nothing but the search narrows the list (every status is searched)."""
        others = set(self.params) - {SEARCH_TOKEN_VAR, SEARCH_VAR, ORDER_VAR, PAGE_VAR}
        if self.params.get(LeadStatusFilter.parameter_name) == "all":
            others.discard(LeadStatusFilter.parameter_name)
        return not others


def flags_html(flags) -> str:
    return format_html_join(
        "", ' <span class="lead-flag lead-flag--{}">{}</span>', ((slug, words) for slug, words in flags)
    )
