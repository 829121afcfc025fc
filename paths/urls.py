from django.urls import path

from paths import views

app_name = "paths"

urlpatterns = [
    path("", views.path_list, name="list"),
    path("quiz/<slug:tutorial>/", views.quiz, name="quiz"),
    path("<slug:slug>/", views.path_detail, name="detail"),
    path("<slug:slug>/plan/", views.study_plan, name="study-plan"),
    path("<slug:slug>/steps/<int:step_id>/progress/", views.step_progress, name="step-progress"),
]
