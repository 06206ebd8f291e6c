"""Words the book itself prints (Contents, Notes, Edited by…), by language."""

from __future__ import annotations

# "notes" is the book's footnotes and endnotes (a story's endnotes, the Notes section at the back);
# the author's own notes have words of their own, so the two never read the same: "story_notes"
# heads a story's (or a chapter's) notes before its text, "end_notes" the story's afterword,
# "chapter_end_notes" a chapter's closing note, "author_notes"/"authors_notes" the section that
# gathers them in the front or back matter (one author, several).
_EN = {
    "contents": "Contents",
    "notes": "Notes",
    "story_notes": "Author’s Note",
    "chapter_end_notes": "Author’s Note",
    "author_notes": "Author’s Notes",
    "authors_notes": "Authors’ Notes",
    "page": "page",
    "summary": "Summary",
    "end_notes": "Afterword",
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
        "contents": "Table des matières", "notes": "Notes", "story_notes": "Note de l’auteur",
        "chapter_end_notes": "Note de l’auteur", "author_notes": "Notes de l’auteur",
        "authors_notes": "Notes des auteurs", "page": "page",
        "summary": "Résumé", "end_notes": "Postface", "edited_by": "Sous la direction de",
        "by": "par", "scene_break": "Changement de scène", "title_page": "Page de titre",
        "copyright": "Droits", "landmarks": "Repères", "start": "Début du texte",
        "cover": "Couverture", "identifier": "Identifiant", "published": "Publié",
        "made_with": "Fabriqué avec bookforge.",
        "preface": "À propos de ce récit", "note_back": "Retour au texte", "chapter": "Chapitre", "series": "Série", "rating": "Classement", "warnings": "Avertissements",
        "categories": "Catégories", "relationships": "Relations", "characters": "Personnages",
        "tags": "Étiquettes",
    },
    "de": {
        "contents": "Inhalt", "notes": "Anmerkungen", "story_notes": "Vorbemerkung",
        "chapter_end_notes": "Nachbemerkung", "author_notes": "Bemerkungen des Autors",
        "authors_notes": "Bemerkungen der Autoren", "page": "Seite",
        "summary": "Zusammenfassung", "end_notes": "Nachwort", "edited_by": "Herausgegeben von",
        "by": "von", "scene_break": "Szenenwechsel", "title_page": "Titelseite",
        "copyright": "Impressum", "landmarks": "Orientierungspunkte", "start": "Textanfang",
        "cover": "Umschlag", "identifier": "Kennung", "published": "Veröffentlicht",
        "made_with": "Erstellt mit bookforge.",
        "preface": "Über diese Geschichte", "note_back": "Zurück zum Text", "chapter": "Kapitel", "series": "Reihe", "rating": "Altersfreigabe", "warnings": "Warnungen",
        "categories": "Kategorien", "relationships": "Beziehungen", "characters": "Figuren",
    },
    "es": {
        "contents": "Índice", "notes": "Notas", "story_notes": "Nota del autor",
        "chapter_end_notes": "Nota del autor", "author_notes": "Notas del autor",
        "authors_notes": "Notas de los autores", "page": "página", "summary": "Resumen",
        "end_notes": "Nota final", "edited_by": "Edición de", "by": "de",
        "scene_break": "Cambio de escena", "title_page": "Portada", "copyright": "Créditos",
        "landmarks": "Puntos de referencia", "start": "Inicio del texto", "cover": "Cubierta",
        "identifier": "Identificador", "published": "Publicado", "made_with": "Hecho con bookforge.",
        "note_back": "Volver al texto", "chapter": "Capítulo", "series": "Serie",
    },
    "it": {
        "contents": "Indice", "notes": "Note", "story_notes": "Nota dell’autore",
        "chapter_end_notes": "Nota dell’autore", "author_notes": "Note dell’autore",
        "authors_notes": "Note degli autori", "page": "pagina", "summary": "Riassunto",
        "end_notes": "Postfazione", "edited_by": "A cura di", "by": "di",
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
