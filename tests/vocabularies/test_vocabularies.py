import pytest
from django.core.exceptions import ValidationError

from kb.vocabularies.models import (
    Actor,
    Audience,
    CommunityType,
    Issue,
    Method,
    PolicyLevel,
    Region,
    Validity,
    split_region_path,
)


@pytest.mark.django_db
def test_starting_vocabularies_are_seeded_in_domain_order():
    assert list(Issue.objects.values_list("name", flat=True)[:3]) == ["停车难", "违章建筑", "噪音扰民"]
    counts = [
        m.objects.count() for m in (Issue, Actor, Method, CommunityType, PolicyLevel, Validity, Audience)
    ]
    assert counts == [21, 15, 19, 8, 6, 4, 8]
    assert list(Validity.objects.values_list("name", flat=True)) == [
        "现行有效",
        "已修订",
        "已废止",
        "尚未生效",
    ]


@pytest.mark.django_db
def test_region_path_creates_missing_ancestors_once():
    wuhou = Region.get_or_create_path("四川省/成都市/武侯区")
    jinjiang = Region.get_or_create_path("四川省/成都市/锦江区")
    assert wuhou.parent == jinjiang.parent
    assert wuhou.depth == 3 and wuhou.ancestors_and_self == [
        "四川省",
        "四川省/成都市",
        "四川省/成都市/武侯区",
    ]
    assert Region.objects.count() == 4
    assert Region.find_path("四川省/成都市/") == wuhou.parent


@pytest.mark.django_db
def test_municipality_is_province_and_city():
    daxing = Region.get_or_create_path("北京市/大兴区")
    assert daxing.parent.is_municipality and daxing.depth == 2


@pytest.mark.django_db
def test_renaming_a_place_carries_its_descendants():
    wuhou = Region.get_or_create_path("四川省/成都市/武侯区")
    city = wuhou.parent
    city.name = "成都"
    city.save()
    wuhou.refresh_from_db()
    assert wuhou.path == "四川省/成都/武侯区"


@pytest.mark.django_db
def test_region_cannot_become_its_own_ancestor():
    wuhou = Region.get_or_create_path("四川省/成都市/武侯区")
    province = Region.objects.get(path="四川省")
    province.parent = wuhou
    with pytest.raises(ValidationError):
        province.full_clean()


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("", "不能为空"),
        ("四川/成都市", "四川省"),
        ("广西/南宁市", "广西壮族自治区"),
        ("四川省/ /武侯区", "空的层级"),
        ("四川省/成都市/武侯区/玉林街道/某社区", "层级过多"),
    ],
)
def test_bad_region_paths_explain_themselves(path, message):
    with pytest.raises(ValidationError) as excinfo:
        split_region_path(path)
    assert message in " ".join(excinfo.value.messages)


@pytest.mark.django_db
def test_vocabularies_are_managed_as_snippets_in_the_admin(admin_client):
    response = admin_client.get("/admin/snippets/vocabularies/issue/")
    assert response.status_code == 200
    assert "停车难" in response.content.decode()
    response = admin_client.post(
        "/admin/snippets/vocabularies/issue/add/", {"name": "广场舞", "sort_order": 30}
    )
    assert response.status_code == 302
    assert Issue.objects.filter(name="广场舞").exists()
