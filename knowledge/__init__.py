"""FactBot knowledge base: precomputed articles, sentences, summaries and facts from ``seeds/``."""
