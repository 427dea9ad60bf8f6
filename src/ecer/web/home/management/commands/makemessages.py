"""Django's makemessages, also extracting strings marked with the ``_lazy`` alias.

Several modules import ``gettext_lazy as _lazy`` (they use ``_`` for ``gettext`` too); xgettext
does not know that name, so without this its strings would fall out of the catalogue as obsolete.
"""

from __future__ import annotations

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_lazy"]
