"""Text handling: cleaning messages, redacting personal data, TF-IDF vectors, clustering."""
