"""Writes both demo loaders share (programs.demo_content, its Spanish half)."""

import reversion

from .models import FrequentlyAskedQuestion


def remember(obj):
    # Explicitly, once its relations are set: the version then holds them.
    if reversion.is_active() and reversion.is_registered(type(obj)):
        reversion.add_to_revision(obj)


def faqs_replace(level, faqs):
    """The level's FAQs become these (question, answer) pairs, matched by
    position, so a reset updates the same rows (stable ids, readable history)
    whatever order numbers an editor has typed since."""
    existing = list(level.faqs.all())
    for order, (question, answer) in enumerate(faqs):
        faq = existing[order] if order < len(existing) else FrequentlyAskedQuestion(level_of_care=level)
        faq.question, faq.answer, faq.order = question, answer, order
        faq.save()
    for extra in existing[len(faqs) :]:
        extra.delete()
