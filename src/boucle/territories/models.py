"""French administrative geography, keyed by official codes.

Communes are the leaves. Each belongs to one département and one EPCI, which are
*parallel* parents: an EPCI may straddle a département or even a region boundary,
so a territory's figures are always computed as the sum over its member communes,
never by walking a single tree.
"""

from django.db import models
from django.db.models import Q


class Region(models.Model):
    code = models.CharField(max_length=3, primary_key=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{2,3}$"), name="region_code_format")]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Departement(models.Model):
    code = models.CharField(max_length=3, primary_key=True)
    name = models.CharField(max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departements")

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^([0-9]{2,3}|2A|2B)$"), name="departement_code_format")
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Epci(models.Model):
    """Établissement public de coopération intercommunale à fiscalité propre, keyed by SIREN."""

    siren = models.CharField(max_length=9, primary_key=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, blank=True)  # CC, CA, CU, METRO
    population = models.IntegerField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "EPCI"
        constraints = [models.CheckConstraint(condition=Q(siren__regex=r"^[0-9]{9}$"), name="epci_siren_format")]

    def __str__(self):
        return self.name


class Commune(models.Model):
    insee = models.CharField(max_length=5, primary_key=True)
    name = models.CharField(max_length=200)
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="communes")
    epci = models.ForeignKey(Epci, on_delete=models.PROTECT, related_name="communes", null=True, blank=True)
    population = models.IntegerField(null=True, blank=True)
    lat = models.FloatField()
    lon = models.FloatField()
    postal_codes = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["insee"]
        constraints = [
            models.CheckConstraint(condition=Q(insee__regex=r"^([0-9]{5}|2[AB][0-9]{3})$"), name="commune_insee_format")
        ]

    def __str__(self):
        return f"{self.name} ({self.insee})"

    @property
    def region(self):
        return self.departement.region
