"""schema.org JSON-LD built from the content models (MedicalClinic,
BreadcrumbList, FAQPage, Person). Templates only serialize what is built here."""

from django.conf import settings
from django.templatetags.static import static
from django.utils import translation
from django.utils.translation import gettext as _


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def medical_clinic(facts) -> dict | None:
    if facts is None:
        return None
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalClinic",
        "@id": absolute("/#organization"),
        "name": facts.name,
        "url": absolute("/"),
        "telephone": facts.admissions_phone,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": facts.street_address,
            "addressLocality": facts.locality,
            "addressRegion": facts.region,
            "postalCode": facts.postal_code,
            "addressCountry": "US",
        },
        "openingHours": facts.opening_hours_spec,
        "medicalSpecialty": "Addiction medicine",
        "logo": absolute(static("img/logo.svg")),
    }
    if getattr(facts, "latitude", None) is not None and getattr(facts, "longitude", None) is not None:
        data["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(facts.latitude),
            "longitude": float(facts.longitude),
        }
    same_as = getattr(facts, "same_as_list", None)
    if same_as:
        data["sameAs"] = same_as
    return data


def person(member) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "Person",
        "@id": absolute(member.get_absolute_url().replace("#", "#person-")),
        "name": member.name,
        # In the page's language when written in it (else the English text).
        "jobTitle": member.role_shown,
        "description": member.bio_shown,
        "url": absolute(member.get_absolute_url()),
        "worksFor": {"@id": absolute("/#organization")},
    }
    if member.credentials:
        data["honorificSuffix"] = member.credentials
    if member.license_number:
        credential = {
            "@type": "EducationalOccupationalCredential",
            "credentialCategory": "license",
            "name": member.license_type or _("Professional license"),
            "identifier": member.license_number,
        }
        if member.license_verify_url:
            credential["url"] = member.license_verify_url
        data["hasCredential"] = credential
    if member.photo_id and member.photo:
        from .templatetags.site_tags import share_image_url

        data["image"] = share_image_url(member.photo, "square")
    return data


def people(members) -> list | None:
    return [person(member) for member in members] or None


def breadcrumb_list(crumbs) -> dict | None:
    """crumbs: [(name, path), ...] from the home page down to this page."""
    if not crumbs:
        return None
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": name, "item": absolute(path)}
            for i, (name, path) in enumerate(crumbs, start=1)
        ],
    }


def web_page(obj, *, medical=False) -> dict:
    """The page itself in its language: a level of care (MedicalWebPage, with
    its clinical review) or a plain page, named and described by that row."""
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage" if medical else "WebPage",
        "@id": absolute(obj.get_absolute_url()),
        "url": absolute(obj.get_absolute_url()),
        "name": obj.title,
        "description": obj.description,
        "inLanguage": obj.language,
        "isPartOf": {"@type": "WebSite", "url": absolute("/")},
        "publisher": {"@id": absolute("/#organization")},
    }
    reviewer = getattr(obj, "reviewed_by", None)
    if medical and reviewer is not None and obj.reviewed_on:
        data["lastReviewed"] = obj.reviewed_on.isoformat()
        data["reviewedBy"] = {"@type": "Person", "name": reviewer.name}
    return data


def faq_page(faqs, language=None) -> dict | None:
    if not faqs:
        return None
    return {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "inLanguage": language or translation.get_language(),
        "mainEntity": [
            {
                "@type": "Question",
                "name": faq.question,
                "acceptedAnswer": {"@type": "Answer", "text": faq.answer},
            }
            for faq in faqs
        ],
    }
