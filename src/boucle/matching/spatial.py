"""Distances on the sphere for the matching engine.

Sites can be anywhere (cross-border partners), so no planar projection: points
live on the unit sphere as xyz, a KD-tree searches them by *chord* length, and
chords convert exactly to great-circle kilometres. The chord is monotone in the
great-circle distance, so a radius in km becomes a chord radius without error.
"""

from __future__ import annotations

import numpy as np

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius


def to_xyz(lat_deg, lon_deg) -> np.ndarray:
    """Unit-sphere coordinates, shape (n, 3)."""
    lat = np.radians(np.asarray(lat_deg, dtype=np.float64))
    lon = np.radians(np.asarray(lon_deg, dtype=np.float64))
    cos_lat = np.cos(lat)
    return np.column_stack((cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat)))


def km_to_chord(km):
    """Chord on the unit sphere for a great-circle distance; beyond half the
    circumference every point is inside, hence the clip."""
    theta = np.minimum(np.asarray(km, dtype=np.float64) / EARTH_RADIUS_KM, np.pi)
    return 2.0 * np.sin(theta / 2.0)


def chord_to_km(chord):
    c = np.clip(np.asarray(chord, dtype=np.float64), 0.0, 2.0)
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(c / 2.0)


def haversine_km(lat1, lon1, lat2, lon2):
    """Reference formula, used by the baseline benchmark and tests."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def pairwise_km(xyz_a: np.ndarray, xyz_b: np.ndarray) -> np.ndarray:
    """Great-circle km between row-aligned points (same shape (n, 3))."""
    return chord_to_km(np.linalg.norm(xyz_a - xyz_b, axis=-1))
