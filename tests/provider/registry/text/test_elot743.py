"""ELOT 743 type-2 (passport) transliteration of Greek names."""
import pytest

from provider.registry.text.elot743 import transliterate

PASSPORT_EXAMPLES = [
    ("ΠΑΠΑΔΟΠΟΥΛΟΣ", "PAPADOPOULOS"),
    ("ΕΥΑΓΓΕΛΟΣ", "EVANGELOS"),
    ("ΑΥΓΕΡΙΝΟΣ", "AVGERINOS"),
    ("ΕΥΘΥΜΙΟΣ", "EFTHYMIOS"),
    ("ΓΕΩΡΓΙΟΣ", "GEORGIOS"),
    ("ΜΠΑΚΟΓΙΑΝΝΗΣ", "BAKOGIANNIS"),
    ("ΛΑΜΠΡΟΣ", "LAMPROS"),
    ("ΧΑΤΖΗΣ", "CHATZIS"),
    ("ΨΑΡΡΑΣ", "PSARRAS"),
    ("ΑΓΓΕΛΙΚΗ", "ANGELIKI"),
    ("ΝΤΟΥΣΚΟΣ", "NTOUSKOS"),
    ("ΘΕΟΔΩΡΟΣ", "THEODOROS"),
    ("ΚΩΝΣΤΑΝΤΙΝΟΣ", "KONSTANTINOS"),
    ("ΙΩΑΝΝΑ", "IOANNA"),
    ("Άννα", "ANNA"),
    ("ΑΥΤΟΣ", "AFTOS"),
    ("ΕΥΚΛΕΙΔΗΣ", "EFKLEIDIS"),
]


@pytest.mark.parametrize(("greek", "latin"), PASSPORT_EXAMPLES)
def test_passport_examples(greek, latin):
    assert transliterate(greek) == latin


@pytest.mark.parametrize(("greek", "latin"), PASSPORT_EXAMPLES)
def test_case_and_accent_insensitive(greek, latin):
    assert transliterate(greek.lower()) == latin


@pytest.mark.parametrize(
    ("greek", "latin"),
    [
        ("Ευρώτα", "EVROTA"),  # ευ before a voiced consonant
        ("Παύλου Μελά", "PAVLOU MELA"),
        ("ΤΑΫΓΕΤΟΣ", "TAYGETOS"),  # diaeresis: no αυ digraph
        ("ΣΥΓΧΡΟΝΟΣ", "SYNCHRONOS"),  # γχ
        ("ΛΟΓΞΙΑ", "LONXIA"),  # γξ
        ("ΛΑΓΚΑΔΑ", "LAGKADA"),  # γκ stays GK
        ("ΣΑΜΠ", "SAB"),  # μπ at word end
        ("ΓΙΑΝΝΗΣ ΜΠΟΥΡΑΣ", "GIANNIS BOURAS"),  # μπ at the start of a later word
        ("ΚΑΝΕΥ", "KANEF"),  # ευ at word end
        ("Αμπελοκήπων - Μενεμένης", "AMPELOKIPON - MENEMENIS"),
        ("ΠΑΠΑ-ΔΗΜΑ 2", "PAPA-DIMA 2"),  # non-Greek characters kept
        ("O'ΝΗΛ", "O'NIL"),
    ],
)
def test_other_rules(greek, latin):
    assert transliterate(greek) == latin
