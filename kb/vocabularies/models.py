"""Shared vocabularies: snippets editors manage, used by every page type and by the importer."""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from wagtail.admin.panels import FieldPanel
from wagtail.search import index

# Province-level divisions: a region path must start with one of them, so "四川/成都市" is caught.
PROVINCE_LEVEL_NAMES = (
    "北京市", "天津市", "上海市", "重庆市",
    "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "江苏省", "浙江省", "安徽省", "福建省",
    "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "海南省", "四川省", "贵州省",
    "云南省", "陕西省", "甘肃省", "青海省", "台湾省",
    "内蒙古自治区", "广西壮族自治区", "西藏自治区", "宁夏回族自治区", "新疆维吾尔自治区",
    "香港特别行政区", "澳门特别行政区",
)  # fmt: skip
MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
REGION_SEPARATOR = "/"
MAX_REGION_DEPTH = 4


class Term(index.Indexed, models.Model):
    """A value of a closed vocabulary: the import format and the facets use `name` verbatim."""

    name = models.CharField("名称", max_length=50, unique=True)
    description = models.TextField("说明", blank=True)
    sort_order = models.PositiveIntegerField("排序", default=0)

    panels = [FieldPanel("name"), FieldPanel("description"), FieldPanel("sort_order")]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.FilterField("sort_order"),
    ]

    class Meta:
        abstract = True
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class Issue(Term):
    class Meta(Term.Meta):
        verbose_name = "议题"
        verbose_name_plural = "议题"


class Actor(Term):
    class Meta(Term.Meta):
        verbose_name = "治理主体"
        verbose_name_plural = "治理主体"


class Method(Term):
    class Meta(Term.Meta):
        verbose_name = "方法与机制"
        verbose_name_plural = "方法与机制"


class CommunityType(Term):
    class Meta(Term.Meta):
        verbose_name = "社区类型"
        verbose_name_plural = "社区类型"


class PolicyLevel(Term):
    class Meta(Term.Meta):
        verbose_name = "政策层级"
        verbose_name_plural = "政策层级"


class Validity(Term):
    class Meta(Term.Meta):
        verbose_name = "时效性"
        verbose_name_plural = "时效性"


class Audience(Term):
    class Meta(Term.Meta):
        verbose_name = "培训对象"
        verbose_name_plural = "培训对象"


def split_region_path(path):
    """Split "四川省/成都市/武侯区" into its names, rejecting malformed paths with a Chinese message."""
    if not isinstance(path, str) or not path.strip():
        raise ValidationError("地区不能为空，格式如“四川省/成都市/武侯区”。")
    names = [name.strip() for name in path.strip().strip(REGION_SEPARATOR).split(REGION_SEPARATOR)]
    if any(not name for name in names):
        raise ValidationError(f"地区“{path}”中有空的层级，格式如“四川省/成都市/武侯区”。")
    if len(names) > MAX_REGION_DEPTH:
        raise ValidationError(f"地区“{path}”层级过多（最多 {MAX_REGION_DEPTH} 级）。")
    if any(len(name) > 50 or any(ch.isspace() for ch in name) for name in names):
        raise ValidationError(f"地区“{path}”中的地名过长或含有空白字符。")
    if names[0] not in PROVINCE_LEVEL_NAMES:
        close = [p for p in PROVINCE_LEVEL_NAMES if p.startswith(names[0]) or names[0] in p]
        hint = f"，是否是：{'、'.join(close[:3])}" if close else ""
        raise ValidationError(f"“{names[0]}”不是省级行政区的全称{hint}。")
    return names


class Region(index.Indexed, models.Model):
    """A place in the 省/市/区 hierarchy. Not a closed list: importing a new path creates its places."""

    name = models.CharField("地名", max_length=50)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级地区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField("完整路径", max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField("层级", editable=False, default=1)

    panels = [FieldPanel("name"), FieldPanel("parent")]
    search_fields = [index.SearchField("path"), index.AutocompleteField("path")]

    class Meta:
        ordering = ["path"]
        verbose_name = "地区"
        verbose_name_plural = "地区"
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="unique_region_name_per_parent")
        ]

    def __str__(self):
        return self.path

    def save(self, *args, **kwargs):
        with transaction.atomic():
            old_path = None
            if self.pk:
                old_path = Region.objects.filter(pk=self.pk).values_list("path", flat=True).first()
            self.path = self._computed_path()
            self.depth = self.path.count(REGION_SEPARATOR) + 1
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                # A renamed or moved place carries its descendants' paths with it.
                for child in self.children.all():
                    child.save()

    @property
    def is_municipality(self):
        return self.depth == 1 and self.name in MUNICIPALITIES

    @property
    def ancestors_and_self(self):
        """Paths from the province down to this place: 四川省, 四川省/成都市, 四川省/成都市/武侯区."""
        names = self.path.split(REGION_SEPARATOR)
        return [REGION_SEPARATOR.join(names[: i + 1]) for i in range(len(names))]

    def clean(self):
        if REGION_SEPARATOR in self.name:
            raise ValidationError({"name": f"地名中不能包含“{REGION_SEPARATOR}”。"})
        ancestor = self.parent
        while ancestor is not None:
            if self.pk and ancestor.pk == self.pk:
                raise ValidationError({"parent": "上级地区不能是它自己或它的下级。"})
            ancestor = ancestor.parent
        split_region_path(self._computed_path())

    def _computed_path(self):
        if self.parent is None:
            return self.name
        return f"{self.parent.path}{REGION_SEPARATOR}{self.name}"

    @classmethod
    def get_or_create_path(cls, path):
        """The place at `path`, creating it and any missing ancestors."""
        parent = None
        for name in split_region_path(path):
            parent, _ = cls.objects.get_or_create(parent=parent, name=name)
        return parent

    @classmethod
    def find_path(cls, path):
        try:
            return cls.objects.get(path=REGION_SEPARATOR.join(split_region_path(path)))
        except cls.DoesNotExist:
            return None


VOCABULARY_MODELS = {
    "issue": Issue,
    "actor": Actor,
    "method": Method,
    "community_type": CommunityType,
    "level": PolicyLevel,
    "validity": Validity,
    "audience": Audience,
}
