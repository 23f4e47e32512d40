"""投稿 in the admin, for moderators: the list of contributions and one contribution's details
(contact, 其他 values) with the one-step mapping of those values to vocabulary terms."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from kb.vocabularies.models import VOCABULARY_MODELS

from .models import VOCABULARY_FIELDS, Contribution
from .permissions import can_moderate
from .status import status_of, statuses

NEW_TERM = "new"
PER_PAGE = 50


def check_access(request):
    if not can_moderate(request.user):
        raise PermissionDenied


def render(request, template, **context):
    context.setdefault("header_icon", "mail")
    return TemplateResponse(request, f"contributions/admin/{template}", context)


def contribution_list(request):
    check_access(request)
    page = Paginator(Contribution.objects.select_related("page"), PER_PAGE).get_page(request.GET.get("p"))
    found = statuses(page.object_list)
    rows = [{"contribution": c, "status": found[c.pk]} for c in page.object_list]
    return render(request, "list.html", page_title="投稿", rows=rows, items=page)


class MappingForm(forms.Form):
    """One choice per 其他 value still open: leave, create a term of that name, or pick a term."""

    def __init__(self, *args, contribution, **kwargs):
        super().__init__(*args, **kwargs)
        self.contribution = contribution
        terms_by_vocabulary = {}
        for position, item in enumerate(contribution.other_values):
            if item.get("term"):
                continue
            vocabulary = item["vocabulary"]
            if vocabulary not in terms_by_vocabulary:
                terms_by_vocabulary[vocabulary] = list(
                    VOCABULARY_MODELS[vocabulary].objects.values_list("pk", "name")
                )
            existing = VOCABULARY_MODELS[vocabulary].objects.filter(name=item["value"]).first()
            choices = [("", "暂不处理")]
            if existing is None:
                choices.append((NEW_TERM, f"新建词条“{item['value']}”"))
            choices += [(str(pk), name) for pk, name in terms_by_vocabulary[vocabulary]]
            self.fields[f"value_{position}"] = forms.ChoiceField(
                label=f"{VOCABULARY_FIELDS[vocabulary][1]}：{item['value']}",
                choices=choices,
                required=False,
                initial=str(existing.pk) if existing else NEW_TERM,
            )

    def chosen(self):
        """[(position, term)] for every value given a term; creates the new terms."""
        result = []
        for name, choice in self.cleaned_data.items():
            if not choice:
                continue
            position = int(name.removeprefix("value_"))
            item = self.contribution.other_values[position]
            model = VOCABULARY_MODELS[item["vocabulary"]]
            if choice == NEW_TERM:
                term, _ = model.objects.get_or_create(
                    name=item["value"][: model._meta.get_field("name").max_length]
                )
            else:
                term = model.objects.get(pk=int(choice))
            result.append((position, term))
        return result


def add_terms_to_draft(contribution, chosen, user):
    """Put the chosen terms on the case, in a new revision (published at once if the case is live)."""
    page = contribution.page.specific.get_latest_revision_as_object()
    for position, term in chosen:
        vocabulary = contribution.other_values[position]["vocabulary"]
        field, _, many = VOCABULARY_FIELDS[vocabulary]
        if many:
            current = list(getattr(page, field).all())
            if term not in current:
                setattr(page, field, current + [term])
        else:
            setattr(page, field, term)
        contribution.other_values[position]["term"] = term.name
    revision = page.save_revision(user=user, log_action=True)
    if contribution.page.live:
        revision.publish(user=user)
    contribution.save(update_fields=["other_values"])


@require_http_methods(["GET", "POST"])
def contribution_detail(request, pk):
    check_access(request)
    contribution = get_object_or_404(Contribution.objects.select_related("page", "submitted_by"), pk=pk)
    form = MappingForm(request.POST or None, contribution=contribution)
    if request.method == "POST":
        if contribution.page is None:
            messages.error(request, "案例草稿已被删除，无法添加词条。")
        elif form.is_valid():
            chosen = form.chosen()
            if chosen:
                with transaction.atomic():
                    add_terms_to_draft(contribution, chosen, request.user)
                names = "、".join(term.name for _, term in chosen)
                messages.success(request, f"已把词条 {names} 加入案例“{contribution.title}”。")
            else:
                messages.info(request, "没有选择要添加的词条。")
            return redirect("contributions_admin:detail", pk=contribution.pk)
    page = contribution.page
    return render(
        request,
        "detail.html",
        page_title=f"投稿 {contribution.reference}",
        contribution=contribution,
        status=status_of(contribution),
        form=form,
        mapped=[item for item in contribution.other_values if item.get("term")],
        edit_url=reverse("wagtailadmin_pages:edit", args=[page.pk]) if page else "",
        images=contribution.images.all(),
    )
