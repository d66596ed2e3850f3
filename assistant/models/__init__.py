"""Models: the embedder (`embedding`, run fast by `encoder`) and the language-model backends
(`llm`). Heavy libraries load inside the functions that need them."""
