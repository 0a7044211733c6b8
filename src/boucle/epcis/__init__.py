"""EPCIS 2.0 core for product passports (pure, no Django)."""
