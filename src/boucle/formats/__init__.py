"""Date and number formats per language, where Django's default does not suit Boucle's readers."""
