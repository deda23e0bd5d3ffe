from django.conf import settings
from django.urls import path

from . import views

app_name = "programs"

urlpatterns = [
    path("", views.home, name="home"),
    path("programs/", views.program_list, name="list"),
    path("programs/<slug:slug>/", views.program_detail, name="detail"),
    path("levels-of-care/", views.comparison, name="comparison"),
    path("preview/programs/<int:pk>/", views.preview_program, name="preview_program"),
    path("preview/pages/<int:pk>/", views.preview_page, name="preview_page"),
    path("team/", views.team, name="team"),
    path(f"{settings.MEDIA_URL.strip('/')}/renditions/<path:name>", views.rendition, name="rendition"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    # Last: plain pages such as /about/ and /insurance/.
    path("<slug:slug>/", views.page_detail, name="page"),
]
