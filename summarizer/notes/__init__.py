"""The note file: its format, the notes folder, byte-exact edits, export."""
