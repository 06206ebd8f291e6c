"""A Word document's own properties (title, author) as a story's last resort, placeholders ignored."""

from __future__ import annotations

import re

from ..diagnostics import Diagnostics
from ..model import Story

# Titles no author chose: templates' and programs' defaults, in the languages Word ships in.
PLACEHOLDER_TITLES = {
    "word document",
    "document",
    "microsoft word document",
    "untitled",
    "untitled document",
    "title",
    "new document",
    "document1",
    "doc1",
    "blank document",
    "normal",
    "документ microsoft word",
    "документ",
    "новый документ",  # Russian
    "document microsoft word",
    "nouveau document",
    "document sans titre",  # French
    "microsoft word-dokument",
    "neues dokument",
    "dokument",  # German
    "documento de microsoft word",
    "nuevo documento",
    "documento sin título",
    "documento",  # Spanish
    "documento di microsoft word",
    "nuovo documento",  # Italian
    "microsoft word-document",
    "nieuw document",  # Dutch
    "dokument programu microsoft word",
    "nowy dokument",  # Polish
    "documento do microsoft word",
    "novo documento",  # Portuguese
    "microsoft word 文档",
    "新建 microsoft word 文档",
    "文档",  # Chinese
    "microsoft word 文書",
    "新規 microsoft word 文書",  # Japanese
}
# Author fields that name an account, a machine or a program, not a writer.
PLACEHOLDER_AUTHORS = {
    "admin",
    "administrator",
    "administrador",
    "administrateur",
    "amministratore",
    "администратор",
    "user",
    "owner",
    "author",
    "unknown",
    "anonymous",
    "authorised user",
    "authorized user",
    "microsoft office user",
    "microsoft account",
    "windows user",
    "office user",
    "valued customer",
    "учетная запись майкрософт",
    "пользователь windows",
    "пользователь",  # Russian
    "compte microsoft",
    "utilisateur windows",
    "utilisateur de windows",
    "utilisateur",  # French
    "microsoft-konto",
    "windows-benutzer",
    "benutzer",  # German
    "cuenta microsoft",
    "usuario de windows",
    "usuario de microsoft office",
    "usuario",  # Spanish
    "account microsoft",
    "utente di windows",
    "utente",  # Italian
    "microsoft-account",
    "windows-gebruiker",
    "gebruiker",  # Dutch
    "konto microsoft",
    "użytkownik systemu windows",  # Polish
    "conta da microsoft",
    "usuário do windows",  # Portuguese
    "microsoft 帐户",
    "微软用户",
    "microsoft アカウント",  # Chinese, Japanese
    "python-docx",
    "docx4j",
    "apache poi",
    "aspose",
    "libreoffice",
    "openoffice",
    "pandoc",
    "calibre",
    "google",
    "google docs",
    "writer",
    "scrivener",
    "ulysses",
    "bookforge",
}
_TEMPLATE_FIELD = re.compile(r"<%.*?%>|\{\{.*?\}\}|\[\[.*?\]\]|^\$\{.*\}$")


def is_placeholder_title(value: str) -> bool:
    text = " ".join(value.split()).casefold()
    return (
        not text
        or text in PLACEHOLDER_TITLES
        or bool(_TEMPLATE_FIELD.search(value))
        or text.startswith("microsoft word - ")
        or text.endswith((".docx", ".doc"))
    )


def is_placeholder_author(value: str) -> bool:
    text = " ".join(value.split()).casefold()
    return not text or text in PLACEHOLDER_AUTHORS or bool(_TEMPLATE_FIELD.search(value)) or "@" in text


def property_authors(value: str) -> list[tuple[str, str | None]]:
    """Names in an author property as (display name, file-as): several are separated by ';' (as Word
    writes them); "Seeley, Jason" is one person, Jason Seeley, filed as "Seeley, Jason"."""
    names: list[tuple[str, str | None]] = []
    for part in re.split(r"\s*;\s*", value.strip()):
        part = " ".join(part.split())
        if not part:
            continue
        match = re.fullmatch(r"([^,\s][^,]*?),\s*([^,]+)", part)
        if match and len(match.group(1).split()) <= 2 and len(match.group(2).split()) <= 3:
            names.append((f"{match.group(2)} {match.group(1)}", part))
        else:
            names.append((part, None))
    return names


def apply_properties(core, story: Story, diagnostics: Diagnostics) -> None:
    """Title and authors from the core properties, where the document's text gave none."""
    rel = story.source
    title = (core.title or "").strip()
    if not story.title and title:
        if is_placeholder_title(title):
            diagnostics.info("I003", f"document title '{title}' looks like a placeholder; not used", path=rel)
        else:
            story.title = " ".join(title.split())
            diagnostics.info("I002", f"title '{story.title}' taken from the Word document's properties", path=rel)
    author = (core.author or "").strip()
    if not story.authors and author:
        names = [(name, file_as) for name, file_as in property_authors(author) if not is_placeholder_author(name)]
        if not names:
            diagnostics.info(
                "I003", f"document author '{author}' looks like an account or program name; not used", path=rel
            )
            return
        story.authors = [name for name, _ in names]
        story.file_as.update({name: file_as for name, file_as in names if file_as})
        diagnostics.info(
            "I002", "author " + ", ".join(story.authors) + " taken from the Word document's properties", path=rel
        )
