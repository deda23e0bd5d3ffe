"""`{% census_panel %}`: the census, open seats and median time to admission
on the admissions dashboard, read by admissions.staff.capacity. A tag, so the
dashboard's own view and figures stay as they are: its template loads this
and calls it in one line."""

from django import template

from admissions.staff import capacity, dashboard

register = template.Library()


@register.inclusion_tag("admin/admissions/_census.html", takes_context=True)
def census_panel(context):
    request = context["request"]
    weeks = context.get("weeks")
    since = dashboard.weeks_since(weeks)[0] if weeks else None
    return {
        **capacity.census_panel_context(user=request.user, since=since),
        "period": context.get("period", ""),
    }
