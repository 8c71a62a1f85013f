"""Issued certificates (service civilStatusCertificates), kept so that a recipient can verify a
printed certificate number: when, to which agency, for whom, with which purpose, and a digest of
the content the agency received."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, UTCDateTime


class Certificate(Base):
    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # MARITAL_STATUS | BIRTH | REGISTRATION
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # The call that issued it; a certificate counts as issued only once that call's audit event is written.
    call_sequence_id: Mapped[str] = mapped_column(String(36), index=True)
    agency_code: Mapped[str] = mapped_column(String(32))
    purpose: Mapped[str] = mapped_column(Text)
    as_on_date: Mapped[dt.date] = mapped_column(Date)
    subject_person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))  # whom it is about
    content_digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the content issued


class CertificateSubject(Base):
    """Every person a certificate lists."""

    __tablename__ = "certificate_subjects"

    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)
