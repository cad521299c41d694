"""A set of badges whose worker was lost is sent again: by its progress page, the page the staff
member waits on, once the job has been silent for BADGE_JOB_STALL_SECONDS."""

import datetime

import pytest
from django.utils import timezone

from common.models import OutboxTask
from roundtables.models import BadgeJob
from roundtables.registration import services

pytestmark = pytest.mark.django_db

Status = BadgeJob.Status


def _job(session, status, *, heartbeat_seconds_ago=None, created_seconds_ago=0):
    now = timezone.now()
    job = BadgeJob.objects.create(session=session, status=status, total=60)
    BadgeJob.objects.filter(pk=job.pk).update(
        created=now - datetime.timedelta(seconds=created_seconds_ago),
        heartbeat_at=None if heartbeat_seconds_ago is None else now - datetime.timedelta(seconds=heartbeat_seconds_ago),
    )
    return job


def _sent():
    tasks = OutboxTask.objects.filter(task_name="roundtables.tasks.make_badges")
    return sorted(task.kwargs["job_id"] for task in tasks)


def test_the_progress_page_sends_a_silent_job_again_once(client, staff, common_space, settings):
    settings.BADGE_JOB_STALL_SECONDS = 30
    stalled = _job(common_space, Status.RUNNING, heartbeat_seconds_ago=31, created_seconds_ago=60)
    alive = _job(common_space, Status.RUNNING, heartbeat_seconds_ago=5, created_seconds_ago=60)
    done = _job(common_space, Status.DONE, heartbeat_seconds_ago=120, created_seconds_ago=120)
    client.force_login(staff)

    for job in (alive, done):
        assert client.get(f"/en/staff/badges/{job.pk}/").status_code == 200
    assert _sent() == []

    response = client.get(f"/en/staff/badges/{stalled.pk}/", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Being made" in response.content.decode()
    assert _sent() == [stalled.pk]
    stalled.refresh_from_db()
    assert timezone.now() - stalled.heartbeat_at < datetime.timedelta(seconds=5)
    # The next polls find a fresh heartbeat: not sent twice.
    client.get(f"/en/staff/badges/{stalled.pk}/", headers={"HX-Request": "true"})
    assert _sent() == [stalled.pk]


def test_which_jobs_are_sent_again(common_space, settings):
    settings.BADGE_JOB_STALL_SECONDS = 30
    queued_long_ago = _job(common_space, Status.QUEUED, created_seconds_ago=45)
    queued_now = _job(common_space, Status.QUEUED, created_seconds_ago=2)
    running_silent = _job(common_space, Status.RUNNING, heartbeat_seconds_ago=40, created_seconds_ago=90)
    _job(common_space, Status.FAILED, heartbeat_seconds_ago=400, created_seconds_ago=400)
    _job(common_space, Status.DONE, heartbeat_seconds_ago=400, created_seconds_ago=400)
    assert services.revive_stalled_badge_jobs(job_ids=[queued_now.pk]) == []
    assert services.revive_stalled_badge_jobs() == [queued_long_ago.pk, running_silent.pk]
    assert _sent() == [queued_long_ago.pk, running_silent.pk]
    assert services.revive_stalled_badge_jobs() == []  # their heartbeat is new


def test_the_worker_writes_its_heartbeat_with_its_progress(common_space, staff, personas):
    for number in range(5):
        person = personas.person(f"h{number}@example.org", constituency="civil_society")
        services.register(session=common_space, person=person)
    job = services.request_badges(session=common_space, staff=staff, layout="sheet")
    assert job.heartbeat_at is None
    before = timezone.now()
    services.make_badges(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == Status.DONE and job.heartbeat_at >= before
