"""Keep users consistent with their role: names in normal form, staff flag from the role."""

from __future__ import annotations

from typing import Any

from ecer.web.accounts.models import Membership, Role
from ecer.web.accounts.names import normalize_username


def normalize_stored_username(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Every way of creating or renaming a user (forms, admin, shell, createsuperuser)
    stores the name in its normal form."""
    field = instance.USERNAME_FIELD
    name = getattr(instance, field, None)
    if isinstance(name, str):
        setattr(instance, field, normalize_username(name))


def staff_flag_for(user: Any, membership: Membership | None) -> bool:
    """City administrators (and superusers) are staff; nobody else is. The admin site itself
    asks the role (AccountsConfig.ready); the flag only keeps Django's own checks in step."""
    return bool(
        user.is_superuser or (membership is not None and membership.role == Role.CITY_ADMIN)
    )


def sync_staff_on_save(sender: Any, instance: Membership, **kwargs: Any) -> None:
    user = instance.user
    wanted = staff_flag_for(user, instance)
    if user.is_staff != wanted:
        type(user)._default_manager.filter(pk=user.pk).update(is_staff=wanted)
        user.is_staff = wanted


def sync_staff_on_delete(sender: Any, instance: Membership, **kwargs: Any) -> None:
    user_model = type(instance.user)
    user_model._default_manager.filter(pk=instance.user_id, is_superuser=False).update(
        is_staff=False
    )
