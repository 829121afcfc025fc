"""/notifications/: follow buttons, settings, unsubscribe; /calendar/<token>.ics: the personal feed."""

from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/follow/", views.follow, name="follow"),
    path("notifications/settings/", views.preferences, name="settings"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("calendar/<str:token>.ics", views.calendar, name="calendar"),
]
