"""The text a search document reads off a page: rich text made plain, vocabulary names.

`plain_text` removes tags with a regex and hands anything a parser might read otherwise to
Django's `strip_tags`; these tests hold it to `strip_tags` itself, on awkward HTML and on
thousands of seeded fragments.
"""

import random

import pytest
from django.utils.html import strip_tags

from kb.cases.models import CasePage
from kb.vocabularies.models import Issue
from search import documents
from search.indexing import document_pages, indexable_pages
from tests.factories import CasePageFactory, publish

AWKWARD = [
    "<p>停车难</p><p>加装电梯</p>",
    '<p>见<a linktype="page" id="3">南苑院落</a>的做法</p>',
    '<p>图<embed embedtype="image" id="7" format="left"/>说明</p>',
    "<h2>一、背景</h2><ul><li>居民</li><li>物业</li></ul><br/>",
    "<p>A &amp; B &lt;居委会&gt; &#20013;</p>",
    "<!-- 注释 <b>粗</b> --><p>正文</p>",
    '<a title="x>y">链接</a>',
    '<a title="x<y">链接</a>',
    "<p>1 < 2 且 3 > 2</p>",
    "<p>未闭合 <b",
    "<script>var a = '<p>';</script>正文",
    "<style>p > a { }</style>正文",
    "<p>未闭合的脚本</p><script>社区",
    "<![CDATA[ <p> ]]>正文",
    "<p\n class='a'>换行的标签</p>",
    "</ p>空格<p/>",
    "<<p>>双尖括号<</p>>",
    "",
    "纯文本，没有标签",
]

PIECES = [
    "<p>", "</p>", "<b>", "</b>", '<a href="/x">', "</a>", "<br/>", "<!--", "-->", "<", ">", "&",
    "&amp;", "&#1;", '"', "'", "=", " ", "\n", "社区", "营造", "a", "1", "<script>", "</script>",
    "<![CDATA[", "]]>", "<?php", "?>", "</", "/>", "<!DOCTYPE html>", "<STYLE>", "<textarea>", "<title>",
]  # fmt: skip


@pytest.mark.parametrize("html", AWKWARD)
def test_plain_text_is_what_strip_tags_gives(html):
    assert documents.plain_text(html) == strip_tags(html)


def test_plain_text_matches_strip_tags_on_seeded_fragments():
    rng = random.Random(20261207)
    fragments = ["".join(rng.choices(PIECES, k=rng.randint(1, 14))) for _ in range(20000)]
    differing = [html for html in fragments if documents.plain_text(html) != strip_tags(html)]
    assert differing == []


@pytest.mark.django_db
def test_vocabulary_names_come_from_the_prefetch_unless_set_in_memory(indexes, django_assert_num_queries):
    case = CasePageFactory(parent=indexes["case"], live=False)
    case.issues = list(Issue.objects.filter(name__in=["停车难", "物业矛盾"]))
    publish(case)
    # Documents read the terms as plain lists; other readers of the type's pages keep managers.
    (page,) = document_pages("case", [case.pk])
    assert sorted(term.name for term in page.indexed_issues) == ["停车难", "物业矛盾"]
    assert "issues" in indexable_pages("case").get(pk=case.pk)._prefetched_objects_cache
    with django_assert_num_queries(0):
        assert sorted(documents._names(page, "issues")) == ["停车难", "物业矛盾"]
        assert documents.build_document(page).facets["issue"] == documents._names(page, "issues")
    # A relation changed in memory (a preview, an unsaved edit) is what the document reads.
    page.issues = [page.issues.all()[0]]
    assert len(documents._names(page, "issues")) == 1
    assert documents._names(CasePage.objects.get(pk=case.pk), "actors") == []
