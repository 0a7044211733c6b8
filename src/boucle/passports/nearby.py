"""Which platform sites repair (NAF 33, 95) and the material classes of a composition, for the
demonstration's life story. Where a citizen takes a product is ``boucle.places``: places of
their own, never company sites."""

REPAIR_DIVISIONS = ("33", "95")


def material_classes(composition) -> dict[str, str]:
    """Material class -> the passport's own word for it (``copper_scrap`` -> ``cuivre``)."""
    from boucle.flows.importers import classify

    out = {}
    for entry in composition or []:
        label = entry.get("material") if isinstance(entry, dict) else None
        if label:
            material_class, _ = classify(label, None)
            if material_class:
                out.setdefault(material_class, label)
    return out
