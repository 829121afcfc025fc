"""The serializers of the kit: the body of every error response, and instants always in UTC."""

import datetime as dt

from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="The HTTP status code, repeated.")
    code = serializers.CharField(help_text="A stable machine-readable code: invalid, not_found, throttled, …")
    detail = serializers.CharField(help_text="A sentence for people.")
    fields = serializers.DictField(
        help_text="For 400: the messages of each invalid field (non_field_errors for the whole object)."
    )


class ErrorSerializer(serializers.Serializer):
    """The body of every error response."""

    error = ErrorDetailSerializer()


class UTCDateTimeField(serializers.DateTimeField):
    """Instants always in UTC ("…Z"), whatever time zone a request may have activated."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default_timezone", dt.UTC)
        super().__init__(*args, **kwargs)
