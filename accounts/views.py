"""Sign-up, the personal library (bookmarks) and its BibTeX export.

Log in, log out and the password views are Django's own, wired in ``accounts.urls``.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import services
from accounts.forms import BookmarkForm, NoteForm, SignUpForm
from accounts.models import Bookmark
from accounts.throttle import throttle_posts
from resources import search
from resources.bibtex import papers_to_bibtex


def safe_next(request, url: str | None, fallback: str) -> str:
    """``url`` when it points back into this site, else ``fallback`` (no open redirects)."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(fallback)


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@throttle_posts("signup")
@require_http_methods(["GET", "POST"])
def signup(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.user.is_authenticated:
        return redirect(safe_next(request, next_url, settings.LOGIN_REDIRECT_URL))
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        welcome = gettext(
            "Welcome, %(name)s! You are signed in. Bookmark papers, books, courses and conferences "
            "to gather them in your library."
        )
        messages.success(request, welcome % {"name": user.get_username()})
        return redirect(safe_next(request, next_url, settings.LOGIN_REDIRECT_URL))
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/signup.html", {"form": form, "next": next_url}, status=status)


@login_required
@require_GET
def library(request):
    """The reader's bookmarks by type; with ``?q=``, those that answer it, best first."""
    bookmarks = list(services.bookmarks_for(request.user))
    query = request.GET.get("q", "").strip()[: services.LIBRARY_QUERY_MAX]
    context = {
        "groups": services.group_by_type(bookmarks),
        "total": len(bookmarks),
        "has_papers": any(services.label_for(b.target) == "resources.paper" for b in bookmarks),
        "query": query,
        "query_max": services.LIBRARY_QUERY_MAX,
    }
    if query:
        found = services.find_in_bookmarks(bookmarks, query)
        for bookmark in found.bookmarks:
            bookmark.label = services.label_for(bookmark.target)
        context["found"] = found.bookmarks
        if found.fallback_reason:
            context["fallback_message"] = search.FALLBACKS[found.fallback_reason]
    return render(request, "accounts/library.html", context)


@require_POST
def bookmark(request):
    """Add, remove or toggle one bookmark; redirects back to ``next`` (or answers JSON)."""
    form = BookmarkForm(request.POST)
    if not request.user.is_authenticated:
        back = safe_next(request, request.POST.get("next"), "home")
        if wants_json(request):
            return JsonResponse({"login_url": resolve_url(settings.LOGIN_URL)}, status=401)
        return redirect_to_login(back)
    if not form.is_valid():
        if wants_json(request):
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        return render(request, "accounts/bookmark_invalid.html", {"form": form}, status=400)
    target, action, note = form.target, form.cleaned_data["action"], form.cleaned_data["note"]
    if action == "toggle":
        bookmarked = services.toggle_bookmark(request.user, target, note=note)
    else:
        bookmarked = services.set_bookmark(request.user, target, action == "add", note=note)
    if wants_json(request):
        return JsonResponse({"bookmarked": bookmarked})
    try:
        fallback = target.get_absolute_url()
    except NoReverseMatch:
        fallback = reverse("accounts:library")
    return redirect(safe_next(request, form.cleaned_data["next"], fallback))


@login_required
@require_POST
def bookmark_remove(request, pk: int):
    get_object_or_404(Bookmark, pk=pk, user=request.user).delete()
    return redirect(safe_next(request, request.POST.get("next"), "accounts:library"))


@login_required
@require_http_methods(["GET", "POST"])
def bookmark_note(request, pk: int):
    bookmark = get_object_or_404(services.bookmarks_for(request.user), pk=pk)
    form = NoteForm(request.POST or None, instance=bookmark)
    if request.method == "POST" and form.is_valid():
        form.save()
        return redirect("accounts:library")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/bookmark_note.html", {"form": form, "bookmark": bookmark}, status=status)


@login_required
@require_GET
def library_bibtex(request):
    papers = services.bookmarked_papers(request.user)
    response = HttpResponse(papers_to_bibtex(papers), content_type="application/x-bibtex; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-papers.bib"'
    response["Cache-Control"] = "private, no-store"
    return response
