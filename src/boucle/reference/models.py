"""Reference nomenclatures shipped with Boucle (see ``boucle/data/SOURCES.md``).

Codes are natural keys, checked twice: by a validator when a person or a file
types one, and by a database constraint so nothing else can slip one in.
"""

from django.db import models
from django.db.models import Q

from .validators import validate_ewc_code6, validate_naf_code


class WasteCode(models.Model):
    """An entry of the European List of Waste (Décision 2000/532/CE), e.g. ``170405``."""

    code6 = models.CharField(max_length=6, primary_key=True, validators=[validate_ewc_code6])
    code = models.CharField(max_length=10)  # display form "17 04 05" or "17 04 05*"
    hazardous = models.BooleanField()
    label_fr = models.TextField()
    label_en = models.TextField()
    chapter = models.CharField(max_length=2)
    section = models.CharField(max_length=8)

    class Meta:
        ordering = ["code6"]
        constraints = [models.CheckConstraint(condition=Q(code6__regex=r"^[0-9]{6}$"), name="wastecode_code6_format")]

    def __str__(self):
        return f"{self.code} {self.label_fr}"


class ActivityCode(models.Model):
    """NAF rév. 2 at any level (division ``23`` … sous-classe ``23.51Z``), with NACE Rev. 2 English labels."""

    code = models.CharField(max_length=6, primary_key=True, validators=[validate_naf_code])
    level = models.CharField(max_length=12)
    label_fr = models.TextField()
    label_en = models.TextField(blank=True)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{2}(\.[0-9]{1,2}[A-Z]?)?$"), name="activitycode_code_format"
            )
        ]

    def __str__(self):
        return f"{self.code} {self.label_fr}"

    @property
    def division(self) -> str:
        return self.code[:2]


class TreatmentOperation(models.Model):
    """Recovery (R1–R13) and disposal (D1–D15) operations, Directive 2008/98/EC annexes I and II."""

    code = models.CharField(max_length=8, primary_key=True)
    kind = models.CharField(max_length=20)
    label_fr = models.TextField()

    class Meta:
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=Q(code__regex=r"^[RD][0-9]{1,2}[A-Za-z ]*$"), name="operation_code_format")]

    def __str__(self):
        return f"{self.code} {self.label_fr}"
