"""Authentication by normalized user name (ecer.web.accounts.names)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from ecer.web.accounts.names import normalize_username


class NormalizedUsernameBackend(ModelBackend):
    """Django's model backend, looking the user up by the normal form of the name given.

    Stored names are normalized on save (ecer.web.accounts.signals), so an exact match on the
    normal form finds the one user every spelling of the name means.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        user_model = get_user_model()
        if username is None:
            username = kwargs.get(user_model.USERNAME_FIELD)
        if username is None or password is None:
            return None
        try:
            user = user_model._default_manager.get(
                **{user_model.USERNAME_FIELD: normalize_username(username)}
            )
        except user_model.DoesNotExist:
            # Run the hasher once anyway, so timing does not tell which names exist.
            user_model().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
