"""Form fields the intake forms share: a US phone number cleaned to E.164, an
email address, a date of birth typed the way people type it, and a card
photo checked and re-encoded before anything is stored."""

import calendar
import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from admissions.contact import clean_person_name, normalize_phone_with_extension

from . import card_photos

OTHER_CARRIER = "other"
MAX_AGE_YEARS = 120

US_STATES = [
    ("AL", "Alabama"), ("AK", "Alaska"), ("AZ", "Arizona"), ("AR", "Arkansas"), ("CA", "California"),
    ("CO", "Colorado"), ("CT", "Connecticut"), ("DE", "Delaware"), ("DC", _("District of Columbia")),
    ("FL", "Florida"), ("GA", "Georgia"), ("HI", _("Hawaii")), ("ID", "Idaho"), ("IL", "Illinois"),
    ("IN", "Indiana"), ("IA", "Iowa"), ("KS", "Kansas"), ("KY", "Kentucky"), ("LA", _("Louisiana")),
    ("ME", "Maine"), ("MD", "Maryland"), ("MA", "Massachusetts"), ("MI", "Michigan"), ("MN", "Minnesota"),
    ("MS", "Mississippi"), ("MO", "Missouri"), ("MT", "Montana"), ("NE", "Nebraska"), ("NV", "Nevada"),
    ("NH", _("New Hampshire")), ("NJ", _("New Jersey")), ("NM", _("New Mexico")), ("NY", _("New York")),
    ("NC", _("North Carolina")), ("ND", _("North Dakota")), ("OH", "Ohio"), ("OK", "Oklahoma"), ("OR", "Oregon"),
    ("PA", _("Pennsylvania")), ("RI", "Rhode Island"), ("SC", _("South Carolina")), ("SD", _("South Dakota")),
    ("TN", "Tennessee"), ("TX", "Texas"), ("UT", "Utah"), ("VT", "Vermont"), ("VA", "Virginia"),
    ("WA", "Washington"), ("WV", _("West Virginia")), ("WI", "Wisconsin"), ("WY", "Wyoming"),
    ("PR", "Puerto Rico"), ("GU", "Guam"), ("VI", _("U.S. Virgin Islands")),
]  # fmt: skip
# (Names spelled differently in Spanish go through the catalogue; the others are the same words.)

PHONE_INVALID = _("Enter a US phone number with the area code, e.g. (714) 555-0123.")
REACH_ME = _("Give a phone number or an email address (or both) so we can reach you.")
CARD_EXTENSIONS = "image/jpeg,image/png,image/heic,image/heif,.jpg,.jpeg,.png,.heic,.heif"


def text_input(*, autocomplete="off", inputmode=None, **attrs):
    attrs["autocomplete"] = autocomplete
    if inputmode:
        attrs["inputmode"] = inputmode
    return forms.TextInput(attrs=attrs)


class NameField(forms.CharField):
    """A person's name: letters of any script, spaces, apostrophes, hyphens and
    periods (admissions.contact.name_problem); no digits, line breaks, links,
    bidi or zero-width controls. It may end up in an email we send."""

    def clean(self, value):
        value = super().clean(value)
        try:
            return clean_person_name(value)
        except ValueError as error:
            # The rule's words are English (staff pages share them); the page's language here.
            raise forms.ValidationError(gettext(str(error)), code="invalid_name") from None


class PhoneField(forms.CharField):
    """US by default; cleaned to E.164 (+17145550123) for storage and de-duplication,
    with ';ext=2' when typed with an extension ('(714) 555-0123 ext 2')."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return ""
        try:
            return normalize_phone_with_extension(value)
        except ValueError:
            raise forms.ValidationError(PHONE_INVALID, code="invalid_phone") from None


class EmailAddressField(forms.EmailField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 254)
        kwargs.setdefault("widget", forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}))
        kwargs.setdefault("error_messages", {"invalid": _("Enter an email address like name@example.com.")})
        super().__init__(**kwargs)


_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_US_DATE = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d+)$")
_DIGITS_DATE = re.compile(r"^(\d{2})(\d{2})(\d{4})$")


class DateOfBirthField(forms.Field):
    """Typed MM/DD/YYYY (also 04271985 from a phone's number pad) or ISO
    YYYY-MM-DD as a date picker sends it. Impossible, future and implausibly
    old dates each get their own message."""

    # Month first in both languages (US forms, US insurers): the Spanish hint says MM/DD/AAAA.
    FORMAT_HELP = _("Enter the date as month/day/year, e.g. 04/27/1985.")
    MAX_LENGTH = 20

    def __init__(self, *, autocomplete="off", **kwargs):
        kwargs.setdefault(
            "widget",
            text_input(
                autocomplete=autocomplete,
                inputmode="numeric",
                placeholder=_("MM/DD/YYYY"),
                maxlength=str(self.MAX_LENGTH),
            ),
        )
        kwargs.setdefault("help_text", _("Month, day and year, e.g. 04/27/1985."))
        super().__init__(**kwargs)

    def to_python(self, value):
        text = str(value).strip() if value not in self.empty_values else ""
        if not text:
            return None
        if len(text) > self.MAX_LENGTH:
            raise forms.ValidationError(self.FORMAT_HELP, code="invalid_format")
        if match := _ISO_DATE.match(text):
            year, month, day = match.groups()
        elif match := (_US_DATE.match(text) or _DIGITS_DATE.match(text)):
            month, day, year = match.groups()
        else:
            raise forms.ValidationError(self.FORMAT_HELP, code="invalid_format")
        if len(year) != 4:
            raise forms.ValidationError(_("Enter the year with four digits, e.g. 1985."), code="invalid_year")
        year, month, day = int(year), int(month), int(day)
        if not 1 <= month <= 12:
            raise forms.ValidationError(
                _("There is no month %(month)s. Enter the date as month/day/year, e.g. 04/27/1985."),
                code="invalid_month",
                params={"month": month},
            )
        if year < 1 or not 1 <= day <= calendar.monthrange(year, month)[1]:
            raise forms.ValidationError(
                _("%(month)s %(day)s does not exist. Check the day and the month."),
                code="invalid_day",
                params={"month": MONTHS[month], "day": day},
            )
        return datetime.date(year, month, day)

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        today = timezone.localdate()
        if value > today:
            raise forms.ValidationError(_("A date of birth can't be in the future."), code="future")
        oldest = today.replace(year=today.year - MAX_AGE_YEARS, day=min(today.day, 28))
        if value < oldest:
            raise forms.ValidationError(
                _("Check the year: that date would make the person over %(years)s years old."),
                code="too_old",
                params={"years": MAX_AGE_YEARS},
            )


class CardPhotoField(forms.FileField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.FileInput(attrs={"accept": CARD_EXTENSIONS}))
        kwargs.setdefault("help_text", _("Optional. A JPEG, PNG or HEIC (iPhone) photo, 10 MB at most."))
        kwargs.setdefault("error_messages", {"empty": _("This file is empty. Choose the photo again.")})
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if not upload:
            return None
        return card_photos.card_photo_clean(upload)
