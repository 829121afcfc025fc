"""Curators' pages for learning paths: a path with its steps inline, in order.

Targets are chosen with autocomplete; a step pointing at an unpublished item is saved with a
warning (the public page shows it as "not available yet"); prerequisites that would close a
cycle, between paths or between the steps of one path, are refused on their field with the
cycle named (``paths.graph.check_acyclic``, the check the API runs too).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from paths import services
from paths.graph import check_acyclic
from paths.models import TARGET_FIELDS, LearningPath, QuizChoice, QuizQuestion, Step, StepProgress
from resources.admin.base import FORMFIELD_OVERRIDES


class LearningPathForm(forms.ModelForm):
    class Meta:
        model = LearningPath
        fields = (
            "slug", "title_en", "title_zh", "summary_en", "summary_zh", "level", "topics",
            "estimated_hours", "prerequisites", "status", "position",
        )  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        chosen = cleaned.get("prerequisites")
        if chosen is not None and self.instance.pk is not None:
            try:
                check_acyclic(
                    self.instance.pk,
                    [p.pk for p in chosen],
                    services.path_prerequisites_of,
                    label=services.path_label,
                )
            except ValidationError as exc:
                self.add_error(None, exc)  # the error names its field, prerequisites
        return cleaned


class StepForm(forms.ModelForm):
    external_url = Step._meta.get_field("external_url").formfield(assume_scheme="https")

    class Meta:
        model = Step
        fields = (
            "position", *TARGET_FIELDS, "external_url", "title_en", "title_zh", "why_en", "why_zh",
            "estimated_hours", "required", "prerequisites",
        )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "prerequisites" in self.fields:
            path_id = self.instance.path_id
            self.fields["prerequisites"].queryset = (
                Step.objects.filter(path_id=path_id).exclude(pk=self.instance.pk).order_by("position")
                if path_id
                else Step.objects.none()
            )


class StepFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        forms_by_pk = {}
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            if form.instance.pk is not None:
                forms_by_pk[form.instance.pk] = form
        # The graph as this formset would leave it: the forms' prerequisites over the stored ones.
        stored: dict[int, list[int]] = {}
        if self.instance.pk is not None:
            for from_id, to_id in Step.prerequisites.through.objects.filter(
                from_step__path_id=self.instance.pk
            ).values_list("from_step_id", "to_step_id"):
                stored.setdefault(from_id, []).append(to_id)

        def prerequisites_of(step_id):
            form = forms_by_pk.get(step_id)
            if form is not None:
                return [s.pk for s in form.cleaned_data.get("prerequisites") or []]
            return stored.get(step_id, [])

        positions = {pk: form.cleaned_data.get("position") for pk, form in forms_by_pk.items()}
        for pk, form in forms_by_pk.items():
            try:
                check_acyclic(
                    pk,
                    prerequisites_of(pk),
                    prerequisites_of,
                    label=lambda n: _("step %(position)s") % {"position": positions.get(n, n)},
                )
            except ValidationError as exc:
                form.add_error("prerequisites", exc.error_dict["prerequisites"])
                break


class StepInline(admin.StackedInline):
    model = Step
    formfield_overrides = FORMFIELD_OVERRIDES
    form = StepForm
    formset = StepFormSet
    extra = 0
    ordering = ("position", "id")
    autocomplete_fields = TARGET_FIELDS
    filter_horizontal = ("prerequisites",)
    fieldsets = (
        (None, {"fields": ("position", *TARGET_FIELDS, "external_url", "title_en", "title_zh")}),
        (None, {"fields": ("why_en", "why_zh", "estimated_hours", "required", "prerequisites")}),
    )


@admin.register(LearningPath)
class LearningPathAdmin(admin.ModelAdmin):
    form = LearningPathForm
    inlines = [StepInline]
    list_display = ("title_en", "slug", "level", "status", "position", "estimated_hours")
    list_filter = ("status", "level")
    search_fields = ("title_en", "title_zh", "slug")
    prepopulated_fields = {"slug": ("title_en",)}
    filter_horizontal = ("topics", "prerequisites")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "prerequisites":
            editing = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            queryset = LearningPath.objects.order_by("position", "title_en")
            kwargs["queryset"] = queryset.exclude(pk=editing) if editing and editing.isdigit() else queryset
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        unpublished = [
            step
            for step in form.instance.steps.select_related(*TARGET_FIELDS).order_by("position")
            if not step.target_published
        ]
        if unpublished:
            self.message_user(
                request,
                _("These steps point at unpublished items, which visitors cannot open yet: %(steps)s")
                % {"steps": "; ".join(str(step) for step in unpublished)},
                messages.WARNING,
            )


@admin.register(StepProgress)
class StepProgressAdmin(admin.ModelAdmin):
    list_display = ("user", "step", "state", "updated_at")
    list_filter = ("state",)
    search_fields = ("user__username", "step__path__slug")
    raw_id_fields = ("user", "step")
    exclude = ("note",)  # a learner's note is theirs alone


class ChoiceFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [
            form.cleaned_data
            for form in self.forms
            if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
        ]
        if len(kept) < 2 or sum(bool(data.get("correct")) for data in kept) != 1:
            raise ValidationError(_("Give two or more answers, exactly one of them marked correct."))

    def save(self, commit=True):
        # One right answer per question is a database constraint: clear the old right answer
        # before the forms are saved in order, or moving the mark to an earlier row would clash.
        # (The forms' instances already hold the submitted values; the rows still hold the old.)
        losing = [
            form.instance.pk
            for form in self.initial_forms
            if form.instance.pk and (not form.instance.correct or form.cleaned_data.get("DELETE"))
        ]
        if self.instance.pk and losing:
            QuizChoice.objects.filter(pk__in=losing, correct=True).update(correct=False)
        return super().save(commit=commit)


class QuizChoiceInline(admin.TabularInline):
    model = QuizChoice
    formset = ChoiceFormSet
    extra = 0
    ordering = ("position", "id")
    fields = ("position", "text_en", "text_zh", "correct")


@admin.register(QuizQuestion)
class QuizQuestionAdmin(admin.ModelAdmin):
    inlines = [QuizChoiceInline]
    list_display = ("tutorial", "position", "text_en")
    list_filter = ("tutorial",)
    search_fields = ("text_en", "text_zh", "tutorial__slug")
    autocomplete_fields = ("tutorial",)
    ordering = ("tutorial", "position")
