"""Words the book itself prints (Contents, Notes, Edited by…), by language."""

from __future__ import annotations

_EN = {
    "contents": "Contents",
    "notes": "Notes",
    "story_notes": "Notes",
    "summary": "Summary",
    "end_notes": "End Notes",
    "edited_by": "Edited by",
    "by": "by",
    "scene_break": "Scene break",
    "title_page": "Title page",
    "copyright": "Copyright",
    "landmarks": "Landmarks",
    "start": "Start of content",
    "cover": "Cover",
    "identifier": "Identifier",
    "published": "Published",
    "made_with": "Made with bookforge.",
    "preface": "About this story",
    "note_back": "Back to the text",
    "chapter": "Chapter",
    "series": "Series",
    "rating": "Rating",
    "warnings": "Warnings",
    "categories": "Categories",
    "fandoms": "Fandom",
    "relationships": "Relationships",
    "characters": "Characters",
    "tags": "Tags",
}

LABELS: dict[str, dict[str, str]] = {
    "en": _EN,
    "fr": {
        "contents": "Table des matières", "notes": "Notes", "story_notes": "Notes",
        "summary": "Résumé", "end_notes": "Notes de fin", "edited_by": "Sous la direction de",
        "by": "par", "scene_break": "Changement de scène", "title_page": "Page de titre",
        "copyright": "Droits", "landmarks": "Repères", "start": "Début du texte",
        "cover": "Couverture", "identifier": "Identifiant", "published": "Publié",
        "made_with": "Fabriqué avec bookforge.",
        "preface": "À propos de ce récit", "note_back": "Retour au texte", "chapter": "Chapitre", "series": "Série", "rating": "Classement", "warnings": "Avertissements",
        "categories": "Catégories", "relationships": "Relations", "characters": "Personnages",
        "tags": "Étiquettes",
    },
    "de": {
        "contents": "Inhalt", "notes": "Anmerkungen", "story_notes": "Anmerkungen",
        "summary": "Zusammenfassung", "end_notes": "Nachbemerkungen", "edited_by": "Herausgegeben von",
        "by": "von", "scene_break": "Szenenwechsel", "title_page": "Titelseite",
        "copyright": "Impressum", "landmarks": "Orientierungspunkte", "start": "Textanfang",
        "cover": "Umschlag", "identifier": "Kennung", "published": "Veröffentlicht",
        "made_with": "Erstellt mit bookforge.",
        "preface": "Über diese Geschichte", "note_back": "Zurück zum Text", "chapter": "Kapitel", "series": "Reihe", "rating": "Altersfreigabe", "warnings": "Warnungen",
        "categories": "Kategorien", "relationships": "Beziehungen", "characters": "Figuren",
    },
    "es": {
        "contents": "Índice", "notes": "Notas", "story_notes": "Notas", "summary": "Resumen",
        "end_notes": "Notas finales", "edited_by": "Edición de", "by": "de",
        "scene_break": "Cambio de escena", "title_page": "Portada", "copyright": "Créditos",
        "landmarks": "Puntos de referencia", "start": "Inicio del texto", "cover": "Cubierta",
        "identifier": "Identificador", "published": "Publicado", "made_with": "Hecho con bookforge.",
        "note_back": "Volver al texto", "chapter": "Capítulo", "series": "Serie",
    },
    "it": {
        "contents": "Indice", "notes": "Note", "story_notes": "Note", "summary": "Riassunto",
        "end_notes": "Note finali", "edited_by": "A cura di", "by": "di",
        "scene_break": "Cambio di scena", "title_page": "Frontespizio", "copyright": "Colophon",
        "landmarks": "Punti di riferimento", "start": "Inizio del testo", "cover": "Copertina",
        "identifier": "Identificativo", "published": "Pubblicato", "made_with": "Creato con bookforge.",
        "note_back": "Torna al testo", "chapter": "Capitolo", "series": "Serie",
    },
}


def labels_for(language: str) -> dict[str, str]:
    """The labels for a BCP 47 tag (by primary subtag), English for what a language lacks."""
    found = LABELS.get(language.split("-")[0].lower(), {})
    return {**_EN, **found}
