"""Search indexes over the catalog's chunks: dense (FAISS), lexical (BM25), and the bundle."""
