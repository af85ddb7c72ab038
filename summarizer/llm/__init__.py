"""Chat models behind one interface: OpenAI-compatible servers and the embedded model,
prompts, tokens, the reply cache."""
