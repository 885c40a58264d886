"""CS editing: drafts, revisions, review and publishing, translations, capture, synonyms, media."""
