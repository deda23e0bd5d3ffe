from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "programs"

# Inside i18n_patterns (sheer_site/urls.py): the path words are translated.
urlpatterns = [
    path("", views.home, name="home"),
    path(_("programs/"), views.program_list, name="list"),
    path(_("programs/<slug:slug>/"), views.program_detail, name="detail"),
    path(_("levels-of-care/"), views.comparison, name="comparison"),
    path("preview/programs/<int:pk>/", views.preview_program, name="preview_program"),
    path("preview/pages/<int:pk>/", views.preview_page, name="preview_page"),
    path(_("team/"), views.team, name="team"),
    # Last: plain pages such as /about/ and /insurance/.
    path("<slug:slug>/", views.page_detail, name="page"),
]
