"""How the registry writes Greek text: ELOT 743 transliteration and the forms names are compared in."""
