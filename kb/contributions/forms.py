"""The public contribution form (投稿案例): the fields of a case a practitioner can fill in on a phone.

Every limit is checked here, with a Chinese message next to its field: lengths per field, the
total text, years, region paths, contact, source links (http/https only), images (the admin's
checks: kb.core.media.CheckedImageField), the consent box, and a honeypot field people never see.
"""

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, validate_email
from django.utils import timezone

from kb.cases.blocks import CASE_SECTION_LABELS
from kb.core.markdown import MarkdownRefused, check_markdown
from kb.core.media import CheckedImageField
from kb.vocabularies.models import Actor, CommunityType, Issue, Method, split_region_path

TITLE_MAX = 100
SUMMARY_MAX = 300
OTHER_MAX = 200  # the whole 其他 box
TERM_MAX = 50  # one term (the vocabularies' own limit)
OTHER_TERMS_MAX = 5
SOURCE_ROWS = 3
HONEYPOT = "website"
MIN_YEAR = 1949
OTHER_SEPARATORS = re.compile(r"[,，、;；/\n]+")
PHONE_RE = re.compile(r"^\+?[\d\s-]{7,20}$")


def renderable_markdown(text):
    """A section's Markdown within the importer's nesting and markup limits, so rendering it is bounded."""
    try:
        check_markdown(text)
    except MarkdownRefused as refusal:
        raise ValidationError(str(refusal)) from None


# The six sections a contributor writes (参考资料 comes from the source rows), each with a hint.
SECTION_HINTS = {
    "background": "社区的基本情况，遇到了什么问题，为什么要解决。",
    "actors": "哪些人和组织参与了，各自做了什么（居委会、居民骨干、社会组织、物业……）。",
    "process": "按时间顺序写做了哪些事、用了什么方法，遇到什么困难、怎么克服。",
    "deliberation": "怎样商量和决定的：开了哪些会、定了什么规则或公约。",
    "outcomes": "带来了哪些变化，有什么数据、照片或居民反馈可以说明。",
    "lessons": "做得好的地方、没做好的地方，给其他社区的建议。",
}
REQUIRED_SECTIONS = ("background", "process")
SECTION_KEYS = tuple(SECTION_HINTS)

MARKDOWN_HINT = "可直接输入文字，空一行分段；也可以使用 Markdown（如“- ”开头列出要点）。"


def split_other(text):
    """Split a 其他 box into distinct values, in the order typed."""
    values = []
    for value in OTHER_SEPARATORS.split(text or ""):
        value = " ".join(value.split())
        if value and value not in values:
            values.append(value)
    return values


class TermChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return obj.name


class ContributionForm(forms.Form):
    title = forms.CharField(
        label="案例标题", max_length=TITLE_MAX,
        help_text="一句话说清是哪里、做了什么，如“某小区居民议事会解决停车难”。",
    )  # fmt: skip
    summary = forms.CharField(
        label="摘要", max_length=SUMMARY_MAX, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"一两句话概括案例，不超过 {SUMMARY_MAX} 字，将显示在列表和搜索结果中。",
    )  # fmt: skip
    region = forms.CharField(
        label="地区", max_length=200, required=False,
        help_text="省/市/区，用“/”分隔，如“四川省/成都市/武侯区”；省级名称请写全称。",
    )  # fmt: skip
    community_type = forms.ModelChoiceField(
        label="社区类型", queryset=CommunityType.objects.none(), required=False,
        widget=forms.RadioSelect, empty_label="不确定",
    )  # fmt: skip
    community_type_other = forms.CharField(
        label="其他社区类型", max_length=TERM_MAX, required=False,
        help_text="上面没有合适的类型时填写。",
    )  # fmt: skip
    year_start = forms.IntegerField(label="起始年份", required=False)
    year_end = forms.IntegerField(label="结束年份", required=False, help_text="仍在进行可不填。")
    scale = forms.CharField(label="规模", max_length=200, required=False, help_text="如：3个小区、约2000户。")
    issues = TermChoiceField(label="议题", queryset=Issue.objects.none(), required=False)
    issues_other = forms.CharField(label="其他议题", max_length=OTHER_MAX, required=False)
    actors = TermChoiceField(label="治理主体", queryset=Actor.objects.none(), required=False)
    actors_other = forms.CharField(label="其他治理主体", max_length=OTHER_MAX, required=False)
    methods = TermChoiceField(label="方法与机制", queryset=Method.objects.none(), required=False)
    methods_other = forms.CharField(label="其他方法与机制", max_length=OTHER_MAX, required=False)

    contributor_name = forms.CharField(
        label="署名", max_length=50,
        help_text="案例发布后以“投稿人”显示在页面上，可以是您的姓名、昵称或机构名称。",
    )  # fmt: skip
    contact = forms.CharField(
        label="联系方式（选填）", max_length=100, required=False,
        help_text="电子邮箱或手机号，只给审核人员看，绝不公开；审核中有疑问时联系您。",
    )  # fmt: skip
    consent = forms.BooleanField(label="consent", required=True)  # label set in __init__
    website = forms.CharField(label="请勿填写此项", required=False)  # the honeypot

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community_type"].queryset = CommunityType.objects.all()
        self.fields["issues"].queryset = Issue.objects.all()
        self.fields["actors"].queryset = Actor.objects.all()
        self.fields["methods"].queryset = Method.objects.all()
        for name in ("issues_other", "actors_other", "methods_other"):
            self.fields[name].help_text = f"列表中没有的，用逗号或顿号分隔，最多 {OTHER_TERMS_MAX} 个。"
        max_year = timezone.localdate().year
        for name in ("year_start", "year_end"):
            self.fields[name].validators = [
                MinValueValidator(MIN_YEAR, f"年份不早于 {MIN_YEAR} 年。"),
                MaxValueValidator(max_year, f"年份不晚于今年（{max_year} 年）。"),
            ]
            self.fields[name].error_messages["invalid"] = "请填写四位数的年份，如 2019。"
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "min": MIN_YEAR, "max": max_year})

        for key in SECTION_KEYS:
            self.fields[f"section_{key}"] = forms.CharField(
                label=CASE_SECTION_LABELS[key],
                max_length=settings.KB_CONTRIBUTION_SECTION_MAX_CHARS,
                required=key in REQUIRED_SECTIONS,
                validators=[renderable_markdown],
                widget=forms.Textarea(attrs={"rows": 6}),
                help_text=SECTION_HINTS[key],
            )
        for n in range(1, SOURCE_ROWS + 1):
            self.fields[f"source_title_{n}"] = forms.CharField(
                label=f"资料{n}名称", max_length=200, required=False
            )
            self.fields[f"source_url_{n}"] = forms.URLField(
                label=f"资料{n}链接", max_length=500, required=False, assume_scheme="https",
                help_text="以 http:// 或 https:// 开头的网址。",
            )  # fmt: skip
        for n in range(1, settings.KB_CONTRIBUTION_MAX_IMAGES + 1):
            self.fields[f"image_{n}"] = CheckedImageField(label=f"图片{n}", required=False)
            self.fields[f"image_{n}"].widget.attrs["accept"] = "image/*"
            self.fields[f"caption_{n}"] = forms.CharField(
                label=f"图片{n}说明", max_length=200, required=False,
                help_text="图上是什么、谁拍摄的。也会作为看不到图片的读者听到的替代文字。",
            )  # fmt: skip
        self.fields[
            "consent"
        ].label = f"我同意本投稿以{settings.KB_CONTRIBUTION_LICENCE}在本站公开发布，并确认内容属实、图片可以公开使用。"
        self.fields["consent"].error_messages["required"] = "请勾选同意后再提交。"
        self.fields[HONEYPOT].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})
        for name, field in self.fields.items():
            if field.required and name != "consent":
                field.error_messages["required"] = f"请填写{field.label}。"

    # ---------------------------------------------------------------- groups, for the template

    def section_fields(self):
        return [self[f"section_{key}"] for key in SECTION_KEYS]

    def source_rows(self):
        return [(n, self[f"source_title_{n}"], self[f"source_url_{n}"]) for n in range(1, SOURCE_ROWS + 1)]

    def image_rows(self):
        return [
            (n, self[f"image_{n}"], self[f"caption_{n}"])
            for n in range(1, settings.KB_CONTRIBUTION_MAX_IMAGES + 1)
        ]

    @property
    def honeypot_tripped(self):
        return bool(self.data.get(HONEYPOT, "").strip())

    # ---------------------------------------------------------------- validation

    def clean_region(self):
        region = self.cleaned_data["region"].strip()
        if not region:
            return ""
        names = split_region_path(region)  # a ValidationError with a Chinese message
        return "/".join(names)

    def _clean_other(self, name):
        values = split_other(self.cleaned_data[name])
        if len(values) > OTHER_TERMS_MAX:
            raise ValidationError(f"最多填写 {OTHER_TERMS_MAX} 个，现有 {len(values)} 个。")
        too_long = [v for v in values if len(v) > TERM_MAX]
        if too_long:
            raise ValidationError(f"每一项不超过 {TERM_MAX} 字：“{too_long[0][:20]}…”太长了。")
        return values

    def clean_issues_other(self):
        return self._clean_other("issues_other")

    def clean_actors_other(self):
        return self._clean_other("actors_other")

    def clean_methods_other(self):
        return self._clean_other("methods_other")

    def clean_community_type_other(self):
        return " ".join(self.cleaned_data["community_type_other"].split())

    def clean_contact(self):
        contact = self.cleaned_data["contact"].strip()
        if not contact:
            return ""
        if "@" in contact:
            try:
                validate_email(contact)
            except ValidationError:
                raise ValidationError("电子邮箱格式不对，如 name@example.com。") from None
        elif not PHONE_RE.match(contact) or sum(ch.isdigit() for ch in contact) < 7:
            raise ValidationError("请填写电子邮箱或电话号码（7 到 20 位数字）。")
        return contact

    def clean(self):
        data = super().clean()
        start, end = data.get("year_start"), data.get("year_end")
        if start and end and end < start:
            self.add_error("year_end", "结束年份不能早于起始年份。")
        if data.get("community_type") and data.get("community_type_other"):
            self.add_error("community_type_other", "已在上面选了社区类型，这里请留空；或把上面改为“不确定”。")
        for n in range(1, SOURCE_ROWS + 1):
            if data.get(f"source_url_{n}") and not re.match(r"^https?://", data[f"source_url_{n}"], re.I):
                self.add_error(f"source_url_{n}", "网址须以 http:// 或 https:// 开头。")
        for n in range(1, settings.KB_CONTRIBUTION_MAX_IMAGES + 1):
            if data.get(f"caption_{n}") and not data.get(f"image_{n}") and f"image_{n}" not in self.errors:
                self.add_error(f"image_{n}", "填写了图片说明，但没有选择图片。")
        total = sum(len(value.encode()) for value in self._texts(data))
        if total > settings.KB_CONTRIBUTION_MAX_TEXT_BYTES:
            limit_mb = settings.KB_CONTRIBUTION_MAX_TEXT_BYTES / 1024 / 1024
            raise ValidationError(f"投稿的文字总量过大（上限 {limit_mb:g} MB），请删减后再提交。")
        return data

    @staticmethod
    def _texts(data):
        for value in data.values():
            if isinstance(value, str):
                yield value
            elif isinstance(value, list):
                yield from (item for item in value if isinstance(item, str))

    # ---------------------------------------------------------------- results

    def sections(self):
        """[(section key, text)] of the sections filled in, in reading order."""
        return [
            (key, self.cleaned_data[f"section_{key}"].strip())
            for key in SECTION_KEYS
            if self.cleaned_data.get(f"section_{key}", "").strip()
        ]

    def sources(self):
        rows = []
        for n in range(1, SOURCE_ROWS + 1):
            title = self.cleaned_data.get(f"source_title_{n}", "").strip()
            url = self.cleaned_data.get(f"source_url_{n}", "")
            if title or url:
                rows.append((title or url, url))
        return rows

    def images(self):
        return [
            (self.cleaned_data[f"image_{n}"], self.cleaned_data.get(f"caption_{n}", "").strip())
            for n in range(1, settings.KB_CONTRIBUTION_MAX_IMAGES + 1)
            if self.cleaned_data.get(f"image_{n}")
        ]

    def other_values(self):
        """The 其他 values as the Contribution keeps them (an exact term name counts as chosen)."""
        values = []
        for vocabulary, name in (
            ("issue", "issues_other"),
            ("actor", "actors_other"),
            ("method", "methods_other"),
        ):
            values += [
                {"vocabulary": vocabulary, "value": v, "term": None} for v in self.cleaned_data.get(name, [])
            ]
        if self.cleaned_data.get("community_type_other"):
            values.append(
                {
                    "vocabulary": "community_type",
                    "value": self.cleaned_data["community_type_other"],
                    "term": None,
                }
            )
        return values

    def error_links(self):
        """For the error summary: (anchor id, field label, message) of every error, in form order."""
        links = [("contribution-form", "", message) for message in self.non_field_errors()]
        for bound in self:
            for message in bound.errors:
                links.append((field_anchor(bound), bound.label, message))
        return links


def field_anchor(bound):
    """Where an error links to: the input itself, or the fieldset of a group of boxes."""
    if isinstance(bound.field.widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
        return f"group-{bound.name}"
    return bound.auto_id
