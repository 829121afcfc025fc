"""The admin is for staff only: every registered model's changelist, the admin index and the
import pages send a visitor or a signed-in non-staff user to the admin's log-in page; staff
without a model's permissions get 403 on that model and 200 on the one they may view."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def changelists() -> list[str]:
    return sorted(
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    )


def import_pages() -> list[str]:
    names = [
        url.name
        for model_admin in admin.site._registry.values()
        for url in model_admin.get_urls()
        if url.name and url.name.endswith("_import")
    ]
    assert len(names) >= 3, names
    return sorted(reverse(f"admin:{name}") for name in names)


def every_admin_page() -> list[str]:
    return ["/admin/", *changelists(), *import_pages()]


@pytest.mark.parametrize("who", ["anonymous", "reader"])
def test_visitors_and_plain_users_are_sent_to_the_admin_login(who):
    client = Client()
    if who == "reader":
        client.force_login(factories.UserFactory(username="reader"))
    pages = every_admin_page()
    assert len(pages) >= len(admin.site._registry) + 4
    for path in pages:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("admin:login") + "?next="), path


def test_a_plain_user_cannot_log_in_to_the_admin():
    factories.UserFactory(username="reader")
    client = Client()
    response = client.post(
        reverse("admin:login"), {"username": "reader", "password": "correct-horse-battery-staple"}
    )
    assert response.status_code == 200  # the form again, with an error
    assert "_auth_user_id" not in client.session


def test_staff_without_permissions_get_403_on_every_model_and_import_page():
    client = Client()
    client.force_login(factories.UserFactory(username="bare-staff", is_staff=True))
    assert client.get("/admin/").status_code == 200
    for path in changelists() + import_pages():
        assert client.get(path).status_code == 403, path


def test_staff_see_exactly_the_models_they_have_a_permission_on():
    staff = factories.UserFactory(username="paper-staff", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_paper"))
    client = Client()
    client.force_login(staff)
    paper_list = reverse("admin:resources_paper_changelist")
    assert client.get(paper_list).status_code == 200
    assert client.get(reverse("admin:resources_paper_add")).status_code == 403
    assert client.get(reverse("admin:resources_paper_import")).status_code == 403  # needs add + change
    for path in changelists():
        if path != paper_list:
            assert client.get(path).status_code == 403, path
