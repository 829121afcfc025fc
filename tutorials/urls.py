from django.urls import path

from tutorials import views

app_name = "tutorials"

urlpatterns = [
    path("", views.tutorial_list, name="list"),
    path("runs/", views.my_runs, name="my-runs"),
    path("runs/compare/", views.compare_runs, name="compare"),
    path("runs/<uuid:run_id>/", views.run_detail, name="run-detail"),
    path("runs/<uuid:run_id>/status.json", views.run_status, name="run-status"),
    path("runs/<uuid:run_id>/cancel/", views.run_cancel, name="run-cancel"),
    path("runs/<uuid:run_id>/script.py", views.run_script, name="run-script"),
    path("shared/<str:token>/", views.run_shared, name="run-shared"),
    path("leaderboard/<slug:demo>/", views.leaderboard, name="leaderboard"),
    path("<slug:slug>/", views.tutorial_detail, name="detail"),
]
