"""Deadlines that come near rather than fall due in the reporting calendar: a two-high
project's disposal deadline (两高项目处置期限). Sent once per project and deadline, from
the daily reminder run (``ecer quality remind``)."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from ecer.web.accounts.models import Role
from ecer.web.notifications.events import users_with_role
from ecer.web.notifications.models import Kind
from ecer.web.notifications.outbox import Message, notify


def two_high_disposal_near(today: date) -> int:
    """Tell the project's district and the city administrators, once, when a two-high
    project whose disposal is decided (整改、停建、退出) and not yet done reaches
    ``ECER_TWO_HIGH_NOTICE_DAYS`` before its disposal deadline. Returns the projects told."""
    from ecer.web.projects.models import Project
    from ecer.web.quality.models import ReminderSent

    last = today + timedelta(days=settings.ECER_TWO_HIGH_NOTICE_DAYS)
    near = (
        Project.objects.filter(
            two_high=True,
            disposal__in=[
                Project.Disposal.RECTIFY,
                Project.Disposal.STOP,
                Project.Disposal.EXIT,
            ],
            disposal_deadline__gte=today,
            disposal_deadline__lte=last,
        )
        .exclude(follow_up=Project.FollowUp.DONE)
        .select_related("area")
    )
    told = 0
    for project in near:
        deadline = project.disposal_deadline
        assert deadline is not None
        with transaction.atomic():
            __, created = ReminderSent.objects.get_or_create(
                item_key=f"two-high:{project.pk}:{deadline.isoformat()}",
                level=1,
                defaults={"due": deadline, "sent_on": today},
            )
            if not created:
                continue
            users = users_with_role(Role.DISTRICT, area_id=project.area_id) + users_with_role(
                Role.CITY_ADMIN
            )
            notify(
                users,
                Message(
                    Kind.TWO_HIGH_DEADLINE,
                    _("两高项目处置期限临近：%(name)s") % {"name": project.name},
                    _("处置意见“%(disposal)s”，期限 %(deadline)s，还有 %(days)s 天。")
                    % {
                        "disposal": project.get_disposal_display(),
                        "deadline": deadline.isoformat(),
                        "days": (deadline - today).days,
                    },
                    reverse("projects:detail", args=[project.pk]),
                ),
            )
            told += 1
    return told
