"""Validity over time, supersession on publishing, the banners and the chain of versions."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group
from django.core.management import call_command
from django.urls import reverse
from wagtail.models import PageLogEntry

from kb.policies import lifecycle
from kb.policies.models import PolicyPage
from kb.vocabularies.models import Validity
from search.models import SearchFacetValue
from tests.factories import PolicyPageFactory, publish

D = datetime.date


def validity(name):
    return Validity.objects.get(name=name)


def reload(page):
    return PolicyPage.objects.select_related("validity").get(pk=page.pk)


def facet(page, name="validity"):
    return set(SearchFacetValue.objects.filter(entry_id=page.pk, facet=name).values_list("value", flat=True))


@pytest.fixture
def fixed_today(monkeypatch):
    """fixed_today(date): the site's "today" becomes that date (no clock games, no sleeping)."""

    def set_today(day):
        monkeypatch.setattr(lifecycle, "today", lambda: day)

    return set_today


@pytest.fixture
def policy(indexes):
    made = []

    def make(title, **fields):
        made.append(title)
        fields.setdefault("slug", f"policy-{len(made)}")
        fields.setdefault("validity", validity("现行有效"))
        relations = {key: fields.pop(key) for key in ("supersedes", "amends") if key in fields}
        page = PolicyPageFactory(parent=indexes["policy"], title=title, live=False, **fields)
        for key, value in relations.items():
            setattr(page, key, value)
        return publish(page)

    return make


# ---------------------------------------------------------------- 尚未生效


@pytest.mark.parametrize(
    "value, start",
    [
        ("2030", D(2030, 1, 1)),
        ("2030-07", D(2030, 7, 1)),
        ("2030-07-15", D(2030, 7, 15)),
        ("", None),
        ("x", None),
    ],
)
def test_partial_dates_count_from_the_first_day(value, start):
    assert lifecycle.partial_date_start(value) == start


def test_not_yet_in_force_until_the_effective_date(policy):
    page = policy("将来施行的条例", effective_on="2030-07-01")
    assert page.validity_on(D(2030, 6, 30)) == "尚未生效"
    assert page.validity_on(D(2030, 7, 1)) == "现行有效"
    stored_not_yet = policy("标为尚未生效的条例", effective_on="2030-07", validity=validity("尚未生效"))
    assert stored_not_yet.validity_on(D(2030, 6, 30)) == "尚未生效"
    assert stored_not_yet.validity_on(D(2030, 7, 1)) == "现行有效"
    year_only = policy("只知年份的条例", effective_on="2030")
    assert year_only.validity_on(D(2029, 12, 31)) == "尚未生效"
    assert year_only.validity_on(D(2030, 1, 1)) == "现行有效"
    repealed = policy("早已废止的办法", effective_on="2001", validity=validity("已废止"))
    assert repealed.validity_on(D(2030, 1, 1)) == "已废止"


def test_page_shows_not_yet_in_force_before_the_date_and_in_force_after(client, policy, fixed_today):
    page = policy("将来施行的条例", effective_on="2030-07-01")
    fixed_today(D(2030, 6, 30))
    html = client.get(page.url).content.decode()
    assert "本文件尚未生效" in html and "自2030年7月1日起施行" in html
    assert 'class="status-pill status-pill--warning">尚未生效<' in html
    listing = client.get(page.get_parent().url).content.decode()
    assert "尚未生效" in listing

    fixed_today(D(2030, 7, 1))
    html = client.get(page.url).content.decode()
    assert "本文件尚未生效" not in html and "validity-banner" not in html
    assert 'class="status-pill">现行有效<' in html


# ---------------------------------------------------------------- supersession on publishing


def test_publishing_a_superseding_policy_repeals_the_older_one(client, policy):
    old = policy("旧办法", issued_on="2008")
    new = policy("新条例", issued_on="2018-06-01", supersedes=[old])
    old = reload(old)
    assert old.validity.name == "已废止"
    entry = PageLogEntry.objects.get(page_id=old.pk, action=lifecycle.VALIDITY_CHANGED)
    assert entry.data["source_page_id"] == new.pk and entry.data["old"] == "现行有效"
    assert entry.revision_id == old.live_revision_id  # a published revision: history and undo
    assert lifecycle.describe(entry) == "时效性由“现行有效”自动改为“已废止”：被《新条例》废止/取代。"
    assert facet(old) == {"已废止"}  # search followed the new revision

    html = client.get(old.url).content.decode()
    banner = html.split('id="validity-banner-heading"', 1)[1].split("</section>", 1)[0]
    assert "本文件已废止" in banner and f'href="{new.url}"' in banner and "《新条例》" in banner
    assert html.index("validity-banner") < html.index('class="meta meta--policy"')  # at the top
    assert old.url in client.get(new.url).content.decode()


def test_amending_marks_revised_but_never_undoes_repealed(policy):
    old = policy("旧办法")
    policy("修正案", amends=[old])
    assert reload(old).validity.name == "已修订"
    policy("新办法", supersedes=[old])
    assert reload(old).validity.name == "已废止"
    policy("再修正", amends=[old])
    assert reload(old).validity.name == "已废止"


def test_undoing_the_mark_sticks_when_the_newer_policy_is_published_again(policy):
    old = policy("旧办法")
    before = reload(old).live_revision
    new = policy("新条例", supersedes=[old])
    assert reload(old).validity.name == "已废止"
    # The editor reverts the older policy to its previous revision (as the history's revert does).
    before.publish(previous_revision=before)
    assert reload(old).validity.name == "现行有效"
    publish(PolicyPage.objects.get(pk=new.pk))
    assert reload(old).validity.name == "现行有效"


def test_a_pending_draft_and_review_of_the_older_policy_survive(policy, home):
    from kb.editorial.roles import EDITORS

    editor = get_user_model().objects.create_user("editor")
    editor.groups.add(Group.objects.get(name=EDITORS))
    old = policy("旧办法", summary="已发布的摘要")
    draft = PolicyPage.objects.get(pk=old.pk)
    draft.summary = "编辑正在修改的摘要"
    draft.save_revision(user=editor)
    workflow_state = draft.get_workflow().start(draft, editor)

    policy("新条例", supersedes=[old])
    old = reload(old)
    assert old.validity.name == "已废止" and old.summary == "已发布的摘要"  # the draft was not published
    assert old.has_unpublished_changes
    latest = old.get_latest_revision_as_object()
    assert latest.summary == "编辑正在修改的摘要" and latest.validity.name == "已废止"
    workflow_state.refresh_from_db()
    assert workflow_state.status == workflow_state.STATUS_IN_PROGRESS


def test_the_editor_sees_the_automatic_change_on_the_older_policy(client, policy, home):
    old = policy("旧办法")
    policy("新条例", supersedes=[old])
    client.force_login(get_user_model().objects.create_superuser("admin", "", "pw"))
    html = client.get(reverse("wagtailadmin_pages:edit", args=(old.pk,))).content.decode()
    assert "时效性的自动更新" in html and "被《新条例》废止/取代" in html
    assert reverse("wagtailadmin_pages:history", args=(old.pk,)) in html
    history = client.get(reverse("wagtailadmin_pages:history", args=(old.pk,))).content.decode()
    assert "时效性自动更新" in history or "自动改为" in history


# ---------------------------------------------------------------- published in advance


def test_a_policy_published_before_its_effective_date_replaces_the_old_one_on_that_date(
    client, policy, fixed_today
):
    fixed_today(D(2030, 1, 1))
    old = policy("旧办法")
    new = policy("新条例", effective_on="2030-07-01", supersedes=[old])
    assert reload(old).validity.name == "现行有效"  # not yet: the new one is not in force
    html = client.get(old.url).content.decode()
    assert "将被新文件废止/取代" in html and "自2030年7月1日起施行" in html and new.url in html

    # The daily job keeps stored validity (and so the search facet) in step with the date.
    call_command("update_policy_validity", "--date", "2030-01-01", stdout=io.StringIO())
    assert reload(new).validity.name == "尚未生效" and facet(new) == {"尚未生效"}
    assert reload(old).validity.name == "现行有效"

    fixed_today(D(2030, 7, 1))  # the day comes; the daily job runs
    call_command("update_policy_validity", stdout=io.StringIO())
    assert reload(new).validity.name == "现行有效" and facet(new) == {"现行有效"}
    assert reload(old).validity.name == "已废止" and facet(old) == {"已废止"}
    fixed_today(D(2030, 7, 1))
    assert "本文件已废止" in client.get(old.url).content.decode()


def test_update_policy_validity_dry_run_writes_nothing(policy, capsys):
    page = policy("将来施行的条例", effective_on="2999-01-01")
    call_command("update_policy_validity", "--dry-run")
    assert "将把《将来施行的条例》标为“尚未生效”" in capsys.readouterr().out
    assert reload(page).validity.name == "现行有效"


# ---------------------------------------------------------------- the chain of versions


def test_history_shows_the_chain_of_versions_in_date_order(client, policy):
    first = policy("2008年办法", issued_on="2008")
    second = policy("2015年办法", issued_on="2015-03", supersedes=[first])
    third = policy("2015年办法修正", issued_on="2019-10-01", amends=[second])
    unrelated = policy("无关文件", issued_on="2016")

    chain = second.version_chain()
    assert [item["page"].pk for item in chain] == [first.pk, second.pk, third.pk]
    assert [item["current"] for item in chain] == [False, True, False]
    assert [item["page"].pk for item in first.version_chain()] == [first.pk, second.pk, third.pk]
    assert unrelated.version_chain() == []

    html = client.get(second.url).content.decode()
    section = html.split('id="version-chain-heading"', 1)[1].split("</section>", 1)[0]
    assert (
        section.index("2008年办法")
        < section.index("《2015年办法》（本文件）")
        < section.index("2015年办法修正")
    )
    assert 'aria-current="page"' in section and f'href="{first.url}"' in section


def test_preview_of_a_new_policy_renders(rf, policy):
    old = policy("旧办法")
    page = PolicyPage(title="尚未保存的新条例", slug="unsaved", effective_on="2999-01-01")
    page.supersedes = [old]
    request = rf.get("/")
    request.user = AnonymousUser()
    html = page.serve_preview(request, page.default_preview_mode).render().content.decode()
    assert "尚未保存的新条例" in html and "本文件尚未生效" in html
