"""X12 text at the lowest level: delimiters, splitting into segments, writing segments.

Errors name a segment position or id, never an element value: element values
in a 270/271 are patient data.
"""

import re
import unicodedata
from dataclasses import dataclass

# A 271 from a payer is a few kilobytes; anything this large is not one.
MAX_INTERCHANGE_BYTES = 2 * 1024 * 1024


class X12SyntaxError(ValueError):
    pass


@dataclass(frozen=True)
class Delimiters:
    element: str = "*"
    component: str = ":"
    # None on a 4010-style ISA whose ISA11 is "U" (no repetition separator).
    repetition: str | None = "^"
    segment: str = "~"


STANDARD = Delimiters()


def read_delimiters(text: str) -> Delimiters:
    """Take the delimiters from the ISA segment itself: position 3, ISA11, ISA16 and the byte after it."""
    if not text.startswith("ISA") or len(text) < 106:
        raise X12SyntaxError("does not start with an ISA segment")
    element = text[3]
    if element.isalnum() or element.isspace():
        raise X12SyntaxError("ISA element separator is not a delimiter character")
    parts = text.split(element, 16)
    if len(parts) < 17 or len(parts[16]) < 2:
        raise X12SyntaxError("ISA segment has fewer than 16 elements")
    component, segment = parts[16][0], parts[16][1]
    repetition = parts[11] if len(parts[11]) == 1 and not parts[11].isalnum() else None
    if component.isalnum() or component.isspace():
        raise X12SyntaxError("ISA16 component separator is not a delimiter character")
    if segment.isalnum() or (segment.isspace() and segment not in "\r\n"):
        raise X12SyntaxError("ISA segment terminator is not a delimiter character")
    chosen = [element, component, segment] + ([repetition] if repetition else [])
    if len(set(chosen)) != len(chosen):
        raise X12SyntaxError("ISA delimiters are not distinct")
    return Delimiters(element=element, component=component, repetition=repetition, segment=segment)


def split_segments(text: str) -> tuple[Delimiters, list[list[str]]]:
    """The interchange as a list of segments, each a list of elements (element 0 is the segment id)."""
    if len(text) > MAX_INTERCHANGE_BYTES:
        raise X12SyntaxError("interchange too large")
    text = text.lstrip("\ufeff \t\r\n")
    delimiters = read_delimiters(text)
    segments = []
    for raw in text.split(delimiters.segment):
        # Line breaks after the terminator are common and not part of the data.
        raw = raw.strip(" \t\r\n")
        if raw:
            segments.append(raw.split(delimiters.element))
    return delimiters, segments


def repeats(value: str, delimiters: Delimiters) -> list[str]:
    """EQ01/EB03 style repeated values: "30^AI^MH" -> ["30", "AI", "MH"]."""
    if not value:
        return []
    if delimiters.repetition is None:
        return [value]
    return [v for v in value.split(delimiters.repetition) if v]


def components(value: str, delimiters: Delimiters) -> list[str]:
    return value.split(delimiters.component)


# Letters, digits, space and the punctuation the X12 basic character set has,
# minus our own delimiters (* : ^ ~).
_NOT_ALLOWED = re.compile(r"[^A-Z0-9 &'(),\-./#]")
_SPACES = re.compile(r" {2,}")


def clean(value: str, max_length: int) -> str:
    """A value fit for an X12 element: ASCII upper case, no delimiters, trimmed to the element's maximum."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    text = _SPACES.sub(" ", _NOT_ALLOWED.sub(" ", ascii_text.upper())).strip()
    return text[:max_length].rstrip()


def segment(*elements: str, delimiters: Delimiters = STANDARD) -> str:
    """One segment with trailing empty elements dropped, as X12 requires."""
    values = list(elements)
    while values and values[-1] == "":
        values.pop()
    return delimiters.element.join(values) + delimiters.segment


def interchange(
    transaction: list[str],
    *,
    functional_id: str,
    version: str,
    sender: tuple[str, str],
    receiver: tuple[str, str],
    control_number: int,
    now,
    usage: str = "P",
    delimiters: Delimiters = STANDARD,
) -> str:
    """ISA/GS around one ST..SE transaction (given as written segments), with GE/IEA to match.

    `sender` and `receiver` are (qualifier, id); ISA13 and GS06 both carry `control_number`.
    """
    if not 1 <= control_number <= 999_999_999:
        raise ValueError("control number must be 1 to 999999999")
    d = delimiters
    isa13, gs06 = f"{control_number:09d}", str(control_number)
    isa = d.element.join(
        [
            "ISA",
            "00",
            " " * 10,
            "00",
            " " * 10,
            sender[0],
            f"{sender[1][:15]:<15}",
            receiver[0],
            f"{receiver[1][:15]:<15}",
            now.strftime("%y%m%d"),
            now.strftime("%H%M"),
            d.repetition or "U",
            "00501",
            isa13,
            "0",
            usage,
            d.component,
        ]
    )
    gs = segment(
        "GS",
        functional_id,
        sender[1],
        receiver[1],
        now.strftime("%Y%m%d"),
        now.strftime("%H%M"),
        gs06,
        "X",
        version,
        delimiters=d,
    )
    trailer = segment("GE", "1", gs06, delimiters=d) + segment("IEA", "1", isa13, delimiters=d)
    return isa + d.segment + gs + "".join(transaction) + trailer
