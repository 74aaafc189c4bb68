"""Speech recognition: audio in, features, text targets, transcripts out. Imports nothing from music or Qt."""
