"""Material taxonomy and label classifier (pure: no Django, nothing heavy at import).

- `boucle.materials.taxonomy`: `load_classes()`, `class_index()`, `get_class(key)`,
  `load_synonyms()`, `ewc_table()` over the CSVs in `data/`.
- `boucle.materials.classify`: `normalise_ewc(code)`, `class_for_ewc(code)`,
  `classify_label(label)`, `classify_labels(labels)`, `parse_temperature(label)`.
"""
