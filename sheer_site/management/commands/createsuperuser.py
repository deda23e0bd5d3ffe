"""createsuperuser that applies AUTH_PASSWORD_VALIDATORS (15+ characters, not
a common password) with --noinput too: Django's own checks the password only
when it asks for it, so DJANGO_SUPERUSER_PASSWORD=short was accepted."""

import os

from django.contrib.auth.management.commands import createsuperuser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError


class Command(createsuperuser.Command):
    def handle(self, *args, **options):
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        if not options["interactive"] and password is not None:
            field = self.UserModel.USERNAME_FIELD
            username = options.get(field) or os.environ.get(f"DJANGO_SUPERUSER_{field.upper()}") or ""
            email = options.get("email") or os.environ.get("DJANGO_SUPERUSER_EMAIL") or ""
            candidate = self.UserModel(**{field: username, "email": email})
            try:
                validate_password(password, candidate)
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from error
        return super().handle(*args, **options)
