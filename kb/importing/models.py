from django.db import models


class ImportedFile(models.Model):
    """What a page's last import wrote: the file's SHA-256 and the revision it became.

    Re-importing a file whose bytes are unchanged, onto a page whose latest revision is still the
    one that import wrote, adds no revision (an editor's later revision is never silently kept
    back by this: the page's latest revision would differ and the file is written again).
    """

    page = models.OneToOneField(
        "wagtailcore.Page", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    sha256 = models.CharField(max_length=64, db_index=True)  # looked up by digest before validating
    revision = models.ForeignKey(
        "wagtailcore.Revision", on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = "导入记录"

    def __str__(self):
        return f"page {self.page_id}: {self.sha256[:12]}"
