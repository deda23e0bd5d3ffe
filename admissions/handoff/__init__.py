"""Handing an admitted lead to the clinical record: what we know of them
(`record.py`, read from the database), as a FHIR R4 Bundle (`fhir.py`, pure),
written once to a file only its owner can read (`export.py`)."""
