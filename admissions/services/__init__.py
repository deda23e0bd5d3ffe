"""Writes for the admissions app. Intake (public forms) in intake.py; what
staff do with a lead (status, calls, notes, assignment) in pipeline.py."""
