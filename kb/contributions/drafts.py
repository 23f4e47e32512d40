"""A valid submission becomes a draft case page in the review workflow.

The page is built as the importer builds a case (the same fields, the standard body sections, the
Markdown → HTML conversion and nh3 sanitising of kb.core.markdown), through the model API, and
then submitted to the page's workflow (政策与案例审核), so moderators find it in their review
queue like any editor's submission. Its images wait in a collection the public API does not list
until the page is published (see signals.py).
"""

import html
import secrets

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from wagtail.images import get_image_model
from wagtail.models import Collection, CollectionViewRestriction

from kb.cases.models import CaseIndexPage, CasePage
from kb.core.markdown import markdown_to_html, sanitise_html
from kb.editorial.roles import MODERATORS
from kb.vocabularies.models import Region

from .models import Contribution, new_reference, new_status_token

SYSTEM_USERNAME = "contributions"
IMAGES_COLLECTION = "投稿图片"
PENDING_COLLECTION = "待审核"


def system_user():
    """The owner of anonymous contributions: an account nobody can log in with."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"first_name": "公开投稿", "is_active": False, "is_staff": False},
    )
    if created or user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def image_collections():
    """(public, pending): 投稿图片 and, under it, 待审核, which only moderators may see in the API."""
    from django.contrib.auth.models import Group

    root = Collection.get_first_root_node()
    public = root.get_children().filter(name=IMAGES_COLLECTION).first()
    if public is None:
        public = root.add_child(name=IMAGES_COLLECTION)
    pending = public.get_children().filter(name=PENDING_COLLECTION).first()
    if pending is None:
        pending = public.add_child(name=PENDING_COLLECTION)
    if not CollectionViewRestriction.objects.filter(collection=pending).exists():
        restriction = CollectionViewRestriction.objects.create(
            collection=pending, restriction_type=CollectionViewRestriction.GROUPS
        )
        restriction.groups.set(Group.objects.filter(name=MODERATORS))
    return public, pending


def _case_index():
    index = CaseIndexPage.objects.order_by("path").first()
    if index is None:
        from kb.core.site_structure import ensure_site_structure

        ensure_site_structure()
        index = CaseIndexPage.objects.order_by("path").first()
    return index


def _slug(index, title, reference):
    base = slugify(title, allow_unicode=True)[:200].strip("-") or "case"
    if not CasePage.objects.child_of(index).filter(slug=base).exists():
        return base
    return f"{base}-{reference.lower()}"


def _references_html(sources):
    items = []
    for title, url in sources:
        text = html.escape(title)
        items.append(f'<li><a href="{html.escape(url)}">{text}</a></li>' if url else f"<li>{text}</li>")
    return sanitise_html(f"<ul>{''.join(items)}</ul>")


def _store_image(upload, caption, title, owner, collection):
    """A Wagtail image with a random file name, so its address cannot be guessed before publication."""
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else "img"
    upload.name = f"contribution-{secrets.token_hex(12)}.{extension}"
    image = get_image_model()(
        title=(caption or title)[:255], file=upload, collection=collection, uploaded_by_user=owner
    )
    image.save()
    image.contextual_alt_text = caption or title
    image.decorative = False
    return image


def _body(form, images):
    blocks = [
        ("section", {"kind": key, "heading": "", "content": markdown_to_html(text)})
        for key, text in form.sections()
    ]
    blocks = [block for block in blocks if block[1]["content"]]
    blocks += [("image", {"image": image, "caption": caption[:200]}) for image, caption in images]
    sources = form.sources()
    if sources:
        blocks.append(
            ("section", {"kind": "references", "heading": "", "content": _references_html(sources)})
        )
    return blocks


@transaction.atomic
def create_contribution(form, user=None):
    """The draft page and its Contribution record from a valid form, submitted for review."""
    data = form.cleaned_data
    owner = user if user is not None and user.is_authenticated else system_user()
    index = _case_index()
    _, pending = image_collections()
    reference = _unique_reference()
    images = [
        (_store_image(upload, caption, data["title"], owner, pending), caption)
        for upload, caption in form.images()
    ]
    page = CasePage(
        title=data["title"],
        slug=_slug(index, data["title"], reference),
        summary=data["summary"],
        owner=owner,
        live=False,
        region=Region.get_or_create_path(data["region"]) if data["region"] else None,
        community_type=data["community_type"],
        year_start=data["year_start"],
        year_end=data["year_end"],
        scale=data["scale"],
        contributor_credit=data["contributor_name"],
        body=_body(form, images),
    )
    page.issues = list(data["issues"])
    page.actors = list(data["actors"])
    page.methods = list(data["methods"])
    index.add_child(instance=page)
    page.save_revision(user=owner, log_action=True)

    contribution = Contribution.objects.create(
        reference=reference,
        status_token=new_status_token(),
        page=page,
        title=data["title"],
        contributor_name=data["contributor_name"],
        contact=data["contact"],
        submitted_by=user if user is not None and user.is_authenticated else None,
        other_values=form.other_values(),
    )
    contribution.images.set([image for image, _ in images])

    workflow = page.get_workflow()
    if workflow is not None:
        workflow.start(page, owner)
    return contribution


def _unique_reference():
    for _ in range(20):
        reference = new_reference()
        if not Contribution.objects.filter(reference=reference).exists():
            return reference
    raise IntegrityError("no free contribution reference today")  # 32^4 codes a day: never reached
