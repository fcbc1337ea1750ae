"""The bundled default corpus: the documents the product started from, byte-for-byte as scraped.

Only the .txt files are documents; this file makes the folder installable as package data.
"""
