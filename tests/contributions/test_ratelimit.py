"""The rate limit per client address: counted in the database, answered 429 in Chinese."""

from datetime import timedelta

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured

from kb.contributions.models import Contribution, SubmissionAttempt
from kb.contributions.ratelimit import Rate, parse_rate


def test_the_sixth_submission_in_an_hour_is_answered_429(submit, settings):
    settings.KB_CONTRIBUTION_RATE = "5/hour"
    for n in range(5):
        assert submit(title=f"案例{n}").status_code == 302
    response = submit(title="案例6")
    assert response.status_code == 429
    assert "提交过于频繁" in response.content.decode() and "每小时最多 5 篇" in response.content.decode()
    assert response["Retry-After"] == "3600"
    assert Contribution.objects.count() == 5
    assert submit(title="另一个地址", address="198.51.100.9").status_code == 302  # others unaffected


def test_the_window_passes(submit, settings):
    settings.KB_CONTRIBUTION_RATE = "1/hour"
    assert submit().status_code == 302
    assert submit().status_code == 429
    SubmissionAttempt.objects.update(
        created_at=SubmissionAttempt.objects.get(accepted=True).created_at - timedelta(hours=2)
    )
    assert submit(title="一小时后").status_code == 302
    assert SubmissionAttempt.objects.count() == 1  # rows older than the window are removed


def test_forms_sent_back_count_only_towards_the_larger_limit(submit, settings):
    settings.KB_CONTRIBUTION_RATE = "2/hour"
    settings.KB_CONTRIBUTION_ATTEMPTS_FACTOR = 3
    for _ in range(5):
        assert submit(title="").status_code == 200  # typos do not use up the two submissions
    assert submit().status_code == 302
    assert submit(title="").status_code == 429  # the seventh try of this hour
    assert Contribution.objects.count() == 1


def test_forwarded_for_is_ignored_unless_a_proxy_is_trusted(client, site, settings):
    from .conftest import valid_data

    settings.KB_CONTRIBUTION_RATE = "1/hour"

    def post(forwarded):
        return client.post(
            "/contribute/", valid_data(), REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded
        )

    assert post("1.1.1.1").status_code == 302
    assert post("2.2.2.2").status_code == 429  # a client cannot pick a new address per request
    settings.KB_TRUSTED_PROXY_COUNT = 1
    assert post("3.3.3.3").status_code == 302  # behind one proxy, its X-Forwarded-For names the client
    assert post("3.3.3.3").status_code == 429


def test_addresses_are_stored_only_as_a_keyed_hash(submit):
    submit(address="203.0.113.7")
    [attempt] = SubmissionAttempt.objects.all()
    assert "203.0.113.7" not in attempt.client and len(attempt.client) == 64


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("5/hour", Rate(5, 3600)),
        ("10/minute", Rate(10, 60)),
        ("100/day", Rate(100, 86400)),
        ("20/2hours", Rate(20, 7200)),
    ],
)
def test_rates_are_read_from_the_setting(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["", "five/hour", "5/week", "0/hour", "5"])
def test_a_wrong_rate_is_refused_at_start_up(text, settings):
    with pytest.raises(ImproperlyConfigured):
        parse_rate(text)
    settings.KB_CONTRIBUTION_RATE = text
    assert "contributions.E001" in [message.id for message in run_checks()]
