"""Readers and writers of transcript formats."""
