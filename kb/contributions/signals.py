"""Publishing a contributed case releases its images to the public image collection (and API)."""

from wagtail.images import get_image_model
from wagtail.signals import page_published


def release_images(sender, instance, **kwargs):
    from .drafts import image_collections
    from .models import Contribution

    image_ids = Contribution.images.through.objects.filter(contribution__page_id=instance.pk).values_list(
        "image_id", flat=True
    )
    if not image_ids.exists():
        return
    public, pending = image_collections()
    get_image_model().objects.filter(pk__in=image_ids, collection=pending).update(collection=public)


def connect():
    from kb.cases.models import CasePage

    page_published.connect(release_images, sender=CasePage, dispatch_uid="contributions-release-images")
