"""Sign-in hardening (issue #19): successful attempts are kept (known addresses), stored user
names take their normal form, and every city administrator is staff."""

import unicodedata

from django.conf import settings
from django.db import migrations, models


def _normal(name):
    return unicodedata.normalize("NFKC", name).strip().casefold()


def normalize_names_and_staff(apps, schema_editor):
    app_label, model_name = settings.AUTH_USER_MODEL.split(".")
    User = apps.get_model(app_label, model_name)
    Membership = apps.get_model("accounts", "Membership")
    LoginAttempt = apps.get_model("accounts", "LoginAttempt")
    users = list(User.objects.only("pk", "username"))
    seen = {}
    for user in users:
        normal = _normal(user.username)
        if normal in seen and seen[normal] != user.username:
            raise RuntimeError(
                f"User names {seen[normal]!r} and {user.username!r} are the same name in normal "
                f"form ({normal!r}); rename one of them before migrating."
            )
        seen[normal] = user.username
    for user in users:
        normal = _normal(user.username)
        if normal != user.username:
            User.objects.filter(pk=user.pk).update(username=normal)
    city_admins = Membership.objects.filter(role="city_admin").values_list("user_id", flat=True)
    User.objects.filter(pk__in=list(city_admins)).update(is_staff=True)
    for attempt in LoginAttempt.objects.all():
        normal = _normal(attempt.username)[:150]
        if normal != attempt.username:
            LoginAttempt.objects.filter(pk=attempt.pk).update(username=normal)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="loginattempt",
            name="succeeded",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(normalize_names_and_staff, migrations.RunPython.noop),
    ]
