"""Publishing reviewed notes where the house keeps them: one GitHub issue per paper."""
