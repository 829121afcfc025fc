"""Page-number pagination with a total count, next/previous links and a capped page size."""

from django.core.paginator import Paginator
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

MAX_PAGE_SIZE = 100


class KnownCountPaginator(Paginator):
    """A paginator that reuses a count already taken (with the ETag) instead of a second COUNT."""

    def __init__(self, *args, known_count: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if known_count is not None:
            # Paginator.count is a cached_property: filling its cache skips the query.
            self.__dict__["count"] = known_count


class ApiPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    page_size_query_description = f"Number of results per page, at most {MAX_PAGE_SIZE}."

    def paginate_queryset(self, queryset, request, view=None):
        known_count = getattr(view, "known_count", None)

        def make_paginator(object_list, per_page):
            return KnownCountPaginator(object_list, per_page, known_count=known_count)

        self.django_paginator_class = make_paginator
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        response = Response(
            {
                "count": self.page.paginator.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )
        self.add_link_header(response)
        return response

    def add_link_header(self, response) -> None:
        """Next/previous as an RFC 8288 Link header too, for formats without an envelope (CSV, BibTeX)."""
        links = [
            f'<{url}>; rel="{rel}"'
            for rel, url in (("next", self.get_next_link()), ("prev", self.get_previous_link()))
            if url
        ]
        if links:
            response["Link"] = ", ".join(links)
        response["X-Total-Count"] = str(self.page.paginator.count)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = MAX_PAGE_SIZE
        return parameters
