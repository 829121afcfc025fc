"""Permission helpers: CatalogueWritePermission's rules, and OwnedQuerysetMixin's 404 for others' objects."""

import pytest
from django.urls import path
from rest_framework import serializers, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from portal.api.permissions import OwnedQuerysetMixin
from portal.api.views import ApiViewMixin
from tests import factories

pytestmark = pytest.mark.django_db


class TokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = Token
        fields = ("key", "created")
        read_only_fields = fields


class OwnTokenViewSet(OwnedQuerysetMixin, ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """A stand-in for bookmarks and runs: the tokens of the requesting user."""

    queryset = Token.objects.all()
    serializer_class = TokenSerializer
    lookup_field = "key"
    pagination_class = None


urlpatterns = [
    path("tokens/", OwnTokenViewSet.as_view({"get": "list"})),
    path("tokens/<str:key>/", OwnTokenViewSet.as_view({"get": "retrieve"})),
]


@pytest.fixture
def owners(db):
    alice, bob = factories.UserFactory(username="alice"), factories.UserFactory(username="bob")
    return Token.objects.create(user=alice), Token.objects.create(user=bob)


def client_of(token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.mark.urls(__name__)
def test_another_users_object_is_404_never_403(owners):
    alice, bob = owners
    assert client_of(alice).get(f"/tokens/{alice.key}/").status_code == 200
    response = client_of(alice).get(f"/tokens/{bob.key}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert [t["key"] for t in client_of(alice).get("/tokens/").json()] == [alice.key]


@pytest.mark.urls(__name__)
def test_anonymous_clients_must_sign_in(owners):
    alice, _ = owners
    response = APIClient().get(f"/tokens/{alice.key}/")
    assert response.status_code == 401


def test_an_inactive_staff_user_cannot_write(api, api_catalogue):
    staff = factories.UserFactory(username="gone", is_staff=True, is_active=False)
    token = Token.objects.create(user=staff)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    # DRF refuses the token of an inactive user before any permission is asked.
    assert api.patch("/api/v1/papers/attention/", {"venue": "X"}, format="json").status_code == 401
