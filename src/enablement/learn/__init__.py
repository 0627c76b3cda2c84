"""Offline evaluation and tuning of the recommender."""
