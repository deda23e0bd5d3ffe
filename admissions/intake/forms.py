"""The two public intake forms. Phone-first: real labels, autocomplete and
inputmode hints, specific error messages; every rule is checked here on the
server, so the forms work the same with JavaScript off.

A form's answers leave it as one typed record (`IntakeForm.answers()` ->
admissions.intake.answers.IntakeAnswers), built from the form fields that are
fields of the form's model: a new question is a model field, a form field
and its place in the layout, nothing more.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Field, Fieldset, Layout
from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from admissions.contact import normalize_email
from admissions.models import (
    BestTimeToCall,
    ConsentText,
    ConsultationRequest,
    HeardAboutUs,
    InsuranceVerification,
    PolicyHolder,
    PreferredLanguage,
    RequestKind,
    WhoNeedsHelp,
)
from programs.models import LevelOfCare

from . import reference
from .answers import IntakeAnswers
from .fields import (
    OTHER_CARRIER,
    REACH_ME,
    US_STATES,
    CardPhotoField,
    DateOfBirthField,
    EmailAddressField,
    NameField,
    PhoneField,
    text_input,
)


def current_consent(kind: str) -> ConsentText:
    """The wording in force now (newest version already effective); from the
    worker's copy of the wording (admissions.intake.reference), no query."""
    return reference.consent_in_force(kind)


def consents_shown(form_class, consent_ids) -> dict[str, ConsentText]:
    """The wording versions a form was issued with (from its signed token), so
    the version stored is the one the person read even if it changed since."""
    known = reference.consent_texts()
    by_kind = {known[pk].kind: known[pk] for pk in consent_ids if pk in known}
    return {
        field: by_kind.get(kind) or current_consent(kind) for field, kind in form_class.consent_kinds.items()
    }


class IntakeForm(forms.Form):
    """Shared: consent wording bound per form instance (the version shown is
    the version stored) and crispy layout without its own <form> tag."""

    kind: RequestKind
    model: type  # the submission model the answers are stored in
    consent_kinds: dict[str, str] = {}  # form field -> ConsentText.Kind
    error_css_class = "has-error"

    # Asked on both forms; a form sent without it (an old page) means the page's language.
    preferred_language = forms.TypedChoiceField(
        label=_("Which language should we use when we contact you?"),
        choices=PreferredLanguage.choices,
        initial=PreferredLanguage.ENGLISH,  # the page's language: __init__
        required=False,
        empty_value=PreferredLanguage.ENGLISH,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose English or Spanish.")},
    )

    def __init__(self, *args, consents: dict[str, ConsentText] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # The page's language is the first guess (a Spanish form: Spanish),
        # and what a form sent without the answer means.
        language = reference.page_language()
        self.fields["preferred_language"].initial = language
        self.fields["preferred_language"].empty_value = language
        self.consents = consents or {
            field: current_consent(kind) for field, kind in self.consent_kinds.items()
        }
        for field_name, consent in self.consents.items():
            self.fields[field_name].label = consent.text
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's <form> carries it
        self.helper.layout = self.layout()

    def error_summary(self) -> list[tuple[str, str]]:
        """(element id, message) for the summary at the top, in page order.
        Radio groups link to their first option; form-wide errors have no link."""
        items = [("", str(message)) for message in self.non_field_errors()]
        for name in self.fields:
            if name in self.errors:
                bound = self[name]
                anchor = bound.id_for_label or f"{bound.auto_id}_0"
                items += [(anchor, str(message)) for message in self.errors[name]]
        return items

    def answers(self) -> IntakeAnswers:
        """The cleaned answers as one record: every form field that is a field
        of the model, under its name. A ticked consent is the wording shown
        (None when not ticked); a photo not given is left out."""
        stored = {model_field.name for model_field in self.model._meta.concrete_fields}
        values = {}
        for name in self.fields:
            if name not in stored:
                continue
            value = self.cleaned_data[name]
            if name in self.consent_kinds:
                value = self.consents[name] if value else None
            elif isinstance(self.fields[name], forms.FileField) and not value:
                continue
            values[name] = value
        return IntakeAnswers.of(self.kind, **values)

    @classmethod
    def preselected(cls, query) -> dict:
        """Initial answers a link may suggest (?program=<slug>); never required."""
        return {}

    @property
    def consent_ids(self) -> list[int]:
        return [consent.pk for consent in self.consents.values()]

    def layout(self) -> Layout:
        raise NotImplementedError

    def _require(self, field_name, message):
        if not self.cleaned_data.get(field_name) and field_name not in self.errors:
            self.add_error(field_name, forms.ValidationError(message, code="required"))

    def _reach_me(self):
        phone, email = self.cleaned_data.get("phone"), self.cleaned_data.get("email")
        if not phone and not email and "phone" not in self.errors and "email" not in self.errors:
            self.add_error("phone", forms.ValidationError(REACH_ME, code="reach_me"))
        if email:
            self.cleaned_data["email"] = normalize_email(email)


class ConsultationForm(IntakeForm):
    kind = RequestKind.CONSULTATION
    model = ConsultationRequest
    consent_kinds = {
        "contact_consent": ConsentText.Kind.CONTACT,
        "automated_contact_consent": ConsentText.Kind.AUTOMATED,
    }

    first_name = NameField(
        label=_("First name"),
        max_length=100,
        widget=text_input(autocomplete="given-name"),
        error_messages={"required": _("Enter your first name.")},
    )
    last_name = NameField(
        label=_("Last name"),
        max_length=100,
        widget=text_input(autocomplete="family-name"),
        error_messages={"required": _("Enter your last name.")},
    )
    phone = PhoneField(
        label=_("Phone number"),
        required=False,
        help_text=_("We'll call you on this number. Give a phone number, an email address, or both."),
    )
    email = EmailAddressField(label=_("Email address"), required=False)
    best_time_to_call = forms.ChoiceField(
        label=_("Best time to call"),
        choices=BestTimeToCall.choices,
        initial=BestTimeToCall.ANY,
        error_messages={"invalid_choice": _("Choose a time from the list.")},
    )
    who_needs_help = forms.ChoiceField(
        label=_("Who needs help?"),
        choices=WhoNeedsHelp.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Tell us who needs help: you or a loved one.")},
    )
    caller_relation = forms.CharField(
        label=_("Your relationship to them"),
        max_length=60,
        required=False,
        widget=text_input(),
        help_text=_("Only if you're asking for a loved one, e.g. parent, spouse, sibling or friend."),
    )
    level_of_care = forms.ModelChoiceField(
        label=_("Program you're interested in (optional)"),
        queryset=LevelOfCare.objects.none(),
        required=False,
        empty_label=_("Not sure yet"),
        error_messages={"invalid_choice": _("Choose a program from the list, or “Not sure yet”.")},
    )
    message = forms.CharField(
        label=_("Anything you'd like us to know (optional)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
        help_text=_("A coordinator reads this before calling. Share only what you're comfortable with."),
    )
    heard_about = forms.ChoiceField(
        label=_("How did you hear about us? (optional)"),
        choices=[("", _("Choose one"))] + HeardAboutUs.choices,
        required=False,
        error_messages={"invalid_choice": _("Choose an answer from the list.")},
    )
    contact_consent = forms.BooleanField(
        error_messages={"required": _("Tick the box to let us contact you about your request.")},
    )
    automated_contact_consent = forms.BooleanField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["level_of_care"]
        # The post is checked against the database; the list shown comes from
        # the worker's copy of the published levels (no query to draw it).
        field.queryset = LevelOfCare.objects.published().in_language()
        self.levels = reference.published_levels()
        field.choices = [("", field.empty_label)] + [
            (level.pk, field.label_from_instance(level)) for level in self.levels
        ]

    @classmethod
    def preselected(cls, query) -> dict:
        # A program page's consultation link: /admissions/consultation/?program=<slug>.
        slug = query.get("program", "")
        level = next((level for level in reference.published_levels() if slug and level.slug == slug), None)
        return {"level_of_care": level.pk} if level is not None else {}

    # Drawn per form in the page's language (layout() runs in __init__): legends
    # and hints are our catalogue's words, template text to crispy-forms.
    def layout(self):
        return Layout(
            Fieldset(
                gettext("About you"),
                "first_name",
                "last_name",
                "phone",
                "email",
                "best_time_to_call",
                "preferred_language",
            ),
            Fieldset(
                gettext("The person and the program"), "who_needs_help", "caller_relation", "level_of_care"
            ),
            Fieldset(gettext("Anything else"), "message", "heard_about"),
            Fieldset(
                gettext("Your consent"),
                "contact_consent",
                HTML(
                    '<p class="form-text" id="automated-consent-hint">'
                    + gettext(
                        "The box below is optional; we'll still call you back if you leave it unticked."
                    )
                    + "</p>"
                ),
                Field("automated_contact_consent", aria_describedby="automated-consent-hint"),
            ),
        )

    def clean_level_of_care(self):
        # Leads and reports count the program, not the language it was read in.
        level = self.cleaned_data.get("level_of_care")
        return level.original if level is not None else None

    def clean(self):
        cleaned = super().clean()
        self._reach_me()
        if cleaned.get("who_needs_help") == WhoNeedsHelp.LOVED_ONE:
            self._require(
                "caller_relation",
                _("Tell us how you're related to the person who needs help, e.g. parent or friend."),
            )
        else:
            self._errors.pop("caller_relation", None)
            cleaned["caller_relation"] = ""
        return cleaned


class InsuranceVerificationForm(IntakeForm):
    kind = RequestKind.INSURANCE
    model = InsuranceVerification
    consent_kinds = {"benefits_authorization": ConsentText.Kind.BENEFITS}

    first_name = NameField(
        label=_("Patient's first name"),
        max_length=100,
        widget=text_input(autocomplete="given-name"),
        error_messages={"required": _("Enter the patient's first name.")},
    )
    last_name = NameField(
        label=_("Patient's last name"),
        max_length=100,
        widget=text_input(autocomplete="family-name"),
        error_messages={"required": _("Enter the patient's last name.")},
    )
    date_of_birth = DateOfBirthField(
        label=_("Patient's date of birth"),
        autocomplete="bday",
        error_messages={"required": _("Enter the patient's date of birth, e.g. 04/27/1985.")},
    )
    phone = PhoneField(
        label=_("Your phone number"),
        required=False,
        help_text=_("Where we reach you with the results. Give a phone number, an email address, or both."),
    )
    email = EmailAddressField(label=_("Your email address"), required=False)
    state = forms.ChoiceField(
        label=_("State the patient lives in"),
        choices=[("", _("Choose a state"))] + US_STATES,
        initial="CA",
        widget=forms.Select(attrs={"autocomplete": "address-level1"}),
        error_messages={
            "required": _("Choose the state the patient lives in."),
            "invalid_choice": _("Choose a state from the list."),
        },
    )
    carrier = forms.ChoiceField(
        label=_("Insurance company"),
        error_messages={
            "required": _("Choose the insurance company, or “Other” if it isn't listed."),
            "invalid_choice": _("Choose an insurance company from the list."),
        },
    )
    carrier_other = forms.CharField(
        label=_("Insurance company name, if not in the list"),
        max_length=100,
        required=False,
        widget=text_input(),
        help_text=_("Only if you chose “Other” above."),
    )
    member_id = forms.CharField(
        label=_("Member ID"),
        max_length=40,
        widget=text_input(autocapitalize="characters", spellcheck="false"),
        help_text=_("On the front of the card; sometimes called subscriber or policy ID."),
        error_messages={"required": _("Enter the member ID from the insurance card.")},
    )
    group_number = forms.CharField(
        label=_("Group number (optional)"),
        max_length=40,
        required=False,
        widget=text_input(autocapitalize="characters", spellcheck="false"),
    )
    policy_holder = forms.ChoiceField(
        label=_("Who holds the insurance policy?"),
        choices=PolicyHolder.choices,
        initial=PolicyHolder.PATIENT,
        widget=forms.RadioSelect,
        error_messages={"required": _("Tell us who holds the policy.")},
    )
    holder_first_name = NameField(
        label=_("Policy holder's first name"), max_length=100, required=False, widget=text_input()
    )
    holder_last_name = NameField(
        label=_("Policy holder's last name"), max_length=100, required=False, widget=text_input()
    )
    holder_date_of_birth = DateOfBirthField(label=_("Policy holder's date of birth"), required=False)
    holder_relationship = forms.CharField(
        label=_("Policy holder's relationship to the patient"),
        max_length=40,
        required=False,
        widget=text_input(),
        help_text=_("For example parent or spouse."),
    )
    card_front = CardPhotoField(label=_("Photo of the front of the card (optional)"))
    card_back = CardPhotoField(label=_("Photo of the back of the card (optional)"))
    benefits_authorization = forms.BooleanField(
        error_messages={
            "required": _("Tick the box to let us check the benefits with the insurance company.")
        },
    )

    HOLDER_FIELDS = {
        "holder_first_name": _("Enter the policy holder's first name."),
        "holder_last_name": _("Enter the policy holder's last name."),
        "holder_date_of_birth": _("Enter the policy holder's date of birth, e.g. 04/27/1960."),
        "holder_relationship": _("Enter the policy holder's relationship to the patient, e.g. parent."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.carriers = {str(c.pk): c for c in reference.active_carriers()}
        self.fields["carrier"].choices = (
            [("", gettext("Choose an insurance company"))]
            + [(pk, carrier.name) for pk, carrier in self.carriers.items()]
            + [(OTHER_CARRIER, gettext("Other (not in this list)"))]
        )

    def layout(self):
        return Layout(
            Fieldset(gettext("The patient"), "first_name", "last_name", "date_of_birth", "state"),
            Fieldset(gettext("How we reach you"), "phone", "email", "preferred_language"),
            Fieldset(
                gettext("Insurance"),
                "carrier",
                "carrier_other",
                "member_id",
                "group_number",
                "policy_holder",
            ),
            Fieldset(
                gettext("Policy holder, only if it is someone else"),
                HTML(
                    '<p class="form-text" id="holder-hint">'
                    + gettext(
                        "Fill this in only if you chose “Someone else” above, e.g. a parent whose "
                        "plan covers the patient."
                    )
                    + "</p>"
                ),
                "holder_first_name",
                "holder_last_name",
                "holder_date_of_birth",
                "holder_relationship",
                css_id="policy-holder-details",
                aria_describedby="holder-hint",
            ),
            Fieldset(
                gettext("Photos of the insurance card"),
                HTML(
                    '<p class="form-text">'
                    + gettext(
                        "Photos help us read the card correctly. They are stored encrypted and seen "
                        "only by our admissions team."
                    )
                    + '</p>{% if form.errors %}<p class="form-text fw-semibold">'
                    + gettext(
                        "If you chose photos, please choose them again: for your privacy, photos are "
                        "not kept when an answer needs correcting."
                    )
                    + "</p>{% endif %}"
                ),
                "card_front",
                "card_back",
            ),
            Fieldset(gettext("Your authorization"), "benefits_authorization"),
        )

    def error_summary(self):
        items = super().error_summary()
        if items and (self.files.get("card_front") or self.files.get("card_back")):
            # Photos are never kept between posts (privacy): say so where people look first.
            items.append(
                (
                    "id_card_front",
                    gettext(
                        "Choose your card photos again: they are not kept when an answer needs correcting."
                    ),
                )
            )
        return items

    # Card photos cost far more to decode than to send (issue 15 #6): they are
    # left out of the field-by-field cleaning and decoded only once every other
    # answer is valid.
    PHOTO_FIELDS = ("card_front", "card_back")

    def _clean_fields(self):
        fields = self.fields
        self.fields = {name: field for name, field in fields.items() if name not in self.PHOTO_FIELDS}
        try:
            super()._clean_fields()
        finally:
            self.fields = fields

    def full_clean(self):
        super().full_clean()
        if not self.is_bound or self._errors:
            return
        for name in self.PHOTO_FIELDS:
            bound = self[name]
            try:
                self.cleaned_data[name] = bound.field._clean_bound_field(bound)
            except forms.ValidationError as error:
                self.add_error(name, error)

    def clean_carrier(self):
        value = self.cleaned_data["carrier"]
        return None if value == OTHER_CARRIER else self.carriers[value]

    def clean(self):
        cleaned = super().clean()
        self._reach_me()
        if "carrier" in cleaned and cleaned["carrier"] is None:
            self._require("carrier_other", _("Enter the name of the insurance company."))
        elif "carrier" in cleaned:
            cleaned["carrier_other"] = ""
        if cleaned.get("policy_holder") == PolicyHolder.SOMEONE_ELSE:
            for field_name, message in self.HOLDER_FIELDS.items():
                self._require(field_name, message)
        else:
            # Details typed before switching back to "the patient" are not kept.
            for field_name in self.HOLDER_FIELDS:
                self._errors.pop(field_name, None)
                cleaned[field_name] = None if field_name == "holder_date_of_birth" else ""
        return cleaned
