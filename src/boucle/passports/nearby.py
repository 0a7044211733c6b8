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


def composition_with_crm(composition, lang: str = "fr") -> list:
    """Composition lines, each with the EU critical raw materials (Regulation (EU) 2024/1252) its
    material class contains: ``critical_raw_materials`` = [{key, name, strategic}] (copies, the
    passport is not changed)."""
    from boucle.flows.importers import classify_many
    from boucle.materials.crm import crm_of_class

    lines = [dict(e) for e in composition or [] if isinstance(e, dict)]
    classes = classify_many([(str(e.get("material") or ""), None) for e in lines])
    for line, (key, _conf) in zip(lines, classes):
        line["critical_raw_materials"] = [{"key": c.crm.key, "name": c.crm.name(lang), "strategic": c.crm.strategic}
                                          for c in crm_of_class(key)]
    return lines
